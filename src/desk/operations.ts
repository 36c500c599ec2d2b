/**
 * The desk's vocabulary on top of the generated operation types (./graphql/generated.ts,
 * `npm run codegen` from the served schema): the enum values a form offers, who may do
 * what, and how values read in words.
 */
import type {
  CaseDetailFragment,
  CaseTimerFragment,
  ComplaintOutcome,
  ComplaintStage,
  ComplaintStatus,
  DataSubjectRight,
  IntakeChannel,
  MeQuery,
  QueueRowFragment,
  Regime,
  ReportQuery,
  Role,
} from './graphql/generated';

export type { ComplaintOutcome, ComplaintStage, ComplaintStatus, DataSubjectRight, IntakeChannel, Regime, Role };
export type Viewer = MeQuery['me'];
export type QueueRow = QueueRowFragment;
export type Complaint = CaseDetailFragment;
export type SlaTimer = CaseTimerFragment;
export type UserRef = { id: string; name: string };
export type Report = ReportQuery['complianceReport'];

/** Every value of a generated enum type, exactly once: a value the schema adds and the desk omits fails the typecheck. */
const everyValue =
  <T extends string>() =>
  <L extends readonly T[]>(values: L & ([T] extends [L[number]] ? unknown : never)): L =>
    values;

export const STAGES = everyValue<ComplaintStage>()(['INTERNAL_DPO', 'INDEPENDENT_ADR', 'DPA_PANEL', 'ARBITRATION_PANEL', 'REGULATOR'] as const);
export const STATUSES = everyValue<ComplaintStatus>()(['OPEN', 'AWAITING_COMPLAINANT', 'RESOLVED', 'CLOSED'] as const);
export const REGIMES = everyValue<Regime>()(['GDPR', 'UK_GDPR', 'SWISS_FADP', 'DPF', 'CCPA', 'COPPA', 'OTHER'] as const);
export const CHANNELS = everyValue<IntakeChannel>()(['EMAIL', 'PHONE', 'WEB_FORM', 'POST', 'REGULATOR_REFERRAL'] as const);
export const RIGHTS = everyValue<DataSubjectRight>()([
  'ACCESS',
  'RECTIFICATION',
  'ERASURE',
  'RESTRICTION',
  'PORTABILITY',
  'OBJECTION',
  'AUTOMATED_DECISION',
  'WITHDRAW_CONSENT',
  'COMPLAINT',
  'DO_NOT_SELL',
  'LIMIT_SENSITIVE_USE',
] as const);
export const OUTCOMES = everyValue<ComplaintOutcome>()(['UPHELD', 'PARTIALLY_UPHELD', 'NOT_UPHELD', 'SETTLED', 'WITHDRAWN', 'REFERRED_TO_CONTROLLER'] as const);

/** Who may do what (SPEC §3), for showing only the actions a role may take; the server still decides. */
export const can = (roles: readonly Role[]) => ({
  work: roles.includes('AGENT') || roles.includes('DPO'),
  decide: roles.includes('DPO'),
  assignAnyone: roles.includes('DPO'),
  evidence: roles.includes('DPO') || roles.includes('COMPLIANCE_OFFICER'),
  report: roles.includes('DPO') || roles.includes('COMPLIANCE_OFFICER') || roles.includes('ADMIN'),
  csv: roles.includes('DPO') || roles.includes('COMPLIANCE_OFFICER') || roles.includes('ADMIN'),
});

const ACRONYMS = new Set(['DPO', 'ADR', 'DPA', 'SLA', 'GDPR', 'UK', 'DPF', 'CCPA', 'COPPA', 'FADP', 'HR']);
/** An enum value in words, acronyms kept: INTERNAL_DPO → "Internal DPO", SLA_BREACHED → "SLA breached". */
export const label = (value: string): string =>
  value
    .split('_')
    .map((word, i) => (ACRONYMS.has(word) ? word : i === 0 ? word[0] + word.slice(1).toLowerCase() : word.toLowerCase()))
    .join(' ');
export const when = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC' : '—';
