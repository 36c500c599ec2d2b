import { SlaKind, SlaStartEvent, SlaTimerStatus } from './enums';
import type { Verdict } from './escalation';

const { RUNNING, PAUSED, MET, BREACHED, CANCELLED } = SlaTimerStatus;

/** What the timer rules look at. */
export interface TimerFacts {
  status: SlaTimerStatus;
  kind: SlaKind;
  dueAt: Date;
  pausable: boolean;
  extended: boolean;
  hasExtension: boolean;
  startsOn: SlaStartEvent;
  warnAt: Date | null;
  warnedAt: Date | null;
}

interface TimerRule {
  /** Names the rule in INVALID_TRANSITION messages. */
  rule: string;
  holds: (t: TimerFacts, at: Date) => boolean;
  explain: (t: TimerFacts, at: Date) => string;
}

// SPEC §5 "a clock that is due is due": nothing moves a dueAt that has passed.
const notYetDue: TimerRule = {
  rule: 'SLA_ALREADY_DUE',
  holds: (t, at) => t.dueAt > at,
  explain: (t) => `the clock fell due at ${t.dueAt.toISOString()}`,
};
const due: TimerRule = { rule: 'SLA_NOT_DUE', holds: (t, at) => t.dueAt <= at, explain: (t) => `the clock is due only at ${t.dueAt.toISOString()}` };
const pausable: TimerRule = { rule: 'SLA_NOT_PAUSABLE', holds: (t) => t.pausable, explain: () => 'the clock is not pausable: it runs on' };
const hasExtension: TimerRule = { rule: 'SLA_NO_EXTENSION', holds: (t) => t.hasExtension, explain: () => 'the clock has no extension' };
const notExtended: TimerRule = { rule: 'SLA_EXTENDED_ONCE', holds: (t) => !t.extended, explain: () => 'the clock was already extended once' };
const warningDue: TimerRule = {
  rule: 'SLA_WARNING_NOT_DUE',
  holds: (t, at) => t.warnAt !== null && t.warnedAt === null && t.warnAt <= at && t.dueAt > at,
  explain: () => 'no warning is due (already warned, not yet at warnAt, or due)',
};
// SPEC §5 ³: a breach-recorded clock runs whatever stage the case is at.
const tiedToStage: TimerRule = {
  rule: 'SLA_RUNS_ACROSS_STAGES',
  holds: (t) => t.startsOn !== SlaStartEvent.BREACH_RECORDED,
  explain: () => 'a breach-recorded clock runs whatever stage the case is at',
};

export type TimerTransition = 'warn' | 'breach' | 'pause' | 'resume' | 'extend' | 'meet' | 'cancel' | 'leaveStage';

/**
 * The timer state machine of SPEC §5, and nothing else: RUNNING → PAUSED / MET /
 * BREACHED / CANCELLED, PAUSED → RUNNING / MET / CANCELLED; MET, BREACHED and CANCELLED
 * are final. Every caller (mutations, the worker, the sweep) asks this table through
 * checkTimerTransition before the SLA engine moves a timer.
 */
export const TIMER_TRANSITIONS: Record<TimerTransition, { from: SlaTimerStatus[]; to: SlaTimerStatus | 'same'; when: TimerRule[] }> = {
  // At warnAtPercent of the span: one SLA_WARNING, the clock keeps running.
  warn: { from: [RUNNING], to: 'same', when: [warningDue] },
  // At dueAt: BREACHED with breachedAt = dueAt, exactly once; breached is final.
  breach: { from: [RUNNING], to: BREACHED, when: [due] },
  // Awaiting the complainant: pausable clocks keep what is left; a due clock breaches first.
  pause: { from: [RUNNING], to: PAUSED, when: [pausable, notYetDue] },
  resume: { from: [PAUSED], to: RUNNING, when: [] },
  // Once per timer, only where the policy has one, only before it is due, paused or not
  // (a breached clock is due: it is refused as SLA_ALREADY_DUE, the rule a DPO looks for).
  extend: { from: [RUNNING, PAUSED, BREACHED], to: 'same', when: [notYetDue, hasExtension, notExtended] },
  // A running clock met after its due was breached at its due (the engine breaches it instead).
  meet: { from: [RUNNING, PAUSED], to: MET, when: [] },
  cancel: { from: [RUNNING, PAUSED], to: CANCELLED, when: [] },
  // Escalation cancels the old stage's clocks, except those that run across stages.
  leaveStage: { from: [RUNNING, PAUSED], to: CANCELLED, when: [tiedToStage] },
};

/** Whether `transition` may move a timer with these facts at instant `at`, and if not, which rule refuses. */
export function checkTimerTransition(t: TimerFacts, transition: TimerTransition, at: Date): Verdict {
  const { from, when } = TIMER_TRANSITIONS[transition];
  if (!from.includes(t.status)) {
    return { allowed: false, rule: 'SLA_TIMER_NOT_LIVE', message: `${transition} needs a ${from.join(' or ')} clock; this one is ${t.status}` };
  }
  const failed = when.find((rule) => !rule.holds(t, at));
  if (failed) return { allowed: false, rule: failed.rule, message: `${transition} refused: ${failed.explain(t, at)}` };
  return { allowed: true };
}

/** What the worker and the sweep should fire on a timer now: its breach, its warning, or nothing. */
export function dueEvent(t: TimerFacts, now: Date): 'breach' | 'warn' | null {
  if (checkTimerTransition(t, 'breach', now).allowed) return 'breach';
  if (checkTimerTransition(t, 'warn', now).allowed) return 'warn';
  return null;
}

export function isFinal(status: SlaTimerStatus): boolean {
  return status === MET || status === BREACHED || status === CANCELLED;
}
