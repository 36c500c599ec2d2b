import { IsOptional, Length, Matches, Max, Min } from 'class-validator';
import { ArgsType, Field, ID, Int } from 'type-graphql';
import { DateTimeScalar } from './scalars';

@ArgsType()
export class ReasonIdArgs {
  @Field(() => ID, { description: "The complaint's id; NOT_FOUND when not in the caller's tenant." }) @Length(1, 100) id: string;
  @Field({ description: 'Why (required, 1-2000 characters; free text).' }) @Length(1, 2000) @Matches(/\S/, { message: 'must not be blank' }) reason: string;
}

@ArgsType()
export class TerminateContractArgs {
  @Field(() => DateTimeScalar, { nullable: true, description: 'defaults to now; null withdraws a termination not yet purged' })
  @IsOptional()
  terminatedAt?: Date | null;

  // SPEC §7: 90 days, configurable, never more.
  @Field(() => Int, {
    nullable: true,
    defaultValue: 90,
    description: 'Days (0-90) after termination at which all the tenant data is purged; null means the default.',
  })
  @Min(0)
  @Max(90, { message: 'must not exceed 90 days' })
  retentionDays: number;
}
