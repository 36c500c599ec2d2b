import type { RequestContext } from '../context';
import { transaction } from '../db/transaction';
import { AuditEvent, Complaint, SlaTimer } from '../../entities';

/** A notified audit event, read back under the subscriber's own tenant (RLS applies). */
export function loadAuditEvent(ctx: RequestContext, eventId: string): Promise<AuditEvent> {
  return transaction(ctx, (tx) => tx.manager.findOneByOrFail(AuditEvent, { id: eventId }));
}

export async function loadSlaAlert(ctx: RequestContext, timerId: string, kind: string): Promise<{ timer: SlaTimer; complaintId: string; reference: string; kind: string }> {
  return transaction(ctx, async (tx) => {
    const timer = await tx.manager.findOneByOrFail(SlaTimer, { id: timerId });
    const complaint = await tx.manager.findOneByOrFail(Complaint, { id: timer.complaintId });
    return { timer, complaintId: complaint.id, reference: complaint.reference, kind };
  });
}
