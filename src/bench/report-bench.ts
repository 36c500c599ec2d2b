import 'reflect-metadata';
import { Client } from 'pg';
import { performance } from 'node:perf_hooks';
import { signDevToken } from '../auth/jwt';
import { Role } from '../auth/roles';
import { loadConfig } from '../config';
import { createDataSource } from '../db/data-source';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../db/embedded';
import { runMigrations } from '../db/migrate';
import { createApp } from '../http/app';
import { createLogger } from '../logger';
import { provisionActor } from '../services/provisioning.service';

/**
 * npm run bench:report — seeds COMPLAINTS complaints (default 1,000,000) with timers and
 * audit events for one tenant, then times complianceReport over one year and a filtered
 * complaints(first: 50) page through HTTP. Uses DATABASE_URL's server (a fresh database
 * `cms_bench`) or an embedded PostgreSQL under .data/bench.
 */
const COMPLAINTS = Number(process.env.BENCH_COMPLAINTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const TENANT = 'bench';
const SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';

function percentile(sorted: number[], p: number): number {
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (i - lo);
}

async function main(): Promise<void> {
  let embedded: EmbeddedDatabase | null = null;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres('.data/bench', 'postgres');
    adminUrl = embedded.url;
  }
  const url = new URL(adminUrl);
  url.pathname = '/cms_bench';
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS cms_bench WITH (FORCE)');
  await admin.query('CREATE DATABASE cms_bench');
  await admin.end();

  await runMigrations(url.toString());
  const dataSource = createDataSource(url.toString(), { poolSize: 10 });
  await dataSource.initialize();
  await provisionActor(dataSource, { sub: 'bench-dpo', tid: TENANT, roles: [Role.DPO], name: 'Bench DPO' });

  const db = new Client({ connectionString: url.toString() });
  await db.connect();
  const t0 = performance.now();
  await seed(db);
  const seedSeconds = (performance.now() - t0) / 1000;
  const [{ c, t, a }] = (
    await db.query(`SELECT (SELECT count(*) FROM complaints)::int c, (SELECT count(*) FROM sla_timers)::int t, (SELECT count(*) FROM audit_events)::int a`)
  ).rows;
  console.log(`seeded ${c} complaints, ${t} timers, ${a} audit events in ${seedSeconds.toFixed(1)} s`);

  const config = { ...loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, LOG_LEVEL: 'silent', DATABASE_URL: url.toString() }) };
  const app = await createApp({ config, dataSource, log: createLogger('silent') });
  await new Promise<void>((r) => app.httpServer.listen(0, '127.0.0.1', r));
  const port = (app.httpServer.address() as { port: number }).port;
  const token = await signDevToken(SECRET, { sub: 'bench-dpo', tid: TENANT, roles: [Role.DPO] });
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
  };
  const time = async (name: string, run: () => Promise<void>) => {
    await run(); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      await run();
      samples.push(performance.now() - s);
    }
    samples.sort((x, y) => x - y);
    console.log(`${name}: median ${percentile(samples, 0.5).toFixed(1)} ms, p95 ${percentile(samples, 0.95).toFixed(1)} ms (${RUNS} runs)`);
  };
  await time('complianceReport, one-year window', () =>
    gql(
      `query($from: DateTime!, $to: DateTime!) { complianceReport(from: $from, to: $to) {
      received resolved openAtEnd byStage { stage count } byRight { right count } byOutcome { outcome count } byRegime { regime count }
      sla { met breached running complianceRate byKind { kind met breached complianceRate } }
      medianDaysToResolution p90DaysToResolution escalationRate aging { label count } } }`,
      { from: '2025-11-28T00:00:00Z', to: '2026-11-28T00:00:00Z' },
    ),
  );
  await time('complaints(first: 50) filtered by status OPEN + regime CCPA, newest first', () =>
    gql(
      `query($f: ComplaintFilter) { complaints(first: 50, filter: $f) { totalCount edges { node { id reference stage status nextDueAt } } pageInfo { hasNextPage endCursor } } }`,
      {
        f: { status: ['OPEN'], regime: ['CCPA'] },
      },
    ),
  );
  await app.stop();
  await db.end();
  await dataSource.destroy();
  await embedded?.stop();
}

/**
 * Set-based seed in SQL: complaints spread over four years up to now, most older ones
 * resolved (as in a working team), 2 timers, 1-2 stage transitions and 2 audit events
 * each. Foreign-key triggers are off during the load when the server allows it.
 */
async function seed(db: Client): Promise<void> {
  await db.query(`SELECT set_config('app.tenant_id', $1, false)`, [TENANT]);
  await db.query(`SET synchronous_commit = off`);
  await db.query(`SET maintenance_work_mem = '256MB'`);
  await db.query(`SET session_replication_role = replica`).catch(() => undefined);
  await db.query(
    `
    INSERT INTO complaints (tenant_id, reference, stage, status, rights, data_context, processing_role, regimes, jurisdiction, channel,
      summary, description, complainant_name, complainant_email, received_at, resolved_at, closed_at, outcome, next_due_at, version)
    SELECT $1, 'PC-' || extract(year FROM ts)::int || '-' || lpad(g::text, 7, '0'), stage, status,
      CASE g % 4 WHEN 0 THEN ARRAY['ACCESS'] WHEN 1 THEN ARRAY['ERASURE','ACCESS'] WHEN 2 THEN ARRAY['DO_NOT_SELL'] ELSE ARRAY['COMPLAINT'] END,
      CASE WHEN g % 6 = 5 THEN 'EMPLOYMENT' ELSE 'CONSUMER' END, 'CONTROLLER',
      CASE g % 4 WHEN 0 THEN ARRAY['GDPR','DPF'] WHEN 1 THEN ARRAY['CCPA'] WHEN 2 THEN ARRAY['UK_GDPR','DPF'] ELSE ARRAY['OTHER'] END,
      (ARRAY['DE','US-CA','GB','JP'])[1 + g % 4], 'EMAIL', 'Seeded complaint ' || g, 'Seeded description', 'Person ' || g, 'p' || g || '@example.com',
      ts, CASE WHEN status IN ('RESOLVED', 'CLOSED') THEN ts + make_interval(days => 1 + g % 60) END,
      CASE WHEN status = 'CLOSED' THEN ts + make_interval(days => 2 + g % 60) END,
      CASE WHEN status IN ('RESOLVED', 'CLOSED') THEN (ARRAY['UPHELD','NOT_UPHELD','SETTLED','PARTIALLY_UPHELD'])[1 + g % 4] END,
      CASE WHEN status IN ('OPEN', 'AWAITING_COMPLAINANT') THEN ts + interval '30 days' END, 1
    FROM (SELECT g, ts,
            (ARRAY['INTERNAL_DPO','INTERNAL_DPO','INTERNAL_DPO','INDEPENDENT_ADR','REGULATOR','INTERNAL_DPO'])[1 + g % 6] AS stage,
            CASE WHEN ts > now() - interval '90 days' AND g % 5 <> 0 THEN (CASE WHEN g % 7 = 0 THEN 'AWAITING_COMPLAINANT' ELSE 'OPEN' END)
                 WHEN g % 50 = 0 THEN 'OPEN' WHEN g % 3 = 0 THEN 'CLOSED' ELSE 'RESOLVED' END AS status
          FROM (SELECT g, now() - make_interval(secs => (($2 - g) * (4 * 365 * 86400.0 / $2))) AS ts FROM generate_series(1, $2) g) a) s`,
    [TENANT, COMPLAINTS],
  );
  await db.query(`
    INSERT INTO sla_timers (tenant_id, complaint_id, complaint_received_at, kind, regime, stage, status, started_at, due_at, warn_at, met_at, breached_at)
    SELECT c.tenant_id, c.id, c.received_at, k.kind, c.regimes[1], 'INTERNAL_DPO', s.status, c.received_at, c.received_at + k.span, c.received_at + k.span * 0.8,
      CASE WHEN s.status = 'MET' THEN c.received_at + k.span / 2 END, CASE WHEN s.status = 'BREACHED' THEN c.received_at + k.span END
    FROM complaints c
    CROSS JOIN (VALUES ('ACKNOWLEDGE', interval '10 days'), ('RESPOND', interval '45 days')) k(kind, span)
    CROSS JOIN LATERAL (SELECT CASE WHEN c.received_at + k.span > now() AND c.resolved_at IS NULL THEN 'RUNNING'
                                    WHEN abs(hashtext(c.id::text || k.kind)) % 10 = 0 THEN 'BREACHED' ELSE 'MET' END AS status) s`);
  await db.query(`
    INSERT INTO stage_transitions (tenant_id, complaint_id, from_stage, to_stage, reason, at)
    SELECT tenant_id, id, NULL, 'INTERNAL_DPO', 'Complaint filed', received_at FROM complaints
    UNION ALL SELECT tenant_id, id, 'INTERNAL_DPO', stage, 'Escalated', received_at + interval '20 days' FROM complaints WHERE stage <> 'INTERNAL_DPO'`);
  await db.query(`
    INSERT INTO audit_events (tenant_id, complaint_id, chain_id, sequence, action, at, changes, prev_hash, hash)
    SELECT tenant_id, id, id::text, seq, CASE seq WHEN 1 THEN 'COMPLAINT_FILED' ELSE 'SLA_STARTED' END, received_at, '{}',
      CASE seq WHEN 2 THEN encode(sha256(convert_to(id::text || '1', 'UTF8')), 'hex') END,
      encode(sha256(convert_to(id::text || seq, 'UTF8')), 'hex')
    FROM complaints CROSS JOIN generate_series(1, 2) seq`);
  await db.query(`SET session_replication_role = origin`).catch(() => undefined);
  await db.query('VACUUM ANALYZE');
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
