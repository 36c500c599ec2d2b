import type { DataSource } from 'typeorm';
import { appendAudit } from '../audit/audit-chain';
import type { RequestContext } from '../context';
import { transaction } from '../db/transaction';
import { AuditAction } from '../domain/enums';
import { InvalidTransitionError } from '../errors';
import type { Logger } from '../logger';
import { Tenant } from '../../entities';

/** ADMIN: the contract's end; the tenant's data is purged `retentionDays` (≤ 90) after it. */
export async function terminateContract(ctx: RequestContext, terminatedAt: Date | null | undefined, retentionDays: number): Promise<Tenant> {
  return transaction(ctx, async (tx) => {
    const tenant = await tx.manager.findOneByOrFail(Tenant, { id: tx.tenantId });
    if (tenant.purgedAt) throw new InvalidTransitionError('TENANT_PURGED', 'The tenant was already purged');
    const next = { contractTerminatedAt: terminatedAt === undefined ? new Date() : terminatedAt, retentionDays };
    await tx.manager.update(Tenant, { id: tenant.id }, next);
    // Its own action: the end of the contract decides when all data goes (SPEC §7), not a calendar setting.
    await appendAudit(tx, null, AuditAction.CONTRACT_CHANGED, {
      contractTerminatedAt: { from: tenant.contractTerminatedAt?.toISOString() ?? null, to: next.contractTerminatedAt?.toISOString() ?? null },
      retentionDays: { from: tenant.retentionDays, to: retentionDays },
    });
    return Object.assign(tenant, next);
  });
}

const PURGE_ORDER = [
  'export_links',
  'email_notifications',
  'email_digests',
  'webhook_deliveries',
  'webhook_endpoints',
  'sla_timers',
  'notes',
  'stage_transitions',
  'idempotency_keys',
  'audit_checkpoints',
  'audit_signing_starts',
  'audit_events',
  'complaints',
  'sla_policies',
  'reference_counters',
  'users',
];

/**
 * SPEC §7: a tenant whose contract ended more than its retention days ago loses all its
 * data, audit trail included, after its monthly anonymous aggregates are written.
 * Runs as cms_purger with the tenant set (row-level security applies): the audit trigger
 * admits this one DELETE because app.purge_tenant names the tenant.
 */
export async function purgeExpiredTenants(dataSource: DataSource, log: Logger, now = new Date()): Promise<string[]> {
  const due = (await dataSource.transaction(async (m) => {
    await m.query(`SELECT set_config('role', 'cms_sweeper', true)`);
    return m.query(
      `SELECT id FROM tenants WHERE purged_at IS NULL AND contract_terminated_at IS NOT NULL
         AND contract_terminated_at + make_interval(days => retention_days) <= $1`,
      [now],
    );
  })) as { id: string }[];
  const purged: string[] = [];
  for (const { id } of due) {
    const done = await dataSource.transaction(async (m) => {
      await m.query(`SELECT set_config('role', 'cms_purger', true), set_config('app.tenant_id', $1, true), set_config('app.purge_tenant', $1, true)`, [id]);
      // Waits for the tenant's transactions under way (each holds the tenant gate, see migration
      // TenantGate); later ones wait for this one and are then refused. Another replica's purge
      // of the same tenant finds it purged and leaves it.
      await m.query(`SELECT cms_purge_lock($1)`, [id]);
      const open = (await m.query(`SELECT 1 FROM tenants WHERE id = $1 AND purged_at IS NULL`, [id])) as unknown[];
      if (open.length === 0) return false;
      await m.query(
        `
        INSERT INTO retained_aggregates (month, complaints, by_stage, by_right, by_outcome, by_regime, sla_met, sla_breached)
        SELECT m.month, m.complaints,
          (SELECT coalesce(jsonb_object_agg(stage, n), '{}') FROM (SELECT stage, count(*) n FROM complaints c WHERE c.tenant_id = $1 AND date_trunc('month', c.received_at)::date = m.month GROUP BY stage) s),
          (SELECT coalesce(jsonb_object_agg(r, n), '{}') FROM (SELECT r, count(*) n FROM complaints c, unnest(c.rights) r WHERE c.tenant_id = $1 AND date_trunc('month', c.received_at)::date = m.month GROUP BY r) s),
          (SELECT coalesce(jsonb_object_agg(outcome, n), '{}') FROM (SELECT outcome, count(*) n FROM complaints c WHERE c.tenant_id = $1 AND outcome IS NOT NULL AND date_trunc('month', c.received_at)::date = m.month GROUP BY outcome) s),
          (SELECT coalesce(jsonb_object_agg(r, n), '{}') FROM (SELECT r, count(*) n FROM complaints c, unnest(c.regimes) r WHERE c.tenant_id = $1 AND date_trunc('month', c.received_at)::date = m.month GROUP BY r) s),
          (SELECT count(*) FROM sla_timers t JOIN complaints c ON c.id = t.complaint_id WHERE c.tenant_id = $1 AND t.status = 'MET' AND date_trunc('month', c.received_at)::date = m.month),
          (SELECT count(*) FROM sla_timers t JOIN complaints c ON c.id = t.complaint_id WHERE c.tenant_id = $1 AND t.status = 'BREACHED' AND date_trunc('month', c.received_at)::date = m.month)
        FROM (SELECT date_trunc('month', received_at)::date AS month, count(*)::int AS complaints FROM complaints WHERE tenant_id = $1 GROUP BY 1) m`,
        [id],
      );
      // The timers' queued jobs name the tenant: they go too.
      await m.query(`SELECT graphile_worker.remove_job('sla:' || id) FROM sla_timers WHERE tenant_id = $1`, [id]);
      await m.query(`SELECT graphile_worker.remove_job('digest:' || id) FROM email_digests WHERE tenant_id = $1 AND status = 'PENDING'`, [id]);
      for (const table of PURGE_ORDER) await m.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [id]);
      await m.query(`UPDATE tenants SET purged_at = now(), name = id WHERE id = $1`, [id]);
      return true;
    });
    if (!done) continue;
    purged.push(id);
    log.info({ tenantId: id }, 'tenant purged after contract retention');
  }
  return purged;
}
