import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §11 daily digest: one row per (tenant, user, tenant-local date), claimed before the
 * mail is sent, so a user gets one digest a day however many workers scan and restart; the
 * worker records when it went out and what it listed (ids, references, clocks: no PII).
 */
export class EmailDigests1764382500000 implements MigrationInterface {
  name = 'EmailDigests1764382500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE email_digests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenants(id),
        recipient_id text NOT NULL,
        local_date date NOT NULL,
        as_of timestamptz(3) NOT NULL,
        email text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING',
        attempts int NOT NULL DEFAULT 0,
        open_cases int,
        items jsonb,
        sent_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT email_digests_once_key UNIQUE (tenant_id, recipient_id, local_date),
        CONSTRAINT email_digests_status_check CHECK (status IN ('PENDING', 'SENT', 'EXPIRED'))
      )`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON email_digests TO cms_app`);
    await q.query(`GRANT SELECT, DELETE ON email_digests TO cms_purger`); // the retention purge (migration PurgeRole)
    const currentTenant = `NULLIF(current_setting('app.tenant_id', true), '')`;
    await q.query(`ALTER TABLE email_digests ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE email_digests FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON email_digests USING (tenant_id = ${currentTenant}) WITH CHECK (tenant_id = ${currentTenant})`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE email_digests`);
  }
}
