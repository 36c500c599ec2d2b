import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { ComplaintStage, Regime, SlaKind, SlaTimerStatus } from '../src/domain/enums';
import type { ClockEvent, TimerTerms } from '../src/domain/sla-clock';
import { TenantScoped } from './base';
import { Complaint } from './complaint.entity';
import { SlaPolicy } from './sla-policy.entity';

@Entity('sla_timers')
@Index('sla_timers_complaint_status_idx', ['complaintId', 'kind', 'status'])
@Index('sla_timers_status_due_idx', ['tenantId', 'status', 'dueAt'])
// (tenant_id, complaint_received_at) INCLUDE (kind, status): see migration ReportIndexes1764374700000.
@Index('sla_timers_tenant_received_idx', { synchronize: false })
// Partial, running clocks only (due_at; warn_at not yet warned): see migration SlaDueIndexes1764383500000.
@Index('sla_timers_running_due_idx', { synchronize: false })
@Index('sla_timers_running_warn_idx', { synchronize: false })
export class SlaTimer extends TenantScoped {
  @ForeignKey(() => Complaint)
  @Column({ name: 'complaint_id', type: 'uuid' })
  complaintId: string;

  /** The case's receivedAt, copied by a trigger on insert: the report groups timers by it without a join. */
  @Column({ name: 'complaint_received_at', type: 'timestamptz', precision: 3 })
  complaintReceivedAt: Date;

  @ForeignKey(() => SlaPolicy)
  @Column({ name: 'policy_id', type: 'uuid', nullable: true })
  policyId: string | null;

  @Column({ type: 'text' })
  kind: SlaKind;

  @Column({ type: 'text' })
  regime: Regime;

  @Column({ type: 'text' })
  stage: ComplaintStage;

  @Column({ type: 'text' })
  status: SlaTimerStatus;

  /** The policy's terms as they were when the timer started (later policy edits don't apply). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  terms: TimerTerms;

  @Column({ name: 'started_at', type: 'timestamptz', precision: 3 })
  startedAt: Date;

  @Column({ name: 'due_at', type: 'timestamptz', precision: 3 })
  dueAt: Date;

  @Column({ name: 'warn_at', type: 'timestamptz', precision: 3, nullable: true })
  warnAt: Date | null;

  @Column({ name: 'warned_at', type: 'timestamptz', precision: 3, nullable: true })
  warnedAt: Date | null;

  @Column({ name: 'paused_at', type: 'timestamptz', precision: 3, nullable: true })
  pausedAt: Date | null;

  /** While paused: seconds (calendar clocks) or business days left. */
  @Column({ name: 'remaining_on_pause', type: 'double precision', nullable: true })
  remainingOnPause: number | null;

  @Column({ name: 'met_at', type: 'timestamptz', precision: 3, nullable: true })
  metAt: Date | null;

  @Column({ name: 'breached_at', type: 'timestamptz', precision: 3, nullable: true })
  breachedAt: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', precision: 3, nullable: true })
  cancelledAt: Date | null;

  @Column({ type: 'boolean', default: false })
  extended: boolean;

  @Column({ name: 'extension_reason', type: 'text', nullable: true })
  extensionReason: string | null;

  /** Pauses, resumes and the extension, in order: the explanation replays them (src/domain/sla-clock.ts). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  history: ClockEvent[];
}
