import { Client } from 'pg';
import { Role } from '../src/auth/roles';
import { RequestContext } from '../src/context';
import type { RecordedStatement } from '../src/db/data-source';
import { createLogger } from '../src/logger';
import { fireDueTimers } from '../src/services/sla-batch';
import { startSlaWorker } from '../src/worker/sla-worker';
import { complaintInput } from './support/factories';
import { startTestApp, TestApp } from './support/harness';

/**
 * The breach batch (issue 12): many clocks falling due at once are fired a tenant's cases at
 * a time, in one transaction of a few statements, with what the per-timer path records —
 * one SLA_BREACHED at dueAt per clock, chains that verify, jobs gone — and never twice,
 * however many workers race.
 */

const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
const FILE = `mutation ($input: FileComplaintInput!) { fileComplaint(input: $input) { id slaTimers { id kind status dueAt warnAt } } }`;
const GET = `query ($id: ID!) { complaint(id: $id) { id nextDueAt slaTimers { id kind status dueAt breachedAt } } }`;
const TRAIL = `query ($id: ID!) { auditTrail(complaintId: $id, first: 100) { edges { node { sequence action actor { id } at changes } } } }`;
const VERIFY = `query ($id: ID!) { verifyAuditTrail(complaintId: $id) { valid eventsChecked brokenAtSequence } }`;
const log = createLogger('silent');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function file(token: string, input: Record<string, unknown>): Promise<any> {
  const res = await t.gql(token, FILE, { input: complaintInput(input) });
  expect(res.errors).toBeUndefined();
  return res.data.fileComplaint;
}

async function fileMany(token: string, n: number, input: Record<string, unknown>): Promise<any[]> {
  const out: any[] = [];
  for (let i = 0; i < n; i += 10) out.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => file(token, input)))));
  return out;
}

test('300 clocks of 3 tenants due at once: two workers breach each exactly once at its dueAt, in a few batched transactions, and every chain verifies', async () => {
  const tenants = ['batch-a', 'batch-b', 'batch-c'];
  const tokens = await Promise.all(tenants.map((tid) => t.token(Role.DPO, { tid, tz: 'UTC' })));
  // CCPA cases received 50 days ago: ACKNOWLEDGE (10 business days) and RESPOND (45 days) both due.
  const filed = await Promise.all(tokens.map((token) => fileMany(token, 50, { jurisdiction: 'US-CA', receivedAt: daysAgo(50) })));
  const timerIds = filed.flat().flatMap((c) => c.slaTimers.map((x: any) => x.id));
  expect(timerIds).toHaveLength(300);
  expect(filed.flat().every((c) => c.slaTimers.every((x: any) => x.status === 'RUNNING'))).toBe(true);

  const workers = await Promise.all([1, 2].map(() => startSlaWorker(t.dataSource, t.databaseUrl, log, { pollInterval: 100 })));
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM sla_timers WHERE id = ANY($1) AND status = 'BREACHED'`, [timerIds]);
      if (n === 300 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }

  for (const [i, token] of tokens.entries()) {
    for (const c of filed[i]) {
      const after = (await t.gql(token, GET, { id: c.id })).data.complaint;
      expect(after.slaTimers.map((x: any) => x.status)).toEqual(['BREACHED', 'BREACHED']);
      for (const timer of after.slaTimers) expect(timer.breachedAt).toBe(timer.dueAt);
      expect(after.nextDueAt).toBeNull();
    }
    // Spot-check what a DPO sees on the trail: one system SLA_BREACHED per clock, then the chain verifies.
    for (const c of filed[i].slice(0, 5)) {
      const trail = (await t.gql(token, TRAIL, { id: c.id })).data.auditTrail.edges.map((e: any) => e.node);
      const breaches = trail.filter((e: any) => e.action === 'SLA_BREACHED');
      expect(breaches.map((e: any) => e.changes.timerId).sort()).toEqual(c.slaTimers.map((x: any) => x.id).sort());
      expect(breaches.every((e: any) => e.actor === null)).toBe(true);
      expect((await t.gql(token, VERIFY, { id: c.id })).data.verifyAuditTrail).toMatchObject({ valid: true, brokenAtSequence: null });
    }
  }
  // Exactly once each, and in batches: the events of a transaction share its request id.
  const [{ events, timers, transactions }] = await t.sql(
    `SELECT count(*)::int AS events, count(DISTINCT changes->>'timerId')::int AS timers, count(DISTINCT request_id)::int AS transactions
     FROM audit_events WHERE action = 'SLA_BREACHED' AND tenant_id = ANY($1)`,
    [tenants],
  );
  expect({ events, timers }).toEqual({ events: 300, timers: 300 });
  expect(transactions).toBeLessThanOrEqual(30);
  // No job is left for a breached clock.
  const keys = timerIds.map((id) => `sla:${id}`);
  expect(await t.sql(`SELECT key FROM graphile_worker._private_jobs WHERE key = ANY($1)`, [keys])).toEqual([]);
  // Every chain of the three tenants verifies in the database's own terms too: gap-free sequences.
  const [{ gaps }] = await t.sql(
    `SELECT count(*)::int AS gaps FROM (SELECT sequence, row_number() OVER (PARTITION BY chain_id ORDER BY sequence) AS n FROM audit_events WHERE tenant_id = ANY($1)) s WHERE sequence <> n`,
    [tenants],
  );
  expect(gaps).toBe(0);
}, 180_000);

test('one batch of 40 cases is six statements (BEGIN, the tenant gate, the lock, the timers, the write, COMMIT), however many clocks it fires', async () => {
  const token = await t.token(Role.DPO, { tid: 'batch-count', tz: 'UTC' });
  const cases = await fileMany(token, 40, { jurisdiction: 'US-CA', receivedAt: daysAgo(50) });
  const recorded: RecordedStatement[] = [];
  t.queries.recorded = recorded;
  const result = await fireDueTimers(RequestContext.system(t.dataSource, 'batch-count', 'batch-count-test', log)).finally(() => {
    t.queries.recorded = null;
  });
  const statements = recorded.map((s) => s.sql);
  expect(result).toMatchObject({ cases: 40, breached: 80, warned: 0 });
  expect([...result.timerIds].sort()).toEqual(cases.flatMap((c) => c.slaTimers.map((x: any) => x.id)).sort());
  expect(statements).toHaveLength(6);
  expect(statements[0]).toMatch(/^START TRANSACTION|^BEGIN/);
  expect(statements[5]).toBe('COMMIT');
  const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM sla_timers WHERE complaint_id = ANY($1) AND status = 'BREACHED'`, [cases.map((c) => c.id)]);
  expect(n).toBe(80);
  // Nothing left due: the next run locks nothing.
  expect(await fireDueTimers(RequestContext.system(t.dataSource, 'batch-count', 'batch-count-again', log))).toEqual({
    cases: 0,
    breached: 0,
    warned: 0,
    timerIds: [],
  });
}, 120_000);

test('a clock past its warning instant but not due gets one SLA_WARNING, and its job moves to its dueAt', async () => {
  const token = await t.token(Role.DPO, { tid: 'batch-warn', tz: 'UTC' });
  // GDPR: RESPOND one month; received 27 days ago it is past its 80 % warning, not due.
  const c = await file(token, { jurisdiction: 'DE', receivedAt: daysAgo(27) });
  const warned = c.slaTimers.filter((x: any) => x.warnAt && Date.parse(x.warnAt) <= Date.now() && Date.parse(x.dueAt) > Date.now());
  expect(warned.length).toBeGreaterThan(0);
  const result = await fireDueTimers(RequestContext.system(t.dataSource, 'batch-warn', 'batch-warn-test', log));
  expect(result.warned).toBe(warned.length);
  expect(result.breached).toBe(c.slaTimers.filter((x: any) => Date.parse(x.dueAt) <= Date.now()).length);

  const trail = (await t.gql(token, TRAIL, { id: c.id })).data.auditTrail.edges.map((e: any) => e.node);
  const warnings = trail.filter((e: any) => e.action === 'SLA_WARNING');
  expect(warnings.map((e: any) => e.changes.timerId).sort()).toEqual(warned.map((x: any) => x.id).sort());
  for (const w of warnings) expect(w.changes.dueAt).toBe(warned.find((x: any) => x.id === w.changes.timerId).dueAt);
  for (const timer of warned) {
    const [job] = await t.sql(`SELECT run_at FROM graphile_worker._private_jobs WHERE key = $1`, [`sla:${timer.id}`]);
    expect(job.run_at.toISOString()).toBe(timer.dueAt);
  }
  expect((await t.gql(token, VERIFY, { id: c.id })).data.verifyAuditTrail.valid).toBe(true);
  // Warned once: a second run finds nothing to do.
  expect(await fireDueTimers(RequestContext.system(t.dataSource, 'batch-warn', 'batch-warn-again', log))).toEqual({
    cases: 0,
    breached: 0,
    warned: 0,
    timerIds: [],
  });
}, 60_000);

test('a case a mutation holds is left by the batch, and breached by its own job once the mutation commits', async () => {
  const token = await t.token(Role.DPO, { tid: 'batch-held', tz: 'UTC' });
  const [held, free] = await fileMany(token, 2, { jurisdiction: 'US-CA', receivedAt: daysAgo(50) });
  const locker = new Client({ connectionString: t.databaseUrl });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM complaints WHERE id = $1 FOR UPDATE', [held.id]);
    const result = await fireDueTimers(RequestContext.system(t.dataSource, 'batch-held', 'batch-held-test', log));
    expect(result).toMatchObject({ cases: 1, breached: 2, warned: 0 });
    expect([...result.timerIds].sort()).toEqual(free.slaTimers.map((x: any) => x.id).sort());
    await locker.query('COMMIT');
  } finally {
    await locker.end();
  }
  const statuses = async (id: string) => ((await t.gql(token, GET, { id })).data.complaint.slaTimers as any[]).map((x) => x.status);
  expect(await statuses(free.id)).toEqual(['BREACHED', 'BREACHED']);
  expect(await statuses(held.id)).toEqual(['RUNNING', 'RUNNING']);
  // Its jobs are still there; a worker runs them.
  const worker = await startSlaWorker(t.dataSource, t.databaseUrl, log, { pollInterval: 100 });
  try {
    const deadline = Date.now() + 30_000;
    while ((await statuses(held.id)).some((s) => s !== 'BREACHED') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  } finally {
    await worker.stop();
  }
  expect(await statuses(held.id)).toEqual(['BREACHED', 'BREACHED']);
  expect((await t.gql(token, VERIFY, { id: held.id })).data.verifyAuditTrail.valid).toBe(true);
}, 60_000);
