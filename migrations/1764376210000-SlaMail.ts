import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §11 e-mail: one row per (timer, warning or breach, recipient), unique, written in the
 * SLA event's transaction; the worker sends it and records when. A retried job finds the row
 * SENT and sends nothing again.
 */
export class SlaMail1764376210000 implements MigrationInterface {
  name = 'SlaMail1764376210000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE email_notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenants(id),
        timer_id uuid NOT NULL,
        kind text NOT NULL,
        recipient_id text NOT NULL,
        email text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING',
        attempts int NOT NULL DEFAULT 0,
        sent_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT email_notifications_once_key UNIQUE (tenant_id, timer_id, kind, recipient_id)
      )`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON email_notifications TO cms_app`);
    await q.query(`GRANT SELECT, DELETE ON email_notifications TO cms_purger`); // the retention purge (migration PurgeRole)
    const currentTenant = `NULLIF(current_setting('app.tenant_id', true), '')`;
    await q.query(`ALTER TABLE email_notifications ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE email_notifications FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON email_notifications USING (tenant_id = ${currentTenant}) WITH CHECK (tenant_id = ${currentTenant})`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE email_notifications`);
  }
}
