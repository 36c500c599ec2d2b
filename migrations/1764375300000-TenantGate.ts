import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One gate into a tenant's data, used by every tenant transaction: sets the tenant for
 * row-level security, refuses a purged tenant (SQLSTATE CMS01), then drops to cms_app.
 * The KEY SHARE lock on the tenant row makes the purge (FOR UPDATE on that row) wait for
 * transactions already inside, and later ones wait for the purge and then see it: no
 * replica can write for a tenant while or after it is purged.
 * A read-only transaction (the CSV report, a hot standby) cannot lock rows and cannot
 * write either: it only checks.
 */
export class TenantGate1764375300000 implements MigrationInterface {
  name = 'TenantGate1764375300000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION cms_enter_tenant(tenant text) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        purged timestamptz;
      BEGIN
        PERFORM set_config('app.tenant_id', tenant, true);
        IF current_setting('transaction_read_only') = 'on' THEN
          SELECT t.purged_at INTO purged FROM tenants t WHERE t.id = tenant;
        ELSE
          SELECT t.purged_at INTO purged FROM tenants t WHERE t.id = tenant FOR KEY SHARE;
        END IF;
        IF purged IS NOT NULL THEN
          RAISE EXCEPTION 'tenant % was purged', tenant USING ERRCODE = 'CMS01';
        END IF;
        PERFORM set_config('role', 'cms_app', true);
      END
      $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION cms_enter_tenant(text)`);
  }
}
