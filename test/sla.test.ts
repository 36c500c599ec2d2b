import { DateTime } from 'luxon';
import { Role } from '../src/auth/roles';
import { createLogger } from '../src/logger';
import { processTimer, startSlaWorker, sweepDueTimers } from '../src/worker/sla-worker';
import { complaintInput } from './support/factories';
import { errorCode, GqlResult, startTestApp, TestApp } from './support/harness';

/**
 * SLA timers of SPEC §5 through the API: the preset policies, which clocks a case gets and
 * when they are due, how the lifecycle meets, cancels, pauses and extends them, policy and
 * calendar changes, and the worker's warnings and breaches. Expected due instants are
 * computed here with luxon from the SPEC's rules, not with src/domain/sla-calendar.ts.
 */

const TIMER_FIELDS = `id kind regime stage status startedAt dueAt warnAt pausedAt metAt breachedAt extended extensionReason remainingSeconds
  policy { id regime stage kind duration }`;
const CASE_FIELDS = `id reference stage status regimes receivedAt acknowledgedAt resolvedAt closedAt nextDueAt version
  stageHistory { from to at } slaTimers { ${TIMER_FIELDS} }`;
const FILE = `mutation ($input: FileComplaintInput!) { fileComplaint(input: $input) { ${CASE_FIELDS} } }`;
const GET = `query ($id: ID!) { complaint(id: $id) { ${CASE_FIELDS} } }`;
const TRAIL = `query ($id: ID!) { auditTrail(complaintId: $id, first: 100) { edges { node { sequence action actor { id } actorRole at changes } } } }`;
const VERIFY = `query ($id: ID!) { verifyAuditTrail(complaintId: $id) { valid eventsChecked brokenAtSequence } }`;
const EXTEND = `mutation ($id: ID!, $reason: String!) { extendSlaTimer(timerId: $id, reason: $reason) { ${TIMER_FIELDS} } }`;
const POLICIES = '{ slaPolicies { id regime stage kind duration businessDays extension warnAtPercent pausable startsOn source rights } }';
const UPSERT = `mutation ($input: SlaPolicyInput!) { upsertSlaPolicy(input: $input) { id regime stage kind duration businessDays extension warnAtPercent pausable startsOn source rights } }`;
const SETTINGS = `mutation ($input: TenantSettingsInput!) { updateTenantSettings(input: $input) { id timeZone holidayCountry } }`;
const LIFECYCLE = {
  acknowledge: `mutation ($id: ID!) { acknowledgeComplaint(id: $id) { ${CASE_FIELDS} } }`,
  escalate: `mutation ($id: ID!, $to: ComplaintStage!) { escalateComplaint(id: $id, to: $to, reason: "employment case for the DPA panel") { ${CASE_FIELDS} } }`,
  panelAdvice: `mutation ($id: ID!, $at: DateTime) { recordPanelAdvice(id: $id, summary: "Delete the appraisal notes", deliveredAt: $at) { ${CASE_FIELDS} } }`,
  await: `mutation ($id: ID!) { awaitComplainant(id: $id, reason: "asked for proof of identity") { ${CASE_FIELDS} } }`,
  resume: `mutation ($id: ID!) { resumeComplaint(id: $id) { ${CASE_FIELDS} } }`,
  resolve: `mutation ($id: ID!) { resolveComplaint(id: $id, outcome: UPHELD, summary: "Copy of the data sent") { ${CASE_FIELDS} } }`,
  close: `mutation ($id: ID!) { closeComplaint(id: $id) { ${CASE_FIELDS} } }`,
};

const DAY_MS = 86_400_000;

// ---- Oracles: SPEC §5's calendar rules, transcribed ------------------------------------

/** A calendar clock: months and days in the tenant's zone, local time of day kept, month end clamped. */
function calendarDue(startIso: string, duration: { months?: number; days?: number }, zone = 'UTC'): string {
  return DateTime.fromISO(startIso, { zone }).plus(duration).toJSDate().toISOString();
}

/**
 * A business clock of `n` days (weekends and `holidays`, local 'YYYY-MM-DD', skipped): from a
 * business day, the same local time on the nth business day after it; from a weekend or
 * holiday, the end of the nth business day counting the next business day as the first.
 */
function businessDue(startIso: string, n: number, zone = 'UTC', holidays: ReadonlySet<string> = new Set()): string {
  const isBusinessDay = (d: DateTime) => d.weekday <= 5 && !holidays.has(d.toISODate()!);
  const nextBusinessDay = (d: DateTime): DateTime => {
    let next: DateTime = d.plus({ days: 1 });
    while (!isBusinessDay(next)) next = next.plus({ days: 1 });
    return next;
  };
  const start: DateTime = DateTime.fromISO(startIso, { zone });
  if (isBusinessDay(start)) {
    let day: DateTime = start;
    for (let i = 0; i < n; i++) day = nextBusinessDay(day);
    return day.toJSDate().toISOString();
  }
  let day: DateTime = nextBusinessDay(start.startOf('day'));
  for (let i = 1; i < n; i++) day = nextBusinessDay(day);
  return day.plus({ days: 1 }).startOf('day').toJSDate().toISOString();
}

/** warnAtPercent of the way from start to due, to the millisecond. */
function warnAtOf(startIso: string, dueIso: string, percent = 80): string {
  const start = Date.parse(startIso);
  return new Date(start + Math.floor(((Date.parse(dueIso) - start) * percent) / 100)).toISOString();
}

const ms = (iso: string) => Date.parse(iso);
/** An instant `days` before now, to the millisecond. */
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

// ---- Helpers ---------------------------------------------------------------------------

function ok<T = any>(res: GqlResult, what: string): T {
  if (res.errors) throw new Error(`${what} failed: ${JSON.stringify(res.errors)}`);
  return res.data;
}

function timerOf(c: any, regime: string, kind: string, stage = 'INTERNAL_DPO'): any {
  const found = c.slaTimers.filter((x: any) => x.regime === regime && x.kind === kind && x.stage === stage);
  if (found.length !== 1) throw new Error(`expected one ${regime} ${kind} timer at ${stage}, found ${found.length}: ${JSON.stringify(c.slaTimers)}`);
  return found[0];
}

/** The clocks of a case as a sorted list of "REGIME KIND STAGE STATUS", for whole-set assertions. */
function clockSet(c: any): string[] {
  return c.slaTimers.map((x: any) => `${x.regime} ${x.kind} ${x.stage} ${x.status}`).sort();
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function client(app: TestApp) {
  return {
    async file(token: string, overrides: Record<string, unknown> = {}) {
      return ok(await app.gql(token, FILE, { input: complaintInput(overrides) }), 'fileComplaint').fileComplaint;
    },
    async get(token: string, id: string) {
      return ok(await app.gql(token, GET, { id }), 'complaint').complaint;
    },
    async trail(token: string, id: string): Promise<any[]> {
      return ok(await app.gql(token, TRAIL, { id }), 'auditTrail').auditTrail.edges.map((e: any) => e.node);
    },
    async run(token: string, op: keyof typeof LIFECYCLE, variables: Record<string, unknown>) {
      const data = ok(await app.gql(token, LIFECYCLE[op], variables), op);
      return Object.values(data)[0] as any;
    },
  };
}

/** Audit events of one action, keyed by the timer they are about. */
function eventsByTimer(trail: any[], action: string): Record<string, any[]> {
  const out: Record<string, any[]> = {};
  for (const e of trail.filter((x) => x.action === action)) (out[e.changes.timerId] ??= []).push(e);
  return out;
}

// ---- The API without a worker: deterministic clocks -------------------------------------

let t: TestApp;
let api: ReturnType<typeof client>;
let dpo: string;
let agent: string;
let admin: string;
beforeAll(async () => {
  t = await startTestApp();
  api = client(t);
  dpo = await t.token(Role.DPO, { tz: 'UTC' });
  agent = await t.token(Role.AGENT);
  admin = await t.token(Role.ADMIN);
  for (const token of [dpo, agent, admin]) ok(await t.gql(token, '{ me { tenantId } }'), 'provisioning');
});
afterAll(() => t.close());

describe('preset policies', () => {
  // SPEC §5, the presets table, row by row ("–" is no extension).
  // ¹ every right but the opt-outs; ² the opt-outs (SPEC §5, rights-specific rows).
  const CCPA_REQUESTS = [
    'ACCESS',
    'AUTOMATED_DECISION',
    'COMPLAINT',
    'ERASURE',
    'OBJECTION',
    'PORTABILITY',
    'RECTIFICATION',
    'RESTRICTION',
    'WITHDRAW_CONSENT',
  ];
  const CCPA_OPT_OUTS = ['DO_NOT_SELL', 'LIMIT_SENSITIVE_USE'];
  const SPEC_PRESETS = [
    ['CCPA', 'INTERNAL_DPO', 'ACKNOWLEDGE', 'P10D', true, null, false, 'STAGE_ENTERED', 'CCPA Regulations §7021(a)', CCPA_REQUESTS],
    ['CCPA', 'INTERNAL_DPO', 'RESPOND', 'P45D', false, 'P45D', false, 'STAGE_ENTERED', 'CCPA Regulations §7021(b)', CCPA_REQUESTS],
    ['CCPA', 'INTERNAL_DPO', 'RESPOND', 'P15D', true, null, false, 'STAGE_ENTERED', 'CCPA Regulations §7026(f), §7027(g)', CCPA_OPT_OUTS],
    ['GDPR', 'INTERNAL_DPO', 'NOTIFY_AUTHORITY', 'PT72H', false, null, false, 'BREACH_RECORDED', 'GDPR Art. 33(1)'],
    ['UK_GDPR', 'INTERNAL_DPO', 'NOTIFY_AUTHORITY', 'PT72H', false, null, false, 'BREACH_RECORDED', 'UK GDPR Art. 33(1)'],
    ['GDPR', 'INTERNAL_DPO', 'RESPOND', 'P1M', false, 'P2M', true, 'STAGE_ENTERED', 'GDPR Art. 12(3)'],
    ['UK_GDPR', 'INTERNAL_DPO', 'RESPOND', 'P1M', false, 'P2M', true, 'STAGE_ENTERED', 'UK GDPR Art. 12(3)'],
    ['SWISS_FADP', 'INTERNAL_DPO', 'RESPOND', 'P30D', false, null, true, 'STAGE_ENTERED', 'FADP Art. 25, DPO Art. 18'],
    ['DPF', 'INTERNAL_DPO', 'RESPOND', 'P45D', false, null, false, 'STAGE_ENTERED', 'DPF Principles, Supplemental Principle 11(d)'],
    ['DPF', 'DPA_PANEL', 'RESPOND', 'P60D', false, null, false, 'STAGE_ENTERED', 'DPF Supplemental Principle 5 (panel advice)'],
    ['DPF', 'DPA_PANEL', 'COMPLY', 'P25D', false, null, false, 'PANEL_ADVICE_RECORDED', 'DPF Supplemental Principle 5'],
    ['DPF', 'ARBITRATION_PANEL', 'RESOLVE', 'P90D', false, null, false, 'STAGE_ENTERED', 'DPF Annex I'],
    ['DPF', 'REGULATOR', 'RESPOND', 'P90D', false, null, false, 'STAGE_ENTERED', 'DPF: Department of Commerce referrals'],
    ['COPPA', 'INTERNAL_DPO', 'RESPOND', 'P1D', false, null, false, 'STAGE_ENTERED', 'COPPA: child data removed at once (internal target)'],
    ['OTHER', 'INTERNAL_DPO', 'ACKNOWLEDGE', 'P5D', true, null, false, 'STAGE_ENTERED', 'internal target'],
    ['OTHER', 'INTERNAL_DPO', 'RESPOND', 'P30D', false, 'P30D', true, 'STAGE_ENTERED', 'internal target'],
  ].map(([regime, stage, kind, duration, businessDays, extension, pausable, startsOn, source, rights]) => ({
    regime,
    stage,
    kind,
    duration,
    businessDays,
    extension,
    warnAtPercent: 80,
    pausable,
    startsOn,
    source,
    rights: rights ?? null,
  }));
  const key = (p: any) => `${p.regime}/${p.stage}/${p.kind}/${p.rights}`;

  test('a new tenant starts with exactly the 16 SPEC presets, warning at 80 %', async () => {
    const token = await t.token(Role.AGENT, { tid: 'fresh-tenant' });
    const policies = ok(await t.gql(token, POLICIES), 'slaPolicies').slaPolicies;
    expect(policies).toHaveLength(16);
    const withoutIds = policies.map(({ id, ...rest }: any) => rest).sort((a: any, b: any) => key(a).localeCompare(key(b)));
    expect(withoutIds).toEqual([...SPEC_PRESETS].sort((a, b) => key(a).localeCompare(key(b))));
  });
});

describe('which clocks a new complaint gets', () => {
  const receivedAt = new Date(Date.now() - 3_600_000).toISOString();

  async function fileAndCheckStarted(overrides: Record<string, unknown>) {
    const c = await api.file(dpo, { receivedAt, ...overrides });
    const trail = await api.trail(dpo, c.id);
    const started = eventsByTimer(trail, 'SLA_STARTED');
    // One SLA_STARTED per timer, and none for anything else.
    expect(Object.keys(started).sort()).toEqual(c.slaTimers.map((x: any) => x.id).sort());
    for (const events of Object.values(started)) expect(events).toHaveLength(1);
    for (const timer of c.slaTimers) {
      expect(timer).toMatchObject({
        status: 'RUNNING',
        startedAt: receivedAt,
        extended: false,
        extensionReason: null,
        pausedAt: null,
        metAt: null,
        breachedAt: null,
      });
      expect(timer.policy).toMatchObject({ regime: timer.regime, kind: timer.kind, stage: 'INTERNAL_DPO' });
      expect(timer.warnAt).toBe(warnAtOf(timer.startedAt, timer.dueAt));
      expect(timer.remainingSeconds).toBeGreaterThan(0);
      expect(timer.remainingSeconds).toBeLessThanOrEqual(Math.ceil((ms(timer.dueAt) - Date.now()) / 1000) + 1);
    }
    expect(c.nextDueAt).toBe(new Date(Math.min(...c.slaTimers.map((x: any) => ms(x.dueAt)))).toISOString());
    return c;
  }

  test('a GDPR (DE) case: GDPR RESPOND one calendar month and DPF RESPOND 45 days from receivedAt; nextDueAt the earlier', async () => {
    const c = await fileAndCheckStarted({ jurisdiction: 'DE' });
    expect(clockSet(c)).toEqual(['DPF RESPOND INTERNAL_DPO RUNNING', 'GDPR RESPOND INTERNAL_DPO RUNNING']);
    const gdpr = timerOf(c, 'GDPR', 'RESPOND');
    const dpf = timerOf(c, 'DPF', 'RESPOND');
    expect(gdpr.dueAt).toBe(calendarDue(receivedAt, { months: 1 }));
    expect(dpf.dueAt).toBe(calendarDue(receivedAt, { days: 45 }));
    expect(c.nextDueAt).toBe(gdpr.dueAt);
    expect(gdpr.policy.duration).toBe('P1M');
  });

  test('a US-CA case: CCPA ACKNOWLEDGE in 10 business days and RESPOND in 45 days', async () => {
    const c = await fileAndCheckStarted({ jurisdiction: 'US-CA' });
    expect(clockSet(c)).toEqual(['CCPA ACKNOWLEDGE INTERNAL_DPO RUNNING', 'CCPA RESPOND INTERNAL_DPO RUNNING']);
    expect(timerOf(c, 'CCPA', 'ACKNOWLEDGE').dueAt).toBe(businessDue(receivedAt, 10));
    expect(timerOf(c, 'CCPA', 'RESPOND').dueAt).toBe(calendarDue(receivedAt, { days: 45 }));
  });

  test('a US-CA case about a child under 13 adds COPPA RESPOND in one day, which becomes nextDueAt', async () => {
    const c = await fileAndCheckStarted({ jurisdiction: 'US-CA', complainant: { involvesChildUnder13: true } });
    expect(clockSet(c)).toEqual(['CCPA ACKNOWLEDGE INTERNAL_DPO RUNNING', 'CCPA RESPOND INTERNAL_DPO RUNNING', 'COPPA RESPOND INTERNAL_DPO RUNNING']);
    const coppa = timerOf(c, 'COPPA', 'RESPOND');
    expect(coppa.dueAt).toBe(calendarDue(receivedAt, { days: 1 }));
    expect(c.nextDueAt).toBe(coppa.dueAt);
  });

  test('a JP case: OTHER ACKNOWLEDGE in 5 business days and RESPOND in 30 days', async () => {
    const c = await fileAndCheckStarted({ jurisdiction: 'JP' });
    expect(clockSet(c)).toEqual(['OTHER ACKNOWLEDGE INTERNAL_DPO RUNNING', 'OTHER RESPOND INTERNAL_DPO RUNNING']);
    expect(timerOf(c, 'OTHER', 'ACKNOWLEDGE').dueAt).toBe(businessDue(receivedAt, 5));
    expect(timerOf(c, 'OTHER', 'RESPOND').dueAt).toBe(calendarDue(receivedAt, { days: 30 }));
  });

  test('a month is a calendar month: received on 31 January, due on the last day of February', async () => {
    const c = await api.file(dpo, { jurisdiction: 'DE', receivedAt: '2026-01-31T09:15:00.000Z' });
    expect(timerOf(c, 'GDPR', 'RESPOND').dueAt).toBe('2026-02-28T09:15:00.000Z');
  });
});

describe('the lifecycle meets, cancels and starts clocks', () => {
  test('acknowledging meets the ACKNOWLEDGE clock and leaves RESPOND running; a second acknowledgement meets nothing again', async () => {
    const c = await api.file(dpo, { jurisdiction: 'US-CA' });
    const acked = await api.run(agent, 'acknowledge', { id: c.id });
    const ack = timerOf(acked, 'CCPA', 'ACKNOWLEDGE');
    expect(ack).toMatchObject({ status: 'MET', metAt: acked.acknowledgedAt, remainingSeconds: null });
    expect(timerOf(acked, 'CCPA', 'RESPOND')).toMatchObject({ status: 'RUNNING', metAt: null, dueAt: timerOf(c, 'CCPA', 'RESPOND').dueAt });
    expect(acked.nextDueAt).toBe(timerOf(c, 'CCPA', 'RESPOND').dueAt);

    await api.run(agent, 'acknowledge', { id: c.id });
    const trail = await api.trail(dpo, c.id);
    expect(trail.filter((e) => e.action === 'SLA_MET').map((e) => e.changes.timerId)).toEqual([ack.id]);
    expect(timerOf(await api.get(dpo, c.id), 'CCPA', 'ACKNOWLEDGE').metAt).toBe(acked.acknowledgedAt);
  });

  test("resolving meets the stage's running clocks at resolvedAt, one SLA_MET each", async () => {
    const c = await api.file(dpo, { jurisdiction: 'DE' });
    const resolved = await api.run(dpo, 'resolve', { id: c.id });
    expect(clockSet(resolved)).toEqual(['DPF RESPOND INTERNAL_DPO MET', 'GDPR RESPOND INTERNAL_DPO MET']);
    for (const timer of resolved.slaTimers) expect(timer).toMatchObject({ metAt: resolved.resolvedAt, remainingSeconds: null });
    expect(resolved.nextDueAt).toBeNull();
    const met = eventsByTimer(await api.trail(dpo, c.id), 'SLA_MET');
    expect(Object.keys(met).sort()).toEqual(c.slaTimers.map((x: any) => x.id).sort());
    for (const events of Object.values(met)) expect(events).toHaveLength(1);
  });

  test("escalating an employment case to DPA_PANEL cancels INTERNAL_DPO's clocks and starts DPF RESPOND (60 days) at the escalation", async () => {
    const c = await api.file(dpo, { jurisdiction: 'DE', dataContext: 'EMPLOYMENT' });
    const escalated = await api.run(dpo, 'escalate', { id: c.id, to: 'DPA_PANEL' });
    const escalatedAt = escalated.stageHistory.find((s: any) => s.to === 'DPA_PANEL').at;

    expect(clockSet(escalated)).toEqual(['DPF RESPOND DPA_PANEL RUNNING', 'DPF RESPOND INTERNAL_DPO CANCELLED', 'GDPR RESPOND INTERNAL_DPO CANCELLED']);
    for (const old of c.slaTimers) {
      expect(escalated.slaTimers.find((x: any) => x.id === old.id)).toMatchObject({
        status: 'CANCELLED',
        dueAt: old.dueAt,
        remainingSeconds: null,
        metAt: null,
      });
    }
    const panel = timerOf(escalated, 'DPF', 'RESPOND', 'DPA_PANEL');
    expect(panel).toMatchObject({ startedAt: escalatedAt, dueAt: calendarDue(escalatedAt, { days: 60 }), policy: { stage: 'DPA_PANEL', duration: 'P60D' } });
    expect(escalated.nextDueAt).toBe(panel.dueAt);

    const trail = await api.trail(dpo, c.id);
    const cancelled = eventsByTimer(trail, 'SLA_CANCELLED');
    expect(Object.keys(cancelled).sort()).toEqual(c.slaTimers.map((x: any) => x.id).sort());
    expect(eventsByTimer(trail, 'SLA_STARTED')[panel.id]).toHaveLength(1);
  });

  test("recording the panel's advice starts DPF COMPLY (25 days) from deliveredAt; resolving meets both panel clocks", async () => {
    const c = await api.file(dpo, { jurisdiction: 'DE', dataContext: 'EMPLOYMENT' });
    await api.run(dpo, 'escalate', { id: c.id, to: 'DPA_PANEL' });
    const deliveredAt = new Date().toISOString();
    const advised = await api.run(dpo, 'panelAdvice', { id: c.id, at: deliveredAt });
    const comply = timerOf(advised, 'DPF', 'COMPLY', 'DPA_PANEL');
    expect(comply).toMatchObject({
      status: 'RUNNING',
      startedAt: deliveredAt,
      dueAt: calendarDue(deliveredAt, { days: 25 }),
      policy: { kind: 'COMPLY', duration: 'P25D' },
    });
    expect(comply.warnAt).toBe(warnAtOf(deliveredAt, comply.dueAt));
    expect(advised.nextDueAt).toBe(comply.dueAt);

    const resolved = await api.run(dpo, 'resolve', { id: c.id });
    expect(timerOf(resolved, 'DPF', 'COMPLY', 'DPA_PANEL')).toMatchObject({ status: 'MET', metAt: resolved.resolvedAt });
    expect(timerOf(resolved, 'DPF', 'RESPOND', 'DPA_PANEL')).toMatchObject({ status: 'MET', metAt: resolved.resolvedAt });
  });

  test('closing cancels a clock that still runs on a resolved case, with one SLA_CANCELLED', async () => {
    const c = await api.file(dpo, { jurisdiction: 'DE' });
    await api.run(dpo, 'resolve', { id: c.id });
    // Resolving meets every running clock of the stage, so the API alone leaves none running
    // here: put one in place by hand to see that close ends what is still live.
    const [row] = await t.sql(
      `INSERT INTO sla_timers (tenant_id, complaint_id, kind, regime, stage, status, started_at, due_at, terms)
       VALUES ('acme', $1, 'RESPOND', 'GDPR', 'INTERNAL_DPO', 'RUNNING', now(), now() + interval '10 days', '{}') RETURNING id`,
      [c.id],
    );
    const closed = await api.run(dpo, 'close', { id: c.id });
    expect(closed.slaTimers.find((x: any) => x.id === row.id)).toMatchObject({ status: 'CANCELLED', remainingSeconds: null });
    expect(closed.slaTimers.filter((x: any) => x.status === 'RUNNING' || x.status === 'PAUSED')).toEqual([]);
    expect(closed.nextDueAt).toBeNull();
    expect(eventsByTimer(await api.trail(dpo, c.id), 'SLA_CANCELLED')[row.id]).toHaveLength(1);
    expect(ok(await t.gql(dpo, VERIFY, { id: c.id }), 'verify').verifyAuditTrail.valid).toBe(true);
  });
});

describe('pausing while awaiting the complainant', () => {
  test('pauses the pausable GDPR clock and lets DPF run; resuming moves GDPR dueAt by the paused time', async () => {
    const c = await api.file(agent, { jurisdiction: 'DE' });
    const gdprBefore = timerOf(c, 'GDPR', 'RESPOND');
    const dpfBefore = timerOf(c, 'DPF', 'RESPOND');

    const waiting = await api.run(agent, 'await', { id: c.id });
    const paused = timerOf(waiting, 'GDPR', 'RESPOND');
    expect(paused.status).toBe('PAUSED');
    expect(paused.pausedAt).not.toBeNull();
    expect(paused.remainingSeconds).toBe(Math.floor((ms(gdprBefore.dueAt) - ms(paused.pausedAt)) / 1000));
    expect(timerOf(waiting, 'DPF', 'RESPOND')).toMatchObject({ status: 'RUNNING', pausedAt: null, dueAt: dpfBefore.dueAt });
    expect(waiting.nextDueAt).toBe(dpfBefore.dueAt); // only RUNNING clocks count

    await new Promise((r) => setTimeout(r, 1500)); // a pause long enough to measure, not a wait on the worker
    const resumed = await api.run(agent, 'resume', { id: c.id });
    const trail = await api.trail(dpo, c.id);
    const pausedEvent = eventsByTimer(trail, 'SLA_PAUSED')[paused.id];
    const resumedEvent = eventsByTimer(trail, 'SLA_RESUMED')[paused.id];
    expect(pausedEvent).toHaveLength(1);
    expect(resumedEvent).toHaveLength(1);
    expect(eventsByTimer(trail, 'SLA_PAUSED')[dpfBefore.id]).toBeUndefined();
    expect(pausedEvent[0].at).toBe(paused.pausedAt);

    const gdpr = timerOf(resumed, 'GDPR', 'RESPOND');
    const pausedFor = ms(resumedEvent[0].at) - ms(paused.pausedAt);
    const shift = ms(gdpr.dueAt) - ms(gdprBefore.dueAt);
    expect(pausedFor).toBeGreaterThanOrEqual(1500);
    // Calendar clocks keep whole seconds of remaining time (SPEC §5): the shift is the pause, to the second.
    expect(shift).toBeLessThanOrEqual(pausedFor);
    expect(pausedFor - shift).toBeLessThan(1000);
    expect(gdpr).toMatchObject({ status: 'RUNNING', pausedAt: null, startedAt: gdprBefore.startedAt });
    expect(ms(gdpr.warnAt) - ms(gdprBefore.warnAt)).toBe(shift);
    expect(timerOf(resumed, 'DPF', 'RESPOND')).toMatchObject({ status: 'RUNNING', dueAt: dpfBefore.dueAt });
    expect(resumed.nextDueAt).toBe(gdpr.dueAt);
    expect(resumedEvent[0].changes.dueAt).toEqual({ from: gdprBefore.dueAt, to: gdpr.dueAt });
  });
});

describe('extendSlaTimer', () => {
  async function snapshot(complaintId: string) {
    const [timers] = await t.sql(`SELECT json_agg(t ORDER BY id) AS rows FROM sla_timers t WHERE complaint_id = $1`, [complaintId]);
    const [events] = await t.sql(`SELECT count(*)::int AS n FROM audit_events WHERE complaint_id = $1`, [complaintId]);
    const [c] = await t.sql(`SELECT version, next_due_at FROM complaints WHERE id = $1`, [complaintId]);
    return { timers: timers.rows, events: events.n, complaint: c };
  }

  test('the DPO extends GDPR RESPOND once by two calendar months from the old due, with an SLA_EXTENDED event', async () => {
    const c = await api.file(dpo, { jurisdiction: 'DE', receivedAt: daysAgo(3) });
    const before = timerOf(c, 'GDPR', 'RESPOND');
    const res = await t.gql(dpo, EXTEND, { id: before.id, reason: 'Complex request spanning several systems' });
    const extended = ok(res, 'extendSlaTimer').extendSlaTimer;
    expect(extended).toMatchObject({
      id: before.id,
      status: 'RUNNING',
      startedAt: before.startedAt,
      dueAt: calendarDue(before.dueAt, { months: 2 }),
      extended: true,
      extensionReason: 'Complex request spanning several systems',
    });
    expect(extended.warnAt).toBe(warnAtOf(before.startedAt, extended.dueAt));

    const after = await api.get(dpo, c.id);
    expect(timerOf(after, 'GDPR', 'RESPOND')).toMatchObject({ dueAt: extended.dueAt, extended: true });
    expect(after.nextDueAt).toBe(timerOf(c, 'DPF', 'RESPOND').dueAt); // DPF (45 days) is now the earlier clock
    const events = eventsByTimer(await api.trail(dpo, c.id), 'SLA_EXTENDED')[before.id];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: { id: 'acme-dpo' },
      actorRole: 'DPO',
      changes: { dueAt: { from: before.dueAt, to: extended.dueAt }, extension: 'P2M' },
    });
  });

  test('a second extension of the same clock is INVALID_TRANSITION and writes nothing', async () => {
    const c = await api.file(dpo, { jurisdiction: 'DE' });
    const timer = timerOf(c, 'GDPR', 'RESPOND');
    ok(await t.gql(dpo, EXTEND, { id: timer.id, reason: 'first extension' }), 'first extension');
    const before = await snapshot(c.id);
    const res = await t.gql(dpo, EXTEND, { id: timer.id, reason: 'second extension' });
    expect(errorCode(res)).toBe('INVALID_TRANSITION');
    expect(await snapshot(c.id)).toEqual(before);
  });

  test('a clock whose policy has no extension (CCPA ACKNOWLEDGE, DPF RESPOND) is INVALID_TRANSITION and writes nothing', async () => {
    const ca = await api.file(dpo, { jurisdiction: 'US-CA' });
    const de = await api.file(dpo, { jurisdiction: 'DE' });
    for (const [c, timer] of [
      [ca, timerOf(ca, 'CCPA', 'ACKNOWLEDGE')],
      [de, timerOf(de, 'DPF', 'RESPOND')],
    ]) {
      const before = await snapshot(c.id);
      const res = await t.gql(dpo, EXTEND, { id: timer.id, reason: 'needs more time' });
      expect(errorCode(res)).toBe('INVALID_TRANSITION');
      expect(await snapshot(c.id)).toEqual(before);
    }
  });

  test('a clock that is already due cannot be extended (INVALID_TRANSITION) and nothing is written', async () => {
    const c = await api.file(dpo, { jurisdiction: 'US-CA', receivedAt: daysAgo(50) });
    const respond = timerOf(c, 'CCPA', 'RESPOND'); // P45D, extendable by P45D, due five days ago
    expect(ms(respond.dueAt)).toBeLessThan(Date.now());
    expect(respond.remainingSeconds).toBe(0);
    const before = await snapshot(c.id);
    const res = await t.gql(dpo, EXTEND, { id: respond.id, reason: 'too late' });
    expect(errorCode(res)).toBe('INVALID_TRANSITION');
    expect(await snapshot(c.id)).toEqual(before);
  });

  test('an AGENT may not extend (FORBIDDEN), an unknown timer is NOT_FOUND, and neither writes anything', async () => {
    const c = await api.file(dpo, { jurisdiction: 'DE' });
    const timer = timerOf(c, 'GDPR', 'RESPOND');
    const before = await snapshot(c.id);
    expect(errorCode(await t.gql(agent, EXTEND, { id: timer.id, reason: 'agent tries' }))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(dpo, EXTEND, { id: '00000000-0000-4000-8000-000000000000', reason: 'who?' }))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(dpo, EXTEND, { id: 'not-a-uuid', reason: 'who?' }))).toBe('NOT_FOUND');
    expect(await snapshot(c.id)).toEqual(before);
  });

  test('a timer of another tenant is NOT_FOUND', async () => {
    const c = await api.file(dpo, { jurisdiction: 'DE' });
    const otherDpo = await t.token(Role.DPO, { tid: 'other-tenant' });
    const res = await t.gql(otherDpo, EXTEND, { id: timerOf(c, 'GDPR', 'RESPOND').id, reason: 'not mine' });
    expect(errorCode(res)).toBe('NOT_FOUND');
  });

  test('an extension granted while the clock is paused survives the resume', async () => {
    const c = await api.file(dpo, { jurisdiction: 'DE' });
    const original = timerOf(c, 'GDPR', 'RESPOND');
    const waiting = await api.run(dpo, 'await', { id: c.id });
    const pausedAt = timerOf(waiting, 'GDPR', 'RESPOND').pausedAt;
    const extended = ok(await t.gql(dpo, EXTEND, { id: original.id, reason: 'complex request' }), 'extend while paused').extendSlaTimer;
    expect(extended).toMatchObject({ status: 'PAUSED', extended: true, dueAt: calendarDue(original.dueAt, { months: 2 }) });

    const resumed = await api.run(dpo, 'resume', { id: c.id });
    const resumedAt = eventsByTimer(await api.trail(dpo, c.id), 'SLA_RESUMED')[original.id][0].at;
    // Due: the extended due, moved on by the time the clock stood still (whole seconds kept).
    const expected = ms(extended.dueAt) + (ms(resumedAt) - ms(pausedAt));
    const dueAt = ms(timerOf(resumed, 'GDPR', 'RESPOND').dueAt);
    expect(expected - dueAt).toBeGreaterThanOrEqual(0);
    expect(expected - dueAt).toBeLessThan(1000);
  });
});

describe('upsertSlaPolicy', () => {
  const TID = 'policy-tenant';
  let tenantAdmin: string;
  let tenantDpo: string;
  let tenantAgent: string;
  const GDPR_20_DAYS = {
    regime: 'GDPR',
    stage: 'INTERNAL_DPO',
    kind: 'RESPOND',
    duration: 'P20D',
    businessDays: false,
    extension: null,
    pausable: true,
    source: 'Internal target: 20 days',
    rights: null,
  };

  beforeAll(async () => {
    tenantAdmin = await t.token(Role.ADMIN, { tid: TID });
    tenantDpo = await t.token(Role.DPO, { tid: TID });
    tenantAgent = await t.token(Role.AGENT, { tid: TID });
    for (const token of [tenantAdmin, tenantDpo, tenantAgent]) ok(await t.gql(token, '{ me { tenantId } }'), 'provisioning');
  });

  async function tenantState() {
    const policies = await t.sql(`SELECT * FROM sla_policies WHERE tenant_id = $1 ORDER BY regime, stage, kind`, [TID]);
    const [events] = await t.sql(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND complaint_id IS NULL`, [TID]);
    return { policies, tenantEvents: events.n };
  }

  test('a DPO or an AGENT may not change a policy (FORBIDDEN), and nothing is written', async () => {
    const before = await tenantState();
    for (const token of [tenantDpo, tenantAgent]) expect(errorCode(await t.gql(token, UPSERT, { input: GDPR_20_DAYS }))).toBe('FORBIDDEN');
    expect(await tenantState()).toEqual(before);
  });

  test.each([
    ['P0D', false, 'input.duration'],
    ['garbage', false, 'input.duration'],
    ['PT12H', true, 'input.duration'],
    ['P1M', true, 'input.duration'],
    // What the calendar cannot add is refused here, never discovered at filing time.
    ['P1Y2M3DT4H', false, 'input.duration'],
    ['P1DT1H', false, 'input.duration'],
    ['PT0S', false, 'input.duration'],
    ['-P1D', false, 'input.duration'],
    ['P-1D', false, 'input.duration'],
    ['P1.5D', false, 'input.duration'],
    ['P1W2D', false, 'input.duration'],
    ['P99999D', false, 'input.duration'],
  ])('a duration of %s (business days: %s) is BAD_USER_INPUT naming %s, and nothing is written', async (duration, businessDays, field) => {
    const before = await tenantState();
    const res = await t.gql(tenantAdmin, UPSERT, { input: { ...GDPR_20_DAYS, duration, businessDays } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(Object.keys(res.errors![0].extensions.fields!)).toContain(field);
    expect(await tenantState()).toEqual(before);
  });

  test.each(['P0D', 'P1Y2M3DT4H', 'PT0S', '-P1M', 'P1.5M', 'P1W2D'])(
    'an extension of %s is BAD_USER_INPUT naming input.extension, and nothing is written',
    async (extension) => {
      const before = await tenantState();
      const res = await t.gql(tenantAdmin, UPSERT, { input: { ...GDPR_20_DAYS, extension } });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(Object.keys(res.errors![0].extensions.fields!)).toEqual(['input.extension']);
      expect(await tenantState()).toEqual(before);
    },
  );

  test('GDPR RESPOND changed to P20D applies to complaints filed afterwards; a running clock keeps its due and terms', async () => {
    const api2 = client(t);
    const earlier = await api2.file(tenantDpo, { jurisdiction: 'DE' });
    const earlierGdpr = timerOf(earlier, 'GDPR', 'RESPOND');
    const [{ n: eventsBefore }] = await t.sql(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND complaint_id IS NULL`, [TID]);

    const policy = ok(await t.gql(tenantAdmin, UPSERT, { input: GDPR_20_DAYS }), 'upsertSlaPolicy').upsertSlaPolicy;
    expect(policy).toMatchObject({ ...GDPR_20_DAYS, warnAtPercent: 80, startsOn: 'STAGE_ENTERED' });
    const policies = ok(await t.gql(tenantDpo, POLICIES), 'slaPolicies').slaPolicies;
    expect(policies).toHaveLength(16); // replaced, not added
    expect(policies.find((p: any) => p.regime === 'GDPR' && p.kind === 'RESPOND')).toEqual(policy);

    const receivedAt = new Date(Date.now() - 60_000).toISOString();
    const later = await api2.file(tenantDpo, { jurisdiction: 'DE', receivedAt });
    expect(timerOf(later, 'GDPR', 'RESPOND').dueAt).toBe(calendarDue(receivedAt, { days: 20 }));
    expect(timerOf(later, 'DPF', 'RESPOND').dueAt).toBe(calendarDue(receivedAt, { days: 45 }));

    const reread = await api2.get(tenantDpo, earlier.id);
    expect(timerOf(reread, 'GDPR', 'RESPOND')).toMatchObject({ dueAt: earlierGdpr.dueAt, warnAt: earlierGdpr.warnAt, status: 'RUNNING' });
    // The running clock started with an extension of P2M; the new policy has none. It keeps its own.
    const extended = ok(await t.gql(tenantDpo, EXTEND, { id: earlierGdpr.id, reason: 'complex request' }), 'extend old clock').extendSlaTimer;
    expect(extended.dueAt).toBe(calendarDue(earlierGdpr.dueAt, { months: 2 }));
    expect(errorCode(await t.gql(tenantDpo, EXTEND, { id: timerOf(later, 'GDPR', 'RESPOND').id, reason: 'complex request' }))).toBe('INVALID_TRANSITION');

    // Audited in the tenant-level chain (no complaint): who, what changed, from what.
    const events = await t.sql(
      `SELECT complaint_id, chain_id, sequence, action, actor_id, actor_role, changes, prev_hash, hash
         FROM audit_events WHERE tenant_id = $1 AND complaint_id IS NULL ORDER BY sequence`,
      [TID],
    );
    expect(events).toHaveLength(eventsBefore + 1);
    const event = events[events.length - 1];
    expect(event).toMatchObject({
      complaint_id: null,
      chain_id: TID,
      sequence: eventsBefore + 1,
      action: 'SLA_POLICY_CHANGED',
      actor_id: `${TID}-admin`,
      actor_role: 'ADMIN',
      changes: { regime: 'GDPR', stage: 'INTERNAL_DPO', kind: 'RESPOND', duration: { from: 'P1M', to: 'P20D' }, extension: { from: 'P2M', to: null } },
    });
    expect(event.prev_hash).toBe(eventsBefore > 0 ? events[events.length - 2].hash : null);
  });
});

describe('tenant calendar settings', () => {
  const TID = 'berlin-tenant';
  let tenantAdmin: string;
  let tenantDpo: string;
  beforeAll(async () => {
    tenantAdmin = await t.token(Role.ADMIN, { tid: TID });
    tenantDpo = await t.token(Role.DPO, { tid: TID });
    for (const token of [tenantAdmin, tenantDpo]) ok(await t.gql(token, '{ me { tenantId } }'), 'provisioning');
  });

  const readSettings = async () => ok(await t.gql(tenantDpo, '{ tenantSettings { timeZone holidayCountry } }'), 'tenantSettings').tenantSettings;

  test('a non-ADMIN may not change them (FORBIDDEN); an unknown zone or country is BAD_USER_INPUT naming the field; nothing changes', async () => {
    expect(await readSettings()).toEqual({ timeZone: 'UTC', holidayCountry: null });
    expect(errorCode(await t.gql(tenantDpo, SETTINGS, { input: { timeZone: 'Europe/Berlin' } }))).toBe('FORBIDDEN');
    const badZone = await t.gql(tenantAdmin, SETTINGS, { input: { timeZone: 'Mars/Olympus_Mons' } });
    expect(errorCode(badZone)).toBe('BAD_USER_INPUT');
    expect(Object.keys(badZone.errors![0].extensions.fields!)).toContain('input.timeZone');
    const badCountry = await t.gql(tenantAdmin, SETTINGS, { input: { holidayCountry: 'XX' } });
    expect(errorCode(badCountry)).toBe('BAD_USER_INPUT');
    expect(Object.keys(badCountry.errors![0].extensions.fields!)).toContain('input.holidayCountry');
    expect(await readSettings()).toEqual({ timeZone: 'UTC', holidayCountry: null });
  });

  test('Europe/Berlin and DE holidays apply to clocks started afterwards; earlier clocks keep their due', async () => {
    const api2 = client(t);
    // 10 March 10:00 UTC is 11:00 in Berlin (CET); a month later Berlin is on CEST.
    const receivedAt = '2026-03-10T10:00:00.000Z';
    const inBerlin = calendarDue(receivedAt, { months: 1 }, 'Europe/Berlin');
    const inUtc = calendarDue(receivedAt, { months: 1 }, 'UTC');
    expect(inBerlin).not.toBe(inUtc); // the vector tells the zones apart
    const before = await api2.file(tenantDpo, { jurisdiction: 'DE', receivedAt });
    expect(timerOf(before, 'GDPR', 'RESPOND').dueAt).toBe(inUtc);

    const settings = ok(
      await t.gql(tenantAdmin, SETTINGS, { input: { timeZone: 'Europe/Berlin', holidayCountry: 'DE' } }),
      'updateTenantSettings',
    ).updateTenantSettings;
    expect(settings).toMatchObject({ timeZone: 'Europe/Berlin', holidayCountry: 'DE' });
    expect(await readSettings()).toEqual({ timeZone: 'Europe/Berlin', holidayCountry: 'DE' });

    const after = await api2.file(tenantDpo, { jurisdiction: 'DE', receivedAt });
    expect(timerOf(after, 'GDPR', 'RESPOND').dueAt).toBe(inBerlin);
    expect(timerOf(await api2.get(tenantDpo, before.id), 'GDPR', 'RESPOND').dueAt).toBe(inUtc);

    // Wed 1 April 2026, 10:00 Berlin: Good Friday (3 April) and Easter Monday (6 April) are
    // public holidays in Germany, so five business days end on Friday 10 April, not Wednesday 8.
    const easter = '2026-04-01T08:00:00.000Z';
    const germanHolidays = new Set(['2026-04-03', '2026-04-06']);
    const expected = businessDue(easter, 5, 'Europe/Berlin', germanHolidays);
    expect(expected).toBe('2026-04-10T08:00:00.000Z');
    expect(expected).not.toBe(businessDue(easter, 5, 'Europe/Berlin'));
    const jp = await api2.file(tenantDpo, { jurisdiction: 'JP', receivedAt: easter });
    expect(timerOf(jp, 'OTHER', 'ACKNOWLEDGE').dueAt).toBe(expected);
  });
});

// ---- With the SLA worker running: warnings, breaches and the lists that show them --------

describe('the SLA worker', () => {
  const WORKER_TIMEOUT = 90_000;
  let w: TestApp;
  let wapi: ReturnType<typeof client>;
  let wdpo: string;
  let breachedCase: any;
  let warnedCase: any;
  let coppaCase: any;
  let freshCase: any;
  let filedAt: number;

  beforeAll(async () => {
    w = await startTestApp({}, { worker: true });
    wapi = client(w);
    wdpo = await w.token(Role.DPO, { tz: 'UTC' });
    ok(await w.gql(wdpo, '{ me { tenantId } }'), 'provisioning');
    filedAt = Date.now();
    breachedCase = await wapi.file(wdpo, { jurisdiction: 'US-CA', receivedAt: daysAgo(50) });
    // 26 days into a calendar month (28 to 31 days long): past 80 %, not yet due.
    warnedCase = await wapi.file(wdpo, { jurisdiction: 'DE', receivedAt: daysAgo(26) });
    coppaCase = await wapi.file(wdpo, { jurisdiction: 'US-CA', complainant: { involvesChildUnder13: true } });
    freshCase = await wapi.file(wdpo, { jurisdiction: 'JP' });
  }, WORKER_TIMEOUT);
  afterAll(() => w?.close());

  const breachedTimers = async (c: any) => (await wapi.get(wdpo, c.id)).slaTimers.filter((x: any) => x.status === 'BREACHED');

  test(
    'a CCPA case received 50 days ago has RESPOND (45 days) and ACKNOWLEDGE (10 business days) BREACHED at dueAt within 60 s, once each',
    async () => {
      const receivedAt = breachedCase.receivedAt;
      const respondDue = calendarDue(receivedAt, { days: 45 });
      const ackDue = businessDue(receivedAt, 10);
      expect(timerOf(breachedCase, 'CCPA', 'RESPOND').dueAt).toBe(respondDue);
      expect(timerOf(breachedCase, 'CCPA', 'ACKNOWLEDGE').dueAt).toBe(ackDue);

      await waitFor('both CCPA clocks to breach', async () => (await breachedTimers(breachedCase)).length === 2, 60_000);
      expect(Date.now() - filedAt).toBeLessThan(60_000);

      const c = await wapi.get(wdpo, breachedCase.id);
      expect(timerOf(c, 'CCPA', 'RESPOND')).toMatchObject({
        status: 'BREACHED',
        breachedAt: respondDue,
        dueAt: respondDue,
        remainingSeconds: null,
        metAt: null,
      });
      expect(timerOf(c, 'CCPA', 'ACKNOWLEDGE')).toMatchObject({ status: 'BREACHED', breachedAt: ackDue, dueAt: ackDue, remainingSeconds: null });
      expect(c.nextDueAt).toBeNull();

      // Duplicate deliveries and another sweep change nothing: a breach happens exactly once.
      const log = createLogger('silent');
      await Promise.all(c.slaTimers.flatMap((x: any) => [processTimer(w.dataSource, log, 'acme', x.id), processTimer(w.dataSource, log, 'acme', x.id)]));
      await sweepDueTimers(w.dataSource, log);

      const trail = await wapi.trail(wdpo, c.id);
      const breaches = eventsByTimer(trail, 'SLA_BREACHED');
      expect(Object.keys(breaches).sort()).toEqual(c.slaTimers.map((x: any) => x.id).sort());
      for (const events of Object.values(breaches)) {
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({ actor: null, actorRole: null });
      }
      expect(ok(await w.gql(wdpo, VERIFY, { id: c.id }), 'verify').verifyAuditTrail).toMatchObject({
        valid: true,
        brokenAtSequence: null,
        eventsChecked: trail.length,
      });
    },
    WORKER_TIMEOUT,
  );

  test(
    'a breached clock stays BREACHED: acknowledging and resolving afterwards do not meet it',
    async () => {
      await waitFor('both CCPA clocks to breach', async () => (await breachedTimers(breachedCase)).length === 2, 60_000);
      await wapi.run(wdpo, 'acknowledge', { id: breachedCase.id });
      const resolved = await wapi.run(wdpo, 'resolve', { id: breachedCase.id });
      expect(clockSet(resolved)).toEqual(['CCPA ACKNOWLEDGE INTERNAL_DPO BREACHED', 'CCPA RESPOND INTERNAL_DPO BREACHED']);
      for (const timer of resolved.slaTimers) expect(timer.metAt).toBeNull();
    },
    WORKER_TIMEOUT,
  );

  test(
    'a GDPR clock past 80 % but not due gets one SLA_WARNING and keeps running; no second warning follows',
    async () => {
      const gdpr = timerOf(warnedCase, 'GDPR', 'RESPOND');
      const dpf = timerOf(warnedCase, 'DPF', 'RESPOND');
      expect(ms(gdpr.warnAt)).toBeLessThan(Date.now());
      expect(ms(gdpr.dueAt)).toBeGreaterThan(Date.now() + DAY_MS);
      expect(ms(dpf.warnAt)).toBeGreaterThan(Date.now());

      const warnings = async () => (await wapi.trail(wdpo, warnedCase.id)).filter((e) => e.action === 'SLA_WARNING');
      const first = await waitFor('the GDPR warning', async () => ((await warnings()).length > 0 ? await warnings() : null), 60_000);
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({ actor: null, actorRole: null, changes: { timerId: gdpr.id, dueAt: gdpr.dueAt } });

      // More poll cycles, a duplicate job and another sweep: still one warning, clocks unchanged.
      const log = createLogger('silent');
      await processTimer(w.dataSource, log, 'acme', gdpr.id);
      await sweepDueTimers(w.dataSource, log);
      await new Promise((r) => setTimeout(r, 500));
      expect(await warnings()).toHaveLength(1);
      const c = await wapi.get(wdpo, warnedCase.id);
      expect(timerOf(c, 'GDPR', 'RESPOND')).toMatchObject({ status: 'RUNNING', dueAt: gdpr.dueAt, breachedAt: null });
      expect(timerOf(c, 'DPF', 'RESPOND')).toMatchObject({ status: 'RUNNING', dueAt: dpf.dueAt });
      expect(ok(await w.gql(wdpo, VERIFY, { id: c.id }), 'verify').verifyAuditTrail.valid).toBe(true);
    },
    WORKER_TIMEOUT,
  );

  describe('lists', () => {
    beforeAll(async () => {
      await waitFor('both CCPA clocks to breach', async () => (await breachedTimers(breachedCase)).length === 2, 60_000);
    }, WORKER_TIMEOUT);

    const listIds = async (args: string) => {
      const data = ok(await w.gql(wdpo, `{ complaints(${args}) { totalCount edges { node { id nextDueAt } } } }`), 'complaints');
      return data.complaints;
    };

    test('complaints(filter: { breached: true }) finds exactly the case with a breached clock', async () => {
      const res = await listIds('filter: { breached: true }');
      expect(res.edges.map((e: any) => e.node.id)).toEqual([breachedCase.id]);
      expect(res.totalCount).toBe(1);
      const notBreached = await listIds('filter: { breached: false }');
      expect(notBreached.edges.map((e: any) => e.node.id).sort()).toEqual([warnedCase.id, coppaCase.id, freshCase.id].sort());
    });

    test('dueBefore finds the cases whose nextDueAt is before the instant', async () => {
      const coppaDue = timerOf(coppaCase, 'COPPA', 'RESPOND').dueAt;
      expect((await wapi.get(wdpo, coppaCase.id)).nextDueAt).toBe(coppaDue);
      const justAfter = new Date(ms(coppaDue) + 1).toISOString();
      expect((await listIds(`filter: { dueBefore: "${justAfter}" }`)).edges.map((e: any) => e.node.id)).toEqual([coppaCase.id]);
      expect((await listIds(`filter: { dueBefore: "${coppaDue}" }`)).edges).toEqual([]); // strictly before

      const warnedDue = timerOf(warnedCase, 'GDPR', 'RESPOND').dueAt;
      const upTo = new Date(Math.max(ms(warnedDue), ms(coppaDue)) + 1).toISOString();
      expect((await listIds(`filter: { dueBefore: "${upTo}" }`)).edges.map((e: any) => e.node.id).sort()).toEqual([coppaCase.id, warnedCase.id].sort());
    });

    test('orderBy NEXT_DUE_AT ASC puts the soonest first and cases without a running clock last', async () => {
      const res = await listIds('orderBy: { field: NEXT_DUE_AT, direction: ASC }');
      const nodes = res.edges.map((e: any) => e.node);
      expect(nodes[0].id).toBe(coppaCase.id); // COPPA: one day
      expect(nodes[nodes.length - 1]).toEqual({ id: breachedCase.id, nextDueAt: null });
      const dues = nodes.slice(0, -1).map((n: any) => ms(n.nextDueAt));
      expect(dues).toEqual([...dues].sort((a, b) => a - b));
    });

    test('slaTimers(status: [BREACHED]) lists the breached clocks with totalCount', async () => {
      const data = ok(
        await w.gql(wdpo, `{ slaTimers(status: [BREACHED]) { totalCount edges { node { id status breachedAt dueAt } } } }`),
        'slaTimers',
      ).slaTimers;
      const expected = await w.sql(`SELECT id FROM sla_timers WHERE tenant_id = 'acme' AND status = 'BREACHED'`);
      expect(data.totalCount).toBe(expected.length);
      expect(data.edges.map((e: any) => e.node.id).sort()).toEqual(expected.map((r) => r.id).sort());
      expect(data.edges.map((e: any) => e.node.id)).toEqual(expect.arrayContaining(breachedCase.slaTimers.map((x: any) => x.id)));
      for (const { node } of data.edges) expect(node).toMatchObject({ status: 'BREACHED', breachedAt: node.dueAt });
    });

    test('slaTimers pages with first/after through every clock exactly once, soonest due first', async () => {
      const all = await w.sql(`SELECT id FROM sla_timers WHERE tenant_id = 'acme'`);
      expect(all.length).toBeGreaterThan(6);
      const seen: string[] = [];
      const dues: number[] = [];
      let after: string | null = null;
      for (let page = 0; page < 20; page++) {
        const res: any = await w.gql(
          wdpo,
          `query ($after: String) { slaTimers(first: 3, after: $after) { totalCount edges { cursor node { id dueAt } } pageInfo { hasNextPage endCursor } } }`,
          { after },
        );
        const conn = ok(res, 'slaTimers page').slaTimers;
        expect(conn.totalCount).toBe(all.length);
        expect(conn.edges.length).toBeLessThanOrEqual(3);
        seen.push(...conn.edges.map((e: any) => e.node.id));
        dues.push(...conn.edges.map((e: any) => ms(e.node.dueAt)));
        if (!conn.pageInfo.hasNextPage) break;
        after = conn.pageInfo.endCursor;
      }
      expect(seen).toHaveLength(all.length);
      expect([...seen].sort()).toEqual(all.map((r) => r.id).sort());
      expect(dues).toEqual([...dues].sort((a, b) => a - b));
    });

    test('slaTimers refuses first above 100 with BAD_USER_INPUT naming first', async () => {
      const res = await w.gql(wdpo, '{ slaTimers(first: 101) { totalCount } }');
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions.fields).toHaveProperty('first');
    });
  });
});

describe('starting the SLA worker', () => {
  test('breaches at start-up the clocks that fell due while no worker ran, even with their jobs lost', async () => {
    const app = await startTestApp();
    try {
      const dpoToken = await app.token(Role.DPO, { tz: 'UTC' });
      const c = await client(app).file(dpoToken, { jurisdiction: 'US-CA', receivedAt: daysAgo(50) });
      expect(clockSet(c)).toEqual(['CCPA ACKNOWLEDGE INTERNAL_DPO RUNNING', 'CCPA RESPOND INTERNAL_DPO RUNNING']);
      // Only the start-up sweep can find them now.
      const keys = c.slaTimers.map((x: any) => `sla:${x.id}`);
      expect(await app.sql('SELECT key FROM graphile_worker._private_jobs WHERE key = ANY($1)', [keys])).toHaveLength(2);
      for (const key of keys) await app.sql('SELECT graphile_worker.remove_job($1)', [key]);
      expect(await app.sql('SELECT key FROM graphile_worker._private_jobs WHERE key = ANY($1)', [keys])).toEqual([]);

      const worker = await startSlaWorker(app.dataSource, app.databaseUrl, createLogger('silent'), { pollInterval: 100 });
      try {
        const after = await client(app).get(dpoToken, c.id);
        expect(clockSet(after)).toEqual(['CCPA ACKNOWLEDGE INTERNAL_DPO BREACHED', 'CCPA RESPOND INTERNAL_DPO BREACHED']);
        for (const timer of after.slaTimers) expect(timer.breachedAt).toBe(timer.dueAt);
      } finally {
        await worker.stop();
      }
    } finally {
      await app.close();
    }
  }, 60_000);
});
