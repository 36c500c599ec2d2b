import type { RequestContext } from '../context';
import { freshnessOf, readFromReplica } from '../db/read-replica';
import { ComplaintOutcome, ComplaintStage, DataSubjectRight, Regime, SlaKind } from '../domain/enums';
import { BadUserInputError } from '../errors';

const MAX_WINDOW_DAYS = 3660;

export const AGING_BUCKETS = [
  { label: '0-7', minDays: 0, maxDays: 7 },
  { label: '8-30', minDays: 8, maxDays: 30 },
  { label: '31-45', minDays: 31, maxDays: 45 },
  { label: '46-90', minDays: 46, maxDays: 90 },
  { label: '91+', minDays: 91, maxDays: null },
] as const;

export function checkWindow(from: Date, to: Date): void {
  if (from > to) throw new BadUserInputError({ to: 'must not be before from' });
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * 86_400_000) throw new BadUserInputError({ to: `the window is at most ${MAX_WINDOW_DAYS} days` });
}

const rate = (met: number, breached: number) => (met + breached === 0 ? null : met / (met + breached));

/** count(*) FILTER (...) AS "<prefix>:<value>" for each value of a fixed vocabulary. */
function countsBy(prefix: string, values: string[], condition: (literal: string) => string): string {
  return values.map((v) => `count(*) FILTER (WHERE ${condition(`'${v}'`)})::int AS "${prefix}:${v}"`).join(',\n        ');
}

/** The non-zero counts of one vocabulary, in its order, as { [key]: value, count } rows. */
function pick<K extends string>(row: Record<string, number>, prefix: string, values: string[], key: K): ({ [P in K]: string } & { count: number })[] {
  return values.filter((v) => row[`${prefix}:${v}`] > 0).map((v) => ({ [key]: v, count: row[`${prefix}:${v}`] }) as { [P in K]: string } & { count: number });
}

const STAGES = Object.values(ComplaintStage);
const RIGHTS = Object.values(DataSubjectRight);
const REGIMES = Object.values(Regime);
const OUTCOMES = Object.values(ComplaintOutcome);
const KINDS = Object.values(SlaKind);

/**
 * complianceReport(from, to), computed in PostgreSQL under the tenant's RLS (SPEC §8).
 * The window is inclusive at both ends. Counts by stage, right and regime are over the
 * complaints received in the window; outcomes and resolution times over those resolved
 * in it; SLA figures over the timers of the complaints received in it; aging over the
 * complaints still open at `to`. Each part is one pass (filtered aggregates over the
 * fixed vocabularies) on a covering index, so a year of a million complaints needs no
 * table reads. SPEC §2: read from the hot standby when there is one (else the primary), in one
 * snapshot, and the report says how fresh that snapshot is.
 */
export async function complianceReport(ctx: RequestContext, from: Date, to: Date) {
  checkWindow(from, to);
  return readFromReplica(ctx, {}, async (manager, origin) => {
    const freshness = await freshnessOf(manager, origin);
    const q = async (sql: string) => ((await manager.query(sql, [from, to])) as Record<string, number>[])[0];
    // A case that left INTERNAL_DPO is never back there (no backward moves): its stage says it.
    const received = await q(`
      SELECT count(*)::int AS received, count(*) FILTER (WHERE stage <> 'INTERNAL_DPO')::int AS escalated,
        ${countsBy('stage', STAGES, (v) => `stage = ${v}`)},
        ${countsBy('right', RIGHTS, (v) => `rights @> ARRAY[${v}]`)},
        ${countsBy('regime', REGIMES, (v) => `regimes @> ARRAY[${v}]`)}
      FROM complaints WHERE received_at BETWEEN $1 AND $2`);
    const timers = await q(`
      SELECT ${KINDS.map(
        (k) => `count(*) FILTER (WHERE kind = '${k}' AND status = 'MET')::int AS "met:${k}",
        count(*) FILTER (WHERE kind = '${k}' AND status = 'BREACHED')::int AS "breached:${k}",
        count(*) FILTER (WHERE kind = '${k}' AND status IN ('RUNNING', 'PAUSED'))::int AS "running:${k}"`,
      ).join(',\n        ')}
      FROM sla_timers WHERE complaint_received_at BETWEEN $1 AND $2`);
    const resolution = await q(`
      SELECT count(*)::int AS resolved,
        ${countsBy('outcome', OUTCOMES, (v) => `outcome = ${v}`)},
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - received_at) / 86400) AS median,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - received_at) / 86400) AS p90
      FROM complaints WHERE resolved_at BETWEEN $1 AND $2`);
    // Open at \`to\`: received by then and not resolved by then (a closed case was resolved first).
    const aging = await q(`
      SELECT ${AGING_BUCKETS.map((b, i) => `count(*) FILTER (WHERE days >= ${b.minDays}${b.maxDays === null ? '' : ` AND days <= ${b.maxDays}`})::int AS "b${i}"`).join(', ')}
      FROM (SELECT floor(extract(epoch FROM $2::timestamptz - received_at) / 86400)::int AS days FROM complaints WHERE resolved_at IS NULL AND received_at <= $2
            UNION ALL
            SELECT floor(extract(epoch FROM $2::timestamptz - received_at) / 86400)::int FROM complaints WHERE resolved_at > $2 AND received_at <= $2 AND $1::timestamptz IS NOT NULL) o`);

    const byKind = KINDS.map((kind) => ({ kind, met: timers[`met:${kind}`], breached: timers[`breached:${kind}`], running: timers[`running:${kind}`] })).filter(
      (k) => k.met + k.breached + k.running > 0,
    );
    const met = byKind.reduce((n, k) => n + k.met, 0);
    const breached = byKind.reduce((n, k) => n + k.breached, 0);
    const agingBuckets = AGING_BUCKETS.map((b, i) => ({ ...b, count: aging[`b${i}`] }));
    return {
      from,
      to,
      received: received.received,
      resolved: resolution.resolved,
      openAtEnd: agingBuckets.reduce((n, b) => n + b.count, 0),
      byStage: pick(received, 'stage', STAGES, 'stage'),
      byRight: pick(received, 'right', RIGHTS, 'right'),
      byOutcome: pick(resolution, 'outcome', OUTCOMES, 'outcome'),
      byRegime: pick(received, 'regime', REGIMES, 'regime'),
      sla: {
        met,
        breached,
        running: byKind.reduce((n, k) => n + k.running, 0),
        complianceRate: rate(met, breached),
        byKind: byKind.map(({ kind, met: m, breached: b }) => ({ kind, met: m, breached: b, complianceRate: rate(m, b) })),
      },
      medianDaysToResolution: resolution.median === null ? null : Number(resolution.median),
      p90DaysToResolution: resolution.p90 === null ? null : Number(resolution.p90),
      escalationRate: received.received === 0 ? null : received.escalated / received.received,
      aging: agingBuckets,
      readFrom: freshness.origin,
      dataAsOf: freshness.dataAsOf,
      replicaLagSeconds: freshness.replicaLagSeconds,
    };
  });
}
