import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §11 webhooks. Endpoints keep their signing secret as issued (`whsec_<base64>`), in a
 * table only the app role reads, under row-level security. Deliveries are the outbox: one row
 * per (audit event, endpoint), unique, written in the event's transaction; the worker records
 * each attempt on it.
 */
export class Webhooks1764376200000 implements MigrationInterface {
  name = 'Webhooks1764376200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenants(id),
        url text NOT NULL,
        events text[] NOT NULL,
        active boolean NOT NULL DEFAULT true,
        secret text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_tenant_idx ON webhook_endpoints (tenant_id, created_at, id)`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenants(id),
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        source_event_id uuid NOT NULL,
        event text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'PENDING',
        attempts int NOT NULL DEFAULT 0,
        last_status_code int,
        last_attempt_at timestamptz(3),
        next_attempt_at timestamptz(3),
        retry_until timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT webhook_deliveries_event_endpoint_key UNIQUE (source_event_id, endpoint_id)
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_tenant_created_idx ON webhook_deliveries (tenant_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id)`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints TO cms_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON webhook_deliveries TO cms_app`);
    await q.query(`GRANT SELECT, DELETE ON webhook_endpoints, webhook_deliveries TO cms_purger`); // the retention purge (migration PurgeRole)
    const currentTenant = `NULLIF(current_setting('app.tenant_id', true), '')`;
    for (const table of ['webhook_endpoints', 'webhook_deliveries']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_isolation ON ${table} USING (tenant_id = ${currentTenant}) WITH CHECK (tenant_id = ${currentTenant})`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_endpoints`);
  }
}
