import DataLoader from 'dataloader';
import { In, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
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

/** Where a joined user lands on a row until primeUsers takes it off again. */
const JOINED_USER = 'joinedUser';

function withUsers<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, userIdPath: string): SelectQueryBuilder<T> {
  return query.leftJoinAndMapOne(`${query.alias}.${JOINED_USER}`, User, 'joined_user', `joined_user.id = ${userIdPath}`);
}

/** Hands the users joined to these rows (null: none) to the request's user loader, and strips them off. */
function primeUsers<T extends object>(ctx: RequestContext, rows: T[], userIdOf: (row: T) => string | null): T[] {
  const users = loaders.user(ctx);
  for (const row of rows) {
    const joined = row as { [JOINED_USER]?: User };
    const id = userIdOf(row);
    if (id !== null) users.prime(id, joined[JOINED_USER] ?? null);
    delete joined[JOINED_USER];
  }
  return rows;
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
  /** Notes with their authors in the same statement: the authors' users are primed, not fetched again. */
  notes: (ctx: RequestContext) =>
    loader<Note[]>(ctx, 'notes', async (complaintIds) => {
      const rows = await transaction(ctx, (tx) =>
        withUsers(tx.manager.createQueryBuilder(Note, 'n'), 'n.authorId')
          .where('n.complaintId IN (:...complaintIds)', { complaintIds })
          .orderBy('n.createdAt', 'ASC')
          .addOrderBy('n.id', 'ASC')
          .getMany(),
      );
      return groupBy(
        complaintIds,
        primeUsers(ctx, rows, (n) => n.authorId),
        (n) => n.complaintId,
      );
    }),
  /** Transitions with their actors in the same statement (as notes). */
  stageHistory: (ctx: RequestContext) =>
    loader<StageTransition[]>(ctx, 'stageHistory', async (complaintIds) => {
      const rows = await transaction(ctx, (tx) =>
        withUsers(tx.manager.createQueryBuilder(StageTransition, 't'), 't.actorId')
          .where('t.complaintId IN (:...complaintIds)', { complaintIds })
          .orderBy('t.at', 'ASC')
          .addOrderBy('t.createdAt', 'ASC')
          .getMany(),
      );
      return groupBy(
        complaintIds,
        primeUsers(ctx, rows, (t) => t.actorId),
        (t) => t.complaintId,
      );
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
