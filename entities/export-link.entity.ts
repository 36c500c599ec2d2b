import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Tenant } from './tenant.entity';
import { User } from './user.entity';

/**
 * A one-use CSV export link (SPEC §8): the sha256 of its token, bound to the tenant, the
 * user who asked and the window; valid until `expiresAt`, spent at `usedAt`.
 */
@Entity('export_links')
@Index('export_links_token_hash_key', ['tokenHash'], { unique: true })
@Index('export_links_tenant_user_idx', ['tenantId', 'userId'])
@ForeignKey(() => User, ['tenantId', 'userId'], ['tenantId', 'id'])
export class ExportLink {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ForeignKey(() => Tenant)
  @Column({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @Column({ name: 'user_id', type: 'text' })
  userId: string;

  /** The caller's roles when the link was made: the download acts with them. */
  @Column({ type: 'text', array: true })
  roles: string[];

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash: string;

  @Column({ name: 'window_from', type: 'timestamptz' })
  windowFrom: Date;

  @Column({ name: 'window_to', type: 'timestamptz' })
  windowTo: Date;

  /** The window as the caller wrote it (a date or an instant), for the audit trail. */
  @Column({ name: 'from_param', type: 'text' })
  fromParam: string;

  @Column({ name: 'to_param', type: 'text' })
  toParam: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
