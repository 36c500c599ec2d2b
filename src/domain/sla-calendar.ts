import Holidays from 'date-holidays';
import { DateTime, Duration } from 'luxon';
import { DueStepKind } from './enums';

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
  /** Why a stored setting was not used (an unknown zone or country), for the explanation. */
  fallback?: string | null;
}

/**
 * The calendar of a tenant's stored settings, never failing: a zone that is not an IANA
 * zone counts in UTC, a country without a holiday calendar counts weekends only, and
 * `fallback` says so (SPEC §3: a setting the service cannot use is ignored, not fatal).
 */
export function calendarFor(timeZone: string | null | undefined, holidayCountry: string | null | undefined): Calendar {
  const notes: string[] = [];
  let zone = timeZone || 'UTC';
  if (!DateTime.now().setZone(zone).isValid) {
    notes.push(`time zone '${zone}' is not an IANA zone: UTC used`);
    zone = 'UTC';
  }
  let country = holidayCountry ? holidayCountry.toUpperCase() : null;
  if (country !== null && !supportsHolidayCountry(country)) {
    notes.push(`no public-holiday calendar for country '${holidayCountry}': weekends only`);
    country = null;
  }
  return { timeZone: zone, holidayCountry: country, fallback: notes.length ? notes.join('; ') : null };
}

/** One step of how a due instant was reached (SlaTimer.explanation, SPEC §5). */
export interface DueStep {
  kind: DueStepKind;
  at: Date;
  until: Date | null;
  text: string;
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

// One unit per clock, each with one meaning a regulator can check (SPEC §5): calendar
// years and months (month end clamped), calendar weeks and days (local time kept), and
// exact hours, minutes or seconds. Mixed units (P1Y2M3DT4H) have no agreed order.
const CLOCK_DURATION = /^P(?:(\d+)Y|(\d+)M|(\d+)W|(\d+)D|T(?:(\d+)H|(\d+)M|(\d+)S))$/;

/** Null when `iso` is a clock duration the calendar can add, else why not. */
export function validateDuration(iso: string, businessDays = false): string | null {
  const match = CLOCK_DURATION.exec(iso);
  if (!match) {
    return Duration.fromISO(iso).isValid
      ? `'${iso}' is not a clock duration: use one whole, positive unit (P1Y, P1M, P2W, P45D, PT72H, PT30M, PT60S)`
      : `'${iso}' is not an ISO-8601 duration`;
  }
  const duration = Duration.fromISO(iso);
  if (!duration.isValid || !(Object.values(duration.toObject()) as number[]).some((v) => v > 0)) return 'a duration must be positive';
  if (duration.as('days') > MAX_DAYS) return `a duration is at most ${MAX_DAYS} days`;
  if (businessDays && match[4] === undefined) return 'a business-day clock takes whole days only (e.g. P10D)';
  return null;
}

/** The instant a clock of `duration` started at `start` falls due. */
export function addDuration(start: Date, duration: string, businessDays: boolean, cal: Calendar): Date {
  return computeDue(start, duration, businessDays, cal).dueAt;
}

/**
 * The due instant and the days it skipped, from one computation (so the explanation
 * cannot drift from the due). Only business clocks skip days.
 */
export function computeDue(start: Date, duration: string, businessDays: boolean, cal: Calendar): { dueAt: Date; skipped: DueStep[] } {
  const error = validateDuration(duration, businessDays);
  if (error) throw new RangeError(`SLA duration ${duration}: ${error}`);
  const parsed = Duration.fromISO(duration);
  if (businessDays) {
    const dueAt = addBusinessTime(start, parsed.days * DAY_MS, cal);
    return { dueAt, skipped: skippedDays(start, dueAt, cal) };
  }
  // Calendar units keep the local time of day (luxon adds years, months, weeks, days
  // on the wall clock, month end clamped); hours, minutes and seconds are elapsed time.
  return { dueAt: toDate(inZone(start, cal).plus(parsed)), skipped: [] };
}

/**
 * One SKIP step per run of consecutive non-business days that business time crossed
 * between `from` and `to`, naming the weekend or each holiday as date-holidays names it.
 */
export function skippedDays(from: Date, to: Date, cal: Calendar): DueStep[] {
  const steps: DueStep[] = [];
  let run: { first: DateTime; last: DateTime; reasons: string[] } | null = null;
  const flush = () => {
    if (!run) return;
    const at = new Date(Math.max(run.first.toMillis(), from.getTime()));
    const until = new Date(Math.min(startOfNextDay(run.last).toMillis(), to.getTime()));
    const days = run.first.hasSame(run.last, 'day') ? localDay(run.first) : `${localDay(run.first)} – ${localDay(run.last)}`;
    steps.push({ kind: DueStepKind.SKIP, at, until, text: `${days} skipped: ${[...new Set(run.reasons)].join(', ')}` });
    run = null;
  };
  for (let day = inZone(from, cal).startOf('day'); day.toMillis() < to.getTime(); day = startOfNextDay(day)) {
    const reasons = nonBusinessReasons(day, cal);
    if (reasons.length === 0) {
      flush();
      continue;
    }
    if (run) {
      run.last = day;
      run.reasons.push(...reasons);
    } else run = { first: day, last: day, reasons: [...reasons] };
  }
  flush();
  return steps;
}

/** Why a tenant-local day is not a business day: 'weekend' and/or holiday names; empty when it is one. */
function nonBusinessReasons(day: DateTime, cal: Calendar): string[] {
  const reasons: string[] = [];
  if (day.weekday >= 6) reasons.push('weekend');
  if (cal.holidayCountry !== null) {
    for (const name of publicHolidays(cal.holidayCountry, day.year).get(day.toISODate() as string) ?? []) {
      reasons.push(`${name} (${cal.holidayCountry.toUpperCase()} public holiday)`);
    }
  }
  return reasons;
}

/** 'Thu 2026-11-26': how a step names a tenant-local day. */
function localDay(day: DateTime): string {
  return day.toFormat('ccc yyyy-MM-dd', { locale: 'en-US' });
}

/** An instant as the explanation shows it: ISO in UTC and the wall clock of the calendar's zone. */
export function describeInstant(instant: Date, cal: Calendar): string {
  const local = inZone(instant, cal).toFormat('ccc yyyy-MM-dd HH:mm:ss', { locale: 'en-US' });
  return `${instant.toISOString()} (${local} ${cal.timeZone})`;
}

/** What a clock's duration means on this calendar, in words (the RULE step). */
export function describeClock(duration: string, businessDays: boolean, cal: Calendar): string {
  const [, years, months, weeks, days, hours, minutes, seconds] = CLOCK_DURATION.exec(duration) ?? [];
  let meaning: string;
  if (businessDays) {
    const holidays = cal.holidayCountry ? `weekends and public holidays of ${cal.holidayCountry}` : 'weekends';
    meaning = `${days} business days in ${cal.timeZone} (${holidays} skipped; local time of day kept; a start on a non-business day counts from the next business day)`;
  } else if (years || months) {
    meaning = `${years ? `${years} calendar year(s)` : `${months} calendar month(s)`} in ${cal.timeZone} (local time of day kept; a day the month lacks is its last day)`;
  } else if (weeks || days) {
    meaning = `${weeks ? `${weeks} week(s)` : `${days} calendar day(s)`} in ${cal.timeZone} (local time of day kept across DST)`;
  } else {
    meaning = `${hours ? `${hours} hour(s)` : minutes ? `${minutes} minute(s)` : `${seconds} second(s)`} of elapsed time (exact, whatever DST does)`;
  }
  return cal.fallback ? `${meaning}; ${cal.fallback}` : meaning;
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
  return !publicHolidays(cal.holidayCountry, local.year).has(local.toISODate() as string);
}

let holidayCountries: ReadonlySet<string> | null = null;

/**
 * Whether date-holidays knows the public holidays of `country` (ISO 3166-1 alpha-2). Its
 * country list is read once: building it took ~0.4 ms, twice per filing of such a tenant.
 */
export function supportsHolidayCountry(country: string): boolean {
  holidayCountries ??= new Set(Object.keys(new Holidays().getCountries()));
  return holidayCountries.has(country.toUpperCase());
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

const holidayCache = new Map<string, ReadonlyMap<string, string[]>>();

/** `country`'s public holidays in `year`: tenant-local date ('YYYY-MM-DD') → names, cached. */
function publicHolidays(country: string, year: number): ReadonlyMap<string, string[]> {
  const code = country.toUpperCase();
  const key = `${code}:${year}`;
  let dates = holidayCache.get(key);
  if (!dates) {
    if (!supportsHolidayCountry(code)) throw new RangeError(`no public-holiday data for country '${country}'`);
    const holidays = new Holidays(code);
    // Neighbouring years too: a substitute day may fall in the year before its holiday.
    // Public only (SPEC §5): observances, bank, optional and school days are working days.
    const byDate = new Map<string, string[]>();
    for (const holiday of [year - 1, year, year + 1].flatMap((y) => holidays.getHolidays(y))) {
      if (holiday.type !== 'public' || !holiday.date.startsWith(`${year}-`)) continue;
      const date = holiday.date.slice(0, 10);
      byDate.set(date, [...(byDate.get(date) ?? []), holiday.name]);
    }
    dates = byDate;
    holidayCache.set(key, dates);
  }
  return dates;
}
