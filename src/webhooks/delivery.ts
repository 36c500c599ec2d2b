import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { DataSource } from 'typeorm';
import { RequestContext } from '../context';
import { transaction } from '../db/transaction';
import { nextRetryDelayMs, WebhookDeliveryStatus } from '../domain/webhook-events';
import type { Logger } from '../logger';
import { scheduleDelivery } from './outbox';
import { WebhookPolicy, webhookPolicyOf, webhookUrlProblem } from './url-policy';

interface PendingDelivery {
  id: string;
  payload: unknown;
  url: string;
  secret: string;
  active: boolean;
  retryUntil: Date;
  attempts: number;
}

type Outcome = { statusCode: number | null; error?: string };

/** One signed POST (Standard Webhooks: webhook-id is the delivery id, the same on every retry). */
async function send(delivery: PendingDelivery, policy: WebhookPolicy, log: Logger): Promise<Outcome> {
  const problem = await webhookUrlProblem(delivery.url, policy);
  if (problem) return { statusCode: null, error: `url ${problem}` };
  const body = JSON.stringify(delivery.payload);
  const timestamp = new Date();
  const signature = new Webhook(delivery.secret).sign(delivery.id, timestamp, body);
  try {
    const res = await fetch(delivery.url, {
      method: 'POST',
      redirect: 'manual', // a redirect could lead inside: it counts as a failure
      signal: AbortSignal.timeout(policy.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'webhook-id': delivery.id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
    });
    await res.body?.cancel().catch(() => undefined);
    return { statusCode: res.status };
  } catch (error) {
    log.warn({ deliveryId: delivery.id, reason: (error as Error).name }, 'webhook delivery attempt failed');
    return { statusCode: null, error: (error as Error).name };
  }
}

/**
 * The worker's task for one delivery: send it while PENDING, then record the attempt:
 * 2xx DELIVERED; 410 FAILED and the endpoint deactivated; otherwise a retry with backoff
 * and jitter while within 24 hours of the event (or redelivery), then FAILED.
 */
export async function processDelivery(dataSource: DataSource, log: Logger, tenantId: string, deliveryId: string): Promise<void> {
  const policy = webhookPolicyOf(dataSource);
  const ctx = RequestContext.system(dataSource, tenantId, `webhook-${randomUUID()}`, log);
  const delivery = await transaction(ctx, async (tx) => {
    const [row] = (await tx.manager.query(
      `SELECT d.id, d.payload, d.attempts, d.retry_until AS "retryUntil", e.url, e.secret, e.active
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1 AND d.status = 'PENDING'`,
      [deliveryId],
    )) as PendingDelivery[];
    return row ?? null;
  });
  if (!delivery) return;
  const outcome: Outcome = delivery.active ? await send(delivery, policy, log) : { statusCode: null, error: 'endpoint inactive' };
  await transaction(ctx, async (tx) => {
    const now = new Date();
    const attempts = delivery.attempts + 1;
    const code = outcome.statusCode;
    let status = WebhookDeliveryStatus.PENDING;
    let nextAttemptAt: Date | null = new Date(now.getTime() + nextRetryDelayMs(attempts, policy.retryBaseMs));
    if (code !== null && code >= 200 && code < 300) status = WebhookDeliveryStatus.DELIVERED;
    else if (code === 410 || !delivery.active || nextAttemptAt > delivery.retryUntil) status = WebhookDeliveryStatus.FAILED;
    if (status !== WebhookDeliveryStatus.PENDING) nextAttemptAt = null;
    await tx.manager.query(
      `UPDATE webhook_deliveries SET status = $2, attempts = $3, last_status_code = $4, last_attempt_at = $5, next_attempt_at = $6 WHERE id = $1`,
      [delivery.id, status, attempts, code, now, nextAttemptAt],
    );
    // 410 Gone: the receiver asks never to be called again.
    if (code === 410)
      await tx.manager.query(
        `UPDATE webhook_endpoints SET active = false, updated_at = now() WHERE id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = $1)`,
        [delivery.id],
      );
    if (nextAttemptAt) await scheduleDelivery(tx, delivery.id, nextAttemptAt);
  });
}
