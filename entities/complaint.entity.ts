import { Check, Column, Entity, ForeignKey, Index } from 'typeorm';
import { ComplaintOutcome, ComplaintStage, ComplaintStatus, DataContext, DataSubjectRight, IntakeChannel, ProcessingRole, Regime } from '../src/domain/enums';
import { TenantScoped } from './base';
import { User } from './user.entity';

@Entity('complaints')
@Index('complaints_tenant_reference_key', ['tenantId', 'reference'], { unique: true })
@Index('complaints_tenant_updated_idx', ['tenantId', 'updatedAt', 'id'])
@Index('complaints_tenant_assignee_idx', ['tenantId', 'assigneeId'])
@Index('complaints_tenant_open_received_idx', ['tenantId', 'receivedAt'], { where: 'resolved_at IS NULL' })
// Expression and covering (INCLUDE) indexes TypeORM cannot describe: see migrations Initial1764374400000 and ReportIndexes1764374700000.
@Index('complaints_tenant_next_due_idx', { synchronize: false })
@Index('complaints_tenant_received_idx', { synchronize: false })
@Index('complaints_tenant_resolved_idx', { synchronize: false })
@Index('complaints_tenant_status_received_idx', { synchronize: false })
// The report's exact percentiles (whole days to resolution, INCLUDE): see migration ReportRollups1764381000000.
@Index('complaints_tenant_resolution_days_idx', { synchronize: false })
@Check('complaints_rights_check', 'cardinality(rights) > 0')
@Check('complaints_regimes_check', 'cardinality(regimes) > 0')
@ForeignKey(() => User, ['tenantId', 'assigneeId'], ['tenantId', 'id'])
export class Complaint extends TenantScoped {
  @Column({ type: 'text' })
  reference: string;

  @Column({ type: 'text' })
  stage: ComplaintStage;

  @Column({ type: 'text' })
  status: ComplaintStatus;

  @Column({ type: 'text', array: true })
  rights: DataSubjectRight[];

  @Column({ name: 'data_context', type: 'text' })
  dataContext: DataContext;

  @Column({ name: 'processing_role', type: 'text' })
  processingRole: ProcessingRole;

  @Column({ type: 'text', array: true })
  regimes: Regime[];

  @Column({ type: 'text' })
  jurisdiction: string;

  @Column({ type: 'text' })
  channel: IntakeChannel;

  @Column({ type: 'text' })
  summary: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ name: 'complainant_name', type: 'text', nullable: true })
  complainantName: string | null;

  @Column({ name: 'complainant_email', type: 'text', nullable: true })
  complainantEmail: string | null;

  @Column({ name: 'complainant_phone', type: 'text', nullable: true })
  complainantPhone: string | null;

  @Column({ name: 'involves_child_under13', type: 'boolean', default: false })
  involvesChildUnder13: boolean;

  @Column({ name: 'complainant_erased_at', type: 'timestamptz', precision: 3, nullable: true })
  complainantErasedAt: Date | null;

  @Column({ name: 'assignee_id', type: 'text', nullable: true })
  assigneeId: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', precision: 3 })
  receivedAt: Date;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', precision: 3, nullable: true })
  acknowledgedAt: Date | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', precision: 3, nullable: true })
  resolvedAt: Date | null;

  /** Whole days from receipt to resolution, kept by a trigger for the report's percentiles; never written by the application. */
  @Column({ name: 'resolution_days', type: 'integer', nullable: true, insert: false, update: false })
  resolutionDays: number | null;

  @Column({ name: 'closed_at', type: 'timestamptz', precision: 3, nullable: true })
  closedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  outcome: ComplaintOutcome | null;

  @Column({ name: 'resolution_summary', type: 'text', nullable: true })
  resolutionSummary: string | null;

  /** The DPA panel's advice (SPEC §4: recordPanelAdvice starts the COMPLY clock). */
  @Column({ name: 'panel_advice_summary', type: 'text', nullable: true })
  panelAdviceSummary: string | null;

  @Column({ name: 'panel_advice_at', type: 'timestamptz', precision: 3, nullable: true })
  panelAdviceAt: Date | null;

  /** SPEC §4 regulator referrals: filed through REGULATOR_REFERRAL. */
  @Column({ name: 'regulator_name', type: 'text', nullable: true })
  regulatorName: string | null;

  @Column({ name: 'regulator_reference', type: 'text', nullable: true })
  regulatorReference: string | null;

  @Column({ name: 'regulator_respond_by', type: 'timestamptz', precision: 3, nullable: true })
  regulatorRespondBy: Date | null;

  /** SPEC §4 personal data breaches: recorded once; the summary is free text. */
  @Column({ name: 'breach_aware_at', type: 'timestamptz', precision: 3, nullable: true })
  breachAwareAt: Date | null;

  @Column({ name: 'breach_summary', type: 'text', nullable: true })
  breachSummary: string | null;

  @Column({ name: 'breach_recorded_at', type: 'timestamptz', precision: 3, nullable: true })
  breachRecordedAt: Date | null;

  @Column({ name: 'authority_notified_at', type: 'timestamptz', precision: 3, nullable: true })
  authorityNotifiedAt: Date | null;

  @Column({ name: 'authority_name', type: 'text', nullable: true })
  authorityName: string | null;

  @Column({ name: 'authority_reference', type: 'text', nullable: true })
  authorityReference: string | null;

  /** Earliest dueAt among RUNNING timers, kept by the SLA service for ordering and filters. */
  @Column({ name: 'next_due_at', type: 'timestamptz', precision: 3, nullable: true })
  nextDueAt: Date | null;

  @Column({ type: 'int', default: 1 })
  version: number;

  /** The head of the audit chain (SPEC §6): kept by the database's audit trigger, never written by the API. */
  @Column({ name: 'audit_head_sequence', type: 'int', default: 0, select: false, insert: false, update: false })
  auditHeadSequence: number;

  @Column({ name: 'audit_head_hash', type: 'text', nullable: true, select: false, insert: false, update: false })
  auditHeadHash: string | null;
}
