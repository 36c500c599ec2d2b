import canonicalize from 'canonicalize';
import { DateTime } from 'luxon';
import { createHash } from 'node:crypto';
import { appendAudit } from '../audit/audit-chain';
import { created } from '../audit/changes';
import type { RequestContext, TxContext } from '../context';
import { transaction } from '../db/transaction';
import { AuditAction, ComplaintStage, ComplaintStatus, DataContext, DataSubjectRight, IntakeChannel, ProcessingRole, Regime } from '../domain/enums';
import { deriveRegimes } from '../domain/regimes';
import { calendarFor } from '../domain/sla-calendar';
import { BadUserInputError, IdempotencyKeyReusedError } from '../errors';
import { Complaint, StageTransition, Tenant } from '../../entities';
import { checkAssignee } from './assignment';
import { loadComplaint } from './complaint-query.service';
import { sla } from './sla-timers.service';

export interface FileComplaintData {
  complainant: { name: string; email?: string | null; phone?: string | null; involvesChildUnder13: boolean };
  jurisdiction: string;
  regimes?: Regime[] | null;
  dataContext: DataContext;
  processingRole: ProcessingRole;
  rights: DataSubjectRight[];
  channel: IntakeChannel;
  summary: string;
  description: string;
  receivedAt?: Date | null;
  assigneeId?: string | null;
  regulatorReferral?: { regulator: string; reference?: string | null; respondBy?: Date | null } | null;
}

/** SPEC §4: a regulator's referral comes with channel REGULATOR_REFERRAL, and only with it. */
function checkReferral(input: FileComplaintData): void {
  const referral = input.channel === IntakeChannel.REGULATOR_REFERRAL;
  if (referral && !input.regulatorReferral) {
    throw new BadUserInputError({
      'input.regulatorReferral': 'is required with channel REGULATOR_REFERRAL (the regulator, its reference, respondBy when it set a deadline)',
    });
  }
  if (!referral && input.regulatorReferral) {
    throw new BadUserInputError({ 'input.regulatorReferral': `is only for channel REGULATOR_REFERRAL (this complaint: ${input.channel})` });
  }
}

/**
 * Logs a complaint at INTERNAL_DPO / OPEN with the next reference of the tenant (SPEC §4);
 * a regulator's referral is filed straight at REGULATOR, with its deadline as a clock.
 */
export async function fileComplaint(ctx: RequestContext, input: FileComplaintData, idempotencyKey?: string | null): Promise<Complaint> {
  checkReferral(input);
  return transaction(ctx, async (tx) => {
    if (idempotencyKey) {
      const earlier = await claimIdempotencyKey(tx, idempotencyKey, input);
      if (earlier) return earlier;
    }
    if (input.assigneeId) await checkAssignee(tx, input.assigneeId, 'input.assigneeId');
    const tenant = await tx.manager.findOneByOrFail(Tenant, { id: tx.tenantId });
    const now = new Date();
    const reference = await nextReference(tx, DateTime.fromJSDate(now, { zone: calendarFor(tenant.timeZone, null).timeZone }).year);
    const jurisdiction = input.jurisdiction.toUpperCase();
    const referral = input.regulatorReferral ?? null;
    const complaint = tx.manager.create(Complaint, {
      tenantId: tx.tenantId,
      reference,
      stage: referral ? ComplaintStage.REGULATOR : ComplaintStage.INTERNAL_DPO,
      status: ComplaintStatus.OPEN,
      rights: input.rights,
      dataContext: input.dataContext,
      processingRole: input.processingRole,
      regimes: input.regimes?.length ? input.regimes : deriveRegimes(jurisdiction, input.complainant.involvesChildUnder13),
      jurisdiction,
      channel: input.channel,
      summary: input.summary.trim(),
      description: input.description,
      complainantName: input.complainant.name.trim(),
      complainantEmail: input.complainant.email?.trim() || null,
      complainantPhone: input.complainant.phone?.trim() || null,
      involvesChildUnder13: input.complainant.involvesChildUnder13,
      assigneeId: input.assigneeId ?? null,
      receivedAt: input.receivedAt ?? now,
      regulatorName: referral?.regulator.trim() ?? null,
      regulatorReference: referral?.reference?.trim() || null,
      regulatorRespondBy: referral?.respondBy ?? null,
      version: 1,
    });
    await tx.manager.save(complaint);
    await tx.manager.insert(StageTransition, {
      tenantId: tx.tenantId,
      complaintId: complaint.id,
      fromStage: null,
      toStage: complaint.stage,
      reason: referral ? `Referred by ${complaint.regulatorName}` : 'Complaint filed',
      at: complaint.receivedAt,
      actorId: tx.user.userId,
    });
    await appendAudit(
      tx,
      complaint.id,
      AuditAction.COMPLAINT_FILED,
      created({
        reference: complaint.reference,
        stage: complaint.stage,
        status: complaint.status,
        rights: complaint.rights,
        dataContext: complaint.dataContext,
        processingRole: complaint.processingRole,
        regimes: complaint.regimes,
        jurisdiction: complaint.jurisdiction,
        channel: complaint.channel,
        summary: complaint.summary,
        description: complaint.description,
        'complainant.name': complaint.complainantName,
        'complainant.email': complaint.complainantEmail,
        'complainant.phone': complaint.complainantPhone,
        receivedAt: complaint.receivedAt,
        assigneeId: complaint.assigneeId,
        ...(referral
          ? {
              'regulatorReferral.regulator': complaint.regulatorName,
              'regulatorReferral.reference': complaint.regulatorReference,
              'regulatorReferral.respondBy': complaint.regulatorRespondBy,
            }
          : {}),
      }),
    );
    // SPEC §7: a child's data is flagged in the trail and restricted to the DPO.
    if (complaint.involvesChildUnder13) {
      await appendAudit(tx, complaint.id, AuditAction.CHILD_DATA_FLAGGED, { involvesChildUnder13: { from: false, to: true } });
    }
    await sla.stageEntered(tx, complaint, complaint.receivedAt);
    if (complaint.regulatorName && complaint.regulatorRespondBy) {
      await sla.regulatorDeadline(tx, complaint, complaint.regulatorName, complaint.regulatorRespondBy, complaint.receivedAt);
    }
    if (idempotencyKey) {
      await tx.manager.query('UPDATE idempotency_keys SET complaint_id = $1 WHERE tenant_id = $2 AND key = $3', [complaint.id, tx.tenantId, idempotencyKey]);
    }
    return loadComplaint(tx, complaint.id);
  });
}

/**
 * Claims the key in this transaction (SPEC §4). A concurrent claim of the same key waits
 * on the row until this transaction ends. Returns the first complaint when the key was
 * used before with the same input.
 */
async function claimIdempotencyKey(tx: TxContext, key: string, input: FileComplaintData): Promise<Complaint | null> {
  const requestHash = createHash('sha256').update(canonicalize(input)!).digest('hex');
  const claimed = (await tx.manager.query(
    'INSERT INTO idempotency_keys (tenant_id, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING key',
    [tx.tenantId, key, requestHash],
  )) as unknown[];
  if (claimed.length > 0) return null;
  const [earlier] = (await tx.manager.query('SELECT request_hash, complaint_id FROM idempotency_keys WHERE tenant_id = $1 AND key = $2', [
    tx.tenantId,
    key,
  ])) as {
    request_hash: string;
    complaint_id: string;
  }[];
  if (earlier.request_hash !== requestHash) throw new IdempotencyKeyReusedError(key);
  return loadComplaint(tx, earlier.complaint_id);
}

/** PC-<year>-<6 digits>: the counter row is locked until commit, so numbers have no gaps. */
async function nextReference(tx: TxContext, year: number): Promise<string> {
  const [row] = (await tx.manager.query(
    `INSERT INTO reference_counters (tenant_id, year, last_value) VALUES ($1, $2, 1)
     ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = reference_counters.last_value + 1
     RETURNING last_value`,
    [tx.tenantId, year],
  )) as { last_value: number }[];
  return `PC-${year}-${String(row.last_value).padStart(6, '0')}`;
}
