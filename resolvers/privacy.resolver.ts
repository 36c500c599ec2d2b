import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { eraseComplainantData } from '../src/services/erasure.service';
import { complianceReport } from '../src/services/report.service';
import { terminateContract } from '../src/services/retention.service';
import { ReasonIdArgs, TerminateContractArgs } from './types/privacy-args';
import { ComplaintType } from './types/objects';
import { ComplianceReport } from './types/report';
import { DateTimeScalar } from './types/scalars';
import { TenantSettingsType } from './types/sla';

/** Reports (SPEC §8) and privacy operations (SPEC §7). */
@Resolver()
export class PrivacyResolver {
  @Query(() => ComplianceReport, {
    description:
      "The tenant's figures over [from, to] (SPEC §8). DPO, COMPLIANCE_OFFICER, ADMIN. BAD_USER_INPUT when to is before from or the window is out of range.",
  })
  @Allow('complianceReport')
  complianceReport(
    @Ctx() ctx: RequestContext,
    @Arg('from', () => DateTimeScalar, { description: 'Start of the window (inclusive).' }) from: Date,
    @Arg('to', () => DateTimeScalar, { description: 'End of the window (inclusive), not before from.' }) to: Date,
  ) {
    return complianceReport(ctx, from, to);
  }

  @Mutation(() => ComplaintType, {
    description:
      'Erases the complainant (name, email, phone become null, erasedAt set) and every free-text field of the case ("[erased]"), on any status, CLOSED included; the audit chain still verifies. DPO. INVALID_TRANSITION when already erased; NOT_FOUND; FORBIDDEN for other roles.',
  })
  @Allow('eraseComplainantData')
  eraseComplainantData(@Ctx() ctx: RequestContext, @Args() { id, reason }: ReasonIdArgs) {
    return eraseComplainantData(ctx, id, reason);
  }

  @Mutation(() => TenantSettingsType, { description: "Sets the tenant's contract end; its data is purged retentionDays (≤ 90) later. ADMIN." })
  @Allow('terminateContract')
  terminateContract(@Ctx() ctx: RequestContext, @Args() { terminatedAt, retentionDays }: TerminateContractArgs) {
    return terminateContract(ctx, terminatedAt, retentionDays);
  }
}
