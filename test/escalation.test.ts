import { Role } from '../src/auth/roles';
import { COMPLAINT_FIELDS, complaintInput, FILE_COMPLAINT } from './support/factories';
import { GqlResult, startTestApp, TestApp } from './support/harness';

/**
 * The escalation path of SPEC §4 through the API. The expectations come from an oracle
 * transcribed here from the SPEC's table (not from src/domain/escalation.ts), so the
 * table in the code and the table in the SPEC are checked against each other.
 */

type Stage = 'INTERNAL_DPO' | 'INDEPENDENT_ADR' | 'DPA_PANEL' | 'REGULATOR' | 'ARBITRATION_PANEL';
type Status = 'OPEN' | 'AWAITING_COMPLAINANT' | 'RESOLVED' | 'CLOSED';
const STAGES: Stage[] = ['INTERNAL_DPO', 'INDEPENDENT_ADR', 'DPA_PANEL', 'REGULATOR', 'ARBITRATION_PANEL'];
const STATUSES: Status[] = ['OPEN', 'AWAITING_COMPLAINANT', 'RESOLVED', 'CLOSED'];

interface Profile {
  name: string;
  jurisdiction: string;
  /** The regimes SPEC §4 derives from the jurisdiction, or the ones named at intake. */
  regimes: string[];
  nameRegimes?: boolean;
  dataContext: 'CONSUMER' | 'EMPLOYMENT';
  processingRole: 'CONTROLLER' | 'PROCESSOR';
  rights: string[];
}

interface CaseState extends Profile {
  stage: Stage;
  status: Status;
  /** Every stage the case has been at, the current one included. */
  visited: Stage[];
}

// ---- The oracle: SPEC §4, transcribed ------------------------------------------------
// Rule names are the API's public vocabulary for extensions.rule; which of them a move
// breaks is decided here, from the SPEC text alone.

type Condition = { rule: string; holds: (c: CaseState) => boolean };
const CONSUMER: Condition = { rule: 'DATA_CONTEXT_CONSUMER', holds: (c) => c.dataContext === 'CONSUMER' };
const EMPLOYMENT: Condition = { rule: 'DATA_CONTEXT_EMPLOYMENT', holds: (c) => c.dataContext === 'EMPLOYMENT' };
const DPF: Condition = { rule: 'REGIME_DPF', holds: (c) => c.regimes.includes('DPF') };
const CONTROLLER: Condition = { rule: 'PROCESSING_ROLE_CONTROLLER', holds: (c) => c.processingRole === 'CONTROLLER' };
const WENT_THROUGH_ADR: Condition = { rule: 'ADR_EXHAUSTED', holds: (c) => c.visited.includes('INDEPENDENT_ADR') };
const REGULATOR_RESOLVED: Condition = { rule: 'REGULATOR_STAGE_RESOLVED', holds: (c) => c.stage === 'REGULATOR' && c.status === 'RESOLVED' };

/** | from | to | allowed only when | of SPEC §4; ARBITRATION_PANEL has no row: terminal. */
const SPEC_TABLE: { from: Stage[]; to: Stage; when: Condition[] }[] = [
  { from: ['INTERNAL_DPO'], to: 'INDEPENDENT_ADR', when: [CONSUMER, DPF, CONTROLLER] },
  { from: ['INTERNAL_DPO'], to: 'DPA_PANEL', when: [EMPLOYMENT, DPF, CONTROLLER] },
  { from: ['INTERNAL_DPO', 'INDEPENDENT_ADR', 'DPA_PANEL'], to: 'REGULATOR', when: [] },
  { from: ['REGULATOR'], to: 'ARBITRATION_PANEL', when: [CONSUMER, DPF, WENT_THROUGH_ADR, REGULATOR_RESOLVED] },
];

/** SPEC §4: a PROCESSOR case invoking any right other than COMPLAINT belongs to the controller. */
function belongsToController(p: Pick<Profile, 'processingRole' | 'rights'>): boolean {
  return p.processingRole === 'PROCESSOR' && p.rights.some((r) => r !== 'COMPLAINT');
}

type Verdict = { allowed: true } | { allowed: false; rules: string[] };

/** Every rule of SPEC §4 that moving `c` to `to` breaks; the API must name one of them. */
function expectedVerdict(c: CaseState, to: Stage): Verdict {
  const broken: string[] = [];
  if (c.status === 'CLOSED') broken.push('CASE_CLOSED');
  if (c.stage === 'ARBITRATION_PANEL') broken.push('ARBITRATION_TERMINAL');
  if (belongsToController(c) && to !== 'REGULATOR') broken.push('PROCESSOR_REFER_TO_CONTROLLER');
  const row = SPEC_TABLE.find((r) => r.to === to && r.from.includes(c.stage));
  if (!row) broken.push('NOT_ON_ESCALATION_PATH');
  else broken.push(...row.when.filter((condition) => !condition.holds(c)).map((condition) => condition.rule));
  return broken.length === 0 ? { allowed: true } : { allowed: false, rules: broken };
}

/** SPEC §4: a controller's case is resolved REFERRED_TO_CONTROLLER; any other case with a real outcome. */
const outcomeFor = (p: Profile) => (belongsToController(p) ? 'REFERRED_TO_CONTROLLER' : 'UPHELD');

// ---- The cases that matter ------------------------------------------------------------

const EU_CONSUMER: Profile = {
  name: 'EU consumer controller',
  jurisdiction: 'DE',
  regimes: ['GDPR', 'DPF'],
  dataContext: 'CONSUMER',
  processingRole: 'CONTROLLER',
  rights: ['ACCESS'],
};
const EU_EMPLOYMENT: Profile = { ...EU_CONSUMER, name: 'EU employment controller', dataContext: 'EMPLOYMENT' };
const CA_CONSUMER: Profile = { ...EU_CONSUMER, name: 'US-CA consumer controller (CCPA, no DPF)', jurisdiction: 'US-CA', regimes: ['CCPA'] };
const CA_EMPLOYMENT: Profile = { ...CA_CONSUMER, name: 'US-CA employment controller (CCPA, no DPF)', dataContext: 'EMPLOYMENT' };
const EU_GDPR_ONLY: Profile = { ...EU_CONSUMER, name: 'DE consumer controller named regimes [GDPR] (no DPF)', regimes: ['GDPR'], nameRegimes: true };
const PROCESSOR_ACCESS: Profile = { ...EU_CONSUMER, name: 'EU consumer PROCESSOR rights [ACCESS]', processingRole: 'PROCESSOR', rights: ['ACCESS'] };
const PROCESSOR_COMPLAINT: Profile = { ...PROCESSOR_ACCESS, name: 'EU consumer PROCESSOR rights [COMPLAINT]', rights: ['COMPLAINT'] };
const PROCESSOR_EMPLOYMENT_MIXED: Profile = {
  ...PROCESSOR_ACCESS,
  name: 'EU employment PROCESSOR rights [COMPLAINT, ERASURE]',
  dataContext: 'EMPLOYMENT',
  rights: ['COMPLAINT', 'ERASURE'],
};
const PROCESSOR_EMPLOYMENT_COMPLAINT: Profile = { ...PROCESSOR_EMPLOYMENT_MIXED, name: 'EU employment PROCESSOR rights [COMPLAINT]', rights: ['COMPLAINT'] };

const PROFILES = [
  EU_CONSUMER,
  EU_EMPLOYMENT,
  CA_CONSUMER,
  CA_EMPLOYMENT,
  EU_GDPR_ONLY,
  PROCESSOR_ACCESS,
  PROCESSOR_COMPLAINT,
  PROCESSOR_EMPLOYMENT_MIXED,
  PROCESSOR_EMPLOYMENT_COMPLAINT,
];

/** One step up the ladder; `resolveFirst` when the oracle allows it only from a RESOLVED stage. */
interface Step {
  to: Stage;
  resolveFirst: boolean;
}

/** Every legal ladder from INTERNAL_DPO for a profile, per the oracle (the empty one included). */
function ladders(p: Profile): Step[][] {
  const found: Step[][] = [[]];
  const climb = (steps: Step[], stage: Stage, visited: Stage[]) => {
    if (steps.length > STAGES.length) throw new Error(`the oracle loops for ${p.name}`);
    for (const to of STAGES) {
      const allowedWhen = (status: Status) => expectedVerdict({ ...p, stage, status, visited }, to).allowed;
      if (!allowedWhen('OPEN') && !allowedWhen('RESOLVED')) continue;
      const next = [...steps, { to, resolveFirst: !allowedWhen('OPEN') }];
      found.push(next);
      climb(next, to, [...visited, to]);
    }
  };
  climb([], 'INTERNAL_DPO', ['INTERNAL_DPO']);
  return found;
}

const ladderName = (ladder: Step[]) => ['INTERNAL_DPO', ...ladder.map((s) => `${s.resolveFirst ? '(resolved) ' : ''}${s.to}`)].join(' → ');

interface Combination {
  title: string;
  profile: Profile;
  ladder: Step[];
  status: Status;
  from: Stage;
  to: Stage;
  verdict: Verdict;
}

const COMBINATIONS: Combination[] = PROFILES.flatMap((profile) =>
  ladders(profile).flatMap((ladder) =>
    STATUSES.flatMap((status) =>
      STAGES.map((to) => {
        const from = ladder.length ? ladder[ladder.length - 1].to : 'INTERNAL_DPO';
        const visited: Stage[] = ['INTERNAL_DPO', ...ladder.map((s) => s.to)];
        const verdict = expectedVerdict({ ...profile, stage: from, status, visited }, to);
        const title = `${profile.name}, at ${ladderName(ladder)} (${status}) → ${to}: ${verdict.allowed ? 'allowed' : 'refused'}`;
        return { title, profile, ladder, status, from, to, verdict };
      }),
    ),
  ),
);

// ---- Through the API --------------------------------------------------------------------

const ESCALATE = `mutation ($id: ID!, $to: ComplaintStage!, $reason: String!) {
  escalateComplaint(id: $id, to: $to, reason: $reason) { ${COMPLAINT_FIELDS} }
}`;
const AWAIT = `mutation ($id: ID!, $reason: String!) { awaitComplainant(id: $id, reason: $reason) { id status version } }`;
const RESUME = `mutation ($id: ID!) { resumeComplaint(id: $id) { id status version } }`;
const RESOLVE = `mutation ($id: ID!, $outcome: ComplaintOutcome!, $summary: String!) {
  resolveComplaint(id: $id, outcome: $outcome, summary: $summary) { id status outcome resolutionSummary resolvedAt version }
}`;
const REOPEN = `mutation ($id: ID!, $reason: String!) { reopenComplaint(id: $id, reason: $reason) { id status version } }`;
const CLOSE = `mutation ($id: ID!) { closeComplaint(id: $id) { id status closedAt version } }`;
const ACKNOWLEDGE = `mutation ($id: ID!) { acknowledgeComplaint(id: $id) { id acknowledgedAt version } }`;
const ASSIGN = `mutation ($id: ID!, $to: ID!) { assignComplaint(id: $id, assigneeId: $to) { id assignee { id } version } }`;
const ADD_NOTE = `mutation ($id: ID!, $body: String!) { addNote(complaintId: $id, body: $body) { id } }`;
const UPDATE_COMPLAINANT = `mutation ($id: ID!, $input: UpdateComplainantInput!) { updateComplainant(id: $id, input: $input) { id version } }`;
const PANEL_ADVICE = `mutation ($id: ID!, $summary: String!) { recordPanelAdvice(id: $id, summary: $summary) { id version } }`;

const DPO_ID = 'dpo-1';
let t: TestApp;
let dpo: string;
beforeAll(async () => {
  t = await startTestApp();
  dpo = await t.token(Role.DPO, { sub: DPO_ID });
});
afterAll(() => t.close());

function succeeded<T = any>(res: GqlResult, what: string): T {
  if (res.errors || !res.data) throw new Error(`${what} failed: ${JSON.stringify(res.errors ?? res.body)}`);
  return Object.values(res.data)[0] as T;
}

async function fileCase(p: Profile): Promise<{ id: string; version: number }> {
  const input = complaintInput({
    jurisdiction: p.jurisdiction,
    dataContext: p.dataContext,
    processingRole: p.processingRole,
    rights: p.rights,
    ...(p.nameRegimes ? { regimes: p.regimes } : {}),
  });
  const c = succeeded(await t.gql(dpo, FILE_COMPLAINT, { input }), `filing a ${p.name} case`);
  if (JSON.stringify(c.regimes) !== JSON.stringify(p.regimes)) {
    throw new Error(`a ${p.name} case was filed with regimes ${c.regimes}, the profile expects ${p.regimes}`);
  }
  return c;
}

const escalate = (id: string, to: Stage, reason = `to ${to}`) => t.gql(dpo, ESCALATE, { id, to, reason });
const resolve = (id: string, outcome: string) => t.gql(dpo, RESOLVE, { id, outcome, summary: `resolved as ${outcome}` });

/** Files a case and climbs a ladder, resolving first where a step needs a RESOLVED stage. */
async function caseAlong(p: Profile, ladder: Step[]): Promise<string> {
  const { id } = await fileCase(p);
  for (const step of ladder) {
    if (step.resolveFirst) succeeded(await resolve(id, outcomeFor(p)), `resolving before ${step.to}`);
    succeeded(await escalate(id, step.to), `climbing ${ladderName(ladder)} (${p.name})`);
  }
  return id;
}

const ORDER: Record<Status, number> = { OPEN: 0, AWAITING_COMPLAINANT: 1, RESOLVED: 2, CLOSED: 3 };

/** Moves a case forward OPEN → AWAITING_COMPLAINANT → RESOLVED → CLOSED up to `target`. */
async function moveTo(id: string, current: Status, target: Status, p: Profile): Promise<void> {
  while (current !== target) {
    if (current === 'OPEN' && target === 'AWAITING_COMPLAINANT') {
      succeeded(await t.gql(dpo, AWAIT, { id, reason: 'asked for ID' }), 'awaiting');
      current = 'AWAITING_COMPLAINANT';
    } else if (current !== 'RESOLVED') {
      succeeded(await resolve(id, outcomeFor(p)), 'resolving');
      current = 'RESOLVED';
    } else {
      succeeded(await t.gql(dpo, CLOSE, { id }), 'closing');
      current = 'CLOSED';
    }
  }
}

/**
 * One case per (profile, ladder) walks forward through the statuses while refused moves are
 * tried on it (a refusal changes nothing, which each test proves); an allowed move gets a
 * case of its own. A refusal that wrongly succeeds retires the walker.
 */
const walkerKey = (p: Profile, ladder: Step[]) => `${p.name}|${ladderName(ladder)}`;
const walkers = new Map<string, { id: string; status: Status }>();
/** Cases prepared for allowed moves, by combination title. */
const prepared = new Map<string, string>();

async function caseAt(c: Combination): Promise<string> {
  if (c.verdict.allowed) {
    const id = prepared.get(c.title) ?? (await caseAlong(c.profile, c.ladder));
    prepared.delete(c.title);
    await moveTo(id, (await snapshot(id)).complaint.status, c.status, c.profile);
    return id;
  }
  const key = walkerKey(c.profile, c.ladder);
  let walker = walkers.get(key);
  if (!walker || ORDER[walker.status] > ORDER[c.status]) {
    walker = { id: await caseAlong(c.profile, c.ladder), status: 'OPEN' };
    walkers.set(key, walker);
  }
  await moveTo(walker.id, walker.status, c.status, c.profile);
  walker.status = c.status;
  return walker.id;
}

/** Files and climbs every case the table needs, a few at a time. */
async function prepareCases(combinations: Combination[]): Promise<void> {
  const jobs: (() => Promise<void>)[] = [];
  const seen = new Set<string>();
  for (const c of combinations) {
    if (c.verdict.allowed) {
      jobs.push(async () => {
        const id = await caseAlong(c.profile, c.ladder);
        await moveTo(id, 'OPEN', c.status, c.profile);
        prepared.set(c.title, id);
      });
    } else if (!seen.has(walkerKey(c.profile, c.ladder))) {
      seen.add(walkerKey(c.profile, c.ladder));
      jobs.push(async () => {
        walkers.set(walkerKey(c.profile, c.ladder), { id: await caseAlong(c.profile, c.ladder), status: 'OPEN' });
      });
    }
  }
  for (let i = 0; i < jobs.length; i += 8) await Promise.all(jobs.slice(i, i + 8).map((job) => job()));
}

/** Everything a refused mutation could have written: the whole case row and its child rows. */
async function snapshot(id: string) {
  const [row] = await t.sql(
    `SELECT to_jsonb(c) AS complaint,
            (SELECT count(*)::int FROM audit_events a WHERE a.complaint_id = c.id) AS "auditEvents",
            (SELECT count(*)::int FROM audit_events a WHERE a.complaint_id = c.id AND a.action = 'STAGE_ESCALATED') AS "stageEscalatedEvents",
            (SELECT count(*)::int FROM stage_transitions s WHERE s.complaint_id = c.id) AS "stageTransitions",
            (SELECT count(*)::int FROM notes n WHERE n.complaint_id = c.id) AS notes
       FROM complaints c WHERE c.id = $1`,
    [id],
  );
  return row as { complaint: Record<string, any>; auditEvents: number; stageEscalatedEvents: number; stageTransitions: number; notes: number };
}

/**
 * Runs a write that must be refused with INVALID_TRANSITION naming one of `rules`, with a
 * message that mentions each of `mentions`, and proves from the database that nothing changed.
 */
async function expectRefused(id: string, write: () => Promise<GqlResult>, rules: string[], mentions: string[] = []): Promise<GqlResult> {
  const before = await snapshot(id);
  const res = await write();
  expect(res.errors?.[0]?.extensions?.code).toBe('INVALID_TRANSITION');
  expect(rules).toContain(res.errors![0].extensions.rule);
  for (const text of mentions) expect(res.errors![0].message).toContain(text);
  expect(await snapshot(id)).toEqual(before);
  return res;
}

/** An escalation refused: the message names the move (or the closed case). */
async function expectEscalationRefused(id: string, to: Stage, rules: string[]): Promise<void> {
  const { complaint } = await snapshot(id);
  const mentions = complaint.status === 'CLOSED' ? ['CLOSED'] : [complaint.stage, to];
  await expectRefused(id, () => escalate(id, to, `try ${to}`), rules, mentions);
}

/** An escalation allowed: stage moved, status OPEN, one StageTransition, one STAGE_ESCALATED event. */
async function expectEscalates(id: string, to: Stage, reason = `escalating to ${to}`): Promise<any> {
  const before = await snapshot(id);
  const from = before.complaint.stage as Stage;
  const statusBefore = before.complaint.status as Status;
  const startedAt = Date.now();
  const res = await escalate(id, to, reason);
  expect(res.errors).toBeUndefined();
  const c = res.data.escalateComplaint;
  expect(c).toMatchObject({ stage: to, status: 'OPEN', version: before.complaint.version + 1, outcome: null, resolvedAt: null, resolutionSummary: null });
  expect(c.stageHistory).toHaveLength(before.stageTransitions + 1);
  const transition = c.stageHistory[c.stageHistory.length - 1];
  expect(transition).toMatchObject({ from, to, reason, actor: { id: DPO_ID } });
  expect(Date.parse(transition.at)).toBeGreaterThanOrEqual(startedAt - 1000);
  expect(Date.parse(transition.at)).toBeLessThanOrEqual(Date.now() + 1000);

  const after = await snapshot(id);
  expect(after.stageTransitions).toBe(before.stageTransitions + 1);
  expect(after.stageEscalatedEvents).toBe(before.stageEscalatedEvents + 1);
  const [event] = await t.sql(
    `SELECT actor_id, actor_role, changes FROM audit_events WHERE complaint_id = $1 AND action = 'STAGE_ESCALATED' ORDER BY sequence DESC LIMIT 1`,
    [id],
  );
  expect(event).toMatchObject({ actor_id: DPO_ID, actor_role: 'DPO', changes: { stage: { from, to }, reason: { changed: true } } }); // free text: set, never its value (SPEC §6)
  if (statusBefore !== 'OPEN') expect(event.changes.status).toEqual({ from: statusBefore, to: 'OPEN' });
  return c;
}

// ---- The table --------------------------------------------------------------------------

describe('the escalation table of SPEC §4, every combination that matters', () => {
  beforeAll(() => prepareCases(COMBINATIONS));

  test('the generated table covers each stage, status and profile, with both verdicts', () => {
    const allowed = COMBINATIONS.filter((c) => c.verdict.allowed);
    expect(new Set(COMBINATIONS.map((c) => c.from))).toEqual(new Set(STAGES));
    expect(new Set(COMBINATIONS.map((c) => c.status))).toEqual(new Set(STATUSES));
    expect(new Set(allowed.map((c) => `${c.from} → ${c.to}`))).toEqual(
      new Set([
        'INTERNAL_DPO → INDEPENDENT_ADR',
        'INTERNAL_DPO → DPA_PANEL',
        'INTERNAL_DPO → REGULATOR',
        'INDEPENDENT_ADR → REGULATOR',
        'DPA_PANEL → REGULATOR',
        'REGULATOR → ARBITRATION_PANEL',
      ]),
    );
    expect(COMBINATIONS.length).toBeLessThan(600);
  });

  test.each(COMBINATIONS.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
    const id = await caseAt(c);
    if (c.verdict.allowed) {
      await expectEscalates(id, c.to);
    } else {
      try {
        await expectEscalationRefused(id, c.to, c.verdict.rules);
      } catch (error) {
        walkers.delete(walkerKey(c.profile, c.ladder));
        throw error;
      }
    }
  });
});

// ---- Named cases ------------------------------------------------------------------------

describe('the DPF Annex I ladder', () => {
  test('a CONSUMER EU case climbs DPO → ADR → REGULATOR, and to ARBITRATION_PANEL once the regulator stage is RESOLVED', async () => {
    const { id } = await fileCase(EU_CONSUMER);
    await expectEscalates(id, 'INDEPENDENT_ADR', 'DPO could not settle it');
    await expectEscalates(id, 'REGULATOR', 'ADR provider found no agreement');
    succeeded(await resolve(id, 'NOT_UPHELD'), 'resolving the regulator stage');
    const c = await expectEscalates(id, 'ARBITRATION_PANEL', 'residual claim: binding arbitration');
    expect(c.stageHistory.map((s: any) => [s.from, s.to, s.reason])).toEqual([
      [null, 'INTERNAL_DPO', 'Complaint filed'],
      ['INTERNAL_DPO', 'INDEPENDENT_ADR', 'DPO could not settle it'],
      ['INDEPENDENT_ADR', 'REGULATOR', 'ADR provider found no agreement'],
      ['REGULATOR', 'ARBITRATION_PANEL', 'residual claim: binding arbitration'],
    ]);
    const events = await t.sql(`SELECT changes FROM audit_events WHERE complaint_id = $1 AND action = 'STAGE_ESCALATED' ORDER BY sequence`, [id]);
    expect(events.map((e) => e.changes.stage)).toEqual([
      { from: 'INTERNAL_DPO', to: 'INDEPENDENT_ADR' },
      { from: 'INDEPENDENT_ADR', to: 'REGULATOR' },
      { from: 'REGULATOR', to: 'ARBITRATION_PANEL' },
    ]);
    expect(events[2].changes.status).toEqual({ from: 'RESOLVED', to: 'OPEN' });
  });

  test('refuses arbitration while the REGULATOR stage is OPEN or AWAITING_COMPLAINANT', async () => {
    const id = await caseAlong(EU_CONSUMER, [
      { to: 'INDEPENDENT_ADR', resolveFirst: false },
      { to: 'REGULATOR', resolveFirst: false },
    ]);
    await expectEscalationRefused(id, 'ARBITRATION_PANEL', ['REGULATOR_STAGE_RESOLVED']);
    succeeded(await t.gql(dpo, AWAIT, { id, reason: 'waiting for the regulator file' }), 'awaiting');
    await expectEscalationRefused(id, 'ARBITRATION_PANEL', ['REGULATOR_STAGE_RESOLVED']);
    succeeded(await t.gql(dpo, RESUME, { id }), 'resuming');
    succeeded(await resolve(id, 'PARTIALLY_UPHELD'), 'resolving');
    succeeded(await t.gql(dpo, REOPEN, { id, reason: 'regulator asked again' }), 'reopening');
    await expectEscalationRefused(id, 'ARBITRATION_PANEL', ['REGULATOR_STAGE_RESOLVED']);
  });

  test('refuses INDEPENDENT_ADR → ARBITRATION_PANEL directly, whatever the ADR status', async () => {
    const id = await caseAlong(EU_CONSUMER, [{ to: 'INDEPENDENT_ADR', resolveFirst: false }]);
    await expectEscalationRefused(id, 'ARBITRATION_PANEL', ['NOT_ON_ESCALATION_PATH']);
    succeeded(await resolve(id, 'NOT_UPHELD'), 'resolving at ADR');
    await expectEscalationRefused(id, 'ARBITRATION_PANEL', ['NOT_ON_ESCALATION_PATH']);
  });

  test('refuses arbitration for a case that went DPO → REGULATOR (never ADR), even with the regulator stage RESOLVED', async () => {
    const id = await caseAlong(EU_CONSUMER, [{ to: 'REGULATOR', resolveFirst: false }]);
    succeeded(await resolve(id, 'NOT_UPHELD'), 'resolving at REGULATOR');
    await expectEscalationRefused(id, 'ARBITRATION_PANEL', ['ADR_EXHAUSTED']);
  });

  test('an EMPLOYMENT case goes DPO → DPA_PANEL, never to ADR nor to arbitration', async () => {
    const { id } = await fileCase(EU_EMPLOYMENT);
    await expectEscalationRefused(id, 'INDEPENDENT_ADR', ['DATA_CONTEXT_CONSUMER']);
    await expectEscalates(id, 'DPA_PANEL', 'HR data: panel of EU DPAs');
    await expectEscalationRefused(id, 'INDEPENDENT_ADR', ['NOT_ON_ESCALATION_PATH']);
    await expectEscalationRefused(id, 'ARBITRATION_PANEL', ['NOT_ON_ESCALATION_PATH']);
    await expectEscalates(id, 'REGULATOR');
    succeeded(await resolve(id, 'NOT_UPHELD'), 'resolving at REGULATOR');
    await expectEscalationRefused(id, 'ARBITRATION_PANEL', ['DATA_CONTEXT_CONSUMER', 'ADR_EXHAUSTED']);
  });

  test('a CONSUMER case cannot go to DPA_PANEL', async () => {
    const { id } = await fileCase(EU_CONSUMER);
    await expectEscalationRefused(id, 'DPA_PANEL', ['DATA_CONTEXT_EMPLOYMENT']);
  });

  test('a US-CA (CCPA, no DPF) case cannot go to ADR, nor to arbitration after the regulator stage is RESOLVED', async () => {
    const { id } = await fileCase(CA_CONSUMER);
    await expectEscalationRefused(id, 'INDEPENDENT_ADR', ['REGIME_DPF']);
    await expectEscalates(id, 'REGULATOR', 'California DCA');
    succeeded(await resolve(id, 'NOT_UPHELD'), 'resolving at REGULATOR');
    await expectEscalationRefused(id, 'ARBITRATION_PANEL', ['REGIME_DPF', 'ADR_EXHAUSTED']);
  });

  test.each([
    ['INTERNAL_DPO', EU_CONSUMER, []],
    ['INDEPENDENT_ADR', EU_CONSUMER, [{ to: 'INDEPENDENT_ADR', resolveFirst: false }]],
    ['DPA_PANEL', EU_EMPLOYMENT, [{ to: 'DPA_PANEL', resolveFirst: false }]],
  ] as [Stage, Profile, Step[]][])('REGULATOR is reachable from %s', async (_from, profile, ladder) => {
    const id = await caseAlong(profile, ladder);
    await expectEscalates(id, 'REGULATOR', 'complaint to an authority');
  });

  test('nothing leaves ARBITRATION_PANEL: the decision is binding', async () => {
    const id = await caseAlong(EU_CONSUMER, [
      { to: 'INDEPENDENT_ADR', resolveFirst: false },
      { to: 'REGULATOR', resolveFirst: false },
      { to: 'ARBITRATION_PANEL', resolveFirst: true },
    ]);
    for (const to of STAGES) await expectEscalationRefused(id, to, ['ARBITRATION_TERMINAL', 'NOT_ON_ESCALATION_PATH']);
    succeeded(await resolve(id, 'SETTLED'), 'resolving at ARBITRATION_PANEL');
    for (const to of STAGES) await expectEscalationRefused(id, to, ['ARBITRATION_TERMINAL', 'NOT_ON_ESCALATION_PATH']);
  });

  test.each([
    ['INTERNAL_DPO', [], ['INTERNAL_DPO']],
    ['INDEPENDENT_ADR', [{ to: 'INDEPENDENT_ADR', resolveFirst: false }], ['INDEPENDENT_ADR', 'INTERNAL_DPO']],
    [
      'REGULATOR',
      [
        { to: 'INDEPENDENT_ADR', resolveFirst: false },
        { to: 'REGULATOR', resolveFirst: false },
      ],
      ['REGULATOR', 'INDEPENDENT_ADR', 'INTERNAL_DPO'],
    ],
  ] as [Stage, Step[], Stage[]][])('refuses same-stage and backward moves from %s', async (_from, ladder, targets) => {
    const id = await caseAlong(EU_CONSUMER, ladder);
    for (const to of targets) await expectEscalationRefused(id, to, ['NOT_ON_ESCALATION_PATH']);
  });

  test('refuses same-stage and backward moves from DPA_PANEL', async () => {
    const id = await caseAlong(EU_EMPLOYMENT, [{ to: 'DPA_PANEL', resolveFirst: false }]);
    for (const to of ['DPA_PANEL', 'INTERNAL_DPO'] as Stage[]) await expectEscalationRefused(id, to, ['NOT_ON_ESCALATION_PATH']);
  });

  test('escalating a RESOLVED or AWAITING_COMPLAINANT case opens it at the new stage, clearing the outcome', async () => {
    const resolved = (await fileCase(EU_CONSUMER)).id;
    succeeded(await resolve(resolved, 'NOT_UPHELD'), 'resolving');
    await expectEscalates(resolved, 'INDEPENDENT_ADR', 'complainant disagrees with the DPO');
    const awaiting = (await fileCase(EU_CONSUMER)).id;
    succeeded(await t.gql(dpo, AWAIT, { id: awaiting, reason: 'asked for ID' }), 'awaiting');
    await expectEscalates(awaiting, 'REGULATOR', 'complainant went to the DPA');
  });

  test('a refusal names its rule in extensions.rule and the move in the message', async () => {
    const id = await caseAlong(EU_CONSUMER, [{ to: 'INDEPENDENT_ADR', resolveFirst: false }]);
    const res = await expectRefused(id, () => escalate(id, 'ARBITRATION_PANEL', 'straight to arbitration'), ['NOT_ON_ESCALATION_PATH']);
    expect(res.errors![0].message).toMatch(/INDEPENDENT_ADR.*ARBITRATION_PANEL/);
  });
});

describe('a CLOSED case', () => {
  let id: string;
  beforeAll(async () => {
    // Closed at DPA_PANEL, unacknowledged, no panel advice: only the closed rule stands in the way.
    id = await caseAlong(EU_EMPLOYMENT, [{ to: 'DPA_PANEL', resolveFirst: false }]);
    succeeded(await resolve(id, 'NOT_UPHELD'), 'resolving');
    succeeded(await t.gql(dpo, CLOSE, { id }), 'closing');
    succeeded(await t.gql(await t.token(Role.AGENT, { sub: 'agent-closed' }), '{ me { tenantId } }'), 'provisioning an agent');
  });

  test.each(STAGES)('refuses escalation to %s', async (to) => {
    await expectEscalationRefused(id, to, ['CASE_CLOSED']);
  });

  test.each([
    ['acknowledgeComplaint', () => t.gql(dpo, ACKNOWLEDGE, { id })],
    ['assignComplaint', () => t.gql(dpo, ASSIGN, { id, to: 'agent-closed' })],
    ['addNote', () => t.gql(dpo, ADD_NOTE, { id, body: 'one more thing' })],
    ['updateComplainant', () => t.gql(dpo, UPDATE_COMPLAINANT, { id, input: { name: 'Eva Renamed' } })],
    ['awaitComplainant', () => t.gql(dpo, AWAIT, { id, reason: 'asked for ID' })],
    ['resumeComplaint', () => t.gql(dpo, RESUME, { id })],
    ['resolveComplaint', () => resolve(id, 'UPHELD')],
    ['reopenComplaint', () => t.gql(dpo, REOPEN, { id, reason: 'new facts' })],
    ['closeComplaint', () => t.gql(dpo, CLOSE, { id })],
    ['recordPanelAdvice', () => t.gql(dpo, PANEL_ADVICE, { id, summary: 'the panel advises deletion' })],
  ] as [string, () => Promise<GqlResult>][])('refuses %s with INVALID_TRANSITION, writing nothing', async (_name, write) => {
    await expectRefused(id, write, ['CASE_CLOSED'], ['CLOSED']);
  });
});

describe('processor cases', () => {
  const OTHER_OUTCOMES = ['UPHELD', 'PARTIALLY_UPHELD', 'NOT_UPHELD', 'SETTLED', 'WITHDRAWN'];

  test('a PROCESSOR case with rights [ACCESS] can only go to REGULATOR', async () => {
    const { id } = await fileCase(PROCESSOR_ACCESS);
    for (const to of ['INDEPENDENT_ADR', 'DPA_PANEL'] as Stage[]) await expectEscalationRefused(id, to, ['PROCESSOR_REFER_TO_CONTROLLER']);
    await expectEscalates(id, 'REGULATOR', 'complainant went to the DPA');
  });

  test('a PROCESSOR case with rights [ACCESS] is resolved REFERRED_TO_CONTROLLER only', async () => {
    const { id } = await fileCase(PROCESSOR_ACCESS);
    for (const outcome of OTHER_OUTCOMES) await expectRefused(id, () => resolve(id, outcome), ['PROCESSOR_REFER_TO_CONTROLLER'], ['REFERRED_TO_CONTROLLER']);
    const res = await resolve(id, 'REFERRED_TO_CONTROLLER');
    expect(res.errors).toBeUndefined();
    expect(res.data.resolveComplaint).toMatchObject({ status: 'RESOLVED', outcome: 'REFERRED_TO_CONTROLLER', version: 2 });
  });

  test('a PROCESSOR case with rights [COMPLAINT] follows the normal rules: any real outcome, not REFERRED_TO_CONTROLLER; the table decides escalation', async () => {
    for (const outcome of OTHER_OUTCOMES) {
      const { id } = await fileCase(PROCESSOR_COMPLAINT);
      const res = await resolve(id, outcome);
      expect(res.errors).toBeUndefined();
      expect(res.data.resolveComplaint).toMatchObject({ status: 'RESOLVED', outcome });
    }
    const { id } = await fileCase(PROCESSOR_COMPLAINT);
    await expectRefused(id, () => resolve(id, 'REFERRED_TO_CONTROLLER'), ['REFERRAL_ONLY_FOR_PROCESSOR'], ['REFERRED_TO_CONTROLLER']);
    // SPEC §4's table asks processingRole CONTROLLER for ADR; not the controller-referral rule.
    await expectEscalationRefused(id, 'INDEPENDENT_ADR', ['PROCESSING_ROLE_CONTROLLER']);
    await expectEscalates(id, 'REGULATOR');
  });

  test('REFERRED_TO_CONTROLLER is refused for a CONTROLLER case', async () => {
    const { id } = await fileCase(EU_CONSUMER);
    await expectRefused(id, () => resolve(id, 'REFERRED_TO_CONTROLLER'), ['REFERRAL_ONLY_FOR_PROCESSOR'], ['REFERRED_TO_CONTROLLER']);
  });
});
