import { Role } from '../src/auth/roles';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { startTestApp, TestApp } from './support/harness';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp();
  token = await t.token(Role.DPO);
  const agent = await t.token(Role.AGENT);
  await t.gql(agent, '{ me { tenantId } }');
  for (let batch = 0; batch < 10; batch++) {
    await Promise.all(Array.from({ length: 10 }, () => t.gql(token, FILE_COMPLAINT, { input: complaintInput({ assigneeId: 'acme-agent' }) })));
  }
  // Two notes and one timer per complaint, written directly: this test is about reading.
  await t.sql(`INSERT INTO notes (tenant_id, complaint_id, body, author_id) SELECT tenant_id, id, 'note', 'acme-dpo' FROM complaints, generate_series(1, 2)`);
  await t.sql(
    `INSERT INTO sla_timers (tenant_id, complaint_id, kind, regime, stage, status, started_at, due_at)
     SELECT tenant_id, id, 'RESPOND', 'GDPR', 'INTERNAL_DPO', 'RUNNING', received_at, received_at + interval '1 month' FROM complaints`,
  );
});
afterAll(() => t.close());

const PAGE = `query($first: Int) { complaints(first: $first) { edges { node {
  id assignee { id name } notes { id body author { id } } slaTimers { id kind status dueAt }
  stageHistory { from to actor { id } } } } } }`;

const BEGIN = /^(START TRANSACTION|BEGIN)\b/i;
const END = /^(COMMIT|ROLLBACK)\b/i;
const GATE = /cms_enter_tenant/;

/** The statements one request sent, as recorded with the backend (pid) that ran each. */
async function statementsOf(query: string, variables: Record<string, unknown>): Promise<{ sql: string; pid: number | null }[]> {
  await t.gql(token, '{ me { tenantId } }'); // keep provisioning out of the count
  t.queries.recorded = [];
  try {
    const res = await t.gql(token, query, variables);
    expect(res.errors).toBeUndefined();
    return t.queries.recorded;
  } finally {
    t.queries.recorded = null;
  }
}

async function pageStatements(first: number) {
  const statements = await statementsOf(PAGE, { first });
  return { statements, work: statements.filter((s) => !BEGIN.test(s.sql) && !END.test(s.sql) && !GATE.test(s.sql)) };
}

test('a page of 100 complaints with assignee, notes, timers and stage history costs the same few statements as a page of 5', async () => {
  const res = await t.gql(token, PAGE, { first: 100 });
  expect(res.data.complaints.edges).toHaveLength(100);
  expect(res.data.complaints.edges[0].node.notes).toHaveLength(2);
  expect(res.data.complaints.edges[0].node.notes[0].author.id).toBe('acme-dpo');
  expect(res.data.complaints.edges[0].node.assignee.id).toBe('acme-agent');
  expect(res.data.complaints.edges[0].node.stageHistory[0].to).toBe('INTERNAL_DPO');
  expect(res.data.complaints.edges[0].node.slaTimers.length).toBeGreaterThan(0);

  const small = await pageStatements(5);
  const large = await pageStatements(100);
  expect(large.work.length).toBe(small.work.length);
  // the page, users, notes (+ authors), timers, stage history (+ actors): no count unless asked
  expect(large.work.length).toBeLessThanOrEqual(6);
});

test('the whole page is read in one read-only transaction: one BEGIN, one backend, one snapshot', async () => {
  const { statements } = await pageStatements(100);
  const begins = statements.filter((s) => BEGIN.test(s.sql));
  expect(begins).toHaveLength(1);
  expect(begins[0].sql).toMatch(/REPEATABLE READ, READ ONLY/);
  expect(statements.filter((s) => END.test(s.sql))).toHaveLength(1);
  const inside = statements.slice(statements.findIndex((s) => BEGIN.test(s.sql)));
  expect(new Set(inside.map((s) => s.pid)).size).toBe(1);
  expect(inside[0].pid).not.toBeNull();
  // Every read between that BEGIN and COMMIT (authentication's purge gate may come before).
  const begin = statements.findIndex((s) => BEGIN.test(s.sql));
  const end = statements.findIndex((s) => END.test(s.sql));
  statements.forEach((s, i) => {
    if (!GATE.test(s.sql)) expect(i >= begin && i <= end).toBe(true);
  });
  expect(end).toBe(statements.length - 1);
});

test('totalCount is counted only when asked, in the same transaction', async () => {
  const without = await statementsOf('{ complaints(first: 10) { edges { node { id } } } }', {});
  const withCount = await statementsOf('{ complaints(first: 10) { totalCount edges { node { id } } } }', {});
  expect(withCount.length).toBe(without.length + 1);
  expect(withCount.some((s) => /count\(\*\)/.test(s.sql))).toBe(true);
  expect(without.some((s) => /count\(\*\)/.test(s.sql))).toBe(false);
  expect(new Set(withCount.map((s) => s.pid)).size).toBe(1);
  const res = await t.gql(token, '{ complaints(first: 10) { totalCount } }');
  expect(res.data.complaints.totalCount).toBe(100);
});

test('a query that fails part-way returns its connection: the pool serves many more requests than it has connections', async () => {
  const failing = '{ complaints(first: 5) { edges { node { id } } } complaint(id: "00000000-0000-4000-8000-000000000000") { id } }';
  for (let i = 0; i < 30; i++) {
    const res = await t.gql(token, failing);
    expect(res.errors?.[0].extensions.code).toBe('NOT_FOUND');
  }
  const pool = (t.dataSource.driver as unknown as { master: { totalCount: number; idleCount: number } }).master;
  expect(pool.totalCount).toBe(pool.idleCount);
  const ok = await t.gql(token, '{ complaints(first: 1) { totalCount } }');
  expect(ok.data.complaints.totalCount).toBe(100);
});

test('many concurrent pages on a pool of 20 connections all succeed and return every connection', async () => {
  const results = await Promise.all(Array.from({ length: 60 }, () => t.gql(token, PAGE, { first: 20 })));
  for (const res of results) {
    expect(res.errors).toBeUndefined();
    expect(res.data.complaints.edges).toHaveLength(20);
  }
  const pool = (t.dataSource.driver as unknown as { master: { totalCount: number; idleCount: number } }).master;
  expect(pool.totalCount).toBe(pool.idleCount);
});
