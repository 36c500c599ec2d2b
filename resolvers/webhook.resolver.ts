import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { loaders } from '../src/loaders';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  updateWebhookEndpoint,
} from '../src/services/webhook.service';
import {
  UpdateWebhookEndpointArgs,
  WebhookDeliveriesArgs,
  WebhookDeliveryConnection,
  WebhookDeliveryType,
  WebhookEndpointArgs,
  WebhookEndpointCreatedType,
  WebhookEndpointType,
} from './types/webhook';

@Resolver(() => WebhookDeliveryType)
export class WebhookResolver {
  @Query(() => [WebhookEndpointType], { description: "The tenant's webhook endpoints (secrets are never shown again)." })
  @Allow('webhookEndpoints')
  webhookEndpoints(@Ctx() ctx: RequestContext) {
    return listWebhookEndpoints(ctx);
  }

  @Query(() => WebhookDeliveryConnection, { description: 'The delivery log, newest first, by endpoint and status.' })
  @Allow('webhookDeliveries')
  webhookDeliveries(@Ctx() ctx: RequestContext, @Args() args: WebhookDeliveriesArgs) {
    return listWebhookDeliveries(ctx, args);
  }

  @Mutation(() => WebhookEndpointCreatedType, { description: 'Registers an endpoint; the signing secret is returned this once.' })
  @Allow('createWebhookEndpoint')
  createWebhookEndpoint(@Ctx() ctx: RequestContext, @Args() { input }: WebhookEndpointArgs) {
    return createWebhookEndpoint(ctx, input);
  }

  @Mutation(() => WebhookEndpointType, { description: "Changes an endpoint's URL, events or active flag (the secret stays)." })
  @Allow('updateWebhookEndpoint')
  updateWebhookEndpoint(@Ctx() ctx: RequestContext, @Args() { id, input }: UpdateWebhookEndpointArgs) {
    return updateWebhookEndpoint(ctx, id, input);
  }

  @Mutation(() => Boolean, { description: 'Removes an endpoint and its delivery log.' })
  @Allow('deleteWebhookEndpoint')
  deleteWebhookEndpoint(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'the endpoint' }) id: string) {
    return deleteWebhookEndpoint(ctx, id);
  }

  @Mutation(() => WebhookDeliveryType, { description: 'Sends a delivery again with the same webhook-id.' })
  @Allow('redeliverWebhook')
  redeliverWebhook(@Ctx() ctx: RequestContext, @Arg('deliveryId', () => ID, { description: 'the delivery' }) deliveryId: string) {
    return redeliverWebhook(ctx, deliveryId);
  }

  @FieldResolver(() => WebhookEndpointType, { description: 'the endpoint it was sent to' })
  endpoint(@Root() d: WebhookDeliveryType, @Ctx() ctx: RequestContext) {
    return loaders.webhookEndpoint(ctx).load(d.endpointId);
  }
}
