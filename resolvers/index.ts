import { AuditEventResolver, NoteResolver, StageTransitionResolver } from './actor.resolver';
import { AuditResolver } from './audit.resolver';
import { CheckpointResolver } from './checkpoint.resolver';
import { BreachResolver } from './breach.resolver';
import { ComplaintResolver } from './complaint.resolver';
import { ExportResolver } from './export.resolver';
import { ComplaintTextResolver, NoteTextResolver, SlaTimerTextResolver, StageTransitionTextResolver } from './free-text.resolver';
import { ImportResolver } from './import.resolver';
import { LifecycleResolver } from './lifecycle.resolver';
import { PrivacyResolver } from './privacy.resolver';
import { SlaResolver } from './sla.resolver';
import { SubscriptionResolver } from './subscription.resolver';
import { ViewerResolver } from './viewer.resolver';
import { WebhookResolver } from './webhook.resolver';

export const RESOLVERS = [
  ViewerResolver,
  ComplaintResolver,
  LifecycleResolver,
  SlaResolver,
  PrivacyResolver,
  BreachResolver,
  SubscriptionResolver,
  AuditResolver,
  CheckpointResolver,
  ExportResolver,
  ImportResolver,
  WebhookResolver,
  StageTransitionResolver,
  NoteResolver,
  AuditEventResolver,
  ComplaintTextResolver,
  NoteTextResolver,
  StageTransitionTextResolver,
  SlaTimerTextResolver,
] as const;
