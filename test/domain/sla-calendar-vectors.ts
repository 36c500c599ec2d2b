import type { Calendar, ClockTerms } from '../../src/domain/sla-calendar';

/** The calendar vectors of SPEC §5, shared by the calendar test and the explanation test. */
export const UTC: Calendar = { timeZone: 'UTC', holidayCountry: null };
export const BERLIN: Calendar = { timeZone: 'Europe/Berlin', holidayCountry: 'DE' };
export const ZURICH: Calendar = { timeZone: 'Europe/Zurich', holidayCountry: 'CH' };
export const LONDON: Calendar = { timeZone: 'Europe/London', holidayCountry: 'GB' };
export const LOS_ANGELES: Calendar = { timeZone: 'America/Los_Angeles', holidayCountry: 'US' };
export const LOS_ANGELES_WEEKENDS_ONLY: Calendar = { timeZone: 'America/Los_Angeles', holidayCountry: null };
export const TOKYO: Calendar = { timeZone: 'Asia/Tokyo', holidayCountry: 'JP' };

const calendarClock = (duration: string): ClockTerms => ({ duration, businessDays: false });

export const CALENDAR_VECTORS: { name: string; cal: Calendar; start: string; terms: ClockTerms; due: string }[] = [
  // Months: calendar months in the tenant zone, clamped to the month's last day.
  {
    name: 'GDPR P1M from Jan 31 ends on Feb 28',
    cal: BERLIN,
    start: '2026-01-31T10:00:00+01:00',
    terms: calendarClock('P1M'),
    due: '2026-02-28T09:00:00.000Z',
  },
  {
    name: 'GDPR P1M from Jan 31 of a leap year ends on Feb 29',
    cal: BERLIN,
    start: '2028-01-31T10:00:00+01:00',
    terms: calendarClock('P1M'),
    due: '2028-02-29T09:00:00.000Z',
  },
  {
    name: 'GDPR P1M across the spring DST change keeps 10:00 local',
    cal: BERLIN,
    start: '2026-03-15T10:00:00+01:00',
    terms: calendarClock('P1M'),
    due: '2026-04-15T08:00:00.000Z',
  },
  {
    name: 'UK GDPR P1M from Mar 31 ends on Apr 30 in BST',
    cal: LONDON,
    start: '2026-03-31T17:00:00+01:00',
    terms: calendarClock('P1M'),
    due: '2026-04-30T16:00:00.000Z',
  },
  { name: 'P1M from May 31 in UTC ends on Jun 30', cal: UTC, start: '2026-05-31T12:00:00Z', terms: calendarClock('P1M'), due: '2026-06-30T12:00:00.000Z' },
  // Days: calendar days keeping the local time, so DST does not shift the deadline.
  {
    name: 'Swiss FADP P30D across DST keeps 10:00 local',
    cal: ZURICH,
    start: '2026-03-20T10:00:00+01:00',
    terms: calendarClock('P30D'),
    due: '2026-04-19T08:00:00.000Z',
  },
  { name: 'CCPA P45D in winter', cal: LOS_ANGELES, start: '2026-01-05T09:00:00-08:00', terms: calendarClock('P45D'), due: '2026-02-19T17:00:00.000Z' },
  {
    name: 'CCPA P45D across the spring DST change keeps 09:00 local',
    cal: LOS_ANGELES,
    start: '2026-02-20T09:00:00-08:00',
    terms: calendarClock('P45D'),
    due: '2026-04-06T16:00:00.000Z',
  },
  {
    name: 'CCPA P45D across the autumn DST change keeps 09:00 local',
    cal: LOS_ANGELES,
    start: '2026-10-01T09:00:00-07:00',
    terms: calendarClock('P45D'),
    due: '2026-11-15T17:00:00.000Z',
  },
  { name: 'DPF P60D in UTC', cal: UTC, start: '2026-01-01T00:00:00Z', terms: calendarClock('P60D'), due: '2026-03-02T00:00:00.000Z' },
  { name: 'DPF P90D in Tokyo (no DST)', cal: TOKYO, start: '2026-01-15T18:00:00+09:00', terms: calendarClock('P90D'), due: '2026-04-15T09:00:00.000Z' },
  {
    name: 'COPPA P1D across local midnight in Tokyo',
    cal: TOKYO,
    start: '2026-03-28T23:30:00+09:00',
    terms: calendarClock('P1D'),
    due: '2026-03-29T14:30:00.000Z',
  },
  {
    name: 'P1D across DST keeps 12:00 local (23 elapsed hours)',
    cal: BERLIN,
    start: '2026-03-28T12:00:00+01:00',
    terms: calendarClock('P1D'),
    due: '2026-03-29T10:00:00.000Z',
  },
  {
    name: 'P1D onto a local time skipped by DST moves forward by the gap',
    cal: BERLIN,
    start: '2026-03-28T02:30:00+01:00',
    terms: calendarClock('P1D'),
    due: '2026-03-29T01:30:00.000Z',
  },
  // Hours: exact elapsed time.
  {
    name: 'PT24H across DST is 24 elapsed hours (13:00 local)',
    cal: BERLIN,
    start: '2026-03-28T12:00:00+01:00',
    terms: calendarClock('PT24H'),
    due: '2026-03-29T11:00:00.000Z',
  },
  // Mixed units (P1DT1H) are refused since the SPEC's one-unit rule: see validateDuration below.
  {
    name: 'P2W is 14 calendar days keeping 10:00 local across DST',
    cal: BERLIN,
    start: '2026-03-20T10:00:00+01:00',
    terms: calendarClock('P2W'),
    due: '2026-04-03T08:00:00.000Z',
  },
  {
    name: 'PT72H across the autumn DST change is 72 elapsed hours (09:00 becomes 08:00 local)',
    cal: BERLIN,
    start: '2026-10-23T09:00:00+02:00',
    terms: calendarClock('PT72H'),
    due: '2026-10-26T07:00:00.000Z',
  },
  { name: 'P1Y from Feb 29 ends on Feb 28', cal: UTC, start: '2028-02-29T12:00:00Z', terms: calendarClock('P1Y'), due: '2029-02-28T12:00:00.000Z' },
];

export const BUSINESS_VECTORS: { name: string; cal: Calendar; start: string; duration: string; due: string }[] = [
  // US/LA: Thanksgiving Thu 2026-11-26 is public; the Friday after is only an observance.
  {
    name: 'CCPA P10D across Thanksgiving keeps 10:00 local',
    cal: LOS_ANGELES,
    start: '2026-11-16T10:00:00-08:00',
    duration: 'P10D',
    due: '2026-12-01T18:00:00.000Z',
  },
  {
    name: 'the same clock with weekends only ignores Thanksgiving',
    cal: LOS_ANGELES_WEEKENDS_ONLY,
    start: '2026-11-16T10:00:00-08:00',
    duration: 'P10D',
    due: '2026-11-30T18:00:00.000Z',
  },
  {
    name: 'a Saturday start counts Monday as day 1 and is due when day 10 ends',
    cal: LOS_ANGELES,
    start: '2026-11-21T14:00:00-08:00',
    duration: 'P10D',
    due: '2026-12-08T08:00:00.000Z',
  },
  {
    name: 'a start on Thanksgiving counts Friday as day 1',
    cal: LOS_ANGELES,
    start: '2026-11-26T11:00:00-08:00',
    duration: 'P10D',
    due: '2026-12-11T08:00:00.000Z',
  },
  {
    name: 'CCPA P10D across the autumn DST change keeps 09:00 local',
    cal: LOS_ANGELES,
    start: '2026-10-23T09:00:00-07:00',
    duration: 'P10D',
    due: '2026-11-06T17:00:00.000Z',
  },
  // DE: Dec 24 and 31 are not public holidays nationally (date-holidays: 'bank' from 14:00).
  {
    name: 'P5D across Christmas in DE skips Dec 25 only (Dec 26 is a Saturday)',
    cal: BERLIN,
    start: '2026-12-23T15:00:00+01:00',
    duration: 'P5D',
    due: '2026-12-31T14:00:00.000Z',
  },
  { name: 'P5D across New Year in DE skips Jan 1', cal: BERLIN, start: '2026-12-29T10:00:00+01:00', duration: 'P5D', due: '2027-01-06T09:00:00.000Z' },
  {
    name: 'P5D across the spring DST change in DE keeps 10:00 local',
    cal: BERLIN,
    start: '2026-03-26T10:00:00+01:00',
    duration: 'P5D',
    due: '2026-04-02T08:00:00.000Z',
  },
  { name: 'P5D in GB skips Good Friday and Easter Monday', cal: LONDON, start: '2026-04-02T12:00:00+01:00', duration: 'P5D', due: '2026-04-13T11:00:00.000Z' },
  { name: 'P5D in JP skips Golden Week', cal: TOKYO, start: '2026-04-30T10:00:00+09:00', duration: 'P5D', due: '2026-05-12T01:00:00.000Z' },
  // Midnight starts: N whole days end when the Nth business day ends.
  { name: 'P5D from Monday 00:00 ends when Friday ends', cal: UTC, start: '2026-06-01T00:00:00Z', duration: 'P5D', due: '2026-06-06T00:00:00.000Z' },
  { name: 'P1D from Friday 00:00 ends when Friday ends', cal: UTC, start: '2026-06-05T00:00:00Z', duration: 'P1D', due: '2026-06-06T00:00:00.000Z' },
  { name: 'P1D from Friday 15:00 is Monday 15:00', cal: UTC, start: '2026-06-05T15:00:00Z', duration: 'P1D', due: '2026-06-08T15:00:00.000Z' },
  { name: 'P1D from a Sunday ends when Monday ends', cal: UTC, start: '2026-06-07T15:00:00Z', duration: 'P1D', due: '2026-06-09T00:00:00.000Z' },
];
