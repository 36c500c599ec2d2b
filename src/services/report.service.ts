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

type Row = Record<string, string | number>;
type SlaRow = { kind: string; met: number; breached: number; running: number };

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
    // Complaints received in the window: one scan, every breakdown from it. A case that
    // left INTERNAL_DPO is never back there (no backward moves), so its stage says it.
    const [window] = await q<{ received: number; escalated: number; by_stage: Row[] | null; by_right: Row[] | null; by_regime: Row[] | null; sla: SlaRow[] | null }>(`
      WITH w AS MATERIALIZED (SELECT id, stage, rights, regimes FROM complaints WHERE received_at BETWEEN $1 AND $2)
      SELECT (SELECT count(*) FROM w)::int AS received,
             (SELECT count(*) FROM w WHERE stage <> 'INTERNAL_DPO')::int AS escalated,
             (SELECT json_agg(json_build_object('stage', stage, 'count', n) ORDER BY stage) FROM (SELECT stage, count(*)::int n FROM w GROUP BY stage) s) AS by_stage,
             (SELECT json_agg(json_build_object('right', r, 'count', n) ORDER BY r) FROM (SELECT r, count(*)::int n FROM w, unnest(w.rights) r GROUP BY r) s) AS by_right,
             (SELECT json_agg(json_build_object('regime', r, 'count', n) ORDER BY r) FROM (SELECT r, count(*)::int n FROM w, unnest(w.regimes) r GROUP BY r) s) AS by_regime,
             (SELECT json_agg(json_build_object('kind', kind, 'met', met, 'breached', breached, 'running', running) ORDER BY kind) FROM (
                SELECT t.kind, count(*) FILTER (WHERE t.status = 'MET')::int AS met, count(*) FILTER (WHERE t.status = 'BREACHED')::int AS breached,
                       count(*) FILTER (WHERE t.status IN ('RUNNING', 'PAUSED'))::int AS running
                FROM sla_timers t WHERE t.complaint_received_at BETWEEN $1 AND $2 GROUP BY t.kind) k) AS sla`);
    // Complaints resolved in the window.
    const [resolution] = await q<{ resolved: number; by_outcome: Row[] | null; median: number | null; p90: number | null }>(`
      WITH r AS MATERIALIZED (SELECT outcome, extract(epoch FROM resolved_at - received_at) / 86400 AS days FROM complaints WHERE resolved_at BETWEEN $1 AND $2)
      SELECT (SELECT count(*) FROM r)::int AS resolved,
             (SELECT json_agg(json_build_object('outcome', outcome, 'count', n) ORDER BY outcome) FROM (SELECT outcome, count(*)::int n FROM r WHERE outcome IS NOT NULL GROUP BY outcome) s) AS by_outcome,
             (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FROM r) AS median,
             (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY days) FROM r) AS p90`);
    // Open at \`to\`: received by then and not resolved by then (a closed case was resolved first).
    const aging = await q<{ bucket: number; count: number }>(`
      SELECT CASE WHEN days <= 7 THEN 0 WHEN days <= 30 THEN 1 WHEN days <= 45 THEN 2 WHEN days <= 90 THEN 3 ELSE 4 END AS bucket, count(*)::int AS count
      FROM (SELECT floor(extract(epoch FROM $2::timestamptz - received_at) / 86400)::int AS days FROM complaints WHERE resolved_at IS NULL AND received_at <= $2
            UNION ALL
            SELECT floor(extract(epoch FROM $2::timestamptz - received_at) / 86400)::int FROM complaints WHERE resolved_at > $2 AND received_at <= $2 AND $1::timestamptz IS NOT NULL) o
      GROUP BY 1`);
    const slaRows = window.sla ?? [];
    const met = slaRows.reduce((n, r) => n + r.met, 0);
    const breached = slaRows.reduce((n, r) => n + r.breached, 0);
    return {
      from,
      to,
      received: window.received,
      resolved: resolution.resolved,
      openAtEnd: aging.reduce((n, a) => n + a.count, 0),
      byStage: window.by_stage ?? [],
      byRight: window.by_right ?? [],
      byOutcome: resolution.by_outcome ?? [],
      byRegime: window.by_regime ?? [],
      sla: {
        met,
        breached,
        running: slaRows.reduce((n, r) => n + r.running, 0),
        complianceRate: rate(met, breached),
        byKind: slaRows.map((r) => ({ kind: r.kind, met: r.met, breached: r.breached, complianceRate: rate(r.met, r.breached) })),
      },
      medianDaysToResolution: resolution.median === null ? null : Number(resolution.median),
      p90DaysToResolution: resolution.p90 === null ? null : Number(resolution.p90),
      escalationRate: window.received === 0 ? null : window.escalated / window.received,
      aging: AGING_BUCKETS.map((b, i) => ({ ...b, count: aging.find((a) => a.bucket === i)?.count ?? 0 })),
    };
  });
}
