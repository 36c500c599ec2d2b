import { validate } from 'class-validator';
import type { RequestContext } from '../context';
import { AppError, BadUserInputError } from '../errors';
import { flattenValidationErrors } from '../validation';
import type { Complaint } from '../../entities';
import { CounterTurn, fileComplaint, FileComplaintData } from './complaint-intake.service';

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

/** Items filed side by side: each holds a pooled connection while it waits for its turn at the counter. */
const IMPORT_CONCURRENCY = 4;

/**
 * SPEC §11: files each item through fileComplaint's door (its validation, idempotency key,
 * reference, clocks from receivedAt, audit), each in its own transaction, so a failing item
 * fails alone; a second run of the same batch returns the same complaints. A few items run
 * at once, taking the tenant's counter in item order (CounterTurn), so references follow
 * the items; an item whose key an earlier item uses waits for that one to end first (else
 * it could hold the key's row while the earlier one waits behind it for its turn).
 */
export async function importComplaints(ctx: RequestContext, items: ImportItem[]): Promise<ImportOutcome[]> {
  const outcomes: ImportOutcome[] = new Array(items.length);
  const turns = counterTurns(items.length);
  const done = items.map(() => deferred());
  const lastWithKey = new Map<string, number>();
  const earlierSameKey = items.map((item, index) => {
    const earlier = lastWithKey.get(item.idempotencyKey);
    lastWithKey.set(item.idempotencyKey, index);
    return earlier;
  });
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const earlier = earlierSameKey[index];
      if (earlier !== undefined) await done[earlier].promise;
      try {
        outcomes[index] = await importItem(ctx, items[index], index, turns[index]);
      } finally {
        turns[index].taken();
        done[index].resolve();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IMPORT_CONCURRENCY, items.length) }, worker));
  return outcomes;
}

async function importItem(ctx: RequestContext, item: ImportItem, index: number, turn: CounterTurn): Promise<ImportOutcome> {
  try {
    await checkItem(item, index);
    const complaint = await fileComplaint(ctx, item.complaint, item.idempotencyKey, turn);
    return { index, complaint, error: null };
  } catch (error) {
    return { index, complaint: null, error: describe(ctx, error, `items.${index}`) };
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Item i may take the counter once item i - 1 has taken it or ended. */
function counterTurns(count: number): CounterTurn[] {
  let previous: Promise<void> = Promise.resolve();
  return Array.from({ length: count }, () => {
    const wait = previous;
    const mine = deferred();
    previous = mine.promise;
    return { wait: () => wait, taken: mine.resolve };
  });
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
