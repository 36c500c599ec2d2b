import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../context';
import { transaction } from '../db/transaction';
import { WebhookDeliveryStatus, WebhookEvent } from '../domain/webhook-events';
import { BadUserInputError, NotFoundError } from '../errors';
import { decodeCursor, encodeCursor, isCursorInstant, isUuid, Page, toPage } from '../pagination';
import { scheduleDelivery } from '../webhooks/outbox';
import { webhookPolicyOf, webhookUrlProblem } from '../webhooks/url-policy';

export interface WebhookEndpointRow {
  id: string;
  url: string;
  events: WebhookEvent[];
  active: boolean;
  createdAt: Date;
}

export interface WebhookDeliveryRow {
  id: string;
  endpointId: string;
  event: WebhookEvent;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  payload: unknown;
  createdAt: Date;
}

export interface WebhookEndpointData {
  url: string;
  events: WebhookEvent[];
  active: boolean;
}

const ENDPOINT_COLUMNS = 'id, url, events, active, created_at AS "createdAt"';
const DELIVERY_COLUMNS = `id, endpoint_id AS "endpointId", event, status, attempts, last_status_code AS "lastStatusCode", last_attempt_at AS "lastAttemptAt",
  next_attempt_at AS "nextAttemptAt", payload, created_at AS "createdAt"`;

async function checkEndpoint(ctx: RequestContext, input: WebhookEndpointData): Promise<void> {
  const problem = await webhookUrlProblem(input.url, webhookPolicyOf(ctx.dataSource));
  if (problem) throw new BadUserInputError({ 'input.url': problem });
}

/** SPEC §11: the secret is returned here once, as `whsec_<base64>` (Standard Webhooks). */
export async function createWebhookEndpoint(ctx: RequestContext, input: WebhookEndpointData): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
  await checkEndpoint(ctx, input);
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  return transaction(ctx, async (tx) => {
    const [endpoint] = (await tx.manager.query(
      `INSERT INTO webhook_endpoints (tenant_id, url, events, active, secret) VALUES ($1, $2, $3, $4, $5) RETURNING ${ENDPOINT_COLUMNS}`,
      [tx.tenantId, input.url, input.events, input.active, secret],
    )) as WebhookEndpointRow[];
    return { endpoint, secret };
  });
}

export async function updateWebhookEndpoint(ctx: RequestContext, id: string, input: WebhookEndpointData): Promise<WebhookEndpointRow> {
  await checkEndpoint(ctx, input);
  return transaction(ctx, async (tx) => {
    const rows = isUuid(id)
      ? (
          (await tx.manager.query(
            `UPDATE webhook_endpoints SET url = $2, events = $3, active = $4, updated_at = now() WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
            [id, input.url, input.events, input.active],
          )) as [WebhookEndpointRow[], number]
        )[0]
      : [];
    if (!rows[0]) throw new NotFoundError('Webhook endpoint', id);
    return rows[0];
  });
}

/** Deletes the endpoint and its delivery log; jobs still queued find no delivery and end. */
export async function deleteWebhookEndpoint(ctx: RequestContext, id: string): Promise<boolean> {
  return transaction(ctx, async (tx) => {
    const [, count] = isUuid(id) ? ((await tx.manager.query('DELETE FROM webhook_endpoints WHERE id = $1', [id])) as [unknown, number]) : [null, 0];
    if (!count) throw new NotFoundError('Webhook endpoint', id);
    return true;
  });
}

export function listWebhookEndpoints(ctx: RequestContext): Promise<WebhookEndpointRow[]> {
  return transaction(
    ctx,
    async (tx) => (await tx.manager.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY created_at, id`)) as WebhookEndpointRow[],
  );
}

export function webhookEndpointsById(ctx: RequestContext, ids: readonly string[]): Promise<WebhookEndpointRow[]> {
  return transaction(
    ctx,
    async (tx) => (await tx.manager.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = ANY($1)`, [ids])) as WebhookEndpointRow[],
  );
}

/** Newest first, keyset on (created_at, id). */
export async function listWebhookDeliveries(
  ctx: RequestContext,
  args: { endpointId?: string | null; status?: WebhookDeliveryStatus[] | null; first: number; after?: string | null },
): Promise<Page<WebhookDeliveryRow>> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (args.endpointId) {
    if (!isUuid(args.endpointId)) return toPage([], args.first, () => '');
    params.push(args.endpointId);
    where.push(`endpoint_id = $${params.length}`);
  }
  if (args.status?.length) {
    params.push(args.status);
    where.push(`status = ANY($${params.length})`);
  }
  if (args.after) {
    const [at, id] = decodeCursor(args.after);
    if (!isCursorInstant(at) || typeof id !== 'string' || !isUuid(id)) throw new BadUserInputError({ after: 'is not a cursor returned by this list' });
    params.push(at, id);
    where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(args.first + 1);
  const sql = `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`;
  const rows = await transaction(ctx, async (tx) => (await tx.manager.query(sql, params)) as WebhookDeliveryRow[]);
  return toPage(rows, args.first, (r) => encodeCursor([r.createdAt.toISOString(), r.id]));
}

/** Sends the delivery again with the same webhook-id, with a fresh 24-hour retry window. */
export async function redeliverWebhook(ctx: RequestContext, deliveryId: string): Promise<WebhookDeliveryRow> {
  return transaction(ctx, async (tx) => {
    const rows = isUuid(deliveryId)
      ? (
          (await tx.manager.query(
            `UPDATE webhook_deliveries SET status = 'PENDING', next_attempt_at = now(), retry_until = now() + interval '24 hours' WHERE id = $1 RETURNING ${DELIVERY_COLUMNS}`,
            [deliveryId],
          )) as [WebhookDeliveryRow[], number]
        )[0]
      : [];
    if (!rows[0]) throw new NotFoundError('Webhook delivery', deliveryId);
    await scheduleDelivery(tx, deliveryId, new Date());
    return rows[0];
  });
}
