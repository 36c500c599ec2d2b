import { Role } from '../src/auth/roles';
import { createLogger } from '../src/logger';
import { purgeExpiredTenants } from '../src/services/retention.service';
import { sweepDueTimers } from '../src/worker/sla-worker';
import { complaintInput } from './support/factories';
import { errorCode, GqlResult, startTestApp, TestApp } from './support/harness';

/**
 * The privacy operations of SPEC §7 through the API: erasure of a complainant's data,
 * the child-data rule, contract termination and the retention purge.
 */

const TENANT = 'privacy';
const DAY = 86_400_000;
const log = createLogger('silent');

const COMPLAINANT = `complainant { name email phone involvesChildUnder13 erasedAt }`;
const CASE = `id reference status description closedAt version regimes ${COMPLAINANT} notes { id body }`;
const OPS = {
  file: `mutation ($input: FileComplaintInput!, $key: String) { fileComplaint(input: $input, idempotencyKey: $key) { ${CASE} } }`,
  complaint: `query ($id: ID!) { complaint(id: $id) { ${CASE} } }`,
  complaints: `query { complaints(first: 100) { edges { node { id ${COMPLAINANT} } } } }`,
  addNote: `mutation ($id: ID!, $body: String!, $internal: Boolean) { addNote(complaintId: $id, body: $body, internal: $internal) { id } }`,
  updateComplainant: `mutation ($id: ID!, $input: UpdateComplainantInput!) { updateComplainant(id: $id, input: $input) { ${CASE} } }`,
  erase: `mutation ($id: ID!, $reason: String!) { eraseComplainantData(id: $id, reason: $reason) { ${CASE} } }`,
  acknowledge: `mutation ($id: ID!) { acknowledgeComplaint(id: $id) { id } }`,
  escalate: `mutation ($id: ID!, $to: ComplaintStage!) { escalateComplaint(id: $id, to: $to, reason: "complainant asked for ADR") { id } }`,
  resolve: `mutation ($id: ID!, $outcome: ComplaintOutcome!) { resolveComplaint(id: $id, outcome: $outcome, summary: "Copy of the data sent") { id } }`,
  close: `mutation ($id: ID!) { closeComplaint(id: $id) { id } }`,
  verify: `query ($id: ID!) { verifyAuditTrail(complaintId: $id) { valid eventsChecked brokenAtSequence } }`,
  terminate: `mutation ($at: DateTime, $days: Int) { terminateContract(terminatedAt: $at, retentionDays: $days) { id contractTerminatedAt retentionDays } }`,
  terminateNow: `mutation { terminateContract { id contractTerminatedAt retentionDays } }`,
};

let t: TestApp;
const tokenFor = (role: Role, tid = TENANT) => t.token(role, { tid, sub: `${tid}-${role.toLowerCase()}` });

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

function ok<T = any>(res: GqlResult, what: string): T {
  if (res.errors || !res.data) throw new Error(`${what} failed: ${JSON.stringify(res.errors ?? res.body)}`);
  return Object.values(res.data)[0] as T;
}

/** Everything a refused write could have changed: the case row, its note bodies, its trail. */
async function snapshot(id: string) {
  const [row] = await t.sql(
    `SELECT to_jsonb(c) AS complaint,
            (SELECT array_agg(body ORDER BY id) FROM notes n WHERE n.complaint_id = c.id) AS notes,
            (SELECT count(*)::int FROM audit_events a WHERE a.complaint_id = c.id) AS "auditEvents"
       FROM complaints c WHERE c.id = $1`,
    [id],
  );
  return row;
}

async function expectRefused(res: GqlResult, code: string, id: string, before: unknown): Promise<void> {
  expect(errorCode(res)).toBe(code);
  expect(await snapshot(id)).toEqual(before);
}

// ---------------------------------------------------------------------------------------

describe('eraseComplainantData', () => {
  const PII = { name: 'Zelda Erasable-7731', email: 'zelda.erasable@privacy.example', phone: '+44 20 7946 0991' };
  const RENAMED = 'Zelda Renamed-5512';
  const DESCRIPTION = 'Zelda-desc-4471: my neighbour, who works there, read my medical file';
  const NOTES = ['secret-note-1: called Zelda at home on her private number', 'secret-note-2: she sent a passport scan as proof of identity'];
  /** Distinctive fragments of every value the erasure removes, including a name corrected before it. */
  const ERASED_FRAGMENTS = [
    'Zelda',
    'Erasable-7731',
    'zelda.erasable',
    '7946 0991',
    'Renamed-5512',
    'desc-4471',
    'medical file',
    'secret-note',
    'passport scan',
  ];

  let agent: string;
  let dpo: string;
  let erased: any;
  let id: string;

  beforeAll(async () => {
    agent = await tokenFor(Role.AGENT);
    dpo = await tokenFor(Role.DPO);
    const input = complaintInput({ complainant: PII, jurisdiction: 'GB', description: DESCRIPTION });
    id = ok(await t.gql(agent, OPS.file, { input }), 'filing').id;
    ok(await t.gql(agent, OPS.addNote, { id, body: NOTES[0], internal: true }), 'agent note');
    ok(await t.gql(dpo, OPS.addNote, { id, body: NOTES[1], internal: false }), 'DPO note');
    ok(await t.gql(agent, OPS.updateComplainant, { id, input: { name: RENAMED } }), 'correcting the name');
    erased = ok(await t.gql(dpo, OPS.erase, { id, reason: 'GDPR Art. 17 request by the complainant' }), 'erasure');
  });

  test("nulls the complainant's name, email and phone and sets erasedAt", async () => {
    expect(erased.complainant).toEqual({ name: null, email: null, phone: null, involvesChildUnder13: false, erasedAt: expect.any(String) });
    expect(Date.now() - new Date(erased.complainant.erasedAt).getTime()).toBeLessThan(60_000);
    const [row] = await t.sql('SELECT complainant_name, complainant_email, complainant_phone, complainant_erased_at FROM complaints WHERE id = $1', [id]);
    expect(row).toEqual({ complainant_name: null, complainant_email: null, complainant_phone: null, complainant_erased_at: expect.any(Date) });
    const reread = ok(await t.gql(dpo, OPS.complaint, { id }), 'reading back');
    expect(reread.complainant).toEqual(erased.complainant);
  });

  test('replaces the description and every note body with [erased]', async () => {
    expect(erased.description).toBe('[erased]');
    expect(erased.notes.map((n: any) => n.body)).toEqual(['[erased]', '[erased]']);
    const [row] = await t.sql('SELECT description FROM complaints WHERE id = $1', [id]);
    expect(row.description).toBe('[erased]');
    const notes = await t.sql('SELECT body FROM notes WHERE complaint_id = $1', [id]);
    expect(notes.map((n) => n.body)).toEqual(['[erased]', '[erased]']);
  });

  test('writes exactly one COMPLAINANT_DATA_ERASED event and the trail still verifies', async () => {
    const events = await t.sql('SELECT action FROM audit_events WHERE complaint_id = $1 ORDER BY sequence', [id]);
    expect(events.filter((e) => e.action === 'COMPLAINANT_DATA_ERASED')).toHaveLength(1);
    expect(events[events.length - 1].action).toBe('COMPLAINANT_DATA_ERASED');
    const verification = ok(await t.gql(await tokenFor(Role.COMPLIANCE_OFFICER), OPS.verify, { id }), 'verifyAuditTrail');
    expect(verification).toEqual({ valid: true, eventsChecked: events.length, brokenAtSequence: null });
  });

  test('leaves none of the erased values in the stored audit trail', async () => {
    const rows = await t.sql('SELECT changes::text AS changes, to_jsonb(a)::text AS whole FROM audit_events a WHERE tenant_id = $1', [TENANT]);
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      for (const fragment of ERASED_FRAGMENTS) {
        expect(row.changes).not.toContain(fragment);
        expect(row.whole).not.toContain(fragment);
      }
    }
  });

  test('a second erasure is refused and changes nothing', async () => {
    const before = await snapshot(id);
    await expectRefused(await t.gql(dpo, OPS.erase, { id, reason: 'again' }), 'INVALID_TRANSITION', id, before);
  });

  test('updateComplainant after erasure is refused and changes nothing', async () => {
    const before = await snapshot(id);
    const res = await t.gql(agent, OPS.updateComplainant, { id, input: { name: 'Zelda Returns', email: 'back@privacy.example' } });
    await expectRefused(res, 'INVALID_TRANSITION', id, before);
  });

  test('works on a CLOSED case, which stays closed', async () => {
    const c = ok(
      await t.gql(agent, OPS.file, { input: complaintInput({ complainant: { name: 'Konrad Closed', email: 'konrad@privacy.example' } }) }),
      'filing',
    );
    ok(await t.gql(agent, OPS.addNote, { id: c.id, body: 'Konrad called about his file' }), 'note');
    ok(await t.gql(dpo, OPS.resolve, { id: c.id, outcome: 'UPHELD' }), 'resolving');
    ok(await t.gql(dpo, OPS.close, { id: c.id }), 'closing');
    const [{ closed_at: closedAt }] = await t.sql('SELECT closed_at FROM complaints WHERE id = $1', [c.id]);
    const done = ok(await t.gql(dpo, OPS.erase, { id: c.id, reason: 'erasure request after closure' }), 'erasing a closed case');
    expect(done).toMatchObject({ status: 'CLOSED', description: '[erased]', complainant: { name: null, email: null, phone: null } });
    expect(done.complainant.erasedAt).not.toBeNull();
    expect(done.notes.map((n: any) => n.body)).toEqual(['[erased]']);
    expect(new Date(done.closedAt).getTime()).toBe(closedAt.getTime());
    expect(ok(await t.gql(dpo, OPS.verify, { id: c.id }), 'verifyAuditTrail')).toMatchObject({ valid: true, brokenAtSequence: null });
  });

  test.each([Role.AGENT, Role.COMPLIANCE_OFFICER, Role.ADMIN])('refuses the role %s and changes nothing', async (role) => {
    const c = ok(await t.gql(agent, OPS.file, { input: complaintInput({ complainant: { name: 'Petra Present', email: 'petra@privacy.example' } }) }), 'filing');
    const before = await snapshot(c.id);
    expect(before.complaint.complainant_name).toBe('Petra Present');
    await expectRefused(await t.gql(await tokenFor(role), OPS.erase, { id: c.id, reason: 'not mine to erase' }), 'FORBIDDEN', c.id, before);
  });
});

// ---------------------------------------------------------------------------------------

describe('a complaint involving a child under 13', () => {
  const CHILD = { name: 'Timmy Minor-3321', email: 'parent.minor@privacy.example', phone: '+1 415 555 0142', involvesChildUnder13: true };
  let id: string;
  let filedByAgent: any;

  beforeAll(async () => {
    const input = complaintInput({ complainant: CHILD, jurisdiction: 'US-CA', rights: ['ERASURE'] });
    filedByAgent = ok(await t.gql(await tokenFor(Role.AGENT), OPS.file, { input }), 'filing a child case');
    id = filedByAgent.id;
  });

  test('writes CHILD_DATA_FLAGGED at filing, right after COMPLAINT_FILED', async () => {
    const events = await t.sql('SELECT action, request_id FROM audit_events WHERE complaint_id = $1 ORDER BY sequence', [id]);
    expect(events.slice(0, 2).map((e) => e.action)).toEqual(['COMPLAINT_FILED', 'CHILD_DATA_FLAGGED']);
    expect(events[1].request_id).toBe(events[0].request_id);
    expect(events.filter((e) => e.action === 'CHILD_DATA_FLAGGED')).toHaveLength(1);
    expect(filedByAgent.regimes).toContain('COPPA');
  });

  test('writes no CHILD_DATA_FLAGGED for an adult complainant', async () => {
    const adult = ok(await t.gql(await tokenFor(Role.AGENT), OPS.file, { input: complaintInput({ jurisdiction: 'US-CA' }) }), 'filing');
    const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM audit_events WHERE complaint_id = $1 AND action = 'CHILD_DATA_FLAGGED'`, [adult.id]);
    expect(n).toBe(0);
  });

  test('shows the PII to the DPO', async () => {
    const c = ok(await t.gql(await tokenFor(Role.DPO), OPS.complaint, { id }), 'DPO read');
    expect(c.complainant).toEqual({ ...CHILD, erasedAt: null });
  });

  test.each([Role.AGENT, Role.COMPLIANCE_OFFICER, Role.ADMIN])('masks the PII for the role %s, in a single read and in lists', async (role) => {
    const masked = { name: '***', email: '***', phone: '***', involvesChildUnder13: true, erasedAt: null };
    const token = await tokenFor(role);
    expect(ok(await t.gql(token, OPS.complaint, { id }), 'read').complainant).toEqual(masked);
    const list = ok(await t.gql(token, OPS.complaints), 'list');
    expect(list.edges.find((e: any) => e.node.id === id).node.complainant).toEqual(masked);
  });

  test("a search by the child's name or email finds the case for the DPO only", async () => {
    const search = `query ($s: String!) { complaints(filter: { search: $s }) { edges { node { id } } } }`;
    for (const [role, visible] of [
      [Role.DPO, true],
      [Role.AGENT, false],
      [Role.COMPLIANCE_OFFICER, false],
      [Role.ADMIN, false],
    ] as const) {
      for (const s of ['Minor-3321', 'parent.minor@']) {
        const ids = ok(await t.gql(await tokenFor(role), search, { s }), 'search').edges.map((e: any) => e.node.id);
        expect({ role, s, found: ids.includes(id) }).toEqual({ role, s, found: visible });
      }
    }
  });

  test('masks the PII even in the filing response to the AGENT who filed it', () => {
    expect(filedByAgent.complainant).toEqual({ name: '***', email: '***', phone: '***', involvesChildUnder13: true, erasedAt: null });
  });

  test('an adult complainant stays visible to the AGENT and masked for the COMPLIANCE_OFFICER and ADMIN', async () => {
    const adult = ok(
      await t.gql(await tokenFor(Role.AGENT), OPS.file, { input: complaintInput({ complainant: { name: 'Ada Adult', email: 'ada@privacy.example' } }) }),
      'filing',
    );
    expect(adult.complainant.name).toBe('Ada Adult');
    for (const role of [Role.COMPLIANCE_OFFICER, Role.ADMIN]) {
      expect(ok(await t.gql(await tokenFor(role), OPS.complaint, { id: adult.id }), 'read').complainant).toMatchObject({ name: '***', email: '***' });
    }
  });
});

// ---------------------------------------------------------------------------------------

describe('terminateContract', () => {
  const TID = 'ret-settings';
  const contractOf = async () => (await t.sql('SELECT contract_terminated_at, retention_days FROM tenants WHERE id = $1', [TID]))[0];

  beforeAll(async () => {
    ok(await t.gql(await tokenFor(Role.ADMIN, TID), '{ me { tenantId } }'), 'provisioning');
  });

  test.each([Role.AGENT, Role.DPO, Role.COMPLIANCE_OFFICER])('refuses the role %s and changes nothing', async (role) => {
    const res = await t.gql(await tokenFor(role, TID), OPS.terminate, { at: new Date().toISOString(), days: 30 });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(await contractOf()).toEqual({ contract_terminated_at: null, retention_days: 90 });
  });

  test('refuses a retention beyond 90 days, naming the field', async () => {
    const res = await t.gql(await tokenFor(Role.ADMIN, TID), OPS.terminate, { at: new Date().toISOString(), days: 91 });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(Object.keys(res.errors![0].extensions.fields ?? {}).join(' ')).toContain('retentionDays');
    expect(await contractOf()).toEqual({ contract_terminated_at: null, retention_days: 90 });
  });

  test('an ADMIN sets the contract end and the retention', async () => {
    const at = new Date(Date.now() - 5 * DAY);
    const res = ok(await t.gql(await tokenFor(Role.ADMIN, TID), OPS.terminate, { at: at.toISOString(), days: 30 }), 'terminateContract');
    expect(res).toEqual({ id: TID, contractTerminatedAt: at.toISOString(), retentionDays: 30 });
    expect(await contractOf()).toEqual({ contract_terminated_at: at, retention_days: 30 });
  });

  test('defaults to now and 90 days', async () => {
    const res = ok(await t.gql(await tokenFor(Role.ADMIN, TID), OPS.terminateNow), 'terminateContract');
    expect(res.retentionDays).toBe(90);
    expect(Math.abs(Date.now() - new Date(res.contractTerminatedAt).getTime())).toBeLessThan(60_000);
  });
});

// ---------------------------------------------------------------------------------------

describe('purgeExpiredTenants', () => {
  const EXPIRED = 'ret-expired-q7x';
  const GRACE = 'ret-grace-q7x';
  const ACTIVE = 'ret-active-q7x';
  const TABLES = ['complaints', 'notes', 'sla_timers', 'stage_transitions', 'audit_events', 'users', 'sla_policies', 'idempotency_keys', 'reference_counters'];

  /** Per table, the rows a tenant holds (as the owner: RLS doesn't apply). */
  async function counts(tid: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of TABLES) out[table] = (await t.sql(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tid]))[0].n;
    return out;
  }
  const aggregates = () =>
    t.sql(
      'SELECT month::text AS month, complaints, by_stage, by_right, by_outcome, by_regime, sla_met, sla_breached FROM retained_aggregates ORDER BY month, id',
    );

  /**
   * A tenant with real casework through the API: complaints received over four months
   * (mid-month, so the month is the same in any time zone), notes, an idempotency key,
   * acknowledgements, escalations, resolutions, a closure, and clocks breached by the sweep.
   */
  async function seedTenant(tid: string): Promise<void> {
    const agent = await tokenFor(Role.AGENT, tid);
    const dpo = await tokenFor(Role.DPO, tid);
    const now = new Date();
    for (let k = 0; k < 8; k++) {
      const receivedAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1 - (k % 4), 10 + k, 9, 30));
      const jurisdiction = ['DE', 'US-CA', 'JP', 'GB'][k % 4];
      const input = complaintInput({
        complainant: { name: `Rita Retained-${tid}-${k}`, email: `rita${k}@${tid}.example`, phone: '+49 89 555 0177' },
        jurisdiction,
        rights: k % 2 ? ['ACCESS', 'ERASURE'] : ['OBJECTION'],
        summary: `Retention case ${k} of ${tid}`,
        receivedAt: receivedAt.toISOString(),
      });
      const { id } = ok(await t.gql(agent, OPS.file, { input, key: k === 0 ? `intake-${tid}` : null }), 'filing');
      ok(await t.gql(agent, OPS.addNote, { id, body: `Spoke to Rita about case ${k}` }), 'note');
      if (k % 4 === 1) ok(await t.gql(agent, OPS.acknowledge, { id }), 'acknowledging');
      if (k === 0) ok(await t.gql(dpo, OPS.escalate, { id, to: 'INDEPENDENT_ADR' }), 'escalating');
      if (k === 3) ok(await t.gql(dpo, OPS.escalate, { id, to: 'REGULATOR' }), 'escalating');
      if (k >= 4) ok(await t.gql(dpo, OPS.resolve, { id, outcome: ['UPHELD', 'NOT_UPHELD', 'SETTLED', 'UPHELD'][k - 4] }), 'resolving');
      if (k === 7) ok(await t.gql(dpo, OPS.close, { id }), 'closing');
    }
  }

  /** What the aggregates must say: per UTC month of receipt, computed from the rows. */
  async function expectedAggregates(tid: string) {
    const complaints = await t.sql('SELECT id, stage, rights, regimes, outcome, received_at FROM complaints WHERE tenant_id = $1', [tid]);
    const timers = await t.sql('SELECT complaint_id, status FROM sla_timers WHERE tenant_id = $1', [tid]);
    const monthOf = (d: Date) => `${d.toISOString().slice(0, 7)}-01`;
    const byMonth = new Map<string, any>();
    const bump = (o: Record<string, number>, k: string) => (o[k] = (o[k] ?? 0) + 1);
    for (const c of complaints) {
      const m = monthOf(c.received_at);
      if (!byMonth.has(m)) byMonth.set(m, { month: m, complaints: 0, by_stage: {}, by_right: {}, by_outcome: {}, by_regime: {}, sla_met: 0, sla_breached: 0 });
      const a = byMonth.get(m);
      a.complaints++;
      bump(a.by_stage, c.stage);
      c.rights.forEach((r: string) => bump(a.by_right, r));
      c.regimes.forEach((r: string) => bump(a.by_regime, r));
      if (c.outcome) bump(a.by_outcome, c.outcome);
      const own = timers.filter((tm) => tm.complaint_id === c.id);
      a.sla_met += own.filter((tm) => tm.status === 'MET').length;
      a.sla_breached += own.filter((tm) => tm.status === 'BREACHED').length;
    }
    return [...byMonth.values()].sort((x, y) => x.month.localeCompare(y.month));
  }

  let before: Record<string, Record<string, number>>;
  let expected: any[];
  let identifying: string[];
  let purged: string[];

  beforeAll(async () => {
    for (const tid of [EXPIRED, GRACE, ACTIVE]) {
      for (const role of [Role.AGENT, Role.DPO, Role.COMPLIANCE_OFFICER, Role.ADMIN])
        ok(await t.gql(await tokenFor(role, tid), '{ me { tenantId } }'), 'provisioning');
      await seedTenant(tid);
    }
    await sweepDueTimers(t.dataSource, log);
    const admin = (tid: string) => tokenFor(Role.ADMIN, tid);
    ok(await t.gql(await admin(EXPIRED), OPS.terminate, { at: new Date(Date.now() - 91 * DAY).toISOString(), days: 90 }), 'terminating 91 days ago');
    ok(await t.gql(await admin(GRACE), OPS.terminate, { at: new Date(Date.now() - 89 * DAY).toISOString(), days: 90 }), 'terminating 89 days ago');

    before = { [EXPIRED]: await counts(EXPIRED), [GRACE]: await counts(GRACE), [ACTIVE]: await counts(ACTIVE) };
    expected = await expectedAggregates(EXPIRED);
    const rows = await t.sql('SELECT id::text, reference, complainant_name, complainant_email, complainant_phone FROM complaints WHERE tenant_id = $1', [
      EXPIRED,
    ]);
    const users = await t.sql('SELECT id, name FROM users WHERE tenant_id = $1', [EXPIRED]);
    identifying = [
      EXPIRED,
      ...rows.flatMap((r) => [r.id, r.reference, r.complainant_name, r.complainant_email, r.complainant_phone]),
      ...users.flatMap((u) => [u.id, u.name]),
    ];
    expect(await aggregates()).toEqual([]);
    purged = await purgeExpiredTenants(t.dataSource, log);
  }, 60_000);

  test('the fixture had data of every kind to purge', () => {
    for (const table of TABLES) expect({ table, n: before[EXPIRED][table] > 0 }).toEqual({ table, n: true });
    expect(expected.reduce((n, m) => n + m.sla_breached, 0)).toBeGreaterThan(0);
    expect(expected.reduce((n, m) => n + m.sla_met, 0)).toBeGreaterThan(0);
  });

  test('purges only the tenant whose contract ended more than 90 days ago', () => {
    expect(purged).toEqual([EXPIRED]);
  });

  test('deletes all of its data, audit trail included', async () => {
    expect(await counts(EXPIRED)).toEqual(Object.fromEntries(TABLES.map((table) => [table, 0])));
  });

  test('leaves a tenant still within its 90 days and a tenant never terminated untouched', async () => {
    expect(await counts(GRACE)).toEqual(before[GRACE]);
    expect(await counts(ACTIVE)).toEqual(before[ACTIVE]);
    const [c] = await t.sql('SELECT id FROM complaints WHERE tenant_id = $1 LIMIT 1', [GRACE]);
    expect(ok(await t.gql(await tokenFor(Role.DPO, GRACE), OPS.verify, { id: c.id }), 'verifyAuditTrail').valid).toBe(true);
  });

  test('keeps monthly aggregates with the right counts', async () => {
    const kept = await aggregates();
    expect(kept).toEqual(expected);
    expect(kept.map((m) => m.complaints)).toEqual([2, 2, 2, 2]);
  });

  test('the aggregates hold no personal data and no ids', async () => {
    const texts = (await t.sql('SELECT to_jsonb(r)::text AS text FROM retained_aggregates r')).map((r) => r.text as string);
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) {
      for (const value of identifying.filter(Boolean)) expect(text).not.toContain(value);
      expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
      expect(text).not.toMatch(/PC-\d{4}-\d{6}|@|Rita|ret-/);
    }
  });

  test('running the purge again changes nothing', async () => {
    const kept = await aggregates();
    expect(await purgeExpiredTenants(t.dataSource, log)).toEqual([]);
    expect(await aggregates()).toEqual(kept);
    expect(await counts(EXPIRED)).toEqual(Object.fromEntries(TABLES.map((table) => [table, 0])));
    expect(await counts(GRACE)).toEqual(before[GRACE]);
    expect(await counts(ACTIVE)).toEqual(before[ACTIVE]);
  });

  test("a purged tenant's tokens are refused and provision no one, and its timer jobs are gone", async () => {
    const res = await t.gql(await t.token(Role.AGENT, { tid: EXPIRED, sub: 'late-visitor' }), '{ me { tenantId } }');
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(await t.sql('SELECT 1 FROM users WHERE tenant_id = $1', [EXPIRED])).toEqual([]);
    expect(await t.sql(`SELECT key FROM graphile_worker._private_jobs WHERE payload->>'tenantId' = $1`, [EXPIRED])).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------

describe('free text (SPEC §3): one list for masking, search, the audit trail and erasure', () => {
  /** Distinctive values typed into every free-text field a case can hold. */
  const TEXT = {
    summary: 'FT-summary Quintus Quibble wants his file',
    description: 'FT-description: Quintus lives at 12 Quibble Lane',
    note: 'FT-note: Quintus called from his mobile',
    awaitReason: 'FT-await: asked Quintus for his passport',
    extensionReason: 'FT-extension: Quintus sent 40 boxes of letters',
    escalationReason: 'FT-escalation: Quintus wants the ADR provider',
    resolution: 'FT-resolution: sent Quintus his file',
    panelAdvice: 'FT-panel: delete the appraisal of Quintus',
  };
  const VALUES = Object.values(TEXT);
  const CASE_TEXT = `id summary description resolutionSummary notes { body } stageHistory { reason } slaTimers { kind regime extended extensionReason }
    auditTrail(first: 100) { edges { node { action changes } } }`;
  const READ = `query ($id: ID!) { complaint(id: $id) { ${CASE_TEXT} } }`;

  let dpo: string;
  let agent: string;

  /** A GDPR case with every free text filled in: note, await reason, extension, escalation, resolution. */
  async function caseWithText(complainant: Record<string, unknown>): Promise<string> {
    const input = complaintInput({ complainant, summary: TEXT.summary, description: TEXT.description, jurisdiction: 'DE' });
    const id = ok(await t.gql(agent, OPS.file, { input }), 'filing').id;
    ok(await t.gql(agent, OPS.addNote, { id, body: TEXT.note }), 'note');
    ok(await t.gql(agent, `mutation ($id: ID!, $r: String!) { awaitComplainant(id: $id, reason: $r) { id } }`, { id, r: TEXT.awaitReason }), 'await');
    ok(await t.gql(agent, `mutation ($id: ID!) { resumeComplaint(id: $id) { id } }`, { id }), 'resume');
    const timers = ok(await t.gql(dpo, `query ($id: ID!) { complaint(id: $id) { slaTimers { id regime kind } } }`, { id }), 'timers').slaTimers;
    const gdpr = timers.find((x: any) => x.regime === 'GDPR' && x.kind === 'RESPOND');
    ok(
      await t.gql(dpo, `mutation ($id: ID!, $r: String!) { extendSlaTimer(timerId: $id, reason: $r) { id } }`, { id: gdpr.id, r: TEXT.extensionReason }),
      'extension',
    );
    ok(
      await t.gql(dpo, `mutation ($id: ID!, $r: String!) { escalateComplaint(id: $id, to: INDEPENDENT_ADR, reason: $r) { id } }`, {
        id,
        r: TEXT.escalationReason,
      }),
      'escalation',
    );
    ok(
      await t.gql(dpo, `mutation ($id: ID!, $s: String!) { resolveComplaint(id: $id, outcome: UPHELD, summary: $s) { id } }`, { id, s: TEXT.resolution }),
      'resolution',
    );
    return id;
  }

  let adultCase: string;
  let childCase: string;
  let freshCase: string;
  beforeAll(async () => {
    dpo = await tokenFor(Role.DPO);
    agent = await tokenFor(Role.AGENT);
    adultCase = await caseWithText({ name: 'Ottilie Oakenshaw', email: 'ottilie@oaken.example' });
    childCase = await caseWithText({ name: 'Oswin Oakenshaw', email: 'oswin.parent@oaken.example', involvesChildUnder13: true });
    freshCase = ok(await t.gql(agent, OPS.file, { input: complaintInput() }), 'filing').id;
  });

  async function read(role: Role, id: string) {
    return ok(await t.gql(await tokenFor(role), READ, { id }), `${role} reads`);
  }

  /** Every free-text value the caller reads on the case, the extension reason included. */
  function texts(c: any) {
    return {
      summary: c.summary,
      description: c.description,
      resolutionSummary: c.resolutionSummary,
      notes: c.notes.map((n: any) => n.body),
      reasons: c.stageHistory.map((s: any) => s.reason),
      extensionReason: c.slaTimers.find((x: any) => x.extended).extensionReason,
    };
  }
  const readable = {
    summary: TEXT.summary,
    description: TEXT.description,
    resolutionSummary: TEXT.resolution,
    notes: [TEXT.note],
    reasons: ['Complaint filed', TEXT.escalationReason],
    extensionReason: TEXT.extensionReason,
  };
  const masked = { summary: '***', description: '***', resolutionSummary: '***', notes: ['***'], reasons: ['***', '***'], extensionReason: '***' };

  test.each([
    [Role.DPO, readable],
    [Role.AGENT, readable],
    [Role.COMPLIANCE_OFFICER, { ...masked, summary: TEXT.summary }],
    [Role.ADMIN, { ...masked, summary: TEXT.summary }],
  ])("an adult's case: %s reads the free text as SPEC §3 says", async (role, expected) => {
    expect(texts(await read(role, adultCase))).toEqual(expected);
  });

  test.each([
    [Role.DPO, readable],
    [Role.AGENT, masked],
    [Role.COMPLIANCE_OFFICER, masked],
    [Role.ADMIN, masked],
  ])("a child's case: %s reads the free text as SPEC §3 says (only the DPO reads any, summary included)", async (role, expected) => {
    expect(texts(await read(role, childCase))).toEqual(expected);
  });

  test.each([Role.COMPLIANCE_OFFICER, Role.ADMIN])('%s reads "***" also for fields that hold nothing, so masking reveals nothing', async (role) => {
    const c = await read(role, freshCase);
    expect(c.resolutionSummary).toBe('***');
    expect(c.slaTimers.length).toBeGreaterThan(0);
    expect(c.slaTimers.every((x: any) => x.extensionReason === '***')).toBe(true);
    const agentView = await read(Role.AGENT, freshCase);
    expect(agentView.resolutionSummary).toBeNull();
    expect(agentView.slaTimers.every((x: any) => x.extensionReason === null)).toBe(true);
  });

  test('the top-level slaTimers list and the addNote response are masked alike', async () => {
    const q = `query { slaTimers(first: 100) { edges { node { extensionReason } } } }`;
    const edges = ok(await t.gql(await tokenFor(Role.COMPLIANCE_OFFICER), q), 'slaTimers').edges;
    expect(edges.length).toBeGreaterThan(0);
    expect(edges.every((e: any) => e.node.extensionReason === '***')).toBe(true);
    const note = ok(await t.gql(agent, `mutation ($id: ID!) { addNote(complaintId: $id, body: "FT-note two") { body } }`, { id: childCase }), 'note');
    expect(note.body).toBe('***');
  });

  test.each([Role.DPO, Role.AGENT, Role.COMPLIANCE_OFFICER, Role.ADMIN])(
    'the audit trail %s reads holds no free-text value, only that it was set',
    async (role) => {
      for (const id of [adultCase, childCase]) {
        const events = (await read(role, id)).auditTrail.edges.map((e: any) => e.node);
        const text = JSON.stringify(events);
        for (const value of VALUES) expect(text).not.toContain(value.slice(0, 12));
        expect(events.find((e: any) => e.action === 'COMPLAINT_FILED').changes).toMatchObject({ summary: { changed: true }, description: { changed: true } });
        expect(events.find((e: any) => e.action === 'SLA_EXTENDED').changes).toMatchObject({ reason: { changed: true } });
        expect(events.find((e: any) => e.action === 'RESOLVED').changes).toMatchObject({ resolutionSummary: { changed: true } });
      }
    },
  );

  test.each([
    [Role.DPO, { adult: true, child: true }],
    [Role.AGENT, { adult: true, child: false }],
    [Role.COMPLIANCE_OFFICER, { adult: false, child: false }],
    [Role.ADMIN, { adult: false, child: false }],
  ])('a search by name or email finds what %s may read, nothing more', async (role, expected) => {
    const search = `query ($s: String!) { complaints(first: 100, filter: { search: $s }) { edges { node { id } } } }`;
    const token = await tokenFor(role);
    for (const s of ['Oakenshaw', 'oaken.example']) {
      const ids = ok(await t.gql(token, search, { s }), 'search').edges.map((e: any) => e.node.id);
      expect({ s, adult: ids.includes(adultCase), child: ids.includes(childCase) }).toEqual({ s, ...expected });
    }
  });

  test.each([
    [Role.DPO, true],
    [Role.AGENT, false],
    [Role.COMPLIANCE_OFFICER, false],
    [Role.ADMIN, false],
  ])("a search by the summary finds a child's case for %s only if it reads the summary", async (role, child) => {
    const search = `query ($s: String!) { complaints(first: 100, filter: { search: $s }) { edges { node { id } } } }`;
    const ids = ok(await t.gql(await tokenFor(role), search, { s: 'FT-summary' }), 'search').edges.map((e: any) => e.node.id);
    expect({ adult: ids.includes(adultCase), child: ids.includes(childCase) }).toEqual({ adult: true, child });
  });

  describe('after erasure', () => {
    let erased: any;
    let panelCase: string;
    beforeAll(async () => {
      ok(await t.gql(dpo, OPS.erase, { id: adultCase, reason: 'FT-erasure: Quintus asked us to forget him' }), 'erasure');
      erased = await read(Role.DPO, adultCase);
      // The panel's advice is stored but not in the contract: an employment case at DPA_PANEL.
      const input = complaintInput({ dataContext: 'EMPLOYMENT', complainant: { name: 'Pia Panel', email: 'pia@quibble.example' } });
      panelCase = ok(await t.gql(agent, OPS.file, { input }), 'filing').id;
      ok(await t.gql(dpo, `mutation ($id: ID!) { escalateComplaint(id: $id, to: DPA_PANEL, reason: "HR data") { id } }`, { id: panelCase }), 'to the panel');
      ok(
        await t.gql(dpo, `mutation ($id: ID!, $s: String!) { recordPanelAdvice(id: $id, summary: $s) { id } }`, { id: panelCase, s: TEXT.panelAdvice }),
        'advice',
      );
      ok(await t.gql(dpo, OPS.erase, { id: panelCase, reason: 'FT-erasure of Pia' }), 'erasure');
    });

    test('every free-text field reads [erased] for the DPO', () => {
      expect(texts(erased)).toEqual({
        summary: '[erased]',
        description: '[erased]',
        resolutionSummary: '[erased]',
        notes: ['[erased]'],
        reasons: ['[erased]', '[erased]'],
        extensionReason: '[erased]',
      });
    });

    test('no free-text value is left in the database rows of the case', async () => {
      for (const id of [adultCase, panelCase]) {
        const [row] = await t.sql(
          `SELECT to_jsonb(c)::text AS complaint,
                  (SELECT coalesce(string_agg(to_jsonb(x)::text, ''), '') FROM notes x WHERE x.complaint_id = c.id) AS notes,
                  (SELECT coalesce(string_agg(to_jsonb(x)::text, ''), '') FROM stage_transitions x WHERE x.complaint_id = c.id) AS transitions,
                  (SELECT coalesce(string_agg(to_jsonb(x)::text, ''), '') FROM sla_timers x WHERE x.complaint_id = c.id) AS timers,
                  (SELECT coalesce(string_agg(to_jsonb(x)::text, ''), '') FROM audit_events x WHERE x.complaint_id = c.id) AS trail
             FROM complaints c WHERE c.id = $1`,
          [id],
        );
        const stored = Object.values(row).join('\n');
        for (const value of [...VALUES, 'FT-erasure', 'Quintus', 'Oakenshaw', 'Pia Panel']) expect(stored).not.toContain(value);
      }
      const [panel] = await t.sql('SELECT panel_advice_summary FROM complaints WHERE id = $1', [panelCase]);
      expect(panel.panel_advice_summary).toBe('[erased]');
    });

    test('the erasure event says which fields were erased, and the trail still verifies', async () => {
      const events = erased.auditTrail.edges.map((e: any) => e.node);
      const erasure = events[events.length - 1];
      expect(erasure.action).toBe('COMPLAINANT_DATA_ERASED');
      expect(erasure.changes).toMatchObject({
        summary: { changed: true },
        description: { changed: true },
        'note.body': { changed: true },
        resolutionSummary: { changed: true },
        reason: { changed: true },
        extensionReason: { changed: true },
        notesErased: 1,
      });
      for (const id of [adultCase, panelCase]) {
        expect(ok(await t.gql(dpo, OPS.verify, { id }), 'verify')).toMatchObject({ valid: true, brokenAtSequence: null });
      }
    });
  });
});
