import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import type { RequestContext, TxContext } from '../context';

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock
const MAX_ATTEMPTS = 5;

/**
 * Runs `work` in one transaction as the non-owner role `cms_app` with the tenant set for
 * row-level security (transaction-local, so it never leaks across pooled connections).
 * Retried a bounded number of times on serialization failure or deadlock.
 */
export async function inTenantTransaction<T>(dataSource: DataSource, tenantId: string, work: (manager: EntityManager) => Promise<T>, isolation?: IsolationLevel): Promise<T> {
  const open = (inner: (manager: EntityManager) => Promise<T>) => (isolation ? dataSource.transaction(isolation, inner) : dataSource.transaction(inner));
  for (let attempt = 1; ; attempt++) {
    try {
      return await open(async (manager) => {
        await manager.query(`SELECT set_config('role', 'cms_app', true), set_config('app.tenant_id', $1, true)`, [tenantId]);
        return work(manager);
      });
    } catch (error) {
      const code = (error as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (error as { code?: string }).code;
      if (attempt >= MAX_ATTEMPTS || !code || !RETRYABLE.has(code)) throw error;
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20));
    }
  }
}

/** The request's tenant transaction; a nested call joins the transaction already open. */
export function transaction<T>(ctx: RequestContext, work: (tx: TxContext) => Promise<T>): Promise<T> {
  if (ctx.manager) return work(ctx as TxContext);
  return inTenantTransaction(ctx.dataSource, ctx.tenantId, (manager) => work(ctx.withManager(manager)));
}
