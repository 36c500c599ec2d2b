import { Check, Column, Entity, Index } from 'typeorm';
import { ComplaintStage, DataSubjectRight, Regime, SlaKind, SlaStartEvent } from '../src/domain/enums';
import { TenantScoped } from './base';

/**
 * One row per (regime, stage, kind, rights): the legal clock that applies (SPEC §5).
 * Unique index sla_policies_tenant_key is on an expression (no rights is its own key):
 * see migration LegalClocks1764375200000.
 */
@Entity('sla_policies')
@Index('sla_policies_tenant_key', { synchronize: false })
@Check('sla_policies_warn_at_percent_check', 'warn_at_percent BETWEEN 1 AND 99')
@Check('sla_policies_rights_not_empty', 'rights IS NULL OR cardinality(rights) > 0')
export class SlaPolicy extends TenantScoped {
  @Column({ type: 'text' })
  regime: Regime;

  @Column({ type: 'text' })
  stage: ComplaintStage;

  @Column({ type: 'text' })
  kind: SlaKind;

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
  startsOn: SlaStartEvent;

  @Column({ type: 'text' })
  source: string;

  /** Applies only to complaints invoking one of these (sorted); null: every complaint of the regime. */
  @Column({ type: 'text', array: true, nullable: true })
  rights: DataSubjectRight[] | null;

  /** Set by upsertSlaPolicy: later preset updates leave the row alone. */
  @Column({ name: 'changed_by_admin', type: 'boolean', default: false })
  changedByAdmin: boolean;
}
