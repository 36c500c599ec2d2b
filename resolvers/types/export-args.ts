import { Length } from 'class-validator';
import { ArgsType, Field } from 'type-graphql';

const WINDOW_END = "A date (2026-11-30: the whole day in the tenant's time zone, inclusive) or an ISO-8601 instant with offset.";

@ArgsType()
export class CsvExportUrlArgs {
  @Field({ description: `Start of the window. ${WINDOW_END}` }) @Length(1, 64) from: string;
  @Field({ description: `End of the window. ${WINDOW_END}` }) @Length(1, 64) to: string;
}
