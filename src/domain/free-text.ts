import { Role } from '../auth/roles';

/**
 * SPEC §3: free text is where PII hides. The one list of free-text fields, consulted
 * alike by masking (who reads them), erasure (each becomes "[erased]") and the audit
 * trail (only that a field was set or changed, never its value).
 */
export const FREE_TEXT_FIELDS = [
  'summary',
  'description',
  'note.body',
  'resolutionSummary',
  'panelAdviceSummary',
  /** Every reason: stage transitions, awaiting, reopening, extensions, erasure. */
  'reason',
  'extensionReason',
  /** The personal data breach's summary (SPEC §4). */
  'breachSummary',
] as const;

export type FreeTextField = (typeof FREE_TEXT_FIELDS)[number];

/** What a free-text field reads as after eraseComplainantData (SPEC §7). */
export const ERASED = '[erased]';
/** What a field reads as for a role that may not see it (SPEC §3). */
export const MASK = '***';

const FREE_TEXT = new Set<string>(FREE_TEXT_FIELDS);

/**
 * Also names under which the audit trail or other code may carry a listed field, so
 * that the trail never records their values (e.g. `panelAdvice`, `breach.summary`).
 */
const ALIASES: Record<string, FreeTextField> = {
  panelAdvice: 'panelAdviceSummary',
  'breach.summary': 'breachSummary',
  'personalDataBreach.summary': 'breachSummary',
};

export function isFreeText(name: string): boolean {
  return FREE_TEXT.has(name) || name in ALIASES;
}

/**
 * SPEC §3: on a child's case only the DPO reads any free text; otherwise case workers
 * read all of it, COMPLIANCE_OFFICER and ADMIN the summary alone.
 */
export function canReadFreeText(roles: readonly Role[], involvesChildUnder13: boolean, field: FreeTextField): boolean {
  if (roles.includes(Role.DPO)) return true;
  if (involvesChildUnder13) return false;
  if (roles.includes(Role.AGENT)) return true;
  return field === 'summary' && (roles.includes(Role.COMPLIANCE_OFFICER) || roles.includes(Role.ADMIN));
}

/**
 * A free-text value as `roles` may read it on `complaint`: the value, or "***" whether
 * or not it holds one, so masking never reveals which fields are set. Also for text
 * that quotes a field inside another one (a timer explanation's EXTEND step).
 */
export function maskFreeText<T extends string | null | undefined>(
  viewer: { roles: readonly Role[] },
  complaint: { involvesChildUnder13: boolean },
  field: FreeTextField,
  value: T,
): T | string {
  return canReadFreeText(viewer.roles, complaint.involvesChildUnder13, field) ? value : MASK;
}
