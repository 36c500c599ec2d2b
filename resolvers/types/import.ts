import { ArrayMaxSize } from 'class-validator';
import { ArgsType, Field, InputType, Int, ObjectType } from 'type-graphql';
import { FileComplaintInput } from './inputs';
import { ComplaintType } from './objects';
import { JSONScalar } from './scalars';

/** SPEC §11: one import takes at most this many complaints. */
export const MAX_IMPORT_ITEMS = 1000;

@InputType({ description: 'One complaint of a bulk import, with its own idempotency key (the key space of fileComplaint).' })
export class ImportComplaintInput {
  @Field({ description: 'filing the same key with the same complaint again returns the first complaint' })
  idempotencyKey: string;

  @Field(() => FileComplaintInput, { description: 'the complaint, as fileComplaint takes it (receivedAt may be back-dated)' })
  complaint: FileComplaintInput;
}

/** Items are validated one by one in the service, so one bad item fails only itself. */
@ArgsType()
export class ImportComplaintsArgs {
  @Field(() => [ImportComplaintInput], { description: `at most ${MAX_IMPORT_ITEMS} complaints` })
  @ArrayMaxSize(MAX_IMPORT_ITEMS, { message: `must not exceed ${MAX_IMPORT_ITEMS} items` })
  items: ImportComplaintInput[];
}

@ObjectType('ImportError', { description: 'Why one item of an import was not filed.' })
export class ImportErrorType {
  @Field({ description: 'the error code of SPEC §9, e.g. BAD_USER_INPUT, IDEMPOTENCY_KEY_REUSED' })
  code: string;

  @Field({ description: 'what went wrong' })
  message: string;

  @Field(() => JSONScalar, { nullable: true, description: 'field path → message, for BAD_USER_INPUT (e.g. items.3.complaint.complainant.email)' })
  fields: Record<string, string> | null;
}

@ObjectType('ImportResult', { description: 'The outcome of one import item, by its index in the request.' })
export class ImportResultType {
  @Field(() => Int, { description: 'the index of the item in the request' })
  index: number;

  @Field(() => ComplaintType, { nullable: true, description: 'the filed complaint (or the one filed earlier under the same key)' })
  complaint: ComplaintType | null;

  @Field(() => ImportErrorType, { nullable: true, description: 'set when the item was not filed' })
  error: ImportErrorType | null;
}
