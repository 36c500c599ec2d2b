import { Column, Entity, Index } from 'typeorm';
import type { ClockEvent } from '../src/domain/sla-clock';
import { TenantScoped } from './base';

@Entity('sla_timers')
@Index('sla_timers_complaint_status_idx', ['complaintId', 'kind', 'status'])
@Index('sla_timers_status_due_idx', ['tenantId', 'status', 'dueAt'])
export class SlaTimer extends TenantScoped {
  @Column({ name: 'complaint_id', type: 'uuid' })
  complaintId: string;

  /** The case's receivedAt, copied by a trigger on insert: the report groups timers by it without a join. */
  @Column({ name: 'complaint_received_at', type: 'timestamptz' })
  complaintReceivedAt: Date;

  @Column({ name: 'policy_id', type: 'uuid', nullable: true })
  policyId: string | null;

  @Column({ type: 'text' })
  kind: string;

  @Column({ type: 'text' })
  regime: string;

  @Column({ type: 'text' })
  stage: string;

  @Column({ type: 'text' })
  status: string;

  /** The policy's terms as they were when the timer started (later policy edits don't apply). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  terms: Record<string, unknown>;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ name: 'warn_at', type: 'timestamptz', nullable: true })
  warnAt: Date | null;

  @Column({ name: 'warned_at', type: 'timestamptz', nullable: true })
  warnedAt: Date | null;

  @Column({ name: 'paused_at', type: 'timestamptz', nullable: true })
  pausedAt: Date | null;

  /** While paused: seconds (calendar clocks) or business days left. */
  @Column({ name: 'remaining_on_pause', type: 'double precision', nullable: true })
  remainingOnPause: number | null;

  @Column({ name: 'met_at', type: 'timestamptz', nullable: true })
  metAt: Date | null;

  @Column({ name: 'breached_at', type: 'timestamptz', nullable: true })
  breachedAt: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;

  @Column({ type: 'boolean', default: false })
  extended: boolean;

  @Column({ name: 'extension_reason', type: 'text', nullable: true })
  extensionReason: string | null;

  /** Pauses, resumes and the extension, in order: the explanation replays them (src/domain/sla-clock.ts). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  history: ClockEvent[];
}
