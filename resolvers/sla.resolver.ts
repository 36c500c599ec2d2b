import { Arg, Args, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { loaders } from '../src/loaders';
import { listSlaPolicies, upsertSlaPolicy } from '../src/services/sla-policy.service';
import { listSlaTimers, remainingSecondsOf } from '../src/services/sla-query.service';
import { explainTimer, extensionReasonFor } from '../src/services/sla-explanation.service';
import { extendSlaTimer } from '../src/services/sla-timers.service';
import { getTenant, updateTenantSettings } from '../src/services/tenant.service';
import type { SlaTimer } from '../entities';
import { DueStepType, SlaPolicyType, SlaTimerConnection, SlaTimerType } from './types/objects';
import { ExtendSlaTimerArgs, SlaPolicyInput, SlaTimersArgs, TenantSettingsInput, TenantSettingsType } from './types/sla';

@Resolver(() => SlaTimerType)
export class SlaResolver {
  @Query(() => SlaTimerConnection, { description: "A page of the tenant's clocks, soonest due first. Any role. BAD_USER_INPUT for first > 100." })
  @Allow('slaTimers')
  slaTimers(@Ctx() ctx: RequestContext, @Args() args: SlaTimersArgs) {
    return listSlaTimers(ctx, args);
  }

  @Query(() => [SlaPolicyType], { description: "The tenant's SLA policies (the presets of SPEC §5 and an ADMIN's changes). Any role." })
  @Allow('slaPolicies')
  slaPolicies(@Ctx() ctx: RequestContext) {
    return listSlaPolicies(ctx);
  }

  @Mutation(() => SlaPolicyType, {
    description:
      'Creates or replaces the policy with the same regime, stage, kind (and rights); applies to clocks started afterwards. ADMIN. BAD_USER_INPUT for a duration the calendar cannot add; FORBIDDEN for other roles.',
  })
  @Allow('upsertSlaPolicy')
  upsertSlaPolicy(@Ctx() ctx: RequestContext, @Arg('input', () => SlaPolicyInput, { description: 'The policy.' }) input: SlaPolicyInput) {
    return upsertSlaPolicy(ctx, { ...input, extension: input.extension ?? null, rights: input.rights ?? null });
  }

  @Mutation(() => SlaTimerType, {
    description:
      'Extends a clock once by its policy extension, before it is due; dueAt moves by the extension. DPO. INVALID_TRANSITION (no extension, already extended, SLA_ALREADY_DUE); NOT_FOUND; FORBIDDEN for other roles.',
  })
  @Allow('extendSlaTimer')
  extendSlaTimer(@Ctx() ctx: RequestContext, @Args() { timerId, reason }: ExtendSlaTimerArgs) {
    return extendSlaTimer(ctx, timerId, reason);
  }

  @Query(() => TenantSettingsType, { description: "The tenant's calendar and contract settings. Any role." })
  @Allow('tenantSettings')
  tenantSettings(@Ctx() ctx: RequestContext) {
    return getTenant(ctx);
  }

  @Mutation(() => TenantSettingsType, {
    description: "Changes the tenant's calendar; applies to clocks started afterwards. ADMIN. BAD_USER_INPUT for an unknown zone or country.",
  })
  @Allow('updateTenantSettings')
  updateTenantSettings(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => TenantSettingsInput, { description: 'The settings to change.' }) input: TenantSettingsInput,
  ) {
    return updateTenantSettings(ctx, input);
  }

  @FieldResolver(() => Int, { nullable: true, description: 'RUNNING/PAUSED only; 0 once due; null otherwise' })
  remainingSeconds(@Root() timer: SlaTimer) {
    return remainingSecondsOf(timer);
  }

  @FieldResolver(() => [DueStepType], { description: "in order; the last step is DUE at dueAt: the answer to 'why is it due then'" })
  explanation(@Root() timer: SlaTimer, @Ctx() ctx: RequestContext) {
    return explainTimer(ctx, timer);
  }

  @FieldResolver(() => String, { nullable: true, description: 'free text: masked for COMPLIANCE_OFFICER and ADMIN, and on a child case for all but the DPO' })
  extensionReason(@Root() timer: SlaTimer, @Ctx() ctx: RequestContext) {
    return extensionReasonFor(ctx, timer);
  }

  @FieldResolver(() => SlaPolicyType, {
    nullable: true,
    description: 'The policy it was started from, as it is now (the timer keeps the terms it started with); null for a clock without one.',
  })
  policy(@Root() timer: SlaTimer, @Ctx() ctx: RequestContext) {
    return timer.policyId ? loaders.slaPolicy(ctx).load(timer.policyId) : null;
  }
}
