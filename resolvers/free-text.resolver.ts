import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../src/context';
import { maskFreeText } from '../src/domain/free-text';
import { readableText } from '../src/services/free-text-view';
import type { Complaint, Note, SlaTimer } from '../entities';
import { ComplaintType, NoteType, SlaTimerType, StageTransitionType } from './types/objects';

/**
 * SPEC §3: every free-text field of a case (src/domain/free-text.ts) as the caller may
 * read it: "***" for a role that may not, whether or not the field holds a value.
 */
@Resolver(() => ComplaintType)
export class ComplaintTextResolver {
  @FieldResolver(() => String)
  summary(@Root() c: Complaint, @Ctx() ctx: RequestContext) {
    return maskFreeText(ctx.user, c, 'summary', c.summary);
  }

  @FieldResolver(() => String)
  description(@Root() c: Complaint, @Ctx() ctx: RequestContext) {
    return maskFreeText(ctx.user, c, 'description', c.description);
  }

  @FieldResolver(() => String, { nullable: true })
  resolutionSummary(@Root() c: Complaint, @Ctx() ctx: RequestContext) {
    return maskFreeText(ctx.user, c, 'resolutionSummary', c.resolutionSummary);
  }
}

@Resolver(() => NoteType)
export class NoteTextResolver {
  @FieldResolver(() => String)
  body(@Root() n: Note, @Ctx() ctx: RequestContext) {
    return readableText(ctx, n.complaintId, 'note.body', n.body);
  }
}

@Resolver(() => StageTransitionType)
export class StageTransitionTextResolver {
  @FieldResolver(() => String)
  reason(@Root() t: StageTransitionType, @Ctx() ctx: RequestContext) {
    return readableText(ctx, t.complaintId, 'reason', t.reason);
  }
}

@Resolver(() => SlaTimerType)
export class SlaTimerTextResolver {
  @FieldResolver(() => String, { nullable: true, description: 'Why it was extended (free text: masked like description); null if not extended.' })
  extensionReason(@Root() timer: SlaTimer, @Ctx() ctx: RequestContext) {
    return readableText(ctx, timer.complaintId, 'extensionReason', timer.extensionReason);
  }
}
