import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A tenant's audit events by time: after the LISTEN connection reconnects, the event feed
 * reads what was committed while it was down (src/events.ts, catchUp) without a scan.
 */
export class AuditEventsByTime1764375400000 implements MigrationInterface {
  name = 'AuditEventsByTime1764375400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX audit_events_tenant_at_idx ON audit_events (tenant_id, at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_events_tenant_at_idx`);
  }
}
