import Holidays from 'date-holidays';
import { DateTime, Duration } from 'luxon';

/**
 * SLA calendar arithmetic (SPEC §5): when a clock falls due, when it warns, and what a
 * pause keeps. Pure: no I/O, no clock reads; every instant comes in as an argument.
 *
 * Calendar clocks: months and days are calendar units in the tenant's zone and keep
 * the local time of day (GDPR Art. 12(3) "within one month" ends on the same local time
 * a month later, clamped to the month's last day); hours and smaller are elapsed time.
 *
 * Business clocks count business time: it runs through each business day (Monday to
 * Friday, not a public holiday of the tenant's country) at the local wall clock and
 * stands still on other days. N business days are N such days:
 * - a start at 14:00 on a business day is due at 14:00 on the Nth business day after it;
 * - a start on a weekend or holiday counts from 00:00 of the next business day (day 1)
 *   and is due when day N ends, i.e. 00:00 local of the calendar day after day N.
 *   CCPA Regulations §7021(a) "within 10 business days": a request received on Saturday
 *   is confirmed by the end of the 10th business day, Monday being the first.
 */

/** The tenant's IANA time zone and ISO 3166-1 alpha-2 country (null: weekends only). */
export interface Calendar {
  timeZone: string;
  holidayCountry: string | null;
}

/** A policy's clock: an ISO-8601 duration (P1M, P45D, PT24H, P10D) and its day kind. */
export interface ClockTerms {
  duration: string;
  businessDays: boolean;
}

const DAY_MS = 86_400_000;
// A guard, not a rule: no SLA in SPEC §5 comes near ten years, and business-day
// arithmetic walks day by day.
const MAX_DAYS = 3660;

/** Null when `iso` is a usable clock duration, else why not. */
export function validateDuration(iso: string, businessDays = false): string | null {
  const duration = Duration.fromISO(iso);
  if (!duration.isValid) return `'${iso}' is not an ISO-8601 duration`;
  const units = Object.entries(duration.toObject()) as [string, number][];
  if (units.some(([, value]) => !Number.isInteger(value) || value < 0)) {
    return 'a duration takes whole, non-negative units';
  }
  if (!units.some(([, value]) => value > 0)) return 'a duration must be positive';
  if (duration.as('days') > MAX_DAYS) return `a duration is at most ${MAX_DAYS} days`;
  if (businessDays && units.some(([unit, value]) => unit !== 'days' && value > 0)) {
    return 'a business-day clock takes whole days only (e.g. P10D)';
  }
  return null;
}

/** The instant a clock of `duration` started at `start` falls due. */
export function addDuration(start: Date, duration: string, businessDays: boolean, cal: Calendar): Date {
  const error = validateDuration(duration, businessDays);
  if (error) throw new RangeError(`SLA duration ${duration}: ${error}`);
  const parsed = Duration.fromISO(duration);
  if (businessDays) return addBusinessTime(start, parsed.days * DAY_MS, cal);
  // luxon adds months, then days (local time kept, month end clamped), then elapsed time.
  return toDate(inZone(start, cal).plus(parsed));
}

/** The instant `warnAtPercent`% of the way from `start` to `due`, floored to the millisecond. */
export function warnAt(start: Date, due: Date, warnAtPercent: number): Date {
  if (!(warnAtPercent >= 0 && warnAtPercent <= 100)) {
    throw new RangeError(`warnAtPercent ${warnAtPercent} is outside 0..100`);
  }
  const span = due.getTime() - start.getTime();
  if (span < 0) throw new RangeError('due precedes start');
  return new Date(start.getTime() + Math.floor((span * warnAtPercent) / 100));
}

/** Whether the tenant-local date of `localDate` is neither a weekend nor a public holiday. */
export function isBusinessDay(localDate: DateTime | Date, cal: Calendar): boolean {
  const local = localDate instanceof Date ? inZone(localDate, cal) : localDate.setZone(cal.timeZone);
  if (local.weekday >= 6) return false;
  if (cal.holidayCountry === null) return true;
  return !publicHolidayDates(cal.holidayCountry, local.year).has(local.toISODate() as string);
}

/** Whether date-holidays knows the public holidays of `country` (ISO 3166-1 alpha-2). */
export function supportsHolidayCountry(country: string): boolean {
  return Object.hasOwn(new Holidays().getCountries(), country.toUpperCase());
}

/**
 * What a pause keeps (SPEC §5), 0 once due. Calendar clocks: whole seconds of elapsed
 * time. Business clocks: business days of business time, fractional (the part of a day
 * is wall-clock time of day / 24 h), so nothing is lost or gained to rounding.
 */
export function remainingOnPause(now: Date, due: Date, businessDays: boolean, cal: Calendar): number {
  if (due.getTime() <= now.getTime()) return 0;
  if (!businessDays) return remainingSeconds(now, due);
  return businessMsBetween(now, due, cal) / DAY_MS;
}

/**
 * The new due instant of a clock resumed at `resumedAt` with what `remainingOnPause`
 * kept. A calendar clock's due moves by exactly the paused time; a business clock's by
 * the business time that passed while paused (none for a pause over a weekend).
 */
export function dueAfterResume(resumedAt: Date, remaining: number, businessDays: boolean, cal: Calendar): Date {
  if (!(remaining >= 0)) throw new RangeError(`remaining ${remaining} is negative`);
  if (remaining === 0) return resumedAt;
  if (!businessDays) return new Date(resumedAt.getTime() + remaining * 1000);
  return addBusinessTime(resumedAt, Math.round(remaining * DAY_MS), cal);
}

/** The due instant after an extension, added to the current due in the clock's own units. */
export function extendDue(due: Date, extension: string, businessDays: boolean, cal: Calendar): Date {
  // GDPR Art. 12(3): "extended by two further months" runs on from the first deadline.
  return addDuration(due, extension, businessDays, cal);
}

/** Whole seconds from `now` until `due`, never negative. */
export function remainingSeconds(now: Date, due: Date): number {
  return Math.max(0, Math.floor((due.getTime() - now.getTime()) / 1000));
}

/** A point in business time: a business day (00:00 local) and a wall-clock time of day. */
interface BusinessPoint {
  day: DateTime;
  msOfDay: number;
}

function addBusinessTime(start: Date, ms: number, cal: Calendar): Date {
  const from = businessPoint(start, cal);
  const total = from.msOfDay + ms;
  const wholeDays = Math.floor(total / DAY_MS);
  const rest = total - wholeDays * DAY_MS;
  if (rest === 0 && wholeDays > 0) {
    // Exactly N days: due when the Nth business day ends, not when the next one starts.
    return toDate(startOfNextDay(plusBusinessDays(from.day, wholeDays - 1, cal)));
  }
  return toDate(atTimeOfDay(plusBusinessDays(from.day, wholeDays, cal), rest));
}

function businessMsBetween(from: Date, to: Date, cal: Calendar): number {
  const a = businessPoint(from, cal);
  const b = businessPoint(to, cal);
  let days = 0;
  for (let day = a.day; day.toMillis() < b.day.toMillis(); day = nextBusinessDay(day, cal)) days++;
  return days * DAY_MS + b.msOfDay - a.msOfDay;
}

/** Business time stands still off business days: such an instant is the next business day's start. */
function businessPoint(instant: Date, cal: Calendar): BusinessPoint {
  const local = inZone(instant, cal);
  if (isBusinessDay(local, cal)) return { day: local.startOf('day'), msOfDay: msOfDay(local) };
  return { day: nextBusinessDay(local.startOf('day'), cal), msOfDay: 0 };
}

function plusBusinessDays(day: DateTime, count: number, cal: Calendar): DateTime {
  let result = day;
  for (let i = 0; i < count; i++) result = nextBusinessDay(result, cal);
  return result;
}

function nextBusinessDay(day: DateTime, cal: Calendar): DateTime {
  let next = startOfNextDay(day);
  while (!isBusinessDay(next, cal)) next = startOfNextDay(next);
  return next;
}

// startOf('day') again: where midnight is skipped by DST, the day starts at 01:00.
function startOfNextDay(day: DateTime): DateTime {
  return day.plus({ days: 1 }).startOf('day');
}

function msOfDay(local: DateTime): number {
  return ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.millisecond;
}

// Wall-clock time, not elapsed time, so DST keeps the local time of day; a time the
// DST gap skips moves forward by the gap (luxon's rule).
function atTimeOfDay(day: DateTime, ms: number): DateTime {
  return day.set({
    hour: Math.floor(ms / 3_600_000),
    minute: Math.floor(ms / 60_000) % 60,
    second: Math.floor(ms / 1000) % 60,
    millisecond: ms % 1000,
  });
}

function inZone(instant: Date, cal: Calendar): DateTime {
  const local = DateTime.fromJSDate(instant, { zone: cal.timeZone });
  if (!local.isValid) throw new RangeError(`cannot place ${String(instant)} in time zone '${cal.timeZone}'`);
  return local;
}

function toDate(local: DateTime): Date {
  if (!local.isValid) throw new RangeError(`SLA date out of range: ${local.invalidExplanation}`);
  return local.toJSDate();
}

const holidayDates = new Map<string, ReadonlySet<string>>();

/** The tenant-local dates ('YYYY-MM-DD') of `country`'s public holidays in `year`, cached. */
function publicHolidayDates(country: string, year: number): ReadonlySet<string> {
  const code = country.toUpperCase();
  const key = `${code}:${year}`;
  let dates = holidayDates.get(key);
  if (!dates) {
    if (!supportsHolidayCountry(code)) throw new RangeError(`no public-holiday data for country '${country}'`);
    const holidays = new Holidays(code);
    // Neighbouring years too: a substitute day may fall in the year before its holiday.
    // Public only (SPEC §5): observances, bank, optional and school days are working days.
    dates = new Set(
      [year - 1, year, year + 1]
        .flatMap((y) => holidays.getHolidays(y))
        .filter((holiday) => holiday.type === 'public' && holiday.date.startsWith(`${year}-`))
        .map((holiday) => holiday.date.slice(0, 10)),
    );
    holidayDates.set(key, dates);
  }
  return dates;
}
