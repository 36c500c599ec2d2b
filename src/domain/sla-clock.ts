import { DueStepKind, SlaStartEvent, SlaTimerStatus } from './enums';
import {
  Calendar,
  calendarFor,
  computeDue,
  describeClock,
  describeInstant,
  DueStep,
  dueAfterResume,
  extendDue,
  remainingOnPause,
  remainingSeconds,
  skippedDays,
} from './sla-calendar';

/**
 * A timer's clock replayed from what happened to it (SPEC §5 "every timer explains
 * itself"): the start, the rule, the pauses and the extension give the due instant and
 * the steps that explain it, in one computation. The SLA engine stores the `dueAt` this
 * returns, so the explanation recomputes the stored due exactly.
 */

/** The policy and calendar a timer started under: later policy or tenant changes don't touch it. */
export interface TimerTerms {
  duration: string;
  businessDays: boolean;
  extension: string | null;
  warnAtPercent: number;
  pausable: boolean;
  source: string;
  calendar: Calendar;
  /** A deadline someone else set (a regulator's respondBy): due then, whatever the duration. */
  deadline?: string | null;
  /** What started the clock, in words ("stage entered", "breach recorded"). */
  startedBy?: string;
  /** The event that starts the clock (timers started before it was kept: STAGE_ENTERED). */
  startsOn?: SlaStartEvent;
}

/** What happened to a running clock, in order (sla_timers.history). */
export type ClockEvent = { type: 'PAUSE'; at: string } | { type: 'RESUME'; at: string } | { type: 'EXTEND'; at: string };

export interface ClockInput {
  startedAt: Date;
  terms: TimerTerms;
  history: ClockEvent[];
  /** The extension's reason as the reader may see it (masked by the caller). */
  extensionReason?: string | null;
}

export interface ClockState {
  dueAt: Date;
  /** Set while paused: seconds (calendar clocks) or business days kept. */
  remainingOnPause: number | null;
  steps: DueStep[];
}

/** The calendar of a stored timer, repaired the same way as a tenant's (never throws). */
export function timerCalendar(terms: TimerTerms): Calendar {
  const stored = terms.calendar ?? { timeZone: 'UTC', holidayCountry: null };
  const repaired = calendarFor(stored.timeZone, stored.holidayCountry);
  return { ...repaired, fallback: repaired.fallback ?? stored.fallback ?? null };
}

/** Replays a clock: its due instant now, what a pause keeps, and every step of the explanation. */
export function replayClock(input: ClockInput): ClockState {
  const { terms } = input;
  const cal = timerCalendar(terms);
  const start = input.startedAt;
  const steps: DueStep[] = [
    { kind: DueStepKind.START, at: start, until: null, text: `Started ${describeInstant(start, cal)}${terms.startedBy ? `: ${terms.startedBy}` : ''}` },
  ];
  let dueAt: Date;
  if (terms.deadline) {
    dueAt = new Date(terms.deadline);
    steps.push({ kind: DueStepKind.RULE, at: start, until: null, text: `A fixed deadline, ${terms.source}: not pausable, no extension` });
  } else {
    dueAt = computeDue(start, terms.duration, terms.businessDays, cal).dueAt;
    steps.push({
      kind: DueStepKind.RULE,
      at: start,
      until: null,
      text: `${terms.duration}: ${describeClock(terms.duration, terms.businessDays, cal)}; ${terms.source}`,
    });
  }

  const timeline: DueStep[] = [];
  const running: { from: Date; to: Date | null }[] = [{ from: start, to: null }];
  let pause: { at: Date; remaining: number; dueBefore: Date } | null = null;
  const kept = (remaining: number) => (terms.businessDays ? `${+remaining.toFixed(6)} business days` : `${remaining} s`);
  for (const event of input.history) {
    const at = new Date(event.at);
    if (event.type === 'PAUSE' && !pause) {
      running[running.length - 1].to = at;
      pause = { at, remaining: remainingOnPause(at, dueAt, terms.businessDays, cal), dueBefore: dueAt };
    } else if (event.type === 'RESUME' && pause) {
      // A clock that is due is due: nothing kept, nothing moved.
      const resumedDue = pause.remaining > 0 ? dueAfterResume(at, pause.remaining, terms.businessDays, cal) : dueAt;
      timeline.push({
        kind: DueStepKind.PAUSE,
        at: pause.at,
        until: at,
        text: `Paused while awaiting the complainant, ${describeInstant(pause.at, cal)} to ${describeInstant(at, cal)}; kept ${kept(pause.remaining)}; due moves from ${dueAt.toISOString()} to ${resumedDue.toISOString()}`,
      });
      dueAt = resumedDue;
      running.push({ from: at, to: null });
      pause = null;
    } else if (event.type === 'EXTEND' && terms.extension) {
      const extendedDue = extendDue(dueAt, terms.extension, terms.businessDays, cal);
      const reason = input.extensionReason ?? '';
      timeline.push({
        kind: DueStepKind.EXTEND,
        at,
        until: null,
        text: `Extended once by ${terms.extension} (${terms.source}) on ${describeInstant(at, cal)}: ${reason}; due moves from ${dueAt.toISOString()} to ${extendedDue.toISOString()}`,
      });
      dueAt = extendedDue;
      if (pause) pause.remaining = remainingOnPause(pause.at, dueAt, terms.businessDays, cal);
    }
  }
  if (pause) {
    timeline.push({
      kind: DueStepKind.PAUSE,
      at: pause.at,
      until: null,
      text: `Paused while awaiting the complainant since ${describeInstant(pause.at, cal)}; keeps ${kept(pause.remaining)}; the due below stands until the case resumes`,
    });
  }
  if (terms.businessDays && !terms.deadline) {
    for (const span of running) {
      const to = span.to ?? (pause ? null : dueAt);
      if (to && to > span.from) timeline.push(...skippedDays(span.from, to, cal));
    }
  }
  timeline.sort((a, b) => a.at.getTime() - b.at.getTime() || order(a) - order(b));
  steps.push(...timeline, { kind: DueStepKind.DUE, at: dueAt, until: null, text: `Due ${describeInstant(dueAt, cal)}` });
  return { dueAt, remainingOnPause: pause ? pause.remaining : null, steps };
}

const ORDER = [DueStepKind.SKIP, DueStepKind.PAUSE, DueStepKind.EXTEND];
function order(step: DueStep): number {
  return ORDER.indexOf(step.kind);
}

/**
 * SlaTimer.remainingSeconds: RUNNING/PAUSED only, 0 once due, null otherwise. A paused
 * calendar clock reports the whole seconds it keeps; a paused business clock keeps
 * business days, shown in seconds as its due stood when it was paused.
 */
export function remainingSecondsOf(
  timer: { status: string; dueAt: Date; pausedAt: Date | null; remainingOnPause: number | null; terms: { businessDays?: boolean } },
  now: Date,
): number | null {
  if (timer.status === SlaTimerStatus.RUNNING) return remainingSeconds(now, timer.dueAt);
  if (timer.status !== SlaTimerStatus.PAUSED) return null;
  if (timer.terms.businessDays) return remainingSeconds(timer.pausedAt ?? now, timer.dueAt);
  return Math.max(0, Math.floor(timer.remainingOnPause ?? 0));
}
