import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Tenant } from './tenant.entity';

/**
 * Where signing starts in an audit chain that existed before events were signed: its
 * events before `firstSignedSequence` may carry no signature. Written once by the
 * migration AuditEventSignatures; a chain without a row is signed from sequence 1.
 */
@Entity('audit_signing_starts')
export class AuditSigningStart {
  @ForeignKey(() => Tenant)
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @PrimaryColumn({ name: 'chain_id', type: 'text' })
  chainId: string;

  @Column({ name: 'first_signed_sequence', type: 'int' })
  firstSignedSequence: number;
}
