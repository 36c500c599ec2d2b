import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { ComplaintStage } from '../src/domain/enums';
import { TenantScoped } from './base';
import { Complaint } from './complaint.entity';

@Entity('stage_transitions')
@Index('stage_transitions_complaint_idx', ['complaintId', 'at'])
export class StageTransition extends TenantScoped {
  @ForeignKey(() => Complaint)
  @Column({ name: 'complaint_id', type: 'uuid' })
  complaintId: string;

  @Column({ name: 'from_stage', type: 'text', nullable: true })
  fromStage: ComplaintStage | null;

  @Column({ name: 'to_stage', type: 'text' })
  toStage: ComplaintStage;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'timestamptz', precision: 3 })
  at: Date;

  @Column({ name: 'actor_id', type: 'text', nullable: true })
  actorId: string | null;
}
