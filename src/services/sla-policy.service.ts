import type { EntityManager } from 'typeorm';
import { appendAudit } from '../audit/audit-chain';
import type { RequestContext } from '../context';
import { transaction } from '../db/transaction';
import { AuditAction, ComplaintStage, SlaStartEvent } from '../domain/enums';
import { validateDuration } from '../domain/sla-calendar';
import { SLA_PRESETS, SlaPolicyTerms } from '../domain/sla-presets';
import { BadUserInputError } from '../errors';
import { SlaPolicy } from '../../entities';

/** Seeds the SPEC §5 presets for a tenant created just now (in its creating transaction). */
export async function seedSlaPresets(manager: EntityManager, tenantId: string): Promise<void> {
  await manager.insert(SlaPolicy, SLA_PRESETS.map((p) => ({ ...p, tenantId })));
}

export function listSlaPolicies(ctx: RequestContext): Promise<SlaPolicy[]> {
  return transaction(ctx, (tx) => tx.manager.find(SlaPolicy, { order: { regime: 'ASC', stage: 'ASC', kind: 'ASC' } }));
}

/**
 * Creates or replaces the policy of (regime, stage, kind). Running timers keep the terms
 * they started with; the change applies to timers started afterwards (SPEC §5).
 * Audited in the tenant-level chain.
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
  if (Object.keys(fields).length > 0) throw new BadUserInputError(fields);

  return transaction(ctx, async (tx) => {
    const before = await tx.manager.findOneBy(SlaPolicy, { regime: input.regime, stage: input.stage, kind: input.kind });
    const [row] = (await tx.manager.query(
      `INSERT INTO sla_policies (tenant_id, regime, stage, kind, duration, business_days, extension, warn_at_percent, pausable, starts_on, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (tenant_id, regime, stage, kind) DO UPDATE SET duration = EXCLUDED.duration, business_days = EXCLUDED.business_days,
         extension = EXCLUDED.extension, warn_at_percent = EXCLUDED.warn_at_percent, pausable = EXCLUDED.pausable,
         starts_on = EXCLUDED.starts_on, source = EXCLUDED.source, updated_at = now()
       RETURNING id`,
      [tx.tenantId, input.regime, input.stage, input.kind, input.duration, input.businessDays, input.extension ?? null, input.warnAtPercent, input.pausable, input.startsOn, input.source],
    )) as { id: string }[];
    const after = await tx.manager.findOneByOrFail(SlaPolicy, { id: row.id });
    const changes: Record<string, unknown> = { policyId: after.id, regime: after.regime, stage: after.stage, kind: after.kind };
    for (const key of ['duration', 'businessDays', 'extension', 'warnAtPercent', 'pausable', 'startsOn', 'source'] as const) {
      if (before?.[key] !== after[key]) changes[key] = { from: before?.[key] ?? null, to: after[key] };
    }
    await appendAudit(tx, null, AuditAction.SLA_POLICY_CHANGED, changes);
    return after;
  });
}
