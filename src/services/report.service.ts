import type { DataSource, EntityManager } from 'typeorm';
import type { RequestContext } from '../context';
import { freshnessOf, readFromReplica } from '../db/read-replica';
import { inTenantTransaction } from '../db/transaction';
import { ComplaintOutcome, ComplaintStage, DataSubjectRight, Regime, SlaKind } from '../domain/enums';
import { BadUserInputError } from '../errors';
import type { Logger } from '../logger';

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

const STAGES = Object.values(ComplaintStage);
const RIGHTS = Object.values(DataSubjectRight);
const REGIMES = Object.values(Regime);
const OUTCOMES = Object.values(ComplaintOutcome);
const KINDS = Object.values(SlaKind);
const TIMER_STATES = ['met', 'breached', 'running'] as const;

const DAY_MS = 86_400_000;
/** Whole days from receipt to resolution, exactly as the percentiles order them (and as the index on it is built). */
const RESOLUTION_DAYS = 'extract(epoch FROM resolved_at - received_at) / 86400';

/** The counted metrics of report_rollups (migration ReportRollups1764381000000) the report reads by name. */
const WINDOW_METRICS = [
  'received',
  'escalated',
  'resolved',
  ...STAGES.map((v) => `stage:${v}`),
  ...RIGHTS.map((v) => `right:${v}`),
  ...REGIMES.map((v) => `regime:${v}`),
  ...OUTCOMES.map((v) => `outcome:${v}`),
  ...KINDS.flatMap((k) => TIMER_STATES.map((st) => `timer:${k}:${st}`)),
];

/**
 * An inclusive window [a, b] (timestamps are stored to the millisecond) as the whole UTC
 * days inside it, read from the rollups, and the instants left at either end, counted
 * from the cases themselves. `a` null: unbounded below.
 */
interface Split {
  /** [first day, day after the last): null when the window holds no whole day. */
  days: { from: string | null; to: string } | null;
  /** Inclusive instant ranges outside those days. */
  edges: [Date, Date][];
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function splitWindow(a: Date | null, b: Date): Split {
  const first = a === null ? null : Math.ceil(a.getTime() / DAY_MS) * DAY_MS;
  const end = Math.floor((b.getTime() + 1) / DAY_MS) * DAY_MS;
  if (first !== null && first >= end) return { days: null, edges: a && a <= b ? [[a, b]] : [] };
  const edges: [Date, Date][] = [];
  if (a && first !== null && a.getTime() < first) edges.push([a, new Date(first - 1)]);
  if (end <= b.getTime()) edges.push([new Date(end), b]);
  return { days: { from: first === null ? null : isoDay(first), to: isoDay(end) }, edges };
}

/** Builds SQL with numbered parameters. */
class Sql {
  readonly params: unknown[] = [];
  p(value: unknown, cast = ''): string {
    this.params.push(value);
    return `$${this.params.length}${cast}`;
  }
  /** `column` in any of the inclusive ranges (false for none). */
  inRanges(column: string, ranges: [Date, Date][]): string {
    if (ranges.length === 0) return 'false';
    return `(${ranges.map(([x, y]) => `${column} BETWEEN ${this.p(x, '::timestamptz')} AND ${this.p(y, '::timestamptz')}`).join(' OR ')})`;
  }
  /** `day` within a split's whole days. */
  inDays(days: NonNullable<Split['days']>): string {
    return `${days.from === null ? '' : `day >= ${this.p(days.from, '::date')} AND `}day < ${this.p(days.to, '::date')}`;
  }
}

/** percentile_cont(p) over a sorted multiset given as whole-day buckets, with a reader of exact values. */
function percentileRanks(total: number, p: number): { lo: number; hi: number; fraction: number } {
  const pos = p * (total - 1);
  return { lo: Math.floor(pos), hi: Math.ceil(pos), fraction: pos - Math.floor(pos) };
}

/**
 * complianceReport(from, to) under the tenant's RLS (SPEC §8). The window is inclusive at
 * both ends. Counts by stage, right and regime are over the complaints received in the
 * window; outcomes and resolution times over those resolved in it; SLA figures over the
 * timers of the complaints received in it; aging over the complaints still open at `to`.
 *
 * Every figure is exact. Whole UTC days inside the window are read from report_rollups
 * (partial counts kept by triggers in the writing transaction), the hours left at either
 * end from the cases themselves, so the cost grows with the window's days, not its cases.
 * The median and p90 days to resolution are exact too (percentile_cont's definition): the
 * rollups' histogram of whole days to resolution names the bucket that holds each rank,
 * and only that bucket's cases are read, in order, from an index.
 */
export async function complianceReport(ctx: RequestContext, from: Date, to: Date) {
  checkWindow(from, to);
  // SPEC §2: read from the hot standby when there is one (else the primary), in one snapshot,
  // and say how fresh that snapshot is.
  return readFromReplica(ctx, {}, async (manager, origin) => {
    const freshness = await freshnessOf(manager, origin);
    const run = async <R>(sql: Sql, text: string) => (await manager.query(text, sql.params)) as R[];
    const window = splitWindow(from, to);

    // Whole days: every windowed metric and the resolution histogram, summed over the slots.
    const counts = new Map<string, number>();
    const histogram = new Map<number, number>();
    const add = (metric: string, n: number) => {
      if (metric.startsWith('days:')) histogram.set(Number(metric.slice(5)), (histogram.get(Number(metric.slice(5))) ?? 0) + n);
      else counts.set(metric, (counts.get(metric) ?? 0) + n);
    };
    if (window.days) {
      const q = new Sql();
      const inDays = q.inDays(window.days);
      const rows = await run<{ metric: string; n: number }>(
        q,
        `SELECT metric, sum(n)::int AS n FROM report_rollups WHERE metric = ANY(${q.p(WINDOW_METRICS, '::text[]')}) AND ${inDays} GROUP BY metric
         UNION ALL
         SELECT metric, sum(n)::int FROM report_rollups WHERE metric >= 'days:' AND metric < 'days;' AND ${inDays} GROUP BY metric`,
      );
      for (const r of rows) add(r.metric, r.n);
    }

    // The ends of the window, from the cases.
    if (window.edges.length > 0) {
      const q = new Sql();
      const [received] = await run<Record<string, number>>(
        q,
        `SELECT count(*)::int AS received, count(*) FILTER (WHERE stage <> 'INTERNAL_DPO')::int AS escalated,
          ${countsBy('stage', STAGES, (v) => `stage = ${v}`)},
          ${countsBy('right', RIGHTS, (v) => `rights @> ARRAY[${v}]`)},
          ${countsBy('regime', REGIMES, (v) => `regimes @> ARRAY[${v}]`)}
        FROM complaints WHERE ${q.inRanges('received_at', window.edges)}`,
      );
      for (const [metric, n] of Object.entries(received)) add(metric, n);
      const t = new Sql();
      const timers = await run<{ kind: string; state: string | null; n: number }>(
        t,
        `SELECT kind, CASE WHEN status = 'MET' THEN 'met' WHEN status = 'BREACHED' THEN 'breached' WHEN status IN ('RUNNING', 'PAUSED') THEN 'running' END AS state,
           count(*)::int AS n
         FROM sla_timers WHERE ${t.inRanges('complaint_received_at', window.edges)} GROUP BY 1, 2`,
      );
      for (const r of timers) if (r.state) add(`timer:${r.kind}:${r.state}`, r.n);
      const r = new Sql();
      const resolved = await run<{ outcome: string | null; days: string; n: number }>(
        r,
        `SELECT outcome, floor(${RESOLUTION_DAYS})::bigint AS days, count(*)::int AS n
         FROM complaints WHERE ${r.inRanges('resolved_at', window.edges)} GROUP BY 1, 2`,
      );
      for (const row of resolved) {
        add('resolved', row.n);
        if (row.outcome) add(`outcome:${row.outcome}`, row.n);
        add(`days:${row.days}`, row.n);
      }
    }
    const count = (metric: string) => counts.get(metric) ?? 0;
    const pickCounts = <K extends string>(prefix: string, values: string[], key: K) =>
      values.filter((v) => count(`${prefix}:${v}`) > 0).map((v) => ({ [key]: v, count: count(`${prefix}:${v}`) }) as { [P in K]: string } & { count: number });

    const resolvedCount = count('resolved');
    const [median, p90] = await exactPercentiles(manager, from, to, histogram, resolvedCount, [0.5, 0.9]);
    const agingBuckets = await aging(manager, to);

    const byKind = KINDS.map((kind) => ({
      kind,
      met: count(`timer:${kind}:met`),
      breached: count(`timer:${kind}:breached`),
      running: count(`timer:${kind}:running`),
    })).filter((k) => k.met + k.breached + k.running > 0);
    const met = byKind.reduce((n, k) => n + k.met, 0);
    const breached = byKind.reduce((n, k) => n + k.breached, 0);
    const received = count('received');
    return {
      from,
      to,
      received,
      resolved: resolvedCount,
      openAtEnd: agingBuckets.reduce((n, b) => n + b.count, 0),
      byStage: pickCounts('stage', STAGES, 'stage'),
      byRight: pickCounts('right', RIGHTS, 'right'),
      byOutcome: pickCounts('outcome', OUTCOMES, 'outcome'),
      byRegime: pickCounts('regime', REGIMES, 'regime'),
      sla: {
        met,
        breached,
        running: byKind.reduce((n, k) => n + k.running, 0),
        complianceRate: rate(met, breached),
        byKind: byKind.map(({ kind, met: m, breached: b }) => ({ kind, met: m, breached: b, complianceRate: rate(m, b) })),
      },
      medianDaysToResolution: median,
      p90DaysToResolution: p90,
      escalationRate: received === 0 ? null : count('escalated') / received,
      aging: agingBuckets,
      readFrom: freshness.origin,
      dataAsOf: freshness.dataAsOf,
      replicaLagSeconds: freshness.replicaLagSeconds,
    };
  });
}

/**
 * percentile_cont(p) of the days to resolution of the cases resolved in [from, to], exact:
 * the histogram (whole days → cases) gives each rank's bucket and its place in it; one
 * statement reads just those values from complaints_tenant_resolution_days_idx.
 */
async function exactPercentiles(
  manager: EntityManager,
  from: Date,
  to: Date,
  histogram: Map<number, number>,
  total: number,
  ps: number[],
): Promise<(number | null)[]> {
  if (total === 0) return ps.map(() => null);
  const buckets = [...histogram.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => a - b);
  // The histogram counts every resolved case once: anything else is a broken rollup, never a wrong figure.
  if (buckets.reduce((n, [, c]) => n + c, 0) !== total) throw new Error('report rollups: the resolution histogram disagrees with the resolved count');
  const q = new Sql();
  const reads = ps.map((p) => {
    const { lo, hi, fraction } = percentileRanks(total, p);
    let before = 0;
    let i = 0;
    while (i < buckets.length - 1 && before + buckets[i][1] <= lo) before += buckets[i++][1];
    // The value at `hi` is the next in order: in the same bucket, or the first of the next one.
    const inBuckets = buckets.slice(i, i + 2).map(([b]) => b);
    const values = `ARRAY(SELECT ${RESOLUTION_DAYS} AS v FROM complaints
        WHERE resolved_at IS NOT NULL AND resolution_days = ANY(${q.p(inBuckets, '::int[]')})
          AND resolved_at BETWEEN ${q.p(from, '::timestamptz')} AND ${q.p(to, '::timestamptz')}
        ORDER BY v OFFSET ${q.p(lo - before, '::int')} LIMIT ${q.p(hi - lo + 1, '::int')})`;
    return { values, fraction };
  });
  const [row] = (await manager.query(`SELECT ${reads.map((r, i) => `${r.values} AS p${i}`).join(', ')}`, q.params)) as Record<string, string[]>[];
  return reads.map((r, i) => {
    const [lo, hi = lo] = row[`p${i}`].map(Number);
    return lo + (hi - lo) * r.fraction;
  });
}

/**
 * Aging of the complaints open at `to` (received by then, not resolved by then), by whole
 * days since receipt. A bucket is a span of receipt instants: its whole UTC days come from
 * the `unresolved` rollup, its ends and the cases resolved after `to` from the cases.
 */
async function aging(manager: EntityManager, to: Date) {
  const spans = AGING_BUCKETS.map((b) => ({
    from: b.maxDays === null ? null : new Date(to.getTime() - (b.maxDays + 1) * DAY_MS + 1),
    to: new Date(to.getTime() - b.minDays * DAY_MS),
  }));
  const splits = spans.map((s) => splitWindow(s.from, s.to));
  const q = new Sql();
  const days = `floor(extract(epoch FROM ${q.p(to, '::timestamptz')} - received_at) / 86400)::int`;
  const bucketOf = AGING_BUCKETS.map((b, i) => `WHEN ${days} >= ${b.minDays}${b.maxDays === null ? '' : ` AND ${days} <= ${b.maxDays}`} THEN ${i}`).join(' ');
  const rollups = splits.flatMap((s, i) =>
    s.days ? [`SELECT ${i} AS bucket, sum(n)::int AS n FROM report_rollups WHERE metric = 'unresolved' AND ${q.inDays(s.days)}`] : [],
  );
  const edges = splits.flatMap((s) => s.edges);
  const rows = (await manager.query(
    `SELECT bucket, sum(n)::int AS n FROM (
       ${[...rollups, `SELECT CASE ${bucketOf} END, count(*)::int FROM complaints WHERE resolved_at IS NULL AND ${q.inRanges('received_at', edges)} GROUP BY 1`].join('\n UNION ALL ')}
       UNION ALL
       SELECT CASE ${bucketOf} END, count(*)::int FROM complaints WHERE resolved_at > ${q.p(to, '::timestamptz')} AND received_at <= ${q.p(to, '::timestamptz')} GROUP BY 1
     ) o(bucket, n) WHERE bucket IS NOT NULL GROUP BY bucket`,
    q.params,
  )) as { bucket: number; n: number }[];
  const byBucket = new Map(rows.map((r) => [r.bucket, r.n]));
  return AGING_BUCKETS.map((b, i) => ({ ...b, count: byBucket.get(i) ?? 0 }));
}

/** Days older than this many whole UTC days before today are folded (few writes reach them). */
const COMPACT_AFTER_DAYS = 2;

/**
 * The nightly fold of the report's rollups (migration ReportRollups, report_rollups_compact):
 * for every tenant not purged, the eight slots of each metric and day before the cutoff
 * become one row, so a report over past months reads up to eight times fewer rows. Sums, and
 * so every figure, are unchanged; a late write to a folded day adds a slot row again, which
 * the next night folds. Returns the tenants folded.
 */
export async function compactReportRollups(dataSource: DataSource, log: Logger, now = new Date()): Promise<number> {
  const tenants = (await dataSource.transaction(async (m) => {
    await m.query(`SELECT set_config('role', 'cms_sweeper', true)`);
    return m.query(`SELECT id FROM tenants WHERE purged_at IS NULL ORDER BY id`);
  })) as { id: string }[];
  const before = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - COMPACT_AFTER_DAYS)).toISOString().slice(0, 10);
  let folded = 0;
  for (const { id } of tenants) {
    try {
      await inTenantTransaction(dataSource, id, (m) => m.query(`SELECT report_rollups_compact($1::date)`, [before]));
      folded += 1;
    } catch (error) {
      log.error({ err: error, tenantId: id }, 'report rollups: compaction failed');
    }
  }
  return folded;
}
