import { Column, CreateDateColumn, ForeignKey, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from './tenant.entity';

/** Shared shape of every tenant table: uuid id, owning tenant, timestamps. */
export abstract class TenantScoped {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ForeignKey(() => Tenant)
  @Column({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
