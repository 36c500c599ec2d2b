import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A claimed `idempotencyKey` of fileComplaint with a hash of the input it came with. */
@Entity('idempotency_keys')
export class IdempotencyKey {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ name: 'request_hash', type: 'text' })
  requestHash: string;

  @Column({ name: 'complaint_id', type: 'uuid', nullable: true })
  complaintId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
