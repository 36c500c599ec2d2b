import { Arg, Args, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { auditTrail, tenantAuditTrail, verifyAuditTrail, verifyTenantAuditTrail } from '../src/services/audit.service';
import { AuditPageArgs, AuditTrailArgs } from './types/inputs';
import { AuditEventConnection, AuditVerificationType } from './types/objects';

@Resolver()
export class AuditResolver {
  @Query(() => AuditEventConnection, {
    description: "A page of a case's audit trail, by sequence. Any role. NOT_FOUND when the case is not in the caller's tenant.",
  })
  @Allow('auditTrail')
  auditTrail(@Ctx() ctx: RequestContext, @Args() { complaintId, first, after }: AuditTrailArgs) {
    return auditTrail(ctx, complaintId, first, after);
  }

  @Query(() => AuditVerificationType, {
    description:
      "Recomputes a case's hash chain and checks it against the latest signed checkpoint; names the first bad event. DPO, COMPLIANCE_OFFICER, ADMIN. NOT_FOUND; FORBIDDEN for AGENT.",
  })
  @Allow('verifyAuditTrail')
  verifyAuditTrail(@Ctx() ctx: RequestContext, @Arg('complaintId', () => ID, { description: 'The case whose chain to verify.' }) complaintId: string) {
    return verifyAuditTrail(ctx, complaintId);
  }

  @Query(() => AuditEventConnection, {
    description: "The tenant's own trail: SLA policy, calendar and contract changes, checkpoints, evidence downloads. DPO, COMPLIANCE_OFFICER, ADMIN.",
  })
  @Allow('tenantAuditTrail')
  tenantAuditTrail(@Ctx() ctx: RequestContext, @Args() { first, after }: AuditPageArgs) {
    return tenantAuditTrail(ctx, first, after);
  }

  @Query(() => AuditVerificationType, { description: "Recomputes the tenant's own hash chain. DPO, COMPLIANCE_OFFICER, ADMIN." })
  @Allow('verifyTenantAuditTrail')
  verifyTenantAuditTrail(@Ctx() ctx: RequestContext) {
    return verifyTenantAuditTrail(ctx);
  }
}
