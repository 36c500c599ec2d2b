import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { AuditAction } from '../src/domain/enums';
import { Role } from '../src/auth/roles';
import { Complaint } from './complaint.entity';
import { Tenant } from './tenant.entity';

/**
 * Append-only, hash-chained record of every change (SPEC §6). Rows are written only by
 * src/audit/audit-chain.ts; the database rejects UPDATE, DELETE and TRUNCATE.
 * complaintId is null for the tenant-level chain (policy and settings changes).
 */
@Entity('audit_events')
@Index('audit_events_chain_key', ['tenantId', 'chainId', 'sequence'], { unique: true })
@Index('audit_events_complaint_idx', ['complaintId', 'sequence'])
@Index('audit_events_tenant_at_idx', ['tenantId', 'at'])
@Check('audit_events_sequence_check', 'sequence > 0')
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ForeignKey(() => Tenant)
  @Column({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @ForeignKey(() => Complaint)
  @Column({ name: 'complaint_id', type: 'uuid', nullable: true })
  complaintId: string | null;

  /** complaintId, or the tenant id for the tenant-level chain: one chain per value. */
  @Column({ name: 'chain_id', type: 'text' })
  chainId: string;

  @Column({ type: 'int' })
  sequence: number;

  @Column({ type: 'text' })
  action: AuditAction;

  @Column({ name: 'actor_id', type: 'text', nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_role', type: 'text', nullable: true })
  actorRole: Role | null;

  @Column({ type: 'timestamptz', precision: 3 })
  at: Date;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  changes: Record<string, unknown>;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ name: 'prev_hash', type: 'text', nullable: true })
  prevHash: string | null;

  @Column({ type: 'text' })
  hash: string;

  /**
   * Compact JWS (EdDSA, the evidence key) of { hash }: written by the service, which holds
   * the key the database does not (src/audit/event-signature.ts). Null only on events
   * written before events were signed (see AuditSigningStart).
   */
  @Column({ type: 'text', nullable: true })
  signature: string | null;
}
