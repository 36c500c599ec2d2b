import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import { canReadPii } from '../src/auth/permissions';
import type { RequestContext } from '../src/context';
import { MASK } from '../src/domain/free-text';
import { loaders } from '../src/loaders';
import { auditTrail } from '../src/services/audit.service';
import { fileComplaint } from '../src/services/complaint-intake.service';
import { getComplaint, getComplaintByReference, listComplaints } from '../src/services/complaint-query.service';
import { maskFreeText } from '../src/domain/free-text';
import { ComplaintStage } from '../src/domain/enums';
import { availableEscalations } from '../src/domain/escalation';
import { Complaint } from '../entities';
import { AuditPageArgs, ComplaintsArgs, FileComplaintArgs } from './types/inputs';
import {
  AuditEventConnection,
  ComplainantType,
  ComplaintConnection,
  ComplaintType,
  NoteType,
  PersonalDataBreachType,
  RegulatorReferralType,
  SlaTimerType,
  StageTransitionType,
  UserType,
} from './types/objects';

/** The case is at hand: its notes', transitions' and timers' free text need no second load. */
function known(ctx: RequestContext, c: Complaint): string {
  loaders.complaint(ctx).prime(c.id, c);
  return c.id;
}

@Resolver(() => ComplaintType)
export class ComplaintResolver {
  @Query(() => ComplaintType, {
    nullable: true,
    description: "One case by id, as the caller's role may see it (PII and free text masked). Any role. NOT_FOUND when it is not in the caller's tenant.",
  })
  @Allow('complaint')
  complaint(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The case id.' }) id: string) {
    return getComplaint(ctx, id);
  }

  @Query(() => ComplaintType, { nullable: true, description: 'One case by its reference. Any role. NOT_FOUND when no case of the tenant has it.' })
  @Allow('complaintByReference')
  complaintByReference(
    @Ctx() ctx: RequestContext,
    @Arg('reference', { description: 'The reference, e.g. PC-2026-000042 (case-insensitive).' }) reference: string,
  ) {
    return getComplaintByReference(ctx, reference);
  }

  @Query(() => ComplaintConnection, {
    description:
      "A page of the tenant's cases, filtered and sorted. Any role (masked fields are not searched). BAD_USER_INPUT for first > 100 or a foreign cursor.",
  })
  @Allow('complaints')
  complaints(@Ctx() ctx: RequestContext, @Args() args: ComplaintsArgs) {
    return listComplaints(ctx, args);
  }

  @Mutation(() => ComplaintType, {
    description:
      'Files a complaint at INTERNAL_DPO, status OPEN, with a new reference, and starts its clocks. AGENT, DPO. BAD_USER_INPUT with fields; IDEMPOTENCY_KEY_REUSED; FORBIDDEN for other roles.',
  })
  @Allow('fileComplaint')
  fileComplaint(@Ctx() ctx: RequestContext, @Args() { input, idempotencyKey }: FileComplaintArgs) {
    return fileComplaint(ctx, input, idempotencyKey);
  }

  /** PII masked per SPEC §3: "***" for COMPLIANCE_OFFICER/ADMIN, child cases for the DPO only. */
  @FieldResolver(() => ComplainantType, { description: 'Who complains (PII): masked "***" for COMPLIANCE_OFFICER and ADMIN, DPO-only on a child case.' })
  complainant(@Root() c: Complaint, @Ctx() ctx: RequestContext): ComplainantType {
    const visible = canReadPii(ctx.user.roles, c.involvesChildUnder13);
    const show = (value: string | null) => (value === null || visible ? value : MASK);
    return {
      name: show(c.complainantName),
      email: show(c.complainantEmail),
      phone: show(c.complainantPhone),
      involvesChildUnder13: c.involvesChildUnder13,
      erasedAt: c.complainantErasedAt,
    };
  }

  @FieldResolver(() => UserType, { nullable: true, description: 'Who works the case; null while unassigned.' })
  assignee(@Root() c: Complaint, @Ctx() ctx: RequestContext) {
    return c.assigneeId ? loaders.user(ctx).load(c.assigneeId) : null;
  }

  @FieldResolver(() => [StageTransitionType], { description: 'Every stage the case entered, oldest first, from its filing.' })
  async stageHistory(@Root() c: Complaint, @Ctx() ctx: RequestContext): Promise<StageTransitionType[]> {
    const rows = await loaders.stageHistory(ctx).load(known(ctx, c));
    return rows.map((t) => ({ from: t.fromStage, to: t.toStage, reason: t.reason, at: t.at, actorId: t.actorId, complaintId: t.complaintId }));
  }

  @FieldResolver(() => [SlaTimerType], { description: 'Every clock of the case, running and finished.' })
  slaTimers(@Root() c: Complaint, @Ctx() ctx: RequestContext) {
    return loaders.slaTimers(ctx).load(known(ctx, c));
  }

  @FieldResolver(() => [ComplaintStage], { description: 'what the escalation table allows from here, for this case, now' })
  async availableEscalations(@Root() c: Complaint, @Ctx() ctx: RequestContext): Promise<ComplaintStage[]> {
    const history = await loaders.stageHistory(ctx).load(c.id);
    return availableEscalations({
      stage: c.stage,
      status: c.status,
      dataContext: c.dataContext,
      processingRole: c.processingRole,
      regimes: c.regimes,
      rights: c.rights,
      stagesVisited: history.map((t) => t.toStage),
    });
  }

  @FieldResolver(() => RegulatorReferralType, { nullable: true, description: 'set when filed through REGULATOR_REFERRAL' })
  regulatorReferral(@Root() c: Complaint): RegulatorReferralType | null {
    return c.regulatorName ? { regulator: c.regulatorName, reference: c.regulatorReference, respondBy: c.regulatorRespondBy } : null;
  }

  /** The breach summary is free text: masked like description (SPEC §3). */
  @FieldResolver(() => PersonalDataBreachType, { nullable: true, description: 'set once a breach is recorded on the case' })
  personalDataBreach(@Root() c: Complaint, @Ctx() ctx: RequestContext): PersonalDataBreachType | null {
    if (!c.breachAwareAt || !c.breachRecordedAt) return null;
    return {
      awareAt: c.breachAwareAt,
      summary: maskFreeText(ctx.user, c, 'breachSummary', c.breachSummary ?? ''),
      recordedAt: c.breachRecordedAt,
      authorityNotifiedAt: c.authorityNotifiedAt,
      authority: c.authorityName,
      authorityReference: c.authorityReference,
    };
  }

  @FieldResolver(() => [NoteType], { description: 'The notes on the case, oldest first.' })
  notes(@Root() c: Complaint, @Ctx() ctx: RequestContext) {
    return loaders.notes(ctx).load(known(ctx, c));
  }

  @FieldResolver(() => AuditEventConnection, { description: "A page of the case's audit trail, by sequence." })
  auditTrail(@Root() c: Complaint, @Ctx() ctx: RequestContext, @Args() { first, after }: AuditPageArgs) {
    return auditTrail(ctx, c.id, first, after);
  }
}
