import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../src/context';
import { loaders } from '../src/loaders';
import { AuditEventType, NoteType, StageTransitionType, UserType } from './types/objects';

/** The `actor`/`author` of a record, batched. */
async function userOf(ctx: RequestContext, id: string | null): Promise<UserType | null> {
  return id ? loaders.user(ctx).load(id) : null;
}

@Resolver(() => StageTransitionType)
export class StageTransitionResolver {
  @FieldResolver(() => UserType, { nullable: true, description: 'Who moved the case; null for the system.' })
  actor(@Root() t: StageTransitionType, @Ctx() ctx: RequestContext) {
    return userOf(ctx, t.actorId);
  }
}

@Resolver(() => NoteType)
export class NoteResolver {
  @FieldResolver(() => UserType, { nullable: true, description: 'Who wrote the note; null if unknown.' })
  author(@Root() n: NoteType, @Ctx() ctx: RequestContext) {
    return userOf(ctx, n.authorId);
  }
}

@Resolver(() => AuditEventType)
export class AuditEventResolver {
  @FieldResolver(() => UserType, { nullable: true, description: 'null for the system (timers)' })
  actor(@Root() e: AuditEventType, @Ctx() ctx: RequestContext) {
    return userOf(ctx, e.actorId);
  }
}
