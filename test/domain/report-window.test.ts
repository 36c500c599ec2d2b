import { parseWindowEnd, resolveWindow, WindowEnd } from '../../src/domain/report-window';

/** SPEC §8: `from`/`to` of the CSV export, a date (whole days in the tenant's zone) or an instant. */
describe('parseWindowEnd', () => {
  test.each([
    ['2026-11-30', { kind: 'date', date: '2026-11-30' }],
    ['2026-11-30T23:30:00Z', { kind: 'instant', instant: new Date('2026-11-30T23:30:00Z') }],
    ['2026-11-30T23:30:00.5+01:00', { kind: 'instant', instant: new Date('2026-11-30T22:30:00.500Z') }],
    ['2026-11-30T23:30Z', { kind: 'instant', instant: new Date('2026-11-30T23:30:00Z') }],
  ])('reads %s', (value, expected) => {
    expect(parseWindowEnd(value)).toEqual(expected);
  });

  test.each(['last tuesday', '30.11.2026', '2026-11-31', '2026-02-29', '2026-11-30T23:30:00', '2026-11-30 23:30:00Z', '+275760-09-13', '1899-12-31', ''])(
    'refuses %j',
    (value) => {
      expect(parseWindowEnd(value)).toBeNull();
    },
  );

  test('refuses what is not a single string (a repeated query parameter)', () => {
    expect(parseWindowEnd(['2026-11-30', '2026-12-01'])).toBeNull();
    expect(parseWindowEnd(undefined)).toBeNull();
  });
});

describe('resolveWindow', () => {
  const date = (d: string): WindowEnd => ({ kind: 'date', date: d });
  const iso = (w: { from: Date; to: Date }) => [w.from.toISOString(), w.to.toISOString()];

  test.each([
    ['Europe/Berlin', '2026-11-30', '2026-11-30', ['2026-11-29T23:00:00.000Z', '2026-11-30T22:59:59.999Z']],
    // 29 March 2026: Berlin springs forward, a day of 23 hours.
    ['Europe/Berlin', '2026-03-29', '2026-03-29', ['2026-03-28T23:00:00.000Z', '2026-03-29T21:59:59.999Z']],
    // 25 October 2026: falls back, a day of 25 hours.
    ['Europe/Berlin', '2026-10-25', '2026-10-25', ['2026-10-24T22:00:00.000Z', '2026-10-25T22:59:59.999Z']],
    ['America/Los_Angeles', '2026-11-01', '2026-11-30', ['2026-11-01T07:00:00.000Z', '2026-12-01T07:59:59.999Z']],
    ['UTC', '2026-12-01', '2026-12-01', ['2026-12-01T00:00:00.000Z', '2026-12-01T23:59:59.999Z']],
  ])('in %s, %s..%s covers both whole local days', (zone, from, to, expected) => {
    expect(iso(resolveWindow(date(from), date(to), zone))).toEqual(expected);
  });

  test('an instant stays that instant whatever the zone', () => {
    const instant: WindowEnd = { kind: 'instant', instant: new Date('2026-11-30T12:00:00Z') };
    expect(iso(resolveWindow(instant, instant, 'Pacific/Kiritimati'))).toEqual(['2026-11-30T12:00:00.000Z', '2026-11-30T12:00:00.000Z']);
  });
});
