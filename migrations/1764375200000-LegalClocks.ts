import { MigrationInterface, QueryRunner } from 'typeorm';

// SPEC §5 ¹ ²: the CCPA rights split.
const CCPA_REQUESTS = ['ACCESS', 'RECTIFICATION', 'ERASURE', 'RESTRICTION', 'PORTABILITY', 'OBJECTION', 'AUTOMATED_DECISION', 'WITHDRAW_CONSENT', 'COMPLAINT'];
const CCPA_OPT_OUTS = ['DO_NOT_SELL', 'LIMIT_SENSITIVE_USE'];

/** Rows the presets gained (SPEC §5), added to every existing tenant that lacks them. */
const NEW_PRESETS: [string, string, string, string, boolean, boolean, string, string, string[] | null][] = [
  ['CCPA', 'INTERNAL_DPO', 'RESPOND', 'P15D', true, false, 'STAGE_ENTERED', 'CCPA Regulations §7026(f), §7027(g)', CCPA_OPT_OUTS],
  ['GDPR', 'INTERNAL_DPO', 'NOTIFY_AUTHORITY', 'PT72H', false, false, 'BREACH_RECORDED', 'GDPR Art. 33(1)', null],
  ['UK_GDPR', 'INTERNAL_DPO', 'NOTIFY_AUTHORITY', 'PT72H', false, false, 'BREACH_RECORDED', 'UK GDPR Art. 33(1)', null],
];

/**
 * Legal clocks a regulator would sign off (SPEC §4, §5): rights-specific policies keyed
 * by (regime, stage, kind, rights) and marked when an admin changed them; the history
 * that explains each timer; regulator referrals and personal data breaches on the case.
 */
export class LegalClocks1764375200000 implements MigrationInterface {
  name = 'LegalClocks1764375200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sla_policies ADD COLUMN rights text[], ADD COLUMN changed_by_admin boolean NOT NULL DEFAULT false`);
    await q.query(`DROP INDEX sla_policies_tenant_key`);
    // No rights is its own key (SPEC §5); rights are stored sorted, never as an empty array.
    await q.query(`CREATE UNIQUE INDEX sla_policies_tenant_key ON sla_policies (tenant_id, regime, stage, kind, (coalesce(rights, '{}'::text[])))`);
    await q.query(`ALTER TABLE sla_policies ADD CONSTRAINT sla_policies_rights_not_empty CHECK (rights IS NULL OR cardinality(rights) > 0)`);
    // Policies an admin upserted before this column existed are those of SLA_POLICY_CHANGED events.
    await q.query(`
      UPDATE sla_policies p SET changed_by_admin = true
      WHERE EXISTS (SELECT 1 FROM audit_events e WHERE e.tenant_id = p.tenant_id AND e.complaint_id IS NULL
                    AND e.action = 'SLA_POLICY_CHANGED' AND e.changes->>'policyId' = p.id::text)`);
    await q.query(
      `UPDATE sla_policies SET rights = $1, updated_at = now()
       WHERE regime = 'CCPA' AND stage = 'INTERNAL_DPO' AND kind IN ('ACKNOWLEDGE', 'RESPOND') AND rights IS NULL AND NOT changed_by_admin
         AND starts_on = 'STAGE_ENTERED'`,
      [[...CCPA_REQUESTS].sort()],
    );
    for (const [regime, stage, kind, duration, businessDays, pausable, startsOn, source, rights] of NEW_PRESETS) {
      await q.query(
        `INSERT INTO sla_policies (tenant_id, regime, stage, kind, duration, business_days, extension, warn_at_percent, pausable, starts_on, source, rights)
         SELECT t.id, $1, $2, $3, $4, $5, NULL, 80, $6, $7, $8, $9 FROM tenants t
         ON CONFLICT DO NOTHING`,
        [regime, stage, kind, duration, businessDays, pausable, startsOn, source, rights ? [...rights].sort() : null],
      );
    }

    await q.query(`ALTER TABLE sla_timers ADD COLUMN history jsonb NOT NULL DEFAULT '[]'`);

    await q.query(`
      ALTER TABLE complaints
        ADD COLUMN regulator_name text, ADD COLUMN regulator_reference text, ADD COLUMN regulator_respond_by timestamptz(3),
        ADD COLUMN breach_aware_at timestamptz(3), ADD COLUMN breach_summary text, ADD COLUMN breach_recorded_at timestamptz(3),
        ADD COLUMN authority_notified_at timestamptz(3), ADD COLUMN authority_name text, ADD COLUMN authority_reference text`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE complaints
        DROP COLUMN regulator_name, DROP COLUMN regulator_reference, DROP COLUMN regulator_respond_by,
        DROP COLUMN breach_aware_at, DROP COLUMN breach_summary, DROP COLUMN breach_recorded_at,
        DROP COLUMN authority_notified_at, DROP COLUMN authority_name, DROP COLUMN authority_reference`);
    await q.query(`ALTER TABLE sla_timers DROP COLUMN history`);
    await q.query(`DELETE FROM sla_policies WHERE rights IS NOT NULL AND regime = 'CCPA' AND kind = 'RESPOND' AND duration = 'P15D'`);
    await q.query(`DELETE FROM sla_policies WHERE kind = 'NOTIFY_AUTHORITY'`);
    await q.query(`UPDATE sla_policies SET rights = NULL`);
    await q.query(`DROP INDEX sla_policies_tenant_key`);
    await q.query(`ALTER TABLE sla_policies DROP CONSTRAINT sla_policies_rights_not_empty, DROP COLUMN rights, DROP COLUMN changed_by_admin`);
    await q.query(`CREATE UNIQUE INDEX sla_policies_tenant_key ON sla_policies (tenant_id, regime, stage, kind)`);
  }
}
