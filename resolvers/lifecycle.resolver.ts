import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { acknowledgeComplaint, addNote, assignComplaint, updateComplainant } from '../src/services/complaint-casework.service';
import {
  awaitComplainant, closeComplaint, escalateComplaint, recordPanelAdvice, reopenComplaint, resolveComplaint, resumeComplaint,
} from '../src/services/complaint-lifecycle.service';
import {
  AddNoteArgs, AssignArgs, EscalateArgs, PanelAdviceArgs, ReasonArgs, ResolveArgs, UpdateComplainantArgs, VersionedArgs,
} from './types/lifecycle-args';
import { ComplaintType, NoteType } from './types/objects';

/** The case lifecycle of SPEC §4: each mutation is one service call. */
@Resolver()
export class LifecycleResolver {
  @Mutation(() => ComplaintType)
  @Allow('acknowledgeComplaint')
  acknowledgeComplaint(@Ctx() ctx: RequestContext, @Args() { id, expectedVersion }: VersionedArgs) {
    return acknowledgeComplaint(ctx, id, expectedVersion);
  }

  @Mutation(() => ComplaintType)
  @Allow('assignComplaint')
  assignComplaint(@Ctx() ctx: RequestContext, @Args() { id, assigneeId, expectedVersion }: AssignArgs) {
    return assignComplaint(ctx, id, assigneeId, expectedVersion);
  }

  @Mutation(() => NoteType)
  @Allow('addNote')
  addNote(@Ctx() ctx: RequestContext, @Args() { complaintId, body, internal }: AddNoteArgs) {
    return addNote(ctx, complaintId, body, internal);
  }

  @Mutation(() => ComplaintType)
  @Allow('updateComplainant')
  updateComplainant(@Ctx() ctx: RequestContext, @Args() { id, input, expectedVersion }: UpdateComplainantArgs) {
    return updateComplainant(ctx, id, input, expectedVersion);
  }

  @Mutation(() => ComplaintType)
  @Allow('escalateComplaint')
  escalateComplaint(@Ctx() ctx: RequestContext, @Args() { id, to, reason, expectedVersion }: EscalateArgs) {
    return escalateComplaint(ctx, id, to, reason, expectedVersion);
  }

  @Mutation(() => ComplaintType)
  @Allow('awaitComplainant')
  awaitComplainant(@Ctx() ctx: RequestContext, @Args() { id, reason, expectedVersion }: ReasonArgs) {
    return awaitComplainant(ctx, id, reason, expectedVersion);
  }

  @Mutation(() => ComplaintType)
  @Allow('resumeComplaint')
  resumeComplaint(@Ctx() ctx: RequestContext, @Args() { id, expectedVersion }: VersionedArgs) {
    return resumeComplaint(ctx, id, expectedVersion);
  }

  @Mutation(() => ComplaintType)
  @Allow('recordPanelAdvice')
  recordPanelAdvice(@Ctx() ctx: RequestContext, @Args() { id, summary, deliveredAt, expectedVersion }: PanelAdviceArgs) {
    return recordPanelAdvice(ctx, id, summary, deliveredAt, expectedVersion);
  }

  @Mutation(() => ComplaintType)
  @Allow('resolveComplaint')
  resolveComplaint(@Ctx() ctx: RequestContext, @Args() { id, outcome, summary, expectedVersion }: ResolveArgs) {
    return resolveComplaint(ctx, id, outcome, summary, expectedVersion);
  }

  @Mutation(() => ComplaintType)
  @Allow('reopenComplaint')
  reopenComplaint(@Ctx() ctx: RequestContext, @Args() { id, reason, expectedVersion }: ReasonArgs) {
    return reopenComplaint(ctx, id, reason, expectedVersion);
  }

  @Mutation(() => ComplaintType)
  @Allow('closeComplaint')
  closeComplaint(@Ctx() ctx: RequestContext, @Args() { id, expectedVersion }: VersionedArgs) {
    return closeComplaint(ctx, id, expectedVersion);
  }
}
