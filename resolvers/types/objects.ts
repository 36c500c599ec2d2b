import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Role } from '../../src/auth/roles';
import {
  AuditAction,
  ComplaintOutcome,
  ComplaintStage,
  ComplaintStatus,
  DataContext,
  DataSubjectRight,
  IntakeChannel,
  ProcessingRole,
  Regime,
  SlaKind,
  SlaStartEvent,
  SlaTimerStatus,
  DueStepKind,
} from '../../src/domain/enums';
import { DateTimeScalar, JSONScalar } from './scalars';
import './enums';

@ObjectType({ description: 'Where a page of a list ends, and whether another follows.' })
export class PageInfo {
  @Field({ description: 'true when more items follow this page: ask again with `after: endCursor`.' }) hasNextPage: boolean;
  @Field(() => String, { nullable: true, description: "The last edge's cursor, to pass as `after`; null for an empty page." }) endCursor: string | null;
}

@ObjectType('User', { description: 'A user of the tenant, provisioned from the claims of their first token.' })
export class UserType {
  @Field(() => ID, { description: "The user's id: the token's `sub` claim." }) id: string;
  @Field({ description: "Display name: the token's `name` claim, else the user id." }) name: string;
  @Field(() => String, { nullable: true, description: "The token's `email` claim; null when the token carried none." }) email: string | null;
  @Field(() => [Role], { description: "Roles from the user's latest token." }) roles: Role[];
}

@ObjectType('Viewer', { description: 'Who is calling: the user, tenant and roles of the bearer token.' })
export class ViewerType {
  @Field(() => UserType, { description: 'The calling user.' }) user: UserType;
  @Field(() => ID, { description: 'The tenant of the token (`tid` claim): every read and write is confined to it.' }) tenantId: string;
  @Field(() => [Role], { description: "The token's roles for this request." }) roles: Role[];
}

@ObjectType('Complainant', {
  description: 'PII. Masked ("***") for COMPLIANCE_OFFICER and ADMIN; DPO-only when involvesChildUnder13; null fields after erasure.',
})
export class ComplainantType {
  @Field(() => String, { nullable: true, description: 'Full name; "***" when masked for the caller; null after erasure.' }) name: string | null;
  @Field(() => String, { nullable: true, description: 'E-mail address; "***" when masked; null when not given or after erasure.' }) email: string | null;
  @Field(() => String, { nullable: true, description: 'Phone number; "***" when masked; null when not given or after erasure.' }) phone: string | null;
  @Field({ description: 'The case concerns a child under 13: PII and free text are for the DPO only (COPPA for US jurisdictions).' })
  involvesChildUnder13: boolean;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When eraseComplainantData erased the complainant data; null if never.' }) erasedAt: Date | null;
}

/** Resolved from the Complaint entity; nested fields come from ComplaintResolver. */
@ObjectType('Complaint', { description: 'A privacy complaint or data-subject request and its case: stage, status, clocks, notes and audit trail.' })
export class ComplaintType {
  @Field(() => ID, { description: 'The case id (a UUID).' }) id: string;
  @Field({ description: 'Human-readable, unique per tenant: PC-<year>-<6-digit sequence>, e.g. PC-2026-000042.' }) reference: string;
  @Field(() => ComplaintStage, { description: 'Where the case sits on its escalation path.' }) stage: ComplaintStage;
  @Field(() => ComplaintStatus, { description: 'Where the case stands within its stage.' }) status: ComplaintStatus;
  @Field(() => [DataSubjectRight], { description: 'The rights the complainant invokes (at least one).' }) rights: DataSubjectRight[];
  @Field(() => DataContext, { description: 'Consumer or employment data.' }) dataContext: DataContext;
  @Field(() => ProcessingRole, { description: "The organisation's role for the data: controller or processor." }) processingRole: ProcessingRole;
  @Field(() => [Regime], { description: 'Legal regimes, given on filing or derived from the jurisdiction; each brings its clocks.' }) regimes: Regime[];
  @Field({ description: 'ISO 3166-1 alpha-2 or ISO 3166-2, e.g. DE, GB, US-CA.' }) jurisdiction: string;
  @Field(() => IntakeChannel, { description: 'How the complaint arrived.' }) channel: IntakeChannel;
  @Field({ description: 'Short free text; "***" on a child case for all but the DPO (the one free-text field COMPLIANCE_OFFICER and ADMIN read).' })
  summary: string;
  @Field({ description: 'Free text: "***" for COMPLIANCE_OFFICER and ADMIN, and on a child case for all but the DPO; "[erased]" after erasure.' })
  description: string;
  @Field(() => DateTimeScalar, { description: 'When the complaint was received (may be back-dated on filing); the first clocks start here.' }) receivedAt: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When receipt was acknowledged; null until acknowledgeComplaint.' }) acknowledgedAt: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the case was last resolved; null while unresolved.' }) resolvedAt: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the case was closed; null while open.' }) closedAt: Date | null;
  @Field(() => ComplaintOutcome, { nullable: true, description: 'How the case was decided; null until resolved.' }) outcome: ComplaintOutcome | null;
  @Field(() => String, { nullable: true, description: 'Free text given on resolving (masked like description); null until resolved.' }) resolutionSummary:
    string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Earliest dueAt among RUNNING timers; null when no clock runs.' }) nextDueAt: Date | null;
  @Field(() => Int, { description: 'Increases with every change; pass it as `expectedVersion` to refuse a write on a case that moved on (CONFLICT).' })
  version: number;
  @Field(() => DateTimeScalar, { description: 'When the case was recorded in the service.' }) createdAt: Date;
  @Field(() => DateTimeScalar, { description: 'When the case last changed.' }) updatedAt: Date;
}

@ObjectType('StageTransition', { description: 'One move of the case between stages; the first has no `from` (filing).' })
export class StageTransitionType {
  @Field(() => ComplaintStage, { nullable: true, description: 'The stage left; null for the filing that entered the first stage.' })
  from: ComplaintStage | null;
  @Field(() => ComplaintStage, { description: 'The stage entered.' }) to: ComplaintStage;
  @Field({ description: 'Why the case moved (free text: masked like description).' }) reason: string;
  @Field(() => DateTimeScalar, { description: 'When the case entered `to`; the stage clocks start here.' }) at: Date;
  actorId: string | null;
  complaintId: string;
}

@ObjectType('Note', { description: 'A note on a case, by an AGENT or the DPO.' })
export class NoteType {
  @Field(() => ID, { description: 'The note id.' }) id: string;
  @Field({ description: 'The note (free text: masked like description).' }) body: string;
  @Field({ description: 'Whether the note is internal to the organisation (addNote defaults to true).' }) internal: boolean;
  @Field(() => DateTimeScalar, { description: 'When the note was added.' }) createdAt: Date;
  authorId: string | null;
  complaintId: string;
}

@ObjectType('SlaPolicy', {
  description: 'A clock rule of the tenant: per (regime, stage, kind[, rights]) how long, on which calendar, from which event (SPEC §5).',
})
export class SlaPolicyType {
  @Field(() => ID, { description: 'The policy id.' }) id: string;
  @Field(() => Regime, { description: 'The regime whose complaints get this clock.' }) regime: Regime;
  @Field(() => ComplaintStage, { description: 'The stage the clock belongs to.' }) stage: ComplaintStage;
  @Field(() => SlaKind, { description: 'What the clock measures.' }) kind: SlaKind;
  @Field({ description: "ISO-8601 duration: P1M (calendar months in the tenant's zone), P45D (calendar or business days), PT24H (exact hours)." })
  duration: string;
  @Field({ description: "Count only business days of the tenant's calendar (no weekends, no public holidays of its country)." }) businessDays: boolean;
  @Field(() => String, { nullable: true, description: 'ISO-8601 duration the clock may be extended by, once, before it is due; null: no extension.' })
  extension: string | null;
  @Field(() => Int, { description: 'Percentage of the wall-clock span at which one SLA_WARNING fires (1-99).' }) warnAtPercent: number;
  @Field({ description: 'Whether the clock pauses while the case awaits the complainant.' }) pausable: boolean;
  @Field(() => SlaStartEvent, { description: 'The event that starts the clock.' }) startsOn: SlaStartEvent;
  @Field({ description: 'Legal basis, e.g. "GDPR Art. 12(3)".' }) source: string;
  @Field(() => [DataSubjectRight], { nullable: true, description: 'applies only to complaints invoking one of these; null: every complaint' })
  rights: DataSubjectRight[] | null;
}

@ObjectType('DueStep', { description: "One step of how a timer's due instant was reached: the answer to 'why is it due then'." })
export class DueStepType {
  @Field(() => DueStepKind, { description: 'What the step is.' }) kind: DueStepKind;
  @Field(() => DateTimeScalar, { description: 'START: the start; SKIP/PAUSE: from; EXTEND: when granted; DUE: the due instant' }) at: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'SKIP/PAUSE: to' }) until: Date | null;
  @Field({ description: 'e.g. "Thu 2026-11-26 skipped: Thanksgiving Day (US public holiday)"' }) text: string;
}

@ObjectType('RegulatorReferral', { description: 'The regulator that referred the case (channel REGULATOR_REFERRAL).' })
export class RegulatorReferralType {
  @Field({ description: "The regulator's name, e.g. FTC." }) regulator: string;
  @Field(() => String, { nullable: true, description: "The regulator's case reference; null if none was given." }) reference: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'The deadline the regulator set (a REGULATOR_DEADLINE clock runs to it); null if none.' })
  respondBy: Date | null;
}

@ObjectType('PersonalDataBreach', { description: 'A breach of security the case revealed (GDPR Art. 33).' })
export class PersonalDataBreachType {
  @Field(() => DateTimeScalar, { description: 'When the controller became aware of the breach: the NOTIFY_AUTHORITY clocks run from here.' }) awareAt: Date;
  @Field({ description: 'free text: masked like description' }) summary: string;
  @Field(() => DateTimeScalar, { description: 'When the DPO recorded it.' }) recordedAt: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the authority was notified; null until recordAuthorityNotified.' })
  authorityNotifiedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'The authority notified; null until then.' }) authority: string | null;
  @Field(() => String, { nullable: true, description: "The authority's reference for the notification; null if none." }) authorityReference: string | null;
}

@ObjectType('SlaTimer', { description: 'One running or finished clock of a case, started from a policy (whose terms it keeps).' })
export class SlaTimerType {
  @Field(() => ID, { description: 'The timer id (extendSlaTimer takes it).' }) id: string;
  @Field(() => SlaKind, { description: 'What the clock measures.' }) kind: SlaKind;
  @Field(() => Regime, { description: 'The regime it runs for.' }) regime: Regime;
  @Field(() => ComplaintStage, { description: 'The stage it belongs to.' }) stage: ComplaintStage;
  @Field(() => SlaTimerStatus, { description: 'Running, paused, or final (met, breached, cancelled).' }) status: SlaTimerStatus;
  @Field(() => DateTimeScalar, { description: 'When it started: receivedAt for the first stage, else the escalation or the starting event.' }) startedAt: Date;
  @Field(() => DateTimeScalar, { description: 'When it falls due; moves with pauses and an extension, never once passed.' }) dueAt: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the SLA_WARNING fires (warnAtPercent of the span); null: no warning.' })
  warnAt: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When it paused; null unless PAUSED.' }) pausedAt: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was met; null unless MET.' }) metAt: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When it breached (= dueAt); null unless BREACHED.' }) breachedAt: Date | null;
  @Field({ description: 'Whether its one extension was granted.' }) extended: boolean;
  policyId: string | null;
  complaintId: string;
  remainingOnPause: number | null;
}

@ObjectType('AuditEvent', { description: "One link of an append-only hash chain: a case's (complaintId set) or the tenant's own (complaintId null)." })
export class AuditEventType {
  @Field(() => ID, { description: 'The event id.' }) id: string;
  @Field(() => ID, { nullable: true, description: "The case; null for an event of the tenant's own chain." }) complaintId: string | null;
  @Field(() => Int, { description: '1, 2, 3 ... per chain, without gaps.' }) sequence: number;
  @Field(() => AuditAction, { description: 'What happened.' }) action: AuditAction;
  @Field(() => Role, { nullable: true, description: 'The role the actor acted in; null for the system (timers).' }) actorRole: Role | null;
  @Field(() => DateTimeScalar, { description: 'When it happened.' }) at: Date;
  @Field(() => JSONScalar, { description: 'field -> {from, to}; PII and free-text fields carry no values, only that they were set or changed.' })
  changes: Record<string, unknown>;
  @Field(() => String, { nullable: true, description: 'The request id of the API call that caused it; null for the worker.' }) requestId: string | null;
  @Field(() => String, { nullable: true, description: "The previous event's hash (hex); null for sequence 1." }) prevHash: string | null;
  @Field({ description: 'sha256(prevHash + canonical JSON of the event), hex.' }) hash: string;
  actorId: string | null;
}

@ObjectType('AuditVerification', { description: 'The result of recomputing a hash chain, and of comparing it with the latest signed checkpoint.' })
export class AuditVerificationType {
  @Field({ description: 'true when every hash recomputes and the chain agrees with the checkpoint that covers it.' }) valid: boolean;
  @Field(() => Int, { description: 'Events recomputed.' }) eventsChecked: number;
  @Field(() => Int, { nullable: true, description: 'The first sequence that does not verify; null when valid.' }) brokenAtSequence: number | null;
}

@ObjectType('ComplaintEdge', { description: 'One complaint of a page, with its cursor.' })
export class ComplaintEdge {
  @Field({ description: 'Opaque cursor: pass as `after` for the items after this one.' }) cursor: string;
  @Field(() => ComplaintType, { description: 'The complaint.' }) node: ComplaintType;
}

@ObjectType('ComplaintConnection', { description: 'A page of complaints (cursor pagination).' })
export class ComplaintConnection {
  @Field(() => [ComplaintEdge], { description: 'The page, in list order.' }) edges: ComplaintEdge[];
  @Field(() => PageInfo, { description: 'Whether more follow, and the cursor to ask for them.' }) pageInfo: PageInfo;
  @Field(() => Int, { description: 'How many match the filter in all, across pages.' }) totalCount: number;
}

@ObjectType('AuditEventEdge', { description: 'One audit event of a page, with its cursor.' })
export class AuditEventEdge {
  @Field({ description: 'Opaque cursor: pass as `after` for the items after this one.' }) cursor: string;
  @Field(() => AuditEventType, { description: 'The audit event.' }) node: AuditEventType;
}

@ObjectType('AuditEventConnection', { description: 'A page of audit events (cursor pagination).' })
export class AuditEventConnection {
  @Field(() => [AuditEventEdge], { description: 'The page, in list order.' }) edges: AuditEventEdge[];
  @Field(() => PageInfo, { description: 'Whether more follow, and the cursor to ask for them.' }) pageInfo: PageInfo;
}

@ObjectType('SlaTimerEdge', { description: 'One timer of a page, with its cursor.' })
export class SlaTimerEdge {
  @Field({ description: 'Opaque cursor: pass as `after` for the items after this one.' }) cursor: string;
  @Field(() => SlaTimerType, { description: 'The timer.' }) node: SlaTimerType;
}

@ObjectType('SlaTimerConnection', { description: 'A page of timers (cursor pagination).' })
export class SlaTimerConnection {
  @Field(() => [SlaTimerEdge], { description: 'The page, in list order.' }) edges: SlaTimerEdge[];
  @Field(() => PageInfo, { description: 'Whether more follow, and the cursor to ask for them.' }) pageInfo: PageInfo;
  @Field(() => Int, { description: 'How many match the filter in all, across pages.' }) totalCount: number;
}
