import { Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { createAuditCheckpoint, listAuditCheckpoints } from '../src/services/checkpoint.service';
import { AuditCheckpointConnection, AuditCheckpointType } from './types/checkpoint';
import { PageArgs } from './types/inputs';

/** Signed checkpoints of the tenant's audit chains (SPEC §7). */
@Resolver()
export class CheckpointResolver {
  @Query(() => AuditCheckpointConnection, {
    description: 'Signed checkpoints of every chain head of the tenant, newest first. DPO, COMPLIANCE_OFFICER, ADMIN.',
  })
  @Allow('auditCheckpoints')
  auditCheckpoints(@Ctx() ctx: RequestContext, @Args() { first, after }: PageArgs) {
    return listAuditCheckpoints(ctx, first, after);
  }

  @Mutation(() => AuditCheckpointType, {
    description: 'Signs a checkpoint now (the worker also makes one every hour) and delivers it to AUDIT_CHECKPOINT_DIR. ADMIN.',
  })
  @Allow('createAuditCheckpoint')
  createAuditCheckpoint(@Ctx() ctx: RequestContext) {
    return createAuditCheckpoint(ctx);
  }
}
