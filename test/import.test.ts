import { Role } from '../src/auth/roles';
import { complaintInput } from './support/factories';
import { errorCode, startTestApp, TestApp } from './support/harness';

const IMPORT = `mutation Import($items: [ImportComplaintInput!]!) {
  importComplaints(items: $items) { index complaint { id reference receivedAt slaTimers { kind startedAt } } error { code message fields } }
}`;

let t: TestApp;
let agent: string;
beforeAll(async () => {
  t = await startTestApp();
  agent = await t.token(Role.AGENT);
});
afterAll(() => t.close());

async function counts() {
  const [row] = await t.sql(`SELECT (SELECT count(*) FROM complaints)::int AS complaints, (SELECT count(*) FROM audit_events)::int AS audit,
    (SELECT count(*) FROM sla_timers)::int AS timers, (SELECT count(*) FROM idempotency_keys)::int AS keys`);
  return row;
}

describe('importComplaints', () => {
  const receivedAt = '2026-01-05T09:00:00.000Z';
  const batch = [
    { idempotencyKey: 'crm-1001', complaint: complaintInput({ receivedAt }) },
    { idempotencyKey: 'crm-1002', complaint: complaintInput({ complainant: { email: 'not-an-address' } }) },
    { idempotencyKey: 'crm-1003', complaint: complaintInput({ jurisdiction: 'GB', summary: 'Erasure ignored', rights: ['ERASURE'] }) },
  ];

  test('files the valid items and reports the invalid one by index, naming its fields', async () => {
    const before = await counts();
    const res = await t.gql(agent, IMPORT, { items: batch });
    expect(res.errors).toBeUndefined();
    const results = res.data.importComplaints;
    expect(results.map((r: any) => r.index)).toEqual([0, 1, 2]);
    expect(results[0].error).toBeNull();
    expect(results[0].complaint.reference).toMatch(/^PC-\d{4}-\d{6}$/);
    expect(results[0].complaint.receivedAt).toBe(receivedAt);
    // Clocks run from the back-dated receipt, not from the import.
    expect(results[0].complaint.slaTimers.map((x: any) => x.startedAt)).toContain(receivedAt);
    expect(results[1]).toMatchObject({
      complaint: null,
      error: { code: 'BAD_USER_INPUT', fields: { 'items.1.complaint.complainant.email': 'must be an email address' } },
    });
    expect(results[2].error).toBeNull();
    const after = await counts();
    expect(after.complaints - before.complaints).toBe(2);
    const audited = await t.sql(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'COMPLAINT_FILED' AND complaint_id = ANY($1)`, [
      [results[0].complaint.id, results[2].complaint.id],
    ]);
    expect(audited[0].n).toBe(2);
  });

  test('importing the same batch again returns the same complaints and writes nothing', async () => {
    const first = (await t.gql(agent, IMPORT, { items: batch })).data.importComplaints;
    const before = await counts();
    const again = (await t.gql(agent, IMPORT, { items: batch })).data.importComplaints;
    expect(again.map((r: any) => r.complaint?.id ?? null)).toEqual(first.map((r: any) => r.complaint?.id ?? null));
    expect(again[0].complaint.id).toBeTruthy();
    expect(await counts()).toEqual(before);
  });

  test('shares the idempotency key space with fileComplaint: a key reused with another complaint fails that item only', async () => {
    const res = await t.gql(agent, IMPORT, {
      items: [
        { idempotencyKey: 'crm-1001', complaint: complaintInput({ summary: 'Something else' }) },
        { idempotencyKey: 'crm-2001', complaint: complaintInput() },
      ],
    });
    expect(res.data.importComplaints[0]).toMatchObject({ complaint: null, error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(res.data.importComplaints[1].complaint.id).toBeTruthy();
    const filed = await t.gql(agent, `mutation($input: FileComplaintInput!, $key: String) { fileComplaint(input: $input, idempotencyKey: $key) { id } }`, {
      input: complaintInput(),
      key: 'crm-2001',
    });
    expect(filed.data.fileComplaint.id).toBe(res.data.importComplaints[1].complaint.id);
  });

  test('a service rule refused by fileComplaint (an unknown assignee) names the item field', async () => {
    const res = await t.gql(await t.token(Role.DPO), IMPORT, { items: [{ idempotencyKey: 'crm-3001', complaint: complaintInput({ assigneeId: 'nobody' }) }] });
    expect(res.data.importComplaints[0].error.code).toBe('BAD_USER_INPUT');
    expect(Object.keys(res.data.importComplaints[0].error.fields)).toEqual(['items.0.complaint.assigneeId']);
  });

  test('an item refused after its key was claimed rolls back alone: the items around it get consecutive references, its key stays free', async () => {
    const token = await t.token(Role.DPO, { tid: 'import-rollback' });
    const items = [
      { idempotencyKey: 'rb-1', complaint: complaintInput() },
      { idempotencyKey: 'rb-2', complaint: complaintInput({ assigneeId: 'nobody-here' }) },
      { idempotencyKey: 'rb-3', complaint: complaintInput() },
    ];
    const first = (await t.gql(token, IMPORT, { items })).data.importComplaints;
    expect(first[1]).toMatchObject({ complaint: null, error: { code: 'BAD_USER_INPUT' } });
    expect([first[0], first[2]].map((r: any) => r.complaint.reference.slice(-6))).toEqual(['000001', '000002']);
    const keys = await t.sql(`SELECT key FROM idempotency_keys WHERE tenant_id = 'import-rollback' ORDER BY key`);
    expect(keys.map((k) => k.key)).toEqual(['rb-1', 'rb-3']);

    const fixed = (await t.gql(token, IMPORT, { items: [{ idempotencyKey: 'rb-2', complaint: complaintInput() }] })).data.importComplaints;
    expect(fixed[0].complaint.reference.slice(-6)).toBe('000003');
  });

  test('refuses more than 1,000 items with BAD_USER_INPUT naming items, and files none', async () => {
    const before = await counts();
    const items = Array.from({ length: 1001 }, (_, i) => ({ idempotencyKey: `bulk-${i}`, complaint: complaintInput() }));
    const res = await t.gql(agent, IMPORT, { items });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(Object.keys(res.errors![0].extensions.fields!)).toEqual(['items']);
    expect(await counts()).toEqual(before);
  });

  test('is refused to roles that may not file complaints', async () => {
    const res = await t.gql(await t.token(Role.ADMIN), IMPORT, { items: [batch[0]] });
    expect(errorCode(res)).toBe('FORBIDDEN');
  });
});
