import { Column, CreateDateColumn, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Complaint } from './complaint.entity';
import { Tenant } from './tenant.entity';

/** A claimed `idempotencyKey` of fileComplaint with a hash of the input it came with. */
@Entity('idempotency_keys')
export class IdempotencyKey {
  @ForeignKey(() => Tenant)
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ name: 'request_hash', type: 'text' })
  requestHash: string;

  @ForeignKey(() => Complaint)
  @Column({ name: 'complaint_id', type: 'uuid', nullable: true })
  complaintId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
