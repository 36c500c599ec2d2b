import { appendAudit } from '../audit/audit-chain';
import type { RequestContext } from '../context';
import { AuditAction } from '../domain/enums';
import { BadUserInputError, InvalidTransitionError } from '../errors';
import { Complaint } from '../../entities';
import { changeComplaint, saveComplaint } from './complaint-mutation';
import { sla } from './sla-timers.service';

type Version = number | null | undefined;

/**
 * SPEC §4 personal data breaches: the DPO records the breach a complaint revealed, which
 * starts the NOTIFY_AUTHORITY clocks of the case's regimes from awareAt (GDPR and UK GDPR
 * Art. 33(1): 72 hours). Once per case; the summary is free text (the trail records only
 * that it was set).
 */
export function recordPersonalDataBreach(ctx: RequestContext, id: string, awareAt: Date, summary: string, expectedVersion: Version): Promise<Complaint> {
  return changeComplaint(ctx, id, { operation: 'recordPersonalDataBreach', expectedVersion }, async (tx, c) => {
    if (c.breachRecordedAt) {
      throw new InvalidTransitionError(
        'BREACH_ALREADY_RECORDED',
        `A personal data breach was already recorded on this case at ${c.breachRecordedAt.toISOString()}`,
      );
    }
    const at = new Date();
    if (awareAt.getTime() > at.getTime()) throw new BadUserInputError({ awareAt: 'must not be in the future' });
    await saveComplaint(tx, c, { breachAwareAt: awareAt, breachSummary: summary, breachRecordedAt: at });
    await appendAudit(
      tx,
      c.id,
      AuditAction.PERSONAL_DATA_BREACH_RECORDED,
      {
        'personalDataBreach.awareAt': { from: null, to: awareAt.toISOString() },
        'personalDataBreach.summary': { changed: true },
        'personalDataBreach.recordedAt': { from: null, to: at.toISOString() },
      },
      { at },
    );
    await sla.breachRecorded(tx, c, awareAt);
  });
}

/**
 * The supervisory authority was notified: meets the NOTIFY_AUTHORITY clocks at notifiedAt
 * (not before awareAt, not in the future); a clock already due stays breached.
 */
export function recordAuthorityNotified(
  ctx: RequestContext,
  id: string,
  notifiedAt: Date,
  authority: string,
  reference: string | null | undefined,
  expectedVersion: Version,
): Promise<Complaint> {
  return changeComplaint(ctx, id, { operation: 'recordAuthorityNotified', expectedVersion }, async (tx, c) => {
    if (!c.breachAwareAt)
      throw new InvalidTransitionError('BREACH_NOT_RECORDED', 'No personal data breach is recorded on this case: record it first (recordPersonalDataBreach)');
    if (c.authorityNotifiedAt) {
      throw new InvalidTransitionError(
        'AUTHORITY_ALREADY_NOTIFIED',
        `The authority was already recorded as notified at ${c.authorityNotifiedAt.toISOString()}`,
      );
    }
    const at = new Date();
    if (notifiedAt.getTime() > at.getTime()) throw new BadUserInputError({ notifiedAt: 'must not be in the future' });
    if (notifiedAt < c.breachAwareAt) throw new BadUserInputError({ notifiedAt: `must not be before the breach's awareAt (${c.breachAwareAt.toISOString()})` });
    const patch = { authorityNotifiedAt: notifiedAt, authorityName: authority.trim(), authorityReference: reference?.trim() || null };
    await saveComplaint(tx, c, patch);
    await appendAudit(
      tx,
      c.id,
      AuditAction.AUTHORITY_NOTIFIED,
      {
        'personalDataBreach.authorityNotifiedAt': { from: null, to: notifiedAt.toISOString() },
        'personalDataBreach.authority': { from: null, to: patch.authorityName },
        'personalDataBreach.authorityReference': { from: null, to: patch.authorityReference },
      },
      { at },
    );
    await sla.authorityNotified(tx, c, notifiedAt);
  });
}
