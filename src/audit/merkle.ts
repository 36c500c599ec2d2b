import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';

/**
 * Audit checkpoints (SPEC §7): a Merkle tree hash over every chain head of a tenant.
 * A leaf is the RFC 8785 canonical JSON of `{chain, sequence, hash}`, where `chain` is the
 * complaint id, or "tenant" for the tenant's own chain; leaves are sorted by chain.
 */
export const TENANT_CHAIN = 'tenant';

export interface ChainHead {
  chain: string;
  sequence: number;
  hash: string;
}

export function sortHeads(heads: ChainHead[]): ChainHead[] {
  return [...heads].sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
}

export function leafOf(head: ChainHead): Buffer {
  return Buffer.from(canonicalize({ chain: head.chain, sequence: head.sequence, hash: head.hash })!, 'utf8');
}

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** RFC 9162 §2.1.1: MTH({}) = SHA-256(""), leaves 0x00 || d, nodes 0x01 || left || right, split at the largest power of two below n. */
export function merkleTreeHash(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return sha256(Buffer.from([0]), leaves[0]);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.from([1]), merkleTreeHash(leaves.slice(0, k)), merkleTreeHash(leaves.slice(k)));
}

/** The checkpoint root (hex) of heads in any order. */
export function checkpointRoot(heads: ChainHead[]): string {
  return merkleTreeHash(sortHeads(heads).map(leafOf)).toString('hex');
}
