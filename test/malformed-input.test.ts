import { Role } from '../src/auth/roles';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { GqlResult, startTestApp, TestApp } from './support/harness';

/**
 * Input shapes that used to reach PostgreSQL and come back as INTERNAL_SERVER_ERROR
 * (SPEC §9: bad input never reaches the database as an exception). Each must be a client
 * error naming the field, never INTERNAL_SERVER_ERROR or HTTP 5xx, and write nothing.
 */
const NUL = 'Broken\u0000summary';
const LONE_SURROGATE = 'Broken \ud800 summary';
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const cursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');

let t: TestApp;
let agent: string;
let dpo: string;
let complaintId: string;

beforeAll(async () => {
  t = await startTestApp();
  agent = await t.token(Role.AGENT);
  dpo = await t.token(Role.DPO);
  // 21 complaints: one more than the default page of `complaints`.
  for (let batch = 0; batch < 3; batch++) {
    const results = await Promise.all(Array.from({ length: 7 }, () => t.gql(agent, FILE_COMPLAINT, { input: complaintInput() })));
    for (const res of results) expect(res.errors).toBeUndefined();
    complaintId = results[0].data.fileComplaint.id;
  }
});
afterAll(() => t.close());

/** Row counts of everything a refused write could have touched. */
async function snapshot(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['tenants', 'users', 'complaints', 'notes', 'audit_events', 'sla_timers', 'sla_policies']) {
    out[table] = (await t.sql(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  }
  return out;
}

function expectBadInput(res: GqlResult, field: string): void {
  expect(res.status).toBeLessThan(500);
  expect(res.errors?.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
  expect(Object.keys(res.errors![0].extensions.fields ?? {})).toEqual([field]);
}

describe('text that PostgreSQL cannot store', () => {
  const NOTE = `mutation ($id: ID!, $body: String!) { addNote(complaintId: $id, body: $body) { id } }`;

  test.each([
    ['a NUL byte in a top-level input field', { summary: NUL }, 'input.summary'],
    ['a NUL byte in a nested input field', { complainant: { name: 'Eva\u0000Example' } }, 'input.complainant.name'],
    ['a lone surrogate in audited free text', { description: LONE_SURROGATE }, 'input.description'],
    ['a lone low surrogate in the complainant email', { complainant: { email: 'eva\udc00@example.com' } }, 'input.complainant.email'],
  ])('%s is BAD_USER_INPUT naming the field, and nothing is written', async (_label, overrides, field) => {
    const before = await snapshot();
    expectBadInput(await t.gql(agent, FILE_COMPLAINT, { input: complaintInput(overrides) }), field);
    expect(await snapshot()).toEqual(before);
  });

  test('a NUL byte in a plain argument (note body) is refused and no note is added', async () => {
    const before = await snapshot();
    expectBadInput(await t.gql(agent, NOTE, { id: complaintId, body: NUL }), 'body');
    expect(await snapshot()).toEqual(before);
  });

  test('a NUL byte in a literal argument of a query is refused naming it', async () => {
    expectBadInput(await t.gql(agent, `{ complaintByReference(reference: "PC-2026-\\u0000") { id } }`), 'reference');
    expectBadInput(await t.gql(agent, `query ($s: String!) { complaints(filter: { search: $s }) { totalCount } }`, { s: NUL }), 'filter.search');
  });

  test('well-formed text with astral characters (a surrogate pair) is accepted', async () => {
    const res = await t.gql(agent, FILE_COMPLAINT, { input: complaintInput({ summary: 'Emoji 😀 are fine' }) });
    expect(res.errors).toBeUndefined();
    expect(res.data.fileComplaint.summary).toBe('Emoji 😀 are fine');
  });
});

describe('an explicit null on an argument or input field with a default means the default (SPEC §9)', () => {
  test('first: null pages by the default page size on complaints, slaTimers, auditTrail and Complaint.auditTrail', async () => {
    const res = await t.gql(
      agent,
      `query ($first: Int, $id: ID!) {
        complaints(first: $first) { totalCount edges { node { id } } pageInfo { hasNextPage } }
        slaTimers(first: $first) { totalCount edges { node { id } } }
        auditTrail(complaintId: $id, first: $first) { edges { node { sequence } } }
        complaint(id: $id) { auditTrail(first: $first) { edges { node { sequence } } } }
      }`,
      { first: null, id: complaintId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.complaints.totalCount).toBeGreaterThan(20);
    expect(res.data.complaints.edges).toHaveLength(20);
    expect(res.data.complaints.pageInfo.hasNextPage).toBe(true);
    expect(res.data.slaTimers.edges).toHaveLength(Math.min(50, res.data.slaTimers.totalCount));
    expect(res.data.auditTrail.edges.length).toBeGreaterThan(0);
    expect(res.data.complaint.auditTrail.edges).toEqual(res.data.auditTrail.edges);
  });

  test('involvesChildUnder13, dataContext and processingRole: null file a consumer, controller, adult case', async () => {
    const input = complaintInput({ complainant: { involvesChildUnder13: null }, dataContext: null, processingRole: null });
    const res = await t.gql(agent, FILE_COMPLAINT, { input });
    expect(res.errors).toBeUndefined();
    expect(res.data.fileComplaint).toMatchObject({ dataContext: 'CONSUMER', processingRole: 'CONTROLLER', complainant: { involvesChildUnder13: false } });
  });

  test('addNote with internal: null adds an internal note', async () => {
    const res = await t.gql(
      agent,
      `mutation ($id: ID!, $internal: Boolean) { addNote(complaintId: $id, body: "Called back", internal: $internal) { internal } }`,
      {
        id: complaintId,
        internal: null,
      },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.addNote.internal).toBe(true);
  });

  test('upsertSlaPolicy with warnAtPercent and startsOn null stores 80 % and STAGE_ENTERED', async () => {
    const res = await t.gql(
      await t.token(Role.ADMIN),
      `mutation { upsertSlaPolicy(input: { regime: OTHER, stage: INTERNAL_DPO, kind: RESPOND, duration: "P20D", businessDays: false,
        pausable: true, source: "internal target", warnAtPercent: null, startsOn: null }) { warnAtPercent startsOn } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.upsertSlaPolicy).toEqual({ warnAtPercent: 80, startsOn: 'STAGE_ENTERED' });
  });
});

describe('cursors and instants PostgreSQL cannot read', () => {
  test.each([
    ['year 275760', '+275760-09-13T00:00:00.000Z'],
    ['year -271821', '-271821-04-20T00:00:00.000Z'],
    ['year 10000', '10000-01-01T00:00:00.000Z'],
    ['a date JavaScript reads loosely', 'March 7, 2026'],
  ])('a complaints or slaTimers cursor with %s is BAD_USER_INPUT naming after', async (_label, instant) => {
    const complaints = await t.gql(agent, `query ($after: String) { complaints(after: $after) { totalCount } }`, {
      after: cursor(['RECEIVED_AT', 'DESC', instant, ZERO_UUID]),
    });
    expectBadInput(complaints, 'after');
    expectBadInput(await t.gql(agent, `query ($after: String) { slaTimers(after: $after) { totalCount } }`, { after: cursor([instant, ZERO_UUID]) }), 'after');
  });

  test('an audit trail cursor beyond the integer range is BAD_USER_INPUT naming after', async () => {
    const res = await t.gql(agent, `query ($id: ID!, $after: String) { auditTrail(complaintId: $id, after: $after) { edges { cursor } } }`, {
      id: complaintId,
      after: cursor([2 ** 31]),
    });
    expectBadInput(res, 'after');
  });

  test.each([
    ['a report window from year 1', `{ complianceReport(from: "0001-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { received } }`, 'from'],
    ['a filter instant in year 0', `{ complaints(filter: { receivedFrom: "0000-06-01T00:00:00+01:00" }) { totalCount } }`, 'filter.receivedFrom'],
    ['a dueBefore in year 1899', `{ slaTimers(dueBefore: "1899-12-31T23:59:59Z") { totalCount } }`, 'dueBefore'],
  ])('%s is BAD_USER_INPUT naming the field', async (_label, query, field) => {
    expectBadInput(await t.gql(dpo, query), field);
  });

  test('a receivedAt before 1900 is refused and nothing is written', async () => {
    const before = await snapshot();
    expectBadInput(await t.gql(agent, FILE_COMPLAINT, { input: complaintInput({ receivedAt: '0001-01-01T00:00:00Z' }) }), 'input.receivedAt');
    expect(await snapshot()).toEqual(before);
  });
});

describe('requests Apollo refuses keep a client error', () => {
  const post = (body: object) =>
    t
      .http()
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('authorization', `Bearer ${agent}`)
      .send(body)
      .then((res) => ({ status: res.status, errors: res.body.errors as { message: string; extensions: { code: string } }[] }));
  const HASH = 'a'.repeat(64);

  test('a persisted query that is not known is PERSISTED_QUERY_NOT_FOUND', async () => {
    const res = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } });
    expect(res.status).toBeLessThan(500);
    expect(res.errors.map((e) => e.extensions.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  test.each([
    ['an unsupported persisted-query version', { extensions: { persistedQuery: { version: 2, sha256Hash: HASH } } }, 'Unsupported persisted query version'],
    ['a persisted-query extension that is not an object', { extensions: { persistedQuery: 'yes' } }, 'Unsupported persisted query version'],
    [
      'a hash that does not match the query',
      { query: '{ me { tenantId } }', extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } },
      'provided sha does not match query',
    ],
  ])('%s is a 400 BAD_REQUEST with Apollo’s message', async (_label, body, message) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.errors).toEqual([{ message, extensions: expect.objectContaining({ code: 'BAD_REQUEST' }) }]);
  });
});

describe('the CSV report window', () => {
  test.each([
    ['from', '-271821-04-20T00:00:00Z', '2026-01-01T00:00:00Z'],
    ['from', '+275760-09-12T00:00:00Z', '2026-01-01T00:00:00Z'],
    ['to', '2026-01-01T00:00:00Z', '+275760-09-13T00:00:00Z'],
    ['to', '2026-01-01T00:00:00Z', '1899-12-31'],
  ])('an unreadable %s is a 400 JSON answer naming the parameter and the accepted forms', async (param, from, to) => {
    const res = await t.http().get('/reports/complaints.csv').query({ from, to }).set('authorization', `Bearer ${dpo}`);
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/json');
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(Object.keys(res.body.errors[0].extensions.fields)).toEqual([param]);
    expect(res.body.errors[0].extensions.fields[param]).toMatch(/ISO-8601 instant .* or a date/);
  });

  test('a window of plain dates and a window of instants are still accepted', async () => {
    for (const [from, to] of [
      ['2026-01-01', '2026-01-31'],
      ['2026-01-01T00:00:00Z', '2026-01-31T23:59:59.999+01:00'],
    ]) {
      const res = await t.http().get('/reports/complaints.csv').query({ from, to }).set('authorization', `Bearer ${dpo}`);
      expect(res.status).toBe(200);
    }
  });
});
