import { MigrationInterface, QueryRunner } from 'typeorm';

const PURGED_TABLES = [
  'sla_timers',
  'notes',
  'stage_transitions',
  'idempotency_keys',
  'audit_events',
  'complaints',
  'sla_policies',
  'reference_counters',
  'users',
];

/**
 * The retention purge's role. The API's pool runs as cms_app and cannot delete; the purge
 * takes `cms_purger` for its transaction: cms_app's rights (tenant rows under row-level
 * security, the job queue) plus DELETE on the tenant tables and writing the anonymous
 * aggregates. Still no BYPASSRLS: it deletes only the tenant it set.
 */
export class PurgeRole1764375100000 implements MigrationInterface {
  name = 'PurgeRole1764375100000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cms_purger') THEN
          CREATE ROLE cms_purger NOLOGIN NOBYPASSRLS;
        END IF;
      END $$`);
    await q.query(`GRANT cms_app TO cms_purger`);
    await q.query(`GRANT cms_purger TO CURRENT_USER`);
    await q.query(`GRANT DELETE ON ${PURGED_TABLES.join(', ')} TO cms_purger`);
    await q.query(`GRANT INSERT ON retained_aggregates TO cms_purger`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE INSERT ON retained_aggregates FROM cms_purger`);
    await q.query(`REVOKE DELETE ON ${PURGED_TABLES.join(', ')} FROM cms_purger`);
    await q.query(`REVOKE cms_app FROM cms_purger`);
  }
}
