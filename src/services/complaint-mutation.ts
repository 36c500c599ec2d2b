import type { RequestContext, TxContext } from '../context';
import { transaction } from '../db/transaction';
import { Verdict } from '../domain/escalation';
import { checkNotClosed } from '../domain/status';
import { ConflictError, InvalidTransitionError, NotFoundError } from '../errors';
import { isUuid } from '../pagination';
import { Complaint } from '../../entities';
import { loadComplaint } from './complaint-query.service';

export interface MutationOptions {
  /** Names the operation in "the case is CLOSED" refusals. */
  operation: string;
  expectedVersion?: number | null;
  /** Erasure is the one change a CLOSED case accepts. */
  allowClosed?: boolean;
}

/**
 * The door of every change to one case: locks the row (concurrent changes queue, never
 * lose an update), checks `expectedVersion` (CONFLICT) and the closed rule, then runs
 * `work`, which saves with `saveComplaint` and audits through appendAudit.
 */
export async function withLockedComplaint<T>(
  ctx: RequestContext,
  id: string,
  options: MutationOptions,
  work: (tx: TxContext, complaint: Complaint) => Promise<T>,
): Promise<T> {
  return transaction(ctx, async (tx) => {
    const complaint = await lockComplaint(tx, id);
    if (options.expectedVersion !== undefined && options.expectedVersion !== null && options.expectedVersion !== complaint.version) {
      throw new ConflictError(options.expectedVersion, complaint.version);
    }
    if (!options.allowClosed) enforce(checkNotClosed(complaint.status, options.operation));
    return work(tx, complaint);
  });
}

/**
 * The case, locked for this transaction, with its audit chain's head (which only this
 * transaction can move now): a batched write seals its events from it (case-write.ts).
 */
async function lockComplaint(tx: TxContext, id: string): Promise<Complaint> {
  const complaint = isUuid(id)
    ? await tx.manager
        .createQueryBuilder(Complaint, 'c')
        .addSelect(['c.auditHeadSequence', 'c.auditHeadHash'])
        .where('c.id = :id', { id })
        .setLock('pessimistic_write')
        .getOne()
    : null;
  if (!complaint) throw new NotFoundError('Complaint', id);
  tx.chainHeads.set(complaint.id, { sequence: complaint.auditHeadSequence, hash: complaint.auditHeadHash });
  return complaint;
}

/** A change whose result is the case as committed. */
export function changeComplaint(
  ctx: RequestContext,
  id: string,
  options: MutationOptions,
  work: (tx: TxContext, complaint: Complaint) => Promise<void>,
): Promise<Complaint> {
  return withLockedComplaint(ctx, id, options, async (tx, complaint) => {
    await work(tx, complaint);
    return loadComplaint(tx, id);
  });
}

/** Writes changed columns, bumps `version` and `updatedAt`. */
export async function saveComplaint(tx: TxContext, complaint: Complaint, patch: Partial<Complaint>): Promise<void> {
  Object.assign(complaint, patch);
  await tx.manager
    .createQueryBuilder()
    .update(Complaint)
    .set({ ...(patch as object), version: () => 'version + 1', updatedAt: () => 'now()' })
    .where('id = :id', { id: complaint.id })
    .execute();
  complaint.version += 1;
}

/** Throws INVALID_TRANSITION naming the rule when a domain check refuses. */
export function enforce(verdict: Verdict): void {
  if (!verdict.allowed) throw new InvalidTransitionError(verdict.rule, verdict.message);
}
