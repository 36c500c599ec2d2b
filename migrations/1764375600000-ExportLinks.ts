import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §8 one-use export links: a browser cannot send a bearer header, so `csvExportUrl`
 * stores the sha256 of a random token, bound to its tenant, user and window, valid five
 * minutes, redeemed once (`used_at`). Row-level security as every tenant table, plus one
 * read-only door: a row is visible to whoever sets `app.export_token` to its hash, which
 * is how a link finds its tenant before the tenant is known.
 */
export class ExportLinks1764375600000 implements MigrationInterface {
  name = 'ExportLinks1764375600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE export_links (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenants(id),
        user_id text NOT NULL,
        roles text[] NOT NULL,
        token_hash text NOT NULL,
        window_from timestamptz NOT NULL,
        window_to timestamptz NOT NULL,
        from_param text NOT NULL,
        to_param text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id)
      )`);
    await q.query(`CREATE UNIQUE INDEX export_links_token_hash_key ON export_links (token_hash)`);
    await q.query(`CREATE INDEX export_links_tenant_user_idx ON export_links (tenant_id, user_id)`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON export_links TO cms_app`);
    // The purge deletes checkpoints too (PURGE_ORDER): it lacked the right to.
    await q.query(`GRANT DELETE ON export_links, audit_checkpoints TO cms_purger`);
    const currentTenant = `NULLIF(current_setting('app.tenant_id', true), '')`;
    await q.query(`ALTER TABLE export_links ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE export_links FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON export_links USING (tenant_id = ${currentTenant}) WITH CHECK (tenant_id = ${currentTenant})`);
    await q.query(`CREATE POLICY redeem_by_token ON export_links FOR SELECT USING (token_hash = NULLIF(current_setting('app.export_token', true), ''))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE DELETE ON audit_checkpoints FROM cms_purger`);
    await q.query(`DROP TABLE export_links`);
  }
}
