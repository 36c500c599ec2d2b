import { Role } from './roles';

/** How a masked field reads (SPEC §3). */
export const MASKED = '***';

/**
 * Who reads free text (SPEC §3): COMPLIANCE_OFFICER and ADMIN read every free-text field
 * but `summary` as "***"; on a child's case only the DPO reads any of them.
 * Local to the SLA explanations and the breach summary until the one free-text list
 * (src/domain/free-text.ts) lands: unify there.
 */
export function canReadFreeText(roles: Role[], involvesChildUnder13: boolean, field: 'summary' | 'other' = 'other'): boolean {
  if (roles.includes(Role.DPO)) return true;
  if (involvesChildUnder13) return false;
  return field === 'summary' || roles.includes(Role.AGENT);
}

/** The value as this reader may see it: "***" whether or not it holds a value, when masked. */
export function maskFreeText<T extends string | null>(value: T, visible: boolean): T | string {
  return visible ? value : MASKED;
}
