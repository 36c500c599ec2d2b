import { Column, Entity, Index } from 'typeorm';
import { TenantScoped } from './base';

@Entity('stage_transitions')
@Index('stage_transitions_complaint_idx', ['complaintId', 'at'])
export class StageTransition extends TenantScoped {
  @Column({ name: 'complaint_id', type: 'uuid' })
  complaintId: string;

  @Column({ name: 'from_stage', type: 'text', nullable: true })
  fromStage: string | null;

  @Column({ name: 'to_stage', type: 'text' })
  toStage: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ name: 'actor_id', type: 'text', nullable: true })
  actorId: string | null;
}
