import { validate } from 'class-validator';
import type { RequestContext } from '../context';
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

/**
 * SPEC §11: files each item through fileComplaint's door (its validation, idempotency key,
 * reference, clocks from receivedAt, audit), each in its own transaction, so a failing item
 * fails alone; a second run of the same batch returns the same complaints.
 */
export async function importComplaints(ctx: RequestContext, items: ImportItem[]): Promise<ImportOutcome[]> {
  const outcomes: ImportOutcome[] = [];
  for (const [index, item] of items.entries()) {
    try {
      await checkItem(item, index);
      const complaint = await fileComplaint(ctx, item.complaint, item.idempotencyKey);
      outcomes.push({ index, complaint, error: null });
    } catch (error) {
      outcomes.push({ index, complaint: null, error: describe(ctx, error, `items.${index}`) });
    }
  }
  return outcomes;
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
