import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the compliance report and the filtered lists at 1,000,000 complaints per
 * tenant (npm run bench:report): resolutions by date, open cases by receipt date (the
 * aging buckets), status-filtered pages, and timers by case for the SLA figures.
 */
export class ReportIndexes1764374700000 implements MigrationInterface {
  name = 'ReportIndexes1764374700000';

  public async up(q: QueryRunner): Promise<void> {
    // Covering indexes: the report's passes over a window read no table pages.
    await q.query(`DROP INDEX complaints_tenant_received_idx`);
    await q.query(`CREATE INDEX complaints_tenant_received_idx ON complaints (tenant_id, received_at, id) INCLUDE (stage, rights, regimes)`);
    await q.query(
      `CREATE INDEX complaints_tenant_resolved_idx ON complaints (tenant_id, resolved_at) INCLUDE (received_at, outcome) WHERE resolved_at IS NOT NULL`,
    );
    await q.query(`CREATE INDEX complaints_tenant_open_received_idx ON complaints (tenant_id, received_at) WHERE resolved_at IS NULL`);
    // INCLUDE lets a status-filtered count also test regimes and rights without the heap.
    await q.query(`CREATE INDEX complaints_tenant_status_received_idx ON complaints (tenant_id, status, received_at, id) INCLUDE (regimes, rights)`);
    await q.query(`CREATE INDEX sla_timers_complaint_status_idx ON sla_timers (complaint_id, kind, status)`);
    // The SLA figures are over the timers of the complaints received in the window; the
    // case's receipt time (never changed after filing) is copied so they need no join.
    await q.query(`ALTER TABLE sla_timers ADD COLUMN complaint_received_at timestamptz(3)`);
    await q.query(`UPDATE sla_timers t SET complaint_received_at = c.received_at FROM complaints c WHERE c.id = t.complaint_id`);
    await q.query(`ALTER TABLE sla_timers ALTER COLUMN complaint_received_at SET NOT NULL`);
    await q.query(`
      CREATE FUNCTION sla_timers_copy_received_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.complaint_received_at := (SELECT received_at FROM complaints WHERE id = NEW.complaint_id);
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER sla_timers_received_at BEFORE INSERT ON sla_timers FOR EACH ROW EXECUTE FUNCTION sla_timers_copy_received_at()`);
    await q.query(`CREATE INDEX sla_timers_tenant_received_idx ON sla_timers (tenant_id, complaint_received_at) INCLUDE (kind, status)`);
    await q.query(`DROP INDEX sla_timers_complaint_idx`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER sla_timers_received_at ON sla_timers`);
    await q.query(`DROP FUNCTION sla_timers_copy_received_at()`);
    await q.query(`DROP INDEX sla_timers_tenant_received_idx`);
    await q.query(`ALTER TABLE sla_timers DROP COLUMN complaint_received_at`);
    await q.query(`CREATE INDEX sla_timers_complaint_idx ON sla_timers (complaint_id)`);
    await q.query(`DROP INDEX sla_timers_complaint_status_idx`);
    await q.query(`DROP INDEX complaints_tenant_status_received_idx`);
    await q.query(`DROP INDEX complaints_tenant_open_received_idx`);
    await q.query(`DROP INDEX complaints_tenant_resolved_idx`);
    await q.query(`DROP INDEX complaints_tenant_received_idx`);
    await q.query(`CREATE INDEX complaints_tenant_received_idx ON complaints (tenant_id, received_at, id)`);
  }
}
