import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ComplaintOutcome, ComplaintStage, DataSubjectRight, Regime, SlaKind } from '../../src/domain/enums';
import { DateTimeScalar } from './scalars';
import './enums';

@ObjectType() export class StageCount { @Field(() => ComplaintStage) stage: ComplaintStage; @Field(() => Int) count: number; }
@ObjectType() export class RightCount { @Field(() => DataSubjectRight) right: DataSubjectRight; @Field(() => Int) count: number; }
@ObjectType() export class OutcomeCount { @Field(() => ComplaintOutcome) outcome: ComplaintOutcome; @Field(() => Int) count: number; }
@ObjectType() export class RegimeCount { @Field(() => Regime) regime: Regime; @Field(() => Int) count: number; }

@ObjectType()
export class AgingBucket {
  @Field() label: string;
  @Field(() => Int) minDays: number;
  @Field(() => Int, { nullable: true }) maxDays: number | null;
  @Field(() => Int) count: number;
}

@ObjectType()
export class SlaKindSummary {
  @Field(() => SlaKind) kind: SlaKind;
  @Field(() => Int) met: number;
  @Field(() => Int) breached: number;
  @Field(() => Float, { nullable: true }) complianceRate: number | null;
}

@ObjectType()
export class SlaSummary {
  @Field(() => Int) met: number;
  @Field(() => Int) breached: number;
  @Field(() => Int) running: number;
  @Field(() => Float, { nullable: true }) complianceRate: number | null;
  @Field(() => [SlaKindSummary]) byKind: SlaKindSummary[];
}

@ObjectType()
export class ComplianceReport {
  @Field(() => DateTimeScalar) from: Date;
  @Field(() => DateTimeScalar) to: Date;
  @Field(() => Int) received: number;
  @Field(() => Int) resolved: number;
  @Field(() => Int) openAtEnd: number;
  @Field(() => [StageCount]) byStage: StageCount[];
  @Field(() => [RightCount]) byRight: RightCount[];
  @Field(() => [OutcomeCount]) byOutcome: OutcomeCount[];
  @Field(() => [RegimeCount]) byRegime: RegimeCount[];
  @Field(() => SlaSummary) sla: SlaSummary;
  @Field(() => Float, { nullable: true }) medianDaysToResolution: number | null;
  @Field(() => Float, { nullable: true }) p90DaysToResolution: number | null;
  @Field(() => Float, { nullable: true, description: 'share of complaints received in the window that left INTERNAL_DPO' }) escalationRate: number | null;
  @Field(() => [AgingBucket], { description: 'open at `to`: 0-7, 8-30, 31-45, 46-90, 91+ days' }) aging: AgingBucket[];
}
