import { stringify } from 'csv-stringify';
import { createHash, randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataSource, EntityManager } from 'typeorm';
import { appendAudit } from '../audit/audit-chain';
import { CSV_EXPORT_ROLES } from '../auth/permissions';
import type { Role } from '../auth/roles';
import { RequestContext } from '../context';
import { freshnessOf, ReadFreshness, readFromReplica } from '../db/read-replica';
import { inTenantTransactionWith, transaction } from '../db/transaction';
import { AuditAction } from '../domain/enums';
import { parseWindowEnd, resolveWindow, WINDOW_END_FORMS, WindowEnd } from '../domain/report-window';
import { BadUserInputError, UnauthenticatedError } from '../errors';
import type { Logger } from '../logger';
import { checkWindow } from './report.service';
import { ExportLink, Tenant, User } from '../../entities';

/** SPEC §8: a link is good for five minutes and one download. */
export const EXPORT_LINK_TTL_MS = 5 * 60_000;

/** The CSV's columns, in SPEC §8's order: codes, ids, times and counts; never PII or free text. */
export const CSV_COLUMNS = [
  'reference',
  'stage',
  'status',
  'jurisdiction',
  'regimes',
  'rights',
  'channel',
  'data_context',
  'processing_role',
  'assignee_id',
  'received_at',
  'acknowledged_at',
  'resolved_at',
  'closed_at',
  'days_to_acknowledge',
  'days_to_resolve',
  'outcome',
  'next_due_at',
  'breached_timers',
  'breached_kinds',
] as const;

// Local wall-clock time without offset or "T": what spreadsheets read as a date and time.
const local = (column: string) => `to_char(${column} AT TIME ZONE $3, 'YYYY-MM-DD HH24:MI:SS')`;
const days = (end: string) => `round(extract(epoch FROM ${end} - c.received_at) / 86400, 1)::text`;

/** One row per complaint received in [$1, $2], times in zone $3. */
const CSV_SQL = `
  SELECT c.reference, c.stage, c.status, c.jurisdiction, array_to_string(c.regimes, ' ') AS regimes, array_to_string(c.rights, ' ') AS rights,
         c.channel, c.data_context, c.processing_role, c.assignee_id,
         ${local('c.received_at')} AS received_at, ${local('c.acknowledged_at')} AS acknowledged_at,
         ${local('c.resolved_at')} AS resolved_at, ${local('c.closed_at')} AS closed_at,
         ${days('c.acknowledged_at')} AS days_to_acknowledge, ${days('c.resolved_at')} AS days_to_resolve,
         c.outcome, ${local('c.next_due_at')} AS next_due_at,
         coalesce(b.n, 0) AS breached_timers, b.kinds AS breached_kinds
  FROM complaints c
  LEFT JOIN LATERAL (
    SELECT count(*)::int AS n, string_agg(DISTINCT t.kind, ' ' ORDER BY t.kind) AS kinds
    FROM sla_timers t WHERE t.complaint_id = c.id AND t.status = 'BREACHED'
  ) b ON true
  WHERE c.received_at BETWEEN $1 AND $2
  ORDER BY c.received_at, c.id`;

/** An export window: the instants it covers and the values the caller gave, for the audit trail. */
export interface ExportWindow {
  from: Date;
  to: Date;
  fromParam: string;
  toParam: string;
}

/** Both ends read, or BAD_USER_INPUT naming each bad one and the forms it accepts. */
export function parseWindowParams(from: unknown, to: unknown): { from: WindowEnd; to: WindowEnd } {
  const ends = { from: parseWindowEnd(from), to: parseWindowEnd(to) };
  const fields: Record<string, string> = {};
  if (!ends.from) fields.from = WINDOW_END_FORMS;
  if (!ends.to) fields.to = WINDOW_END_FORMS;
  if (!ends.from || !ends.to) throw new BadUserInputError(fields);
  return ends as { from: WindowEnd; to: WindowEnd };
}

/** The window in the tenant's time zone (read in the caller's tenant transaction). */
async function resolveInTenantZone(manager: EntityManager, tenantId: string, from: string, to: string): Promise<ExportWindow & { zone: string }> {
  const ends = parseWindowParams(from, to);
  const { timeZone: zone } = await manager.findOneByOrFail(Tenant, { id: tenantId });
  const window = resolveWindow(ends.from, ends.to, zone);
  checkWindow(window.from, window.to);
  return { ...window, fromParam: from, toParam: to, zone };
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * csvExportUrl: a random token (256 bits) whose sha256 is stored with the tenant, the caller
 * and the window; returns the token, the only copy. The window is checked now, as the
 * download will read it.
 */
export async function createExportLink(ctx: RequestContext, from: string, to: string): Promise<{ token: string; expiresAt: Date }> {
  parseWindowParams(from, to);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + EXPORT_LINK_TTL_MS);
  await transaction(ctx, async (tx) => {
    const window = await resolveInTenantZone(tx.manager, tx.tenantId, from, to);
    await tx.manager.insert(ExportLink, {
      tenantId: tx.tenantId,
      userId: tx.user.userId,
      roles: tx.user.roles,
      tokenHash: hashToken(token),
      windowFrom: window.from,
      windowTo: window.to,
      fromParam: from,
      toParam: to,
      expiresAt,
    });
  });
  return { token, expiresAt };
}

/** The tenant's own audit chain (SPEC §6): who exported which window, and how. */
function recordExport(tx: RequestContext & { manager: EntityManager }, window: ExportWindow, via: 'bearer' | 'link') {
  return appendAudit(tx, null, AuditAction.CSV_EXPORTED, {
    from: window.fromParam,
    to: window.toParam,
    windowFrom: window.from.toISOString(),
    windowTo: window.to.toISOString(),
    via,
  });
}

/**
 * A bearer download: the window in the tenant's zone, recorded before a row leaves. Under
 * the export's statement timeout: the download waits out what it would wait out anyway.
 */
export async function startBearerExport(ctx: RequestContext, from: unknown, to: unknown, statementTimeoutMs: number): Promise<ExportWindow> {
  parseWindowParams(from, to);
  return inTenantTransactionWith(ctx.dataSource, ctx.tenantId, { statementTimeoutMs }, async (manager) => {
    const window = await resolveInTenantZone(manager, ctx.tenantId, String(from), String(to));
    await recordExport(ctx.withManager(manager), window, 'bearer');
    return window;
  });
}

/**
 * A link download: spends the link (once, before it expires) and records the export in one
 * tenant transaction, acting as the user who asked for it. A link unknown, spent or expired
 * is UNAUTHENTICATED: it was the download's only credential.
 */
export async function redeemExportLink(
  dataSource: DataSource,
  token: unknown,
  requestId: string,
  log: Logger,
  statementTimeoutMs: number,
): Promise<{ ctx: RequestContext; window: ExportWindow }> {
  if (typeof token !== 'string' || !TOKEN.test(token)) throw new UnauthenticatedError('The export link is not valid');
  const tokenHash = hashToken(token);
  // The one door into export_links before the tenant is known: the row whose hash this is.
  const found = await dataSource.transaction(async (manager) => {
    await manager.query(`SELECT set_config('app.export_token', $1, true)`, [tokenHash]);
    return manager.findOneBy(ExportLink, { tokenHash });
  });
  if (!found) throw new UnauthenticatedError('The export link is not valid');
  return inTenantTransactionWith(dataSource, found.tenantId, { statementTimeoutMs }, async (manager) => {
    const [spent] = (await manager.query(`UPDATE export_links SET used_at = now() WHERE id = $1 AND used_at IS NULL RETURNING expires_at > now() AS fresh`, [
      found.id,
    ])) as [{ fresh: boolean }[], number];
    if (spent.length === 0) throw new UnauthenticatedError('The export link was already used: ask for a new one');
    if (!spent[0].fresh) throw new UnauthenticatedError('The export link has expired (links are valid for five minutes): ask for a new one');
    const roles = found.roles as Role[];
    if (!roles.some((r) => CSV_EXPORT_ROLES.includes(r))) throw new UnauthenticatedError('The export link is not valid');
    const user = await manager.findOneByOrFail(User, { tenantId: found.tenantId, id: found.userId });
    const actor = { userId: user.id, tenantId: found.tenantId, roles, name: user.name, email: user.email };
    const ctx = new RequestContext(dataSource, requestId, log.child({ requestId, tenantId: actor.tenantId, userId: actor.userId }), actor);
    const window = { from: found.windowFrom, to: found.windowTo, fromParam: found.fromParam, toParam: found.toParam };
    await recordExport(ctx.withManager(manager), window, 'link');
    return { ctx, window };
  });
}

/**
 * Streams the CSV of `window` into the writable `open` returns, from one read-only tenant
 * transaction with the export's own statement timeout on the hot standby when there is one and
 * it answers, else on the primary (SPEC §2). `open` is called once the tenant gate let the
 * transaction in, with how fresh the rows are; until then a standby that fails hands the
 * export to the primary.
 */
export async function streamComplaintsCsv(
  ctx: RequestContext,
  window: ExportWindow,
  statementTimeoutMs: number,
  open: (freshness: ReadFreshness) => Writable,
): Promise<void> {
  let opened = false;
  await readFromReplica(ctx, { statementTimeoutMs, canFallBack: () => !opened }, async (manager, origin) => {
    const freshness = await freshnessOf(manager, origin);
    const { timeZone } = await manager.findOneByOrFail(Tenant, { id: ctx.tenantId });
    const rows = await manager.queryRunner!.stream(CSV_SQL, [window.from, window.to, timeZone]);
    opened = true;
    await pipeline(rows, stringify({ header: true, columns: [...CSV_COLUMNS], record_delimiter: '\r\n' }), open(freshness));
  });
}
