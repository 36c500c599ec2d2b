/**
 * The desk's operations on the public API (contract.graphql) and hand-typed results.
 * Hand-typed rather than generated: the shapes below mirror only the fields selected.
 */
export type Role = 'AGENT' | 'DPO' | 'COMPLIANCE_OFFICER' | 'ADMIN';
export const STAGES = ['INTERNAL_DPO', 'INDEPENDENT_ADR', 'DPA_PANEL', 'ARBITRATION_PANEL', 'REGULATOR'] as const;
export const STATUSES = ['OPEN', 'AWAITING_COMPLAINANT', 'RESOLVED', 'CLOSED'] as const;
export const REGIMES = ['GDPR', 'UK_GDPR', 'SWISS_FADP', 'DPF', 'CCPA', 'COPPA', 'OTHER'] as const;
export const CHANNELS = ['EMAIL', 'PHONE', 'WEB_FORM', 'POST', 'REGULATOR_REFERRAL'] as const;
export const RIGHTS = [
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
] as const;
export const OUTCOMES = ['UPHELD', 'PARTIALLY_UPHELD', 'NOT_UPHELD', 'SETTLED', 'WITHDRAWN', 'REFERRED_TO_CONTROLLER'] as const;

export interface Viewer {
  tenantId: string;
  roles: Role[];
  user: { id: string; name: string; email: string | null };
}
export interface UserRef {
  id: string;
  name: string;
}
export interface DueStep {
  kind: string;
  at: string;
  until: string | null;
  text: string;
}
export interface SlaTimer {
  id: string;
  kind: string;
  regime: string;
  stage: string;
  status: string;
  startedAt: string;
  dueAt: string;
  warnAt: string | null;
  breachedAt: string | null;
  metAt: string | null;
  extended: boolean;
  remainingSeconds: number | null;
  explanation: DueStep[];
  policy: { source: string; duration: string } | null;
}
export interface AuditEvent {
  id: string;
  sequence: number;
  action: string;
  at: string;
  actor: UserRef | null;
  actorRole: Role | null;
  changes: Record<string, unknown>;
}
export interface QueueRow {
  id: string;
  reference: string;
  summary: string;
  stage: string;
  status: string;
  regimes: string[];
  nextDueAt: string | null;
  assignee: UserRef | null;
  complainant: { name: string | null };
  slaTimers: { status: string; warnAt: string | null; dueAt: string }[];
}
export interface Complaint extends QueueRow {
  rights: string[];
  dataContext: string;
  processingRole: string;
  jurisdiction: string;
  channel: string;
  description: string;
  complainant: { name: string | null; email: string | null; phone: string | null; involvesChildUnder13: boolean; erasedAt: string | null };
  receivedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  outcome: string | null;
  resolutionSummary: string | null;
  version: number;
  availableEscalations: string[];
  regulatorReferral: { regulator: string; reference: string | null; respondBy: string | null } | null;
  stageHistory: { from: string | null; to: string; reason: string; at: string; actor: UserRef | null }[];
  notes: { id: string; body: string; internal: boolean; author: UserRef | null; createdAt: string }[];
  slaTimers: SlaTimer[];
  auditTrail: { edges: { node: AuditEvent }[] };
}

export const ME = `query Me { me { tenantId roles user { id name email } } }`;

export const QUEUE = `query Queue($filter: ComplaintFilter, $after: String) {
  complaints(filter: $filter, orderBy: { field: NEXT_DUE_AT, direction: ASC }, first: 20, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id reference summary stage status regimes nextDueAt assignee { id name } complainant { name } slaTimers { status warnAt dueAt } } }
  }
}`;

export const COMPLAINT = `query Case($id: ID!) {
  complaint(id: $id) {
    id reference summary description stage status rights dataContext processingRole regimes jurisdiction channel nextDueAt version
    receivedAt acknowledgedAt resolvedAt closedAt outcome resolutionSummary availableEscalations
    complainant { name email phone involvesChildUnder13 erasedAt }
    assignee { id name }
    regulatorReferral { regulator reference respondBy }
    stageHistory { from to reason at actor { id name } }
    notes { id body internal author { id name } createdAt }
    slaTimers { id kind regime stage status startedAt dueAt warnAt breachedAt metAt extended remainingSeconds policy { source duration } explanation { kind at until text } }
    auditTrail(first: 100) { edges { node { id sequence action at actor { id name } actorRole changes } } }
  }
}`;

export const USERS = `query Users { users { id name roles } }`;

export const FILE_COMPLAINT = `mutation File($input: FileComplaintInput!, $key: String) { fileComplaint(input: $input, idempotencyKey: $key) { id reference } }`;

const CASE_RESULT = '{ id version }';
export const ACKNOWLEDGE = `mutation Ack($id: ID!, $v: Int) { acknowledgeComplaint(id: $id, expectedVersion: $v) ${CASE_RESULT} }`;
export const ASSIGN = `mutation Assign($id: ID!, $to: ID!, $v: Int) { assignComplaint(id: $id, assigneeId: $to, expectedVersion: $v) ${CASE_RESULT} }`;
export const ADD_NOTE = `mutation Note($id: ID!, $body: String!, $internal: Boolean) { addNote(complaintId: $id, body: $body, internal: $internal) { id } }`;
export const ESCALATE = `mutation Escalate($id: ID!, $to: ComplaintStage!, $reason: String!, $v: Int) { escalateComplaint(id: $id, to: $to, reason: $reason, expectedVersion: $v) ${CASE_RESULT} }`;
export const AWAIT = `mutation Await($id: ID!, $reason: String!, $v: Int) { awaitComplainant(id: $id, reason: $reason, expectedVersion: $v) ${CASE_RESULT} }`;
export const RESUME = `mutation Resume($id: ID!, $v: Int) { resumeComplaint(id: $id, expectedVersion: $v) ${CASE_RESULT} }`;
export const RESOLVE = `mutation Resolve($id: ID!, $outcome: ComplaintOutcome!, $summary: String!, $v: Int) { resolveComplaint(id: $id, outcome: $outcome, summary: $summary, expectedVersion: $v) ${CASE_RESULT} }`;
export const REOPEN = `mutation Reopen($id: ID!, $reason: String!, $v: Int) { reopenComplaint(id: $id, reason: $reason, expectedVersion: $v) ${CASE_RESULT} }`;
export const CLOSE = `mutation Close($id: ID!, $v: Int) { closeComplaint(id: $id, expectedVersion: $v) ${CASE_RESULT} }`;
export const ERASE = `mutation Erase($id: ID!, $reason: String!) { eraseComplainantData(id: $id, reason: $reason) ${CASE_RESULT} }`;

export const CASE_EVENTS = `subscription CaseEvents($id: ID) { complaintEvents(complaintId: $id) { id sequence action } }`;
export const SLA_ALERTS = `subscription SlaAlerts { slaAlerts { complaintId reference kind timer { id kind regime dueAt } } }`;

export interface Report {
  from: string;
  to: string;
  received: number;
  resolved: number;
  openAtEnd: number;
  medianDaysToResolution: number | null;
  escalationRate: number | null;
  byStage: { stage: string; count: number }[];
  byRegime: { regime: string; count: number }[];
  sla: {
    met: number;
    breached: number;
    running: number;
    complianceRate: number | null;
    byKind: { kind: string; met: number; breached: number; complianceRate: number | null }[];
  };
  aging: { label: string; count: number }[];
}
export const REPORT = `query Report($from: DateTime!, $to: DateTime!) {
  complianceReport(from: $from, to: $to) {
    from to received resolved openAtEnd medianDaysToResolution escalationRate
    byStage { stage count } byRegime { regime count } aging { label count }
    sla { met breached running complianceRate byKind { kind met breached complianceRate } }
  }
}`;

/** Who may do what (SPEC §3), for showing only the actions a role may take; the server still decides. */
export const can = (roles: Role[]) => ({
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
