import { In } from 'typeorm';
import { appendAudit } from '../audit/audit-chain';
import type { RequestContext, TxContext } from '../context';
import { transaction } from '../db/transaction';
import { AuditAction, ComplaintStage, SlaKind, SlaStartEvent, SlaTimerStatus } from '../domain/enums';
import { addDuration, Calendar, dueAfterResume, extendDue, remainingOnPause, warnAt } from '../domain/sla-calendar';
import { InvalidTransitionError, NotFoundError } from '../errors';
import { isUuid } from '../pagination';
import { Complaint, SlaPolicy, SlaTimer, Tenant } from '../../entities';
import { saveComplaint, withLockedComplaint } from './complaint-mutation';
import { scheduleTimerJob, unscheduleTimerJob } from './sla-jobs';

/** The policy and calendar a timer started under: later policy or tenant changes don't touch it. */
export interface TimerTerms {
  duration: string;
  businessDays: boolean;
  extension: string | null;
  warnAtPercent: number;
  pausable: boolean;
  source: string;
  calendar: Calendar;
}

const LIVE = [SlaTimerStatus.RUNNING, SlaTimerStatus.PAUSED];

function termsOf(timer: SlaTimer): TimerTerms {
  return timer.terms as unknown as TimerTerms;
}

async function liveTimers(tx: TxContext, complaintId: string, where: Partial<Record<'stage' | 'kind' | 'status', string>> = {}): Promise<SlaTimer[]> {
  return tx.manager.find(SlaTimer, { where: { complaintId, status: In(LIVE), ...where }, order: { startedAt: 'ASC', id: 'ASC' } });
}

export function timerChanges(timer: SlaTimer, extra: Record<string, unknown>): Record<string, unknown> {
  return { timerId: timer.id, kind: timer.kind, regime: timer.regime, stage: timer.stage, ...extra };
}

/** complaints.next_due_at: the earliest due among RUNNING timers (ordering and filters read it). */
export async function refreshNextDue(tx: TxContext, complaintId: string): Promise<void> {
  await tx.manager.query(
    `UPDATE complaints SET next_due_at = (SELECT min(due_at) FROM sla_timers WHERE complaint_id = $1 AND status = 'RUNNING') WHERE id = $1`,
    [complaintId],
  );
}

/** Starts one timer per policy matching (regime of the case, stage, start event) (SPEC §5). */
async function startTimers(tx: TxContext, c: Complaint, stage: string, startsOn: SlaStartEvent, at: Date): Promise<void> {
  const tenant = await tx.manager.findOneByOrFail(Tenant, { id: tx.tenantId });
  const calendar: Calendar = { timeZone: tenant.timeZone, holidayCountry: tenant.holidayCountry };
  const policies = await tx.manager.find(SlaPolicy, { where: { regime: In(c.regimes), stage, startsOn }, order: { regime: 'ASC', kind: 'ASC' } });
  for (const policy of policies) {
    const dueAt = addDuration(at, policy.duration, policy.businessDays, calendar);
    const terms: TimerTerms = {
      duration: policy.duration,
      businessDays: policy.businessDays,
      extension: policy.extension,
      warnAtPercent: policy.warnAtPercent,
      pausable: policy.pausable,
      source: policy.source,
      calendar,
    };
    const timer = tx.manager.create(SlaTimer, {
      tenantId: tx.tenantId,
      complaintId: c.id,
      policyId: policy.id,
      kind: policy.kind,
      regime: policy.regime,
      stage,
      status: SlaTimerStatus.RUNNING,
      terms: terms as unknown as Record<string, unknown>,
      startedAt: at,
      dueAt,
      warnAt: warnAt(at, dueAt, policy.warnAtPercent),
    });
    await tx.manager.save(timer);
    await appendAudit(tx, c.id, AuditAction.SLA_STARTED, timerChanges(timer, { status: { from: null, to: timer.status }, dueAt: { from: null, to: dueAt.toISOString() }, source: policy.source }));
    await scheduleTimerJob(tx, timer);
  }
  await refreshNextDue(tx, c.id);
}

/** Ends live timers as MET or CANCELLED, one audit event each. */
async function endTimers(tx: TxContext, c: Complaint, timers: SlaTimer[], status: SlaTimerStatus.MET | SlaTimerStatus.CANCELLED, at: Date): Promise<void> {
  for (const timer of timers) {
    const from = timer.status;
    const patch = status === SlaTimerStatus.MET ? { status, metAt: at } : { status, cancelledAt: at };
    await tx.manager.update(SlaTimer, { id: timer.id }, patch);
    await appendAudit(tx, c.id, status === SlaTimerStatus.MET ? AuditAction.SLA_MET : AuditAction.SLA_CANCELLED, timerChanges(timer, { status: { from, to: status } }), { at });
    await unscheduleTimerJob(tx, timer.id);
  }
  if (timers.length > 0) await refreshNextDue(tx, c.id);
}

/** What the case lifecycle tells the clocks; each runs in the caller's transaction. */
export const sla = {
  stageEntered: (tx: TxContext, c: Complaint, at: Date) => startTimers(tx, c, c.stage, SlaStartEvent.STAGE_ENTERED, at),
  panelAdviceRecorded: (tx: TxContext, c: Complaint, at: Date) => startTimers(tx, c, c.stage, SlaStartEvent.PANEL_ADVICE_RECORDED, at),
  stageLeft: async (tx: TxContext, c: Complaint, stage: ComplaintStage, at: Date) => endTimers(tx, c, await liveTimers(tx, c.id, { stage }), SlaTimerStatus.CANCELLED, at),
  closed: async (tx: TxContext, c: Complaint, at: Date) => endTimers(tx, c, await liveTimers(tx, c.id), SlaTimerStatus.CANCELLED, at),
  acknowledged: async (tx: TxContext, c: Complaint, at: Date) => endTimers(tx, c, await liveTimers(tx, c.id, { kind: SlaKind.ACKNOWLEDGE }), SlaTimerStatus.MET, at),
  resolved: async (tx: TxContext, c: Complaint, at: Date) => endTimers(tx, c, await liveTimers(tx, c.id, { stage: c.stage }), SlaTimerStatus.MET, at),

  /** Pausable clocks keep what is left (seconds, or business days); the others run on. */
  async paused(tx: TxContext, c: Complaint, at: Date): Promise<void> {
    const timers = (await liveTimers(tx, c.id, { status: SlaTimerStatus.RUNNING })).filter((t) => termsOf(t).pausable);
    for (const timer of timers) {
      const { businessDays, calendar } = termsOf(timer);
      const remaining = remainingOnPause(at, timer.dueAt, businessDays, calendar);
      await tx.manager.update(SlaTimer, { id: timer.id }, { status: SlaTimerStatus.PAUSED, pausedAt: at, remainingOnPause: remaining });
      await appendAudit(tx, c.id, AuditAction.SLA_PAUSED, timerChanges(timer, { status: { from: timer.status, to: SlaTimerStatus.PAUSED }, remaining: businessDays ? { businessDays: remaining } : { seconds: remaining } }), { at });
      await unscheduleTimerJob(tx, timer.id);
    }
    if (timers.length > 0) await refreshNextDue(tx, c.id);
  },

  async resumed(tx: TxContext, c: Complaint, at: Date): Promise<void> {
    const timers = await liveTimers(tx, c.id, { status: SlaTimerStatus.PAUSED });
    for (const timer of timers) {
      const { businessDays, calendar } = termsOf(timer);
      const dueAt = dueAfterResume(at, timer.remainingOnPause ?? 0, businessDays, calendar);
      const shift = dueAt.getTime() - timer.dueAt.getTime();
      const patch = { status: SlaTimerStatus.RUNNING, pausedAt: null, remainingOnPause: null, dueAt, warnAt: timer.warnAt && !timer.warnedAt ? new Date(timer.warnAt.getTime() + shift) : timer.warnAt };
      await tx.manager.update(SlaTimer, { id: timer.id }, patch);
      await appendAudit(tx, c.id, AuditAction.SLA_RESUMED, timerChanges(timer, { status: { from: SlaTimerStatus.PAUSED, to: SlaTimerStatus.RUNNING }, dueAt: { from: timer.dueAt.toISOString(), to: dueAt.toISOString() } }), { at });
      await scheduleTimerJob(tx, Object.assign(timer, patch));
    }
    if (timers.length > 0) await refreshNextDue(tx, c.id);
  },
};

/** extendSlaTimer: once per timer, only where the policy allows, only before it is due (SPEC §5). */
export async function extendSlaTimer(ctx: RequestContext, timerId: string, reason: string): Promise<SlaTimer> {
  return transaction(ctx, async (outer) => {
    const found = isUuid(timerId) ? await outer.manager.findOneBy(SlaTimer, { id: timerId }) : null;
    if (!found) throw new NotFoundError('SlaTimer', timerId);
    return withLockedComplaint(outer, found.complaintId, { operation: 'extendSlaTimer' }, (tx, c) => extendUnderLock(tx, c, timerId, reason));
  });
}

/** The extension itself, under the case lock: the timer is re-read so a racing change is seen. */
async function extendUnderLock(tx: TxContext, c: Complaint, timerId: string, reason: string): Promise<SlaTimer> {
  const timer = await tx.manager.findOneByOrFail(SlaTimer, { id: timerId }); // re-read under the case lock
  const terms = termsOf(timer);
  const refuse = (rule: string, message: string) => new InvalidTransitionError(rule, message);
  if (!terms.extension) throw refuse('SLA_NO_EXTENSION', `The ${timer.regime} ${timer.kind} clock has no extension (${terms.source})`);
  if (timer.extended) throw refuse('SLA_EXTENDED_ONCE', `The ${timer.regime} ${timer.kind} clock was already extended once`);
  if (!LIVE.includes(timer.status as SlaTimerStatus)) throw refuse('SLA_TIMER_NOT_RUNNING', `Only a running or paused clock can be extended; this one is ${timer.status}`);
  const now = new Date();
  if (timer.status === SlaTimerStatus.RUNNING && timer.dueAt <= now) throw refuse('SLA_ALREADY_DUE', `The clock fell due at ${timer.dueAt.toISOString()}: extend it before it is due`);
  const dueAt = extendDue(timer.dueAt, terms.extension, terms.businessDays, terms.calendar);
  const patch = {
    dueAt,
    extended: true,
    extensionReason: reason,
    warnAt: timer.warnedAt ? timer.warnAt : warnAt(timer.startedAt, dueAt, terms.warnAtPercent),
    // A paused clock keeps what is left; the extension adds to it, so the resume honours it.
    remainingOnPause: timer.status === SlaTimerStatus.PAUSED ? remainingOnPause(timer.pausedAt!, dueAt, terms.businessDays, terms.calendar) : timer.remainingOnPause,
  };
  await tx.manager.update(SlaTimer, { id: timer.id }, patch);
  await saveComplaint(tx, c, {});
  await appendAudit(tx, c.id, AuditAction.SLA_EXTENDED, timerChanges(timer, { dueAt: { from: timer.dueAt.toISOString(), to: dueAt.toISOString() }, extension: terms.extension, reason }));
  Object.assign(timer, patch);
  if (timer.status === SlaTimerStatus.RUNNING) await scheduleTimerJob(tx, timer);
  await refreshNextDue(tx, c.id);
  return timer;
}

