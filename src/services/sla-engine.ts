import { appendAudit } from '../audit/audit-chain';
import type { TxContext } from '../context';
import { AuditAction, ComplaintStage, Regime, SlaKind, SlaStartEvent, SlaTimerStatus } from '../domain/enums';
import { warnAt as warnAtOf } from '../domain/sla-calendar';
import { ClockEvent, replayClock, TimerTerms } from '../domain/sla-clock';
import { checkTimerTransition, dueEvent, TimerFacts, TimerTransition } from '../domain/sla-timer-state';
import { Complaint, SlaTimer } from '../../entities';
import { enforce } from './complaint-mutation';
import { scheduleTimerJob, SLA_ALERT_CHANNEL, unscheduleTimerJob } from './sla-jobs';

/**
 * The one SLA engine (SPEC §5): every change to a timer, by a mutation, the worker or
 * the sweep, goes through these functions, which ask the state table
 * (src/domain/sla-timer-state.ts), replay the clock (src/domain/sla-clock.ts), write the
 * timer, append its audit event, keep the job outbox and nextDueAt in step and send the
 * slaAlerts notice, all in the caller's transaction under the case lock.
 */

export function termsOf(timer: SlaTimer): TimerTerms {
  return timer.terms;
}

export function factsOf(timer: SlaTimer): TimerFacts {
  const terms = termsOf(timer);
  return {
    status: timer.status,
    kind: timer.kind,
    dueAt: timer.dueAt,
    pausable: !!terms.pausable,
    extended: timer.extended,
    hasExtension: !!terms.extension,
    startsOn: terms.startsOn ?? SlaStartEvent.STAGE_ENTERED,
    warnAt: timer.warnAt,
    warnedAt: timer.warnedAt,
  };
}

export function allows(timer: SlaTimer, transition: TimerTransition, at: Date): boolean {
  return checkTimerTransition(factsOf(timer), transition, at).allowed;
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

async function write(tx: TxContext, timer: SlaTimer, patch: Partial<SlaTimer>): Promise<void> {
  await tx.manager.update(SlaTimer, { id: timer.id }, patch as object);
  Object.assign(timer, patch);
}

async function notifyAlert(tx: TxContext, timer: SlaTimer, kind: 'WARNING' | 'BREACHED'): Promise<void> {
  await tx.manager.query(`SELECT pg_notify($1, $2)`, [
    SLA_ALERT_CHANNEL,
    JSON.stringify({ tenantId: timer.tenantId, timerId: timer.id, complaintId: timer.complaintId, kind }),
  ]);
  tx.log.info({ tenantId: timer.tenantId, timerId: timer.id, kind }, 'sla timer event');
}

export interface NewTimer {
  policyId: string | null;
  kind: SlaKind;
  regime: Regime;
  stage: ComplaintStage;
  terms: TimerTerms & { startsOn: SlaStartEvent };
  startedAt: Date;
}

/** A new running clock (SPEC §5): its due from the replay of an empty history, its warning at warnAtPercent of the span. */
export function newTimer(tenantId: string, complaintId: string, spec: NewTimer): Partial<SlaTimer> {
  const { dueAt } = replayClock({ startedAt: spec.startedAt, terms: spec.terms, history: [] });
  return {
    tenantId,
    complaintId,
    policyId: spec.policyId,
    kind: spec.kind,
    regime: spec.regime,
    stage: spec.stage,
    status: SlaTimerStatus.RUNNING,
    terms: spec.terms,
    startedAt: spec.startedAt,
    dueAt,
    warnAt: dueAt > spec.startedAt ? warnAtOf(spec.startedAt, dueAt, spec.terms.warnAtPercent) : null,
    history: [],
  };
}

/** The changes SLA_STARTED records. */
export function startedChanges(timer: SlaTimer): Record<string, unknown> {
  return timerChanges(timer, {
    status: { from: null, to: SlaTimerStatus.RUNNING },
    dueAt: { from: null, to: timer.dueAt.toISOString() },
    source: timer.terms.source,
  });
}

/** The changes SLA_BREACHED records: at dueAt, exactly once. */
export function breachedChanges(timer: SlaTimer): Record<string, unknown> {
  return timerChanges(timer, {
    status: { from: SlaTimerStatus.RUNNING, to: SlaTimerStatus.BREACHED },
    breachedAt: { from: null, to: timer.dueAt.toISOString() },
  });
}

/** The changes SLA_WARNING records: the warning at `now`, and the due it warns of. */
export function warnedChanges(timer: SlaTimer, now: Date): Record<string, unknown> {
  return timerChanges(timer, { warnedAt: { from: null, to: now.toISOString() }, dueAt: timer.dueAt.toISOString() });
}

export const slaEngine = {
  /** Starts a clock: its due from the replay of an empty history, one SLA_STARTED. */
  async start(tx: TxContext, c: Complaint, spec: NewTimer): Promise<SlaTimer> {
    const timer = tx.manager.create(SlaTimer, newTimer(tx.tenantId, c.id, spec));
    await tx.manager.save(timer);
    await appendAudit(tx, c.id, AuditAction.SLA_STARTED, startedChanges(timer));
    await scheduleTimerJob(tx, timer);
    return timer;
  },

  /** At dueAt a running clock becomes BREACHED with breachedAt = dueAt, exactly once (SPEC §5). */
  async breach(tx: TxContext, timer: SlaTimer, now: Date): Promise<void> {
    enforce(checkTimerTransition(factsOf(timer), 'breach', now));
    await write(tx, timer, { status: SlaTimerStatus.BREACHED, breachedAt: timer.dueAt });
    await appendAudit(tx, timer.complaintId, AuditAction.SLA_BREACHED, breachedChanges(timer), { system: true, at: now });
    await unscheduleTimerJob(tx, timer.id);
    await notifyAlert(tx, timer, 'BREACHED');
  },

  async warn(tx: TxContext, timer: SlaTimer, now: Date): Promise<void> {
    enforce(checkTimerTransition(factsOf(timer), 'warn', now));
    await write(tx, timer, { warnedAt: now });
    await appendAudit(tx, timer.complaintId, AuditAction.SLA_WARNING, warnedChanges(timer, now), { system: true, at: now });
    await scheduleTimerJob(tx, timer); // next: the breach
    await notifyAlert(tx, timer, 'WARNING');
  },

  /** What the worker and the sweep do with a timer whose job ran: fire what is due, else sleep on. */
  async fireDue(tx: TxContext, timer: SlaTimer, now: Date): Promise<void> {
    const event = dueEvent(factsOf(timer), now);
    if (event === 'breach') {
      await slaEngine.breach(tx, timer, now);
      await refreshNextDue(tx, timer.complaintId);
    } else if (event === 'warn') await slaEngine.warn(tx, timer, now);
    else if (timer.status === SlaTimerStatus.RUNNING) await scheduleTimerJob(tx, timer); // woken early: sleep until the next instant
  },

  /**
   * SPEC §5 "a clock that is due is due": a running clock past its due, not yet reached
   * by the worker, is breached at its dueAt before anything else may move it.
   */
  async settleIfDue(tx: TxContext, timer: SlaTimer, now: Date): Promise<boolean> {
    if (!allows(timer, 'breach', now)) return false;
    await slaEngine.breach(tx, timer, now);
    return true;
  },

  /** Pausable clocks keep what is left (seconds, or business days); a due one breaches instead. */
  async pause(tx: TxContext, c: Complaint, timer: SlaTimer, at: Date): Promise<void> {
    if (await slaEngine.settleIfDue(tx, timer, at)) return;
    if (!allows(timer, 'pause', at)) return; // not pausable: it runs on
    const history: ClockEvent[] = [...timer.history, { type: 'PAUSE', at: at.toISOString() }];
    const state = replayClock({ startedAt: timer.startedAt, terms: termsOf(timer), history });
    const remaining = state.remainingOnPause ?? 0;
    await write(tx, timer, { status: SlaTimerStatus.PAUSED, pausedAt: at, remainingOnPause: remaining, history });
    const kept = termsOf(timer).businessDays ? { businessDays: remaining } : { seconds: remaining };
    await appendAudit(
      tx,
      c.id,
      AuditAction.SLA_PAUSED,
      timerChanges(timer, { status: { from: SlaTimerStatus.RUNNING, to: SlaTimerStatus.PAUSED }, remaining: kept }),
      { at },
    );
    await unscheduleTimerJob(tx, timer.id);
  },

  /** Resuming moves dueAt by what the pause kept; a clock that kept nothing keeps its due. */
  async resume(tx: TxContext, c: Complaint, timer: SlaTimer, at: Date): Promise<void> {
    enforce(checkTimerTransition(factsOf(timer), 'resume', at));
    const history: ClockEvent[] = [...timer.history, { type: 'RESUME', at: at.toISOString() }];
    const { dueAt } = replayClock({ startedAt: timer.startedAt, terms: termsOf(timer), history });
    const shift = dueAt.getTime() - timer.dueAt.getTime();
    const before = timer.dueAt;
    const warnAt = timer.warnAt && !timer.warnedAt ? new Date(timer.warnAt.getTime() + shift) : timer.warnAt;
    await write(tx, timer, { status: SlaTimerStatus.RUNNING, pausedAt: null, remainingOnPause: null, dueAt, warnAt, history });
    await appendAudit(
      tx,
      c.id,
      AuditAction.SLA_RESUMED,
      timerChanges(timer, {
        status: { from: SlaTimerStatus.PAUSED, to: SlaTimerStatus.RUNNING },
        dueAt: { from: before.toISOString(), to: dueAt.toISOString() },
      }),
      { at },
    );
    if (!(await slaEngine.settleIfDue(tx, timer, at))) await scheduleTimerJob(tx, timer);
  },

  /** Met at `at`; a running clock whose due came first was breached then, and stays so. */
  async meet(tx: TxContext, c: Complaint, timer: SlaTimer, at: Date): Promise<void> {
    if (await slaEngine.settleIfDue(tx, timer, at)) return;
    enforce(checkTimerTransition(factsOf(timer), 'meet', at));
    const from = timer.status;
    await write(tx, timer, { status: SlaTimerStatus.MET, metAt: at });
    await appendAudit(tx, c.id, AuditAction.SLA_MET, timerChanges(timer, { status: { from, to: SlaTimerStatus.MET } }), { at });
    await unscheduleTimerJob(tx, timer.id);
  },

  async cancel(tx: TxContext, c: Complaint, timer: SlaTimer, at: Date): Promise<void> {
    enforce(checkTimerTransition(factsOf(timer), 'cancel', at));
    const from = timer.status;
    await write(tx, timer, { status: SlaTimerStatus.CANCELLED, cancelledAt: at });
    await appendAudit(tx, c.id, AuditAction.SLA_CANCELLED, timerChanges(timer, { status: { from, to: SlaTimerStatus.CANCELLED } }), { at });
    await unscheduleTimerJob(tx, timer.id);
  },

  /** Once, where the policy allows, before the due (paused or not); dueAt moves by the extension. */
  async extend(tx: TxContext, c: Complaint, timer: SlaTimer, reason: string, at: Date): Promise<void> {
    enforce(checkTimerTransition(factsOf(timer), 'extend', at));
    const terms = termsOf(timer);
    const history: ClockEvent[] = [...timer.history, { type: 'EXTEND', at: at.toISOString() }];
    const state = replayClock({ startedAt: timer.startedAt, terms, history });
    const before = timer.dueAt;
    await write(tx, timer, {
      dueAt: state.dueAt,
      extended: true,
      extensionReason: reason,
      history,
      warnAt: timer.warnedAt ? timer.warnAt : warnAtOf(timer.startedAt, state.dueAt, terms.warnAtPercent),
      // A paused clock keeps what is left; the extension adds to it, so the resume honours it.
      remainingOnPause: timer.status === SlaTimerStatus.PAUSED ? state.remainingOnPause : timer.remainingOnPause,
    });
    await appendAudit(
      tx,
      c.id,
      AuditAction.SLA_EXTENDED,
      timerChanges(timer, { dueAt: { from: before.toISOString(), to: state.dueAt.toISOString() }, extension: terms.extension, reason }),
      { at },
    );
    if (timer.status === SlaTimerStatus.RUNNING) await scheduleTimerJob(tx, timer);
  },
};
