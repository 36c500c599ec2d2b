import type { RequestContext } from '../context';
import { transaction } from '../db/transaction';
import type { SlaTimerStatus } from '../domain/enums';
import { remainingSecondsOf as remainingOfClock } from '../domain/sla-clock';
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
    const rows = await q
      .orderBy('t.due_at', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .limit(args.first + 1)
      .getMany();
    return { ...toPage(rows, args.first, (t) => encodeCursor([t.dueAt.toISOString(), t.id])), totalCount };
  });
}

/** RUNNING/PAUSED only; 0 once due; null otherwise: the clock's own arithmetic (src/domain/sla-clock.ts). */
export function remainingSecondsOf(timer: SlaTimer, now = new Date()): number | null {
  return remainingOfClock({ ...timer, terms: timer.terms as { businessDays?: boolean } }, now);
}
