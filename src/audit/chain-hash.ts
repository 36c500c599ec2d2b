import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';

/**
 * The pure half of the audit chain (SPEC §6): how an event is hashed and how a chain is
 * checked. No database, no entities: the service and `npm run verify-evidence` share it.
 */
export interface HashedEvent {
  id: string;
  tenantId: string;
  complaintId: string | null;
  sequence: number;
  action: string;
  actorId: string | null;
  actorRole: string | null;
  /** A Date from the database, its ISO string in an evidence bundle. */
  at: Date | string;
  changes: Record<string, unknown>;
  requestId: string | null;
}

export interface ChainedEvent extends HashedEvent {
  prevHash: string | null;
  hash: string;
}

/** The fields that enter the hash, in canonical (RFC 8785) JSON. */
function canonicalEvent(e: HashedEvent): string {
  return canonicalize({
    id: e.id,
    tenantId: e.tenantId,
    complaintId: e.complaintId,
    sequence: e.sequence,
    action: e.action,
    actorId: e.actorId,
    actorRole: e.actorRole,
    at: typeof e.at === 'string' ? e.at : e.at.toISOString(),
    changes: e.changes,
    requestId: e.requestId,
  })!;
}

export function chainHash(prevHash: string | null, event: HashedEvent): string {
  return createHash('sha256')
    .update((prevHash ?? '') + canonicalEvent(event))
    .digest('hex');
}

export interface ChainVerification {
  valid: boolean;
  eventsChecked: number;
  brokenAtSequence: number | null;
}

/**
 * Recomputes a chain from its stored rows and names the first event that does not hold.
 * `head` is the chain's last sequence and hash as recorded on its owner row: events
 * missing from the end are reported at the first missing sequence.
 */
export function verifyChain(events: ChainedEvent[], head: { sequence: number; hash: string | null }): ChainVerification {
  let prevHash: string | null = null;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    // A missing event is named by its own sequence, the first one not there.
    if (e.sequence !== i + 1) return { valid: false, eventsChecked: i + 1, brokenAtSequence: i + 1 };
    const intact = e.prevHash === prevHash && e.hash === chainHash(prevHash, e);
    if (!intact) return { valid: false, eventsChecked: i + 1, brokenAtSequence: e.sequence };
    prevHash = e.hash;
  }
  if (head.sequence > events.length) return { valid: false, eventsChecked: events.length, brokenAtSequence: events.length + 1 }; // cut off
  if (head.sequence < events.length) return { valid: false, eventsChecked: events.length, brokenAtSequence: head.sequence + 1 }; // written past the head
  if (head.sequence > 0 && head.hash !== prevHash) return { valid: false, eventsChecked: events.length, brokenAtSequence: head.sequence };
  return { valid: true, eventsChecked: events.length, brokenAtSequence: null };
}

/**
 * Checks a chain against a head signed in an audit checkpoint (SPEC §7). A checkpoint
 * holds only the head (sequence s, hash h), so when history before it was rewritten and
 * every later hash recomputed, s is the lowest sequence that provably differs; when the
 * chain no longer reaches s, the first missing sequence is. Returns null when it holds.
 */
export function divergenceFromCheckpoint(events: ChainedEvent[], signed: { sequence: number; hash: string }): number | null {
  if (events.length < signed.sequence) return events.length + 1;
  const event = events[signed.sequence - 1];
  if (event.sequence !== signed.sequence || event.hash !== signed.hash) return signed.sequence;
  return null;
}

/** Both checks at once: the earlier of the two breaks is the one reported. */
export function verifyChainWithCheckpoint(
  events: ChainedEvent[],
  head: { sequence: number; hash: string | null },
  signed: { sequence: number; hash: string } | null,
): ChainVerification {
  const own = verifyChain(events, head);
  const diverged = signed ? divergenceFromCheckpoint(events, signed) : null;
  if (diverged === null || (own.brokenAtSequence !== null && own.brokenAtSequence <= diverged)) return own;
  return { valid: false, eventsChecked: Math.min(events.length, diverged), brokenAtSequence: diverged };
}
