import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsOptional, Length, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { WebhookDeliveryStatus, WebhookEvent } from '../../src/domain/webhook-events';
import { PageArgsOf } from './inputs';
import { PageInfo } from './objects';
import { DateTimeScalar, JSONScalar } from './scalars';

registerEnumType(WebhookEvent, {
  name: 'WebhookEvent',
  description: 'What a webhook endpoint subscribes to; sent with the dotted type, e.g. complaint.filed.',
  valuesConfig: {
    COMPLAINT_FILED: { description: 'complaint.filed: a complaint was filed (also by bulk import).' },
    COMPLAINT_ESCALATED: { description: 'complaint.escalated: a case moved to another stage.' },
    COMPLAINT_RESOLVED: { description: 'complaint.resolved: a case was resolved.' },
    SLA_WARNING: { description: 'sla.warning: a clock reached its warning point.' },
    SLA_BREACHED: { description: 'sla.breached: a clock passed its due instant.' },
    BREACH_RECORDED: { description: 'breach.recorded: a personal data breach was recorded on a case.' },
    AUDIT_CHECKPOINT: { description: 'audit.checkpoint: a signed audit checkpoint was made (hourly or on demand).' },
  },
});
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'PENDING until a 2xx answer (DELIVERED) or until retries end or the receiver answers 410 (FAILED).',
  valuesConfig: {
    PENDING: { description: 'Not yet delivered: queued or waiting for its next retry.' },
    DELIVERED: { description: 'The receiver answered 2xx.' },
    FAILED: { description: 'Retries ran out (24 hours) or the receiver answered 410 (the endpoint is then deactivated).' },
  },
});

@ObjectType('WebhookEndpoint', { description: 'A receiver of signed webhook deliveries (Standard Webhooks).' })
export class WebhookEndpointType {
  @Field(() => ID, { description: 'the endpoint id' }) id: string;
  @Field({ description: 'where deliveries are POSTed' }) url: string;
  @Field(() => [WebhookEvent], { description: 'the events it receives' }) events: WebhookEvent[];
  @Field({ description: 'inactive endpoints receive nothing; a 410 answer deactivates one' }) active: boolean;
  @Field(() => DateTimeScalar, { description: 'when it was registered' }) createdAt: Date;
}

@ObjectType('WebhookEndpointCreated', { description: 'A new endpoint and its signing secret, shown this once.' })
export class WebhookEndpointCreatedType {
  @Field(() => WebhookEndpointType, { description: 'the registered endpoint' }) endpoint: WebhookEndpointType;
  @Field({ description: 'the signing secret, whsec_<base64>: shown only here' }) secret: string;
}

@ObjectType('WebhookDelivery', { description: 'One event sent to one endpoint, with its attempts.' })
export class WebhookDeliveryType {
  @Field(() => ID, { description: 'the delivery id, sent as webhook-id on every attempt and redelivery' }) id: string;
  endpointId: string;
  @Field(() => WebhookEvent, { description: 'the event delivered' }) event: WebhookEvent;
  @Field(() => WebhookDeliveryStatus, { description: 'where the delivery stands' }) status: WebhookDeliveryStatus;
  @Field(() => Int, { description: 'attempts so far' }) attempts: number;
  @Field(() => Int, { nullable: true, description: "the receiver's last HTTP status; null when it did not answer" }) lastStatusCode: number | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'when the last attempt was made' }) lastAttemptAt: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'when the next attempt is due, while PENDING' }) nextAttemptAt: Date | null;
  @Field(() => JSONScalar, { description: 'the body sent: {type, timestamp, data}' }) payload: unknown;
  @Field(() => DateTimeScalar, { description: 'when the event was queued' }) createdAt: Date;
}

@ObjectType('WebhookDeliveryEdge', { description: 'A delivery and its cursor.' })
export class WebhookDeliveryEdge {
  @Field({ description: 'pass as `after` for the next page' }) cursor: string;
  @Field(() => WebhookDeliveryType, { description: 'the delivery' }) node: WebhookDeliveryType;
}

@ObjectType('WebhookDeliveryConnection', { description: 'Deliveries, newest first.' })
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge], { description: 'this page' }) edges: WebhookDeliveryEdge[];
  @Field(() => PageInfo, { description: 'whether more follow' }) pageInfo: PageInfo;
}

@InputType('WebhookEndpointInput', { description: 'An endpoint to register or its new settings.' })
export class WebhookEndpointInput {
  @Field({ description: 'https URL (http and private addresses only where the deployment allows them)' })
  @Length(1, 2000)
  url: string;

  @Field(() => [WebhookEvent], { description: 'at least one event' })
  @ArrayMinSize(1, { message: 'at least one event is required' })
  @ArrayUnique()
  events: WebhookEvent[];

  @Field({ nullable: true, defaultValue: true, description: 'false pauses deliveries' })
  active: boolean;
}

@ArgsType()
export class WebhookEndpointArgs {
  @Field(() => WebhookEndpointInput, { description: 'the endpoint' })
  @ValidateNested()
  input: WebhookEndpointInput;
}

@ArgsType()
export class UpdateWebhookEndpointArgs extends WebhookEndpointArgs {
  @Field(() => ID, { description: 'the endpoint to change' })
  @Length(1, 100)
  id: string;
}

@ArgsType()
export class WebhookDeliveriesArgs extends PageArgsOf(50) {
  @Field(() => ID, { nullable: true, description: 'only this endpoint' })
  @IsOptional()
  @Length(1, 100)
  endpointId?: string | null;

  @Field(() => [WebhookDeliveryStatus], { nullable: true, description: 'only these statuses' })
  @IsOptional()
  @ArrayMaxSize(3)
  status?: WebhookDeliveryStatus[] | null;
}
