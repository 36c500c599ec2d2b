import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('tenants')
@Check('tenants_id_check', `id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'`)
@Check('tenants_retention_days_check', 'retention_days BETWEEN 0 AND 90')
export class Tenant {
  /** The `tid` claim of the tenant's tokens. */
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** IANA zone: calendar months and business days are counted here. */
  @Column({ name: 'time_zone', type: 'text', default: 'UTC' })
  timeZone: string;

  /** ISO 3166-1 alpha-2 country whose public holidays are not business days. */
  @Column({ name: 'holiday_country', type: 'text', nullable: true })
  holidayCountry: string | null;

  @Column({ name: 'contract_terminated_at', type: 'timestamptz', precision: 3, nullable: true })
  contractTerminatedAt: Date | null;

  @Column({ name: 'retention_days', type: 'int', default: 90 })
  retentionDays: number;

  /** When the retention purge deleted the tenant's data (SPEC §7). */
  @Column({ name: 'purged_at', type: 'timestamptz', precision: 3, nullable: true })
  purgedAt: Date | null;

  /** The head of the audit chain (SPEC §6): kept by the database's audit trigger, never written by the API. */
  @Column({ name: 'audit_head_sequence', type: 'int', default: 0, select: false, insert: false, update: false })
  auditHeadSequence: number;

  @Column({ name: 'audit_head_hash', type: 'text', nullable: true, select: false, insert: false, update: false })
  auditHeadHash: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
