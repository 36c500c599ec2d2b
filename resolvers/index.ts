import { AuditEventResolver, NoteResolver, StageTransitionResolver } from './actor.resolver';
import { AuditResolver } from './audit.resolver';
import { BreachResolver } from './breach.resolver';
import { ComplaintResolver } from './complaint.resolver';
import { LifecycleResolver } from './lifecycle.resolver';
import { PrivacyResolver } from './privacy.resolver';
import { SlaResolver } from './sla.resolver';
import { SubscriptionResolver } from './subscription.resolver';
import { ViewerResolver } from './viewer.resolver';

export const RESOLVERS = [ViewerResolver, ComplaintResolver, LifecycleResolver, SlaResolver, PrivacyResolver, BreachResolver, SubscriptionResolver, AuditResolver, StageTransitionResolver, NoteResolver, AuditEventResolver] as const;
