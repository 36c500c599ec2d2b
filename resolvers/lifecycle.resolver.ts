import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { acknowledgeComplaint, addNote, assignComplaint, updateComplainant } from '../src/services/complaint-casework.service';
import {
  awaitComplainant,
  closeComplaint,
  escalateComplaint,
  recordPanelAdvice,
  reopenComplaint,
  resolveComplaint,
  resumeComplaint,
} from '../src/services/complaint-lifecycle.service';
import { AddNoteArgs, AssignArgs, EscalateArgs, PanelAdviceArgs, ReasonArgs, ResolveArgs, UpdateComplainantArgs, VersionedArgs } from './types/lifecycle-args';
import { ComplaintType, NoteType } from './types/objects';

/** Errors every lifecycle mutation may raise, told to the client in each description. */
const ERRORS =
  'Errors: INVALID_TRANSITION naming the rule broken; CONFLICT when expectedVersion is stale; NOT_FOUND; FORBIDDEN for other roles; BAD_USER_INPUT with fields.';

/** The case lifecycle of SPEC §4: each mutation is one service call. */
@Resolver()
export class LifecycleResolver {
  @Mutation(() => ComplaintType, {
    description: `Acknowledges receipt: sets acknowledgedAt once and meets the ACKNOWLEDGE clocks; a second call changes nothing. AGENT, DPO. ${ERRORS}`,
  })
  @Allow('acknowledgeComplaint')
  acknowledgeComplaint(@Ctx() ctx: RequestContext, @Args() { id, expectedVersion }: VersionedArgs) {
    return acknowledgeComplaint(ctx, id, expectedVersion);
  }

  @Mutation(() => ComplaintType, { description: `Assigns the case to a user of the tenant. DPO: anyone; AGENT: themselves only (else FORBIDDEN). ${ERRORS}` })
  @Allow('assignComplaint')
  assignComplaint(@Ctx() ctx: RequestContext, @Args() { id, assigneeId, expectedVersion }: AssignArgs) {
    return assignComplaint(ctx, id, assigneeId, expectedVersion);
  }

  @Mutation(() => NoteType, {
    description: 'Adds a note to a case (audited without its body). AGENT, DPO. NOT_FOUND; BAD_USER_INPUT; FORBIDDEN for other roles.',
  })
  @Allow('addNote')
  addNote(@Ctx() ctx: RequestContext, @Args() { complaintId, body, internal }: AddNoteArgs) {
    return addNote(ctx, complaintId, body, internal);
  }

  @Mutation(() => ComplaintType, {
    description: `Corrects the complainant's details (audited without values); refused after erasure (INVALID_TRANSITION). AGENT, DPO. ${ERRORS}`,
  })
  @Allow('updateComplainant')
  updateComplainant(@Ctx() ctx: RequestContext, @Args() { id, input, expectedVersion }: UpdateComplainantArgs) {
    return updateComplainant(ctx, id, input, expectedVersion);
  }

  @Mutation(() => ComplaintType, {
    description: `Moves the case up its escalation path, as the escalation table allows (see availableEscalations); status becomes OPEN, the old stage's clocks are cancelled and the new stage's start. DPO. ${ERRORS}`,
  })
  @Allow('escalateComplaint')
  escalateComplaint(@Ctx() ctx: RequestContext, @Args() { id, to, reason, expectedVersion }: EscalateArgs) {
    return escalateComplaint(ctx, id, to, reason, expectedVersion);
  }

  @Mutation(() => ComplaintType, { description: `OPEN -> AWAITING_COMPLAINANT: pausable clocks pause. AGENT, DPO. ${ERRORS}` })
  @Allow('awaitComplainant')
  awaitComplainant(@Ctx() ctx: RequestContext, @Args() { id, reason, expectedVersion }: ReasonArgs) {
    return awaitComplainant(ctx, id, reason, expectedVersion);
  }

  @Mutation(() => ComplaintType, { description: `AWAITING_COMPLAINANT -> OPEN: paused clocks resume with the time they had left. AGENT, DPO. ${ERRORS}` })
  @Allow('resumeComplaint')
  resumeComplaint(@Ctx() ctx: RequestContext, @Args() { id, expectedVersion }: VersionedArgs) {
    return resumeComplaint(ctx, id, expectedVersion);
  }

  @Mutation(() => ComplaintType, { description: `Records the DPA panel advice (stage DPA_PANEL only) and starts the COMPLY clock. DPO. ${ERRORS}` })
  @Allow('recordPanelAdvice')
  recordPanelAdvice(@Ctx() ctx: RequestContext, @Args() { id, summary, deliveredAt, expectedVersion }: PanelAdviceArgs) {
    return recordPanelAdvice(ctx, id, summary, deliveredAt, expectedVersion);
  }

  @Mutation(() => ComplaintType, {
    description: `OPEN or AWAITING_COMPLAINANT -> RESOLVED with an outcome and a summary; the stage clocks are MET. DPO. ${ERRORS}`,
  })
  @Allow('resolveComplaint')
  resolveComplaint(@Ctx() ctx: RequestContext, @Args() { id, outcome, summary, expectedVersion }: ResolveArgs) {
    return resolveComplaint(ctx, id, outcome, summary, expectedVersion);
  }

  @Mutation(() => ComplaintType, { description: `RESOLVED -> OPEN at the same stage; its stage-entered clocks start afresh. DPO. ${ERRORS}` })
  @Allow('reopenComplaint')
  reopenComplaint(@Ctx() ctx: RequestContext, @Args() { id, reason, expectedVersion }: ReasonArgs) {
    return reopenComplaint(ctx, id, reason, expectedVersion);
  }

  @Mutation(() => ComplaintType, { description: `RESOLVED -> CLOSED: final, only erasure touches a closed case. DPO. ${ERRORS}` })
  @Allow('closeComplaint')
  closeComplaint(@Ctx() ctx: RequestContext, @Args() { id, expectedVersion }: VersionedArgs) {
    return closeComplaint(ctx, id, expectedVersion);
  }
}
