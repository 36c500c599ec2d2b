import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsEmail, IsOptional, Length, Matches, Max, MaxLength, Min, MinDate, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import {
  ComplaintOrderField,
  ComplaintStage,
  ComplaintStatus,
  DataContext,
  DataSubjectRight,
  IntakeChannel,
  OrderDirection,
  ProcessingRole,
  Regime,
} from '../../src/domain/enums';
import { IsEmailOrAbsent, IsJurisdiction, IsNotInFuture, RequiresOneOf } from '../../src/validation';
import { DateTimeScalar } from './scalars';
import './enums';

const PHONE = /^\+?[0-9][0-9 ().-]{3,30}$/;
const PHONE_MESSAGE = 'must be a phone number: digits, spaces and + ( ) - . only';
const EARLIEST = new Date('2000-01-01T00:00:00Z');

@InputType({ description: 'The complainant (PII): a name and at least one of email or phone.' })
export class ComplainantInput {
  @Field({ description: 'Full name, 1-200 characters, not blank.' })
  @Length(1, 200)
  @Matches(/\S/, { message: 'must not be blank' })
  name: string;

  // No @IsOptional here: it would skip the one-of check when email is absent.
  @Field(() => String, { nullable: true, description: 'E-mail address; at least one of email or phone.' })
  @IsEmailOrAbsent()
  @RequiresOneOf(['email', 'phone'])
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'Phone number: digits, spaces and + ( ) - . only; at least one of email or phone.' })
  @IsOptional()
  @Matches(PHONE, { message: PHONE_MESSAGE })
  phone?: string | null;

  @Field({
    nullable: true,
    defaultValue: false,
    description: 'The case concerns a child under 13: restricts PII to the DPO and, in a US jurisdiction, adds COPPA. Null means false.',
  })
  involvesChildUnder13: boolean;
}

@InputType({ description: 'The regulator that referred the case: required with channel REGULATOR_REFERRAL, refused otherwise.' })
export class RegulatorReferralInput {
  @Field({ description: "the regulator's name, e.g. FTC" })
  @Length(1, 200)
  @Matches(/\S/, { message: 'must not be blank' })
  regulator: string;

  @Field(() => String, { nullable: true, description: "the regulator's case reference" })
  @IsOptional()
  @Length(1, 200)
  reference?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'the deadline the regulator set; one already past is accepted and breaches at once' })
  @IsOptional()
  @MinDate(EARLIEST, { message: 'must not be before 2000-01-01' })
  respondBy?: Date | null;
}

@InputType({ description: 'A new complaint for fileComplaint.' })
export class FileComplaintInput {
  @Field(() => ComplainantInput, { description: 'Who complains.' })
  @ValidateNested()
  complainant: ComplainantInput;

  @Field({ description: 'ISO 3166-1 alpha-2 or ISO 3166-2, e.g. DE, GB, US-CA: decides the derived regimes.' })
  @IsJurisdiction()
  jurisdiction: string;

  @Field(() => [Regime], {
    nullable: true,
    description: 'Derived from the jurisdiction when omitted or null (EU/EEA: GDPR, DPF; GB: UK_GDPR, DPF; CH: SWISS_FADP, DPF; US-CA: CCPA; else OTHER).',
  })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayUnique()
  regimes?: Regime[] | null;

  @Field(() => DataContext, { nullable: true, defaultValue: DataContext.CONSUMER, description: 'Consumer or employment data; null means the default.' })
  dataContext: DataContext;

  @Field(() => ProcessingRole, {
    nullable: true,
    defaultValue: ProcessingRole.CONTROLLER,
    description: "The organisation's role for the data; null means the default.",
  })
  processingRole: ProcessingRole;

  @Field(() => [DataSubjectRight], { description: 'The rights invoked: at least one, no repeats.' })
  @ArrayMinSize(1, { message: 'at least one right is required' })
  @ArrayUnique()
  rights: DataSubjectRight[];

  @Field(() => IntakeChannel, { description: 'How the complaint arrived.' })
  channel: IntakeChannel;

  @Field({ description: 'Short free text, 1-300 characters.' })
  @Length(1, 300)
  @Matches(/\S/, { message: 'must not be blank' })
  summary: string;

  @Field({ description: 'Free text, 1-20000 characters.' })
  @Length(1, 20000)
  @Matches(/\S/, { message: 'must not be blank' })
  description: string;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'Defaults to now; never in the future, not before 2000-01-01. A back-dated intake starts the first clocks then.',
  })
  @IsOptional()
  @IsNotInFuture()
  @MinDate(EARLIEST, { message: 'must not be before 2000-01-01' })
  receivedAt?: Date | null;

  @Field(() => ID, { nullable: true, description: 'The user to assign the case to; null or omitted: unassigned.' })
  @IsOptional()
  @Length(1, 200)
  assigneeId?: string | null;

  @Field(() => RegulatorReferralInput, { nullable: true, description: 'required with channel REGULATOR_REFERRAL, refused otherwise' })
  @IsOptional()
  @ValidateNested()
  regulatorReferral?: RegulatorReferralInput | null;
}

@InputType({ description: "Changes to the complainant's details: an omitted or null field is left as it is." })
export class UpdateComplainantInput {
  @Field(() => String, { nullable: true, description: 'New full name, 1-200 characters.' })
  @IsOptional()
  @Length(1, 200)
  @Matches(/\S/, { message: 'must not be blank' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'New e-mail address.' })
  @IsOptional()
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(320)
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'New phone number: digits, spaces and + ( ) - . only.' })
  @IsOptional()
  @Matches(PHONE, { message: PHONE_MESSAGE })
  phone?: string | null;
}

@InputType({ description: 'Which complaints to list: every given condition must hold; a list matches any of its values.' })
export class ComplaintFilter {
  @Field(() => [ComplaintStage], { nullable: true, description: 'At one of these stages (at most 10).' })
  @IsOptional()
  @ArrayMaxSize(10)
  stage?: ComplaintStage[];
  @Field(() => [ComplaintStatus], { nullable: true, description: 'In one of these statuses (at most 10).' })
  @IsOptional()
  @ArrayMaxSize(10)
  status?: ComplaintStatus[];
  @Field(() => [Regime], { nullable: true, description: 'Under one of these regimes (at most 10).' }) @IsOptional() @ArrayMaxSize(10) regime?: Regime[];
  @Field(() => [DataSubjectRight], { nullable: true, description: 'Invoking one of these rights (at most 20).' })
  @IsOptional()
  @ArrayMaxSize(20)
  right?: DataSubjectRight[];
  @Field(() => ID, { nullable: true, description: 'Assigned to this user.' }) @IsOptional() @Length(1, 200) assigneeId?: string;
  @Field({ nullable: true, description: 'true: has at least one BREACHED timer; false: has none.' }) breached?: boolean;
  @Field(() => DateTimeScalar, { nullable: true, description: 'nextDueAt before this instant.' }) dueBefore?: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Received at or after this instant.' }) receivedFrom?: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Received at or before this instant.' }) receivedTo?: Date;
  @Field({
    nullable: true,
    description: 'Substring (case-insensitive) of the reference, summary or complainant name/email; fields masked for the caller are not searched.',
  })
  @IsOptional()
  @Length(1, 200)
  search?: string;
}

@InputType({ description: 'How a complaint list is sorted; ties are broken by id.' })
export class ComplaintOrder {
  @Field(() => ComplaintOrderField, { description: 'The sort key.' }) field: ComplaintOrderField;
  @Field(() => OrderDirection, { description: 'Ascending or descending.' }) direction: OrderDirection;
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
    @Field(() => Int, {
      nullable: true,
      defaultValue: defaultFirst,
      description: `Page size, 0 to ${MAX_PAGE} (BAD_USER_INPUT beyond); null means the default.`,
    })
    @Min(0)
    @Max(MAX_PAGE, { message: `must not exceed ${MAX_PAGE}` })
    first: number;

    @Field(() => String, { nullable: true, description: 'The endCursor of the previous page; null or omitted: from the start.' })
    @IsOptional()
    @MaxLength(500)
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
  @Field(() => ComplaintFilter, { nullable: true, description: 'Which complaints; null or omitted: all the caller may see.' })
  @IsOptional()
  @ValidateNested()
  filter?: ComplaintFilter | null;

  @Field(() => ComplaintOrder, { nullable: true, description: 'Sort order; null or omitted: RECEIVED_AT DESC (newest first).' })
  orderBy?: ComplaintOrder | null;
}

@ArgsType()
export class AuditTrailArgs extends PageArgsOf(50) {
  @Field(() => ID, { description: "The case whose trail to read; NOT_FOUND when not in the caller's tenant." }) @Length(1, 100) complaintId: string;
}

@ArgsType()
export class FileComplaintArgs {
  @Field(() => FileComplaintInput, { description: 'The complaint.' })
  @ValidateNested()
  input: FileComplaintInput;

  @Field(() => String, {
    nullable: true,
    description:
      'Client key (1-200 characters) making a retry safe: the same key and input return the first complaint; a different input is IDEMPOTENCY_KEY_REUSED.',
  })
  @IsOptional()
  @Length(1, 200)
  idempotencyKey?: string | null;
}
