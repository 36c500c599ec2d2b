import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Role } from '../../src/auth/roles';
import {
  AuditAction, ComplaintOutcome, ComplaintStage, ComplaintStatus, DataContext, DataSubjectRight, IntakeChannel,
  ProcessingRole, Regime, SlaKind, SlaStartEvent, SlaTimerStatus, DueStepKind,
} from '../../src/domain/enums';
import { DateTimeScalar, JSONScalar } from './scalars';
import './enums';

@ObjectType()
export class PageInfo {
  @Field() hasNextPage: boolean;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

@ObjectType('User')
export class UserType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => String, { nullable: true }) email: string | null;
  @Field(() => [Role]) roles: Role[];
}

@ObjectType('Viewer')
export class ViewerType {
  @Field(() => UserType) user: UserType;
  @Field(() => ID) tenantId: string;
  @Field(() => [Role]) roles: Role[];
}

@ObjectType('Complainant', { description: 'PII. Masked for COMPLIANCE_OFFICER; DPO-only when involvesChildUnder13; null fields after erasure.' })
export class ComplainantType {
  @Field(() => String, { nullable: true }) name: string | null;
  @Field(() => String, { nullable: true }) email: string | null;
  @Field(() => String, { nullable: true }) phone: string | null;
  @Field() involvesChildUnder13: boolean;
  @Field(() => DateTimeScalar, { nullable: true }) erasedAt: Date | null;
}

/** Resolved from the Complaint entity; nested fields come from ComplaintResolver. */
@ObjectType('Complaint')
export class ComplaintType {
  @Field(() => ID) id: string;
  @Field() reference: string;
  @Field(() => ComplaintStage) stage: ComplaintStage;
  @Field(() => ComplaintStatus) status: ComplaintStatus;
  @Field(() => [DataSubjectRight]) rights: DataSubjectRight[];
  @Field(() => DataContext) dataContext: DataContext;
  @Field(() => ProcessingRole) processingRole: ProcessingRole;
  @Field(() => [Regime]) regimes: Regime[];
  @Field() jurisdiction: string;
  @Field(() => IntakeChannel) channel: IntakeChannel;
  @Field() summary: string;
  @Field() description: string;
  @Field(() => DateTimeScalar) receivedAt: Date;
  @Field(() => DateTimeScalar, { nullable: true }) acknowledgedAt: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) resolvedAt: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) closedAt: Date | null;
  @Field(() => ComplaintOutcome, { nullable: true }) outcome: ComplaintOutcome | null;
  @Field(() => String, { nullable: true }) resolutionSummary: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'earliest dueAt among RUNNING timers' }) nextDueAt: Date | null;
  @Field(() => Int) version: number;
  @Field(() => DateTimeScalar) createdAt: Date;
  @Field(() => DateTimeScalar) updatedAt: Date;
}

@ObjectType('StageTransition')
export class StageTransitionType {
  @Field(() => ComplaintStage, { nullable: true }) from: ComplaintStage | null;
  @Field(() => ComplaintStage) to: ComplaintStage;
  @Field() reason: string;
  @Field(() => DateTimeScalar) at: Date;
  actorId: string | null;
  complaintId: string;
}

@ObjectType('Note')
export class NoteType {
  @Field(() => ID) id: string;
  @Field() body: string;
  @Field() internal: boolean;
  @Field(() => DateTimeScalar) createdAt: Date;
  authorId: string | null;
  complaintId: string;
}

@ObjectType('SlaPolicy')
export class SlaPolicyType {
  @Field(() => ID) id: string;
  @Field(() => Regime) regime: Regime;
  @Field(() => ComplaintStage) stage: ComplaintStage;
  @Field(() => SlaKind) kind: SlaKind;
  @Field() duration: string;
  @Field() businessDays: boolean;
  @Field(() => String, { nullable: true }) extension: string | null;
  @Field(() => Int) warnAtPercent: number;
  @Field() pausable: boolean;
  @Field(() => SlaStartEvent) startsOn: SlaStartEvent;
  @Field() source: string;
  @Field(() => [DataSubjectRight], { nullable: true, description: 'applies only to complaints invoking one of these; null: every complaint' })
  rights: DataSubjectRight[] | null;
}

@ObjectType('DueStep', { description: "One step of how a timer's due instant was reached: the answer to 'why is it due then'." })
export class DueStepType {
  @Field(() => DueStepKind) kind: DueStepKind;
  @Field(() => DateTimeScalar, { description: 'START: the start; SKIP/PAUSE: from; EXTEND: when granted; DUE: the due instant' }) at: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'SKIP/PAUSE: to' }) until: Date | null;
  @Field({ description: 'e.g. "Thu 2026-11-26 skipped: Thanksgiving Day (US public holiday)"' }) text: string;
}

@ObjectType('RegulatorReferral', { description: 'The regulator that referred the case (channel REGULATOR_REFERRAL).' })
export class RegulatorReferralType {
  @Field() regulator: string;
  @Field(() => String, { nullable: true }) reference: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) respondBy: Date | null;
}

@ObjectType('PersonalDataBreach', { description: 'A breach of security the case revealed (GDPR Art. 33).' })
export class PersonalDataBreachType {
  @Field(() => DateTimeScalar) awareAt: Date;
  @Field({ description: 'free text: masked like description' }) summary: string;
  @Field(() => DateTimeScalar) recordedAt: Date;
  @Field(() => DateTimeScalar, { nullable: true }) authorityNotifiedAt: Date | null;
  @Field(() => String, { nullable: true }) authority: string | null;
  @Field(() => String, { nullable: true }) authorityReference: string | null;
}

@ObjectType('SlaTimer')
export class SlaTimerType {
  @Field(() => ID) id: string;
  @Field(() => SlaKind) kind: SlaKind;
  @Field(() => Regime) regime: Regime;
  @Field(() => ComplaintStage) stage: ComplaintStage;
  @Field(() => SlaTimerStatus) status: SlaTimerStatus;
  @Field(() => DateTimeScalar) startedAt: Date;
  @Field(() => DateTimeScalar) dueAt: Date;
  @Field(() => DateTimeScalar, { nullable: true }) warnAt: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) pausedAt: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) metAt: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) breachedAt: Date | null;
  @Field() extended: boolean;
  policyId: string | null;
  complaintId: string;
  remainingOnPause: number | null;
}

@ObjectType('AuditEvent')
export class AuditEventType {
  @Field(() => ID) id: string;
  @Field(() => ID, { nullable: true }) complaintId: string | null;
  @Field(() => Int) sequence: number;
  @Field(() => AuditAction) action: AuditAction;
  @Field(() => Role, { nullable: true }) actorRole: Role | null;
  @Field(() => DateTimeScalar) at: Date;
  @Field(() => JSONScalar) changes: Record<string, unknown>;
  @Field(() => String, { nullable: true }) requestId: string | null;
  @Field(() => String, { nullable: true }) prevHash: string | null;
  @Field() hash: string;
  actorId: string | null;
}

@ObjectType('AuditVerification')
export class AuditVerificationType {
  @Field() valid: boolean;
  @Field(() => Int) eventsChecked: number;
  @Field(() => Int, { nullable: true }) brokenAtSequence: number | null;
}

@ObjectType('ComplaintEdge')
export class ComplaintEdge {
  @Field() cursor: string;
  @Field(() => ComplaintType) node: ComplaintType;
}

@ObjectType('ComplaintConnection')
export class ComplaintConnection {
  @Field(() => [ComplaintEdge]) edges: ComplaintEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int) totalCount: number;
}

@ObjectType('AuditEventEdge')
export class AuditEventEdge {
  @Field() cursor: string;
  @Field(() => AuditEventType) node: AuditEventType;
}

@ObjectType('AuditEventConnection')
export class AuditEventConnection {
  @Field(() => [AuditEventEdge]) edges: AuditEventEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}

@ObjectType('SlaTimerEdge')
export class SlaTimerEdge {
  @Field() cursor: string;
  @Field(() => SlaTimerType) node: SlaTimerType;
}

@ObjectType('SlaTimerConnection')
export class SlaTimerConnection {
  @Field(() => [SlaTimerEdge]) edges: SlaTimerEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int) totalCount: number;
}

