import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The SQL floors of the write path: the rows a mutation writes, in the fewest round trips,
 * run by pgbench against the bench database through the app's own gate (role cms_app via
 * the startup option, `cms_enter_tenant` per transaction, so RLS and the tenant lock apply).
 *
 * fileComplaint (a DE case, GDPR + DPF): after BEGIN and the gate (which also draws the
 * ids and instants the service computes in Node), four statements:
 *   1. the case, its first stage transition and its two timers (policies joined in SQL);
 *   2. the three audit events, hash-chained (sha256 in SQL) through the database's link trigger;
 *   3. the two timer jobs in one graphile_worker.add_jobs call, and the three NOTIFYs;
 *   4. the reference counter, last, and the case's reference from it.
 * The payloads (audit changes, timer terms) are the service's own, read from a complaint
 * it filed at the start of the run. No webhook endpoints exist in the bench, so no outbox rows.
 *
 * escalateComplaint (INTERNAL_DPO → REGULATOR: two timers cancelled, one started): after
 * the gate, four statements: lock the case and read its chain head and live timers; the case,
 * the transition and the timers; the four chained audit events; the jobs and NOTIFYs.
 */

export interface FloorSamples {
  /** The COMPLAINT_FILED, SLA_STARTED (GDPR), SLA_STARTED (DPF) changes the service wrote. */
  filedChanges: [string, string, string];
  /** The GDPR and DPF RESPOND terms the service wrote. */
  terms: [string, string];
  /** SLA_CANCELLED, STAGE_ESCALATED, SLA_STARTED changes of an escalation to REGULATOR. */
  escalationChanges: [string, string, string];
  regulatorTerms: string;
  actorId: string;
}

export interface PgbenchRun {
  tps: number;
  transactions: number;
  failed: number;
  latencyMs: number | null;
}

const FILE_GATE = `BEGIN;
SELECT cms_enter_tenant(v.tenant), v.tenant, gen_random_uuid() AS cid, gen_random_uuid() AS t1, gen_random_uuid() AS t2,
  gen_random_uuid() AS e1, gen_random_uuid() AS e2, gen_random_uuid() AS e3, gen_random_uuid()::text AS rid,
  v.ts, extract(year FROM v.ts)::int AS year,
  v.ts + interval '1 month' AS d1, v.ts + (v.ts + interval '1 month' - v.ts) * 0.8 AS w1,
  v.ts + interval '45 days' AS d2, v.ts + interval '36 days' AS w2
FROM (SELECT :prefix::text || lpad(:t::text, 2, '0') AS tenant, date_trunc('milliseconds', clock_timestamp()) AS ts) v \\gset
`;

const FILE_ROWS = `WITH c AS (
  INSERT INTO complaints (id, tenant_id, reference, stage, status, rights, data_context, processing_role, regimes, jurisdiction, channel,
    summary, description, complainant_name, complainant_email, complainant_phone, involves_child_under13, assignee_id, received_at, next_due_at, version)
  VALUES (:cid, :tenant, 'PENDING-' || :cid, 'INTERNAL_DPO', 'OPEN', '{ACCESS}', 'CONSUMER', 'CONTROLLER', '{GDPR,DPF}', 'DE', 'WEB_FORM',
    'No answer to my access request', 'I asked for a copy of my data two months ago and have heard nothing since.', 'Eva Example', 'eva@example.com',
    NULL, false, NULL, :ts, least(:d1::timestamptz, :d2::timestamptz), 1)
  RETURNING id),
s AS (INSERT INTO stage_transitions (tenant_id, complaint_id, from_stage, to_stage, reason, at, actor_id)
  SELECT :tenant, c.id, NULL, 'INTERNAL_DPO', 'Complaint filed', :ts, :actor FROM c)
INSERT INTO sla_timers (id, tenant_id, complaint_id, policy_id, kind, regime, stage, status, terms, started_at, due_at, warn_at, history)
SELECT v.id, :tenant, c.id, p.id, 'RESPOND', v.regime, 'INTERNAL_DPO', 'RUNNING', v.terms, :ts, v.due, v.warn, '[]'
FROM c
CROSS JOIN (VALUES (:t1::uuid, 'GDPR', :terms1::jsonb, :d1::timestamptz, :w1::timestamptz),
                   (:t2::uuid, 'DPF', :terms2::jsonb, :d2::timestamptz, :w2::timestamptz)) v(id, regime, terms, due, warn)
JOIN sla_policies p ON p.regime = v.regime AND p.stage = 'INTERNAL_DPO' AND p.kind = 'RESPOND' AND p.starts_on = 'STAGE_ENTERED' AND p.rights IS NULL;
`;

const FILE_EVENTS = `INSERT INTO audit_events (id, tenant_id, complaint_id, chain_id, sequence, action, actor_id, actor_role, at, changes, request_id, prev_hash, hash)
SELECT e.id, :tenant, :cid, :cid, e.seq, e.action, :actor, 'DPO', :ts, e.changes, :rid, e.prev, e.hash
FROM (SELECT encode(sha256(convert_to(:ch1, 'UTF8')), 'hex') AS h) h1
CROSS JOIN LATERAL (SELECT encode(sha256(convert_to(h1.h || :ch2, 'UTF8')), 'hex') AS h) h2
CROSS JOIN LATERAL (SELECT encode(sha256(convert_to(h2.h || :ch3, 'UTF8')), 'hex') AS h) h3
CROSS JOIN LATERAL (VALUES (:e1::uuid, 1, 'COMPLAINT_FILED', :ch1::jsonb, NULL, h1.h),
  (:e2::uuid, 2, 'SLA_STARTED', jsonb_set(:ch2::jsonb, '{timerId}', to_jsonb(:t1::text)), h1.h, h2.h),
  (:e3::uuid, 3, 'SLA_STARTED', jsonb_set(:ch3::jsonb, '{timerId}', to_jsonb(:t2::text)), h2.h, h3.h)) e(id, seq, action, changes, prev, hash)
ORDER BY e.seq;
`;

const FILE_JOBS = `SELECT graphile_worker.add_jobs(ARRAY(SELECT json_populate_recordset(NULL::graphile_worker.job_spec, json_build_array(
    json_build_object('identifier', 'sla_timer', 'payload', json_build_object('tenantId', :tenant::text, 'timerId', :t1::text),
      'run_at', :w1::timestamptz, 'max_attempts', 25, 'job_key', 'sla:' || :t1::text),
    json_build_object('identifier', 'sla_timer', 'payload', json_build_object('tenantId', :tenant::text, 'timerId', :t2::text),
      'run_at', :w2::timestamptz, 'max_attempts', 25, 'job_key', 'sla:' || :t2::text))))),
  (SELECT count(pg_notify('cms_audit', json_build_object('tenantId', :tenant::text, 'complaintId', :cid::text, 'eventId', e)::text))
     FROM unnest(ARRAY[:e1::text, :e2::text, :e3::text]) e);
`;

const FILE_COUNTER = `WITH n AS (
  INSERT INTO reference_counters (tenant_id, year, last_value) VALUES (:tenant, :year::int, 1)
  ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = reference_counters.last_value + 1 RETURNING last_value)
UPDATE complaints SET reference = 'PC-' || :year::text || '-' || lpad(n.last_value::text, 6, '0') FROM n WHERE complaints.id = :cid::uuid;
END;
`;

/**
 * fileComplaint's floor; `:t` picks one of `:ntenants` tenants `<prefix>01`, `<prefix>02`, ...
 * at random, or (per-client) client c always files for tenant c mod ntenants + 1.
 */
export function fileComplaintScript(tenantPick: 'random' | 'per-client' = 'random'): string {
  const pick = tenantPick === 'random' ? '\\set t random(1, :ntenants)' : '\\set t :client_id % :ntenants + 1';
  return `${pick}\n${FILE_GATE}${FILE_ROWS}${FILE_EVENTS}${FILE_JOBS}${FILE_COUNTER}`;
}

const ESCALATE_GATE = `\\set n :n + 1
\\set t :client_id % :ntenants + 1
BEGIN;
SELECT cms_enter_tenant(v.tenant), v.tenant, gen_random_uuid() AS nt, gen_random_uuid() AS e1, gen_random_uuid() AS e2,
  gen_random_uuid() AS e3, gen_random_uuid() AS e4, gen_random_uuid()::text AS rid, v.ts,
  v.ts + interval '90 days' AS due, v.ts + interval '72 days' AS warn
FROM (SELECT :prefix::text || lpad(:t::text, 2, '0') AS tenant, date_trunc('milliseconds', clock_timestamp()) AS ts) v \\gset
`;

/** The case, locked, with what the escalation rules and the chain need: head, live timers. */
const ESCALATE_LOAD = `SELECT c.id AS cid, c.audit_head_sequence AS hs, c.audit_head_hash AS hh,
  (SELECT array_agg(t.id ORDER BY t.started_at, t.id) FROM sla_timers t WHERE t.complaint_id = c.id AND t.status IN ('RUNNING', 'PAUSED'))::text AS timers,
  (SELECT (array_agg(t.id ORDER BY t.started_at, t.id))[1] FROM sla_timers t WHERE t.complaint_id = c.id AND t.status IN ('RUNNING', 'PAUSED'))::text AS x1,
  (SELECT (array_agg(t.id ORDER BY t.started_at, t.id))[2] FROM sla_timers t WHERE t.complaint_id = c.id AND t.status IN ('RUNNING', 'PAUSED'))::text AS x2,
  (SELECT array_agg(s.to_stage) FROM stage_transitions s WHERE s.complaint_id = c.id)::text AS visited
FROM complaints c WHERE c.tenant_id = :tenant AND c.reference = 'PC-' || extract(year FROM :ts::timestamptz)::text || '-' || lpad(:n::text, 6, '0')
FOR UPDATE OF c \\gset
`;

const ESCALATE_ROWS = `WITH c AS (
  UPDATE complaints SET stage = 'REGULATOR', status = 'OPEN', outcome = NULL, resolved_at = NULL, resolution_summary = NULL,
    version = version + 1, updated_at = now(), next_due_at = :due::timestamptz
  WHERE id = :cid::uuid RETURNING id),
x AS (UPDATE sla_timers SET status = 'CANCELLED', cancelled_at = :ts::timestamptz, updated_at = now() WHERE id = ANY(:timers::uuid[])),
s AS (INSERT INTO stage_transitions (tenant_id, complaint_id, from_stage, to_stage, reason, at, actor_id)
  SELECT :tenant, c.id, 'INTERNAL_DPO', 'REGULATOR', 'Complainant asked the regulator to look at the case', :ts, :actor FROM c)
INSERT INTO sla_timers (id, tenant_id, complaint_id, policy_id, kind, regime, stage, status, terms, started_at, due_at, warn_at, history)
SELECT :nt::uuid, :tenant, c.id, p.id, 'RESPOND', 'DPF', 'REGULATOR', 'RUNNING', :terms::jsonb, :ts, :due::timestamptz, :warn::timestamptz, '[]'
FROM c JOIN sla_policies p ON p.regime = 'DPF' AND p.stage = 'REGULATOR' AND p.kind = 'RESPOND' AND p.starts_on = 'STAGE_ENTERED' AND p.rights IS NULL;
`;

const ESCALATE_EVENTS = `INSERT INTO audit_events (id, tenant_id, complaint_id, chain_id, sequence, action, actor_id, actor_role, at, changes, request_id, prev_hash, hash)
SELECT e.id, :tenant, :cid::uuid, :cid, :hs::int + e.seq, e.action, :actor, 'DPO', :ts, e.changes, :rid, e.prev, e.hash
FROM (SELECT encode(sha256(convert_to(:hh || jsonb_set(:ch1::jsonb, '{timerId}', to_jsonb(:x1::text))::text, 'UTF8')), 'hex') AS h) h1
CROSS JOIN LATERAL (SELECT encode(sha256(convert_to(h1.h || jsonb_set(:ch1::jsonb, '{timerId}', to_jsonb(:x2::text))::text, 'UTF8')), 'hex') AS h) h2
CROSS JOIN LATERAL (SELECT encode(sha256(convert_to(h2.h || :ch2, 'UTF8')), 'hex') AS h) h3
CROSS JOIN LATERAL (SELECT encode(sha256(convert_to(h3.h || jsonb_set(:ch3::jsonb, '{timerId}', to_jsonb(:nt::text))::text, 'UTF8')), 'hex') AS h) h4
CROSS JOIN LATERAL (VALUES (:e1::uuid, 1, 'SLA_CANCELLED', jsonb_set(:ch1::jsonb, '{timerId}', to_jsonb(:x1::text)), :hh::text, h1.h),
  (:e2::uuid, 2, 'SLA_CANCELLED', jsonb_set(:ch1::jsonb, '{timerId}', to_jsonb(:x2::text)), h1.h, h2.h),
  (:e3::uuid, 3, 'STAGE_ESCALATED', :ch2::jsonb, h2.h, h3.h),
  (:e4::uuid, 4, 'SLA_STARTED', jsonb_set(:ch3::jsonb, '{timerId}', to_jsonb(:nt::text)), h3.h, h4.h)) e(id, seq, action, changes, prev, hash)
ORDER BY e.seq;
`;

const ESCALATE_JOBS = `SELECT (SELECT count(graphile_worker.remove_job('sla:' || x)) FROM unnest(:timers::uuid[]) x),
  graphile_worker.add_job('sla_timer', json_build_object('tenantId', :tenant::text, 'timerId', :nt::text), run_at := :warn::timestamptz,
    job_key := 'sla:' || :nt::text, max_attempts := 25, job_key_mode := 'replace'),
  (SELECT count(pg_notify('cms_audit', json_build_object('tenantId', :tenant::text, 'complaintId', :cid::text, 'eventId', e)::text))
     FROM unnest(ARRAY[:e1::text, :e2::text, :e3::text, :e4::text]) e);
END;
`;

/**
 * escalateComplaint's floor: client c escalates its tenant's complaints PC-<year>-<n> in
 * turn from n = :n + 1 (one tenant per client, so no two clients want the same case).
 */
export const ESCALATE_SCRIPT = `${ESCALATE_GATE}${ESCALATE_LOAD}${ESCALATE_ROWS}${ESCALATE_EVENTS}${ESCALATE_JOBS}`;

export interface PgbenchOptions {
  /** Owner connection string; the gate drops to cms_app. */
  url: string;
  script: string;
  clients: number;
  threads?: number;
  /** -T seconds, or -t transactions per client. */
  seconds?: number;
  transactionsPerClient?: number;
  variables: Record<string, string | number>;
  pgbench?: string;
  /** Names the run in `recordedFloors`, so that it can be run again from outside. */
  label?: string;
}

/** The floors run so far: script and pgbench arguments (the connection string left out). */
export const recordedFloors: { label: string; script: string; args: string[] }[] = [];

/** Runs pgbench with a custom script (extended protocol, like the app's pg driver). */
export async function runPgbench(options: PgbenchOptions): Promise<PgbenchRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cms-bench-'));
  const file = path.join(dir, 'floor.sql');
  writeFileSync(file, options.script);
  const args = ['-n', '-M', 'extended', '-c', String(options.clients), '-j', String(options.threads ?? Math.min(2, options.clients)), '-f', file];
  if (options.seconds !== undefined) args.push('-T', String(options.seconds));
  else args.push('-t', String(options.transactionsPerClient ?? 1));
  for (const [name, value] of Object.entries(options.variables)) args.push('-D', `${name}=${value}`);
  if (options.label) recordedFloors.push({ label: options.label, script: options.script, args: args.map((a) => (a === file ? `${options.label}.sql` : a)) });
  args.push(options.url);
  // Same startup options as the API's pool: role cms_app, the statement timeout.
  const env = { ...process.env, PGOPTIONS: '-c role=cms_app -c statement_timeout=15000', PGAPPNAME: 'complaint-cms-bench-floor' };
  try {
    const output = await new Promise<string>((resolve, reject) => {
      execFile(options.pgbench ?? process.env.PGBENCH ?? 'pgbench', args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`pgbench failed: ${lastLines(stderr || stdout || String(error))}`));
        else resolve(`${stdout}\n${stderr}`);
      });
    });
    return parsePgbench(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function parsePgbench(output: string): PgbenchRun {
  const tps = /tps = ([\d.]+) \((?:without|excluding)/.exec(output) ?? /tps = ([\d.]+)/.exec(output);
  const processed = /number of transactions actually processed: (\d+)/.exec(output);
  const failed = /number of failed transactions: (\d+)/.exec(output);
  const latency = /latency average = ([\d.]+) ms/.exec(output);
  if (!tps || !processed) throw new Error(`pgbench printed no tps: ${lastLines(output)}`);
  const errors = /client \d+ (?:script \d+ )?aborted[^\n]*|Run was aborted[^\n]*/.exec(output);
  if (errors) throw new Error(`pgbench: ${errors[0]} — ${lastLines(output)}`);
  return {
    tps: Number(tps[1]),
    transactions: Number(processed[1]),
    failed: failed ? Number(failed[1]) : 0,
    latencyMs: latency ? Number(latency[1]) : null,
  };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-6).join(' | ');
}
