import type { RequestContext } from '../context';
import { transaction } from '../db/transaction';
import { SlaTimerStatus } from '../domain/enums';
import { BadUserInputError } from '../errors';
import { countRows, decodeCursor, encodeCursor, isCursorInstant, isUuid, Page, toPage } from '../pagination';
import { SlaTimer } from '../../entities';

export interface SlaTimerListArgs {
  status?: SlaTimerStatus[] | null;
  dueBefore?: Date | null;
  first: number;
  after?: string | null;
}

/** slaTimers: the tenant's clocks, soonest due first (keyset over dueAt, id). */
export function listSlaTimers(ctx: RequestContext, args: SlaTimerListArgs): Promise<Page<SlaTimer> & { totalCount: number }> {
  return transaction(ctx, async (tx) => {
    const q = tx.manager.createQueryBuilder(SlaTimer, 't');
    if (args.status?.length) q.andWhere('t.status = ANY(:statuses)', { statuses: args.status });
    if (args.dueBefore) q.andWhere('t.due_at < :dueBefore', { dueBefore: args.dueBefore });
    const totalCount = await countRows(q);
    if (args.after) {
      const [dueAt, id] = decodeCursor(args.after);
      if (!isCursorInstant(dueAt) || typeof id !== 'string' || !isUuid(id)) {
        throw new BadUserInputError({ after: 'is not a cursor of this list' });
      }
      q.andWhere('(t.due_at, t.id) > (:dueAt::timestamptz, :id::uuid)', { dueAt, id });
    }
    const rows = await q.orderBy('t.due_at', 'ASC').addOrderBy('t.id', 'ASC').limit(args.first + 1).getMany();
    return { ...toPage(rows, args.first, (t) => encodeCursor([t.dueAt.toISOString(), t.id])), totalCount };
  });
}

/** RUNNING/PAUSED only; 0 once due; null otherwise (contract). Paused calendar clocks report what they keep. */
export function remainingSecondsOf(timer: SlaTimer, now = new Date()): number | null {
  if (timer.status === SlaTimerStatus.RUNNING) return Math.max(0, Math.floor((timer.dueAt.getTime() - now.getTime()) / 1000));
  if (timer.status === SlaTimerStatus.PAUSED) {
    const terms = timer.terms as { businessDays?: boolean };
    // A paused business clock keeps business days; in seconds, its due as it stood when paused.
    if (terms.businessDays) return Math.max(0, Math.floor((timer.dueAt.getTime() - (timer.pausedAt ?? now).getTime()) / 1000));
    return Math.max(0, Math.floor(timer.remainingOnPause ?? 0));
  }
  return null;
}
