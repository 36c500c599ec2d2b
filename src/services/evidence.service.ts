import { appendAudit } from '../audit/audit-chain';
import { firstSignedSequenceOf, verifySignedChain } from '../audit/event-signature';
import { canReadPii } from '../auth/permissions';
import type { Role } from '../auth/roles';
import type { RequestContext } from '../context';
import { inTenantTransaction, transaction } from '../db/transaction';
import { AuditAction } from '../domain/enums';
import { bundleEvent, EVIDENCE_TYP, EvidenceBundle, plainRecord } from '../evidence/bundle';
import { evidenceKeysOf } from '../evidence/keys';
import { AuditEvent, Complaint, SlaTimer, StageTransition } from '../../entities';
import { loadComplaint } from './complaint-query.service';
import { latestCheckpointedHead } from './checkpoint.service';
import { remainingSecondsOf } from './sla-query.service';
import { explainTimerFor } from './sla-explanation.service';
import { canReadFreeText, FreeTextField, MASK, maskFreeText } from '../domain/free-text';

/**
 * The case as the caller may read it (SPEC §3): complainant PII as the GraphQL
 * Complaint.complainant shows it, every free-text field masked by the one list's rule.
 */
export function complaintAsSeenBy(c: Complaint, roles: Role[]): Record<string, unknown> {
  const visible = canReadPii(roles, c.involvesChildUnder13);
  const show = (value: string | null) => (value === null || visible ? value : MASK);
  const text = (field: FreeTextField, value: string | null) => maskFreeText({ roles }, c, field, value);
  return plainRecord({
    id: c.id,
    reference: c.reference,
    stage: c.stage,
    status: c.status,
    rights: c.rights,
    dataContext: c.dataContext,
    processingRole: c.processingRole,
    regimes: c.regimes,
    jurisdiction: c.jurisdiction,
    channel: c.channel,
    summary: text('summary', c.summary),
    description: text('description', c.description),
    complainant: {
      name: show(c.complainantName),
      email: show(c.complainantEmail),
      phone: show(c.complainantPhone),
      involvesChildUnder13: c.involvesChildUnder13,
      erasedAt: c.complainantErasedAt?.toISOString() ?? null,
    },
    assigneeId: c.assigneeId,
    receivedAt: c.receivedAt,
    acknowledgedAt: c.acknowledgedAt,
    resolvedAt: c.resolvedAt,
    closedAt: c.closedAt,
    outcome: c.outcome,
    resolutionSummary: text('resolutionSummary', c.resolutionSummary),
    panelAdviceSummary: text('panelAdviceSummary', c.panelAdviceSummary),
    regulatorReferral: c.regulatorName ? { regulator: c.regulatorName, reference: c.regulatorReference, respondBy: c.regulatorRespondBy } : null,
    personalDataBreach: c.breachRecordedAt
      ? {
          awareAt: c.breachAwareAt,
          summary: text('breachSummary', c.breachSummary),
          recordedAt: c.breachRecordedAt,
          authorityNotifiedAt: c.authorityNotifiedAt,
          authority: c.authorityName,
          authorityReference: c.authorityReference,
        }
      : null,
    nextDueAt: c.nextDueAt,
    version: c.version,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  });
}

/** A timer with the fields of the GraphQL SlaTimer, its explanation included; free text as `roles` may read it. */
export function timerAsShown(t: SlaTimer, now: Date, c: Complaint, roles: Role[], log: RequestContext['log']): Record<string, unknown> {
  const reasonVisible = canReadFreeText(roles, c.involvesChildUnder13, 'extensionReason');
  return plainRecord({
    id: t.id,
    kind: t.kind,
    regime: t.regime,
    stage: t.stage,
    status: t.status,
    startedAt: t.startedAt,
    dueAt: t.dueAt,
    warnAt: t.warnAt,
    pausedAt: t.pausedAt,
    metAt: t.metAt,
    breachedAt: t.breachedAt,
    extended: t.extended,
    extensionReason: reasonVisible ? t.extensionReason : MASK,
    remainingSeconds: remainingSecondsOf(t, now),
    policyId: t.policyId,
    terms: t.terms,
    explanation: explainTimerFor(log, t, reasonVisible).map((step) => plainRecord({ ...step })),
  });
}

/**
 * GET /complaints/{id}/evidence (DPO, COMPLIANCE_OFFICER): the case, its stage history,
 * timers and whole audit trail with its verification, read from the primary in one
 * snapshot (a REPEATABLE READ transaction that only reads), signed with the evidence key.
 * The download is then recorded on the tenant's chain (SPEC §6: who took what) in a
 * transaction of its own, before the bundle is handed out: a snapshot transaction that
 * also wrote to the tenant chain would fail whenever another download committed first.
 */
export async function evidenceBundle(ctx: RequestContext, complaintId: string): Promise<{ jws: string; bundle: EvidenceBundle }> {
  const keys = evidenceKeysOf(ctx.dataSource);
  const actor = ctx.user;
  const snapshot = await inTenantTransaction(
    ctx.dataSource,
    ctx.tenantId,
    async (manager) => {
      const tx = ctx.withManager(manager);
      const complaint = await loadComplaint(tx, complaintId);
      const stageHistory = await manager.find(StageTransition, { where: { complaintId: complaint.id }, order: { at: 'ASC', createdAt: 'ASC' } });
      const timers = await manager.find(SlaTimer, { where: { complaintId: complaint.id }, order: { startedAt: 'ASC', kind: 'ASC', regime: 'ASC' } });
      const events = (await manager.find(AuditEvent, { where: { chainId: complaint.id }, order: { sequence: 'ASC' } })).map(bundleEvent);
      const [auditHead] = (await manager.query(`SELECT audit_head_sequence AS sequence, audit_head_hash AS hash FROM complaints WHERE id = $1`, [
        complaint.id,
      ])) as EvidenceBundle['auditHead'][];
      const checkpoint = await latestCheckpointedHead(tx, complaint.id);
      const signedFrom = await firstSignedSequenceOf(tx, complaint.id);
      const [{ now }] = (await manager.query(`SELECT now() AS now`)) as { now: Date }[];
      return { complaint, stageHistory, timers, events, auditHead, checkpoint, signedFrom, readAt: now };
    },
    'REPEATABLE READ',
  );
  const { complaint, stageHistory, timers, events, auditHead, checkpoint, signedFrom, readAt } = snapshot;
  const recorded = await transaction(ctx, (tx) =>
    appendAudit(tx, null, AuditAction.EVIDENCE_BUNDLE_DOWNLOADED, { complaintId: complaint.id, reference: complaint.reference }),
  );
  const bundle: EvidenceBundle = {
    complaint: complaintAsSeenBy(complaint, actor.roles),
    stageHistory: stageHistory.map((s) =>
      plainRecord({ from: s.fromStage, to: s.toStage, reason: maskFreeText(actor, complaint, 'reason', s.reason), at: s.at, actorId: s.actorId }),
    ),
    slaTimers: timers.map((t) => timerAsShown(t, readAt, complaint, actor.roles, ctx.log)),
    auditTrail: events,
    auditHead,
    checkpoint,
    auditSignedFrom: signedFrom,
    verification: await verifySignedChain(events, auditHead, checkpoint, keys.jwks, signedFrom),
    generatedAt: recorded.at.toISOString(),
    generatedBy: { userId: actor.userId, roles: actor.roles },
  };
  return { jws: await keys.sign(bundle, EVIDENCE_TYP), bundle };
}
