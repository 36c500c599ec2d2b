import { AuditAction } from './enums';

/** SPEC §11: the events a webhook endpoint may subscribe to (the contract's WebhookEvent). */
export enum WebhookEvent {
  COMPLAINT_FILED = 'COMPLAINT_FILED',
  COMPLAINT_ESCALATED = 'COMPLAINT_ESCALATED',
  COMPLAINT_RESOLVED = 'COMPLAINT_RESOLVED',
  SLA_WARNING = 'SLA_WARNING',
  SLA_BREACHED = 'SLA_BREACHED',
  BREACH_RECORDED = 'BREACH_RECORDED',
  AUDIT_CHECKPOINT = 'AUDIT_CHECKPOINT',
}

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}

/** Which audited action raises which webhook event, and its dotted `type` on the wire. */
export const WEBHOOK_EVENTS: Partial<Record<AuditAction, { event: WebhookEvent; type: string }>> = {
  [AuditAction.COMPLAINT_FILED]: { event: WebhookEvent.COMPLAINT_FILED, type: 'complaint.filed' },
  [AuditAction.STAGE_ESCALATED]: { event: WebhookEvent.COMPLAINT_ESCALATED, type: 'complaint.escalated' },
  [AuditAction.RESOLVED]: { event: WebhookEvent.COMPLAINT_RESOLVED, type: 'complaint.resolved' },
  [AuditAction.SLA_WARNING]: { event: WebhookEvent.SLA_WARNING, type: 'sla.warning' },
  [AuditAction.SLA_BREACHED]: { event: WebhookEvent.SLA_BREACHED, type: 'sla.breached' },
  [AuditAction.PERSONAL_DATA_BREACH_RECORDED]: { event: WebhookEvent.BREACH_RECORDED, type: 'breach.recorded' },
  [AuditAction.AUDIT_CHECKPOINT_CREATED]: { event: WebhookEvent.AUDIT_CHECKPOINT, type: 'audit.checkpoint' },
};

/** Retries stop this long after the event (or after a redelivery): SPEC §11, 24 hours. */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_BACKOFF_MS = 60 * 60 * 1000;

/** Exponential backoff with full jitter in the upper half: base·2^(attempt-1), capped at an hour. */
export function nextRetryDelayMs(attempts: number, baseMs: number, random = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.min(attempts - 1, 20));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
