import type { TxContext } from '../context';
import { AuditAction } from '../domain/enums';
import { WEBHOOK_EVENTS } from '../domain/webhook-events';

export const WEBHOOK_DELIVERY_TASK = 'webhook_delivery';

/** One job per delivery, whatever enqueues it (the event, a retry, a redelivery). */
export function deliveryJobKey(deliveryId: string): string {
  return `webhook:${deliveryId}`;
}

export async function scheduleDelivery(tx: TxContext, deliveryId: string, runAt: Date): Promise<void> {
  await tx.manager.query(`SELECT FROM graphile_worker.add_job($1, $2::json, run_at := $3, job_key := $4, max_attempts := 5, job_key_mode := 'replace')`, [
    WEBHOOK_DELIVERY_TASK,
    JSON.stringify({ tenantId: tx.tenantId, deliveryId }),
    runAt,
    deliveryJobKey(deliveryId),
  ]);
}

/**
 * The webhook payload's data: ids, reference, stage, status and the timer, never complainant
 * PII or free text (SPEC §11). Read from the rows, not from the audit changes.
 */
async function eventData(tx: TxContext, complaintId: string | null, changes: Record<string, unknown>): Promise<Record<string, unknown>> {
  const data: Record<string, unknown> = {};
  if (typeof changes.checkpointId === 'string') data.checkpointId = changes.checkpointId;
  if (complaintId) {
    const [c] = (await tx.manager.query('SELECT id, reference, stage, status FROM complaints WHERE id = $1', [complaintId])) as Record<string, string>[];
    Object.assign(data, { complaintId: c.id, reference: c.reference, stage: c.stage, status: c.status });
  }
  if (typeof changes.timerId === 'string') {
    const [timer] = (await tx.manager.query('SELECT id, kind, regime, due_at AS "dueAt", status FROM sla_timers WHERE id = $1', [changes.timerId])) as Record<
      string,
      unknown
    >[];
    if (timer) data.timer = { ...timer, dueAt: (timer.dueAt as Date).toISOString() };
  }
  return data;
}

/**
 * The outbox (SPEC §11): for an audited action that is a webhook event, one delivery row per
 * active endpoint subscribed to it and a job to send it, in the event's own transaction, so a
 * rolled-back change sends nothing and a committed one is sent however many workers run.
 */
export async function queueWebhooks(
  tx: TxContext,
  event: { id: string; complaintId: string | null; action: AuditAction; at: Date; changes: Record<string, unknown> },
): Promise<void> {
  const mapped = WEBHOOK_EVENTS[event.action];
  if (!mapped) return;
  const endpoints = (await tx.manager.query('SELECT id FROM webhook_endpoints WHERE active AND $1 = ANY(events) ORDER BY id', [mapped.event])) as {
    id: string;
  }[];
  if (endpoints.length === 0) return;
  const payload = { type: mapped.type, timestamp: event.at.toISOString(), data: await eventData(tx, event.complaintId, event.changes) };
  for (const endpoint of endpoints) {
    const [row] = (await tx.manager.query(
      `INSERT INTO webhook_deliveries (tenant_id, endpoint_id, source_event_id, event, payload, next_attempt_at, retry_until)
       VALUES ($1, $2, $3, $4, $5, now(), now() + interval '24 hours')
       ON CONFLICT (source_event_id, endpoint_id) DO NOTHING RETURNING id`,
      [tx.tenantId, endpoint.id, event.id, mapped.event, JSON.stringify(payload)],
    )) as { id: string }[];
    if (row) await scheduleDelivery(tx, row.id, new Date());
  }
}
