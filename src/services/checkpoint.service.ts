import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { appendAudit } from '../audit/audit-chain';
import { ChainHead, checkpointRoot, sortHeads, TENANT_CHAIN } from '../audit/merkle';
import { RequestContext, TxContext } from '../context';
import { inTenantTransaction, transaction } from '../db/transaction';
import { AuditAction } from '../domain/enums';
import { BadUserInputError } from '../errors';
import { CHECKPOINT_TYP } from '../evidence/bundle';
import { EvidenceKeys, evidenceKeysOf } from '../evidence/keys';
import type { Logger } from '../logger';
import { decodeCursor, encodeCursor, isUuid, Page, toPage } from '../pagination';
import { AuditCheckpoint } from '../../entities';

/** What a checkpoint's JWS signs (SPEC §7). */
export interface CheckpointPayload {
  id: string;
  tenant: string;
  createdAt: string;
  root: string;
  chains: number;
  events: number;
  heads: ChainHead[];
}

/** Every complaint chain's head and the tenant chain's, as the owner rows record them. */
async function readHeads(tx: TxContext): Promise<ChainHead[]> {
  const complaints = (await tx.manager.query(
    `SELECT id::text AS chain, audit_head_sequence AS sequence, audit_head_hash AS hash FROM complaints WHERE tenant_id = $1 AND audit_head_sequence > 0`,
    [tx.tenantId],
  )) as ChainHead[];
  const [tenant] = (await tx.manager.query(`SELECT audit_head_sequence AS sequence, audit_head_hash AS hash FROM tenants WHERE id = $1`, [
    tx.tenantId,
  ])) as ChainHead[];
  const heads = tenant && tenant.sequence > 0 ? [...complaints, { chain: TENANT_CHAIN, sequence: tenant.sequence, hash: tenant.hash }] : complaints;
  return sortHeads(heads);
}

const headsKey = (heads: ChainHead[]) =>
  sortHeads(heads)
    .map((h) => `${h.chain}:${h.sequence}:${h.hash}`)
    .join(',');
const sameHeads = (a: ChainHead[], b: ChainHead[]) => headsKey(a) === headsKey(b);

/**
 * Signs a checkpoint of the tenant's chain heads in the caller's transaction. Its creation
 * is first appended to the tenant chain, so the checkpoint covers its own record: the
 * tenant head it signs is that AUDIT_CHECKPOINT_CREATED event. A scheduled checkpoint
 * (`period` = its hour) is made once per tenant and hour, and not at all when no chain
 * moved since the last one.
 */
async function signCheckpoint(tx: TxContext, keys: EvidenceKeys, period: Date | null): Promise<AuditCheckpoint | null> {
  await tx.manager.query(`SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE`, [tx.tenantId]); // one checkpoint writer per tenant at a time
  if (period) {
    const [taken] = (await tx.manager.query(`SELECT 1 FROM audit_checkpoints WHERE tenant_id = $1 AND period = $2`, [tx.tenantId, period])) as unknown[];
    if (taken) return null;
    const previous = await tx.manager.findOne(AuditCheckpoint, { where: { tenantId: tx.tenantId }, order: { createdAt: 'DESC', id: 'DESC' } });
    if (previous && sameHeads(previous.heads, await readHeads(tx))) return null;
  }
  const id = randomUUID();
  const event = await appendAudit(tx, null, AuditAction.AUDIT_CHECKPOINT_CREATED, { checkpointId: id, scheduled: period !== null });
  const heads = sortHeads([
    ...(await readHeads(tx)).filter((h) => h.chain !== TENANT_CHAIN),
    { chain: TENANT_CHAIN, sequence: event.sequence, hash: event.hash },
  ]);
  const payload: CheckpointPayload = {
    id,
    tenant: tx.tenantId,
    createdAt: event.at.toISOString(),
    root: checkpointRoot(heads),
    chains: heads.length,
    events: heads.reduce((n, h) => n + h.sequence, 0),
    heads,
  };
  const checkpoint = tx.manager.create(AuditCheckpoint, {
    id,
    tenantId: tx.tenantId,
    createdAt: event.at,
    period,
    root: payload.root,
    chains: payload.chains,
    events: payload.events,
    heads,
    jws: await keys.sign(payload, CHECKPOINT_TYP),
  });
  await tx.manager.insert(AuditCheckpoint, checkpoint);
  return checkpoint;
}

/** Delivers a checkpoint outside the database: `<AUDIT_CHECKPOINT_DIR>/<tenant>/<createdAt>-<id>.jws`. */
async function deliverCheckpoint(keys: EvidenceKeys, checkpoint: AuditCheckpoint, log: Logger): Promise<void> {
  if (!keys.checkpointDir) return;
  const file = path.join(keys.checkpointDir, checkpoint.tenantId, `${checkpoint.createdAt.toISOString().replace(/:/g, '-')}-${checkpoint.id}.jws`);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${checkpoint.jws}\n`, { flag: 'wx' });
  } catch (error) {
    log.error({ err: error, checkpointId: checkpoint.id }, 'audit checkpoint could not be written to AUDIT_CHECKPOINT_DIR');
  }
}

/** createAuditCheckpoint (ADMIN): a checkpoint now, whatever the hour. */
export async function createAuditCheckpoint(ctx: RequestContext): Promise<AuditCheckpoint> {
  const keys = evidenceKeysOf(ctx.dataSource);
  const checkpoint = (await transaction(ctx, (tx) => signCheckpoint(tx, keys, null)))!;
  await deliverCheckpoint(keys, checkpoint, ctx.log);
  return checkpoint;
}

/** The hourly run (worker crontab): one checkpoint per active tenant for the hour of `now`. */
export async function createScheduledCheckpoints(dataSource: DataSource, log: Logger, now = new Date()): Promise<number> {
  const keys = evidenceKeysOf(dataSource);
  const period = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
  const tenants = (await dataSource.transaction(async (m) => {
    await m.query(`SELECT set_config('role', 'cms_sweeper', true)`);
    return m.query(`SELECT id FROM tenants WHERE purged_at IS NULL ORDER BY id`);
  })) as { id: string }[];
  let made = 0;
  for (const { id: tenantId } of tenants) {
    try {
      const ctx = RequestContext.system(dataSource, tenantId, `checkpoint-${randomUUID()}`, log);
      const checkpoint = await inTenantTransaction(dataSource, tenantId, (manager) => signCheckpoint(ctx.withManager(manager), keys, period));
      if (!checkpoint) continue;
      made += 1;
      await deliverCheckpoint(keys, checkpoint, log);
    } catch (error) {
      log.error({ err: error, tenantId }, 'scheduled audit checkpoint failed');
    }
  }
  return made;
}

/** auditCheckpoints(first, after): newest first, keyset over (createdAt, id). */
export function listAuditCheckpoints(ctx: RequestContext, first: number, after?: string | null): Promise<Page<AuditCheckpoint>> {
  return transaction(ctx, async (tx) => {
    const q = tx.manager.createQueryBuilder(AuditCheckpoint, 'k');
    if (after) {
      const [createdAt, id] = decodeCursor(after);
      if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || typeof id !== 'string' || !isUuid(id)) {
        throw new BadUserInputError({ after: 'is not a cursor of this list' });
      }
      q.andWhere('(k.created_at, k.id) < (:createdAt::timestamptz, :id::uuid)', { createdAt, id });
    }
    const rows = await q
      .orderBy('k.created_at', 'DESC')
      .addOrderBy('k.id', 'DESC')
      .limit(first + 1)
      .getMany();
    return toPage(rows, first, (k) => encodeCursor([k.createdAt.toISOString(), k.id]));
  });
}

/**
 * The head the latest checkpoint signed for one chain (a complaint id, or TENANT_CHAIN),
 * or null when no checkpoint covers it yet. Chains are never dropped from later
 * checkpoints, so the latest one is the one that covers a chain if any does.
 */
export async function latestCheckpointedHead(tx: TxContext, chain: string): Promise<{ id: string; createdAt: string; sequence: number; hash: string } | null> {
  const [head] = (await tx.manager.query(
    `SELECT k.id, to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt", h.sequence, h.hash
       FROM (SELECT id, created_at, heads FROM audit_checkpoints WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1) k,
            jsonb_to_recordset(k.heads) AS h(chain text, sequence int, hash text)
      WHERE h.chain = $2`,
    [tx.tenantId, chain],
  )) as { id: string; createdAt: string; sequence: number; hash: string }[];
  return head ?? null;
}
