import { createDataSource } from '../src/db/data-source';
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { Role } from '../src/auth/roles';
import { createLogger } from '../src/logger';
import { sweepDueTimers } from '../src/worker/sla-worker';
import { complaintInput } from './support/factories';
import { errorCode, GqlResult, startTestApp, TestApp } from './support/harness';

/**
 * Legal clocks a regulator would sign off (SPEC §4, §5) through the API on a fresh
 * database: the three clock defects, explanations, rights-specific presets, breach
 * clocks, regulator referrals, reopening and availableEscalations. Expected instants are
 * computed here with luxon from the SPEC's words, not with src/domain.
 */

const STEP = 'kind at until text';
const TIMER = `id kind regime stage status startedAt dueAt warnAt pausedAt metAt breachedAt extended extensionReason remainingSeconds
  policy { id } explanation { ${STEP} }`;
const CASE = `id reference stage status regimes rights channel receivedAt acknowledgedAt version availableEscalations
  stageHistory { from to at } regulatorReferral { regulator reference respondBy }
  personalDataBreach { awareAt summary recordedAt authorityNotifiedAt authority authorityReference }
  slaTimers { ${TIMER} }`;
const FILE = `mutation ($input: FileComplaintInput!) { fileComplaint(input: $input) { ${CASE} } }`;
const GET = `query ($id: ID!) { complaint(id: $id) { ${CASE} } }`;
const TRAIL = `query ($id: ID!) { auditTrail(complaintId: $id, first: 100) { edges { node { sequence action actorRole at changes } } } }`;
const VERIFY = `query ($id: ID!) { verifyAuditTrail(complaintId: $id) { valid } }`;
const EXTEND = `mutation ($id: ID!, $reason: String!) { extendSlaTimer(timerId: $id, reason: $reason) { ${TIMER} } }`;
const AWAIT = `mutation ($id: ID!) { awaitComplainant(id: $id, reason: "asked for proof of identity") { ${CASE} } }`;
const RESUME = `mutation ($id: ID!) { resumeComplaint(id: $id) { ${CASE} } }`;
const ACK = `mutation ($id: ID!) { acknowledgeComplaint(id: $id) { ${CASE} } }`;
const RESOLVE = `mutation ($id: ID!) { resolveComplaint(id: $id, outcome: UPHELD, summary: "done") { ${CASE} } }`;
const REOPEN = `mutation ($id: ID!) { reopenComplaint(id: $id, reason: "the complainant wrote back") { ${CASE} } }`;
const CLOSE = `mutation ($id: ID!) { closeComplaint(id: $id) { ${CASE} } }`;
const ESCALATE = `mutation ($id: ID!, $to: ComplaintStage!) { escalateComplaint(id: $id, to: $to, reason: "unresolved") { ${CASE} } }`;
const BREACH = `mutation ($id: ID!, $awareAt: DateTime!, $summary: String!, $v: Int) {
  recordPersonalDataBreach(id: $id, awareAt: $awareAt, summary: $summary, expectedVersion: $v) { ${CASE} } }`;
const NOTIFIED = `mutation ($id: ID!, $at: DateTime!, $authority: String!, $reference: String, $v: Int) {
  recordAuthorityNotified(id: $id, notifiedAt: $at, authority: $authority, reference: $reference, expectedVersion: $v) { ${CASE} } }`;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ms = (iso: string) => Date.parse(iso);
const ago = (millis: number) => new Date(Date.now() - millis).toISOString();

function ok<T = any>(res: GqlResult, what: string): T {
  if (res.errors) throw new Error(`${what} failed: ${JSON.stringify(res.errors)}`);
  return Object.values(res.data)[0] as T;
}

function timerOf(c: any, regime: string, kind: string, stage?: string): any {
  const found = c.slaTimers.filter((x: any) => x.regime === regime && x.kind === kind && (!stage || x.stage === stage));
  if (found.length !== 1)
    throw new Error(
      `expected one ${regime} ${kind} timer, found ${found.length}: ${JSON.stringify(c.slaTimers.map((x: any) => [x.regime, x.kind, x.stage, x.status]))}`,
    );
  return found[0];
}
const clocks = (c: any) => c.slaTimers.map((x: any) => `${x.regime} ${x.kind} ${x.stage} ${x.status}`).sort();

let t: TestApp;
let dpo: string;
let agent: string;
let officer: string;
const file = async (token: string, overrides: Record<string, unknown>) => ok(await t.gql(token, FILE, { input: complaintInput(overrides) }), 'fileComplaint');
const get = async (token: string, id: string) => ok(await t.gql(token, GET, { id }), 'complaint');
const trail = async (id: string): Promise<any[]> => ok(await t.gql(dpo, TRAIL, { id }), 'auditTrail').edges.map((e: any) => e.node);
const state = async (id: string) => ({
  timers: await t.sql(`SELECT * FROM sla_timers WHERE complaint_id = $1 ORDER BY id`, [id]),
  complaint: (await t.sql(`SELECT * FROM complaints WHERE id = $1`, [id]))[0],
  events: (await t.sql(`SELECT count(*)::int AS n FROM audit_events WHERE complaint_id = $1`, [id]))[0].n,
});

beforeAll(async () => {
  t = await startTestApp();
  dpo = await t.token(Role.DPO, { tz: 'UTC' });
  agent = await t.token(Role.AGENT);
  officer = await t.token(Role.COMPLIANCE_OFFICER);
  for (const token of [dpo, agent, officer]) await t.gql(token, '{ me { tenantId } }');
});
afterAll(() => t.close());

describe('defects: a clock that is due is due', () => {
  test('a case paused after its GDPR clock fell due, before the worker got to it, breaches that clock at its dueAt; resuming moves nothing', async () => {
    // GDPR P1M from 40 days ago fell due about 10 days ago; no worker runs in this app.
    const c = await file(agent, { jurisdiction: 'DE', receivedAt: ago(40 * DAY) });
    const gdpr = timerOf(c, 'GDPR', 'RESPOND');
    expect(gdpr.status).toBe('RUNNING');
    expect(ms(gdpr.dueAt)).toBeLessThan(Date.now());

    const waiting = ok(await t.gql(agent, AWAIT, { id: c.id }), 'await');
    expect(timerOf(waiting, 'GDPR', 'RESPOND')).toMatchObject({ status: 'BREACHED', dueAt: gdpr.dueAt, breachedAt: gdpr.dueAt, pausedAt: null });
    const resumed = ok(await t.gql(agent, RESUME, { id: c.id }), 'resume');
    expect(timerOf(resumed, 'GDPR', 'RESPOND')).toMatchObject({ status: 'BREACHED', dueAt: gdpr.dueAt, breachedAt: gdpr.dueAt });

    await sweepDueTimers(t.dataSource, createLogger('silent'));
    const after = await get(dpo, c.id);
    expect(timerOf(after, 'GDPR', 'RESPOND')).toMatchObject({ status: 'BREACHED', dueAt: gdpr.dueAt, breachedAt: gdpr.dueAt });
    expect(timerOf(after, 'DPF', 'RESPOND')).toMatchObject({ status: 'RUNNING', dueAt: timerOf(c, 'DPF', 'RESPOND').dueAt });
    const events = await trail(c.id);
    expect(events.filter((e) => e.action === 'SLA_BREACHED' && e.changes.timerId === gdpr.id)).toHaveLength(1);
    expect(events.filter((e) => e.action === 'SLA_PAUSED' && e.changes.timerId === gdpr.id)).toHaveLength(0);
    expect(ok(await t.gql(dpo, VERIFY, { id: c.id }), 'verify').valid).toBe(true);
  });

  test('an overdue clock of a paused case cannot be extended: INVALID_TRANSITION, rule SLA_ALREADY_DUE, nothing written', async () => {
    const c = await file(agent, { jurisdiction: 'DE', receivedAt: ago(40 * DAY) });
    ok(await t.gql(agent, AWAIT, { id: c.id }), 'await');
    const gdpr = timerOf(await get(dpo, c.id), 'GDPR', 'RESPOND');
    const before = await state(c.id);
    const res = await t.gql(dpo, EXTEND, { id: gdpr.id, reason: 'too late' });
    expect(errorCode(res)).toBe('INVALID_TRANSITION');
    expect(res.errors![0].extensions.rule).toBe('SLA_ALREADY_DUE');
    expect(await state(c.id)).toEqual(before);
  });

  test('an overdue running clock is refused with the same rule', async () => {
    const c = await file(dpo, { jurisdiction: 'US-CA', receivedAt: ago(50 * DAY) });
    const res = await t.gql(dpo, EXTEND, { id: timerOf(c, 'CCPA', 'RESPOND').id, reason: 'too late' });
    expect(res.errors![0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', rule: 'SLA_ALREADY_DUE' });
  });

  test('a tenant whose stored country has no holiday calendar and whose zone is not a zone files CCPA and OTHER cases: weekends only in UTC, and the explanation says so', async () => {
    const tid = 'odd-calendar';
    const token = await t.token(Role.DPO, { tid });
    await t.gql(token, '{ me { tenantId } }');
    await t.sql(`UPDATE tenants SET holiday_country = 'ZZ', time_zone = 'Mars/Olympus_Mons' WHERE id = $1`, [tid]);
    // Mon 2026-11-16 10:00 UTC; weekends only: ten business days end Mon 2026-11-30 10:00 UTC.
    const ca = await file(token, { jurisdiction: 'US-CA', receivedAt: '2026-11-16T10:00:00.000Z' });
    const ack = timerOf(ca, 'CCPA', 'ACKNOWLEDGE');
    expect(ack.dueAt).toBe('2026-11-30T10:00:00.000Z');
    const rule = ack.explanation.find((s: any) => s.kind === 'RULE').text;
    expect(rule).toContain("no public-holiday calendar for country 'ZZ': weekends only");
    expect(rule).toContain("time zone 'Mars/Olympus_Mons' is not an IANA zone: UTC used");
    const jp = await file(token, { jurisdiction: 'JP', receivedAt: '2026-11-16T10:00:00.000Z' });
    expect(timerOf(jp, 'OTHER', 'ACKNOWLEDGE').dueAt).toBe('2026-11-23T10:00:00.000Z');
  });
});

describe('explanations', () => {
  const tid = 'los-angeles';
  let la: string;
  beforeAll(async () => {
    la = await t.token(Role.DPO, { tid, tz: 'America/Los_Angeles', country: 'US' });
    await t.gql(la, '{ me { tenantId } }');
    // Whatever provisioning does with claims, this tenant's calendar is Los Angeles + US.
    await t.sql(`UPDATE tenants SET holiday_country = 'US', time_zone = 'America/Los_Angeles' WHERE id = $1`, [tid]);
  });

  test('a CCPA acknowledgement across Thanksgiving: START in local time, RULE with its source, one SKIP per run of days naming the holiday, DUE at dueAt', async () => {
    const receivedAt = '2026-11-16T18:00:00.000Z'; // Mon 10:00 PST
    const c = await file(la, { jurisdiction: 'US-CA', receivedAt });
    const ack = timerOf(c, 'CCPA', 'ACKNOWLEDGE');
    expect(ack.dueAt).toBe('2026-12-01T18:00:00.000Z'); // Tue 10:00 PST: 10 business days, Thanksgiving skipped
    const steps = ack.explanation;
    expect(steps.map((s: any) => s.kind)).toEqual(['START', 'RULE', 'SKIP', 'SKIP', 'SKIP', 'DUE']);
    expect(steps[0]).toMatchObject({ at: receivedAt, until: null });
    expect(steps[0].text).toContain('Mon 2026-11-16 10:00:00');
    expect(steps[0].text).toContain('America/Los_Angeles');
    expect(steps[1].text).toContain('CCPA Regulations §7021(a)');
    expect(steps[1].text).toContain('P10D');
    const thanksgiving = new Holidays('US').getHolidays(2026).find((h) => h.date.startsWith('2026-11-26'))!.name;
    expect(steps[2].text).toBe('Sat 2026-11-21 – Sun 2026-11-22 skipped: weekend');
    expect(steps[3].text).toBe(`Thu 2026-11-26 skipped: ${thanksgiving} (US public holiday)`);
    expect(steps[3]).toMatchObject({
      at: DateTime.fromISO('2026-11-26', { zone: 'America/Los_Angeles' }).toUTC().toISO(),
      until: DateTime.fromISO('2026-11-27', { zone: 'America/Los_Angeles' }).toUTC().toISO(),
    });
    expect(steps[4].text).toBe('Sat 2026-11-28 – Sun 2026-11-29 skipped: weekend');
    expect(steps[5]).toMatchObject({ kind: 'DUE', at: ack.dueAt });
    // Chronological.
    const ats = steps.map((s: any) => ms(s.at));
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
  });

  test('a pause, an extension granted while paused and the resume are steps in order; the steps recompute dueAt to the second', async () => {
    const c = await file(dpo, { jurisdiction: 'DE', receivedAt: ago(HOUR) });
    const original = timerOf(c, 'GDPR', 'RESPOND');
    ok(await t.gql(dpo, AWAIT, { id: c.id }), 'await');
    ok(await t.gql(dpo, EXTEND, { id: original.id, reason: 'Complex request, Ms Example asked twice' }), 'extend');
    await new Promise((r) => setTimeout(r, 1100));
    const resumed = ok(await t.gql(dpo, RESUME, { id: c.id }), 'resume');
    const gdpr = timerOf(resumed, 'GDPR', 'RESPOND');
    const steps = gdpr.explanation;
    expect(steps.map((s: any) => s.kind)).toEqual(['START', 'RULE', 'PAUSE', 'EXTEND', 'DUE']);
    const [, , pause, extend, due] = steps;
    expect(extend.text).toContain('Complex request, Ms Example asked twice');
    expect(extend.text).toContain('P2M');
    expect(due.at).toBe(gdpr.dueAt);
    // The client's recomputation: one calendar month, plus two, then the pause's whole seconds.
    const base = DateTime.fromISO(original.startedAt, { zone: 'UTC' }).plus({ months: 1 }).plus({ months: 2 });
    const pausedSeconds = Math.floor((base.toMillis() - ms(pause.at)) / 1000);
    expect(gdpr.dueAt).toBe(new Date(ms(pause.until) + pausedSeconds * 1000).toISOString());
    expect(gdpr.extensionReason).toBe('Complex request, Ms Example asked twice');

    // Free text inside the explanation is masked like the field it comes from.
    const seen = timerOf(await get(officer, c.id), 'GDPR', 'RESPOND');
    expect(seen.extensionReason).toBe('***');
    const masked = seen.explanation.find((s: any) => s.kind === 'EXTEND').text;
    expect(masked).toContain('***');
    expect(masked).not.toContain('Ms Example');
  });

  test('a timer whose terms cannot be replayed still explains itself: START, then DUE at its dueAt', async () => {
    const c = await file(dpo, { jurisdiction: 'DE' });
    const [row] = await t.sql(
      `INSERT INTO sla_timers (tenant_id, complaint_id, kind, regime, stage, status, started_at, due_at, terms)
       VALUES ('acme', $1, 'RESPOND', 'GDPR', 'INTERNAL_DPO', 'RUNNING', now(), now() + interval '10 days', '{}') RETURNING id, due_at`,
      [c.id],
    );
    const timer = (await get(dpo, c.id)).slaTimers.find((x: any) => x.id === row.id);
    expect(timer.explanation.map((s: any) => s.kind)).toEqual(['START', 'DUE']);
    expect(timer.explanation[1].at).toBe(timer.dueAt);
  });

  test("on a child's case an AGENT reads the extension reason as ***; the DPO reads it", async () => {
    const c = await file(dpo, { jurisdiction: 'DE', complainant: { involvesChildUnder13: true } });
    const gdpr = timerOf(c, 'GDPR', 'RESPOND');
    ok(await t.gql(dpo, EXTEND, { id: gdpr.id, reason: 'School records requested' }), 'extend');
    const byAgent = timerOf(await get(agent, c.id), 'GDPR', 'RESPOND');
    expect(byAgent.extensionReason).toBe('***');
    expect(byAgent.explanation.find((s: any) => s.kind === 'EXTEND').text).not.toContain('School');
    expect(timerOf(await get(dpo, c.id), 'GDPR', 'RESPOND').extensionReason).toBe('School records requested');
  });
});

describe('rights-specific CCPA policies', () => {
  test('an opt-out (DO_NOT_SELL) gets only RESPOND in 15 business days; a request to know gets ACKNOWLEDGE and RESPOND 45 days; both rights get all three', async () => {
    const receivedAt = '2026-11-02T17:00:00.000Z'; // Mon, UTC tenant, weekends only
    const optOut = await file(dpo, { jurisdiction: 'US-CA', rights: ['DO_NOT_SELL'], receivedAt });
    expect(clocks(optOut)).toEqual(['CCPA RESPOND INTERNAL_DPO RUNNING']);
    expect(timerOf(optOut, 'CCPA', 'RESPOND').dueAt).toBe('2026-11-23T17:00:00.000Z');
    const sensitive = await file(dpo, { jurisdiction: 'US-CA', rights: ['LIMIT_SENSITIVE_USE'], receivedAt });
    expect(sensitive.rights).toEqual(['LIMIT_SENSITIVE_USE']);
    expect(clocks(sensitive)).toEqual(['CCPA RESPOND INTERNAL_DPO RUNNING']);
    const access = await file(dpo, { jurisdiction: 'US-CA', rights: ['ACCESS'], receivedAt });
    expect(clocks(access)).toEqual(['CCPA ACKNOWLEDGE INTERNAL_DPO RUNNING', 'CCPA RESPOND INTERNAL_DPO RUNNING']);
    expect(timerOf(access, 'CCPA', 'RESPOND').dueAt).toBe('2026-12-17T17:00:00.000Z');
    const both = await file(dpo, { jurisdiction: 'US-CA', rights: ['ERASURE', 'DO_NOT_SELL'], receivedAt });
    expect(clocks(both)).toEqual(['CCPA ACKNOWLEDGE INTERNAL_DPO RUNNING', 'CCPA RESPOND INTERNAL_DPO RUNNING', 'CCPA RESPOND INTERNAL_DPO RUNNING']);
  });

  test('upsertSlaPolicy keys on rights: a row with rights is its own policy and applies only to complaints invoking one of them', async () => {
    const tid = 'rights-tenant';
    const admin = await t.token(Role.ADMIN, { tid });
    const tdpo = await t.token(Role.DPO, { tid });
    await t.gql(tdpo, '{ me { tenantId } }');
    const UPSERT = `mutation ($input: SlaPolicyInput!) { upsertSlaPolicy(input: $input) { id regime kind duration rights } }`;
    const input = {
      regime: 'GDPR',
      stage: 'INTERNAL_DPO',
      kind: 'RESPOND',
      duration: 'P10D',
      businessDays: false,
      pausable: true,
      source: 'internal: erasure fast lane',
      rights: ['ERASURE'],
    };
    const policy = ok(await t.gql(admin, UPSERT, { input }), 'upsert');
    expect(policy).toMatchObject({ rights: ['ERASURE'], duration: 'P10D' });
    const all = ok(await t.gql(tdpo, '{ slaPolicies { id regime kind rights duration } }'), 'policies');
    expect(all.filter((p: any) => p.regime === 'GDPR' && p.kind === 'RESPOND').map((p: any) => [p.duration, p.rights])).toEqual(
      expect.arrayContaining([
        ['P1M', null],
        ['P10D', ['ERASURE']],
      ]),
    );
    const receivedAt = ago(HOUR);
    const erasure = await file(tdpo, { jurisdiction: 'DE', rights: ['ERASURE'], receivedAt });
    expect(
      erasure.slaTimers
        .filter((x: any) => x.regime === 'GDPR' && x.kind === 'RESPOND')
        .map((x: any) => x.dueAt)
        .sort(),
    ).toEqual(
      [
        DateTime.fromISO(receivedAt).plus({ days: 10 }).toUTC().toISO(),
        DateTime.fromISO(receivedAt, { zone: 'UTC' }).plus({ months: 1 }).toUTC().toISO(),
      ].sort(),
    );
    const access = await file(tdpo, { jurisdiction: 'DE', rights: ['ACCESS'], receivedAt });
    expect(clocks(access)).toEqual(['DPF RESPOND INTERNAL_DPO RUNNING', 'GDPR RESPOND INTERNAL_DPO RUNNING']);
    // The same four again replaces it.
    ok(await t.gql(admin, UPSERT, { input: { ...input, duration: 'P12D' } }), 'upsert again');
    const again = ok(await t.gql(tdpo, '{ slaPolicies { id rights duration } }'), 'policies');
    expect(again.filter((p: any) => p.id === policy.id)).toEqual([{ id: policy.id, rights: ['ERASURE'], duration: 'P12D' }]);
    expect(again).toHaveLength(all.length);
  });
});

describe('personal data breaches', () => {
  test('the DPO records a breach: GDPR NOTIFY_AUTHORITY runs 72 real hours from awareAt, survives escalation, and notifying the authority meets it', async () => {
    const c = await file(dpo, { jurisdiction: 'DE' });
    const awareAt = ago(10 * HOUR);
    const recorded = ok(await t.gql(dpo, BREACH, { id: c.id, awareAt, summary: 'Laptop with HR exports stolen', v: c.version }), 'breach');
    const notify = timerOf(recorded, 'GDPR', 'NOTIFY_AUTHORITY');
    expect(notify).toMatchObject({ status: 'RUNNING', startedAt: awareAt, dueAt: new Date(ms(awareAt) + 72 * HOUR).toISOString(), stage: 'INTERNAL_DPO' });
    expect(notify.explanation[1].text).toContain('GDPR Art. 33(1)');
    expect(recorded.slaTimers.filter((x: any) => x.kind === 'NOTIFY_AUTHORITY')).toHaveLength(1); // DPF has no breach clock
    expect(recorded.personalDataBreach).toMatchObject({ awareAt, summary: 'Laptop with HR exports stolen', authorityNotifiedAt: null });
    expect((await get(officer, c.id)).personalDataBreach.summary).toBe('***');

    const escalated = ok(await t.gql(dpo, ESCALATE, { id: c.id, to: 'INDEPENDENT_ADR' }), 'escalate');
    expect(timerOf(escalated, 'GDPR', 'NOTIFY_AUTHORITY').status).toBe('RUNNING');
    expect(timerOf(escalated, 'GDPR', 'RESPOND').status).toBe('CANCELLED');

    const second = await t.gql(dpo, BREACH, { id: c.id, awareAt, summary: 'again' });
    expect(second.errors![0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', rule: 'BREACH_ALREADY_RECORDED' });

    const before = await state(c.id);
    const early = await t.gql(dpo, NOTIFIED, { id: c.id, at: ago(11 * HOUR), authority: 'BfDI' });
    expect(errorCode(early)).toBe('BAD_USER_INPUT');
    expect(Object.keys(early.errors![0].extensions.fields!)).toEqual(['notifiedAt']);
    const future = await t.gql(dpo, NOTIFIED, { id: c.id, at: new Date(Date.now() + HOUR).toISOString(), authority: 'BfDI' });
    expect(errorCode(future)).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(agent, NOTIFIED, { id: c.id, at: ago(HOUR), authority: 'BfDI' }))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(dpo, NOTIFIED, { id: c.id, at: ago(HOUR), authority: 'BfDI', v: 1 }))).toBe('CONFLICT');
    expect(await state(c.id)).toEqual(before);

    const notifiedAt = ago(HOUR);
    const done = ok(await t.gql(dpo, NOTIFIED, { id: c.id, at: notifiedAt, authority: 'BfDI', reference: 'BfDI-2026-77' }), 'notified');
    expect(timerOf(done, 'GDPR', 'NOTIFY_AUTHORITY')).toMatchObject({ status: 'MET', metAt: notifiedAt });
    expect(done.personalDataBreach).toMatchObject({ authorityNotifiedAt: notifiedAt, authority: 'BfDI', authorityReference: 'BfDI-2026-77' });

    const events = await trail(c.id);
    const recordedEvent = events.filter((e) => e.action === 'PERSONAL_DATA_BREACH_RECORDED');
    expect(recordedEvent).toHaveLength(1);
    expect(recordedEvent[0].changes['personalDataBreach.summary']).toEqual({ changed: true });
    expect(JSON.stringify(events)).not.toContain('Laptop');
    expect(events.filter((e) => e.action === 'AUTHORITY_NOTIFIED')).toHaveLength(1);
    expect(ok(await t.gql(dpo, VERIFY, { id: c.id }), 'verify').valid).toBe(true);
  });

  test('72 hours are 72 real hours across the end of summer time in Berlin (09:00 local becomes 08:00)', async () => {
    const tid = 'berlin-breach';
    const token = await t.token(Role.DPO, { tid });
    await t.gql(token, '{ me { tenantId } }');
    await t.sql(`UPDATE tenants SET time_zone = 'Europe/Berlin', holiday_country = 'DE' WHERE id = $1`, [tid]);
    const c = await file(token, { jurisdiction: 'DE', receivedAt: '2026-10-20T08:00:00.000Z' });
    const recorded = ok(await t.gql(token, BREACH, { id: c.id, awareAt: '2026-10-23T07:00:00.000Z', summary: 'Ransomware on the HR share' }), 'breach');
    const notify = timerOf(recorded, 'GDPR', 'NOTIFY_AUTHORITY');
    expect(notify.dueAt).toBe('2026-10-26T07:00:00.000Z');
    expect(notify.explanation[0].text).toContain('Fri 2026-10-23 09:00:00 Europe/Berlin');
    expect(notify.explanation[notify.explanation.length - 1].text).toContain('Mon 2026-10-26 08:00:00 Europe/Berlin');
  });

  test('an AGENT may not record a breach, an awareAt in the future or a blank summary is BAD_USER_INPUT, and nothing is written', async () => {
    const c = await file(dpo, { jurisdiction: 'DE' });
    const before = await state(c.id);
    expect(errorCode(await t.gql(agent, BREACH, { id: c.id, awareAt: ago(HOUR), summary: 'x' }))).toBe('FORBIDDEN');
    const future = await t.gql(dpo, BREACH, { id: c.id, awareAt: new Date(Date.now() + HOUR).toISOString(), summary: 'x' });
    expect(errorCode(future)).toBe('BAD_USER_INPUT');
    expect(Object.keys(future.errors![0].extensions.fields!)).toEqual(['awareAt']);
    const blank = await t.gql(dpo, BREACH, { id: c.id, awareAt: ago(HOUR), summary: '   ' });
    expect(Object.keys(blank.errors![0].extensions.fields!)).toEqual(['summary']);
    expect(await state(c.id)).toEqual(before);
  });

  test('a breach known 4 days ago is breached at awareAt + 72 h; notifying afterwards leaves it BREACHED', async () => {
    const c = await file(dpo, { jurisdiction: 'GB' });
    const awareAt = ago(4 * DAY);
    const recorded = ok(await t.gql(dpo, BREACH, { id: c.id, awareAt, summary: 'Mail sent to the wrong list' }), 'breach');
    const notify = timerOf(recorded, 'UK_GDPR', 'NOTIFY_AUTHORITY');
    const dueAt = new Date(ms(awareAt) + 72 * HOUR).toISOString();
    expect(notify.dueAt).toBe(dueAt);
    await sweepDueTimers(t.dataSource, createLogger('silent'));
    const done = ok(await t.gql(dpo, NOTIFIED, { id: c.id, at: ago(HOUR), authority: 'ICO' }), 'notified');
    expect(timerOf(done, 'UK_GDPR', 'NOTIFY_AUTHORITY')).toMatchObject({ status: 'BREACHED', breachedAt: dueAt, metAt: null });
  });

  test('notifying after the due, before the worker got there, breaches the clock at its due instead of meeting it', async () => {
    const c = await file(dpo, { jurisdiction: 'GB' });
    const awareAt = ago(4 * DAY);
    ok(await t.gql(dpo, BREACH, { id: c.id, awareAt, summary: 'Mail sent to the wrong list' }), 'breach');
    const done = ok(await t.gql(dpo, NOTIFIED, { id: c.id, at: ago(HOUR), authority: 'ICO' }), 'notified');
    expect(timerOf(done, 'UK_GDPR', 'NOTIFY_AUTHORITY')).toMatchObject({ status: 'BREACHED', breachedAt: new Date(ms(awareAt) + 72 * HOUR).toISOString() });
  });

  test('notifying the authority before a breach is recorded is INVALID_TRANSITION (BREACH_NOT_RECORDED); a closed case takes no breach; nothing written', async () => {
    const c = await file(dpo, { jurisdiction: 'DE' });
    const before = await state(c.id);
    const res = await t.gql(dpo, NOTIFIED, { id: c.id, at: ago(HOUR), authority: 'BfDI' });
    expect(res.errors![0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', rule: 'BREACH_NOT_RECORDED' });
    expect(await state(c.id)).toEqual(before);
    ok(await t.gql(dpo, RESOLVE, { id: c.id }), 'resolve');
    ok(await t.gql(dpo, CLOSE, { id: c.id }), 'close');
    const closed = await state(c.id);
    const refused = await t.gql(dpo, BREACH, { id: c.id, awareAt: ago(HOUR), summary: 'late' });
    expect(refused.errors![0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', rule: 'CASE_CLOSED' });
    expect(await state(c.id)).toEqual(closed);
  });

  test('a regime without a breach clock records the breach without one', async () => {
    const c = await file(dpo, { jurisdiction: 'US-CA' });
    const recorded = ok(await t.gql(dpo, BREACH, { id: c.id, awareAt: ago(HOUR), summary: 'Exposed bucket' }), 'breach');
    expect(recorded.personalDataBreach.awareAt).toBeTruthy();
    expect(recorded.slaTimers.filter((x: any) => x.kind === 'NOTIFY_AUTHORITY')).toEqual([]);
  });
});

describe('regulator referrals', () => {
  const referral = (overrides: Record<string, unknown> = {}) => ({
    channel: 'REGULATOR_REFERRAL',
    regulatorReferral: { regulator: 'BfDI', reference: 'BfDI-4711', ...overrides },
  });

  test('channel and regulatorReferral go together: either alone is BAD_USER_INPUT naming input.regulatorReferral, nothing filed', async () => {
    const [{ n: before }] = await t.sql(`SELECT count(*)::int AS n FROM complaints`);
    for (const input of [complaintInput({ channel: 'REGULATOR_REFERRAL' }), complaintInput({ channel: 'EMAIL', regulatorReferral: { regulator: 'FTC' } })]) {
      const res = await t.gql(dpo, FILE, { input });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(Object.keys(res.errors![0].extensions.fields!)).toEqual(['input.regulatorReferral']);
    }
    expect((await t.sql(`SELECT count(*)::int AS n FROM complaints`))[0].n).toBe(before);
  });

  test("a referral is filed at REGULATOR with that stage's clocks and one REGULATOR_DEADLINE due at respondBy, not pausable, not extendable", async () => {
    const receivedAt = ago(HOUR);
    const respondBy = new Date(Date.now() + 20 * DAY).toISOString();
    const c = await file(agent, { jurisdiction: 'DE', receivedAt, ...referral({ respondBy }) });
    expect(c).toMatchObject({ stage: 'REGULATOR', status: 'OPEN', regulatorReferral: { regulator: 'BfDI', reference: 'BfDI-4711', respondBy } });
    expect(c.stageHistory.map((s: any) => [s.from, s.to])).toEqual([[null, 'REGULATOR']]);
    expect(clocks(c)).toEqual(['DPF RESPOND REGULATOR RUNNING', 'GDPR REGULATOR_DEADLINE REGULATOR RUNNING']);
    const deadline = timerOf(c, 'GDPR', 'REGULATOR_DEADLINE');
    expect(deadline).toMatchObject({ dueAt: respondBy, startedAt: receivedAt, policy: null });
    expect(deadline.explanation.map((s: any) => s.kind)).toEqual(['START', 'RULE', 'DUE']);
    expect(deadline.explanation[1].text).toContain('deadline set by BfDI');
    expect(timerOf(c, 'DPF', 'RESPOND').dueAt).toBe(DateTime.fromISO(receivedAt, { zone: 'UTC' }).plus({ days: 90 }).toUTC().toISO());
    expect(c.availableEscalations).toEqual([]); // arbitration only after ADR and a resolved REGULATOR stage

    const res = await t.gql(dpo, EXTEND, { id: deadline.id, reason: 'ask for more' });
    expect(res.errors![0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', rule: 'SLA_NO_EXTENSION' });
    const waiting = ok(await t.gql(agent, AWAIT, { id: c.id }), 'await');
    expect(timerOf(waiting, 'GDPR', 'REGULATOR_DEADLINE')).toMatchObject({ status: 'RUNNING', dueAt: respondBy });
  });

  test('a respondBy already past is accepted and breaches at once, at respondBy', async () => {
    const respondBy = ago(2 * DAY);
    const c = await file(dpo, { jurisdiction: 'US-CA', receivedAt: ago(5 * DAY), ...referral({ regulator: 'California DCA', respondBy }) });
    expect(timerOf(c, 'CCPA', 'REGULATOR_DEADLINE')).toMatchObject({ status: 'BREACHED', dueAt: respondBy, breachedAt: respondBy });
    expect(timerOf(c, 'CCPA', 'REGULATOR_DEADLINE').explanation[1].text).toContain('deadline set by California DCA');
  });

  test('without respondBy there is no deadline clock', async () => {
    const c = await file(dpo, { jurisdiction: 'GB', ...referral({ reference: null }) });
    expect(clocks(c)).toEqual(['DPF RESPOND REGULATOR RUNNING']);
    expect(c.regulatorReferral).toEqual({ regulator: 'BfDI', reference: null, respondBy: null });
  });
});

describe('reopening', () => {
  test("reopening starts the stage's stage-entered clocks afresh, but not ACKNOWLEDGE once acknowledged", async () => {
    const c = await file(dpo, { jurisdiction: 'US-CA' });
    ok(await t.gql(agent, ACK, { id: c.id }), 'ack');
    ok(await t.gql(dpo, RESOLVE, { id: c.id }), 'resolve');
    const reopened = ok(await t.gql(dpo, REOPEN, { id: c.id }), 'reopen');
    const at = (await trail(c.id)).find((e) => e.action === 'REOPENED').at;
    expect(clocks(reopened)).toEqual(['CCPA ACKNOWLEDGE INTERNAL_DPO MET', 'CCPA RESPOND INTERNAL_DPO MET', 'CCPA RESPOND INTERNAL_DPO RUNNING']);
    const fresh = reopened.slaTimers.find((x: any) => x.status === 'RUNNING');
    expect(fresh).toMatchObject({ startedAt: at, dueAt: DateTime.fromISO(at, { zone: 'UTC' }).plus({ days: 45 }).toUTC().toISO() });
  });

  test('an unacknowledged case gets its ACKNOWLEDGE clock again; a regulator deadline is not restarted', async () => {
    const jp = await file(dpo, { jurisdiction: 'JP' });
    ok(await t.gql(dpo, RESOLVE, { id: jp.id }), 'resolve');
    const reopened = ok(await t.gql(dpo, REOPEN, { id: jp.id }), 'reopen');
    expect(clocks(reopened).filter((x: string) => x.endsWith('RUNNING'))).toEqual([
      'OTHER ACKNOWLEDGE INTERNAL_DPO RUNNING',
      'OTHER RESPOND INTERNAL_DPO RUNNING',
    ]);

    const ref = await file(dpo, {
      jurisdiction: 'DE',
      channel: 'REGULATOR_REFERRAL',
      regulatorReferral: { regulator: 'BfDI', respondBy: new Date(Date.now() + 9 * DAY).toISOString() },
    });
    ok(await t.gql(dpo, RESOLVE, { id: ref.id }), 'resolve');
    const again = ok(await t.gql(dpo, REOPEN, { id: ref.id }), 'reopen');
    expect(clocks(again)).toEqual(['DPF RESPOND REGULATOR MET', 'DPF RESPOND REGULATOR RUNNING', 'GDPR REGULATOR_DEADLINE REGULATOR MET']);
  });
});

describe('availableEscalations', () => {
  test('lists what the escalation table allows for this case now, the same for every role, and nothing once CLOSED', async () => {
    const consumer = await file(dpo, { jurisdiction: 'DE' });
    expect(consumer.availableEscalations).toEqual(['INDEPENDENT_ADR', 'REGULATOR']);
    expect((await get(agent, consumer.id)).availableEscalations).toEqual(['INDEPENDENT_ADR', 'REGULATOR']);
    expect((await get(officer, consumer.id)).availableEscalations).toEqual(['INDEPENDENT_ADR', 'REGULATOR']);
    expect((await file(dpo, { jurisdiction: 'DE', dataContext: 'EMPLOYMENT' })).availableEscalations).toEqual(['DPA_PANEL', 'REGULATOR']);
    expect((await file(dpo, { jurisdiction: 'US-CA' })).availableEscalations).toEqual(['REGULATOR']);
    expect((await file(dpo, { jurisdiction: 'DE', processingRole: 'PROCESSOR' })).availableEscalations).toEqual(['REGULATOR']);

    const adr = ok(await t.gql(dpo, ESCALATE, { id: consumer.id, to: 'INDEPENDENT_ADR' }), 'adr');
    expect(adr.availableEscalations).toEqual(['REGULATOR']);
    const regulator = ok(await t.gql(dpo, ESCALATE, { id: consumer.id, to: 'REGULATOR' }), 'regulator');
    expect(regulator.availableEscalations).toEqual([]);
    const resolved = ok(await t.gql(dpo, RESOLVE, { id: consumer.id }), 'resolve');
    expect(resolved.availableEscalations).toEqual(['ARBITRATION_PANEL']);
    const closed = ok(await t.gql(dpo, CLOSE, { id: consumer.id }), 'close');
    expect(closed.availableEscalations).toEqual([]);
  });
});

describe('the preset migration for existing tenants', () => {
  test('adds the rights split and the new presets, and leaves alone a policy an admin changed', async () => {
    const app = await startTestApp();
    try {
      const tid = 'legacy-tenant';
      const admin = await app.token(Role.ADMIN, { tid });
      await app.gql(admin, '{ me { tenantId } }');
      // An admin shortens CCPA ACKNOWLEDGE, then the database goes back to before this migration.
      const UPSERT = `mutation ($input: SlaPolicyInput!) { upsertSlaPolicy(input: $input) { id } }`;
      const requests = ['ACCESS', 'AUTOMATED_DECISION', 'COMPLAINT', 'ERASURE', 'OBJECTION', 'PORTABILITY', 'RECTIFICATION', 'RESTRICTION', 'WITHDRAW_CONSENT'];
      const changed = ok(
        await app.gql(admin, UPSERT, {
          input: {
            regime: 'CCPA',
            stage: 'INTERNAL_DPO',
            kind: 'ACKNOWLEDGE',
            duration: 'P7D',
            businessDays: true,
            pausable: false,
            source: 'internal: faster',
            rights: requests,
          },
        }),
        'upsert',
      );
      const { LegalClocks1764375200000 } = await import('../migrations/1764375200000-LegalClocks');
      // Migrations run as the owner: the API's pool is cms_app (src/db/data-source.ts).
      const owner = createDataSource(app.databaseUrl, { asOwner: true });
      await owner.initialize();
      const runner = owner.createQueryRunner();
      try {
        await new LegalClocks1764375200000().down(runner);
        const before = await app.sql(`SELECT regime, kind, duration FROM sla_policies WHERE tenant_id = $1`, [tid]);
        expect(before).toHaveLength(13);
        await new LegalClocks1764375200000().up(runner);
      } finally {
        await runner.release();
        await owner.destroy();
      }
      const rows = await app.sql(
        `SELECT id, regime, kind, duration, rights, changed_by_admin FROM sla_policies WHERE tenant_id = $1 ORDER BY regime, kind, duration`,
        [tid],
      );
      expect(rows).toHaveLength(16);
      const ccpa = rows.filter((r) => r.regime === 'CCPA').map((r) => ({ kind: r.kind, duration: r.duration, rights: r.rights, admin: r.changed_by_admin }));
      expect(ccpa).toEqual([
        { kind: 'ACKNOWLEDGE', duration: 'P7D', rights: null, admin: true }, // the admin's row: untouched
        { kind: 'RESPOND', duration: 'P15D', rights: ['DO_NOT_SELL', 'LIMIT_SENSITIVE_USE'], admin: false },
        { kind: 'RESPOND', duration: 'P45D', rights: requests, admin: false },
      ]);
      expect(rows.find((r) => r.kind === 'ACKNOWLEDGE' && r.regime === 'CCPA').id).toBe(changed.id);
      expect(rows.filter((r) => r.kind === 'NOTIFY_AUTHORITY').map((r) => [r.regime, r.duration])).toEqual([
        ['GDPR', 'PT72H'],
        ['UK_GDPR', 'PT72H'],
      ]);
    } finally {
      await app.close();
    }
  });
});
