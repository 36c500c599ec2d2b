import { IANAZone } from 'luxon';
import { appendAudit } from '../audit/audit-chain';
import type { RequestContext } from '../context';
import { transaction } from '../db/transaction';
import { AuditAction } from '../domain/enums';
import { supportsHolidayCountry } from '../domain/sla-calendar';
import { BadUserInputError } from '../errors';
import { Tenant } from '../../entities';

export function getTenant(ctx: RequestContext): Promise<Tenant> {
  return transaction(ctx, (tx) => tx.manager.findOneByOrFail(Tenant, { id: tx.tenantId }));
}

export interface TenantSettingsPatch {
  timeZone?: string | null;
  holidayCountry?: string | null;
}

/**
 * The tenant's calendar: IANA time zone and holiday country. Like policy changes, it
 * applies to timers started afterwards; running timers keep the calendar they began with.
 */
export async function updateTenantSettings(ctx: RequestContext, patch: TenantSettingsPatch): Promise<Tenant> {
  const fields: Record<string, string> = {};
  if (patch.timeZone !== undefined && (patch.timeZone === null || !IANAZone.isValidZone(patch.timeZone)))
    fields['input.timeZone'] = 'must be an IANA time zone, e.g. Europe/Berlin';
  if (patch.holidayCountry && !supportsHolidayCountry(patch.holidayCountry))
    fields['input.holidayCountry'] = 'must be an ISO 3166-1 alpha-2 country with a known holiday calendar';
  if (Object.keys(fields).length > 0) throw new BadUserInputError(fields);
  return transaction(ctx, async (tx) => {
    const tenant = await tx.manager.findOneByOrFail(Tenant, { id: tx.tenantId });
    const next = {
      timeZone: patch.timeZone ?? tenant.timeZone,
      holidayCountry: patch.holidayCountry === undefined ? tenant.holidayCountry : (patch.holidayCountry?.toUpperCase() ?? null),
    };
    const changes: Record<string, unknown> = {};
    if (next.timeZone !== tenant.timeZone) changes.timeZone = { from: tenant.timeZone, to: next.timeZone };
    if (next.holidayCountry !== tenant.holidayCountry) changes.holidayCountry = { from: tenant.holidayCountry, to: next.holidayCountry };
    if (Object.keys(changes).length === 0) return tenant;
    await tx.manager.update(Tenant, { id: tenant.id }, next);
    await appendAudit(tx, null, AuditAction.TENANT_SETTINGS_CHANGED, changes);
    return Object.assign(tenant, next);
  });
}
