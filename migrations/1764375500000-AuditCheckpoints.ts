import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §7 audit checkpoints: signed Merkle roots over every chain head of a tenant, with
 * the heads themselves so a later verification can compare. Append-only for the API role
 * (SELECT, INSERT); `period` is the hour of a scheduled checkpoint, one per tenant and hour
 * however many workers run; on-demand checkpoints have none.
 */
export class AuditCheckpoints1764375500000 implements MigrationInterface {
  name = 'AuditCheckpoints1764375500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_checkpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenants(id),
        created_at timestamptz(3) NOT NULL,
        period timestamptz(3),
        root text NOT NULL,
        chains int NOT NULL,
        events int NOT NULL,
        heads jsonb NOT NULL DEFAULT '[]',
        jws text NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_checkpoints_tenant_created_idx ON audit_checkpoints (tenant_id, created_at, id)`);
    await q.query(`CREATE UNIQUE INDEX audit_checkpoints_tenant_period_key ON audit_checkpoints (tenant_id, period) WHERE period IS NOT NULL`);
    await q.query(`GRANT SELECT, INSERT ON audit_checkpoints TO cms_app`);
    await q.query(`GRANT DELETE ON audit_checkpoints TO cms_purger`); // the retention purge (migration PurgeRole)
    const currentTenant = `NULLIF(current_setting('app.tenant_id', true), '')`;
    await q.query(`ALTER TABLE audit_checkpoints ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE audit_checkpoints FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON audit_checkpoints USING (tenant_id = ${currentTenant}) WITH CHECK (tenant_id = ${currentTenant})`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_checkpoints`);
  }
}
