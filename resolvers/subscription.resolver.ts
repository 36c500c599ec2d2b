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
    subscribe: ({ args, context }) => {
      const ctx = context as RequestContext;
      return eventHub(ctx.dataSource, ctx.log).subscribeAudit(ctx, args.complaintId as string | null | undefined);
    },
  })
  @Allow('complaintEvents')
  complaintEvents(@Root() event: AuditEvent, @Arg('complaintId', () => ID, { nullable: true }) _complaintId?: string): AuditEvent {
    return event;
  }

  @Subscription(() => SlaAlertType, {
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
