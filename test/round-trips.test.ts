import { Role } from '../src/auth/roles';
import { complaintInput } from './support/factories';
import { startTestApp, TestApp } from './support/harness';

/**
 * Issue 12: filing and escalating cost a few round trips, not one per row and event. The
 * statements are those the service sends (TypeORM's query log), counted per transaction:
 * BEGIN, COMMIT and the tenant gate (`SELECT cms_enter_tenant($1)`) are not counted.
 */
let t: TestApp;
let dpo: string;
let admin: string;
let statements: string[];

beforeAll(async () => {
  t = await startTestApp();
  dpo = await t.token(Role.DPO);
  admin = await t.token(Role.ADMIN);
  // Outbox rows count: an endpoint subscribed to both events makes each write them.
  const hook = await t.gql(admin, `mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`, {
    input: { url: 'http://127.0.0.1:9/hook', events: ['COMPLAINT_FILED', 'COMPLAINT_ESCALATED', 'SLA_BREACHED'] },
  });
  expect(hook.errors).toBeUndefined();
  await t.gql(dpo, '{ me { tenantId } }'); // provisioning out of the way
  // TypeORM hands its logger each statement's text: keep them besides counting.
  const count = t.queries.logQuery.bind(t.queries);
  (t.queries as unknown as { logQuery: (query: string) => void }).logQuery = (query: string) => {
    statements.push(query);
    count(query);
  };
});
afterAll(() => t.close());

const FILE = `mutation($input: FileComplaintInput!, $key: String) { fileComplaint(input: $input, idempotencyKey: $key) { id reference version stage } }`;
const ESCALATE = `mutation($id: ID!, $to: ComplaintStage!) { escalateComplaint(id: $id, to: $to, reason: "Referred to the FTC") { id stage status version } }`;

/** The statements of the one transaction among `log` that contains `marker`, BEGIN to COMMIT. */
function transactionWith(log: string[], marker: RegExp): string[] {
  const at = log.findIndex((q) => marker.test(q));
  expect(at).toBeGreaterThanOrEqual(0);
  const begin = log.lastIndexOf('START TRANSACTION', at);
  const commit = log.indexOf('COMMIT', at);
  expect(begin).toBeGreaterThanOrEqual(0);
  expect(commit).toBeGreaterThan(at);
  return log.slice(begin, commit + 1);
}

/** Round trips that count: everything but BEGIN, COMMIT and the tenant gate. */
function counted(tx: string[]): string[] {
  const kept = tx.filter((q) => q !== 'START TRANSACTION' && q !== 'COMMIT' && !/^SELECT cms_enter_tenant\(\$1\)/.test(q));
  console.log(`[round-trips] ${expect.getState().currentTestName}: ${kept.length} counted statements`);
  return kept;
}

async function run(query: string, variables: Record<string, unknown>) {
  statements = [];
  const res = await t.gql(dpo, query, variables);
  expect(res.errors).toBeUndefined();
  return { res, log: statements };
}

async function trail(id: string) {
  const res = await t.gql(
    dpo,
    `query($id: ID!) { complaint(id: $id) { slaTimers { kind status } auditTrail(first: 100) { edges { node { sequence action } } } }
       verifyAuditTrail(complaintId: $id) { valid eventsChecked } }`,
    { id },
  );
  expect(res.errors).toBeUndefined();
  return res.data;
}

/** The counter is taken last: after it only the one batched write (its audit events hashed with the reference), then COMMIT. */
function expectCounterLast(tx: string[]) {
  const counter = tx.findIndex((q) => q.includes('reference_counters'));
  expect(counter).toBeGreaterThan(0);
  expect(tx.slice(counter + 1)).toHaveLength(2);
  expect(tx[counter + 1]).toMatch(/INSERT INTO audit_events/);
  expect(tx[counter + 2]).toBe('COMMIT');
}

test('filing a DE case with the child flag (four events, two timers, an outbox row, two jobs) takes at most 8 round trips, the counter last', async () => {
  const { res, log } = await run(FILE, { input: complaintInput({ complainant: { name: 'Kim Child', involvesChildUnder13: true } }), key: 'rt-1' });
  const tx = transactionWith(log, /reference_counters/);
  expect(counted(tx).length).toBeLessThanOrEqual(8);
  expectCounterLast(tx);

  const id = res.data.fileComplaint.id;
  const { complaint, verifyAuditTrail } = await trail(id);
  expect(complaint.auditTrail.edges.map((e: any) => e.node.action)).toEqual(['COMPLAINT_FILED', 'CHILD_DATA_FLAGGED', 'SLA_STARTED', 'SLA_STARTED']);
  expect(complaint.slaTimers).toHaveLength(2);
  expect(verifyAuditTrail).toEqual({ valid: true, eventsChecked: 4 });
  const [delivery] = await t.sql(`SELECT payload FROM webhook_deliveries WHERE payload->'data'->>'complaintId' = $1`, [id]);
  expect(delivery.payload).toMatchObject({ type: 'complaint.filed', data: { reference: res.data.fileComplaint.reference, stage: 'INTERNAL_DPO' } });
  const timers = await t.sql(`SELECT 'sla:' || id AS key FROM sla_timers WHERE complaint_id = $1`, [id]);
  const jobs = await t.sql(`SELECT key FROM graphile_worker.jobs WHERE key = ANY($1)`, [timers.map((r) => r.key)]);
  expect(jobs).toHaveLength(2);

  // The same key and input again: the first complaint, nothing written.
  const again = await run(FILE, { input: complaintInput({ complainant: { name: 'Kim Child', involvesChildUnder13: true } }), key: 'rt-1' });
  expect(again.res.data.fileComplaint).toEqual(res.data.fileComplaint);
  expect(again.log.some((q) => q.includes('reference_counters'))).toBe(false);
});

test('a regulator referral with a deadline already past (timer started and breached at once) takes at most 8 round trips, the counter last', async () => {
  const { res, log } = await run(FILE, {
    input: complaintInput({
      channel: 'REGULATOR_REFERRAL',
      regulatorReferral: { regulator: 'FTC', reference: 'FTC-1', respondBy: new Date(Date.now() - 60_000).toISOString() },
    }),
  });
  const tx = transactionWith(log, /reference_counters/);
  expect(counted(tx).length).toBeLessThanOrEqual(8);
  expectCounterLast(tx);

  const { complaint, verifyAuditTrail } = await trail(res.data.fileComplaint.id);
  expect(res.data.fileComplaint.stage).toBe('REGULATOR');
  expect(complaint.auditTrail.edges.map((e: any) => e.node.action)).toEqual(['COMPLAINT_FILED', 'SLA_STARTED', 'SLA_STARTED', 'SLA_BREACHED']);
  expect(complaint.slaTimers).toEqual(expect.arrayContaining([{ kind: 'REGULATOR_DEADLINE', status: 'BREACHED' }]));
  expect(verifyAuditTrail).toEqual({ valid: true, eventsChecked: 4 });
});

test('escalating (two clocks cancelled, one started, outbox rows) takes at most 8 round trips', async () => {
  const filed = await t.gql(dpo, FILE, { input: complaintInput() });
  const id = filed.data.fileComplaint.id;
  const { res, log } = await run(ESCALATE, { id, to: 'REGULATOR' });
  expect(res.data.escalateComplaint).toEqual({ id, stage: 'REGULATOR', status: 'OPEN', version: 2 });
  const tx = transactionWith(log, /FOR UPDATE/);
  expect(counted(tx).length).toBeLessThanOrEqual(8);

  const { complaint, verifyAuditTrail } = await trail(id);
  expect(complaint.auditTrail.edges.map((e: any) => e.node.action)).toEqual([
    'COMPLAINT_FILED',
    'SLA_STARTED',
    'SLA_STARTED',
    'SLA_CANCELLED',
    'SLA_CANCELLED',
    'STAGE_ESCALATED',
    'SLA_STARTED',
  ]);
  expect(verifyAuditTrail).toEqual({ valid: true, eventsChecked: 7 });
  const deliveries = await t.sql(`SELECT event FROM webhook_deliveries WHERE payload->'data'->>'complaintId' = $1 ORDER BY created_at, event`, [id]);
  expect(deliveries.map((d) => d.event).sort()).toEqual(['COMPLAINT_ESCALATED', 'COMPLAINT_FILED']);
});

test('16 concurrent filers on one tenant: references 1..N without gaps, every chain verifies', async () => {
  const token = await t.token(Role.AGENT, { tid: 'busy' });
  await t.gql(token, '{ me { tenantId } }');
  const results = await Promise.all(Array.from({ length: 16 }, () => t.gql(token, FILE, { input: complaintInput() })));
  for (const r of results) expect(r.errors).toBeUndefined();
  const numbers = results.map((r) => Number(r.data.fileComplaint.reference.slice(-6))).sort((a, b) => a - b);
  expect(numbers).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  const reader = await t.token(Role.DPO, { tid: 'busy' });
  for (const r of results) {
    const v = await t.gql(reader, `query($id: ID!) { verifyAuditTrail(complaintId: $id) { valid eventsChecked } }`, { id: r.data.fileComplaint.id });
    expect(v.data.verifyAuditTrail).toEqual({ valid: true, eventsChecked: 3 });
  }
});
