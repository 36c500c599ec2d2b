import { ACTOR, BenchContext, FLOOR_PREFIX, LOAD_PREFIX, SETTINGS, tenantNames } from './bench-context';
import { BenchFigure, figure } from './bench-results';
import { gql, GqlRequest, loadGraphql, LoadRun } from './http-load';
import { ESCALATE_SCRIPT, fileComplaintScript, FloorSamples, PgbenchRun, runPgbench } from './sql-floor';

export const FILE_MUTATION = `mutation File($input: FileComplaintInput!, $key: String) {
  fileComplaint(input: $input, idempotencyKey: $key) { id reference stage status version }
}`;

export const ESCALATE_MUTATION = `mutation Escalate($id: ID!, $v: Int) {
  escalateComplaint(id: $id, to: REGULATOR, reason: "Complainant asked the regulator to look at the case", expectedVersion: $v) { id stage version }
}`;

/** The DE complaint every phase files: regimes GDPR + DPF, two RESPOND clocks. */
export function deComplaint(): Record<string, unknown> {
  return {
    complainant: { name: 'Eva Example', email: 'eva@example.com' },
    jurisdiction: 'DE',
    rights: ['ACCESS'],
    channel: 'WEB_FORM',
    summary: 'No answer to my access request',
    description: 'I asked for a copy of my data two months ago and have heard nothing since.',
  };
}

interface EventRow {
  action: string;
  changes: Record<string, unknown>;
}

/**
 * Provisions every tenant through the API (one filing each), then reads what the service
 * wrote for one filing and one escalation: the floor writes those very payloads.
 */
export async function takeSamples(ctx: BenchContext, tenants: string[]): Promise<FloorSamples> {
  const filed = new Map<string, string>();
  for (const tid of tenants) {
    const data = await gql<{ fileComplaint: { id: string } }>(ctx.baseUrl, ctx.token(tid), FILE_MUTATION, { input: deComplaint() });
    filed.set(tid, data.fileComplaint.id);
  }
  const sampleTenant = `${FLOOR_PREFIX}01`;
  const id = filed.get(sampleTenant)!;
  const events = async (after: number) =>
    (await ctx.owner.query<EventRow>('SELECT action, changes FROM audit_events WHERE complaint_id = $1 AND sequence > $2 ORDER BY sequence', [id, after])).rows;
  const terms = async (stage: string) =>
    (
      await ctx.owner.query<{ regime: string; terms: unknown }>('SELECT regime, terms FROM sla_timers WHERE complaint_id = $1 AND stage = $2 ORDER BY regime', [
        id,
        stage,
      ])
    ).rows;
  const filing = await events(0);
  const started = (regime: string) => filing.find((e) => e.action === 'SLA_STARTED' && e.changes.regime === regime);
  const [filedEvent, gdpr, dpf] = [filing.find((e) => e.action === 'COMPLAINT_FILED'), started('GDPR'), started('DPF')];
  const timers = await terms('INTERNAL_DPO');
  const timerTerms = (regime: string) => timers.find((t) => t.regime === regime)?.terms;
  if (!filedEvent || !gdpr || !dpf || filing.length !== 3 || !timerTerms('GDPR') || !timerTerms('DPF')) {
    throw new Error(
      `a DE filing no longer writes COMPLAINT_FILED + two SLA_STARTED (GDPR, DPF): update the floor (src/bench/sql-floor.ts) — saw ${JSON.stringify(filing.map((e) => e.action))}`,
    );
  }
  await gql(ctx.baseUrl, ctx.token(sampleTenant), ESCALATE_MUTATION, { id, v: null });
  const escalation = await events(3);
  const [cancelled, escalated, restarted] = ['SLA_CANCELLED', 'STAGE_ESCALATED', 'SLA_STARTED'].map((a) => escalation.find((e) => e.action === a));
  const regulator = (await terms('REGULATOR'))[0]?.terms;
  if (!cancelled || !escalated || !restarted || escalation.length !== 4 || !regulator) {
    throw new Error(
      `escalating a DE case to REGULATOR no longer writes 2 cancels, the escalation and 1 start: update the floor — saw ${JSON.stringify(escalation.map((e) => e.action))}`,
    );
  }
  const json = (value: unknown) => JSON.stringify(value);
  return {
    filedChanges: [json(filedEvent.changes), json(gdpr.changes), json(dpf.changes)],
    terms: [json(timerTerms('GDPR')), json(timerTerms('DPF'))],
    escalationChanges: [json(cancelled.changes), json(escalated.changes), json(restarted.changes)],
    regulatorTerms: json(regulator),
    actorId: ACTOR,
  };
}

function pick<T>(items: T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

function httpFigures(name: string, run: LoadRun, floor: PgbenchRun, check: { atLeastShare?: number }): BenchFigure[] {
  const failures = run.failed ? `${run.failed} failed requests, first: ${run.firstError}` : undefined;
  const floorNote = `floor: ${floor.transactions} transactions by pgbench (-c ${SETTINGS.connections} -j 2, extended protocol), average latency ${floor.latencyMs?.toFixed(1)} ms`;
  return [
    figure(`${name} req/s`, run.requestsPerSecond, 'req/s', floor.tps, check, [floorNote, failures].filter(Boolean).join('; ')),
    figure(`${name} p50`, run.p50Ms, 'ms', null),
    figure(`${name} p99`, run.p99Ms, 'ms', null),
  ];
}

/** fileComplaint over HTTP next to its SQL floor, spread over `tenants` tenants. */
export async function fileComplaintFloor(
  ctx: BenchContext,
  samples: FloorSamples,
  tenants: number,
  label: string,
): Promise<{ figures: BenchFigure[]; floorTps: number; httpRps: number }> {
  const floor = await runPgbench({
    url: ctx.databaseUrl,
    script: fileComplaintScript(),
    clients: SETTINGS.connections,
    seconds: SETTINGS.seconds,
    variables: fileVariables(samples, tenants),
    label: `file-complaint-${tenants}-tenant${tenants === 1 ? '' : 's'}`,
  });
  const loadTenants = tenantNames(LOAD_PREFIX, tenants);
  const next = (): GqlRequest => ({ token: ctx.token(pick(loadTenants)), query: FILE_MUTATION, variables: { input: deComplaint() } });
  const run = await loadGraphql({ baseUrl: ctx.baseUrl, connections: SETTINGS.connections, seconds: SETTINGS.seconds, next });
  return { figures: httpFigures(`fileComplaint, ${label}`, run, floor, { atLeastShare: 0.5 }), floorTps: floor.tps, httpRps: run.requestsPerSecond };
}

export function fileVariables(samples: FloorSamples, tenants: number): Record<string, string | number> {
  return {
    ntenants: tenants,
    prefix: FLOOR_PREFIX,
    actor: samples.actorId,
    ch1: samples.filedChanges[0],
    ch2: samples.filedChanges[1],
    ch3: samples.filedChanges[2],
    terms1: samples.terms[0],
    terms2: samples.terms[1],
  };
}

/**
 * escalateComplaint INTERNAL_DPO → REGULATOR over HTTP next to its floor. The floor
 * escalates the complaints its fileComplaint floor wrote (one tenant per client, in
 * reference order); the service escalates the ones it filed, tenants interleaved.
 */
export async function escalateFloor(ctx: BenchContext, samples: FloorSamples, expected: { floorTps: number; httpRps: number }): Promise<BenchFigure[]> {
  // About SETTINGS.seconds of work each, at the rates the filings just reached.
  const perClient = Math.max(3, Math.ceil((expected.floorTps * SETTINGS.seconds) / SETTINGS.connections));
  const available = async () =>
    (
      await ctx.owner.query<{ n: number }>(
        `SELECT coalesce(min(n), 0)::int AS n FROM (SELECT count(*) FILTER (WHERE stage = 'INTERNAL_DPO' AND reference NOT LIKE '%-000001') AS n
           FROM complaints WHERE tenant_id LIKE $1 GROUP BY tenant_id) t`,
        [`${FLOOR_PREFIX}%`],
      )
    ).rows[0].n;
  const have = await available();
  if (have < perClient) {
    // Top up every floor tenant to perClient cases (untimed).
    await runPgbench({
      url: ctx.databaseUrl,
      script: fileComplaintScript('per-client'),
      clients: SETTINGS.connections,
      transactionsPerClient: perClient - have,
      variables: fileVariables(samples, SETTINGS.tenants),
    });
  }
  const floor = await runPgbench({
    url: ctx.databaseUrl,
    script: ESCALATE_SCRIPT,
    clients: SETTINGS.connections,
    transactionsPerClient: perClient,
    label: 'escalate-complaint',
    variables: {
      n: 1,
      ntenants: SETTINGS.tenants,
      prefix: FLOOR_PREFIX,
      actor: samples.actorId,
      ch1: samples.escalationChanges[0],
      ch2: samples.escalationChanges[1],
      ch3: samples.escalationChanges[2],
      terms: samples.regulatorTerms,
    },
  });
  const cases = (
    await ctx.owner.query<{ id: string; tenant_id: string; version: number }>(
      `SELECT id, tenant_id, version FROM complaints WHERE tenant_id LIKE $1 AND stage = 'INTERNAL_DPO'
       ORDER BY row_number() OVER (PARTITION BY tenant_id ORDER BY received_at), tenant_id`,
      [`${LOAD_PREFIX}%`],
    )
  ).rows;
  const amount = Math.min(cases.length, Math.max(SETTINGS.connections, Math.ceil(expected.httpRps * SETTINGS.seconds)));
  let i = 0;
  const next = (): GqlRequest | null => {
    const c = cases[i++];
    return c ? { token: ctx.token(c.tenant_id), query: ESCALATE_MUTATION, variables: { id: c.id, v: c.version } } : null;
  };
  const run = await loadGraphql({ baseUrl: ctx.baseUrl, connections: SETTINGS.connections, amount, next });
  return httpFigures('escalateComplaint, 16 tenants', run, floor, {});
}
