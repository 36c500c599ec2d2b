import { randomUUID } from 'node:crypto';
import type { TxContext } from '../context';
import { AuditAction } from '../domain/enums';
import { AuditEvent } from '../../entities';
import { withoutValues } from './changes';
import { chainHash } from './chain-hash';
import { signEventHash } from './event-signature';
import { queueSlaMail } from '../mail/sla-mail';
import { queueWebhooks } from '../webhooks/outbox';

export { chainHash, verifyChain, type ChainVerification } from './chain-hash';

/** field → { from, to }; PII and free-text fields carry only { changed: true } (see changes.ts). */
export type Changes = Record<string, unknown>;

export interface AppendOptions {
  /** A timer event: recorded with no actor. */
  system?: boolean;
  at?: Date;
}

/**
 * The one writer of the audit trail (SPEC §6). Appends to the chain of `complaintId`
 * (or the tenant-level chain when null) in the caller's transaction, after locking the
 * chain's owner row so that concurrent appends queue and the sequence stays gap-free.
 * The database admits the event only as the head's next link and moves the head itself
 * (trigger audit_events_link); the API role cannot write a head.
 */
export async function appendAudit(
  tx: TxContext,
  complaintId: string | null,
  action: AuditAction,
  changes: Changes,
  options: AppendOptions = {},
): Promise<AuditEvent> {
  const tenantId = tx.tenantId;
  const chainId = complaintId ?? tenantId;
  const owner = complaintId ? 'complaints' : 'tenants';
  const [head] = (await tx.manager.query(`SELECT audit_head_sequence AS sequence, audit_head_hash AS hash FROM ${owner} WHERE id = $1 FOR UPDATE`, [
    chainId,
  ])) as {
    sequence: number;
    hash: string | null;
  }[];
  const last = head && head.sequence > 0 ? head : undefined;

  const event = new AuditEvent();
  event.id = randomUUID();
  event.tenantId = tenantId;
  event.complaintId = complaintId;
  event.chainId = chainId;
  event.sequence = (last?.sequence ?? 0) + 1;
  event.action = action;
  const system = options.system || tx.isSystem;
  event.actorId = system ? null : tx.user.userId;
  event.actorRole = system ? null : tx.primaryRole;
  event.at = options.at ?? new Date();
  // Never a PII or free-text value (SPEC §6); then as jsonb will return it.
  event.changes = JSON.parse(JSON.stringify(withoutValues(changes))) as Changes;
  event.requestId = tx.requestId;
  event.prevHash = last?.hash ?? null;
  event.hash = chainHash(event.prevHash, event);
  event.signature = await signEventHash(tx, event.hash);
  await tx.manager.query(
    `INSERT INTO audit_events (id, tenant_id, complaint_id, chain_id, sequence, action, actor_id, actor_role, at, changes, request_id, prev_hash, hash, signature)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      event.id,
      tenantId,
      complaintId,
      chainId,
      event.sequence,
      action,
      event.actorId,
      event.actorRole,
      event.at,
      JSON.stringify(event.changes),
      event.requestId,
      event.prevHash,
      event.hash,
      event.signature,
    ],
  );
  // Delivered to LISTENers only when the transaction commits: the feed of complaintEvents.
  await tx.manager.query(`SELECT pg_notify('cms_audit', $1)`, [JSON.stringify({ tenantId, complaintId, eventId: event.id })]);
  await queueWebhooks(tx, { id: event.id, complaintId, action, at: event.at, changes: changes as Record<string, unknown> });
  await queueSlaMail(tx, { action, complaintId, changes: changes as Record<string, unknown> });
  return event;
}
