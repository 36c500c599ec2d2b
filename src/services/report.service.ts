import type { RequestContext } from '../context';
import { transaction } from '../db/transaction';
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

/**
 * complianceReport(from, to), computed in PostgreSQL under the tenant's RLS (SPEC §8).
 * The window is inclusive at both ends. Counts by stage, right and regime are over the
 * complaints received in the window; outcomes and resolution times over those resolved
 * in it; SLA figures over the timers of the complaints received in it; aging over the
 * complaints still open at `to`.
 */
export async function complianceReport(ctx: RequestContext, from: Date, to: Date) {
  checkWindow(from, to);
  return transaction(ctx, async (tx) => {
    const q = <T>(sql: string) => tx.manager.query(sql, [from, to]) as Promise<T[]>;
    const received = `SELECT * FROM complaints WHERE received_at BETWEEN $1 AND $2`;
    const [totals] = await q<{ received: number; resolved: number; open_at_end: number; escalated: number; median: number | null; p90: number | null }>(`
      SELECT
        (SELECT count(*) FROM complaints WHERE received_at BETWEEN $1 AND $2)::int AS received,
        (SELECT count(*) FROM complaints WHERE resolved_at BETWEEN $1 AND $2)::int AS resolved,
        (SELECT count(*) FROM complaints WHERE received_at <= $2 AND (resolved_at IS NULL OR resolved_at > $2) AND (closed_at IS NULL OR closed_at > $2))::int AS open_at_end,
        (SELECT count(*) FROM complaints c WHERE received_at BETWEEN $1 AND $2
           AND EXISTS (SELECT 1 FROM stage_transitions s WHERE s.complaint_id = c.id AND s.from_stage = 'INTERNAL_DPO'))::int AS escalated,
        r.median, r.p90
      FROM (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median, percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS p90
            FROM (SELECT extract(epoch FROM resolved_at - received_at) / 86400 AS days FROM complaints WHERE resolved_at BETWEEN $1 AND $2) d) r`);
    const byStage = await q<{ stage: string; count: number }>(`SELECT stage, count(*)::int AS count FROM (${received}) c GROUP BY stage ORDER BY stage`);
    const byRight = await q<{ right: string; count: number }>(`SELECT r AS right, count(*)::int AS count FROM (${received}) c, unnest(c.rights) r GROUP BY r ORDER BY r`);
    const byRegime = await q<{ regime: string; count: number }>(`SELECT r AS regime, count(*)::int AS count FROM (${received}) c, unnest(c.regimes) r GROUP BY r ORDER BY r`);
    const byOutcome = await q<{ outcome: string; count: number }>(`SELECT outcome, count(*)::int AS count FROM complaints WHERE resolved_at BETWEEN $1 AND $2 AND outcome IS NOT NULL GROUP BY outcome ORDER BY outcome`);
    const slaRows = await q<{ kind: string; met: number; breached: number; running: number }>(`
      SELECT t.kind, count(*) FILTER (WHERE t.status = 'MET')::int AS met, count(*) FILTER (WHERE t.status = 'BREACHED')::int AS breached,
             count(*) FILTER (WHERE t.status IN ('RUNNING', 'PAUSED'))::int AS running
      FROM sla_timers t JOIN complaints c ON c.id = t.complaint_id WHERE c.received_at BETWEEN $1 AND $2 GROUP BY t.kind ORDER BY t.kind`);
    const aging = await q<{ bucket: number; count: number }>(`
      SELECT CASE WHEN days <= 7 THEN 0 WHEN days <= 30 THEN 1 WHEN days <= 45 THEN 2 WHEN days <= 90 THEN 3 ELSE 4 END AS bucket, count(*)::int AS count
      FROM (SELECT floor(extract(epoch FROM $2::timestamptz - received_at) / 86400)::int AS days FROM complaints
            WHERE received_at <= $2 AND (resolved_at IS NULL OR resolved_at > $2) AND (closed_at IS NULL OR closed_at > $2) AND $1::timestamptz IS NOT NULL) o
      GROUP BY 1`);
    const met = slaRows.reduce((n, r) => n + r.met, 0);
    const breached = slaRows.reduce((n, r) => n + r.breached, 0);
    return {
      from,
      to,
      received: totals.received,
      resolved: totals.resolved,
      openAtEnd: totals.open_at_end,
      byStage,
      byRight,
      byOutcome,
      byRegime,
      sla: {
        met,
        breached,
        running: slaRows.reduce((n, r) => n + r.running, 0),
        complianceRate: rate(met, breached),
        byKind: slaRows.map((r) => ({ kind: r.kind, met: r.met, breached: r.breached, complianceRate: rate(r.met, r.breached) })),
      },
      medianDaysToResolution: totals.median === null ? null : Number(totals.median),
      p90DaysToResolution: totals.p90 === null ? null : Number(totals.p90),
      escalationRate: totals.received === 0 ? null : totals.escalated / totals.received,
      aging: AGING_BUCKETS.map((b, i) => ({ ...b, count: aging.find((a) => a.bucket === i)?.count ?? 0 })),
    };
  });
}
