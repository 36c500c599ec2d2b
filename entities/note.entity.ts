import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { TenantScoped } from './base';
import { Complaint } from './complaint.entity';

@Entity('notes')
@Index('notes_complaint_idx', ['complaintId', 'createdAt'])
export class Note extends TenantScoped {
  @ForeignKey(() => Complaint)
  @Column({ name: 'complaint_id', type: 'uuid' })
  complaintId: string;

  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'boolean', default: true })
  internal: boolean;

  @Column({ name: 'author_id', type: 'text', nullable: true })
  authorId: string | null;
}
