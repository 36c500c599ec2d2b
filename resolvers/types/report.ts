import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ReadOrigin } from '../../src/db/read-replica';
import { ComplaintOutcome, ComplaintStage, DataSubjectRight, Regime, SlaKind } from '../../src/domain/enums';
import { DateTimeScalar } from './scalars';
import './enums';

registerEnumType(ReadOrigin, {
  name: 'ReadOrigin',
  description: 'Which PostgreSQL server answered a report (SPEC §2: reports may read from a hot standby).',
  valuesConfig: {
    STANDBY: { description: 'The hot standby (DATABASE_READ_URL): its data may lag behind the primary; see dataAsOf and replicaLagSeconds.' },
    PRIMARY: { description: 'The primary: no standby is configured, it is unreachable, or it cancelled the read; the data is current.' },
  },
});

@ObjectType({ description: 'Complaints received in the window, by their current stage.' })
export class StageCount {
  @Field(() => ComplaintStage, { description: 'The stage.' }) stage: ComplaintStage;
  @Field(() => Int, { description: 'Complaints at that stage.' }) count: number;
}
@ObjectType({ description: 'Complaints received in the window that invoke a right (one complaint counts for each of its rights).' })
export class RightCount {
  @Field(() => DataSubjectRight, { description: 'The right.' }) right: DataSubjectRight;
  @Field(() => Int, { description: 'Complaints invoking it.' }) count: number;
}
@ObjectType({ description: 'Complaints resolved in the window, by outcome.' })
export class OutcomeCount {
  @Field(() => ComplaintOutcome, { description: 'The outcome.' }) outcome: ComplaintOutcome;
  @Field(() => Int, { description: 'Complaints with that outcome.' }) count: number;
}
@ObjectType({ description: 'Complaints received in the window under a regime (one complaint counts for each of its regimes).' })
export class RegimeCount {
  @Field(() => Regime, { description: 'The regime.' }) regime: Regime;
  @Field(() => Int, { description: 'Complaints under it.' }) count: number;
}

@ObjectType({ description: 'Complaints open at `to`, by whole days since receivedAt.' })
export class AgingBucket {
  @Field({ description: 'The bucket: 0-7, 8-30, 31-45, 46-90 or 91+.' }) label: string;
  @Field(() => Int, { description: 'Fewest days open in the bucket (inclusive).' }) minDays: number;
  @Field(() => Int, { nullable: true, description: 'Most days open in the bucket (inclusive); null for the open-ended 91+.' }) maxDays: number | null;
  @Field(() => Int, { description: 'Complaints in the bucket.' }) count: number;
}

@ObjectType({ description: 'SLA results for one kind of clock.' })
export class SlaKindSummary {
  @Field(() => SlaKind, { description: 'The kind of clock.' }) kind: SlaKind;
  @Field(() => Int, { description: 'Clocks of that kind met.' }) met: number;
  @Field(() => Int, { description: 'Clocks of that kind breached.' }) breached: number;
  @Field(() => Float, { nullable: true, description: 'met / (met + breached), 0 to 1; null when both are 0.' }) complianceRate: number | null;
}

@ObjectType({ description: 'SLA results of the clocks of the complaints received in the window.' })
export class SlaSummary {
  @Field(() => Int, { description: 'Clocks met.' }) met: number;
  @Field(() => Int, { description: 'Clocks breached.' }) breached: number;
  @Field(() => Int, { description: 'Clocks still running or paused.' }) running: number;
  @Field(() => Float, { nullable: true, description: 'met / (met + breached), 0 to 1; null when both are 0.' }) complianceRate: number | null;
  @Field(() => [SlaKindSummary], { description: 'The same per kind of clock, for the kinds that have clocks.' }) byKind: SlaKindSummary[];
}

@ObjectType({ description: "The tenant's complaint handling over a window [from, to], computed in SQL; no PII." })
export class ComplianceReport {
  @Field(() => DateTimeScalar, { description: 'Start of the window (inclusive).' }) from: Date;
  @Field(() => DateTimeScalar, { description: 'End of the window (inclusive).' }) to: Date;
  @Field(() => Int, { description: 'Complaints received in the window.' }) received: number;
  @Field(() => Int, { description: 'Complaints resolved in the window.' }) resolved: number;
  @Field(() => Int, { description: 'Complaints received by `to` and not resolved by then (the sum of `aging`).' }) openAtEnd: number;
  @Field(() => [StageCount], { description: 'Complaints received in the window, by current stage.' }) byStage: StageCount[];
  @Field(() => [RightCount], { description: 'Complaints received in the window, by right invoked.' }) byRight: RightCount[];
  @Field(() => [OutcomeCount], { description: 'Complaints resolved in the window, by outcome.' }) byOutcome: OutcomeCount[];
  @Field(() => [RegimeCount], { description: 'Complaints received in the window, by regime.' }) byRegime: RegimeCount[];
  @Field(() => SlaSummary, { description: 'How the clocks fared.' }) sla: SlaSummary;
  @Field(() => Float, { nullable: true, description: 'Median days from receivedAt to resolvedAt of the complaints resolved in the window; null when none.' })
  medianDaysToResolution: number | null;
  @Field(() => Float, { nullable: true, description: '90th percentile of the same, in days; null when none.' }) p90DaysToResolution: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Share (0 to 1) of complaints received in the window that left INTERNAL_DPO; null when none were received.',
  })
  escalationRate: number | null;
  @Field(() => [AgingBucket], { description: 'Open at `to`: 0-7, 8-30, 31-45, 46-90, 91+ days.' }) aging: AgingBucket[];
  @Field(() => ReadOrigin, { description: 'The server that answered: the hot standby when DATABASE_READ_URL is set and it answers, else the primary.' })
  readFrom: ReadOrigin;
  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'Every change committed up to this instant is counted (the figures come from one snapshot). From the primary or a standby that has replayed all it received: the time of the read. From a standby with WAL still to replay: the commit time of the last transaction it replayed. Null when a standby cannot tell (nothing replayed since it started).',
  })
  dataAsOf: Date | null;
  @Field(() => Float, {
    nullable: true,
    description:
      "How far the standby that answered was behind, in seconds: 0 when it had replayed all it received, else the time since dataAsOf (as exact as the two servers' clocks agree). Null when the primary answered, or a standby cannot tell.",
  })
  replicaLagSeconds: number | null;
}
