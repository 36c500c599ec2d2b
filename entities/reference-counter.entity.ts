import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Tenant } from './tenant.entity';

/** Next reference number per tenant and year; the row lock keeps references gap-free. */
@Entity('reference_counters')
export class ReferenceCounter {
  @ForeignKey(() => Tenant)
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @PrimaryColumn({ type: 'int' })
  year: number;

  @Column({ name: 'last_value', type: 'int', default: 0 })
  lastValue: number;
}
