import { Role } from '../src/auth/roles';
import { COMPLAINT_FIELDS, complaintInput, FILE_COMPLAINT } from './support/factories';
import { errorCode, startTestApp, TestApp } from './support/harness';

let t: TestApp;
let agent: string;
let dpo: string;
beforeAll(async () => {
  t = await startTestApp();
  agent = await t.token(Role.AGENT);
  dpo = await t.token(Role.DPO);
});
afterAll(() => t.close());

async function file(input: Record<string, unknown>, token = agent, key?: string) {
  return t.gql(token, FILE_COMPLAINT, { input, key });
}

async function countComplaints(): Promise<number> {
  const [row] = await t.sql('SELECT count(*)::int AS n FROM complaints');
  return row.n;
}

describe('filing a complaint', () => {
  test('starts at INTERNAL_DPO, OPEN, with a PC-<year>-<6 digits> reference and derived regimes', async () => {
    const res = await file(complaintInput({ complainant: { name: 'Eva Example', email: 'eva@example.com', phone: '+49 30 1234567' } }));
    expect(res.errors).toBeUndefined();
    const c = res.data.fileComplaint;
    expect(c).toMatchObject({
      stage: 'INTERNAL_DPO',
      status: 'OPEN',
      regimes: ['GDPR', 'DPF'],
      dataContext: 'CONSUMER',
      processingRole: 'CONTROLLER',
      jurisdiction: 'DE',
      version: 1,
      complainant: { name: 'Eva Example', email: 'eva@example.com', phone: '+49 30 1234567', involvesChildUnder13: false, erasedAt: null },
      stageHistory: [{ from: null, to: 'INTERNAL_DPO', reason: 'Complaint filed', actor: { id: 'acme-agent' } }],
    });
    expect(c.reference).toMatch(new RegExp(`^PC-${new Date().getUTCFullYear()}-\\d{6}$`));
  });

  test.each([
    ['FR', false, ['GDPR', 'DPF']],
    ['NO', false, ['GDPR', 'DPF']],
    ['DE-BY', false, ['GDPR', 'DPF']],
    ['GB', false, ['UK_GDPR', 'DPF']],
    ['CH', false, ['SWISS_FADP', 'DPF']],
    ['US-CA', false, ['CCPA']],
    ['US-CA', true, ['CCPA', 'COPPA']],
    ['US-NY', true, ['COPPA']],
    ['US', false, ['OTHER']],
    ['JP', false, ['OTHER']],
  ])('derives regimes for %s (child: %s) as %j', async (jurisdiction, child, regimes) => {
    const res = await file(complaintInput({ jurisdiction, complainant: { involvesChildUnder13: child } }));
    expect(res.errors).toBeUndefined();
    expect(res.data.fileComplaint.regimes).toEqual(regimes);
  });

  test('keeps regimes the agent names instead of deriving them', async () => {
    const res = await file(complaintInput({ jurisdiction: 'DE', regimes: ['GDPR'] }));
    expect(res.data.fileComplaint.regimes).toEqual(['GDPR']);
  });

  test('accepts a back-dated receivedAt and an assignee the DPO names', async () => {
    const receivedAt = '2026-01-15T09:30:00.000Z';
    await t.gql(agent, '{ me { user { id } } }'); // provisions the agent
    const res = await file(complaintInput({ receivedAt, assigneeId: 'acme-agent' }), dpo);
    expect(res.errors).toBeUndefined();
    expect(res.data.fileComplaint).toMatchObject({ receivedAt, assignee: { id: 'acme-agent', name: 'AGENT of acme' } });
  });
});

describe('reading complaints back', () => {
  let filed: any;
  beforeAll(async () => {
    filed = (await file(complaintInput({ summary: 'Findable summary Zebra', complainant: { name: 'Quentin Query', email: 'quentin@example.org' } }))).data
      .fileComplaint;
  });

  test('by id and by reference, identical to what filing returned', async () => {
    const byId = await t.gql(agent, `query($id: ID!) { complaint(id: $id) { ${COMPLAINT_FIELDS} } }`, { id: filed.id });
    const byRef = await t.gql(agent, `query($r: String!) { complaintByReference(reference: $r) { ${COMPLAINT_FIELDS} } }`, { r: filed.reference });
    expect(byId.data.complaint).toEqual(filed);
    expect(byRef.data.complaintByReference).toEqual(filed);
  });

  test('an unknown id or reference is NOT_FOUND', async () => {
    const missing = await t.gql(agent, '{ complaint(id: "00000000-0000-4000-8000-000000000000") { id } }');
    const notUuid = await t.gql(agent, '{ complaint(id: "PC-1") { id } }');
    const ref = await t.gql(agent, '{ complaintByReference(reference: "PC-1999-000001") { id } }');
    expect([errorCode(missing), errorCode(notUuid), errorCode(ref)]).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
  });

  test('by search on reference, summary, complainant name and email', async () => {
    for (const search of [filed.reference, 'zebra', 'Quentin', 'quentin@example']) {
      const res = await t.gql(agent, `query($s: String) { complaints(filter: { search: $s }) { totalCount edges { node { id } } } }`, { s: search });
      expect(res.data.complaints.edges.map((e: any) => e.node.id)).toEqual([filed.id]);
    }
  });
});

describe('listing with filters, order and cursor pagination', () => {
  let t2: TestApp;
  let token: string;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    t2 = await startTestApp();
    token = await t2.token(Role.DPO, { sub: 'dpo-1' });
    const agentToken = await t2.token(Role.AGENT, { sub: 'agent-7' });
    await t2.gql(agentToken, '{ me { tenantId } }');
    // No clocks in this tenant: the due dates below are set by hand (SLA clocks: test/sla-*.test.ts).
    await t2.sql(`DELETE FROM sla_policies WHERE tenant_id = 'acme'`);
    const specs: [string, Record<string, unknown>][] = [
      ['de', { jurisdiction: 'DE', rights: ['ACCESS'], receivedAt: '2026-03-01T10:00:00Z' }],
      ['gb', { jurisdiction: 'GB', rights: ['ERASURE'], receivedAt: '2026-04-01T10:00:00Z', assigneeId: 'agent-7' }],
      ['ca', { jurisdiction: 'US-CA', rights: ['DO_NOT_SELL', 'ACCESS'], receivedAt: '2026-05-01T10:00:00Z' }],
      ['jp', { jurisdiction: 'JP', rights: ['COMPLAINT'], receivedAt: '2026-06-01T10:00:00Z', channel: 'POST' }],
    ];
    for (const [name, spec] of specs) {
      const res = await t2.gql(token, FILE_COMPLAINT, { input: complaintInput(spec) });
      ids[name] = res.data.fileComplaint.id;
    }
    // One complaint with a breached clock and one with a due date, set directly in the database.
    await t2.sql(
      `INSERT INTO sla_timers (tenant_id, complaint_id, kind, regime, stage, status, started_at, due_at, breached_at)
       VALUES ('acme', $1, 'RESPOND', 'GDPR', 'INTERNAL_DPO', 'BREACHED', '2026-03-01T10:00:00Z', '2026-04-01T10:00:00Z', '2026-04-01T10:00:00Z')`,
      [ids.de],
    );
    await t2.sql(`UPDATE complaints SET next_due_at = '2026-07-01T00:00:00Z' WHERE id = $1`, [ids.gb]);
    await t2.sql(`UPDATE complaints SET next_due_at = '2026-06-15T00:00:00Z' WHERE id = $1`, [ids.ca]);
  });
  afterAll(() => t2.close());

  async function list(filter: Record<string, unknown>, extra = '') {
    const res = await t2.gql(token, `query($f: ComplaintFilter) { complaints(filter: $f ${extra}) { totalCount edges { node { id } } } }`, { f: filter });
    expect(res.errors).toBeUndefined();
    return { ids: res.data.complaints.edges.map((e: any) => e.node.id), total: res.data.complaints.totalCount };
  }

  test.each([
    ['stage', { stage: ['INTERNAL_DPO'] }, ['jp', 'ca', 'gb', 'de']],
    ['stage (none match)', { stage: ['REGULATOR'] }, []],
    ['status', { status: ['OPEN'] }, ['jp', 'ca', 'gb', 'de']],
    ['regime', { regime: ['UK_GDPR', 'CCPA'] }, ['ca', 'gb']],
    ['right', { right: ['ACCESS'] }, ['ca', 'de']],
    ['assigneeId', { assigneeId: 'agent-7' }, ['gb']],
    ['breached: true', { breached: true }, ['de']],
    ['breached: false', { breached: false }, ['jp', 'ca', 'gb']],
    ['dueBefore', { dueBefore: '2026-06-20T00:00:00Z' }, ['ca']],
    ['receivedFrom/receivedTo (inclusive)', { receivedFrom: '2026-04-01T10:00:00Z', receivedTo: '2026-05-01T10:00:00Z' }, ['ca', 'gb']],
    ['combined', { regime: ['GDPR'], right: ['ACCESS'], status: ['OPEN'] }, ['de']],
  ])('filters by %s', async (_name, filter, expected) => {
    const res = await list(filter);
    expect(res.ids).toEqual(expected.map((n) => ids[n]));
    expect(res.total).toBe(expected.length);
  });

  test('orders by receivedAt, nextDueAt (no clock last) and updatedAt in both directions', async () => {
    expect((await list({}, ', orderBy: { field: RECEIVED_AT, direction: ASC }')).ids).toEqual(['de', 'gb', 'ca', 'jp'].map((n) => ids[n]));
    expect((await list({}, ', orderBy: { field: NEXT_DUE_AT, direction: ASC }')).ids.slice(0, 2)).toEqual([ids.ca, ids.gb]);
    expect((await list({}, ', orderBy: { field: NEXT_DUE_AT, direction: DESC }')).ids.slice(2)).toEqual([ids.gb, ids.ca]);
    expect((await list({}, ', orderBy: { field: UPDATED_AT, direction: DESC }')).ids[0]).toBe(ids.jp);
  });

  test('pages with first/after through every complaint exactly once, for each order', async () => {
    for (const field of ['RECEIVED_AT', 'NEXT_DUE_AT', 'UPDATED_AT']) {
      for (const direction of ['ASC', 'DESC']) {
        const seen: string[] = [];
        let after: string | null = null;
        for (let page = 0; page < 10; page++) {
          const res: any = await t2.gql(
            token,
            `query($after: String) { complaints(first: 3, after: $after, orderBy: { field: ${field}, direction: ${direction} }) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
            { after },
          );
          const conn = res.data.complaints;
          expect(conn.totalCount).toBe(4);
          seen.push(...conn.edges.map((e: any) => e.node.id));
          if (!conn.pageInfo.hasNextPage) break;
          after = conn.pageInfo.endCursor;
        }
        expect(seen.sort()).toEqual(Object.values(ids).sort());
      }
    }
  });

  test('refuses first above 100 and a cursor it did not issue', async () => {
    const tooMany = await t2.gql(token, '{ complaints(first: 101) { totalCount } }');
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0].extensions.fields).toHaveProperty('first');
    const forged = await t2.gql(token, '{ complaints(after: "bm90LWEtY3Vyc29y") { totalCount } }');
    expect(errorCode(forged)).toBe('BAD_USER_INPUT');
    expect(forged.errors![0].extensions.fields).toHaveProperty('after');
  });
});

describe('references under concurrency', () => {
  test('20 concurrent filings get references 1..20 of a fresh tenant, no gaps, no duplicates', async () => {
    const token = await t.token(Role.AGENT, { tid: 'concurrent' });
    await t.gql(token, '{ me { tenantId } }');
    const results = await Promise.all(Array.from({ length: 20 }, () => file(complaintInput(), token)));
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const numbers = results.map((r) => Number(r.data.fileComplaint.reference.split('-')[2])).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

describe('validation', () => {
  test.each([
    ['input.complainant.name', { complainant: { name: '   ' } }],
    ['input.complainant.name', { complainant: { name: 'x'.repeat(201) } }],
    ['input.complainant.email', { complainant: { email: 'not-an-email' } }],
    ['input.complainant.email', { complainant: { email: null, phone: null } }],
    ['input.complainant.phone', { complainant: { phone: 'call me maybe' } }],
    ['input.jurisdiction', { jurisdiction: 'XX' }],
    ['input.jurisdiction', { jurisdiction: 'US-ZZ' }],
    ['input.rights', { rights: [] }],
    ['input.rights', { rights: ['ACCESS', 'ACCESS'] }],
    ['input.regimes', { regimes: [] }],
    ['input.summary', { summary: '' }],
    ['input.summary', { summary: 'x'.repeat(301) }],
    ['input.description', { description: 'x'.repeat(20001) }],
    ['input.receivedAt', { receivedAt: new Date(Date.now() + 3_600_000).toISOString() }],
    ['input.receivedAt', { receivedAt: '1999-12-31T00:00:00Z' }],
    ['input.assigneeId', { assigneeId: 'nobody-here' }],
  ])('rejects a bad %s with BAD_USER_INPUT naming the field, writing nothing', async (field, overrides) => {
    const before = await countComplaints();
    const res = await file(complaintInput(overrides), dpo);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(Object.keys(res.errors![0].extensions.fields!)).toContain(field);
    expect(await countComplaints()).toBe(before);
  });

  test('an unknown enum value or missing required field is refused before any write', async () => {
    const before = await countComplaints();
    const res = await file({ ...complaintInput(), channel: 'PIGEON' });
    expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(await countComplaints()).toBe(before);
  });

  test("another tenant's user is no assignee: filing, importing and assigning refuse the id as input, writing nothing", async () => {
    const globex = await t.token(Role.DPO, { tid: 'globex' });
    expect((await t.gql(globex, '{ me { user { id } } }')).data.me.user.id).toBe('globex-dpo');
    const before = await countComplaints();
    const filed = await file(complaintInput({ assigneeId: 'globex-dpo' }), dpo);
    expect(errorCode(filed)).toBe('BAD_USER_INPUT');
    expect(Object.keys(filed.errors![0].extensions.fields!)).toContain('input.assigneeId');
    const imported = await t.gql(
      dpo,
      `mutation($items: [ImportComplaintInput!]!) { importComplaints(items: $items) { index complaint { id } error { code fields } } }`,
      { items: [{ idempotencyKey: `cross-tenant-${Date.now()}`, complaint: complaintInput({ assigneeId: 'globex-dpo' }) }] },
    );
    expect(imported.errors).toBeUndefined();
    expect(imported.data.importComplaints[0].complaint).toBeNull();
    expect(imported.data.importComplaints[0].error.code).toBe('BAD_USER_INPUT');
    expect(await countComplaints()).toBe(before);

    const own = await file(complaintInput(), dpo);
    const assigned = await t.gql(dpo, `mutation($id: ID!) { assignComplaint(id: $id, assigneeId: "globex-dpo") { id assignee { id } } }`, {
      id: own.data.fileComplaint.id,
    });
    expect(errorCode(assigned)).toBe('BAD_USER_INPUT');
    expect((await t.sql(`SELECT assignee_id FROM complaints WHERE id = $1`, [own.data.fileComplaint.id]))[0].assignee_id).toBeNull();
  });

  test('an AGENT cannot file a complaint assigned to someone else', async () => {
    await t.gql(dpo, '{ me { tenantId } }');
    const res = await file(complaintInput({ assigneeId: 'acme-dpo' }), agent);
    expect(errorCode(res)).toBe('FORBIDDEN');
  });
});

describe('idempotency keys', () => {
  test('the same key and input twice returns the first complaint unchanged and writes once', async () => {
    const input = complaintInput({ summary: 'Idempotent intake' });
    const first = await file(input, agent, 'key-1');
    const [afterFirst] = await t.sql('SELECT count(*)::int AS n FROM audit_events WHERE complaint_id = $1', [first.data.fileComplaint.id]);
    const second = await file(input, agent, 'key-1');
    expect(second.errors).toBeUndefined();
    expect(second.data.fileComplaint).toEqual(first.data.fileComplaint);
    const [row] = await t.sql(`SELECT count(*)::int AS n FROM complaints WHERE summary = 'Idempotent intake'`);
    expect(row.n).toBe(1);
    const [events] = await t.sql('SELECT count(*)::int AS n FROM audit_events WHERE complaint_id = $1', [first.data.fileComplaint.id]);
    expect(events.n).toBe(afterFirst.n);
  });

  test('the same key with a different input is IDEMPOTENCY_KEY_REUSED and writes nothing', async () => {
    await file(complaintInput({ summary: 'First use' }), agent, 'key-2');
    const before = await countComplaints();
    const res = await file(complaintInput({ summary: 'Different' }), agent, 'key-2');
    expect(errorCode(res)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await countComplaints()).toBe(before);
  });

  test('concurrent requests with one key create one complaint', async () => {
    const input = complaintInput({ summary: 'Racing retries' });
    const results = await Promise.all(Array.from({ length: 8 }, () => file(input, agent, 'key-race')));
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(new Set(results.map((r) => r.data.fileComplaint.id)).size).toBe(1);
  });

  test('keys are per tenant: another tenant may use the same key', async () => {
    const other = await t.token(Role.AGENT, { tid: 'other-tenant' });
    await file(complaintInput(), agent, 'shared-key');
    const res = await file(complaintInput({ summary: 'Elsewhere' }), other, 'shared-key');
    expect(res.errors).toBeUndefined();
  });
});
