import { Role } from './roles';

const { AGENT, DPO, COMPLIANCE_OFFICER, ADMIN } = Role;
const EVERYONE = [AGENT, DPO, COMPLIANCE_OFFICER, ADMIN];
const CASE_WORKERS = [AGENT, DPO];
const REPORTERS = [DPO, COMPLIANCE_OFFICER, ADMIN];

/**
 * Who may call what (SPEC §3). The one role → operation map: every root field of the
 * schema must appear here (a test checks), and resolvers declare it with @Allow(name).
 * Finer rules (an AGENT assigns to self only; PII masking) live in the services.
 */
export const PERMISSIONS = {
  // queries
  me: EVERYONE,
  users: EVERYONE,
  complaint: EVERYONE,
  complaintByReference: EVERYONE,
  complaints: EVERYONE,
  auditTrail: EVERYONE,
  slaTimers: EVERYONE,
  slaPolicies: EVERYONE,
  verifyAuditTrail: REPORTERS,
  tenantAuditTrail: REPORTERS,
  verifyTenantAuditTrail: REPORTERS,
  complianceReport: REPORTERS,
  // case work
  fileComplaint: CASE_WORKERS,
  acknowledgeComplaint: CASE_WORKERS,
  addNote: CASE_WORKERS,
  updateComplainant: CASE_WORKERS,
  awaitComplainant: CASE_WORKERS,
  resumeComplaint: CASE_WORKERS,
  assignComplaint: CASE_WORKERS,
  // the DPO's decisions
  escalateComplaint: [DPO],
  resolveComplaint: [DPO],
  reopenComplaint: [DPO],
  closeComplaint: [DPO],
  recordPanelAdvice: [DPO],
  extendSlaTimer: [DPO],
  eraseComplainantData: [DPO],
  recordPersonalDataBreach: [DPO],
  recordAuthorityNotified: [DPO],
  // administration
  upsertSlaPolicy: [ADMIN],
  tenantSettings: EVERYONE,
  updateTenantSettings: [ADMIN],
  terminateContract: [ADMIN],
  // proof for auditors (SPEC §7)
  auditCheckpoints: REPORTERS,
  createAuditCheckpoint: [ADMIN],
  // subscriptions
  complaintEvents: EVERYONE,
  slaAlerts: EVERYONE,
} satisfies Record<string, Role[]>;

export type Operation = keyof typeof PERMISSIONS;

/** GET /complaints/{id}/evidence (SPEC §3, §7): not a GraphQL operation, the same map. */
export const EVIDENCE_BUNDLE_ROLES: Role[] = [DPO, COMPLIANCE_OFFICER];

/** Roles that read complainant PII unmasked (SPEC §3); child cases: the DPO only. */
export function canReadPii(roles: Role[], involvesChildUnder13: boolean): boolean {
  if (involvesChildUnder13) return roles.includes(DPO);
  return roles.includes(AGENT) || roles.includes(DPO);
}
