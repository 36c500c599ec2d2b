import { DateTime } from 'luxon';
import { EARLIEST_INSTANT, LATEST_INSTANT } from '../validation';

/** One end of a report window as written: a calendar date, or an instant with its offset. */
export type WindowEnd = { kind: 'date'; date: string } | { kind: 'instant'; instant: Date };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export const WINDOW_END_FORMS =
  "must be an ISO-8601 instant with offset (2026-11-30T00:00:00Z) or a date (2026-11-30: the whole day in the tenant's time zone), between 1900 and 9999";

const inRange = (d: Date) => !Number.isNaN(d.getTime()) && d >= EARLIEST_INSTANT && d <= LATEST_INSTANT;

/**
 * Reads `from`/`to` of the CSV export (SPEC §8), or null when it is neither form. Four-digit
 * years only, so nothing JavaScript reads but PostgreSQL refuses reaches a query.
 */
export function parseWindowEnd(value: unknown): WindowEnd | null {
  if (typeof value !== 'string') return null;
  if (DATE.test(value)) {
    const day = DateTime.fromISO(value, { zone: 'UTC' });
    return day.isValid && inRange(day.toJSDate()) ? { kind: 'date', date: value } : null;
  }
  if (!INSTANT.test(value)) return null;
  const instant = DateTime.fromISO(value, { setZone: true });
  return instant.isValid && inRange(instant.toJSDate()) ? { kind: 'instant', instant: instant.toJSDate() } : null;
}

/**
 * The instants a window covers, both ends inclusive: a date means the whole day in the
 * tenant's zone (from its first to its last millisecond, whatever DST does to its length);
 * an instant stays that instant.
 */
export function resolveWindow(from: WindowEnd, to: WindowEnd, zone: string): { from: Date; to: Date } {
  const day = (date: string) => DateTime.fromISO(date, { zone });
  return {
    from: from.kind === 'date' ? day(from.date).startOf('day').toJSDate() : from.instant,
    to: to.kind === 'date' ? day(to.date).endOf('day').toJSDate() : to.instant,
  };
}
