import { compactVerify, createLocalJWKSet, JSONWebKeySet } from 'jose';
import type { TxContext } from '../context';
import { evidenceKeysOf } from '../evidence/keys';
import { ChainedEvent, ChainVerification, verifyChainWithCheckpoint } from './chain-hash';

/**
 * Issue 11: each audit event is signed by the service with the evidence key (EdDSA), a key
 * the database does not hold. Whoever holds the database credentials can still append a
 * correctly linked and hashed event, but not sign it: verification reports it by sequence.
 * The signature is a compact JWS of `{ hash }` (the hash covers every field and the link),
 * `typ` audit-event, with the key's `kid`, so an auditor verifies it with the published
 * key set (/.well-known/jwks.json, earlier keys included) and any JOSE library.
 */
export const AUDIT_EVENT_TYP = 'audit-event';

/** An event as stored: signed, or written before events were signed. */
export interface SignedEvent extends ChainedEvent {
  signature?: string | null;
}

export interface SignatureFailure {
  sequence: number;
  problem: 'missing' | 'invalid';
}

/** Signs one event's hash with the key of the service that owns the transaction's database. */
export function signEventHash(tx: TxContext, hash: string): string {
  return evidenceKeysOf(tx.dataSource).signNow({ hash }, AUDIT_EVENT_TYP);
}

/**
 * The first sequence of a chain that must be signed: recorded by the migration that
 * introduced signatures for the chains that existed then, 1 for every later chain.
 */
export async function firstSignedSequenceOf(tx: TxContext, chainId: string): Promise<number> {
  const [row] = (await tx.manager.query(`SELECT first_signed_sequence AS "first" FROM audit_signing_starts WHERE tenant_id = $1 AND chain_id = $2`, [
    tx.tenantId,
    chainId,
  ])) as { first: number }[];
  return row?.first ?? 1;
}

async function signatureHolds(signature: string, hash: string, keys: ReturnType<typeof createLocalJWKSet>): Promise<boolean> {
  try {
    const { payload, protectedHeader } = await compactVerify(signature, keys, { algorithms: ['EdDSA'] });
    if (protectedHeader.typ !== AUDIT_EVENT_TYP) return false;
    return (JSON.parse(Buffer.from(payload).toString('utf8')) as { hash?: unknown }).hash === hash;
  } catch {
    return false;
  }
}

/**
 * Every event from `firstSignedSequence` on must carry a signature of its own hash by a
 * key of `jwks`; an earlier event may carry none, but one it carries must hold too.
 * Returns the failures in sequence order (none: every signature holds).
 */
export async function checkEventSignatures(events: SignedEvent[], jwks: JSONWebKeySet, firstSignedSequence: number): Promise<SignatureFailure[]> {
  const keys = createLocalJWKSet(jwks);
  const failures: SignatureFailure[] = [];
  for (const e of events) {
    if (!e.signature) {
      if (e.sequence >= firstSignedSequence) failures.push({ sequence: e.sequence, problem: 'missing' });
    } else if (!(await signatureHolds(e.signature, e.hash, keys))) {
      failures.push({ sequence: e.sequence, problem: 'invalid' });
    }
  }
  return failures;
}

/**
 * verifyChainWithCheckpoint plus the events' signatures: the earliest break is reported,
 * whether a link, a hash, the head, the checkpoint or a signature.
 */
export async function verifySignedChain(
  events: SignedEvent[],
  head: { sequence: number; hash: string | null },
  checkpointed: { sequence: number; hash: string } | null,
  jwks: JSONWebKeySet,
  firstSignedSequence: number,
): Promise<ChainVerification> {
  const chain = verifyChainWithCheckpoint(events, head, checkpointed);
  const [unsigned] = await checkEventSignatures(events, jwks, firstSignedSequence);
  if (!unsigned || (chain.brokenAtSequence !== null && chain.brokenAtSequence <= unsigned.sequence)) return chain;
  return { valid: false, eventsChecked: events.findIndex((e) => e.sequence === unsigned.sequence) + 1, brokenAtSequence: unsigned.sequence };
}
