import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { eventHub, SlaAlert } from '../src/events';
import { AuditEvent } from '../entities';
import { AuditEventType } from './types/objects';
import { SlaAlertType } from './types/sla';

/**
 * Live feeds over graphql-ws, the viewer's tenant only (SPEC: Subscription). Each event is
 * loaded once by the process's event hub and shared; per-viewer masking stays with the
 * field resolvers.
 */
@Resolver()
export class SubscriptionResolver {
  @Subscription(() => AuditEventType, {
    description: "Every new audit event of the viewer's tenant, or of one case (graphql-ws). Any role; masked as for queries.",
    subscribe: ({ args, context }) => {
      const ctx = context as RequestContext;
      return eventHub(ctx.dataSource, ctx.log).subscribeAudit(ctx, args.complaintId as string | null | undefined);
    },
  })
  @Allow('complaintEvents')
  complaintEvents(
    @Root() event: AuditEvent,
    @Arg('complaintId', () => ID, { nullable: true, description: 'Only this case; null or omitted: every case of the tenant.' }) _complaintId?: string,
  ): AuditEvent {
    return event;
  }

  @Subscription(() => SlaAlertType, {
    description: "SLA warnings and breaches of the viewer's tenant as they happen (graphql-ws). Any role.",
    subscribe: ({ context }) => {
      const ctx = context as RequestContext;
      return eventHub(ctx.dataSource, ctx.log).subscribeSlaAlerts(ctx);
    },
  })
  @Allow('slaAlerts')
  slaAlerts(@Root() alert: SlaAlert): SlaAlert {
    return alert;
  }
}
