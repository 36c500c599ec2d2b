import type { EntityManager } from 'typeorm';
import { appendAudit } from '../audit/audit-chain';
import type { RequestContext } from '../context';
import { transaction } from '../db/transaction';
import { AuditAction, ComplaintStage, SlaKind, SlaStartEvent } from '../domain/enums';
import { validateDuration } from '../domain/sla-calendar';
import { SLA_PRESETS, SlaPolicyTerms } from '../domain/sla-presets';
import { BadUserInputError } from '../errors';
import { SlaPolicy } from '../../entities';

/** Seeds the SPEC §5 presets for a tenant created just now (in its creating transaction). */
export async function seedSlaPresets(manager: EntityManager, tenantId: string): Promise<void> {
  await manager.insert(
    SlaPolicy,
    SLA_PRESETS.map((p) => ({ ...p, tenantId })),
  );
}

export function listSlaPolicies(ctx: RequestContext): Promise<SlaPolicy[]> {
  return transaction(ctx, (tx) => tx.manager.find(SlaPolicy, { order: { regime: 'ASC', stage: 'ASC', kind: 'ASC', id: 'ASC' } }));
}

/**
 * Creates or replaces the policy of (regime, stage, kind, rights), no rights being its own
 * key, and marks it changed by an admin. Running timers keep the terms they started with;
 * the change applies to timers started afterwards (SPEC §5). Audited in the tenant-level chain.
 * Durations the calendar cannot add are refused here, never discovered at filing time.
 */
export async function upsertSlaPolicy(ctx: RequestContext, input: SlaPolicyTerms): Promise<SlaPolicy> {
  const fields: Record<string, string> = {};
  const durationError = validateDuration(input.duration, input.businessDays);
  if (durationError) fields['input.duration'] = durationError;
  const extensionError = input.extension ? validateDuration(input.extension, input.businessDays) : null;
  if (extensionError) fields['input.extension'] = extensionError;
  if (input.startsOn === SlaStartEvent.PANEL_ADVICE_RECORDED && input.stage !== ComplaintStage.DPA_PANEL) {
    fields['input.startsOn'] = 'PANEL_ADVICE_RECORDED clocks exist only at stage DPA_PANEL';
  }
  if (input.startsOn === SlaStartEvent.BREACH_RECORDED && input.kind !== SlaKind.NOTIFY_AUTHORITY) {
    fields['input.startsOn'] = 'BREACH_RECORDED clocks are NOTIFY_AUTHORITY clocks';
  }
  if (input.kind === SlaKind.REGULATOR_DEADLINE) fields['input.kind'] = "REGULATOR_DEADLINE is set by the regulator's respondBy, not by a policy";
  if (Object.keys(fields).length > 0) throw new BadUserInputError(fields);
  const rights = input.rights?.length ? [...new Set(input.rights)].sort() : null;

  return transaction(ctx, async (tx) => {
    const [existing] = (await tx.manager.query(
      `SELECT id FROM sla_policies WHERE regime = $1 AND stage = $2 AND kind = $3 AND coalesce(rights, '{}'::text[]) = coalesce($4::text[], '{}'::text[])`,
      [input.regime, input.stage, input.kind, rights],
    )) as { id: string }[];
    const before = existing ? await tx.manager.findOneByOrFail(SlaPolicy, { id: existing.id }) : null;
    const [row] = (await tx.manager.query(
      `INSERT INTO sla_policies (tenant_id, regime, stage, kind, duration, business_days, extension, warn_at_percent, pausable, starts_on, source, rights, changed_by_admin)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, true)
       ON CONFLICT (tenant_id, regime, stage, kind, (coalesce(rights, '{}'::text[]))) DO UPDATE SET duration = EXCLUDED.duration, business_days = EXCLUDED.business_days,
         extension = EXCLUDED.extension, warn_at_percent = EXCLUDED.warn_at_percent, pausable = EXCLUDED.pausable,
         starts_on = EXCLUDED.starts_on, source = EXCLUDED.source, changed_by_admin = true, updated_at = now()
       RETURNING id`,
      [
        tx.tenantId,
        input.regime,
        input.stage,
        input.kind,
        input.duration,
        input.businessDays,
        input.extension ?? null,
        input.warnAtPercent,
        input.pausable,
        input.startsOn,
        input.source,
        rights,
      ],
    )) as { id: string }[];
    const after = await tx.manager.findOneByOrFail(SlaPolicy, { id: row.id });
    const changes: Record<string, unknown> = { policyId: after.id, regime: after.regime, stage: after.stage, kind: after.kind, rights: after.rights };
    for (const key of ['duration', 'businessDays', 'extension', 'warnAtPercent', 'pausable', 'startsOn', 'source'] as const) {
      if (before?.[key] !== after[key]) changes[key] = { from: before?.[key] ?? null, to: after[key] };
    }
    await appendAudit(tx, null, AuditAction.SLA_POLICY_CHANGED, changes);
    return after;
  });
}
