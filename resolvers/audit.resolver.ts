import { Arg, Args, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { auditTrail, verifyAuditTrail } from '../src/services/audit.service';
import { AuditTrailArgs } from './types/inputs';
import { AuditEventConnection, AuditVerificationType } from './types/objects';

@Resolver()
export class AuditResolver {
  @Query(() => AuditEventConnection)
  @Allow('auditTrail')
  auditTrail(@Ctx() ctx: RequestContext, @Args() { complaintId, first, after }: AuditTrailArgs) {
    return auditTrail(ctx, complaintId, first, after);
  }

  @Query(() => AuditVerificationType)
  @Allow('verifyAuditTrail')
  verifyAuditTrail(@Ctx() ctx: RequestContext, @Arg('complaintId', () => ID) complaintId: string) {
    return verifyAuditTrail(ctx, complaintId);
  }
}
