import type { ChainVerification } from '../audit/chain-hash';
import type { SignedEvent } from '../audit/event-signature';

/**
 * The evidence bundle (SPEC §7): one JSON document about one case that an auditor checks
 * offline with `npm run verify-evidence`. Pure shapes and mappings; no database here.
 */
export const EVIDENCE_TYP = 'evidence-bundle';
/** The JWS `typ` of an audit checkpoint: neither document passes for the other. */
export const CHECKPOINT_TYP = 'audit-checkpoint';

/**
 * One audit event with every field its hash covers (actorId + actorRole are the actor) and
 * its signature (a compact JWS of { hash }, typ audit-event; null before signing began).
 */
export interface BundleEvent extends SignedEvent {
  at: string;
}

export interface EvidenceBundle {
  complaint: Record<string, unknown>;
  stageHistory: Record<string, unknown>[];
  slaTimers: Record<string, unknown>[];
  /** The whole trail, sequence 1..n. */
  auditTrail: BundleEvent[];
  /** The head recorded on the case when the bundle was made. */
  auditHead: { sequence: number; hash: string | null };
  /** The head the latest audit checkpoint signed for this case, if one covers it. */
  checkpoint: { id: string; createdAt: string; sequence: number; hash: string } | null;
  /**
   * The first sequence whose event must be signed: events before it were written before
   * audit events were signed (1 for every chain begun since). Absent in older bundles.
   */
  auditSignedFrom?: number;
  /** As verifyAuditTrail computes it, from the above and the events' signatures. */
  verification: ChainVerification;
  generatedAt: string;
  generatedBy: { userId: string; roles: string[] };
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** An audit event as stored: the hashed fields with `at` as the database returns it. */
export type EventRow = SignedEvent & { at: Date };

export function bundleEvent(e: EventRow): BundleEvent {
  return {
    id: e.id,
    tenantId: e.tenantId,
    complaintId: e.complaintId,
    sequence: e.sequence,
    action: e.action,
    actorId: e.actorId,
    actorRole: e.actorRole,
    at: e.at.toISOString(),
    changes: e.changes,
    requestId: e.requestId,
    prevHash: e.prevHash,
    hash: e.hash,
    signature: e.signature ?? null,
  };
}

/** Dates as ISO strings, everything else as it is: the JSON an auditor reads. */
export function plainRecord(row: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? iso(v) : v]));
}
