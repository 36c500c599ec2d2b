import { Role } from '../src/auth/roles';
import { COMPLAINT_FIELDS, complaintInput, FILE_COMPLAINT } from './support/factories';
import { GqlResult, startTestApp, TestApp } from './support/harness';

/**
 * The case lifecycle of SPEC §4 through the API: the status machine, casework mutations,
 * who may call what (SPEC §3), versions and concurrency, and the audit trail they leave.
 */

const FIELDS = `${COMPLAINT_FIELDS} notes { id body internal author { id } createdAt }`;

const OPS = {
  acknowledgeComplaint: `mutation ($id: ID!, $v: Int) { acknowledgeComplaint(id: $id, expectedVersion: $v) { ${FIELDS} } }`,
  assignComplaint: `mutation ($id: ID!, $assigneeId: ID!, $v: Int) { assignComplaint(id: $id, assigneeId: $assigneeId, expectedVersion: $v) { ${FIELDS} } }`,
  updateComplainant: `mutation ($id: ID!, $input: UpdateComplainantInput!, $v: Int) { updateComplainant(id: $id, input: $input, expectedVersion: $v) { ${FIELDS} } }`,
  addNote: `mutation ($id: ID!, $body: String!, $internal: Boolean) { addNote(complaintId: $id, body: $body, internal: $internal) { id body internal author { id } createdAt } }`,
  escalateComplaint: `mutation ($id: ID!, $to: ComplaintStage!, $reason: String!, $v: Int) { escalateComplaint(id: $id, to: $to, reason: $reason, expectedVersion: $v) { ${FIELDS} } }`,
  awaitComplainant: `mutation ($id: ID!, $reason: String!, $v: Int) { awaitComplainant(id: $id, reason: $reason, expectedVersion: $v) { ${FIELDS} } }`,
  resumeComplaint: `mutation ($id: ID!, $v: Int) { resumeComplaint(id: $id, expectedVersion: $v) { ${FIELDS} } }`,
  resolveComplaint: `mutation ($id: ID!, $outcome: ComplaintOutcome!, $summary: String!, $v: Int) { resolveComplaint(id: $id, outcome: $outcome, summary: $summary, expectedVersion: $v) { ${FIELDS} } }`,
  reopenComplaint: `mutation ($id: ID!, $reason: String!, $v: Int) { reopenComplaint(id: $id, reason: $reason, expectedVersion: $v) { ${FIELDS} } }`,
  closeComplaint: `mutation ($id: ID!, $v: Int) { closeComplaint(id: $id, expectedVersion: $v) { ${FIELDS} } }`,
  recordPanelAdvice: `mutation ($id: ID!, $summary: String!, $deliveredAt: DateTime, $v: Int) { recordPanelAdvice(id: $id, summary: $summary, deliveredAt: $deliveredAt, expectedVersion: $v) { ${FIELDS} } }`,
} as const;
type Op = keyof typeof OPS;

const AGENT_ID = 'agent-1';
const OTHER_AGENT_ID = 'agent-2';
const DPO_ID = 'dpo-1';

/** Variables that make each mutation valid on a case in the state STATE_FOR names. */
const DEFAULTS: Record<Op, Record<string, unknown>> = {
  acknowledgeComplaint: {},
  assignComplaint: { assigneeId: AGENT_ID },
  updateComplainant: { input: { name: 'Eva Corrected' } },
  addNote: { body: 'Called the complainant back' },
  escalateComplaint: { to: 'REGULATOR', reason: 'complainant went to the DPA' },
  awaitComplainant: { reason: 'asked for proof of identity' },
  resumeComplaint: {},
  resolveComplaint: { outcome: 'UPHELD', summary: 'Copy of the data sent' },
  reopenComplaint: { reason: 'complainant says the copy is incomplete' },
  closeComplaint: {},
  recordPanelAdvice: { summary: 'The panel advises deleting the appraisal notes' },
};

type State = 'OPEN' | 'AWAITING_COMPLAINANT' | 'RESOLVED' | 'DPA_PANEL';
/** Where each mutation is legal (SPEC §4), so that only the rule under test can refuse it. */
const STATE_FOR: Record<Op, State> = {
  acknowledgeComplaint: 'OPEN',
  assignComplaint: 'OPEN',
  updateComplainant: 'OPEN',
  addNote: 'OPEN',
  escalateComplaint: 'OPEN',
  awaitComplainant: 'OPEN',
  resumeComplaint: 'AWAITING_COMPLAINANT',
  resolveComplaint: 'OPEN',
  reopenComplaint: 'RESOLVED',
  closeComplaint: 'RESOLVED',
  recordPanelAdvice: 'DPA_PANEL',
};
const ALL_OPS = Object.keys(OPS) as Op[];

let t: TestApp;
let agent: string;
let otherAgent: string;
let dpo: string;
let compliance: string;
let admin: string;
beforeAll(async () => {
  t = await startTestApp();
  agent = await t.token(Role.AGENT, { sub: AGENT_ID });
  otherAgent = await t.token(Role.AGENT, { sub: OTHER_AGENT_ID });
  dpo = await t.token(Role.DPO, { sub: DPO_ID });
  compliance = await t.token(Role.COMPLIANCE_OFFICER, { sub: 'co-1' });
  admin = await t.token(Role.ADMIN, { sub: 'admin-1' });
  for (const token of [agent, otherAgent, dpo, compliance, admin]) succeeded(await t.gql(token, '{ me { tenantId } }'), 'provisioning');
});
afterAll(() => t.close());

function succeeded<T = any>(res: GqlResult, what: string): T {
  if (res.errors || !res.data) throw new Error(`${what} failed: ${JSON.stringify(res.errors ?? res.body)}`);
  return Object.values(res.data)[0] as T;
}

function run(token: string, op: Op, id: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
  return t.gql(token, OPS[op], { id, ...DEFAULTS[op], ...variables });
}

async function file(overrides: Record<string, unknown> = {}, token = agent): Promise<any> {
  const input = complaintInput({ complainant: { name: 'Eva Example', email: 'eva@example.com', phone: '+49 30 1234567' }, ...overrides });
  return succeeded(await t.gql(token, FILE_COMPLAINT, { input }), 'filing');
}

/** A fresh case in `state`, reached through the API. */
async function caseIn(state: State): Promise<string> {
  if (state === 'DPA_PANEL') {
    const { id } = await file({ dataContext: 'EMPLOYMENT' });
    succeeded(await run(dpo, 'escalateComplaint', id, { to: 'DPA_PANEL', reason: 'HR data' }), 'escalating to DPA_PANEL');
    return id;
  }
  const { id } = await file();
  if (state === 'AWAITING_COMPLAINANT') succeeded(await run(agent, 'awaitComplainant', id), 'awaiting');
  if (state === 'RESOLVED') succeeded(await run(dpo, 'resolveComplaint', id), 'resolving');
  return id;
}

/** Everything a refused mutation could have written: the whole case row and its child rows. */
async function snapshot(id: string) {
  const [row] = await t.sql(
    `SELECT to_jsonb(c) AS complaint,
            (SELECT count(*)::int FROM audit_events a WHERE a.complaint_id = c.id) AS "auditEvents",
            (SELECT count(*)::int FROM stage_transitions s WHERE s.complaint_id = c.id) AS "stageTransitions",
            (SELECT count(*)::int FROM notes n WHERE n.complaint_id = c.id) AS notes
       FROM complaints c WHERE c.id = $1`,
    [id],
  );
  return row as { complaint: Record<string, any>; auditEvents: number; stageTransitions: number; notes: number };
}

/** Runs a write that must fail with `code` and proves from the database that nothing changed. */
async function expectNothingWritten(id: string, code: string, write: () => Promise<GqlResult>): Promise<GqlResult> {
  const before = await snapshot(id);
  const res = await write();
  expect(res.errors?.[0]?.extensions?.code).toBe(code);
  expect(await snapshot(id)).toEqual(before);
  return res;
}

/** Audit events of a case, timer events (the system's, SPEC §5) left out. */
async function caseEvents(id: string): Promise<{ sequence: number; action: string; actor_id: string | null; actor_role: string | null; changes: any }[]> {
  const rows = await t.sql(`SELECT sequence, action, actor_id, actor_role, changes FROM audit_events WHERE complaint_id = $1 ORDER BY sequence`, [id]);
  return rows.filter((r) => !r.action.startsWith('SLA_'));
}

const lastEvent = async (id: string) => (await caseEvents(id)).at(-1)!;

function expectRecent(iso: string | null, startedAt: number): void {
  expect(iso).not.toBeNull();
  expect(Date.parse(iso!)).toBeGreaterThanOrEqual(startedAt - 1000);
  expect(Date.parse(iso!)).toBeLessThanOrEqual(Date.now() + 1000);
}

describe('the status machine', () => {
  test('walks OPEN → AWAITING_COMPLAINANT → OPEN → RESOLVED → OPEN → RESOLVED → CLOSED, one version per step, with the right fields', async () => {
    const startedAt = Date.now();
    const filed = await file();
    expect(filed).toMatchObject({
      status: 'OPEN',
      stage: 'INTERNAL_DPO',
      version: 1,
      resolvedAt: null,
      outcome: null,
      resolutionSummary: null,
      closedAt: null,
    });
    const id = filed.id;

    const awaiting = succeeded(await run(agent, 'awaitComplainant', id, { reason: 'asked for proof of identity' }), 'await');
    expect(awaiting).toMatchObject({ status: 'AWAITING_COMPLAINANT', version: 2, resolvedAt: null });
    expect(await lastEvent(id)).toMatchObject({
      action: 'STATUS_CHANGED',
      changes: { status: { from: 'OPEN', to: 'AWAITING_COMPLAINANT' }, reason: { changed: true } },
    });

    const resumed = succeeded(await run(agent, 'resumeComplaint', id), 'resume');
    expect(resumed).toMatchObject({ status: 'OPEN', version: 3 });
    expect(await lastEvent(id)).toMatchObject({ action: 'STATUS_CHANGED', changes: { status: { from: 'AWAITING_COMPLAINANT', to: 'OPEN' } } });

    const resolved = succeeded(await run(dpo, 'resolveComplaint', id, { outcome: 'UPHELD', summary: 'Copy of the data sent' }), 'resolve');
    expect(resolved).toMatchObject({ status: 'RESOLVED', version: 4, outcome: 'UPHELD', resolutionSummary: 'Copy of the data sent', closedAt: null });
    expectRecent(resolved.resolvedAt, startedAt);
    expect(await lastEvent(id)).toMatchObject({
      action: 'RESOLVED',
      changes: { status: { from: 'OPEN', to: 'RESOLVED' }, outcome: { from: null, to: 'UPHELD' } },
    });

    const reopened = succeeded(await run(dpo, 'reopenComplaint', id, { reason: 'the copy is incomplete' }), 'reopen');
    expect(reopened).toMatchObject({ status: 'OPEN', stage: 'INTERNAL_DPO', version: 5, outcome: null, resolutionSummary: null, resolvedAt: null });
    expect(await lastEvent(id)).toMatchObject({
      action: 'REOPENED',
      changes: { status: { from: 'RESOLVED', to: 'OPEN' }, outcome: { from: 'UPHELD', to: null } },
    });

    const again = succeeded(await run(dpo, 'resolveComplaint', id, { outcome: 'PARTIALLY_UPHELD', summary: 'Missing part sent' }), 'resolve again');
    expect(again).toMatchObject({ status: 'RESOLVED', version: 6, outcome: 'PARTIALLY_UPHELD', resolutionSummary: 'Missing part sent' });
    expectRecent(again.resolvedAt, startedAt);

    const closed = succeeded(await run(dpo, 'closeComplaint', id), 'close');
    expect(closed).toMatchObject({ status: 'CLOSED', version: 7, outcome: 'PARTIALLY_UPHELD', resolvedAt: again.resolvedAt });
    expectRecent(closed.closedAt, startedAt);
    expect(await lastEvent(id)).toMatchObject({ action: 'CLOSED', changes: { status: { from: 'RESOLVED', to: 'CLOSED' } } });

    const { complaint } = await snapshot(id);
    expect(complaint).toMatchObject({ status: 'CLOSED', stage: 'INTERNAL_DPO', version: 7, outcome: 'PARTIALLY_UPHELD' });
    expect((await caseEvents(id)).map((e) => e.action)).toEqual([
      'COMPLAINT_FILED',
      'STATUS_CHANGED',
      'STATUS_CHANGED',
      'RESOLVED',
      'REOPENED',
      'RESOLVED',
      'CLOSED',
    ]);
  });

  test('resolves straight from AWAITING_COMPLAINANT', async () => {
    const id = await caseIn('AWAITING_COMPLAINANT');
    const res = await run(dpo, 'resolveComplaint', id, { outcome: 'WITHDRAWN', summary: 'Complainant withdrew' });
    expect(res.errors).toBeUndefined();
    expect(res.data.resolveComplaint).toMatchObject({ status: 'RESOLVED', outcome: 'WITHDRAWN', version: 3 });
  });

  // SPEC §4: OPEN ⇄ AWAITING_COMPLAINANT; OPEN | AWAITING_COMPLAINANT → RESOLVED; RESOLVED → OPEN | CLOSED.
  const LEGAL: Record<string, string[]> = {
    awaitComplainant: ['OPEN'],
    resumeComplaint: ['AWAITING_COMPLAINANT'],
    resolveComplaint: ['OPEN', 'AWAITING_COMPLAINANT'],
    reopenComplaint: ['RESOLVED'],
    closeComplaint: ['RESOLVED'],
  };
  const ILLEGAL = (['OPEN', 'AWAITING_COMPLAINANT', 'RESOLVED', 'CLOSED'] as const).flatMap((status) =>
    (Object.keys(LEGAL) as Op[]).filter((op) => !LEGAL[op].includes(status)).map((op) => [op, status] as const),
  );

  test.each(ILLEGAL)('refuses %s when the case is %s with INVALID_TRANSITION, writing nothing', async (op, status) => {
    let id: string;
    if (status === 'CLOSED') {
      id = await caseIn('RESOLVED');
      succeeded(await run(dpo, 'closeComplaint', id), 'closing');
    } else {
      id = await caseIn(status);
    }
    const res = await expectNothingWritten(id, 'INVALID_TRANSITION', () => run(dpo, op, id));
    expect(res.errors![0].extensions.rule).toEqual(expect.any(String));
    expect(res.errors![0].message).toContain(status);
  });
});

describe('acknowledgeComplaint', () => {
  test('sets acknowledgedAt once; a second call returns the same acknowledgedAt and version and writes no audit event', async () => {
    const { id } = await file();
    const startedAt = Date.now();
    const first = succeeded(await run(agent, 'acknowledgeComplaint', id), 'acknowledge');
    expect(first.version).toBe(2);
    expectRecent(first.acknowledgedAt, startedAt);
    expect(await lastEvent(id)).toMatchObject({
      action: 'ACKNOWLEDGED',
      actor_id: AGENT_ID,
      changes: { acknowledgedAt: { from: null, to: first.acknowledgedAt } },
    });

    const before = await snapshot(id);
    const second = succeeded(await run(dpo, 'acknowledgeComplaint', id), 'acknowledge again');
    expect(second).toMatchObject({ acknowledgedAt: first.acknowledgedAt, version: 2 });
    expect(await snapshot(id)).toEqual(before);
  });
});

describe('assignComplaint', () => {
  test('an AGENT may assign a case to themselves', async () => {
    const { id } = await file();
    const c = succeeded(await run(agent, 'assignComplaint', id, { assigneeId: AGENT_ID }), 'assign to self');
    expect(c).toMatchObject({ assignee: { id: AGENT_ID }, version: 2 });
    expect(await lastEvent(id)).toMatchObject({ action: 'ASSIGNED', actor_id: AGENT_ID, changes: { assigneeId: { from: null, to: AGENT_ID } } });
  });

  test('an AGENT assigning a case to another user is FORBIDDEN, writing nothing', async () => {
    const { id } = await file();
    await expectNothingWritten(id, 'FORBIDDEN', () => run(agent, 'assignComplaint', id, { assigneeId: OTHER_AGENT_ID }));
  });

  test('the DPO assigns to any known user, and reassigns', async () => {
    const { id } = await file();
    expect(succeeded(await run(dpo, 'assignComplaint', id, { assigneeId: OTHER_AGENT_ID }), 'assign')).toMatchObject({
      assignee: { id: OTHER_AGENT_ID },
      version: 2,
    });
    expect(succeeded(await run(dpo, 'assignComplaint', id, { assigneeId: DPO_ID }), 'reassign')).toMatchObject({ assignee: { id: DPO_ID }, version: 3 });
    expect(await lastEvent(id)).toMatchObject({ action: 'ASSIGNED', actor_id: DPO_ID, changes: { assigneeId: { from: OTHER_AGENT_ID, to: DPO_ID } } });
  });

  test('an unknown assignee is BAD_USER_INPUT naming assigneeId, writing nothing', async () => {
    const { id } = await file();
    const res = await expectNothingWritten(id, 'BAD_USER_INPUT', () => run(dpo, 'assignComplaint', id, { assigneeId: 'nobody-here' }));
    expect(Object.keys(res.errors![0].extensions.fields ?? {})).toContain('assigneeId');
  });

  test('reassigning to the same person writes nothing', async () => {
    const { id } = await file();
    succeeded(await run(agent, 'assignComplaint', id, { assigneeId: AGENT_ID }), 'assign');
    const before = await snapshot(id);
    const again = succeeded(await run(dpo, 'assignComplaint', id, { assigneeId: AGENT_ID }), 'assign again');
    expect(again).toMatchObject({ assignee: { id: AGENT_ID }, version: 2 });
    expect(await snapshot(id)).toEqual(before);
  });
});

describe('updateComplainant', () => {
  const OLD = { name: 'Eva Example', email: 'eva@example.com', phone: '+49 30 1234567' };
  const NEW = { name: 'Eva Mustermann', email: 'eva.mustermann@example.org', phone: '+49 40 7654321' };

  test('an AGENT changes name, email and phone; the audit event records that they changed, never the values', async () => {
    const { id } = await file();
    const c = succeeded(await run(agent, 'updateComplainant', id, { input: NEW }), 'update');
    expect(c).toMatchObject({ complainant: NEW, version: 2 });
    const event = await lastEvent(id);
    expect(event.action).toBe('COMPLAINANT_UPDATED');
    const changed = Object.keys(event.changes).sort();
    expect(changed).toHaveLength(3);
    expect(changed[0]).toMatch(/email/);
    expect(changed[1]).toMatch(/name/);
    expect(changed[2]).toMatch(/phone/);
    for (const field of changed) expect(event.changes[field]).toEqual({ changed: true });

    const trail = JSON.stringify(await t.sql('SELECT * FROM audit_events WHERE complaint_id = $1', [id]));
    for (const value of [...Object.values(OLD), ...Object.values(NEW)]) expect(trail).not.toContain(value);
  });

  test('removing both email and phone is BAD_USER_INPUT, writing nothing', async () => {
    const { id } = await file();
    const res = await expectNothingWritten(id, 'BAD_USER_INPUT', () => run(agent, 'updateComplainant', id, { input: { email: null, phone: null } }));
    expect(Object.keys(res.errors![0].extensions.fields ?? {}).length).toBeGreaterThan(0);
  });

  test('a bad email is BAD_USER_INPUT naming input.email, writing nothing', async () => {
    const { id } = await file();
    const res = await expectNothingWritten(id, 'BAD_USER_INPUT', () => run(agent, 'updateComplainant', id, { input: { email: 'not-an-email' } }));
    expect(Object.keys(res.errors![0].extensions.fields ?? {})).toContain('input.email');
  });
});

describe('addNote', () => {
  test('returns the note (body, internal by default, author, createdAt) and the case lists it', async () => {
    const { id } = await file();
    const startedAt = Date.now();
    const note = succeeded(await t.gql(agent, OPS.addNote, { id, body: 'Called the complainant back' }), 'addNote');
    expect(note).toMatchObject({ id: expect.any(String), body: 'Called the complainant back', internal: true, author: { id: AGENT_ID } });
    expectRecent(note.createdAt, startedAt);
    const external = succeeded(await t.gql(dpo, OPS.addNote, { id, body: 'Letter sent', internal: false }), 'addNote external');
    expect(external).toMatchObject({ internal: false, author: { id: DPO_ID } });

    const res = await t.gql(agent, `query ($id: ID!) { complaint(id: $id) { notes { id body internal author { id } createdAt } } }`, { id });
    expect(res.data.complaint.notes).toEqual(expect.arrayContaining([note, external]));
    expect(res.data.complaint.notes).toHaveLength(2);
    expect((await caseEvents(id)).filter((e) => e.action === 'NOTE_ADDED')).toHaveLength(2);
  });
});

describe('recordPanelAdvice', () => {
  test('is refused outside DPA_PANEL with INVALID_TRANSITION, writing nothing', async () => {
    const { id } = await file();
    await expectNothingWritten(id, 'INVALID_TRANSITION', () => run(dpo, 'recordPanelAdvice', id));
    const atRegulator = await caseIn('OPEN');
    succeeded(await run(dpo, 'escalateComplaint', atRegulator, { to: 'REGULATOR' }), 'escalating');
    await expectNothingWritten(atRegulator, 'INVALID_TRANSITION', () => run(dpo, 'recordPanelAdvice', atRegulator));
  });

  test('a deliveredAt in the future is BAD_USER_INPUT, writing nothing', async () => {
    const id = await caseIn('DPA_PANEL');
    const res = await expectNothingWritten(id, 'BAD_USER_INPUT', () =>
      run(dpo, 'recordPanelAdvice', id, { deliveredAt: new Date(Date.now() + 3_600_000).toISOString() }),
    );
    expect(Object.keys(res.errors![0].extensions.fields ?? {}).join()).toContain('deliveredAt');
  });

  test('is recorded once at DPA_PANEL; a second time is INVALID_TRANSITION, writing nothing', async () => {
    const id = await caseIn('DPA_PANEL');
    const c = succeeded(await run(dpo, 'recordPanelAdvice', id), 'recordPanelAdvice');
    expect(c).toMatchObject({ stage: 'DPA_PANEL', status: 'OPEN', version: 3 });
    expect(await lastEvent(id)).toMatchObject({ action: 'PANEL_ADVICE_RECORDED', actor_id: DPO_ID });
    await expectNothingWritten(id, 'INVALID_TRANSITION', () => run(dpo, 'recordPanelAdvice', id, { summary: 'second advice' }));
  });
});

describe('who may change a case (SPEC §3)', () => {
  const cases = new Map<State, string>();
  beforeAll(async () => {
    for (const state of ['OPEN', 'AWAITING_COMPLAINANT', 'RESOLVED', 'DPA_PANEL'] as State[]) cases.set(state, await caseIn(state));
  });

  const DPO_ONLY: Op[] = ['escalateComplaint', 'resolveComplaint', 'reopenComplaint', 'closeComplaint', 'recordPanelAdvice'];
  test.each(DPO_ONLY)('an AGENT cannot %s: FORBIDDEN, nothing written', async (op) => {
    const id = cases.get(STATE_FOR[op])!;
    await expectNothingWritten(id, 'FORBIDDEN', () => run(agent, op, id));
  });

  const NOT_CASEWORKERS = ALL_OPS.flatMap(
    (op) =>
      [
        ['COMPLIANCE_OFFICER', op],
        ['ADMIN', op],
      ] as const,
  );
  test.each(NOT_CASEWORKERS)('a %s cannot %s: FORBIDDEN, nothing written', async (role, op) => {
    const id = cases.get(STATE_FOR[op])!;
    const token = role === 'ADMIN' ? admin : compliance;
    await expectNothingWritten(id, 'FORBIDDEN', () => run(token, op, id));
  });
});

describe('versions and concurrency', () => {
  test('10 concurrent escalations with the same expectedVersion: one wins, nine get CONFLICT with the current version', async () => {
    const { id, version } = await file();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => run(dpo, 'escalateComplaint', id, { to: 'REGULATOR', reason: `attempt ${i}`, v: version })),
    );
    const won = results.filter((r) => !r.errors);
    const conflicts = results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT');
    expect(won).toHaveLength(1);
    expect(conflicts).toHaveLength(9);
    for (const r of conflicts) expect(r.errors![0].extensions.currentVersion).toBe(version + 1);

    const after = await snapshot(id);
    expect(after.complaint).toMatchObject({ stage: 'REGULATOR', version: version + 1 });
    expect(after.stageTransitions).toBe(2);
    expect((await caseEvents(id)).filter((e) => e.action === 'STAGE_ESCALATED')).toHaveLength(1);
  });

  test('10 concurrent notes without expectedVersion all land, with a gap-free audit sequence that verifies', async () => {
    const { id } = await file();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => t.gql(agent, OPS.addNote, { id, body: `note ${i}` })));
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const notes = await t.sql('SELECT body FROM notes WHERE complaint_id = $1', [id]);
    expect(notes.map((n) => n.body).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `note ${i}`).sort());
    const all = await t.sql('SELECT sequence, action FROM audit_events WHERE complaint_id = $1 ORDER BY sequence', [id]);
    expect(all.map((e) => e.sequence)).toEqual(all.map((_, i) => i + 1));
    expect(all.filter((e) => e.action === 'NOTE_ADDED')).toHaveLength(10);
    const verified = await t.gql(dpo, `query ($id: ID!) { verifyAuditTrail(complaintId: $id) { valid eventsChecked brokenAtSequence } }`, { id });
    expect(verified.data.verifyAuditTrail).toEqual({ valid: true, eventsChecked: all.length, brokenAtSequence: null });
  });

  /** A case where `op` is legal, moved on at least once so that an older version exists. */
  async function movedOnCaseFor(op: Op): Promise<string> {
    const id = await caseIn(STATE_FOR[op]);
    if (STATE_FOR[op] === 'OPEN') {
      succeeded(await run(agent, 'awaitComplainant', id), 'awaiting');
      succeeded(await run(agent, 'resumeComplaint', id), 'resuming');
    }
    return id;
  }

  const VERSIONED = ALL_OPS.filter((op) => op !== 'addNote');
  test.each(VERSIONED)('a stale expectedVersion on %s is CONFLICT with the current version, writing nothing', async (op) => {
    const id = await movedOnCaseFor(op);
    const current = (await snapshot(id)).complaint.version;
    expect(current).toBeGreaterThan(1);
    const res = await expectNothingWritten(id, 'CONFLICT', () => run(dpo, op, id, { v: current - 1 }));
    expect(res.errors![0].extensions.currentVersion).toBe(current);
  });

  test.each(VERSIONED)('the current expectedVersion on %s goes through', async (op) => {
    const id = await movedOnCaseFor(op);
    const current = (await snapshot(id)).complaint.version;
    const res = await run(dpo, op, id, { v: current });
    expect(res.errors).toBeUndefined();
  });
});

describe('the audit trail', () => {
  test('the audit trail of a full walk reads as a story', async () => {
    const startedAt = Date.now();
    const { id } = await file();
    const steps: [string, Op, Record<string, unknown>][] = [
      [agent, 'acknowledgeComplaint', {}],
      [agent, 'assignComplaint', { assigneeId: AGENT_ID }],
      [agent, 'addNote', { body: 'Asked IT for the export' }],
      [agent, 'awaitComplainant', { reason: 'asked for proof of identity' }],
      [agent, 'resumeComplaint', {}],
      [dpo, 'escalateComplaint', { to: 'INDEPENDENT_ADR', reason: 'complainant rejects our answer' }],
      [dpo, 'resolveComplaint', { outcome: 'SETTLED', summary: 'Settled before the ADR provider' }],
      [dpo, 'reopenComplaint', { reason: 'settlement not honoured' }],
      [dpo, 'resolveComplaint', { outcome: 'UPHELD', summary: 'ADR provider upheld the complaint' }],
      [dpo, 'closeComplaint', {}],
    ];
    for (const [token, op, variables] of steps) succeeded(await run(token, op, id, variables), op);

    const res = await t.gql(
      dpo,
      `query ($id: ID!) { auditTrail(complaintId: $id, first: 100) {
      edges { node { sequence action actor { id } actorRole at changes } } pageInfo { hasNextPage } } }`,
      { id },
    );
    expect(res.errors).toBeUndefined();
    const events = res.data.auditTrail.edges.map((e: any) => e.node);
    expect(res.data.auditTrail.pageInfo.hasNextPage).toBe(false);
    expect(events.map((e: any) => e.sequence)).toEqual(events.map((_: unknown, i: number) => i + 1));
    for (let i = 1; i < events.length; i++) expect(Date.parse(events[i].at)).toBeGreaterThanOrEqual(Date.parse(events[i - 1].at));
    expect(Date.parse(events[0].at)).toBeGreaterThanOrEqual(startedAt - 1000);

    // Every event names who did it; only a timer firing on its own (warning, breach) is the system's.
    for (const e of events.filter((e: any) => !['SLA_WARNING', 'SLA_BREACHED'].includes(e.action))) {
      expect({ sequence: e.sequence, actor: e.actor, actorRole: e.actorRole }).toEqual({
        sequence: e.sequence,
        actor: { id: expect.any(String) },
        actorRole: expect.any(String),
      });
    }
    // Timer bookkeeping (SPEC §5) interleaves; the story is the case's own events.
    const story = events.filter((e: any) => !e.action.startsWith('SLA_'));
    expect(story.map((e: any) => [e.action, e.actor?.id, e.actorRole])).toEqual([
      ['COMPLAINT_FILED', AGENT_ID, 'AGENT'],
      ['ACKNOWLEDGED', AGENT_ID, 'AGENT'],
      ['ASSIGNED', AGENT_ID, 'AGENT'],
      ['NOTE_ADDED', AGENT_ID, 'AGENT'],
      ['STATUS_CHANGED', AGENT_ID, 'AGENT'],
      ['STATUS_CHANGED', AGENT_ID, 'AGENT'],
      ['STAGE_ESCALATED', DPO_ID, 'DPO'],
      ['RESOLVED', DPO_ID, 'DPO'],
      ['REOPENED', DPO_ID, 'DPO'],
      ['RESOLVED', DPO_ID, 'DPO'],
      ['CLOSED', DPO_ID, 'DPO'],
    ]);
    const changes = story.map((e: any) => e.changes);
    expect(changes[2]).toMatchObject({ assigneeId: { from: null, to: AGENT_ID } });
    expect(changes[4]).toMatchObject({ status: { from: 'OPEN', to: 'AWAITING_COMPLAINANT' } });
    expect(changes[5]).toMatchObject({ status: { from: 'AWAITING_COMPLAINANT', to: 'OPEN' } });
    // Reasons and summaries are free text (SPEC §3, §6): only that they were set or changed.
    expect(changes[6]).toMatchObject({ stage: { from: 'INTERNAL_DPO', to: 'INDEPENDENT_ADR' }, reason: { changed: true } });
    expect(changes[7]).toMatchObject({
      status: { from: 'OPEN', to: 'RESOLVED' },
      outcome: { from: null, to: 'SETTLED' },
      resolutionSummary: { changed: true },
    });
    expect(changes[8]).toMatchObject({ status: { from: 'RESOLVED', to: 'OPEN' }, outcome: { from: 'SETTLED', to: null }, reason: { changed: true } });
    for (const text of ['complainant rejects', 'Settled before', 'settlement not honoured', 'ADR provider upheld', 'proof of identity']) {
      expect(JSON.stringify(changes)).not.toContain(text);
    }
    expect(changes[9]).toMatchObject({ status: { from: 'OPEN', to: 'RESOLVED' }, outcome: { from: null, to: 'UPHELD' } });
    expect(changes[10]).toMatchObject({ status: { from: 'RESOLVED', to: 'CLOSED' } });

    const verified = await t.gql(dpo, `query ($id: ID!) { verifyAuditTrail(complaintId: $id) { valid eventsChecked brokenAtSequence } }`, { id });
    expect(verified.data.verifyAuditTrail).toEqual({ valid: true, eventsChecked: events.length, brokenAtSequence: null });
  });
});

describe('resolution at the arbitration panel', () => {
  const ESCALATE = 'mutation($id: ID!, $to: ComplaintStage!) { escalateComplaint(id: $id, to: $to, reason: "next rung") { stage } }';
  const RESOLVE =
    'mutation($id: ID!, $o: ComplaintOutcome!, $s: String!) { resolveComplaint(id: $id, outcome: $o, summary: $s) { outcome resolutionSummary } }';

  test('an UPHELD or SETTLED panel decision records in its summary that it is binding and non-monetary (DPF Annex I)', async () => {
    for (const outcome of ['UPHELD', 'SETTLED']) {
      const { id } = await file({ jurisdiction: 'DE' }, dpo);
      succeeded(await t.gql(dpo, ESCALATE, { id, to: 'INDEPENDENT_ADR' }), 'to ADR');
      succeeded(await t.gql(dpo, ESCALATE, { id, to: 'REGULATOR' }), 'to regulator');
      succeeded(await t.gql(dpo, RESOLVE, { id, o: 'NOT_UPHELD', s: 'Referral closed' }), 'regulator resolves');
      succeeded(await t.gql(dpo, ESCALATE, { id, to: 'ARBITRATION_PANEL' }), 'to arbitration');
      const resolved = succeeded(await t.gql(dpo, RESOLVE, { id, o: outcome, s: 'Delete the data by 1 March.' }), 'panel decides');
      expect(resolved).toEqual({
        outcome,
        resolutionSummary: `Arbitration panel (DPF Annex I, non-monetary relief only): ${outcome}. Delete the data by 1 March.`,
      });
    }
  });

  test('a resolution at another stage keeps the summary as written', async () => {
    const { id } = await file({ jurisdiction: 'DE' }, dpo);
    const resolved = succeeded(await t.gql(dpo, RESOLVE, { id, o: 'SETTLED', s: 'Copy of data sent.' }), 'resolve');
    expect(resolved.resolutionSummary).toBe('Copy of data sent.');
  });
});
