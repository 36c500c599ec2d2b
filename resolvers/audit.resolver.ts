import { Arg, Args, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { auditTrail, tenantAuditTrail, verifyAuditTrail, verifyTenantAuditTrail } from '../src/services/audit.service';
import { AuditPageArgs, AuditTrailArgs } from './types/inputs';
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

  @Query(() => AuditEventConnection, { description: "The tenant's own trail: SLA policy, calendar and contract changes." })
  @Allow('tenantAuditTrail')
  tenantAuditTrail(@Ctx() ctx: RequestContext, @Args() { first, after }: AuditPageArgs) {
    return tenantAuditTrail(ctx, first, after);
  }

  @Query(() => AuditVerificationType, { description: "Recomputes the tenant's own hash chain." })
  @Allow('verifyTenantAuditTrail')
  verifyTenantAuditTrail(@Ctx() ctx: RequestContext) {
    return verifyTenantAuditTrail(ctx);
  }
}
