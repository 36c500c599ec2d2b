import { compactVerify, createLocalJWKSet, decodeProtectedHeader, JSONWebKeySet } from 'jose';
import { chainHash, verifyChainWithCheckpoint } from '../audit/chain-hash';
import { checkEventSignatures, verifySignedChain } from '../audit/event-signature';
import { checkpointRoot, ChainHead } from '../audit/merkle';
import { BundleEvent, CHECKPOINT_TYP, EVIDENCE_TYP, EvidenceBundle } from './bundle';

export interface VerifyReport {
  failures: string[];
  summary: string;
}

/** The payload of a compact JWS whether or not its signature holds; null when it is not JSON. */
function unverifiedPayload(jws: string): unknown {
  try {
    return JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

/** Checks the signature (EdDSA, a key of the set by kid, the expected typ); a failure line or null. */
async function checkSignature(what: string, jws: string, jwks: JSONWebKeySet, typ: string): Promise<string | null> {
  try {
    const header = decodeProtectedHeader(jws);
    if (header.alg !== 'EdDSA') return `${what}: bad signature: alg ${String(header.alg)}, expected EdDSA`;
    if (header.typ !== typ) return `${what}: bad signature: typ ${String(header.typ)}, expected ${typ}`;
    await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] });
    return null;
  } catch (error) {
    return `${what}: bad signature (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Every hash of the trail recomputed with no database: sequences 1..n, links, hashes. */
function checkTrail(events: BundleEvent[], head: EvidenceBundle['auditHead']): string[] {
  const failures: string[] = [];
  let expected = 1;
  let previous: BundleEvent | null = null;
  for (const e of events) {
    if (e.sequence > expected) failures.push(expected === e.sequence - 1 ? `missing sequence ${expected}` : `missing sequences ${expected}..${e.sequence - 1}`);
    else if (e.sequence < expected) failures.push(`event ${e.sequence} out of order or repeated (expected sequence ${expected})`);
    if (e.prevHash !== (previous?.hash ?? null))
      failures.push(`event ${e.sequence} prevHash does not link to ${previous ? `event ${previous.sequence}` : 'the start of the chain'}`);
    if (chainHash(e.prevHash, e) !== e.hash) failures.push(`event ${e.sequence} hash mismatch`);
    expected = Math.max(expected, e.sequence + 1);
    previous = e;
  }
  if (head.sequence >= expected) failures.push(head.sequence === expected ? `missing sequence ${expected}` : `missing sequences ${expected}..${head.sequence}`);
  else if (head.sequence > 0 && events.length > 0 && head.sequence === events.at(-1)!.sequence && head.hash !== events.at(-1)!.hash)
    failures.push(`audit head does not match event ${head.sequence}`);
  return failures;
}

/** A bundle against a checkpoint kept outside the service: the case's head in it must be in the trail. */
async function checkCheckpoint(jws: string, jwks: JSONWebKeySet, bundle: EvidenceBundle): Promise<{ failures: string[]; note: string }> {
  const failures: string[] = [];
  const signature = await checkSignature('checkpoint', jws, jwks, CHECKPOINT_TYP);
  if (signature) failures.push(signature);
  const payload = unverifiedPayload(jws) as { id?: string; tenant?: string; root?: string; heads?: ChainHead[] } | null;
  if (!payload || !Array.isArray(payload.heads))
    return { failures: [...failures, 'checkpoint mismatch: the checkpoint payload is not a checkpoint'], note: '' };
  if (checkpointRoot(payload.heads) !== payload.root) failures.push('checkpoint mismatch: its root is not the Merkle tree hash of its heads');
  const complaintId = String(bundle.complaint.id);
  const tenant = bundle.auditTrail[0]?.tenantId;
  if (tenant && payload.tenant !== tenant) failures.push(`checkpoint mismatch: the checkpoint is of tenant ${payload.tenant}, the bundle of ${tenant}`);
  const head = payload.heads.find((h) => h.chain === complaintId);
  if (!head) return { failures: [...failures, `checkpoint mismatch: the checkpoint does not cover complaint ${complaintId}`], note: '' };
  const event = bundle.auditTrail.find((e) => e.sequence === head.sequence);
  if (!event) failures.push(`checkpoint mismatch: the checkpoint signed event ${head.sequence}, the bundle's trail has no such event`);
  else if (event.hash !== head.hash) failures.push(`checkpoint mismatch: event ${head.sequence} differs from the checkpoint's hash`);
  return { failures, note: `, checkpoint ${payload.id} holds at sequence ${head.sequence}` };
}

/**
 * `npm run verify-evidence`: an evidence bundle (compact JWS) checked offline. Every
 * failure is one line naming what fails; none means the bundle is valid.
 */
export async function verifyEvidence(bundleJws: string, jwks: JSONWebKeySet, checkpointJws?: string): Promise<VerifyReport> {
  const failures: string[] = [];
  const signature = await checkSignature('bundle', bundleJws, jwks, EVIDENCE_TYP);
  if (signature) failures.push(signature);
  const bundle = unverifiedPayload(bundleJws) as EvidenceBundle | null;
  if (!bundle || !Array.isArray(bundle.auditTrail) || !bundle.auditHead || !bundle.verification) {
    return { failures: [...failures, 'payload: not an evidence bundle (no auditTrail, auditHead or verification)'], summary: '' };
  }
  failures.push(...checkTrail(bundle.auditTrail, bundle.auditHead));
  // Bundles made before audit events were signed state no auditSignedFrom (and the bundle's
  // own signature covers that): their events are checked by hash and link only.
  const signedFrom = typeof bundle.auditSignedFrom === 'number' ? bundle.auditSignedFrom : null;
  if (signedFrom !== null) {
    for (const bad of await checkEventSignatures(bundle.auditTrail, jwks, signedFrom)) {
      failures.push(
        bad.problem === 'missing'
          ? `event ${bad.sequence} is not signed`
          : `event ${bad.sequence} bad signature (not the evidence key's signature of its hash)`,
      );
    }
  }

  const recomputed =
    signedFrom === null
      ? verifyChainWithCheckpoint(bundle.auditTrail, bundle.auditHead, bundle.checkpoint ?? null)
      : await verifySignedChain(bundle.auditTrail, bundle.auditHead, bundle.checkpoint ?? null, jwks, signedFrom);
  const stated = bundle.verification;
  if (recomputed.valid !== stated.valid || recomputed.eventsChecked !== stated.eventsChecked || recomputed.brokenAtSequence !== stated.brokenAtSequence) {
    failures.push(`verification mismatch: the bundle states ${JSON.stringify(stated)}, recomputed ${JSON.stringify(recomputed)}`);
  }
  if (!recomputed.valid && recomputed.brokenAtSequence !== null) {
    failures.push(
      `audit trail broken at sequence ${recomputed.brokenAtSequence}${bundle.checkpoint ? ` (checked against checkpoint ${bundle.checkpoint.id})` : ''}`,
    );
  }
  let note = '';
  if (checkpointJws !== undefined) {
    const checked = await checkCheckpoint(checkpointJws, jwks, bundle);
    failures.push(...checked.failures);
    note = checked.note;
  }
  const kid = (() => {
    try {
      return decodeProtectedHeader(bundleJws).kid;
    } catch {
      return undefined;
    }
  })();
  const reference = (bundle.complaint as { reference?: string })?.reference;
  return { failures: [...new Set(failures)], summary: `valid: ${reference} — ${bundle.auditTrail.length} events, signed by key ${kid}${note}` };
}
