import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Append-only, hash-chained record of every change (SPEC §6). Rows are written only by
 * src/audit/audit-chain.ts; the database rejects UPDATE, DELETE and TRUNCATE.
 * complaintId is null for the tenant-level chain (policy and settings changes).
 */
@Entity('audit_events')
@Index('audit_events_chain_key', ['tenantId', 'chainId', 'sequence'], { unique: true })
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @Column({ name: 'complaint_id', type: 'uuid', nullable: true })
  complaintId: string | null;

  /** complaintId, or the tenant id for the tenant-level chain: one chain per value. */
  @Column({ name: 'chain_id', type: 'text' })
  chainId: string;

  @Column({ type: 'int' })
  sequence: number;

  @Column({ type: 'text' })
  action: string;

  @Column({ name: 'actor_id', type: 'text', nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_role', type: 'text', nullable: true })
  actorRole: string | null;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  changes: Record<string, unknown>;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ name: 'prev_hash', type: 'text', nullable: true })
  prevHash: string | null;

  @Column({ type: 'text' })
  hash: string;
}
