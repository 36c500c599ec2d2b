import { DateTime } from 'luxon';
import {
  addDuration,
  dueAfterResume,
  extendDue,
  isBusinessDay,
  remainingOnPause,
  remainingSeconds,
  validateDuration,
  warnAt,
} from '../../src/domain/sla-calendar';
import { BERLIN, BUSINESS_VECTORS, CALENDAR_VECTORS, LONDON, LOS_ANGELES, LOS_ANGELES_WEEKENDS_ONLY, UTC } from './sla-calendar-vectors';

const iso = (date: Date) => date.toISOString();

describe('addDuration on calendar clocks', () => {
  test.each(CALENDAR_VECTORS)('$name', ({ cal, start, terms, due }) => {
    expect(iso(addDuration(new Date(start), terms.duration, terms.businessDays, cal))).toBe(due);
  });
});

describe('addDuration on business-day clocks', () => {
  test.each(BUSINESS_VECTORS)('$name', ({ cal, start, duration, due }) => {
    expect(iso(addDuration(new Date(start), duration, true, cal))).toBe(due);
  });

  test('refuses a duration that is not whole days', () => {
    expect(() => addDuration(new Date('2026-06-01T00:00:00Z'), 'PT12H', true, UTC)).toThrow(RangeError);
  });

  test('refuses an unknown time zone', () => {
    expect(() => addDuration(new Date('2026-06-01T00:00:00Z'), 'P1D', false, { timeZone: 'Mars/Olympus', holidayCountry: null })).toThrow(RangeError);
  });
});

describe('extendDue', () => {
  test.each([
    {
      name: 'GDPR P2M from a Feb 29 due keeps the 29th and the local time',
      cal: BERLIN,
      due: '2028-02-29T09:00:00.000Z',
      extension: 'P2M',
      businessDays: false,
      extended: '2028-04-29T08:00:00.000Z',
    },
    {
      name: 'GDPR P2M from a Jan 31 due clamps to Mar 31',
      cal: BERLIN,
      due: '2026-01-31T09:00:00.000Z',
      extension: 'P2M',
      businessDays: false,
      extended: '2026-03-31T08:00:00.000Z',
    },
    {
      name: 'CCPA P45D from a spring due',
      cal: LOS_ANGELES,
      due: '2026-04-06T16:00:00.000Z',
      extension: 'P45D',
      businessDays: false,
      extended: '2026-05-21T16:00:00.000Z',
    },
    {
      name: 'a business extension from the end of Friday ends when the next Monday ends',
      cal: UTC,
      due: '2026-06-06T00:00:00.000Z',
      extension: 'P1D',
      businessDays: true,
      extended: '2026-06-09T00:00:00.000Z',
    },
  ])('$name', ({ cal, due, extension, businessDays, extended }) => {
    expect(iso(extendDue(new Date(due), extension, businessDays, cal))).toBe(extended);
  });
});

describe('isBusinessDay', () => {
  test.each([
    { name: 'US Thanksgiving is not', cal: LOS_ANGELES, date: '2026-11-26', business: false },
    { name: 'the day after Thanksgiving (an observance) is', cal: LOS_ANGELES, date: '2026-11-27', business: true },
    { name: 'a US substitute holiday (Jul 3, 2026) is not', cal: LOS_ANGELES, date: '2026-07-03', business: false },
    { name: 'a substitute in the year before its holiday (Dec 31, 2027) is not', cal: LOS_ANGELES, date: '2027-12-31', business: false },
    { name: 'Thanksgiving is with weekends only', cal: LOS_ANGELES_WEEKENDS_ONLY, date: '2026-11-26', business: true },
    { name: 'Dec 24 in DE (bank half-day) is', cal: BERLIN, date: '2026-12-24', business: true },
    { name: 'Dec 25 in DE is not', cal: BERLIN, date: '2026-12-25', business: false },
    { name: 'Good Friday in GB is not', cal: LONDON, date: '2026-04-03', business: false },
    { name: 'a Saturday is not', cal: UTC, date: '2026-06-06', business: false },
    { name: 'a Monday is', cal: UTC, date: '2026-06-08', business: true },
  ])('$name', ({ cal, date, business }) => {
    expect(isBusinessDay(DateTime.fromISO(`${date}T12:00`, { zone: cal.timeZone }), cal)).toBe(business);
  });

  test.each([
    { name: 'in Los Angeles 07:00Z on Thanksgiving is still Nov 25', cal: LOS_ANGELES, business: true },
    { name: 'in UTC it is Thanksgiving', cal: { timeZone: 'UTC', holidayCountry: 'US' }, business: false },
  ])('takes the tenant-local date of an instant: $name', ({ cal, business }) => {
    expect(isBusinessDay(new Date('2026-11-26T07:00:00Z'), cal)).toBe(business);
  });

  test('refuses a country without holiday data', () => {
    expect(() => isBusinessDay(new Date('2026-06-08T12:00:00Z'), { timeZone: 'UTC', holidayCountry: 'ZZ' })).toThrow(RangeError);
  });
});

describe('pause and resume', () => {
  // A CCPA-style P10D business clock started Mon 2026-11-02 10:00 PST is due Tue Nov 17
  // 10:00 PST (Veterans Day, Wed Nov 11, is a US public holiday).
  const businessDue = '2026-11-17T18:00:00.000Z';

  test('the business fixture is due on Nov 17 at 10:00 local', () => {
    expect(iso(addDuration(new Date('2026-11-02T10:00:00-08:00'), 'P10D', true, LOS_ANGELES))).toBe(businessDue);
  });

  test.each([
    {
      name: 'a calendar clock paused 3 days 4 hours moves by exactly 3 days 4 hours',
      cal: BERLIN,
      businessDays: false,
      due: '2026-02-28T09:00:00.000Z',
      pausedAt: '2026-02-10T09:00:00Z',
      kept: 18 * 86400,
      resumedAt: '2026-02-13T13:00:00Z',
      newDue: '2026-03-03T13:00:00.000Z',
    },
    {
      name: 'a business clock paused Fri 16:00 and resumed Mon 09:00 gets back the 17 business hours (Fri 16-24, Mon 0-9)',
      cal: LOS_ANGELES,
      businessDays: true,
      due: businessDue,
      pausedAt: '2026-11-06T16:00:00-08:00',
      kept: 5.75,
      resumedAt: '2026-11-09T09:00:00-08:00',
      newDue: '2026-11-18T11:00:00.000Z',
    },
    {
      name: 'a business clock paused Sat and resumed Sun loses and gains nothing',
      cal: LOS_ANGELES,
      businessDays: true,
      due: businessDue,
      pausedAt: '2026-11-07T10:00:00-08:00',
      kept: 5 + 10 / 24,
      resumedAt: '2026-11-08T18:00:00-08:00',
      newDue: businessDue,
    },
    {
      name: 'a business clock paused across a holiday moves by one business day',
      cal: LOS_ANGELES,
      businessDays: true,
      due: businessDue,
      pausedAt: '2026-11-10T10:00:00-08:00',
      kept: 4,
      resumedAt: '2026-11-12T10:00:00-08:00',
      newDue: '2026-11-18T18:00:00.000Z',
    },
    {
      name: 'a business clock due at the end of a Friday, paused that Friday at 16:00, keeps 8 hours',
      cal: UTC,
      businessDays: true,
      due: '2026-06-06T00:00:00.000Z',
      pausedAt: '2026-06-05T16:00:00Z',
      kept: 8 / 24,
      resumedAt: '2026-06-08T09:00:00Z',
      newDue: '2026-06-08T17:00:00.000Z',
    },
  ])('$name', ({ cal, businessDays, due, pausedAt, kept, resumedAt, newDue }) => {
    const remaining = remainingOnPause(new Date(pausedAt), new Date(due), businessDays, cal);
    expect(remaining).toBeCloseTo(kept, 12);
    expect(iso(dueAfterResume(new Date(resumedAt), remaining, businessDays, cal))).toBe(newDue);
  });

  test.each([
    { name: 'calendar', businessDays: false },
    { name: 'business', businessDays: true },
  ])('a $name clock paused after its due keeps nothing', ({ businessDays }) => {
    expect(remainingOnPause(new Date('2026-11-18T00:00:00Z'), new Date(businessDue), businessDays, LOS_ANGELES)).toBe(0);
  });
});

describe('warnAt', () => {
  test.each([
    { name: '80% of CCPA P45D is day 36', start: '2026-01-05T17:00:00Z', due: '2026-02-19T17:00:00Z', percent: 80, warn: '2026-02-10T17:00:00.000Z' },
    {
      name: '80% of P45D across DST (1079 elapsed hours)',
      start: '2026-02-20T17:00:00Z',
      due: '2026-04-06T16:00:00Z',
      percent: 80,
      warn: '2026-03-28T16:12:00.000Z',
    },
    { name: 'floors to the millisecond', start: '2026-01-01T00:00:00.000Z', due: '2026-01-01T00:00:00.001Z', percent: 50, warn: '2026-01-01T00:00:00.000Z' },
    { name: '0% is the start', start: '2026-01-01T00:00:00Z', due: '2026-01-02T00:00:00Z', percent: 0, warn: '2026-01-01T00:00:00.000Z' },
    { name: '100% is the due', start: '2026-01-01T00:00:00Z', due: '2026-01-02T00:00:00Z', percent: 100, warn: '2026-01-02T00:00:00.000Z' },
  ])('$name', ({ start, due, percent, warn }) => {
    expect(iso(warnAt(new Date(start), new Date(due), percent))).toBe(warn);
  });

  test('refuses a percentage above 100', () => {
    expect(() => warnAt(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-02T00:00:00Z'), 120)).toThrow(RangeError);
  });
});

describe('remainingSeconds', () => {
  test.each([
    { name: 'floors a partial second', now: '2026-01-01T00:00:00.000Z', due: '2026-01-01T00:01:30.900Z', seconds: 90 },
    { name: 'is 0 at the due', now: '2026-01-01T00:00:00Z', due: '2026-01-01T00:00:00Z', seconds: 0 },
    { name: 'is never negative', now: '2026-01-02T00:00:00Z', due: '2026-01-01T00:00:00Z', seconds: 0 },
  ])('$name', ({ now, due, seconds }) => {
    expect(remainingSeconds(new Date(now), new Date(due))).toBe(seconds);
  });
});

describe('validateDuration', () => {
  test.each([
    { duration: 'P1M', businessDays: false, ok: true },
    { duration: 'P45D', businessDays: false, ok: true },
    { duration: 'PT24H', businessDays: false, ok: true },
    { duration: 'P10D', businessDays: true, ok: true },
    { duration: 'PT12H', businessDays: false, ok: true },
    { duration: 'PT12H', businessDays: true, ok: false },
    { duration: 'P1M', businessDays: true, ok: false },
    { duration: 'P2W', businessDays: true, ok: false },
    { duration: 'P0D', businessDays: false, ok: false },
    { duration: 'P', businessDays: false, ok: false },
    { duration: 'garbage', businessDays: false, ok: false },
    { duration: '', businessDays: false, ok: false },
    { duration: '-P1D', businessDays: false, ok: false },
    { duration: 'P-1D', businessDays: false, ok: false },
    { duration: 'P1.5D', businessDays: true, ok: false },
    { duration: 'P100Y', businessDays: false, ok: false },
    // What the calendar cannot add unambiguously: mixed units, zero, fractions, weeks mixed.
    { duration: 'P1Y2M3DT4H', businessDays: false, ok: false },
    { duration: 'P1DT1H', businessDays: false, ok: false },
    { duration: 'PT0S', businessDays: false, ok: false },
    { duration: 'P0M', businessDays: false, ok: false },
    { duration: 'P1.5D', businessDays: false, ok: false },
    { duration: 'PT1.5H', businessDays: false, ok: false },
    { duration: 'P1W2D', businessDays: false, ok: false },
    { duration: 'P2W', businessDays: false, ok: true },
    { duration: 'P1Y', businessDays: false, ok: true },
    { duration: 'PT30M', businessDays: false, ok: true },
    { duration: 'p10d', businessDays: false, ok: false },
  ])('$duration (business days: $businessDays) ok: $ok', ({ duration, businessDays, ok }) => {
    const message = validateDuration(duration, businessDays);
    if (ok) expect(message).toBeNull();
    else expect(message).toEqual(expect.any(String));
  });
});
