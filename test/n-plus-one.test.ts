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

async function statementsFor(first: number): Promise<number> {
  await t.gql(token, '{ me { tenantId } }'); // keep provisioning out of the count
  const before = t.queries.count;
  const res = await t.gql(token, PAGE, { first });
  expect(res.errors).toBeUndefined();
  expect(res.data.complaints.edges).toHaveLength(first);
  expect(res.data.complaints.edges[0].node.notes).toHaveLength(2);
  expect(res.data.complaints.edges[0].node.assignee.id).toBe('acme-agent');
  return t.queries.count - before;
}

test('a page of 100 complaints with assignee, notes, timers and stage history costs the same few statements as a page of 5', async () => {
  const small = await statementsFor(5);
  const large = await statementsFor(100);
  expect(large).toBe(small);
  // list + count, then one batched query per nested list and one for users, each in its own short transaction
  expect(large).toBeLessThanOrEqual(30);
});
