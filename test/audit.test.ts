import { randomUUID } from 'node:crypto';
import { appendAudit, chainHash } from '../src/audit/audit-chain';
import { Role } from '../src/auth/roles';
import { RequestContext } from '../src/context';
import { transaction } from '../src/db/transaction';
import { AuditAction } from '../src/domain/enums';
import type { AuditEvent } from '../entities';
import { createLogger } from '../src/logger';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { errorCode, GqlResult, startTestApp, TestApp } from './support/harness';

const TENANT = 'audit';
const EVENT_FIELDS = `sequence action actor { id name } actorRole at changes requestId prevHash hash complaintId`;
const AUDIT_TRAIL = `query ($id: ID!, $first: Int, $after: String) {
  auditTrail(complaintId: $id, first: $first, after: $after) { edges { cursor node { ${EVENT_FIELDS} } } pageInfo { hasNextPage endCursor } }
}`;
const NESTED_AUDIT_TRAIL = `query ($id: ID!, $first: Int, $after: String) {
  complaint(id: $id) { auditTrail(first: $first, after: $after) { edges { cursor node { ${EVENT_FIELDS} } } pageInfo { hasNextPage endCursor } } }
}`;
const VERIFY = `query ($id: ID!) { verifyAuditTrail(complaintId: $id) { valid eventsChecked brokenAtSequence } }`;

const CHILD = { name: 'Tilly Tiny', email: 'parent@tiny.example', involvesChildUnder13: true };

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  // These tests are about the chain itself: a tenant without clocks, so a new case's
  // trail is COMPLAINT_FILED alone (SLA events are covered in test/sla-*.test.ts).
  await t.gql(await token(Role.AGENT), '{ me { tenantId } }');
  await t.sql('DELETE FROM sla_policies WHERE tenant_id = $1', [TENANT]);
});
afterAll(() => t.close());

const token = (role: Role, sub?: string) => t.token(role, { tid: TENANT, ...(sub ? { sub } : {}) });

async function file(input: Record<string, unknown> = complaintInput()): Promise<{ id: string; reference: string }> {
  const res = await t.gql(await token(Role.AGENT), FILE_COMPLAINT, { input });
  expect(res.errors).toBeUndefined();
  return res.data.fileComplaint;
}

async function trail(id: string, variables: Record<string, unknown> = {}) {
  const res = await t.gql(await token(Role.DPO), AUDIT_TRAIL, { id, ...variables });
  expect(res.errors).toBeUndefined();
  return res.data.auditTrail;
}

async function verify(id: string, role: Role = Role.DPO): Promise<GqlResult> {
  return t.gql(await token(role), VERIFY, { id });
}

/** POST /graphql with extra headers; returns the body and the response headers. */
async function gqlWithHeaders(bearer: string, headers: Record<string, string>, query: string, variables: Record<string, unknown>) {
  const req = t.http().post('/graphql').set('content-type', 'application/json').set('authorization', `Bearer ${bearer}`);
  for (const [name, value] of Object.entries(headers)) req.set(name, value);
  const res = await req.send({ query, variables });
  return { body: res.body, headers: res.headers };
}

/** Tampering as an attacker with owner rights would: triggers off, change, triggers back on, in one transaction. */
async function withTriggersDisabled(statement: string, params: unknown[]): Promise<void> {
  await t.sql('BEGIN');
  try {
    await t.sql('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await t.sql(statement, params);
    await t.sql('ALTER TABLE audit_events ENABLE TRIGGER USER');
    await t.sql('COMMIT');
  } catch (error) {
    await t.sql('ROLLBACK');
    throw error;
  }
}

/**
 * Extends a complaint's chain with a system event (as a timer would) through the one audit
 * writer: no mutation yet appends a third event, and a gap or change in the middle needs one.
 */
async function appendSystemEvent(complaintId: string): Promise<void> {
  const actor = { userId: 'fixture', tenantId: TENANT, roles: [Role.DPO], name: 'fixture', email: null };
  const ctx = new RequestContext(t.dataSource, 'fixture-request-id', createLogger('silent'), actor);
  await transaction(ctx, (tx) => appendAudit(tx, complaintId, AuditAction.SLA_STARTED, { kind: { from: null, to: 'RESPOND' } }, { system: true }));
}

async function storedEvents(complaintId: string) {
  return t.sql('SELECT * FROM audit_events WHERE complaint_id = $1 ORDER BY sequence', [complaintId]);
}

describe('the trail of a new complaint', () => {
  test('starts with COMPLAINT_FILED at sequence 1, naming the actor, role, time and request, with no previous hash', async () => {
    const before = Date.now();
    const complaint = await file();

    const { edges, pageInfo } = await trail(complaint.id);

    expect(edges).toHaveLength(1);
    const event = edges[0].node;
    expect(event).toMatchObject({
      sequence: 1,
      action: 'COMPLAINT_FILED',
      actor: { id: `${TENANT}-agent`, name: `AGENT of ${TENANT}` },
      actorRole: 'AGENT',
      complaintId: complaint.id,
      prevHash: null,
    });
    expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(event.requestId).toEqual(expect.any(String));
    expect(Date.parse(event.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(event.at)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(pageInfo.hasNextPage).toBe(false);
  });

  test.each([Role.DPO, Role.COMPLIANCE_OFFICER, Role.ADMIN])('%s verifies it as an intact chain of one event', async (role) => {
    const complaint = await file();

    const res = await verify(complaint.id, role);

    expect(res.errors).toBeUndefined();
    expect(res.data.verifyAuditTrail).toEqual({ valid: true, eventsChecked: 1, brokenAtSequence: null });
  });

  test('an AGENT may not verify a trail (FORBIDDEN)', async () => {
    const complaint = await file();

    const res = await verify(complaint.id, Role.AGENT);

    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.data).toBeNull();
  });

  test.each([Role.AGENT, Role.COMPLIANCE_OFFICER, Role.ADMIN])('%s reads the trail', async (role) => {
    const complaint = await file();

    const res = await t.gql(await token(role), AUDIT_TRAIL, { id: complaint.id });

    expect(res.errors).toBeUndefined();
    expect(res.data.auditTrail.edges.map((e: any) => e.node.action)).toEqual(['COMPLAINT_FILED']);
  });

  test('a case involving a child under 13 adds CHILD_DATA_FLAGGED at sequence 2, chained to event 1', async () => {
    const complaint = await file(complaintInput({ complainant: CHILD }));

    const { edges } = await trail(complaint.id);

    expect(edges.map((e: any) => [e.node.sequence, e.node.action])).toEqual([
      [1, 'COMPLAINT_FILED'],
      [2, 'CHILD_DATA_FLAGGED'],
    ]);
    expect(edges[1].node.prevHash).toBe(edges[0].node.hash);
    expect(edges[1].node.hash).not.toBe(edges[0].node.hash);
    expect((await verify(complaint.id)).data.verifyAuditTrail).toEqual({ valid: true, eventsChecked: 2, brokenAtSequence: null });
  });

  test("records that the complainant's name, email, phone and the description were set, never their values", async () => {
    const pii = { name: 'Wilhelmina Wexford', email: 'wilhelmina@wexford.example', phone: '+44 20 7946 0018' };
    const description = 'My neighbour Bartholomew Quince saw my medical file on your portal';
    const complaint = await file(complaintInput({ complainant: pii, description }));

    const [{ node: event }] = (await trail(complaint.id)).edges;
    const [stored] = await t.sql<{ changes: string }>('SELECT changes::text AS changes FROM audit_events WHERE complaint_id = $1 AND sequence = 1', [
      complaint.id,
    ]);

    for (const text of [JSON.stringify(event.changes), stored.changes]) {
      for (const value of [pii.name, pii.email, pii.phone, description, 'Wilhelmina', 'wexford', '7946', 'Bartholomew']) {
        expect(text.toLowerCase()).not.toContain(value.toLowerCase());
      }
    }
    expect(event.changes).toMatchObject({
      'complainant.name': { changed: true },
      'complainant.email': { changed: true },
      'complainant.phone': { changed: true },
      description: { changed: true },
      reference: { from: null, to: complaint.reference },
    });
  });
});

describe('the request id', () => {
  test('the X-Request-Id the client sends is the requestId of the event it caused', async () => {
    const requestId = 'client-req.0042_abc';
    const { body, headers } = await gqlWithHeaders(await token(Role.AGENT), { 'x-request-id': requestId }, FILE_COMPLAINT, { input: complaintInput() });
    expect(body.errors).toBeUndefined();

    const [{ node: event }] = (await trail(body.data.fileComplaint.id)).edges;

    expect(headers['x-request-id']).toBe(requestId);
    expect(event.requestId).toBe(requestId);
    expect(await t.sql('SELECT request_id FROM audit_events WHERE complaint_id = $1', [body.data.fileComplaint.id])).toEqual([{ request_id: requestId }]);
  });

  test.each([
    ['too short', 'abc1234'],
    ['with a space', 'client req 0042'],
    ['with a slash', 'client/req/0042'],
  ])('an X-Request-Id %s is replaced by the id the server returns, which the event records', async (_label, sent) => {
    const { body, headers } = await gqlWithHeaders(await token(Role.AGENT), { 'x-request-id': sent }, FILE_COMPLAINT, { input: complaintInput() });
    expect(body.errors).toBeUndefined();

    const [{ node: event }] = (await trail(body.data.fileComplaint.id)).edges;

    expect(headers['x-request-id']).toMatch(/^[A-Za-z0-9._-]{8,128}$/);
    expect(headers['x-request-id']).not.toBe(sent);
    expect(event.requestId).toBe(headers['x-request-id']);
  });
});

describe('paging through a trail', () => {
  let complaint: { id: string };
  beforeAll(async () => {
    complaint = await file(complaintInput({ complainant: CHILD }));
  });

  test.each([
    ['auditTrail(complaintId)', AUDIT_TRAIL, (data: any) => data.auditTrail],
    ['Complaint.auditTrail', NESTED_AUDIT_TRAIL, (data: any) => data.complaint.auditTrail],
  ])('%s returns the events in sequence order, one page at a time', async (_label, query, pick) => {
    const dpo = await token(Role.DPO);
    const page = async (variables: Record<string, unknown>) => {
      const res = await t.gql(dpo, query, { id: complaint.id, ...variables });
      expect(res.errors).toBeUndefined();
      return pick(res.data);
    };

    const first = await page({ first: 1 });
    const second = await page({ first: 1, after: first.pageInfo.endCursor });
    const beyond = await page({ first: 1, after: second.pageInfo.endCursor });
    const all = await page({});

    expect(first.edges.map((e: any) => e.node.sequence)).toEqual([1]);
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[0].cursor });
    expect(second.edges.map((e: any) => e.node.sequence)).toEqual([2]);
    expect(second.pageInfo).toEqual({ hasNextPage: false, endCursor: second.edges[0].cursor });
    expect(beyond).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    expect(all.edges.map((e: any) => [e.node.sequence, e.node.action])).toEqual([
      [1, 'COMPLAINT_FILED'],
      [2, 'CHILD_DATA_FLAGGED'],
    ]);
    expect(all.pageInfo.hasNextPage).toBe(false);
  });

  test('the nested Complaint.auditTrail returns the same events as auditTrail(complaintId)', async () => {
    const nested = await t.gql(await token(Role.DPO), NESTED_AUDIT_TRAIL, { id: complaint.id });

    expect(nested.errors).toBeUndefined();
    expect(nested.data.complaint.auditTrail).toEqual(await trail(complaint.id));
  });

  test.each([
    ['auditTrail(complaintId)', AUDIT_TRAIL],
    ['Complaint.auditTrail', NESTED_AUDIT_TRAIL],
  ])('%s refuses pages larger than 100 (BAD_USER_INPUT)', async (_label, query) => {
    const res = await t.gql(await token(Role.DPO), query, { id: complaint.id, first: 101 });

    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  test('both audit trail fields default to pages of 50, as the contract says', async () => {
    const res = await t.gql(
      await token(Role.DPO),
      `{
      query: __type(name: "Query") { fields { name args { name defaultValue } } }
      complaint: __type(name: "Complaint") { fields { name args { name defaultValue } } }
    }`,
    );
    const firstDefault = (type: any) => type.fields.find((f: any) => f.name === 'auditTrail').args.find((a: any) => a.name === 'first').defaultValue;

    expect(res.errors).toBeUndefined();
    expect(firstDefault(res.data.query)).toBe('50');
    expect(firstDefault(res.data.complaint)).toBe('50');
  });
});

describe('tamper evidence', () => {
  test('an event altered in the database is named by verifyAuditTrail', async () => {
    const complaint = await file(complaintInput({ complainant: CHILD }));
    await appendSystemEvent(complaint.id);
    expect((await verify(complaint.id)).data.verifyAuditTrail).toEqual({ valid: true, eventsChecked: 3, brokenAtSequence: null });

    await withTriggersDisabled(
      `UPDATE audit_events SET changes = '{"involvesChildUnder13": {"from": false, "to": false}}' WHERE complaint_id = $1 AND sequence = 2`,
      [complaint.id],
    );

    const res = await verify(complaint.id);
    expect(res.errors).toBeUndefined();
    expect(res.data.verifyAuditTrail).toMatchObject({ valid: false, brokenAtSequence: 2 });
  });

  test('a change to the first event is named as sequence 1', async () => {
    const complaint = await file(complaintInput({ complainant: CHILD }));

    await withTriggersDisabled(`UPDATE audit_events SET actor_id = 'someone-else' WHERE complaint_id = $1 AND sequence = 1`, [complaint.id]);

    expect((await verify(complaint.id)).data.verifyAuditTrail).toMatchObject({ valid: false, brokenAtSequence: 1 });
  });

  test('a change to the last event of a two-event trail is named as sequence 2', async () => {
    const complaint = await file(complaintInput({ complainant: CHILD }));

    await withTriggersDisabled(`UPDATE audit_events SET at = at - interval '1 day' WHERE complaint_id = $1 AND sequence = 2`, [complaint.id]);

    expect((await verify(complaint.id)).data.verifyAuditTrail).toMatchObject({ valid: false, brokenAtSequence: 2 });
  });

  test('an event deleted from the middle of the trail is reported at its own, missing sequence', async () => {
    const complaint = await file(complaintInput({ complainant: CHILD }));
    await appendSystemEvent(complaint.id);

    await withTriggersDisabled('DELETE FROM audit_events WHERE complaint_id = $1 AND sequence = 2', [complaint.id]);

    expect((await verify(complaint.id)).data.verifyAuditTrail).toMatchObject({ valid: false, brokenAtSequence: 2 });
  });

  test('a deleted first event is reported as sequence 1', async () => {
    const complaint = await file(complaintInput({ complainant: CHILD }));

    await withTriggersDisabled('DELETE FROM audit_events WHERE complaint_id = $1 AND sequence = 1', [complaint.id]);

    expect((await verify(complaint.id)).data.verifyAuditTrail).toMatchObject({ valid: false, brokenAtSequence: 1 });
  });

  test('events cut off the end of the trail are reported at the first missing sequence', async () => {
    const complaint = await file(complaintInput({ complainant: CHILD }));
    await appendSystemEvent(complaint.id);
    expect((await verify(complaint.id)).data.verifyAuditTrail).toEqual({ valid: true, eventsChecked: 3, brokenAtSequence: null });

    await withTriggersDisabled('DELETE FROM audit_events WHERE complaint_id = $1 AND sequence = 3', [complaint.id]);

    expect((await verify(complaint.id)).data.verifyAuditTrail).toEqual({ valid: false, eventsChecked: 2, brokenAtSequence: 3 });
  });
});

describe('the trail is append-only in the database', () => {
  let complaint: { id: string };
  let snapshot: unknown[];
  beforeAll(async () => {
    complaint = await file(complaintInput({ complainant: CHILD }));
    snapshot = await storedEvents(complaint.id);
  });

  test.each([
    ['UPDATE', `UPDATE audit_events SET action = 'CLOSED' WHERE complaint_id = $1`, true],
    ['DELETE', 'DELETE FROM audit_events WHERE complaint_id = $1', true],
    ['TRUNCATE', 'TRUNCATE audit_events', false],
  ])('%s is rejected even for the owner (superuser)', async (_op, statement, hasParam) => {
    await expect(t.sql(statement, hasParam ? [complaint.id] : undefined)).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });

    expect(await storedEvents(complaint.id)).toEqual(snapshot);
  });

  test.each([
    ['UPDATE', `UPDATE audit_events SET action = 'CLOSED' WHERE complaint_id = $1`, true],
    ['DELETE', 'DELETE FROM audit_events WHERE complaint_id = $1', true],
    ['TRUNCATE', 'TRUNCATE audit_events', false],
  ])('the API role cms_app has no %s privilege on it', async (_op, statement, hasParam) => {
    await t.sql('BEGIN');
    try {
      await t.sql('SET LOCAL ROLE cms_app');
      await t.sql(`SELECT set_config('app.tenant_id', $1, true)`, [TENANT]);
      await expect(t.sql(statement, hasParam ? [complaint.id] : undefined)).rejects.toMatchObject({
        code: '42501',
        message: expect.stringMatching(/permission denied/),
      });
    } finally {
      await t.sql('ROLLBACK');
    }

    expect(await storedEvents(complaint.id)).toEqual(snapshot);
  });

  test('the trail still verifies after the refused changes', async () => {
    expect((await verify(complaint.id)).data.verifyAuditTrail).toEqual({ valid: true, eventsChecked: 2, brokenAtSequence: null });
  });
});

/** One statement as the API role would run it: SET ROLE cms_app, the tenant set, committed. */
async function asApiRole(statement: string, params: unknown[] = [], tenant = TENANT): Promise<void> {
  await t.sql('BEGIN');
  try {
    await t.sql('SET LOCAL ROLE cms_app');
    await t.sql(`SELECT set_config('app.tenant_id', $1, true)`, [tenant]);
    await t.sql(statement, params);
    await t.sql('COMMIT');
  } catch (error) {
    await t.sql('ROLLBACK');
    throw error;
  }
}

/** A made-up event whose hash is computed exactly as the audit writer computes it. */
function forgedEvent(chain: { complaintId: string | null }, sequence: number, prevHash: string | null, tenant = TENANT): [string, unknown[]] {
  const event = {
    id: randomUUID(),
    tenantId: tenant,
    complaintId: chain.complaintId,
    sequence,
    action: AuditAction.NOTE_ADDED,
    actorId: `${TENANT}-dpo`,
    actorRole: Role.DPO,
    at: new Date(),
    changes: { forged: true },
    requestId: 'forged-request',
  } as unknown as AuditEvent;
  return [
    `INSERT INTO audit_events (id, tenant_id, complaint_id, chain_id, sequence, action, actor_id, actor_role, at, changes, request_id, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      event.id,
      tenant,
      chain.complaintId,
      chain.complaintId ?? tenant,
      sequence,
      event.action,
      event.actorId,
      event.actorRole,
      event.at,
      JSON.stringify(event.changes),
      event.requestId,
      prevHash,
      chainHash(prevHash, event),
    ],
  ];
}

async function complaintHead(id: string): Promise<{ sequence: number; hash: string | null }> {
  const [head] = await t.sql('SELECT audit_head_sequence AS sequence, audit_head_hash AS hash FROM complaints WHERE id = $1', [id]);
  return head;
}

/** A case with a three-event trail: filed, child flagged, a timer event. */
async function threeEventCase(): Promise<{ id: string; events: any[] }> {
  const complaint = await file(complaintInput({ complainant: CHILD }));
  await appendSystemEvent(complaint.id);
  return { id: complaint.id, events: await storedEvents(complaint.id) };
}

const REFUSED_LINK = { code: '23514', message: expect.stringMatching(/does not follow the chain head/) };
const NO_PRIVILEGE = { code: '42501', message: expect.stringMatching(/permission denied/) };

describe('cover-ups by the API role itself (cms_app) are refused by the database', () => {
  test('the next event, correctly linked, is admitted and moves the head (the database keeps the head, not the API), but without the evidence key it is reported', async () => {
    const c = await threeEventCase();

    await asApiRole(...forgedEvent({ complaintId: c.id }, 4, c.events[2].hash));

    expect(await complaintHead(c.id)).toEqual({ sequence: 4, hash: (await storedEvents(c.id))[3].hash });
    expect((await verify(c.id)).data.verifyAuditTrail).toEqual({ valid: false, eventsChecked: 4, brokenAtSequence: 4 });
  });

  test('(a) after the tail was cut, a correctly hashed replacement event is refused, and so is moving the head to it', async () => {
    const c = await threeEventCase();
    await withTriggersDisabled('DELETE FROM audit_events WHERE complaint_id = $1 AND sequence = 3', [c.id]);
    const [insert, params] = forgedEvent({ complaintId: c.id }, 3, c.events[1].hash);

    await expect(asApiRole(insert, params)).rejects.toMatchObject(REFUSED_LINK);
    await expect(
      asApiRole('UPDATE complaints SET audit_head_sequence = 2, audit_head_hash = $2 WHERE id = $1', [c.id, c.events[1].hash]),
    ).rejects.toMatchObject(NO_PRIVILEGE);

    expect(await complaintHead(c.id)).toEqual({ sequence: 3, hash: c.events[2].hash });
    expect((await storedEvents(c.id)).map((e: any) => e.sequence)).toEqual([1, 2]);
    expect((await verify(c.id)).data.verifyAuditTrail).toEqual({ valid: false, eventsChecked: 2, brokenAtSequence: 3 });
  });

  test('(b) a correctly hashed event that does not follow the head (a fork from an earlier event) is refused', async () => {
    const c = await threeEventCase();

    await expect(asApiRole(...forgedEvent({ complaintId: c.id }, 4, c.events[1].hash))).rejects.toMatchObject(REFUSED_LINK);
    await expect(asApiRole(...forgedEvent({ complaintId: c.id }, 3, c.events[1].hash))).rejects.toMatchObject(REFUSED_LINK);

    expect(await storedEvents(c.id)).toEqual(c.events);
    expect((await verify(c.id)).data.verifyAuditTrail).toEqual({ valid: true, eventsChecked: 3, brokenAtSequence: null });
  });

  test.each([
    ['back to an earlier event', (c: { events: any[] }) => [2, c.events[1].hash]],
    ['forward, past the last event', (c: { events: any[] }) => [4, c.events[2].hash]],
    ['to nothing', () => [0, null]],
  ])('(c) moving the head directly (%s) is permission denied', async (_label, target) => {
    const c = await threeEventCase();
    const [sequence, hash] = target(c);

    await expect(asApiRole('UPDATE complaints SET audit_head_sequence = $2, audit_head_hash = $3 WHERE id = $1', [c.id, sequence, hash])).rejects.toMatchObject(
      NO_PRIVILEGE,
    );

    expect(await complaintHead(c.id)).toEqual({ sequence: 3, hash: c.events[2].hash });
    expect((await verify(c.id)).data.verifyAuditTrail).toEqual({ valid: true, eventsChecked: 3, brokenAtSequence: null });
  });

  test('(d) deleting the tail and moving the head back to what is left is refused', async () => {
    const c = await threeEventCase();

    await expect(asApiRole('DELETE FROM audit_events WHERE complaint_id = $1 AND sequence = 3', [c.id])).rejects.toMatchObject(NO_PRIVILEGE);
    await expect(
      asApiRole('UPDATE complaints SET audit_head_sequence = 2, audit_head_hash = $2 WHERE id = $1', [c.id, c.events[1].hash]),
    ).rejects.toMatchObject(NO_PRIVILEGE);

    expect(await storedEvents(c.id)).toEqual(c.events);
    expect((await verify(c.id)).data.verifyAuditTrail).toEqual({ valid: true, eventsChecked: 3, brokenAtSequence: null });
  });

  test('(e) an event that leaves a gap in the sequence is refused', async () => {
    const c = await threeEventCase();

    await expect(asApiRole(...forgedEvent({ complaintId: c.id }, 5, c.events[2].hash))).rejects.toMatchObject(REFUSED_LINK);

    expect(await storedEvents(c.id)).toEqual(c.events);
    expect(await complaintHead(c.id)).toEqual({ sequence: 3, hash: c.events[2].hash });
  });

  test('an event filed under another chain than its complaint is refused', async () => {
    const c = await threeEventCase();
    const other = await threeEventCase();
    const [insert, params] = forgedEvent({ complaintId: c.id }, 4, other.events[2].hash);
    params[3] = other.id;

    await expect(asApiRole(insert, params)).rejects.toMatchObject({ code: '23514' });
    expect(await storedEvents(other.id)).toEqual(other.events);
  });

  test('a complaint cannot be created with a head already set', async () => {
    await expect(
      asApiRole(
        `INSERT INTO complaints (tenant_id, reference, stage, status, rights, data_context, processing_role, regimes, jurisdiction, channel, summary, description, received_at, audit_head_sequence, audit_head_hash)
       VALUES ($1, 'PC-2026-999999', 'INTERNAL_DPO', 'OPEN', '{ACCESS}', 'CONSUMER', 'CONTROLLER', '{OTHER}', 'US', 'EMAIL', 's', 'd', now(), 5, 'x')`,
        [TENANT],
      ),
    ).rejects.toMatchObject(NO_PRIVILEGE);
  });

  test("the tenant's own chain: its head cannot be moved and a gap or fork is refused", async () => {
    const tenant = 'audit-own-chain';
    const admin = await t.token(Role.ADMIN, { tid: tenant });
    for (const d of ['P3D', 'P4D']) {
      const upsert = `mutation { upsertSlaPolicy(input: { regime: OTHER, stage: INTERNAL_DPO, kind: ACKNOWLEDGE, duration: "${d}",
        businessDays: true, pausable: false, source: "internal target" }) { id } }`;
      expect((await t.gql(admin, upsert)).errors).toBeUndefined();
    }
    const tenantEvents = () => t.sql('SELECT * FROM audit_events WHERE tenant_id = $1 AND complaint_id IS NULL ORDER BY sequence', [tenant]);
    const events = await tenantEvents();
    const [head] = await t.sql('SELECT audit_head_sequence AS sequence, audit_head_hash AS hash FROM tenants WHERE id = $1', [tenant]);
    const last = events[events.length - 1];
    expect(head).toEqual({ sequence: last.sequence, hash: last.hash });

    await expect(asApiRole('UPDATE tenants SET audit_head_sequence = 0, audit_head_hash = NULL WHERE id = $1', [tenant], tenant)).rejects.toMatchObject(
      NO_PRIVILEGE,
    );
    await expect(asApiRole(...forgedEvent({ complaintId: null }, last.sequence + 2, last.hash, tenant), tenant)).rejects.toMatchObject(REFUSED_LINK);
    await expect(asApiRole(...forgedEvent({ complaintId: null }, last.sequence, last.prev_hash, tenant), tenant)).rejects.toMatchObject(REFUSED_LINK);

    expect(await tenantEvents()).toEqual(events);
    expect((await t.gql(admin, '{ verifyTenantAuditTrail { valid eventsChecked brokenAtSequence } }')).data.verifyTenantAuditTrail).toEqual({
      valid: true,
      eventsChecked: events.length,
      brokenAtSequence: null,
    });
  });
});

describe('what the owner cuts out is named', () => {
  test('an event deleted from the middle: brokenAtSequence is the deleted sequence', async () => {
    const c = await threeEventCase();

    await withTriggersDisabled('DELETE FROM audit_events WHERE complaint_id = $1 AND sequence = 2', [c.id]);

    expect((await verify(c.id)).data.verifyAuditTrail).toEqual({ valid: false, eventsChecked: 2, brokenAtSequence: 2 });
  });

  test('the tail deleted without moving the head is detected at the deleted sequence', async () => {
    const c = await threeEventCase();

    await withTriggersDisabled('DELETE FROM audit_events WHERE complaint_id = $1 AND sequence >= 2', [c.id]);

    expect((await verify(c.id)).data.verifyAuditTrail).toEqual({ valid: false, eventsChecked: 1, brokenAtSequence: 2 });
  });
});

describe("the tenant's own trail", () => {
  const UPSERT = `mutation($d: String!) { upsertSlaPolicy(input: { regime: OTHER, stage: INTERNAL_DPO, kind: RESPOND, duration: $d,
    businessDays: false, extension: "P30D", pausable: true, source: "internal target" }) { id duration } }`;
  const TRAIL =
    '{ tenantAuditTrail { edges { node { sequence action complaintId actorRole changes } } } verifyTenantAuditTrail { valid eventsChecked brokenAtSequence } }';

  test('records policy changes in a chain of its own that verifies, and names a tampered event', async () => {
    const admin = await token(Role.ADMIN);
    for (const d of ['P20D', 'P25D']) expect((await t.gql(admin, UPSERT, { d })).errors).toBeUndefined();
    const res = await t.gql(await token(Role.COMPLIANCE_OFFICER), TRAIL);
    expect(res.errors).toBeUndefined();
    const events = res.data.tenantAuditTrail.edges.map((e: any) => e.node);
    expect(events.map((e: any) => [e.sequence, e.action, e.complaintId, e.actorRole])).toEqual([
      [1, 'SLA_POLICY_CHANGED', null, 'ADMIN'],
      [2, 'SLA_POLICY_CHANGED', null, 'ADMIN'],
    ]);
    expect(events[1].changes.duration).toEqual({ from: 'P20D', to: 'P25D' });
    expect(res.data.verifyTenantAuditTrail).toEqual({ valid: true, eventsChecked: 2, brokenAtSequence: null });

    await withTriggersDisabled(
      `UPDATE audit_events SET changes = '{"duration":{"from":"P20D","to":"P90D"}}' WHERE tenant_id = $1 AND complaint_id IS NULL AND sequence = 2`,
      [TENANT],
    );
    const after = await t.gql(admin, '{ verifyTenantAuditTrail { valid brokenAtSequence } }');
    expect(after.data.verifyTenantAuditTrail).toEqual({ valid: false, brokenAtSequence: 2 });
  });

  test('an AGENT cannot read or verify it', async () => {
    const res = await t.gql(await token(Role.AGENT), '{ verifyTenantAuditTrail { valid } }');
    expect(res.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });
});
