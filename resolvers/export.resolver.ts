import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { CSV_REPORT_PATH } from '../src/http/csv-report';
import { createExportLink } from '../src/services/export.service';
import { CsvExportUrlArgs } from './types/export-args';

/** SPEC §8: the CSV export as a link a browser can follow (it cannot send a bearer header). */
@Resolver()
export class ExportResolver {
  @Mutation(() => String, { description: 'A one-use absolute URL of the complaints CSV for this window and this caller, valid five minutes.' })
  @Allow('csvExportUrl')
  async csvExportUrl(@Ctx() ctx: RequestContext, @Args() { from, to }: CsvExportUrlArgs) {
    const { token } = await createExportLink(ctx, from, to);
    return `${ctx.publicUrl ?? ''}${CSV_REPORT_PATH}?token=${token}`;
  }
}
