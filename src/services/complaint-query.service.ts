import { Brackets, SelectQueryBuilder } from 'typeorm';
import { canReadPii } from '../auth/permissions';
import { canReadFreeText } from '../domain/free-text';
import type { RequestContext, TxContext } from '../context';
import { transaction } from '../db/transaction';
import { ComplaintOrderField, ComplaintStage, ComplaintStatus, DataSubjectRight, OrderDirection, Regime } from '../domain/enums';
import { BadUserInputError, NotFoundError } from '../errors';
import { countRows, decodeCursor, encodeCursor, isCursorInstant, isUuid, Page, toPage } from '../pagination';
import { Complaint } from '../../entities';

/** The complaint of the tenant, or NOT_FOUND (also for another tenant's id: RLS hides it). */
export async function loadComplaint(tx: TxContext, id: string, options: { lock?: boolean } = {}): Promise<Complaint> {
  const complaint = isUuid(id) ? await tx.manager.findOne(Complaint, { where: { id }, lock: options.lock ? { mode: 'pessimistic_write' } : undefined }) : null;
  if (!complaint) throw new NotFoundError('Complaint', id);
  return complaint;
}

export function getComplaint(ctx: RequestContext, id: string): Promise<Complaint> {
  return transaction(ctx, (tx) => loadComplaint(tx, id));
}

export async function getComplaintByReference(ctx: RequestContext, reference: string): Promise<Complaint> {
  const complaint = await transaction(ctx, (tx) => tx.manager.findOneBy(Complaint, { reference: reference.trim().toUpperCase() }));
  if (!complaint) throw new NotFoundError('Complaint', reference);
  return complaint;
}

export interface ComplaintFilterData {
  stage?: ComplaintStage[];
  status?: ComplaintStatus[];
  regime?: Regime[];
  right?: DataSubjectRight[];
  assigneeId?: string;
  breached?: boolean;
  dueBefore?: Date;
  receivedFrom?: Date;
  receivedTo?: Date;
  search?: string;
}

export interface ComplaintListArgs {
  filter?: ComplaintFilterData | null;
  orderBy?: { field: ComplaintOrderField; direction: OrderDirection } | null;
  first: number;
  after?: string | null;
}

const ORDER_EXPRESSIONS: Record<ComplaintOrderField, string> = {
  [ComplaintOrderField.RECEIVED_AT]: 'c.received_at',
  [ComplaintOrderField.UPDATED_AT]: 'c.updated_at',
  // Complaints without a running clock sort after every due one.
  [ComplaintOrderField.NEXT_DUE_AT]: "coalesce(c.next_due_at, 'infinity'::timestamptz)",
};

function orderValue(c: Complaint, field: ComplaintOrderField): string {
  if (field === ComplaintOrderField.RECEIVED_AT) return c.receivedAt.toISOString();
  if (field === ComplaintOrderField.UPDATED_AT) return c.updatedAt.toISOString();
  return c.nextDueAt ? c.nextDueAt.toISOString() : 'infinity';
}

/**
 * complaints(filter, orderBy, first, after): keyset pagination over (order value, id).
 * `totalCount` is counted only when the caller asks for it (a lazy promise field), in the
 * same transaction (a query operation's one snapshot).
 */
export async function listComplaints(ctx: RequestContext, args: ComplaintListArgs): Promise<Page<Complaint> & { readonly totalCount: Promise<number> }> {
  const field = args.orderBy?.field ?? ComplaintOrderField.RECEIVED_AT;
  const direction = args.orderBy?.direction ?? OrderDirection.DESC;
  const expression = ORDER_EXPRESSIONS[field];
  const roles = ctx.user.roles;
  const filtered = (tx: TxContext) => {
    const base = tx.manager.createQueryBuilder(Complaint, 'c');
    applyFilter(base, args.filter ?? {}, {
      pii: canReadPii(roles, false),
      childPii: canReadPii(roles, true),
      childSummary: canReadFreeText(roles, true, 'summary'),
    });
    return base;
  };
  const page = await transaction(ctx, async (tx) => {
    const query = filtered(tx);
    if (args.after) {
      const [cursorField, cursorDirection, value, id] = decodeCursor(args.after);
      if (
        cursorField !== field ||
        cursorDirection !== direction ||
        typeof id !== 'string' ||
        !isUuid(id) ||
        !(isCursorInstant(value) || value === 'infinity')
      ) {
        throw new BadUserInputError({ after: 'is not a cursor of this list and order' });
      }
      const op = direction === OrderDirection.ASC ? '>' : '<';
      query.andWhere(`(${expression}, c.id) ${op} (:cursorValue::timestamptz, :cursorId::uuid)`, { cursorValue: value, cursorId: id });
    }
    const rows = await query
      .orderBy(expression, direction)
      .addOrderBy('c.id', direction)
      .limit(args.first + 1)
      .getMany();
    return toPage(rows, args.first, (c) => encodeCursor([field, direction, orderValue(c, field), c.id]));
  });
  let count: Promise<number> | null = null;
  return Object.defineProperty(page, 'totalCount', {
    enumerable: true,
    get: () => (count ??= transaction(ctx, (tx) => countRows(filtered(tx)))),
  }) as Page<Complaint> & { readonly totalCount: Promise<number> };
}

/** What the caller may read, and so search by (SPEC §3: a masked field is not searchable). */
interface Readable {
  pii: boolean;
  childPii: boolean;
  childSummary: boolean;
}

function applyFilter(q: SelectQueryBuilder<Complaint>, f: ComplaintFilterData, readable: Readable): void {
  if (f.stage?.length) q.andWhere('c.stage = ANY(:stages)', { stages: f.stage });
  if (f.status?.length) q.andWhere('c.status = ANY(:statuses)', { statuses: f.status });
  if (f.regime?.length) q.andWhere('c.regimes && :regimes::text[]', { regimes: f.regime });
  if (f.right?.length) q.andWhere('c.rights && :rights::text[]', { rights: f.right });
  if (f.assigneeId) q.andWhere('c.assignee_id = :assigneeId', { assigneeId: f.assigneeId });
  if (f.breached !== undefined && f.breached !== null) {
    q.andWhere(`${f.breached ? '' : 'NOT '}EXISTS (SELECT 1 FROM sla_timers t WHERE t.complaint_id = c.id AND t.status = 'BREACHED')`);
  }
  if (f.dueBefore) q.andWhere('c.next_due_at < :dueBefore', { dueBefore: f.dueBefore });
  if (f.receivedFrom) q.andWhere('c.received_at >= :receivedFrom', { receivedFrom: f.receivedFrom });
  if (f.receivedTo) q.andWhere('c.received_at <= :receivedTo', { receivedTo: f.receivedTo });
  if (f.search) {
    const pattern = `%${f.search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    q.andWhere(
      new Brackets((w) => {
        w.where('c.reference ILIKE :pattern', { pattern });
        w.orWhere(`(${readable.childSummary ? '' : 'NOT c.involves_child_under13 AND '}c.summary ILIKE :pattern)`, { pattern });
        // Searching by name or email would reveal PII to roles that read it masked.
        if (readable.pii) {
          const childGuard = readable.childPii ? '' : 'NOT c.involves_child_under13 AND ';
          w.orWhere(`(${childGuard}(c.complainant_name ILIKE :pattern OR c.complainant_email ILIKE :pattern))`, { pattern });
        }
      }),
    );
  }
}
