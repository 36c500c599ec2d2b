import { appendAudit } from '../audit/audit-chain';
import { diff } from '../audit/changes';
import type { RequestContext } from '../context';
import { AuditAction } from '../domain/enums';
import { BadUserInputError, InvalidTransitionError } from '../errors';
import { Complaint, Note } from '../../entities';
import { checkAssignee } from './assignment';
import { changeComplaint, saveComplaint, withLockedComplaint } from './complaint-mutation';
import { sla } from './sla-timers.service';

type Version = number | null | undefined;

/** Sets acknowledgedAt once and meets the ACKNOWLEDGE clocks; a repeat changes nothing. */
export function acknowledgeComplaint(ctx: RequestContext, id: string, expectedVersion: Version): Promise<Complaint> {
  return changeComplaint(ctx, id, { operation: 'acknowledgeComplaint', expectedVersion }, async (tx, c) => {
    if (c.acknowledgedAt) return;
    const at = new Date();
    await saveComplaint(tx, c, { acknowledgedAt: at });
    await appendAudit(tx, c.id, AuditAction.ACKNOWLEDGED, { acknowledgedAt: { from: null, to: at.toISOString() } }, { at });
    await sla.acknowledged(tx, c, at);
  });
}

/** SPEC §3: an AGENT assigns to self only; the DPO to anyone. Same assignee: no change. */
export function assignComplaint(ctx: RequestContext, id: string, assigneeId: string, expectedVersion: Version): Promise<Complaint> {
  return changeComplaint(ctx, id, { operation: 'assignComplaint', expectedVersion }, async (tx, c) => {
    await checkAssignee(tx, assigneeId, 'assigneeId');
    if (c.assigneeId === assigneeId) return;
    const from = c.assigneeId;
    await saveComplaint(tx, c, { assigneeId });
    await appendAudit(tx, c.id, AuditAction.ASSIGNED, { assigneeId: { from, to: assigneeId } });
  });
}

export interface ComplainantPatch {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
}

/** Corrects the complainant's details; the trail records which fields changed, never values. */
export function updateComplainant(ctx: RequestContext, id: string, input: ComplainantPatch, expectedVersion: Version): Promise<Complaint> {
  return changeComplaint(ctx, id, { operation: 'updateComplainant', expectedVersion }, async (tx, c) => {
    if (c.complainantErasedAt) {
      throw new InvalidTransitionError('COMPLAINANT_ERASED', "The complainant's data was erased; it cannot be filled in again");
    }
    if (input.name === null) throw new BadUserInputError({ 'input.name': 'cannot be removed' });
    const next = {
      complainantName: input.name !== undefined ? input.name!.trim() : c.complainantName,
      complainantEmail: input.email !== undefined ? input.email?.trim() || null : c.complainantEmail,
      complainantPhone: input.phone !== undefined ? input.phone?.trim() || null : c.complainantPhone,
    };
    if (!next.complainantEmail && !next.complainantPhone) {
      throw new BadUserInputError({ 'input.email': 'at least one of email or phone must remain' });
    }
    const changes = diff(
      { 'complainant.name': c.complainantName, 'complainant.email': c.complainantEmail, 'complainant.phone': c.complainantPhone },
      { 'complainant.name': next.complainantName, 'complainant.email': next.complainantEmail, 'complainant.phone': next.complainantPhone },
    );
    if (Object.keys(changes).length === 0) return;
    await saveComplaint(tx, c, next);
    await appendAudit(tx, c.id, AuditAction.COMPLAINANT_UPDATED, changes);
  });
}

/** Adds a note; concurrent notes queue on the case row so the audit sequence stays gap-free. */
export function addNote(ctx: RequestContext, complaintId: string, body: string, internal: boolean): Promise<Note> {
  return withLockedComplaint(ctx, complaintId, { operation: 'addNote' }, async (tx, c) => {
    const note = tx.manager.create(Note, { tenantId: tx.tenantId, complaintId, body, internal, authorId: tx.user.userId });
    await tx.manager.save(note);
    await saveComplaint(tx, c, {});
    await appendAudit(tx, c.id, AuditAction.NOTE_ADDED, {
      noteId: { from: null, to: note.id },
      internal: { from: null, to: internal },
      'note.body': { changed: true },
    });
    return note;
  });
}
