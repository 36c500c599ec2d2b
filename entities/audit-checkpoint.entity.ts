import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ChainHead } from '../src/audit/merkle';
import { Tenant } from './tenant.entity';

/**
 * A signed statement of every chain head of a tenant at one moment (SPEC §7). Written
 * once by src/services/checkpoint.service.ts; the API role may not change it.
 */
@Entity('audit_checkpoints')
@Index('audit_checkpoints_tenant_created_idx', ['tenantId', 'createdAt', 'id'])
@Index('audit_checkpoints_tenant_period_key', ['tenantId', 'period'], { unique: true, where: 'period IS NOT NULL' })
export class AuditCheckpoint {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ForeignKey(() => Tenant)
  @Column({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  /** The hour of a scheduled checkpoint (one per tenant and hour); null when made on demand. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  period: Date | null;

  /** RFC 9162 Merkle tree hash (hex) over the heads' canonical JSON, sorted by chain. */
  @Column({ type: 'text' })
  root: string;

  @Column({ type: 'int' })
  chains: number;

  /** Events under the heads: the sum of their sequences. */
  @Column({ type: 'int' })
  events: number;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  heads: ChainHead[];

  /** Compact JWS (EdDSA) of { id, tenant, createdAt, root, chains, events, heads }. */
  @Column({ type: 'text' })
  jws: string;
}
