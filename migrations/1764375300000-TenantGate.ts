import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One gate into a tenant's data, used by every tenant transaction: sets the tenant for
 * row-level security, refuses a purged tenant (SQLSTATE CMS01), then drops to cms_app.
 * It holds a shared transaction-level advisory lock on the tenant; the purge takes it
 * exclusively (cms_purge_lock), so it waits for the transactions already inside and later
 * ones wait for the purge and then see it: no replica writes for a tenant while or after it
 * is purged. Advisory locks live in memory: a read costs no row lock, no WAL.
 * A read-only transaction (the CSV report, a hot standby) cannot write: it only checks.
 */
export class TenantGate1764375300000 implements MigrationInterface {
  name = 'TenantGate1764375300000';

  public async up(q: QueryRunner): Promise<void> {
    // 1129141041 = 'CMS1': the advisory-lock namespace of tenant gates.
    await q.query(`
      CREATE FUNCTION cms_enter_tenant(tenant text) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM set_config('app.tenant_id', tenant, true);
        IF current_setting('transaction_read_only') = 'off' THEN
          PERFORM pg_advisory_xact_lock_shared(1129141041, hashtext(tenant));
        END IF;
        -- A statement of its own: its snapshot is taken after the lock, so it sees a purge that just committed.
        IF EXISTS (SELECT 1 FROM tenants t WHERE t.id = tenant AND t.purged_at IS NOT NULL) THEN
          RAISE EXCEPTION 'tenant % was purged', tenant USING ERRCODE = 'CMS01';
        END IF;
        PERFORM set_config('role', 'cms_app', true);
      END
      $$`);
    await q.query(`
      CREATE FUNCTION cms_purge_lock(tenant text) RETURNS void LANGUAGE sql AS $$
        SELECT pg_advisory_xact_lock(1129141041, hashtext(tenant))
      $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION cms_purge_lock(text)`);
    await q.query(`DROP FUNCTION cms_enter_tenant(text)`);
  }
}
