import { IsOptional, Length, Matches, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, Int } from 'type-graphql';
import { ComplaintOutcome, ComplaintStage } from '../../src/domain/enums';
import { IsNotInFuture } from '../../src/validation';
import { UpdateComplainantInput } from './inputs';
import { DateTimeScalar } from './scalars';

const NOT_BLANK = { message: 'must not be blank' };

@ArgsType()
export class VersionedArgs {
  @Field(() => ID, { description: "The complaint's id; NOT_FOUND when not in the caller's tenant." })
  @Length(1, 100)
  id: string;

  @Field(() => Int, { nullable: true, description: 'The version the client last read: CONFLICT if the case has moved on since; null or omitted: no check.' })
  @IsOptional()
  @Min(1)
  expectedVersion?: number | null;
}

@ArgsType()
export class ReasonArgs extends VersionedArgs {
  @Field({ description: 'Why (required, 1-2000 characters; free text: masked like description).' })
  @Length(1, 2000)
  @Matches(/\S/, NOT_BLANK)
  reason: string;
}

@ArgsType()
export class AssignArgs extends VersionedArgs {
  @Field(() => ID, { description: 'The user to assign (an AGENT may assign only themselves).' })
  @Length(1, 200)
  assigneeId: string;
}

@ArgsType()
export class UpdateComplainantArgs extends VersionedArgs {
  @Field(() => UpdateComplainantInput, { description: 'The details to change.' })
  @ValidateNested()
  input: UpdateComplainantInput;
}

@ArgsType()
export class EscalateArgs extends ReasonArgs {
  @Field(() => ComplaintStage, { description: "The stage to move to: one of the case's availableEscalations, else INVALID_TRANSITION." })
  to: ComplaintStage;
}

@ArgsType()
export class ResolveArgs extends VersionedArgs {
  @Field(() => ComplaintOutcome, { description: 'How the case was decided.' })
  outcome: ComplaintOutcome;

  @Field({ description: 'The resolution summary (1-5000 characters; free text: masked like description).' })
  @Length(1, 5000)
  @Matches(/\S/, NOT_BLANK)
  summary: string;
}

@ArgsType()
export class PanelAdviceArgs extends VersionedArgs {
  @Field({ description: 'The panel advice (1-5000 characters; free text: masked like description).' })
  @Length(1, 5000)
  @Matches(/\S/, NOT_BLANK)
  summary: string;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When the panel delivered its advice (the COMPLY clock starts then); defaults to now; never in the future.',
  })
  @IsOptional()
  @IsNotInFuture()
  deliveredAt?: Date | null;
}

@ArgsType()
export class AddNoteArgs {
  @Field(() => ID, { description: "The case to add the note to; NOT_FOUND when not in the caller's tenant." })
  @Length(1, 100)
  complaintId: string;

  @Field({ description: 'The note, 1-10000 characters (free text: masked like description).' })
  @Length(1, 10000)
  @Matches(/\S/, NOT_BLANK)
  body: string;

  @Field({ nullable: true, defaultValue: true, description: 'Internal to the organisation (the default); null means the default.' })
  internal: boolean;
}

@ArgsType()
export class PersonalDataBreachArgs extends VersionedArgs {
  @Field(() => DateTimeScalar, { description: 'when the controller became aware of the breach; may be in the past, never in the future' })
  @IsNotInFuture()
  awareAt: Date;

  @Field({ description: 'free text: masked like description' })
  @Length(1, 5000)
  @Matches(/\S/, NOT_BLANK)
  summary: string;
}

@ArgsType()
export class AuthorityNotifiedArgs extends VersionedArgs {
  @Field(() => DateTimeScalar, { description: "not before the breach's awareAt, not in the future" })
  @IsNotInFuture()
  notifiedAt: Date;

  @Field({ description: 'the supervisory authority notified, e.g. "BfDI"' })
  @Length(1, 200)
  @Matches(/\S/, NOT_BLANK)
  authority: string;

  @Field(() => String, { nullable: true, description: "the authority's reference for the notification" })
  @IsOptional()
  @Length(1, 200)
  reference?: string | null;
}
