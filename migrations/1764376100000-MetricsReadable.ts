import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * /metrics counts SLA warnings and breaches by regime and kind across tenants, as
 * cms_sweeper: it may read those columns too, still no case data.
 */
export class MetricsReadable1764376100000 implements MigrationInterface {
  name = 'MetricsReadable1764376100000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`GRANT SELECT (regime, kind, breached_at) ON sla_timers TO cms_sweeper`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE SELECT (regime, kind, breached_at) ON sla_timers FROM cms_sweeper`);
  }
}
