import { AuditEventResolver, NoteResolver, StageTransitionResolver } from './actor.resolver';
import { AuditResolver } from './audit.resolver';
import { ComplaintResolver } from './complaint.resolver';
import { LifecycleResolver } from './lifecycle.resolver';
import { ViewerResolver } from './viewer.resolver';

export const RESOLVERS = [ViewerResolver, ComplaintResolver, LifecycleResolver, AuditResolver, StageTransitionResolver, NoteResolver, AuditEventResolver] as const;
