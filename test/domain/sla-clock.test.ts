import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { DueStepKind } from '../../src/domain/enums';
import { Calendar, computeDue } from '../../src/domain/sla-calendar';
import { ClockEvent, replayClock, TimerTerms } from '../../src/domain/sla-clock';
import { BERLIN, BUSINESS_VECTORS, CALENDAR_VECTORS, LOS_ANGELES, UTC } from './sla-calendar-vectors';

/**
 * Explanations (SPEC §5): the due instant and its steps come from one computation. Every
 * calendar vector is walked: the last step is DUE at the vector's due, steps are
 * chronological, and each skipped holiday is named as date-holidays names it.
 */

const terms = (duration: string, businessDays: boolean, cal: Calendar, extra: Partial<TimerTerms> = {}): TimerTerms => ({
  duration,
  businessDays,
  extension: null,
  warnAtPercent: 80,
  pausable: true,
  source: 'test source §1',
  calendar: cal,
  ...extra,
});

/** The public holidays of `country` between two local dates, by date-holidays' own names (the oracle). */
function holidayNames(country: string, zone: string, from: Date, to: Date): string[] {
  const names: string[] = [];
  const hd = new Holidays(country);
  for (let day = DateTime.fromJSDate(from, { zone }).startOf('day'); day.toMillis() < to.getTime(); day = day.plus({ days: 1 })) {
    const found = (hd.isHoliday(day.toFormat('yyyy-MM-dd') + ' 12:00') || []) as { type: string; name: string }[];
    for (const h of found) if (h.type === 'public') names.push(h.name);
  }
  return names;
}

function checkShape(steps: ReturnType<typeof replayClock>['steps']) {
  expect(steps[0].kind).toBe(DueStepKind.START);
  expect(steps[1].kind).toBe(DueStepKind.RULE);
  expect(steps[steps.length - 1].kind).toBe(DueStepKind.DUE);
  const ats = steps.map((s) => s.at.getTime());
  expect(ats).toEqual([...ats].sort((a, b) => a - b));
}

describe('every calendar vector explains itself', () => {
  test.each(CALENDAR_VECTORS)('$name', ({ cal, start, terms: clock, due }) => {
    const { dueAt, steps } = replayClock({ startedAt: new Date(start), terms: terms(clock.duration, false, cal), history: [] });
    expect(dueAt.toISOString()).toBe(due);
    checkShape(steps);
    expect(steps[steps.length - 1].at.toISOString()).toBe(due);
    expect(steps.filter((s) => s.kind === DueStepKind.SKIP)).toEqual([]); // calendar days skip nothing
    expect(steps[1].text).toContain('test source §1');
  });

  test.each(BUSINESS_VECTORS)('$name', ({ cal, start, duration, due }) => {
    const { dueAt, steps } = replayClock({ startedAt: new Date(start), terms: terms(duration, true, cal), history: [] });
    expect(dueAt.toISOString()).toBe(due);
    checkShape(steps);
    expect(steps[steps.length - 1].at.toISOString()).toBe(due);
    const skips = steps.filter((s) => s.kind === DueStepKind.SKIP);
    const skipText = skips.map((s) => s.text).join('\n');
    if (cal.holidayCountry) {
      for (const name of holidayNames(cal.holidayCountry, cal.timeZone, new Date(start), dueAt)) expect(skipText).toContain(name);
    }
    // One step per run: no two SKIP steps touch.
    for (let i = 1; i < skips.length; i++) expect(skips[i].at.getTime()).toBeGreaterThan(skips[i - 1].until!.getTime());
    // The same computation gives the same skips.
    expect(computeDue(new Date(start), duration, true, cal).skipped).toEqual(skips);
  });
});

describe('pauses and the extension', () => {
  const at = (iso: string): string => new Date(iso).toISOString();

  test('a calendar clock paused 3 days 4 hours moves by exactly that; PAUSE is one step from pause to resume', () => {
    const history: ClockEvent[] = [
      { type: 'PAUSE', at: at('2026-02-10T09:00:00Z') },
      { type: 'RESUME', at: at('2026-02-13T13:00:00Z') },
    ];
    const { dueAt, steps } = replayClock({ startedAt: new Date('2026-01-31T09:00:00Z'), terms: terms('P1M', false, BERLIN), history });
    expect(dueAt.toISOString()).toBe('2026-03-03T13:00:00.000Z');
    expect(steps.map((s) => s.kind)).toEqual(['START', 'RULE', 'PAUSE', 'DUE']);
    expect(steps[2]).toMatchObject({ at: new Date('2026-02-10T09:00:00Z'), until: new Date('2026-02-13T13:00:00Z') });
  });

  test('an extension while paused adds to what the pause keeps; its reason is in the step', () => {
    const history: ClockEvent[] = [
      { type: 'PAUSE', at: at('2026-02-10T09:00:00Z') },
      { type: 'EXTEND', at: at('2026-02-11T09:00:00Z') },
      { type: 'RESUME', at: at('2026-02-13T13:00:00Z') },
    ];
    const { dueAt, steps } = replayClock({
      startedAt: new Date('2026-01-31T09:00:00Z'),
      terms: terms('P1M', false, BERLIN, { extension: 'P2M' }),
      history,
      extensionReason: 'complex',
    });
    // Feb 28 09:00Z + P2M (Berlin wall clock, 10:00 CET → 10:00 CEST on Apr 28) + 3 d 4 h paused.
    expect(dueAt.toISOString()).toBe('2026-05-01T12:00:00.000Z');
    expect(steps.map((s) => s.kind)).toEqual(['START', 'RULE', 'PAUSE', 'EXTEND', 'DUE']);
    expect(steps[3].text).toContain('complex');
  });

  test('a business clock paused across Veterans Day: SKIP steps only for days it ran through', () => {
    const history: ClockEvent[] = [
      { type: 'PAUSE', at: at('2026-11-10T10:00:00-08:00') },
      { type: 'RESUME', at: at('2026-11-12T10:00:00-08:00') },
    ];
    const { dueAt, steps } = replayClock({ startedAt: new Date('2026-11-02T10:00:00-08:00'), terms: terms('P10D', true, LOS_ANGELES), history });
    expect(dueAt.toISOString()).toBe('2026-11-18T18:00:00.000Z');
    expect(steps.map((s) => s.kind)).toEqual(['START', 'RULE', 'SKIP', 'PAUSE', 'SKIP', 'DUE']);
    expect(steps.map((s) => s.text).join('\n')).not.toContain('Veterans');
  });

  test('a clock paused when already due keeps nothing and its due does not move', () => {
    const history: ClockEvent[] = [
      { type: 'PAUSE', at: at('2026-07-01T00:00:00Z') },
      { type: 'RESUME', at: at('2026-07-05T00:00:00Z') },
    ];
    const { dueAt } = replayClock({ startedAt: new Date('2026-06-01T00:00:00Z'), terms: terms('P1D', false, UTC), history });
    expect(dueAt.toISOString()).toBe('2026-06-02T00:00:00.000Z');
  });

  test('PT72H is 72 real hours across DST; a fixed deadline is due at it', () => {
    expect(replayClock({ startedAt: new Date('2026-10-23T07:00:00Z'), terms: terms('PT72H', false, BERLIN), history: [] }).dueAt.toISOString()).toBe(
      '2026-10-26T07:00:00.000Z',
    );
    const deadline = replayClock({
      startedAt: new Date('2026-10-01T00:00:00Z'),
      terms: terms('deadline', false, UTC, { deadline: '2026-09-01T00:00:00.000Z', source: 'deadline set by FTC' }),
      history: [],
    });
    expect(deadline.dueAt.toISOString()).toBe('2026-09-01T00:00:00.000Z');
    expect(deadline.steps.map((s) => s.kind)).toEqual(['START', 'RULE', 'DUE']);
    expect(deadline.steps[1].text).toContain('deadline set by FTC');
  });

  test('a stored calendar the service cannot use counts weekends only in UTC, and says so', () => {
    const { dueAt, steps } = replayClock({
      startedAt: new Date('2026-11-16T10:00:00Z'),
      terms: terms('P10D', true, { timeZone: 'Nowhere/Zone', holidayCountry: 'ZZ' }),
      history: [],
    });
    expect(dueAt.toISOString()).toBe('2026-11-30T10:00:00.000Z');
    expect(steps[1].text).toContain("no public-holiday calendar for country 'ZZ'");
  });
});
