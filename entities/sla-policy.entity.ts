import { Column, Entity } from 'typeorm';
import { TenantScoped } from './base';

/**
 * One row per (regime, stage, kind, rights): the legal clock that applies (SPEC §5).
 * Unique index sla_policies_tenant_key is on an expression (no rights is its own key):
 * see migration LegalClocks1764375200000.
 */
@Entity('sla_policies')
export class SlaPolicy extends TenantScoped {
  @Column({ type: 'text' })
  regime: string;

  @Column({ type: 'text' })
  stage: string;

  @Column({ type: 'text' })
  kind: string;

  /** ISO-8601 duration, e.g. P1M, P45D. */
  @Column({ type: 'text' })
  duration: string;

  @Column({ name: 'business_days', type: 'boolean' })
  businessDays: boolean;

  @Column({ type: 'text', nullable: true })
  extension: string | null;

  @Column({ name: 'warn_at_percent', type: 'int', default: 80 })
  warnAtPercent: number;

  @Column({ type: 'boolean' })
  pausable: boolean;

  @Column({ name: 'starts_on', type: 'text', default: 'STAGE_ENTERED' })
  startsOn: string;

  @Column({ type: 'text' })
  source: string;

  /** Applies only to complaints invoking one of these (sorted); null: every complaint of the regime. */
  @Column({ type: 'text', array: true, nullable: true })
  rights: string[] | null;

  /** Set by upsertSlaPolicy: later preset updates leave the row alone. */
  @Column({ name: 'changed_by_admin', type: 'boolean', default: false })
  changedByAdmin: boolean;
}
