import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { RequestContext } from './context';
import { transaction } from './db/transaction';
import { WebhookEndpointRow, webhookEndpointsById } from './services/webhook.service';
import { Complaint, Note, SlaPolicy, SlaTimer, StageTransition, User } from '../entities';

/** Per-request batching: each nested list costs one query per page, not one per row. */
function loader<V>(ctx: RequestContext, name: string, batch: (keys: readonly string[]) => Promise<V[]>): DataLoader<string, V> {
  let existing = ctx.loaders.get(name) as DataLoader<string, V> | undefined;
  if (!existing) {
    existing = new DataLoader<string, V>(batch, { maxBatchSize: 500 });
    ctx.loaders.set(name, existing as DataLoader<string, unknown>);
  }
  return existing;
}

function groupBy<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((k) => groups.get(k)!);
}

export const loaders = {
  user: (ctx: RequestContext) =>
    loader<User | null>(ctx, 'user', async (ids) => {
      const rows = await transaction(ctx, (tx) => tx.manager.findBy(User, { id: In([...ids]) }));
      const byId = new Map(rows.map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  /** The case a note, transition or timer belongs to (primed by Complaint's nested lists). */
  complaint: (ctx: RequestContext) =>
    loader<Complaint | null>(ctx, 'complaint', async (ids) => {
      const rows = await transaction(ctx, (tx) => tx.manager.findBy(Complaint, { id: In([...ids]) }));
      const byId = new Map(rows.map((c) => [c.id, c]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  notes: (ctx: RequestContext) =>
    loader<Note[]>(ctx, 'notes', async (complaintIds) => {
      const rows = await transaction(ctx, (tx) =>
        tx.manager.find(Note, { where: { complaintId: In([...complaintIds]) }, order: { createdAt: 'ASC', id: 'ASC' } }),
      );
      return groupBy(complaintIds, rows, (n) => n.complaintId);
    }),
  stageHistory: (ctx: RequestContext) =>
    loader<StageTransition[]>(ctx, 'stageHistory', async (complaintIds) => {
      const rows = await transaction(ctx, (tx) =>
        tx.manager.find(StageTransition, { where: { complaintId: In([...complaintIds]) }, order: { at: 'ASC', createdAt: 'ASC' } }),
      );
      return groupBy(complaintIds, rows, (t) => t.complaintId);
    }),
  slaTimers: (ctx: RequestContext) =>
    loader<SlaTimer[]>(ctx, 'slaTimers', async (complaintIds) => {
      const rows = await transaction(ctx, (tx) =>
        tx.manager.find(SlaTimer, { where: { complaintId: In([...complaintIds]) }, order: { startedAt: 'ASC', kind: 'ASC', regime: 'ASC' } }),
      );
      return groupBy(complaintIds, rows, (t) => t.complaintId);
    }),
  slaPolicy: (ctx: RequestContext) =>
    loader<SlaPolicy | null>(ctx, 'slaPolicy', async (ids) => {
      const rows = await transaction(ctx, (tx) => tx.manager.findBy(SlaPolicy, { id: In([...ids]) }));
      const byId = new Map(rows.map((p) => [p.id, p]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  webhookEndpoint: (ctx: RequestContext) =>
    loader<WebhookEndpointRow | null>(ctx, 'webhookEndpoint', async (ids) => {
      const byId = new Map((await webhookEndpointsById(ctx, ids)).map((e) => [e.id, e]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
};
