import { SlaKind, SlaStartEvent, SlaTimerStatus } from '../../src/domain/enums';
import { checkTimerTransition, dueEvent, TIMER_TRANSITIONS, TimerFacts, TimerTransition } from '../../src/domain/sla-timer-state';

/**
 * The timer state table walked against an oracle transcribed from SPEC §5, for every
 * status × transition, with a clock not yet due and one already due.
 */

const NOW = new Date('2026-06-01T12:00:00Z');
const LATER = new Date('2026-06-10T12:00:00Z');
const EARLIER = new Date('2026-05-20T12:00:00Z');
const { RUNNING, PAUSED, MET, BREACHED, CANCELLED } = SlaTimerStatus;

function facts(overrides: Partial<TimerFacts>): TimerFacts {
  return {
    status: RUNNING,
    kind: SlaKind.RESPOND,
    dueAt: LATER,
    pausable: true,
    extended: false,
    hasExtension: true,
    startsOn: SlaStartEvent.STAGE_ENTERED,
    warnAt: null,
    warnedAt: null,
    ...overrides,
  };
}

/** SPEC §5 in words: which transitions each status allows, before and after the due. */
const ORACLE: Record<TimerTransition, (status: SlaTimerStatus, isDue: boolean) => boolean | string> = {
  warn: () => false, // no warnAt in these facts
  breach: (s, isDue) => (s === RUNNING ? isDue || 'SLA_NOT_DUE' : false),
  pause: (s, isDue) => (s === RUNNING ? !isDue || 'SLA_ALREADY_DUE' : false),
  resume: (s) => s === PAUSED,
  extend: (s, isDue) => (s === RUNNING || s === PAUSED || s === BREACHED ? !isDue || 'SLA_ALREADY_DUE' : false),
  meet: (s) => s === RUNNING || s === PAUSED,
  cancel: (s) => s === RUNNING || s === PAUSED,
  leaveStage: (s) => s === RUNNING || s === PAUSED,
};

const cases = (Object.keys(TIMER_TRANSITIONS) as TimerTransition[]).flatMap((transition) =>
  [RUNNING, PAUSED, MET, BREACHED, CANCELLED].flatMap((status) => [false, true].map((isDue) => ({ transition, status, isDue }))),
);

test.each(cases)('$transition from $status (due: $isDue)', ({ transition, status, isDue }) => {
  // A breached clock is always due.
  const dueAt = isDue || status === BREACHED ? EARLIER : LATER;
  const verdict = checkTimerTransition(facts({ status, dueAt }), transition, NOW);
  const expected = ORACLE[transition](status, isDue || status === BREACHED);
  if (expected === true) expect(verdict).toEqual({ allowed: true });
  else if (expected === false) expect(verdict).toMatchObject({ allowed: false });
  else expect(verdict).toMatchObject({ allowed: false, rule: expected });
});

test.each([
  { name: 'a clock that is not pausable runs on', facts: { pausable: false }, transition: 'pause' as const, rule: 'SLA_NOT_PAUSABLE' },
  { name: 'a clock without an extension', facts: { hasExtension: false }, transition: 'extend' as const, rule: 'SLA_NO_EXTENSION' },
  { name: 'an extension is granted once', facts: { extended: true }, transition: 'extend' as const, rule: 'SLA_EXTENDED_ONCE' },
  {
    name: 'a breach-recorded clock survives escalation',
    facts: { startsOn: SlaStartEvent.BREACH_RECORDED },
    transition: 'leaveStage' as const,
    rule: 'SLA_RUNS_ACROSS_STAGES',
  },
])('$name: $rule', ({ facts: f, transition, rule }) => {
  expect(checkTimerTransition(facts(f), transition, NOW)).toMatchObject({ allowed: false, rule });
});

test.each([
  { name: 'due: breach', f: { dueAt: EARLIER }, event: 'breach' },
  { name: 'past warnAt, not due: warn', f: { warnAt: EARLIER }, event: 'warn' },
  { name: 'warned already: nothing', f: { warnAt: EARLIER, warnedAt: EARLIER }, event: null },
  { name: 'due and never warned: breach, not warn', f: { warnAt: EARLIER, dueAt: EARLIER }, event: 'breach' },
  { name: 'paused past its due: nothing (it was not running)', f: { status: PAUSED, dueAt: EARLIER }, event: null },
  { name: 'breached: nothing (final)', f: { status: BREACHED, dueAt: EARLIER }, event: null },
])('what the worker fires: $name', ({ f, event }) => {
  expect(dueEvent(facts(f as Partial<TimerFacts>), NOW)).toBe(event);
});
