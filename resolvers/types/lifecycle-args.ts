import { IsOptional, Length, Matches, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, Int } from 'type-graphql';
import { ComplaintOutcome, ComplaintStage } from '../../src/domain/enums';
import { IsNotInFuture } from '../../src/validation';
import { UpdateComplainantInput } from './inputs';
import { DateTimeScalar } from './scalars';

const NOT_BLANK = { message: 'must not be blank' };

@ArgsType()
export class VersionedArgs {
  @Field(() => ID) @Length(1, 100)
  id: string;

  @Field(() => Int, { nullable: true }) @IsOptional() @Min(1)
  expectedVersion?: number | null;
}

@ArgsType()
export class ReasonArgs extends VersionedArgs {
  @Field() @Length(1, 2000) @Matches(/\S/, NOT_BLANK)
  reason: string;
}

@ArgsType()
export class AssignArgs extends VersionedArgs {
  @Field(() => ID) @Length(1, 200)
  assigneeId: string;
}

@ArgsType()
export class UpdateComplainantArgs extends VersionedArgs {
  @Field(() => UpdateComplainantInput) @ValidateNested()
  input: UpdateComplainantInput;
}

@ArgsType()
export class EscalateArgs extends ReasonArgs {
  @Field(() => ComplaintStage)
  to: ComplaintStage;
}

@ArgsType()
export class ResolveArgs extends VersionedArgs {
  @Field(() => ComplaintOutcome)
  outcome: ComplaintOutcome;

  @Field() @Length(1, 5000) @Matches(/\S/, NOT_BLANK)
  summary: string;
}

@ArgsType()
export class PanelAdviceArgs extends VersionedArgs {
  @Field() @Length(1, 5000) @Matches(/\S/, NOT_BLANK)
  summary: string;

  @Field(() => DateTimeScalar, { nullable: true }) @IsOptional() @IsNotInFuture()
  deliveredAt?: Date | null;
}

@ArgsType()
export class AddNoteArgs {
  @Field(() => ID) @Length(1, 100)
  complaintId: string;

  @Field() @Length(1, 10000) @Matches(/\S/, NOT_BLANK)
  body: string;

  @Field({ nullable: true, defaultValue: true })
  internal: boolean;
}

@ArgsType()
export class PersonalDataBreachArgs extends VersionedArgs {
  @Field(() => DateTimeScalar, { description: 'when the controller became aware of the breach; may be in the past, never in the future' }) @IsNotInFuture()
  awareAt: Date;

  @Field({ description: 'free text: masked like description' }) @Length(1, 5000) @Matches(/\S/, NOT_BLANK)
  summary: string;
}

@ArgsType()
export class AuthorityNotifiedArgs extends VersionedArgs {
  @Field(() => DateTimeScalar, { description: "not before the breach's awareAt, not in the future" }) @IsNotInFuture()
  notifiedAt: Date;

  @Field({ description: 'the supervisory authority notified, e.g. "BfDI"' }) @Length(1, 200) @Matches(/\S/, NOT_BLANK)
  authority: string;

  @Field(() => String, { nullable: true, description: "the authority's reference for the notification" }) @IsOptional() @Length(1, 200)
  reference?: string | null;
}
