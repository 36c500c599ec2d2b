import { IsNull, MoreThan } from 'typeorm';
import { ChainVerification } from '../audit/audit-chain';
import { firstSignedSequenceOf, verifySignedChain } from '../audit/event-signature';
import { TENANT_CHAIN } from '../audit/merkle';
import type { RequestContext, TxContext } from '../context';
import { transaction } from '../db/transaction';
import { BadUserInputError } from '../errors';
import { evidenceKeysOf } from '../evidence/keys';
import { decodeCursor, encodeCursor, MAX_INT4, Page, toPage } from '../pagination';
import { AuditEvent } from '../../entities';
import { latestCheckpointedHead } from './checkpoint.service';
import { loadComplaint } from './complaint-query.service';

/** A chain: a complaint's, or the tenant's own (policy and settings changes). */
type Chain = { kind: 'complaint'; complaintId: string } | { kind: 'tenant' };

async function openChain(tx: TxContext, chain: Chain): Promise<{ chainId: string; owner: 'complaints' | 'tenants' }> {
  if (chain.kind === 'tenant') return { chainId: tx.tenantId, owner: 'tenants' };
  await loadComplaint(tx, chain.complaintId); // NOT_FOUND for another tenant's id
  return { chainId: chain.complaintId, owner: 'complaints' };
}

function chainWhere(chain: Chain, chainId: string) {
  return chain.kind === 'tenant' ? { chainId, complaintId: IsNull() } : { chainId };
}

/** A trail in sequence order, paginated by sequence. */
async function readTrail(ctx: RequestContext, chain: Chain, first: number, after?: string | null): Promise<Page<AuditEvent>> {
  let afterSequence = 0;
  if (after) {
    const [sequence] = decodeCursor(after);
    if (!Number.isInteger(sequence) || (sequence as number) < 0 || (sequence as number) > MAX_INT4)
      throw new BadUserInputError({ after: 'is not a cursor of this audit trail' });
    afterSequence = sequence as number;
  }
  return transaction(ctx, async (tx) => {
    const { chainId } = await openChain(tx, chain);
    const rows = await tx.manager.find(AuditEvent, {
      where: { ...chainWhere(chain, chainId), sequence: MoreThan(afterSequence) },
      order: { sequence: 'ASC' },
      take: first + 1,
    });
    return toPage(rows, first, (e) => encodeCursor([e.sequence]));
  });
}

/**
 * Recomputes a hash chain from the stored rows against the head on its owner row (SPEC §6)
 * and against the head the latest audit checkpoint signed for it (SPEC §7), so that a
 * history rewritten before the checkpoint, every later hash recomputed, is still reported;
 * and checks each event's signature, so that an event appended past the checkpoint by
 * someone without the evidence key is reported too (issue 11).
 */
function verifyTrail(ctx: RequestContext, chain: Chain): Promise<ChainVerification> {
  return transaction(ctx, async (tx) => {
    const { chainId, owner } = await openChain(tx, chain);
    const [head] = (await tx.manager.query(`SELECT audit_head_sequence AS sequence, audit_head_hash AS hash FROM ${owner} WHERE id = $1`, [chainId])) as {
      sequence: number;
      hash: string | null;
    }[];
    const events = await tx.manager.find(AuditEvent, { where: chainWhere(chain, chainId), order: { sequence: 'ASC' } });
    const signed = await latestCheckpointedHead(tx, chain.kind === 'tenant' ? TENANT_CHAIN : chainId);
    const firstSigned = await firstSignedSequenceOf(tx, chainId);
    return verifySignedChain(events, head, signed, evidenceKeysOf(tx.dataSource).jwks, firstSigned);
  });
}

export const auditTrail = (ctx: RequestContext, complaintId: string, first: number, after?: string | null) =>
  readTrail(ctx, { kind: 'complaint', complaintId }, first, after);
export const verifyAuditTrail = (ctx: RequestContext, complaintId: string) => verifyTrail(ctx, { kind: 'complaint', complaintId });
export const tenantAuditTrail = (ctx: RequestContext, first: number, after?: string | null) => readTrail(ctx, { kind: 'tenant' }, first, after);
export const verifyTenantAuditTrail = (ctx: RequestContext) => verifyTrail(ctx, { kind: 'tenant' });
