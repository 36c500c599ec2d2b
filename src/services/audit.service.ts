import { MoreThan } from 'typeorm';
import { ChainVerification, verifyChain } from '../audit/audit-chain';
import type { RequestContext } from '../context';
import { transaction } from '../db/transaction';
import { BadUserInputError } from '../errors';
import { decodeCursor, encodeCursor, Page, toPage } from '../pagination';
import { AuditEvent } from '../../entities';
import { loadComplaint } from './complaint-query.service';

/** A complaint's trail in sequence order, paginated by sequence. */
export async function auditTrail(ctx: RequestContext, complaintId: string, first: number, after?: string | null): Promise<Page<AuditEvent>> {
  let afterSequence = 0;
  if (after) {
    const [sequence] = decodeCursor(after);
    if (!Number.isInteger(sequence) || (sequence as number) < 0) throw new BadUserInputError({ after: 'is not a cursor of this audit trail' });
    afterSequence = sequence as number;
  }
  return transaction(ctx, async (tx) => {
    await loadComplaint(tx, complaintId);
    const rows = await tx.manager.find(AuditEvent, {
      where: { chainId: complaintId, sequence: MoreThan(afterSequence) },
      order: { sequence: 'ASC' },
      take: first + 1,
    });
    return toPage(rows, first, (e) => encodeCursor([e.sequence]));
  });
}

/** Recomputes the complaint's hash chain from the stored rows (SPEC §6). */
export function verifyAuditTrail(ctx: RequestContext, complaintId: string): Promise<ChainVerification> {
  return transaction(ctx, async (tx) => {
    await loadComplaint(tx, complaintId);
    const [head] = (await tx.manager.query('SELECT audit_head_sequence AS sequence, audit_head_hash AS hash FROM complaints WHERE id = $1', [complaintId])) as {
      sequence: number;
      hash: string | null;
    }[];
    const events = await tx.manager.find(AuditEvent, { where: { chainId: complaintId }, order: { sequence: 'ASC' } });
    return verifyChain(events, head);
  });
}
