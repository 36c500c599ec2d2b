import { appendAudit } from '../audit/audit-chain';
import type { RequestContext, TxContext } from '../context';
import { hydrate } from '../db/hydrate';
import { AuditAction, ComplaintOutcome, ComplaintStage, ComplaintStatus, SlaStartEvent, SlaTimerStatus } from '../domain/enums';
import { calendarFor } from '../domain/sla-calendar';
import { checkEscalation } from '../domain/escalation';
import { checkOutcome, checkStatusTransition, resolutionSummary, StatusTransition, STATUS_TRANSITIONS } from '../domain/status';
import { BadUserInputError, InvalidTransitionError } from '../errors';
import { Complaint, SlaPolicy, SlaTimer, StageTransition } from '../../entities';
import { changeComplaint, enforce, saveComplaint, withLockedComplaint } from './complaint-mutation';
import { caseWriteSql, CaseWrite, ESCALATE_CASE_CTE } from './case-write';
import { allows } from './sla-engine';
import { policyTimer, sla } from './sla-timers.service';

type Version = number | null | undefined;

/** What escalating reads under the case lock, in one round trip: stages visited, live timers, the calendar, the new stage's policies. */
const ESCALATION_FACTS_SQL = `SELECT
  (SELECT coalesce(array_agg(s.to_stage), '{}') FROM stage_transitions s WHERE s.complaint_id = $1) AS visited,
  (SELECT coalesce(json_agg(t ORDER BY t.started_at, t.id), '[]') FROM sla_timers t WHERE t.complaint_id = $1 AND t.status = ANY($3::text[])) AS timers,
  tn.time_zone AS "timeZone", tn.holiday_country AS "holidayCountry",
  (SELECT coalesce(json_agg(p ORDER BY p.regime, p.kind, p.id), '[]') FROM sla_policies p
    WHERE p.regime = ANY($4::text[]) AND p.starts_on = $5 AND p.stage = $6 AND (p.rights IS NULL OR p.rights && $7::text[])) AS policies
FROM tenants tn WHERE tn.id = $2`;

const ESCALATE_COMPLAINT_SQL = caseWriteSql(ESCALATE_CASE_CTE);

/**
 * escalateComplaint: moves the case up the recourse path of SPEC §4 (src/domain/escalation.ts).
 * Three round trips (issue 12): the case locked, what the move reads, then one statement
 * (case-write.ts) for the case, its transition, the old stage's clocks cancelled (or breached
 * when already due), the new stage's clocks, every audit event, outbox rows and jobs.
 */
export function escalateComplaint(ctx: RequestContext, id: string, to: ComplaintStage, reason: string, expectedVersion: Version): Promise<Complaint> {
  return withLockedComplaint(ctx, id, { operation: 'escalateComplaint', expectedVersion }, async (tx, c) => {
    const from = c.stage;
    const [facts] = (await tx.manager.query(ESCALATION_FACTS_SQL, [
      c.id,
      tx.tenantId,
      [SlaTimerStatus.RUNNING, SlaTimerStatus.PAUSED],
      c.regimes,
      SlaStartEvent.STAGE_ENTERED,
      to,
      c.rights,
    ])) as {
      visited: ComplaintStage[];
      timers: Record<string, unknown>[];
      timeZone: string;
      holidayCountry: string | null;
      policies: Record<string, unknown>[];
    }[];
    enforce(
      checkEscalation(
        {
          stage: from,
          status: c.status,
          dataContext: c.dataContext,
          processingRole: c.processingRole,
          regimes: c.regimes,
          rights: c.rights,
          stagesVisited: facts.visited,
        },
        to,
      ),
    );
    const at = new Date();
    const head = { sequence: c.auditHeadSequence, hash: c.auditHeadHash };
    const before = { stage: c.stage, status: c.status, outcome: c.outcome, resolvedAt: c.resolvedAt, resolutionSummary: c.resolutionSummary };
    const live = facts.timers.map((row) => hydrate(tx.manager, SlaTimer, row));
    const write = new CaseWrite(tx, c);
    // The old stage's clocks end, except those that run across stages (breach clocks); one already due breaches.
    for (const timer of live.filter((t) => t.stage === from && allows(t, 'leaveStage', at))) {
      if (!write.settleIfDue(timer, at)) write.cancel(timer, at);
    }
    Object.assign(c, { stage: to, status: ComplaintStatus.OPEN, outcome: null, resolvedAt: null, resolutionSummary: null });
    write.enterStage(from, to, reason, at);
    write.audit(
      AuditAction.STAGE_ESCALATED,
      {
        stage: { from: before.stage, to },
        ...(before.status !== ComplaintStatus.OPEN ? { status: { from: before.status, to: ComplaintStatus.OPEN } } : {}),
        ...(before.outcome ? { outcome: { from: before.outcome, to: null } } : {}),
        ...(before.resolvedAt ? { resolvedAt: { from: before.resolvedAt.toISOString(), to: null } } : {}),
        ...(before.resolutionSummary ? { resolutionSummary: { from: before.resolutionSummary, to: null } } : {}),
        reason,
      },
      { at },
    );
    const calendar = calendarFor(facts.timeZone, facts.holidayCountry);
    for (const row of facts.policies) write.startTimer(policyTimer(hydrate(tx.manager, SlaPolicy, row), calendar, to, SlaStartEvent.STAGE_ENTERED, at), at);
    c.nextDueAt = write.nextDueAt(live);
    const caseRow = { id: c.id, stage: c.stage, status: c.status, next_due_at: c.nextDueAt?.toISOString() ?? null };
    const [written] = (await tx.manager.query(ESCALATE_COMPLAINT_SQL, await write.parameters(caseRow, head, null))) as { version: number; updatedAt: Date }[];
    return Object.assign(c, { version: written.version, updatedAt: written.updatedAt });
  });
}

async function moveStatus(
  tx: TxContext,
  c: Complaint,
  transition: StatusTransition,
  patch: Partial<Complaint>,
  action: AuditAction,
  extra: Record<string, unknown>,
  at: Date,
): Promise<void> {
  enforce(checkStatusTransition(c.status, transition));
  const from = c.status;
  await saveComplaint(tx, c, { status: STATUS_TRANSITIONS[transition].to, ...patch });
  await appendAudit(tx, c.id, action, { status: { from, to: c.status }, ...extra }, { at });
}

export function awaitComplainant(ctx: RequestContext, id: string, reason: string, expectedVersion: Version): Promise<Complaint> {
  return changeComplaint(ctx, id, { operation: 'awaitComplainant', expectedVersion }, async (tx, c) => {
    const at = new Date();
    await moveStatus(tx, c, 'awaitComplainant', {}, AuditAction.STATUS_CHANGED, { reason }, at);
    await sla.paused(tx, c, at);
  });
}

export function resumeComplaint(ctx: RequestContext, id: string, expectedVersion: Version): Promise<Complaint> {
  return changeComplaint(ctx, id, { operation: 'resumeComplaint', expectedVersion }, async (tx, c) => {
    const at = new Date();
    await moveStatus(tx, c, 'resumeComplaint', {}, AuditAction.STATUS_CHANGED, {}, at);
    await sla.resumed(tx, c, at);
  });
}

export function resolveComplaint(ctx: RequestContext, id: string, outcome: ComplaintOutcome, summary: string, expectedVersion: Version): Promise<Complaint> {
  return changeComplaint(ctx, id, { operation: 'resolveComplaint', expectedVersion }, async (tx, c) => {
    enforce(checkStatusTransition(c.status, 'resolveComplaint'));
    enforce(checkOutcome({ processingRole: c.processingRole, rights: c.rights, stage: c.stage }, outcome));
    const at = new Date();
    if (c.status === ComplaintStatus.AWAITING_COMPLAINANT) await sla.resumed(tx, c, at);
    const recorded = resolutionSummary(c.stage, outcome, summary);
    await moveStatus(
      tx,
      c,
      'resolveComplaint',
      { outcome, resolutionSummary: recorded, resolvedAt: at },
      AuditAction.RESOLVED,
      {
        outcome: { from: null, to: outcome },
        resolutionSummary: { from: null, to: recorded },
        resolvedAt: { from: null, to: at.toISOString() },
      },
      at,
    );
    await sla.resolved(tx, c, at);
  });
}

export function reopenComplaint(ctx: RequestContext, id: string, reason: string, expectedVersion: Version): Promise<Complaint> {
  return changeComplaint(ctx, id, { operation: 'reopenComplaint', expectedVersion }, async (tx, c) => {
    const at = new Date();
    const previous = { outcome: c.outcome, resolvedAt: c.resolvedAt?.toISOString() ?? null, resolutionSummary: c.resolutionSummary };
    await moveStatus(
      tx,
      c,
      'reopenComplaint',
      { outcome: null, resolutionSummary: null, resolvedAt: null },
      AuditAction.REOPENED,
      {
        outcome: { from: previous.outcome, to: null },
        resolvedAt: { from: previous.resolvedAt, to: null },
        resolutionSummary: { from: previous.resolutionSummary, to: null },
        reason,
      },
      at,
    );
    // SPEC §4: the stage's stage-entered clocks start afresh, as if the stage were entered again.
    await sla.reopened(tx, c, at);
  });
}

export function closeComplaint(ctx: RequestContext, id: string, expectedVersion: Version): Promise<Complaint> {
  return changeComplaint(ctx, id, { operation: 'closeComplaint', expectedVersion }, async (tx, c) => {
    const at = new Date();
    await moveStatus(tx, c, 'closeComplaint', { closedAt: at }, AuditAction.CLOSED, { closedAt: { from: null, to: at.toISOString() } }, at);
    await sla.closed(tx, c, at);
  });
}

/** DPF Supplemental Principle 5: the DPA panel's advice starts the 25-day COMPLY clock. */
export function recordPanelAdvice(
  ctx: RequestContext,
  id: string,
  summary: string,
  deliveredAt: Date | null | undefined,
  expectedVersion: Version,
): Promise<Complaint> {
  return changeComplaint(ctx, id, { operation: 'recordPanelAdvice', expectedVersion }, async (tx, c) => {
    if (c.stage !== ComplaintStage.DPA_PANEL) {
      throw new InvalidTransitionError('PANEL_ADVICE_AT_DPA_PANEL', `Panel advice is recorded at stage DPA_PANEL; the case is at ${c.stage}`);
    }
    if (c.status === ComplaintStatus.RESOLVED) {
      throw new InvalidTransitionError('PANEL_ADVICE_OPEN_CASE', 'Panel advice is recorded on an open case; this one is RESOLVED');
    }
    if (c.panelAdviceAt) {
      throw new InvalidTransitionError('PANEL_ADVICE_ONCE', `The panel's advice was already recorded at ${c.panelAdviceAt.toISOString()}`);
    }
    const at = deliveredAt ?? new Date();
    const entered = (await tx.manager.findOne(StageTransition, { where: { complaintId: c.id, toStage: ComplaintStage.DPA_PANEL }, order: { at: 'DESC' } }))?.at;
    if (at.getTime() > Date.now()) throw new BadUserInputError({ deliveredAt: 'must not be in the future' });
    if (entered && at < entered) throw new BadUserInputError({ deliveredAt: `must not be before the case reached DPA_PANEL (${entered.toISOString()})` });
    await saveComplaint(tx, c, { panelAdviceSummary: summary, panelAdviceAt: at });
    await appendAudit(tx, c.id, AuditAction.PANEL_ADVICE_RECORDED, {
      panelAdvice: { from: null, to: summary },
      deliveredAt: { from: null, to: at.toISOString() },
    });
    await sla.panelAdviceRecorded(tx, c, at);
  });
}
