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
  AuditEventConnection, ComplainantType, ComplaintConnection, ComplaintType, NoteType, PersonalDataBreachType, RegulatorReferralType, SlaTimerType,
  StageTransitionType, UserType,
} from './types/objects';


/** The case is at hand: its notes', transitions' and timers' free text need no second load. */
function known(ctx: RequestContext, c: Complaint): string {
  loaders.complaint(ctx).prime(c.id, c);
  return c.id;
}

@Resolver(() => ComplaintType)
export class ComplaintResolver {
  @Query(() => ComplaintType, { nullable: true })
  @Allow('complaint')
  complaint(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return getComplaint(ctx, id);
  }

  @Query(() => ComplaintType, { nullable: true })
  @Allow('complaintByReference')
  complaintByReference(@Ctx() ctx: RequestContext, @Arg('reference') reference: string) {
    return getComplaintByReference(ctx, reference);
  }

  @Query(() => ComplaintConnection)
  @Allow('complaints')
  complaints(@Ctx() ctx: RequestContext, @Args() args: ComplaintsArgs) {
    return listComplaints(ctx, args);
  }

  @Mutation(() => ComplaintType)
  @Allow('fileComplaint')
  fileComplaint(@Ctx() ctx: RequestContext, @Args() { input, idempotencyKey }: FileComplaintArgs) {
    return fileComplaint(ctx, input, idempotencyKey);
  }

  /** PII masked per SPEC §3: "***" for COMPLIANCE_OFFICER/ADMIN, child cases for the DPO only. */
  @FieldResolver(() => ComplainantType)
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

  @FieldResolver(() => UserType, { nullable: true })
  assignee(@Root() c: Complaint, @Ctx() ctx: RequestContext) {
    return c.assigneeId ? loaders.user(ctx).load(c.assigneeId) : null;
  }

  @FieldResolver(() => [StageTransitionType])
  async stageHistory(@Root() c: Complaint, @Ctx() ctx: RequestContext): Promise<StageTransitionType[]> {
    const rows = await loaders.stageHistory(ctx).load(known(ctx, c));
    return rows.map((t) => ({ from: t.fromStage, to: t.toStage, reason: t.reason, at: t.at, actorId: t.actorId, complaintId: t.complaintId }));
  }

  @FieldResolver(() => [SlaTimerType])
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

  @FieldResolver(() => [NoteType])
  notes(@Root() c: Complaint, @Ctx() ctx: RequestContext) {
    return loaders.notes(ctx).load(known(ctx, c));
  }

  @FieldResolver(() => AuditEventConnection)
  auditTrail(@Root() c: Complaint, @Ctx() ctx: RequestContext, @Args() { first, after }: AuditPageArgs) {
    return auditTrail(ctx, c.id, first, after);
  }
}
