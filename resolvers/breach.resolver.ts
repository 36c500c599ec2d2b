import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { recordAuthorityNotified, recordPersonalDataBreach } from '../src/services/personal-data-breach.service';
import { AuthorityNotifiedArgs, PersonalDataBreachArgs } from './types/lifecycle-args';
import { ComplaintType } from './types/objects';

/** Personal data breaches a case revealed (SPEC §4): the DPO records them and the authority's notification. */
@Resolver()
export class BreachResolver {
  @Mutation(() => ComplaintType, { description: 'Records a personal data breach once per case; starts the NOTIFY_AUTHORITY clocks from awareAt (DPO).' })
  @Allow('recordPersonalDataBreach')
  recordPersonalDataBreach(@Ctx() ctx: RequestContext, @Args() { id, awareAt, summary, expectedVersion }: PersonalDataBreachArgs) {
    return recordPersonalDataBreach(ctx, id, awareAt, summary, expectedVersion);
  }

  @Mutation(() => ComplaintType, { description: 'Records that the supervisory authority was notified; meets the NOTIFY_AUTHORITY clocks (DPO).' })
  @Allow('recordAuthorityNotified')
  recordAuthorityNotified(@Ctx() ctx: RequestContext, @Args() { id, notifiedAt, authority, reference, expectedVersion }: AuthorityNotifiedArgs) {
    return recordAuthorityNotified(ctx, id, notifiedAt, authority, reference, expectedVersion);
  }
}
