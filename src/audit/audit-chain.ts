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

/** A chain's head as its owner row records it: sequence 0 and no hash for a chain not yet begun. */
export interface ChainHead {
  sequence: number;
  hash: string | null;
}

/** An event as the trail will hold it, before it is linked into its chain (no sequence or hash yet). */
export function draftEvent(tx: TxContext, complaintId: string | null, action: AuditAction, changes: Changes, options: AppendOptions = {}): AuditEvent {
  const event = new AuditEvent();
  event.id = randomUUID();
  event.tenantId = tx.tenantId;
  event.complaintId = complaintId;
  event.chainId = complaintId ?? tx.tenantId;
  event.action = action;
  const system = options.system || tx.isSystem;
  event.actorId = system ? null : tx.user.userId;
  event.actorRole = system ? null : tx.primaryRole;
  event.at = options.at ?? new Date();
  // Never a PII or free-text value (SPEC §6); then as jsonb will return it.
  event.changes = JSON.parse(JSON.stringify(withoutValues(changes))) as Changes;
  event.requestId = tx.requestId;
  return event;
}

/**
 * The one place an event is linked and sealed (SPEC §6): the next sequence after `head`,
 * its prevHash, and its hash computed here, in JS, before the INSERT. Single appends and
 * batches (appendAuditEvents) both go through it; returns the new head.
 */
export function sealEvent(event: AuditEvent, head: ChainHead): ChainHead {
  const last = head.sequence > 0 ? head : undefined;
  event.sequence = (last?.sequence ?? 0) + 1;
  event.prevHash = last?.hash ?? null;
  event.hash = chainHash(event.prevHash, event);
  return { sequence: event.sequence, hash: event.hash };
}

/**
 * Signs sealed events (issue 11): each event's hash with the service's evidence key, which
 * the database never holds, so an event appended with database credentials alone is
 * reported by verification (src/audit/event-signature.ts).
 */
export function signEvents(tx: TxContext, events: AuditEvent[]): void {
  for (const e of events) e.signature = signEventHash(tx, e.hash);
}

/** Seals events of one chain in order, from its head; returns the new head. */
export function sealChain(events: AuditEvent[], head: ChainHead): ChainHead {
  return events.reduce((h, e) => sealEvent(e, h), head);
}

/** The row of audit_events for an INSERT from jsonb (see src/services/case-write.ts). */
export function eventRow(e: AuditEvent): Record<string, unknown> {
  return {
    id: e.id,
    tenant_id: e.tenantId,
    complaint_id: e.complaintId,
    chain_id: e.chainId,
    sequence: e.sequence,
    action: e.action,
    actor_id: e.actorId,
    actor_role: e.actorRole,
    at: e.at.toISOString(),
    changes: e.changes,
    request_id: e.requestId,
    prev_hash: e.prevHash,
    hash: e.hash,
    signature: e.signature,
  };
}

/** One NOTIFY per transaction for the events it appends: the feed of complaintEvents (src/events.ts). */
export function auditNotice(tenantId: string, complaintId: string | null, eventIds: string[]): string {
  return JSON.stringify({ tenantId, complaintId, eventIds });
}

/** Locks the chain's owner row (concurrent appends queue on it) and reads its head. */
async function lockHead(tx: TxContext, complaintId: string | null, chainId: string): Promise<ChainHead> {
  const owner = complaintId ? 'complaints' : 'tenants';
  const [head] = (await tx.manager.query(`SELECT audit_head_sequence AS sequence, audit_head_hash AS hash FROM ${owner} WHERE id = $1 FOR UPDATE`, [
    chainId,
  ])) as ChainHead[];
  return head ?? { sequence: 0, hash: null };
}

/**
 * The one writer of the audit trail (SPEC §6). Appends to the chain of `complaintId`
 * (or the tenant-level chain when null) in the caller's transaction, after locking the
 * chain's owner row so that concurrent appends queue and the sequence stays gap-free.
 * The database admits the event only as the head's next link and moves the head itself
 * (trigger audit_events_link); the API role cannot write a head. A head this transaction
 * already holds (the case door locked it, or an earlier append) is not read again, so each
 * further event is one round trip (plus its outbox, for webhook events). Filing and escalation
 * write their events in one batched statement instead (src/services/case-write.ts),
 * sealed by the same sealEvent.
 */
export async function appendAudit(
  tx: TxContext,
  complaintId: string | null,
  action: AuditAction,
  changes: Changes,
  options: AppendOptions = {},
): Promise<AuditEvent> {
  const tenantId = tx.tenantId;
  const event = draftEvent(tx, complaintId, action, changes, options);
  tx.chainHeads.set(event.chainId, sealEvent(event, tx.chainHeads.get(event.chainId) ?? (await lockHead(tx, complaintId, event.chainId))));
  signEvents(tx, [event]);
  // The event and its notice in one round trip; the NOTIFY is delivered only when the transaction commits.
  await tx.manager.query(
    `WITH e AS (
       INSERT INTO audit_events (id, tenant_id, complaint_id, chain_id, sequence, action, actor_id, actor_role, at, changes, request_id, prev_hash, hash, signature)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id
     )
     SELECT pg_notify('cms_audit', $15) FROM e`,
    [
      event.id,
      tenantId,
      complaintId,
      event.chainId,
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
      auditNotice(tenantId, complaintId, [event.id]),
    ],
  );
  await queueWebhooks(tx, { id: event.id, complaintId, action, at: event.at, changes: changes as Record<string, unknown> });
  await queueSlaMail(tx, { action, complaintId, changes: changes as Record<string, unknown> });
  return event;
}
