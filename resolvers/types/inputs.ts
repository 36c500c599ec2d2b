import {
  ArrayMaxSize, ArrayMinSize, ArrayUnique, IsEmail, IsOptional, Length, Matches, Max, MaxLength, Min, MinDate, ValidateNested,
} from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import {
  ComplaintOrderField, ComplaintStage, ComplaintStatus, DataContext, DataSubjectRight, IntakeChannel, OrderDirection,
  ProcessingRole, Regime,
} from '../../src/domain/enums';
import { IsEmailOrAbsent, IsJurisdiction, IsNotInFuture, RequiresOneOf } from '../../src/validation';
import { DateTimeScalar } from './scalars';
import './enums';

const PHONE = /^\+?[0-9][0-9 ().-]{3,30}$/;
const PHONE_MESSAGE = 'must be a phone number: digits, spaces and + ( ) - . only';
const EARLIEST = new Date('2000-01-01T00:00:00Z');

@InputType()
export class ComplainantInput {
  @Field() @Length(1, 200) @Matches(/\S/, { message: 'must not be blank' })
  name: string;

  // No @IsOptional here: it would skip the one-of check when email is absent.
  @Field(() => String, { nullable: true }) @IsEmailOrAbsent() @RequiresOneOf(['email', 'phone'])
  email?: string | null;

  @Field(() => String, { nullable: true }) @IsOptional() @Matches(PHONE, { message: PHONE_MESSAGE })
  phone?: string | null;

  @Field({ nullable: true, defaultValue: false })
  involvesChildUnder13: boolean;
}

@InputType({ description: 'The regulator that referred the case: required with channel REGULATOR_REFERRAL, refused otherwise.' })
export class RegulatorReferralInput {
  @Field({ description: "the regulator's name, e.g. FTC" }) @Length(1, 200) @Matches(/\S/, { message: 'must not be blank' })
  regulator: string;

  @Field(() => String, { nullable: true, description: "the regulator's case reference" }) @IsOptional() @Length(1, 200)
  reference?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'the deadline the regulator set; one already past is accepted and breaches at once' })
  @IsOptional() @MinDate(EARLIEST, { message: 'must not be before 2000-01-01' })
  respondBy?: Date | null;
}

@InputType()
export class FileComplaintInput {
  @Field(() => ComplainantInput) @ValidateNested()
  complainant: ComplainantInput;

  @Field({ description: 'ISO 3166-1 alpha-2 or ISO 3166-2, e.g. DE, GB, US-CA' }) @IsJurisdiction()
  jurisdiction: string;

  @Field(() => [Regime], { nullable: true, description: 'derived from jurisdiction when omitted' })
  @IsOptional() @ArrayMinSize(1) @ArrayUnique()
  regimes?: Regime[] | null;

  @Field(() => DataContext, { nullable: true, defaultValue: DataContext.CONSUMER })
  dataContext: DataContext;

  @Field(() => ProcessingRole, { nullable: true, defaultValue: ProcessingRole.CONTROLLER })
  processingRole: ProcessingRole;

  @Field(() => [DataSubjectRight], { description: 'at least one' }) @ArrayMinSize(1, { message: 'at least one right is required' }) @ArrayUnique()
  rights: DataSubjectRight[];

  @Field(() => IntakeChannel)
  channel: IntakeChannel;

  @Field() @Length(1, 300) @Matches(/\S/, { message: 'must not be blank' })
  summary: string;

  @Field() @Length(1, 20000) @Matches(/\S/, { message: 'must not be blank' })
  description: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'defaults to now; never in the future' })
  @IsOptional() @IsNotInFuture() @MinDate(EARLIEST, { message: 'must not be before 2000-01-01' })
  receivedAt?: Date | null;

  @Field(() => ID, { nullable: true }) @IsOptional() @Length(1, 200)
  assigneeId?: string | null;

  @Field(() => RegulatorReferralInput, { nullable: true, description: 'required with channel REGULATOR_REFERRAL, refused otherwise' })
  @IsOptional() @ValidateNested()
  regulatorReferral?: RegulatorReferralInput | null;
}

@InputType()
export class UpdateComplainantInput {
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 200) @Matches(/\S/, { message: 'must not be blank' })
  name?: string | null;

  @Field(() => String, { nullable: true }) @IsOptional() @IsEmail({}, { message: 'must be an email address' }) @MaxLength(320)
  email?: string | null;

  @Field(() => String, { nullable: true }) @IsOptional() @Matches(PHONE, { message: PHONE_MESSAGE })
  phone?: string | null;
}

@InputType()
export class ComplaintFilter {
  @Field(() => [ComplaintStage], { nullable: true }) @IsOptional() @ArrayMaxSize(10) stage?: ComplaintStage[];
  @Field(() => [ComplaintStatus], { nullable: true }) @IsOptional() @ArrayMaxSize(10) status?: ComplaintStatus[];
  @Field(() => [Regime], { nullable: true }) @IsOptional() @ArrayMaxSize(10) regime?: Regime[];
  @Field(() => [DataSubjectRight], { nullable: true }) @IsOptional() @ArrayMaxSize(20) right?: DataSubjectRight[];
  @Field(() => ID, { nullable: true }) @IsOptional() @Length(1, 200) assigneeId?: string;
  @Field({ nullable: true, description: 'has at least one BREACHED timer' }) breached?: boolean;
  @Field(() => DateTimeScalar, { nullable: true, description: 'nextDueAt before this instant' }) dueBefore?: Date;
  @Field(() => DateTimeScalar, { nullable: true }) receivedFrom?: Date;
  @Field(() => DateTimeScalar, { nullable: true }) receivedTo?: Date;
  @Field({ nullable: true, description: 'reference, summary or complainant name/email' }) @IsOptional() @Length(1, 200) search?: string;
}

@InputType()
export class ComplaintOrder {
  @Field(() => ComplaintOrderField) field: ComplaintOrderField;
  @Field(() => OrderDirection) direction: OrderDirection;
}

/** The largest page any list serves (SPEC §10: `first` ≤ 100, an error beyond). */
export const MAX_PAGE = 100;

/**
 * `first`/`after` of every list, with the contract's default page size for that list.
 * Fields with a default are nullable, as in the contract: an explicit null arrives here
 * as the default (src/graphql/argument-guard.ts), so `first` is always a number.
 */
export function PageArgsOf(defaultFirst: number) {
  @ArgsType()
  abstract class PageArgsBase {
    @Field(() => Int, { nullable: true, defaultValue: defaultFirst }) @Min(0) @Max(MAX_PAGE, { message: `must not exceed ${MAX_PAGE}` })
    first: number;

    @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(500)
    after?: string | null;
  }
  return PageArgsBase;
}

@ArgsType()
export class PageArgs extends PageArgsOf(20) {}

/** Complaint.auditTrail: the contract's default page is 50 events, like Query.auditTrail. */
@ArgsType()
export class AuditPageArgs extends PageArgsOf(50) {}

@ArgsType()
export class ComplaintsArgs extends PageArgs {
  @Field(() => ComplaintFilter, { nullable: true }) @IsOptional() @ValidateNested()
  filter?: ComplaintFilter | null;

  @Field(() => ComplaintOrder, { nullable: true })
  orderBy?: ComplaintOrder | null;
}

@ArgsType()
export class AuditTrailArgs extends PageArgsOf(50) {
  @Field(() => ID) @Length(1, 100) complaintId: string;
}

@ArgsType()
export class FileComplaintArgs {
  @Field(() => FileComplaintInput) @ValidateNested()
  input: FileComplaintInput;

  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 200)
  idempotencyKey?: string | null;
}
