import { ArrayMaxSize, IsOptional, Length, Matches, Max, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ComplaintStage, DataSubjectRight, Regime, SlaKind, SlaStartEvent, SlaTimerStatus } from '../../src/domain/enums';
import { PageArgsOf } from './inputs';
import { DateTimeScalar } from './scalars';
import { SlaTimerType } from './objects';
import './enums';

@InputType({ description: 'A clock rule for upsertSlaPolicy: replaces the policy with the same regime, stage, kind (and rights).' })
export class SlaPolicyInput {
  @Field(() => Regime, { description: 'The regime whose complaints get this clock.' }) regime: Regime;
  @Field(() => ComplaintStage, { description: 'The stage the clock belongs to.' }) stage: ComplaintStage;
  @Field(() => SlaKind, { description: 'What the clock measures.' }) kind: SlaKind;
  @Field({ description: 'ISO-8601 duration: P1M, P45D, PT24H (2-40 characters).' }) @Length(2, 40) duration: string;
  @Field({ description: "Count only business days of the tenant's calendar." }) businessDays: boolean;
  @Field(() => String, { nullable: true, description: 'ISO-8601 duration allowed once as an extension; null or omitted: none.' })
  @IsOptional()
  @Length(2, 40)
  extension?: string | null;
  @Field(() => Int, { nullable: true, defaultValue: 80, description: 'Percentage (1-99) of the span at which the warning fires; null means the default.' })
  @Min(1)
  @Max(99)
  warnAtPercent: number;
  @Field({ description: 'Whether the clock pauses while the case awaits the complainant.' }) pausable: boolean;
  @Field(() => SlaStartEvent, {
    nullable: true,
    defaultValue: SlaStartEvent.STAGE_ENTERED,
    description: 'The event that starts the clock; null means the default.',
  })
  startsOn: SlaStartEvent;
  @Field({ description: 'Legal basis, e.g. "GDPR Art. 12(3)" (1-500 characters).' })
  @Length(1, 500)
  @Matches(/\S/, { message: 'must not be blank' })
  source: string;
  @Field(() => [DataSubjectRight], {
    nullable: true,
    description: 'applies only to complaints invoking one of these; null or empty: every complaint of the regime',
  })
  @IsOptional()
  @ArrayMaxSize(20)
  rights?: DataSubjectRight[] | null;
}

@ArgsType()
export class SlaTimersArgs extends PageArgsOf(50) {
  @Field(() => [SlaTimerStatus], { nullable: true, description: 'Only timers in one of these states; null or omitted: all.' }) @IsOptional() status?:
    SlaTimerStatus[] | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Only timers due before this instant.' }) @IsOptional() dueBefore?: Date | null;
}

@ArgsType()
export class ExtendSlaTimerArgs {
  @Field(() => ID, { description: 'The timer to extend (SlaTimer.id).' }) @Length(1, 100) timerId: string;
  @Field({ description: 'Why (required, 1-2000 characters; free text: masked like description).' })
  @Length(1, 2000)
  @Matches(/\S/, { message: 'must not be blank' })
  reason: string;
}

@InputType({ description: "The tenant's calendar for updateTenantSettings; an omitted field keeps its value." })
export class TenantSettingsInput {
  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. Europe/Berlin' }) @IsOptional() @Length(1, 64) timeZone?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2 country whose public holidays are not business days; null for weekends only' })
  @IsOptional()
  @Length(2, 2)
  holidayCountry?: string | null;
}

@ObjectType('TenantSettings', { description: "The tenant's calendar; changes apply to timers started afterwards." })
export class TenantSettingsType {
  @Field(() => ID, { description: "The tenant id (the tokens' `tid`)." }) id: string;
  @Field({ description: 'IANA time zone of the calendar: months, days and reports are counted in it.' }) timeZone: string;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2 country whose public holidays are not business days; null: weekends only.' })
  holidayCountry: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: "When the tenant's contract ended; null while it runs." }) contractTerminatedAt: Date | null;
  @Field(() => Int, { description: 'Days after contractTerminatedAt at which all the tenant data is purged (at most 90).' }) retentionDays: number;
}

@ObjectType('SlaAlert', { description: 'A clock reached its warning or fell due (slaAlerts subscription).' })
export class SlaAlertType {
  @Field(() => SlaTimerType, { description: 'The timer, as it is after the event.' }) timer: SlaTimerType;
  @Field(() => ID, { description: 'Its case.' }) complaintId: string;
  @Field({ description: "The case's reference, e.g. PC-2026-000042." }) reference: string;
  @Field({ description: 'WARNING | BREACHED' }) kind: string;
}
