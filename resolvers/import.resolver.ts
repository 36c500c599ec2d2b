import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { importComplaints } from '../src/services/complaint-import.service';
import { ImportComplaintsArgs, ImportResultType } from './types/import';

@Resolver()
export class ImportResolver {
  @Mutation(() => [ImportResultType], {
    description: 'Files up to 1,000 complaints, each on its own (SPEC §11); results by index. Importing the same items again changes nothing.',
  })
  @Allow('importComplaints')
  importComplaints(@Ctx() ctx: RequestContext, @Args() { items }: ImportComplaintsArgs) {
    return importComplaints(ctx, items);
  }
}
