import { appendAudit } from '../audit/audit-chain';
import type { RequestContext } from '../context';
import { AuditAction } from '../domain/enums';
import { InvalidTransitionError } from '../errors';
import { Complaint } from '../../entities';
import { changeComplaint, saveComplaint } from './complaint-mutation';

export const ERASED = '[erased]';

/**
 * SPEC §7: the complainant's name, email and phone become null, the description and the
 * note bodies "[erased]"; one COMPLAINANT_DATA_ERASED event. The trail never held those
 * values (PII is recorded as changed-only), so the hash chain still verifies.
 * The one change a CLOSED case accepts.
 */
export function eraseComplainantData(ctx: RequestContext, id: string, reason: string): Promise<Complaint> {
  return changeComplaint(ctx, id, { operation: 'eraseComplainantData', allowClosed: true }, async (tx, c) => {
    if (c.complainantErasedAt) {
      throw new InvalidTransitionError('COMPLAINANT_ALREADY_ERASED', `The complainant's data was erased at ${c.complainantErasedAt.toISOString()}`);
    }
    const at = new Date();
    const notes = (await tx.manager.query(
      `UPDATE notes SET body = $2, updated_at = now() WHERE complaint_id = $1 AND body <> $2 RETURNING id`,
      [c.id, ERASED],
    )) as [unknown[], number] | unknown[];
    const erasedNotes = Array.isArray(notes[0]) ? (notes[0] as unknown[]).length : notes.length;
    await saveComplaint(tx, c, { complainantName: null, complainantEmail: null, complainantPhone: null, description: ERASED, complainantErasedAt: at });
    await appendAudit(tx, c.id, AuditAction.COMPLAINANT_DATA_ERASED, {
      'complainant.name': { changed: true },
      'complainant.email': { changed: true },
      'complainant.phone': { changed: true },
      description: { changed: true },
      notesErased: erasedNotes,
      erasedAt: { from: null, to: at.toISOString() },
      reason,
    }, { at });
  });
}
