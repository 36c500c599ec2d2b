import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §7 retention: what survives a tenant's purge is monthly anonymous aggregates
 * (counts only: no tenant, complaint or person id, no text). The purge job finds the
 * tenants due for it as cms_sweeper, which sees only their contract dates.
 */
export class Retention1764374600000 implements MigrationInterface {
  name = 'Retention1764374600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE retained_aggregates (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        month date NOT NULL,
        complaints int NOT NULL,
        by_stage jsonb NOT NULL DEFAULT '{}',
        by_right jsonb NOT NULL DEFAULT '{}',
        by_outcome jsonb NOT NULL DEFAULT '{}',
        by_regime jsonb NOT NULL DEFAULT '{}',
        sla_met int NOT NULL DEFAULT 0,
        sla_breached int NOT NULL DEFAULT 0,
        recorded_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER TABLE tenants ADD COLUMN purged_at timestamptz(3)`);
    await q.query(`GRANT SELECT (id, contract_terminated_at, retention_days, purged_at) ON tenants TO cms_sweeper`);
    await q.query(`CREATE POLICY retention_sweep ON tenants FOR SELECT TO cms_sweeper USING (true)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY IF EXISTS retention_sweep ON tenants`);
    await q.query(`ALTER TABLE tenants DROP COLUMN purged_at`);
    await q.query(`DROP TABLE retained_aggregates`);
  }
}
