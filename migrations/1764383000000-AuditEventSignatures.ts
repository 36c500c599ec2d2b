import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 11: each audit event carries a signature by the evidence key, which the database
 * does not hold, so an event appended with the app role's credentials (linked and hashed
 * correctly) is still told apart from the service's own. Events written before this
 * migration have none: `audit_signing_starts` records, per existing chain, the first
 * sequence that must be signed (a chain missing from it is signed from sequence 1). The
 * API role may only read it, so it cannot move where signing starts.
 */
export class AuditEventSignatures1764383000000 implements MigrationInterface {
  name = 'AuditEventSignatures1764383000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events ADD COLUMN signature text`);
    await q.query(`
      CREATE TABLE audit_signing_starts (
        tenant_id text NOT NULL REFERENCES tenants(id),
        chain_id text NOT NULL,
        first_signed_sequence int NOT NULL,
        PRIMARY KEY (tenant_id, chain_id)
      )`);
    // Every tenant's chains: row-level security is forced on the owner too, so lift it for
    // this one read (inside the migration's transaction) unless the owner bypasses it anyway.
    await q.query(`ALTER TABLE audit_events NO FORCE ROW LEVEL SECURITY`);
    await q.query(`
      INSERT INTO audit_signing_starts (tenant_id, chain_id, first_signed_sequence)
      SELECT tenant_id, chain_id, max(sequence) + 1 FROM audit_events GROUP BY tenant_id, chain_id`);
    await q.query(`ALTER TABLE audit_events FORCE ROW LEVEL SECURITY`);
    await q.query(`GRANT SELECT ON audit_signing_starts TO cms_app`);
    await q.query(`GRANT DELETE ON audit_signing_starts TO cms_purger`); // the retention purge
    const currentTenant = `NULLIF(current_setting('app.tenant_id', true), '')`;
    await q.query(`ALTER TABLE audit_signing_starts ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE audit_signing_starts FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON audit_signing_starts USING (tenant_id = ${currentTenant}) WITH CHECK (tenant_id = ${currentTenant})`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_signing_starts`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN signature`);
  }
}
