import { ArrayMaxSize, IsOptional, Length, Matches, Max, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ComplaintStage, DataSubjectRight, Regime, SlaKind, SlaStartEvent, SlaTimerStatus } from '../../src/domain/enums';
import { PageArgsOf } from './inputs';
import { DateTimeScalar } from './scalars';
import { SlaTimerType } from './objects';
import './enums';

@InputType()
export class SlaPolicyInput {
  @Field(() => Regime) regime: Regime;
  @Field(() => ComplaintStage) stage: ComplaintStage;
  @Field(() => SlaKind) kind: SlaKind;
  @Field({ description: 'ISO-8601 duration: P1M, P45D, PT24H' }) @Length(2, 40) duration: string;
  @Field() businessDays: boolean;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(2, 40) extension?: string | null;
  @Field(() => Int, { nullable: true, defaultValue: 80 }) @Min(1) @Max(99) warnAtPercent: number;
  @Field() pausable: boolean;
  @Field(() => SlaStartEvent, { nullable: true, defaultValue: SlaStartEvent.STAGE_ENTERED }) startsOn: SlaStartEvent;
  @Field({ description: 'legal basis, e.g. "GDPR Art. 12(3)"' }) @Length(1, 500) @Matches(/\S/, { message: 'must not be blank' }) source: string;
  @Field(() => [DataSubjectRight], { nullable: true, description: 'applies only to complaints invoking one of these; null or empty: every complaint of the regime' })
  @IsOptional() @ArrayMaxSize(20) rights?: DataSubjectRight[] | null;
}

@ArgsType()
export class SlaTimersArgs extends PageArgsOf(50) {
  @Field(() => [SlaTimerStatus], { nullable: true }) @IsOptional() status?: SlaTimerStatus[] | null;
  @Field(() => DateTimeScalar, { nullable: true }) @IsOptional() dueBefore?: Date | null;
}

@ArgsType()
export class ExtendSlaTimerArgs {
  @Field(() => ID) @Length(1, 100) timerId: string;
  @Field() @Length(1, 2000) @Matches(/\S/, { message: 'must not be blank' }) reason: string;
}

@InputType()
export class TenantSettingsInput {
  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. Europe/Berlin' }) @IsOptional() @Length(1, 64) timeZone?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2 country whose public holidays are not business days; null for weekends only' })
  @IsOptional() @Length(2, 2) holidayCountry?: string | null;
}

@ObjectType('TenantSettings', { description: "The tenant's calendar; changes apply to timers started afterwards." })
export class TenantSettingsType {
  @Field(() => ID) id: string;
  @Field() timeZone: string;
  @Field(() => String, { nullable: true }) holidayCountry: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) contractTerminatedAt: Date | null;
  @Field(() => Int) retentionDays: number;
}

@ObjectType('SlaAlert')
export class SlaAlertType {
  @Field(() => SlaTimerType) timer: SlaTimerType;
  @Field(() => ID) complaintId: string;
  @Field() reference: string;
  @Field({ description: 'WARNING | BREACHED' }) kind: string;
}
