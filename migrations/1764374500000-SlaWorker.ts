import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SLA worker's access. The API role may enqueue and remove timer jobs in the same
 * transaction as a change (graphile-worker's schema is installed just before this runs),
 * and `cms_sweeper` may list due timers across tenants, nothing else, to catch any job
 * that failed for good.
 */
export class SlaWorker1764374500000 implements MigrationInterface {
  name = 'SlaWorker1764374500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`GRANT USAGE ON SCHEMA graphile_worker TO cms_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA graphile_worker TO cms_app`);
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA graphile_worker TO cms_app`);
    await q.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA graphile_worker TO cms_app`);
    // graphile-worker turns row-level security on for its tables (owner only); admit cms_app.
    await q.query(`
      DO $$ DECLARE t record; BEGIN
        FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'graphile_worker' AND c.relkind = 'r' AND c.relrowsecurity LOOP
          EXECUTE format('CREATE POLICY cms_app_enqueue ON graphile_worker.%I TO cms_app USING (true) WITH CHECK (true)', t.relname);
        END LOOP;
      END $$`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA graphile_worker GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cms_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA graphile_worker GRANT USAGE, SELECT ON SEQUENCES TO cms_app`);
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cms_sweeper') THEN
          CREATE ROLE cms_sweeper NOLOGIN NOBYPASSRLS;
        END IF;
      END $$`);
    await q.query(`GRANT cms_sweeper TO CURRENT_USER`);
    await q.query(`GRANT USAGE ON SCHEMA public TO cms_sweeper`);
    await q.query(`GRANT SELECT (id, tenant_id, status, due_at, warn_at, warned_at) ON sla_timers TO cms_sweeper`);
    await q.query(`CREATE POLICY sla_sweep ON sla_timers FOR SELECT TO cms_sweeper USING (true)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY IF EXISTS sla_sweep ON sla_timers`);
    await q.query(`REVOKE ALL ON sla_timers FROM cms_sweeper`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA graphile_worker FROM cms_app`);
  }
}
