import { AuditCheckpoint } from './audit-checkpoint.entity';
import { AuditEvent } from './audit-event.entity';
import { AuditSigningStart } from './audit-signing-start.entity';
import { Complaint } from './complaint.entity';
import { ExportLink } from './export-link.entity';
import { IdempotencyKey } from './idempotency-key.entity';
import { Note } from './note.entity';
import { ReferenceCounter } from './reference-counter.entity';
import { ReportRollup } from './report-rollup.entity';
import { SlaPolicy } from './sla-policy.entity';
import { SlaTimer } from './sla-timer.entity';
import { StageTransition } from './stage-transition.entity';
import { Tenant } from './tenant.entity';
import { User } from './user.entity';

export {
  AuditCheckpoint,
  AuditEvent,
  AuditSigningStart,
  Complaint,
  ExportLink,
  IdempotencyKey,
  Note,
  ReferenceCounter,
  ReportRollup,
  SlaPolicy,
  SlaTimer,
  StageTransition,
  Tenant,
  User,
};

export const ENTITIES = [
  Tenant,
  User,
  Complaint,
  Note,
  StageTransition,
  SlaPolicy,
  SlaTimer,
  AuditEvent,
  IdempotencyKey,
  ReferenceCounter,
  AuditCheckpoint,
  ExportLink,
  ReportRollup,
  AuditSigningStart,
];
