import { parse } from 'csv-parse/sync';
import { Client } from 'pg';
import { Role } from '../src/auth/roles';
import { createLogger } from '../src/logger';
import { sweepDueTimers } from '../src/worker/sla-worker';
import { complaintInput } from './support/factories';
import { errorCode, GqlResult, startTestApp, TestApp } from './support/harness';
import { SPEC_CSV_HEADER } from './support/spec-csv';

/**
 * complianceReport and the CSV export (SPEC §8) against a fixture of 200 complaints built
 * through the API. Every figure is recomputed here in JavaScript from the rows the
 * database holds (read as the owner), never with the report's own SQL.
 */

const TENANT = 'reports';
const OTHER_TENANT = 'reports-other';
const EMPTY_TENANT = 'reports-empty';

const MINUTE = 60_000;
const DAY = 86_400_000;
// The window ends an hour ago, so a complaint received exactly at `to` (and one a
// millisecond later) can still be filed: receivedAt is never in the future.
const TO = new Date(Math.floor(Date.now() / MINUTE) * MINUTE - 60 * MINUTE);
const FROM = new Date(TO.getTime() - 365 * DAY);
const N = 200;
const at = (ms: number) => new Date(ms);

const CSV_COLUMNS = SPEC_CSV_HEADER;
const COL = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, i])) as Record<string, number>;
const AGING = [
  { label: '0-7', minDays: 0, maxDays: 7 },
  { label: '8-30', minDays: 8, maxDays: 30 },
  { label: '31-45', minDays: 31, maxDays: 45 },
  { label: '46-90', minDays: 46, maxDays: 90 },
  { label: '91+', minDays: 91, maxDays: null },
];
// A summary that would break a naive CSV writer; summary is no column, but the rows of these complaints must still parse.
const AWKWARD_SUMMARY = 'Refused, "twice"\nand then ignored';

const REPORT = `query ($from: DateTime!, $to: DateTime!) { complianceReport(from: $from, to: $to) {
  from to received resolved openAtEnd
  byStage { stage count } byRight { right count } byOutcome { outcome count } byRegime { regime count }
  sla { met breached running complianceRate byKind { kind met breached complianceRate } }
  medianDaysToResolution p90DaysToResolution escalationRate
  aging { label minDays maxDays count }
} }`;
const OPS = {
  file: `mutation ($input: FileComplaintInput!) { fileComplaint(input: $input) { id } }`,
  acknowledge: `mutation ($id: ID!) { acknowledgeComplaint(id: $id) { id } }`,
  escalate: `mutation ($id: ID!, $to: ComplaintStage!) { escalateComplaint(id: $id, to: $to, reason: "fixture escalation") { id } }`,
  resolve: `mutation ($id: ID!, $outcome: ComplaintOutcome!) { resolveComplaint(id: $id, outcome: $outcome, summary: "fixture resolution") { id } }`,
  close: `mutation ($id: ID!) { closeComplaint(id: $id) { id } }`,
  await: `mutation ($id: ID!) { awaitComplainant(id: $id, reason: "asked for proof of identity") { id } }`,
};

// ---------------------------------------------------------------------------------------
// The fixture plan: deterministic (seeded), so a failure reproduces.

type Fate = 'OPEN' | 'AWAITING' | 'RESOLVED' | 'CLOSED';
type Step = { escalate: string } | 'resolve';
interface Plan {
  key: string;
  input: Record<string, any>;
  acknowledge: boolean;
  /** Resolved before the breach sweep: its clocks end MET rather than BREACHED. */
  early: boolean;
  /** After the sweep: escalations (and the resolution the arbitration path needs first). */
  steps: Step[];
  fate: Fate;
  outcome: string;
  /** The resolution instant the fixture sets; otherwise derived from the seed. */
  resolvedAt?: Date;
  id?: string;
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const rng = mulberry32(20261129);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
function pickSome<T>(xs: readonly T[], max: number): T[] {
  const n = 1 + Math.floor(rng() * max);
  return [...new Set(Array.from({ length: n }, () => pick(xs)))];
}

const JURISDICTIONS = ['DE', 'GB', 'US-CA', 'JP'] as const;
const RIGHTS: Record<string, readonly string[]> = {
  DE: ['ACCESS', 'RECTIFICATION', 'ERASURE', 'RESTRICTION', 'PORTABILITY', 'OBJECTION', 'AUTOMATED_DECISION', 'WITHDRAW_CONSENT', 'COMPLAINT'],
  GB: ['ACCESS', 'RECTIFICATION', 'ERASURE', 'OBJECTION', 'COMPLAINT'],
  'US-CA': ['ACCESS', 'ERASURE', 'DO_NOT_SELL', 'RECTIFICATION', 'COMPLAINT'],
  JP: ['ACCESS', 'ERASURE', 'RECTIFICATION', 'COMPLAINT'],
};
const OUTCOMES = ['UPHELD', 'PARTIALLY_UPHELD', 'NOT_UPHELD', 'SETTLED', 'WITHDRAWN'] as const;

function receivedAtOf(i: number): Date {
  const special: Record<number, number> = {
    0: FROM.getTime(), // exactly at `from`: counts
    [N - 1]: TO.getTime(), // exactly at `to`: counts, aged 0 days
    194: TO.getTime() - 31 * DAY, // aging edges: 31 days → 31-45
    195: TO.getTime() - 30.5 * DAY, // 30 days → 8-30
    196: TO.getTime() - 8 * DAY, // 8 days → 8-30
    197: TO.getTime() - 8 * DAY + 1, // 7.99… days → 0-7
  };
  if (i in special) return at(special[i]);
  return at(FROM.getTime() + Math.round((i * 365 * DAY) / (N - 1)) + ((i * 7919) % 3600) * 1000);
}

function planComplaint(i: number): Plan {
  const jurisdiction = JURISDICTIONS[i % 4];
  const eu = jurisdiction === 'DE' || jurisdiction === 'GB';
  const employment = eu && rng() < 0.2;
  const processor = rng() < 0.1;
  const rights = pickSome(RIGHTS[jurisdiction], 3);
  const child = jurisdiction === 'US-CA' && rng() < 0.15;
  const referred = processor && rights.some((r) => r !== 'COMPLAINT'); // SPEC §4: the controller's case
  const r = rng();
  let steps: Step[];
  if (referred) steps = r < 0.15 ? [{ escalate: 'REGULATOR' }] : [];
  else if (eu && employment && !processor)
    steps = r < 0.45 ? [{ escalate: 'DPA_PANEL' }] : r < 0.6 ? [{ escalate: 'DPA_PANEL' }, { escalate: 'REGULATOR' }] : [];
  else if (eu && !processor) {
    steps =
      r < 0.15
        ? [{ escalate: 'INDEPENDENT_ADR' }]
        : r < 0.22
          ? [{ escalate: 'INDEPENDENT_ADR' }, { escalate: 'REGULATOR' }]
          : r < 0.27
            ? [{ escalate: 'INDEPENDENT_ADR' }, { escalate: 'REGULATOR' }, 'resolve', { escalate: 'ARBITRATION_PANEL' }]
            : r < 0.34
              ? [{ escalate: 'REGULATOR' }]
              : [];
  } else steps = r < 0.12 ? [{ escalate: 'REGULATOR' }] : [];
  const f = rng();
  const fate: Fate = f < 0.3 ? 'OPEN' : f < 0.38 ? 'AWAITING' : f < 0.78 ? 'RESOLVED' : 'CLOSED';
  const resolving = fate === 'RESOLVED' || fate === 'CLOSED';
  return {
    key: `F${i}`,
    input: complaintInput({
      complainant: {
        name: `Ottilie Fixture-${i}`,
        email: `ottilie${i}@complainants.example`,
        phone: `+49 30 555 ${String(1000 + i)}`,
        involvesChildUnder13: child,
      },
      jurisdiction,
      dataContext: employment ? 'EMPLOYMENT' : 'CONSUMER',
      processingRole: processor ? 'PROCESSOR' : 'CONTROLLER',
      rights,
      channel: pick(['EMAIL', 'PHONE', 'WEB_FORM', 'POST'] as const),
      summary: i % 10 === 3 ? AWKWARD_SUMMARY : `Fixture complaint ${i}`,
      receivedAt: receivedAtOf(i).toISOString(),
    }),
    acknowledge: (jurisdiction === 'US-CA' || jurisdiction === 'JP') && rng() < 0.6, // the regimes with ACKNOWLEDGE clocks
    early: steps.length === 0 && resolving && rng() < 0.5,
    steps,
    fate,
    outcome: referred ? 'REFERRED_TO_CONTROLLER' : pick(OUTCOMES),
  };
}

/** A plain case at INTERNAL_DPO whose end the fixture fixes (boundaries, aging edges). */
function forced(plan: Plan, fate: Fate, resolvedAt?: Date): Plan {
  return {
    ...plan,
    input: { ...plan.input, jurisdiction: 'DE', dataContext: 'CONSUMER', processingRole: 'CONTROLLER', rights: ['ACCESS'] },
    steps: [],
    early: false,
    fate,
    outcome: 'UPHELD',
    resolvedAt,
  };
}

const plans: Plan[] = Array.from({ length: N }, (_, i) => planComplaint(i));
const FROM_N = receivedAtOf(50);
const TO_N = receivedAtOf(130);
plans[40] = forced(plans[40], 'RESOLVED', FROM_N); // received before the narrow window, resolved exactly at its start
plans[100] = forced(plans[100], 'CLOSED', TO_N); // resolved exactly at the narrow window's end
plans[150] = forced(plans[150], 'RESOLVED', TO); // resolved exactly at `to`: resolved, not open at end
plans[190] = forced(plans[190], 'RESOLVED', at(TO.getTime() + 10 * MINUTE)); // resolved after `to`: open at end
for (const i of [194, 195, 196, N - 1]) plans[i] = forced(plans[i], 'OPEN');
plans[197] = forced(plans[197], 'AWAITING'); // its GDPR clock is weeks from due: it pauses

/** Outside the 200: complaints just outside the year window, on either side. */
function extra(key: string, receivedAt: Date, fate: Fate, resolvedAt?: Date): Plan {
  const input = complaintInput({
    complainant: { name: `Xaver Outside-${key}`, email: `${key.toLowerCase()}@outside.example` },
    summary: `Outside ${key}`,
    receivedAt: receivedAt.toISOString(),
  });
  return { key, input, acknowledge: false, early: false, steps: [], fate, outcome: 'NOT_UPHELD', resolvedAt };
}
const extras: Plan[] = [
  extra('X1', at(FROM.getTime() - 1), 'OPEN'), // a millisecond before `from`: not received in the window, open at its end
  extra('X2', at(FROM.getTime() - 40 * DAY), 'RESOLVED', at(FROM.getTime() + 10 * DAY)), // resolved in the window
  extra('X3', at(TO.getTime() + 1), 'OPEN'), // a millisecond after `to`: neither received nor open
  extra('X4', at(FROM.getTime() - 20 * DAY), 'CLOSED', at(FROM.getTime() - 1)), // resolved just before the window
  extra('X5', at(FROM.getTime() - 5 * DAY), 'RESOLVED', FROM), // resolved exactly at `from`
];

// ---------------------------------------------------------------------------------------

let t: TestApp;
let agent: string;
let dpo: string;
let compliance: string;
let admin: string;

function ok<T = any>(res: GqlResult, what: string): T {
  if (res.errors || !res.data) throw new Error(`${what} failed: ${JSON.stringify(res.errors ?? res.body)}`);
  return Object.values(res.data)[0] as T;
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

async function runSteps(plan: Plan, steps: Step[]): Promise<void> {
  for (const step of steps) {
    if (step === 'resolve') ok(await t.gql(dpo, OPS.resolve, { id: plan.id, outcome: 'NOT_UPHELD' }), `${plan.key}: resolving at REGULATOR`);
    else ok(await t.gql(dpo, OPS.escalate, { id: plan.id, to: step.escalate }), `${plan.key}: escalating to ${step.escalate}`);
  }
}

async function reachFate(plan: Plan): Promise<void> {
  if (plan.fate === 'AWAITING') ok(await t.gql(agent, OPS.await, { id: plan.id }), `${plan.key}: awaiting`);
  if (plan.fate === 'RESOLVED' || plan.fate === 'CLOSED') ok(await t.gql(dpo, OPS.resolve, { id: plan.id, outcome: plan.outcome }), `${plan.key}: resolving`);
  if (plan.fate === 'CLOSED') ok(await t.gql(dpo, OPS.close, { id: plan.id }), `${plan.key}: closing`);
}

/**
 * Builds the fixture through the API, so stages, outcomes, timers and the trail are real:
 * file back-dated complaints, acknowledge some, resolve some early (clocks MET), let the
 * worker's sweep breach every clock that fell due (BREACHED), then escalate (old clocks
 * CANCELLED, new ones RUNNING), resolve, close and put on hold (PAUSED) the rest.
 */
async function buildFixture(): Promise<void> {
  const all = [...plans, ...extras];
  await inBatches(all, 8, async (plan) => {
    plan.id = ok(await t.gql(agent, OPS.file, { input: plan.input }), `${plan.key}: filing`).id;
    if (plan.acknowledge) ok(await t.gql(agent, OPS.acknowledge, { id: plan.id }), `${plan.key}: acknowledging`);
    if (plan.early) await reachFate(plan);
  });
  await sweepDueTimers(t.dataSource, createLogger('silent'));
  await inBatches(all, 8, async (plan) => {
    await runSteps(plan, plan.steps);
    if (!plan.early) await reachFate(plan);
  });

  // The API stamps resolved_at/closed_at with the moment of the call (all within this run);
  // the resolution figures need them spread over the year and on the window's edges, so
  // they are rewritten here, after the fact, never before received_at nor in the future.
  const now = Date.now();
  for (const plan of all.filter((p) => p.fate === 'RESOLVED' || p.fate === 'CLOSED')) {
    const received = new Date(plan.input.receivedAt).getTime();
    const span = Math.max(0, Math.min(120 * DAY, TO.getTime() - received));
    const resolved = plan.resolvedAt?.getTime() ?? received + Math.round(span * (0.02 + 0.98 * rng()));
    const closed = plan.fate === 'CLOSED' ? resolved + Math.min(3 * DAY, Math.floor((now - resolved) / 2)) : null;
    await t.sql('UPDATE complaints SET resolved_at = $2, closed_at = $3 WHERE id = $1', [plan.id, at(resolved), closed === null ? null : at(closed)]);
  }
}

beforeAll(async () => {
  t = await startTestApp();
  const tokens = await Promise.all([Role.AGENT, Role.DPO, Role.COMPLIANCE_OFFICER, Role.ADMIN].map((r) => t.token(r, { tid: TENANT })));
  [agent, dpo, compliance, admin] = tokens;
  for (const token of tokens) ok(await t.gql(token, '{ me { tenantId } }'), 'provisioning');
  await buildFixture();

  // Another tenant with complaints inside the same window (odd seconds, so no row can coincide).
  const otherAgent = await t.token(Role.AGENT, { tid: OTHER_TENANT });
  for (const ms of [FROM.getTime() + 17_000, FROM.getTime() + 180 * DAY + 17_000, TO.getTime() - 17_000]) {
    const input = complaintInput({ complainant: { name: 'Gustav Othertenant', email: 'gustav@other.example' }, receivedAt: at(ms).toISOString() });
    ok(await t.gql(otherAgent, OPS.file, { input }), 'filing for the other tenant');
  }
}, 300_000); // ~60 s alone; the whole suite runs two files at once on two cores
afterAll(() => t?.close());

// ---------------------------------------------------------------------------------------
// The expected report, computed in JavaScript from the stored rows.

interface ComplaintRow {
  id: string;
  reference: string;
  stage: string;
  status: string;
  rights: string[];
  regimes: string[];
  jurisdiction: string;
  channel: string;
  data_context: string;
  processing_role: string;
  assignee_id: string | null;
  next_due_at: Date | null;
  received_at: Date;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  outcome: string | null;
  complainant_name: string | null;
  complainant_email: string | null;
  complainant_phone: string | null;
}
interface Db {
  complaints: ComplaintRow[];
  timers: { complaint_id: string; kind: string; status: string }[];
  transitions: { complaint_id: string; from_stage: string | null }[];
}

async function readDb(tenant: string): Promise<Db> {
  return {
    complaints: await t.sql(
      `SELECT id, reference, stage, status, rights, regimes, jurisdiction, channel, data_context, processing_role, assignee_id,
              received_at, acknowledged_at, resolved_at, closed_at, outcome, next_due_at,
              complainant_name, complainant_email, complainant_phone
         FROM complaints WHERE tenant_id = $1`,
      [tenant],
    ),
    timers: await t.sql('SELECT complaint_id, kind, status FROM sla_timers WHERE tenant_id = $1', [tenant]),
    transitions: await t.sql('SELECT complaint_id, from_stage FROM stage_transitions WHERE tenant_id = $1', [tenant]),
  };
}

function tally(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** PostgreSQL's percentile_cont: linear interpolation between the closest ranks. */
function percentileCont(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const rate = (met: number, breached: number) => (met + breached === 0 ? null : met / (met + breached));

function expectedReport(db: Db, from: Date, to: Date) {
  const inWindow = (d: Date | null) => d !== null && d.getTime() >= from.getTime() && d.getTime() <= to.getTime();
  const byTo = (d: Date | null) => d !== null && d.getTime() <= to.getTime();
  const received = db.complaints.filter((c) => inWindow(c.received_at));
  const receivedIds = new Set(received.map((c) => c.id));
  const resolved = db.complaints.filter((c) => inWindow(c.resolved_at));
  const open = db.complaints.filter((c) => byTo(c.received_at) && !byTo(c.resolved_at) && !byTo(c.closed_at));
  const timers = db.timers.filter((tm) => receivedIds.has(tm.complaint_id));
  const count = (status: string, kind?: string) => timers.filter((tm) => tm.status === status && (!kind || tm.kind === kind)).length;
  const escalated = new Set(db.transitions.filter((s) => s.from_stage === 'INTERNAL_DPO').map((s) => s.complaint_id));
  const days = resolved.map((c) => (c.resolved_at!.getTime() - c.received_at.getTime()) / DAY);
  const ages = open.map((c) => Math.floor((to.getTime() - c.received_at.getTime()) / DAY));
  const byKind: Record<string, { met: number; breached: number; complianceRate: number | null }> = {};
  for (const kind of new Set(timers.map((tm) => tm.kind))) {
    const met = count('MET', kind);
    const breached = count('BREACHED', kind);
    if (met + breached > 0) byKind[kind] = { met, breached, complianceRate: rate(met, breached) };
  }
  const met = count('MET');
  const breached = count('BREACHED');
  return {
    received: received.length,
    resolved: resolved.length,
    openAtEnd: open.length,
    byStage: tally(received.map((c) => c.stage)),
    byRight: tally(received.flatMap((c) => c.rights)),
    byRegime: tally(received.flatMap((c) => c.regimes)),
    byOutcome: tally(resolved.filter((c) => c.outcome !== null).map((c) => c.outcome!)),
    sla: { met, breached, running: count('RUNNING') + count('PAUSED'), complianceRate: rate(met, breached), byKind },
    medianDaysToResolution: percentileCont(days, 0.5),
    p90DaysToResolution: percentileCont(days, 0.9),
    escalationRate: received.length === 0 ? null : received.filter((c) => escalated.has(c.id)).length / received.length,
    aging: AGING.map((b) => ({ ...b, count: ages.filter((d) => d >= b.minDays && (b.maxDays === null || d <= b.maxDays)).length })),
  };
}

/** The report's lists as records (zero counts carry nothing); a key listed twice is an error. */
function asRecord(list: Record<string, any>[], key: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of list) {
    expect(out).not.toHaveProperty(item[key]);
    if (item.count !== 0) out[item[key]] = item.count;
  }
  return out;
}

async function report(token: string, from: Date, to: Date): Promise<GqlResult> {
  return t.gql(token, REPORT, { from: from.toISOString(), to: to.toISOString() });
}

function closeTo(actual: number | null, expected: number | null, tolerance = 1e-9): void {
  if (expected === null) return expect(actual).toBeNull();
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tolerance);
}

/** Compares complianceReport(from, to) figure by figure with the JavaScript computation. */
async function expectReportMatches(from: Date, to: Date) {
  const db = await readDb(TENANT);
  const expected = expectedReport(db, from, to);
  const r = ok(await report(compliance, from, to), 'complianceReport');
  expect(new Date(r.from).getTime()).toBe(from.getTime());
  expect(new Date(r.to).getTime()).toBe(to.getTime());
  expect({ received: r.received, resolved: r.resolved, openAtEnd: r.openAtEnd }).toEqual({
    received: expected.received,
    resolved: expected.resolved,
    openAtEnd: expected.openAtEnd,
  });
  expect(asRecord(r.byStage, 'stage')).toEqual(expected.byStage);
  expect(asRecord(r.byRight, 'right')).toEqual(expected.byRight);
  expect(asRecord(r.byRegime, 'regime')).toEqual(expected.byRegime);
  expect(asRecord(r.byOutcome, 'outcome')).toEqual(expected.byOutcome);
  expect({ met: r.sla.met, breached: r.sla.breached, running: r.sla.running }).toEqual({
    met: expected.sla.met,
    breached: expected.sla.breached,
    running: expected.sla.running,
  });
  closeTo(r.sla.complianceRate, expected.sla.complianceRate);
  const byKind: Record<string, { met: number; breached: number; complianceRate: number | null }> = {};
  for (const k of r.sla.byKind) {
    expect(byKind).not.toHaveProperty(k.kind);
    if (k.met + k.breached > 0) byKind[k.kind] = { met: k.met, breached: k.breached, complianceRate: k.complianceRate };
    else expect(k.complianceRate).toBeNull();
  }
  expect(Object.keys(byKind).sort()).toEqual(Object.keys(expected.sla.byKind).sort());
  for (const [kind, e] of Object.entries(expected.sla.byKind)) {
    expect({ kind, met: byKind[kind].met, breached: byKind[kind].breached }).toEqual({ kind, met: e.met, breached: e.breached });
    closeTo(byKind[kind].complianceRate, e.complianceRate);
  }
  closeTo(r.medianDaysToResolution, expected.medianDaysToResolution);
  closeTo(r.p90DaysToResolution, expected.p90DaysToResolution);
  closeTo(r.escalationRate, expected.escalationRate);
  expect(r.aging).toEqual(expected.aging);
  return { report: r, expected, db };
}

// ---------------------------------------------------------------------------------------

describe('complianceReport', () => {
  test('the fixture exercises every stage, status, clock outcome and aging bucket', async () => {
    const db = await readDb(TENANT);
    const inYear = db.complaints.filter((c) => c.received_at >= FROM && c.received_at <= TO);
    expect(inYear).toHaveLength(N);
    expect(new Set(inYear.map((c) => c.stage))).toEqual(new Set(['INTERNAL_DPO', 'INDEPENDENT_ADR', 'DPA_PANEL', 'REGULATOR', 'ARBITRATION_PANEL']));
    expect(new Set(inYear.map((c) => c.status))).toEqual(new Set(['OPEN', 'AWAITING_COMPLAINANT', 'RESOLVED', 'CLOSED']));
    expect(new Set(db.timers.map((tm) => tm.status))).toEqual(new Set(['RUNNING', 'PAUSED', 'MET', 'BREACHED', 'CANCELLED']));
    const { aging, byOutcome } = expectedReport(db, FROM, TO);
    for (const bucket of aging) expect({ bucket: bucket.label, empty: bucket.count === 0 }).toEqual({ bucket: bucket.label, empty: false });
    expect(Object.keys(byOutcome).length).toBeGreaterThanOrEqual(5);
  });

  test('matches an independent computation over a one-year window, both ends inclusive', async () => {
    const { report: r, db } = await expectReportMatches(FROM, TO);
    // 200 received: the complaints at exactly `from` and `to` count, those a millisecond outside don't.
    expect(r.received).toBe(N);
    const byKey = (key: string) => db.complaints.find((c) => c.id === [...plans, ...extras].find((p) => p.key === key)!.id)!;
    expect(byKey('F0').received_at.getTime()).toBe(FROM.getTime());
    expect(byKey(`F${N - 1}`).received_at.getTime()).toBe(TO.getTime());
    // Resolved exactly at `from` (X5) and at `to` (F150) count; a millisecond before `from` (X4) doesn't.
    const resolvedIn = db.complaints.filter((c) => c.resolved_at && c.resolved_at >= FROM && c.resolved_at <= TO).map((c) => c.id);
    expect(resolvedIn).toEqual(expect.arrayContaining([byKey('X5').id, byKey('F150').id, byKey('X2').id]));
    expect(resolvedIn).not.toContain(byKey('X4').id);
    expect(r.resolved).toBe(resolvedIn.length);
  });

  test('matches an independent computation over a narrower window and moves by one at each edge', async () => {
    const { report: r } = await expectReportMatches(FROM_N, TO_N);
    expect(r.received).toBe(81); // complaints 50..130, received at strictly increasing instants
    await expectReportMatches(at(FROM_N.getTime() + 1), TO_N);
    await expectReportMatches(FROM_N, at(TO_N.getTime() - 1));
    const inner = ok(await report(compliance, at(FROM_N.getTime() + 1), at(TO_N.getTime() - 1)), 'complianceReport');
    expect(inner.received).toBe(79);
    // Complaint 40 was resolved exactly at the start, complaint 100 exactly at the end.
    expect(inner.resolved).toBe(r.resolved - 2);
  });

  test('counts as open at `to` a complaint resolved after it, and ages open complaints by whole days', async () => {
    const { db } = await expectReportMatches(FROM, TO);
    const row = (i: number) => db.complaints.find((c) => c.id === plans[i].id)!;
    expect(row(190).resolved_at!.getTime()).toBeGreaterThan(TO.getTime()); // open at `to`
    expect(row(150).resolved_at!.getTime()).toBe(TO.getTime()); // not open at `to`
    const age = (i: number, to: Date) => Math.floor((to.getTime() - row(i).received_at.getTime()) / DAY);
    expect([194, 195, 196, 197, N - 1].map((i) => age(i, TO))).toEqual([31, 30, 8, 7, 0]);
    // A millisecond earlier complaints 194 and 196 fall a bucket, 150 is still open, 199 not yet received.
    const { expected } = await expectReportMatches(FROM, at(TO.getTime() - 1));
    expect(expected.openAtEnd).toBe(expectedReport(db, FROM, TO).openAtEnd);
  });

  test('the DPO and the ADMIN may run it too', async () => {
    for (const token of [dpo, admin]) expect(ok(await report(token, FROM, TO), 'complianceReport').received).toBe(N);
  });

  test('refuses an AGENT', async () => {
    const res = await report(agent, FROM, TO);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.data?.complianceReport ?? null).toBeNull();
  });

  test('refuses a window that ends before it starts', async () => {
    const res = await report(compliance, TO, FROM);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  test('an empty tenant gets zeros and null rates, not a division by zero', async () => {
    const empty = await t.token(Role.COMPLIANCE_OFFICER, { tid: EMPTY_TENANT });
    const r = ok(await report(empty, FROM, TO), 'complianceReport');
    expect(r).toMatchObject({ received: 0, resolved: 0, openAtEnd: 0, byStage: [], byRight: [], byOutcome: [], byRegime: [] });
    expect(r.sla).toEqual({ met: 0, breached: 0, running: 0, complianceRate: null, byKind: [] });
    expect(r.medianDaysToResolution).toBeNull();
    expect(r.p90DaysToResolution).toBeNull();
    expect(r.escalationRate).toBeNull();
    expect(r.aging).toEqual(AGING.map((b) => ({ ...b, count: 0 })));
  });

  test('windows on whole UTC days, inside one day, and ending at midnight match the independent computation', async () => {
    const midnight = (d: Date) => new Date(Math.floor(d.getTime() / DAY) * DAY);
    const firstDay = new Date(midnight(FROM).getTime() + DAY);
    const lastDay = midnight(TO);
    await expectReportMatches(firstDay, new Date(lastDay.getTime() - 1)); // whole days only: all from the rollups
    await expectReportMatches(firstDay, lastDay); // ... and the one millisecond at midnight
    await expectReportMatches(new Date(lastDay.getTime() + 1), TO); // within one day: all from the cases
    await expectReportMatches(new Date(FROM.getTime() + 90 * DAY + 7 * 3_600_000), new Date(TO.getTime() - 45 * DAY - 5 * 3_600_000));
  });

  test('the rollups behind the report equal a recount from the cases: the triggers kept them exact through every change', async () => {
    const drift = await t.sql(`
      WITH kept AS (SELECT tenant_id, day, metric, sum(n)::int AS n FROM report_rollups GROUP BY 1, 2, 3 HAVING sum(n) <> 0),
      recount AS (SELECT tenant_id, day, metric, sum(n)::int AS n FROM report_rollups_recount() GROUP BY 1, 2, 3)
      SELECT * FROM kept FULL JOIN recount USING (tenant_id, day, metric) WHERE kept.n IS DISTINCT FROM recount.n`);
    expect(drift).toEqual([]);
    const [{ n }] = await t.sql(`SELECT sum(n)::int AS n FROM report_rollups WHERE tenant_id = $1 AND metric = 'received'`, [TENANT]);
    expect(n).toBeGreaterThanOrEqual(N);
  });

  test('compacting the rollups into one slot per day changes no figure', async () => {
    await t.sql(`SELECT report_rollups_compact((now() + interval '2 days')::date)`);
    const [{ spread }] = await t.sql(`SELECT count(*)::int AS spread FROM report_rollups WHERE slot <> 0`);
    expect(spread).toBe(0);
    await expectReportMatches(FROM, TO);
  });

  test("the rollups are under row-level security: the API role sees only its own tenant's", async () => {
    const client = new Client({ connectionString: t.databaseUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE cms_app');
      await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [OTHER_TENANT]);
      const tenants = await client.query(`SELECT DISTINCT tenant_id FROM report_rollups`);
      expect(tenants.rows).toEqual([{ tenant_id: OTHER_TENANT }]);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });
});

// ---------------------------------------------------------------------------------------

function getCsv(token: string | null, query: Record<string, string>) {
  const req = t.http().get('/reports/complaints.csv').query(query);
  if (token) req.set('authorization', `Bearer ${token}`);
  return req;
}
// The tenants of this file keep UTC: local time is the UTC wall clock, to the second.
const local = (d: Date | null) => (d ? d.toISOString().slice(0, 19).replace('T', ' ') : '');
const daysSince = (start: Date, end: Date | null) => (end ? (end.getTime() - start.getTime()) / 86_400_000 : null);

describe('GET /reports/complaints.csv', () => {
  let text: string;
  let rows: string[][];
  beforeAll(async () => {
    const res = await getCsv(compliance, { from: FROM.toISOString(), to: TO.toISOString() });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    text = res.text;
    rows = parse(text) as string[][];
  });

  test('is RFC 4180: a header row, CRLF line ends, every field on every row', () => {
    expect(rows[0]).toEqual(CSV_COLUMNS);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
  });

  test('has one row per complaint received in the window, matching the stored case', async () => {
    const db = await readDb(TENANT);
    const data = rows.slice(1);
    expect(data).toHaveLength(N);
    const byReference = new Map(db.complaints.map((c) => [c.reference, c]));
    const breachedOf = (id: string) => db.timers.filter((tm) => tm.complaint_id === id && tm.status === 'BREACHED');
    for (const row of data) {
      const c = byReference.get(row[0])!;
      expect(c).toBeDefined();
      const breached = breachedOf(c.id);
      const [toAck, toResolve] = [daysSince(c.received_at, c.acknowledged_at), daysSince(c.received_at, c.resolved_at)];
      expect(row).toEqual([
        c.reference,
        c.stage,
        c.status,
        c.jurisdiction,
        c.regimes.join(' '),
        c.rights.join(' '),
        c.channel,
        c.data_context,
        c.processing_role,
        c.assignee_id ?? '',
        local(c.received_at),
        local(c.acknowledged_at),
        local(c.resolved_at),
        local(c.closed_at),
        toAck === null ? '' : expect.stringMatching(/^-?\d+\.\d$/),
        toResolve === null ? '' : expect.stringMatching(/^-?\d+\.\d$/),
        c.outcome ?? '',
        local(c.next_due_at),
        String(breached.length),
        [...new Set(breached.map((tm) => tm.kind))].sort().join(' '),
      ]);
      // One decimal, rounded: within half a tenth of the exact figure.
      if (toAck !== null) expect(Math.abs(Number(row[COL.days_to_acknowledge]) - toAck)).toBeLessThanOrEqual(0.0501);
      if (toResolve !== null) expect(Math.abs(Number(row[COL.days_to_resolve]) - toResolve)).toBeLessThanOrEqual(0.0501);
    }
    expect(new Set(data.map((r) => r[0])).size).toBe(N);
  });

  test("agrees with the report's totals: received, stages, breached clocks", async () => {
    const r = ok(await report(compliance, FROM, TO), 'complianceReport');
    const data = rows.slice(1);
    expect(data).toHaveLength(r.received);
    expect(tally(data.map((row) => row[1]))).toEqual(asRecord(r.byStage, 'stage'));
    expect(data.reduce((n, row) => n + Number(row[COL.breached_timers]), 0)).toBe(r.sla.breached);
  });

  test('the narrower window gives the same rows as the report, edges included', async () => {
    const res = await getCsv(compliance, { from: FROM_N.toISOString(), to: TO_N.toISOString() });
    const data = (parse(res.text) as string[][]).slice(1);
    const r = ok(await report(compliance, FROM_N, TO_N), 'complianceReport');
    expect(data).toHaveLength(r.received);
    expect(data.map((row) => row[COL.received_at])).toEqual(expect.arrayContaining([local(FROM_N), local(TO_N)]));
  });

  test('carries no PII: no complainant name, email or phone', async () => {
    const db = await readDb(TENANT);
    for (const c of db.complaints) {
      for (const pii of [c.complainant_name, c.complainant_email, c.complainant_phone]) if (pii) expect(text).not.toContain(pii);
    }
    expect(text).not.toContain('@');
    expect(text).not.toContain('Fixture-');
  });

  test('rows of complaints with a comma, a quote and a newline in the summary parse like any other', async () => {
    const db = await readDb(TENANT);
    const awkward = plans.filter((p) => p.input.summary === AWKWARD_SUMMARY);
    expect(awkward.length).toBeGreaterThan(10);
    expect(text).not.toContain('twice');
    for (const plan of awkward) {
      const c = db.complaints.find((x) => x.id === plan.id)!;
      const row = rows.find((r) => r[0] === c.reference)!;
      expect(row).toHaveLength(CSV_COLUMNS.length);
      expect([row[0], row[COL.outcome]]).toEqual([c.reference, c.outcome ?? '']);
    }
  });

  test('DPO and ADMIN may download it', async () => {
    for (const token of [dpo, admin]) {
      const res = await getCsv(token, { from: FROM.toISOString(), to: TO.toISOString() });
      expect(res.status).toBe(200);
      expect((parse(res.text) as string[][]).length).toBe(N + 1);
    }
  });

  test('refuses an AGENT with 403 FORBIDDEN', async () => {
    const res = await getCsv(agent, { from: FROM.toISOString(), to: TO.toISOString() });
    expect(res.status).toBe(403);
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  test('refuses a request without a token with 401', async () => {
    const res = await getCsv(null, { from: FROM.toISOString(), to: TO.toISOString() });
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  test('refuses a bad `from` with 400 BAD_USER_INPUT naming the field', async () => {
    const res = await getCsv(compliance, { from: 'last tuesday', to: TO.toISOString() });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { from: expect.any(String) } });
    const reversed = await getCsv(compliance, { from: TO.toISOString(), to: FROM.toISOString() });
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  test("another tenant's CSV has only its own rows", async () => {
    const other = await t.token(Role.COMPLIANCE_OFFICER, { tid: OTHER_TENANT });
    const res = await getCsv(other, { from: FROM.toISOString(), to: TO.toISOString() });
    expect(res.status).toBe(200);
    const data = (parse(res.text) as string[][]).slice(1);
    const own = (await readDb(OTHER_TENANT)).complaints;
    expect(data.map((r) => r[COL.received_at]).sort()).toEqual(own.map((c) => local(c.received_at)).sort());
    const ours = new Set(rows.slice(1).map((r) => `${r[0]}|${r[COL.received_at]}`));
    for (const row of data) expect(ours.has(`${row[0]}|${row[COL.received_at]}`)).toBe(false);
    expect(res.text).not.toContain('Gustav');
  });
});
