import { validate } from 'class-validator';
import type { RequestContext, TxContext } from '../context';
import { isRetryable, transaction } from '../db/transaction';
import { AppError, BadUserInputError } from '../errors';
import { flattenValidationErrors } from '../validation';
import type { Complaint } from '../../entities';
import { fileComplaint, FileComplaintData } from './complaint-intake.service';

export interface ImportItem {
  idempotencyKey: string;
  complaint: FileComplaintData & object;
}

export interface ImportOutcome {
  index: number;
  complaint: Complaint | null;
  error: { code: string; message: string; fields: Record<string, string> | null } | null;
}

/** Per-item paths name the item: fileComplaint's `input.assigneeId` is `items.3.complaint.assigneeId`. */
function itemPath(path: string, prefix: string): string {
  return path.startsWith(`${prefix}.`) ? path : `${prefix}.${path.replace(/^input\./, 'complaint.')}`;
}

async function checkItem(item: ImportItem, index: number): Promise<void> {
  const prefix = `items.${index}`;
  const fields: Record<string, string> = {};
  if (item.idempotencyKey.length < 1 || item.idempotencyKey.length > 200) fields[`${prefix}.idempotencyKey`] = 'must be 1 to 200 characters long';
  const errors = await validate(item.complaint, { forbidUnknownValues: false, validationError: { target: false, value: false } });
  Object.assign(fields, flattenValidationErrors(errors, `${prefix}.complaint`));
  if (Object.keys(fields).length > 0) throw new BadUserInputError(fields);
}

/** Items per transaction: the tenant's reference counter stays locked for one chunk, not for a whole import. */
const ITEMS_PER_TRANSACTION = 50;

/**
 * SPEC §11: files each item through fileComplaint's door (its validation, idempotency key,
 * reference, clocks from receivedAt, audit). Items are filed in chunks, one transaction per
 * chunk and a savepoint per item, so a failing item fails alone (rolled back to its
 * savepoint, its reference not taken) while a chunk pays one commit, not fifty; references
 * follow the items. A second run of the same batch returns the same complaints.
 */
export async function importComplaints(ctx: RequestContext, items: ImportItem[]): Promise<ImportOutcome[]> {
  const outcomes: ImportOutcome[] = [];
  for (let offset = 0; offset < items.length; offset += ITEMS_PER_TRANSACTION) {
    const chunk = items.slice(offset, offset + ITEMS_PER_TRANSACTION);
    try {
      outcomes.push(...(await transaction(ctx, (tx) => importChunk(tx, chunk, offset))));
    } catch (error) {
      // The chunk's transaction itself failed (its commit, the connection): none of its items was filed.
      outcomes.push(...chunk.map((_, i) => ({ index: offset + i, complaint: null, error: describe(ctx, error, `items.${offset + i}`) })));
    }
  }
  return outcomes;
}

async function importChunk(tx: TxContext, chunk: ImportItem[], offset: number): Promise<ImportOutcome[]> {
  const outcomes: ImportOutcome[] = [];
  await tx.manager.query('SAVEPOINT import_item');
  for (const [i, item] of chunk.entries()) outcomes.push(await importItem(tx, item, offset + i));
  await tx.manager.query('RELEASE SAVEPOINT import_item');
  return outcomes;
}

/** Keeps what the item wrote and opens the next item's savepoint, in one round trip (no parameters: one simple query). */
const NEXT_ITEM = 'RELEASE SAVEPOINT import_item; SAVEPOINT import_item';

async function importItem(tx: TxContext, item: ImportItem, index: number): Promise<ImportOutcome> {
  try {
    await checkItem(item, index);
  } catch (error) {
    return { index, complaint: null, error: describe(tx, error, `items.${index}`) };
  }
  // The item's savepoint is open (importChunk, or the item before): rolling back to it undoes this item only.
  for (let attempt = 1; ; attempt++) {
    try {
      const complaint = await fileComplaint(tx, item.complaint, item.idempotencyKey);
      await tx.manager.query(NEXT_ITEM);
      return { index, complaint, error: null };
    } catch (error) {
      await tx.manager.query('ROLLBACK TO SAVEPOINT import_item'); // the savepoint stays, for a retry or the next item
      tx.chainHeads.clear(); // heads the item moved are back where they were
      if (attempt < 3 && isRetryable(error)) continue; // a deadlock or serialization failure: this item again
      return { index, complaint: null, error: describe(tx, error, `items.${index}`) };
    }
  }
}

/** Coded errors are the item's result; anything else is logged and reported without detail. */
function describe(ctx: RequestContext, error: unknown, prefix: string): NonNullable<ImportOutcome['error']> {
  if (error instanceof BadUserInputError) {
    const fields = Object.fromEntries(Object.entries(error.fields).map(([path, message]) => [itemPath(path, prefix), message]));
    return {
      code: error.code,
      message: `Invalid input: ${Object.entries(fields)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ')}`,
      fields,
    };
  }
  if (error instanceof AppError) return { code: error.code, message: error.message, fields: null };
  ctx.log.error({ err: error, requestId: ctx.requestId }, 'import item failed');
  return { code: 'INTERNAL_SERVER_ERROR', message: `The item could not be filed (request ${ctx.requestId})`, fields: null };
}
