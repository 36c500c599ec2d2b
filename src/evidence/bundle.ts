import type { ChainedEvent, ChainVerification } from '../audit/chain-hash';

/**
 * The evidence bundle (SPEC §7): one JSON document about one case that an auditor checks
 * offline with `npm run verify-evidence`. Pure shapes and mappings; no database here.
 */
export const EVIDENCE_TYP = 'evidence-bundle';
/** The JWS `typ` of an audit checkpoint: neither document passes for the other. */
export const CHECKPOINT_TYP = 'audit-checkpoint';

/** One audit event with every field its hash covers (actorId + actorRole are the actor). */
export interface BundleEvent extends ChainedEvent {
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
  /** As verifyAuditTrail computes it, from the three above. */
  verification: ChainVerification;
  generatedAt: string;
  generatedBy: { userId: string; roles: string[] };
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** An audit event as stored: the hashed fields with `at` as the database returns it. */
export type EventRow = ChainedEvent & { at: Date };

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
  };
}

/** Dates as ISO strings, everything else as it is: the JSON an auditor reads. */
export function plainRecord(row: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? iso(v) : v]));
}
