import { appendAudit } from '../audit/audit-chain';
import type { Changes } from '../audit/audit-chain';
import type { RequestContext, TxContext } from '../context';
import { AuditAction } from '../domain/enums';
import { ERASED, FreeTextField } from '../domain/free-text';
import { InvalidTransitionError } from '../errors';
import { Complaint } from '../../entities';
import { changeComplaint, saveComplaint } from './complaint-mutation';

type Column = { table: 'complaints' | 'notes' | 'stage_transitions' | 'sla_timers'; column: string };

/**
 * Where each free-text field of a case is stored. A Record over the one list, so that a
 * field added to it does not compile until erasure knows where it lives. The reasons
 * given for awaiting, reopening and erasure exist only in the trail, as "set".
 */
const STORED_AT: Record<FreeTextField, Column[]> = {
  summary: [{ table: 'complaints', column: 'summary' }],
  description: [{ table: 'complaints', column: 'description' }],
  'note.body': [{ table: 'notes', column: 'body' }],
  resolutionSummary: [{ table: 'complaints', column: 'resolution_summary' }],
  panelAdviceSummary: [{ table: 'complaints', column: 'panel_advice_summary' }],
  reason: [{ table: 'stage_transitions', column: 'reason' }],
  extensionReason: [{ table: 'sla_timers', column: 'extension_reason' }],
  breachSummary: [{ table: 'complaints', column: 'breach_summary' }],
};

/** Overwrites every stored free-text value of the case with "[erased]"; returns the rows changed per field. */
async function eraseFreeText(tx: TxContext, complaintId: string): Promise<Map<FreeTextField, number>> {
  const erased = new Map<FreeTextField, number>();
  for (const [field, columns] of Object.entries(STORED_AT) as [FreeTextField, Column[]][]) {
    for (const { table, column } of columns) {
      const key = table === 'complaints' ? 'id' : 'complaint_id';
      const stamp = table === 'complaints' ? '' : ', updated_at = now()'; // the case's own stamp moves with its version
      const [, count] = (await tx.manager.query(`UPDATE ${table} SET ${column} = $2${stamp} WHERE ${key} = $1 AND ${column} IS NOT NULL AND ${column} <> $2`, [
        complaintId,
        ERASED,
      ])) as [unknown[], number];
      if (count > 0) erased.set(field, (erased.get(field) ?? 0) + count);
    }
  }
  return erased;
}

/**
 * SPEC §7: the complainant's name, email and phone become null and every free-text field
 * of the case (src/domain/free-text.ts) "[erased]"; one COMPLAINANT_DATA_ERASED event.
 * The trail never held those values (recorded as set or changed only), so the hash
 * chain still verifies. The one change a CLOSED case accepts.
 */
export function eraseComplainantData(ctx: RequestContext, id: string, reason: string): Promise<Complaint> {
  return changeComplaint(ctx, id, { operation: 'eraseComplainantData', allowClosed: true }, async (tx, c) => {
    if (c.complainantErasedAt) {
      throw new InvalidTransitionError('COMPLAINANT_ALREADY_ERASED', `The complainant's data was erased at ${c.complainantErasedAt.toISOString()}`);
    }
    const at = new Date();
    const erased = await eraseFreeText(tx, c.id);
    await saveComplaint(tx, c, { complainantName: null, complainantEmail: null, complainantPhone: null, complainantErasedAt: at });
    const changes: Changes = {
      'complainant.name': { changed: true },
      'complainant.email': { changed: true },
      'complainant.phone': { changed: true },
    };
    for (const field of erased.keys()) changes[field] = { changed: true };
    await appendAudit(
      tx,
      c.id,
      AuditAction.COMPLAINANT_DATA_ERASED,
      {
        ...changes,
        notesErased: erased.get('note.body') ?? 0,
        erasedAt: { from: null, to: at.toISOString() },
        reason,
      },
      { at },
    );
  });
}
