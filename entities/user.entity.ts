import { Column, CreateDateColumn, Entity, ForeignKey, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Role } from '../src/auth/roles';
import { Tenant } from './tenant.entity';

/** A person known from a token's claims (provisioned just in time). */
@Entity('users')
export class User {
  @ForeignKey(() => Tenant)
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  /** The `sub` claim. */
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ type: 'text', array: true })
  roles: Role[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
