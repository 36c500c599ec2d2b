import { filter, pipe } from '@graphql-yoga/subscription';
import { Arg, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { AuditNotice, events, SlaAlertNotice } from '../src/events';
import { loadAuditEvent, loadSlaAlert } from '../src/services/event-feed.service';
import { AuditEventType } from './types/objects';
import { SlaAlertType } from './types/sla';

/** Live feeds over graphql-ws, the viewer's tenant only (SPEC: Subscription). */
@Resolver()
export class SubscriptionResolver {
  @Subscription(() => AuditEventType, {
    subscribe: ({ args, context }) =>
      pipe(
        events.subscribe('audit'),
        filter((n: AuditNotice) => n.source === (context as RequestContext).dataSource && n.tenantId === (context as RequestContext).tenantId && (!args.complaintId || n.complaintId === args.complaintId)),
      ),
  })
  @Allow('complaintEvents')
  complaintEvents(@Root() notice: AuditNotice, @Ctx() ctx: RequestContext, @Arg('complaintId', () => ID, { nullable: true }) _complaintId?: string) {
    return loadAuditEvent(ctx, notice.eventId);
  }

  @Subscription(() => SlaAlertType, {
    subscribe: ({ context }) =>
      pipe(
        events.subscribe('slaAlert'),
        filter((n: SlaAlertNotice) => n.source === (context as RequestContext).dataSource && n.tenantId === (context as RequestContext).tenantId),
      ),
  })
  @Allow('slaAlerts')
  slaAlerts(@Root() notice: SlaAlertNotice, @Ctx() ctx: RequestContext) {
    return loadSlaAlert(ctx, notice.timerId, notice.kind);
  }
}
