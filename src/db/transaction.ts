import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import type { RequestContext, TxContext } from '../context';
import { UnauthenticatedError } from '../errors';

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock
const MAX_ATTEMPTS = 5;
/** Raised by cms_enter_tenant (migration TenantGate) for a tenant whose data was purged. */
const TENANT_PURGED = 'CMS01';

function sqlState(error: unknown): string | undefined {
  return (error as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (error as { code?: string }).code;
}

/** A serialization failure or deadlock: the work may be run again. */
export function isRetryable(error: unknown): boolean {
  const code = sqlState(error);
  return !!code && RETRYABLE.has(code);
}

/** SPEC §7: a purged tenant is refused everywhere, always, whichever replica purged it. */
function refusePurged(error: unknown): never {
  if (sqlState(error) === TENANT_PURGED) throw new UnauthenticatedError("The tenant's contract ended and its data was purged");
  throw error;
}

/** The gate of every tenant transaction: RLS tenant, purge check, role cms_app. */
export const ENTER_TENANT_SQL = 'SELECT cms_enter_tenant($1)';

/** The gate inside an open transaction (ReadScope's): tenant, purge check, role. */
export async function enterTenant(manager: EntityManager, tenantId: string): Promise<void> {
  await manager.query(ENTER_TENANT_SQL, [tenantId]).catch(refusePurged);
}

/** One statement: refuses a purged tenant (UNAUTHENTICATED), for requests that may not open a transaction. */
export async function assertTenantNotPurged(dataSource: DataSource, tenantId: string): Promise<void> {
  await dataSource.query(ENTER_TENANT_SQL, [tenantId]).catch(refusePurged);
}

/**
 * Runs `work` in one transaction as the non-owner role `cms_app` with the tenant set for
 * row-level security (transaction-local, so it never leaks across pooled connections);
 * a purged tenant is refused.
 * Retried a bounded number of times on serialization failure or deadlock.
 */
export async function inTenantTransaction<T>(
  dataSource: DataSource,
  tenantId: string,
  work: (manager: EntityManager) => Promise<T>,
  isolation?: IsolationLevel,
): Promise<T> {
  return inTenantTransactionWith(dataSource, tenantId, { isolation }, work);
}

export interface TenantTransactionOptions {
  isolation?: IsolationLevel;
  /** A transaction that cannot write (a report, a hot standby); it is not retried, its output may be on its way. */
  readOnly?: boolean;
  /** This transaction's statement_timeout, e.g. a streamed export's longer one. */
  statementTimeoutMs?: number;
}

/** inTenantTransaction with options: read-only, its own statement timeout (set in the gate's statement). */
export async function inTenantTransactionWith<T>(
  dataSource: DataSource,
  tenantId: string,
  options: TenantTransactionOptions,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const { isolation, readOnly, statementTimeoutMs } = options;
  const open = (inner: (manager: EntityManager) => Promise<T>) => (isolation ? dataSource.transaction(isolation, inner) : dataSource.transaction(inner));
  const enter =
    statementTimeoutMs === undefined
      ? ([ENTER_TENANT_SQL, [tenantId]] as const)
      : ([`SELECT cms_enter_tenant($1), set_config('statement_timeout', $2, true)`, [tenantId, String(statementTimeoutMs)]] as const);
  for (let attempt = 1; ; attempt++) {
    try {
      return await open(async (manager) => {
        if (readOnly) await manager.query('SET TRANSACTION READ ONLY');
        await manager.query(enter[0], [...enter[1]]).catch(refusePurged);
        return work(manager);
      });
    } catch (error) {
      const code = sqlState(error);
      if (readOnly || attempt >= MAX_ATTEMPTS || !code || !RETRYABLE.has(code)) throw error;
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20));
    }
  }
}

/**
 * The request's tenant transaction; a nested call joins the transaction already open, and
 * a query operation's reads join its one read-only snapshot (src/db/read-scope.ts).
 */
export function transaction<T>(ctx: RequestContext, work: (tx: TxContext) => Promise<T>): Promise<T> {
  if (ctx.manager) return work(ctx as TxContext);
  if (ctx.readScope) return ctx.readScope.run(work);
  return inTenantTransaction(ctx.dataSource, ctx.tenantId, (manager) => work(ctx.withManager(manager)));
}
