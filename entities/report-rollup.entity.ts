import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Exact partial counts behind complianceReport: per tenant, UTC day, metric and slot,
 * maintained by triggers on complaints and sla_timers (migration ReportRollups1764381000000,
 * which lists the metrics). Never written by the application.
 */
@Entity('report_rollups')
export class ReportRollup {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  /** e.g. `received`, `stage:REGULATOR`, `days:12`, `timer:RESPOND:met`. */
  @PrimaryColumn({ type: 'text', collation: 'C' })
  metric: string;

  /** The UTC day the metric counts on (received, resolved, or the timer's case received). */
  @PrimaryColumn({ type: 'date' })
  day: string;

  /** One of 8 rows per metric and day, so concurrent writers of one tenant rarely wait on each other. */
  @PrimaryColumn({ type: 'smallint' })
  slot: number;

  @Column({ type: 'integer' })
  n: number;
}
