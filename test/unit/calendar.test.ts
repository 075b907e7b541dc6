/** @module Unit tests of the Europe/Rome calendar rules (R-CAL-1/2/3/5), DST and year edges included. */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ROME, bienniumOf, dayAfter, deadlineAfter, monthsOfPeriod, romeDate, romeLocalToUtc, startOfRomeDay, yearOf } from '../../src/domain/calendar.ts';

const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();
const HOUR = 3_600_000;

/** Instants from 2000 to 2100, as epoch ms. */
const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });

/** Calendar date arithmetic without any zone, as an independent oracle. */
function addCalendarDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

describe('ROME', () => {
  it('is the Europe/Rome zone (R-CAL-2)', () => {
    expect(ROME).toBe('Europe/Rome');
  });
});

describe('yearOf (R-CAL-1, R-CAL-2)', () => {
  it('uses the Rome calendar at the year boundary (CET, UTC+1)', () => {
    expect(yearOf(at('2026-12-31T22:30:00Z'))).toBe(2026); // 23:30 Rome
    expect(yearOf(at('2026-12-31T22:59:59.999Z'))).toBe(2026); // 23:59:59.999 Rome
    expect(yearOf(at('2026-12-31T23:00:00Z'))).toBe(2027); // 00:00 Rome
    expect(yearOf(at('2026-12-31T23:30:00Z'))).toBe(2027); // still 31 Dec in UTC
  });

  it('accepts epoch milliseconds', () => {
    expect(yearOf(Date.parse('2026-12-31T23:30:00Z'))).toBe(2027);
  });

  it('puts a webinar of 31 Dec 23:30–00:30 Rome in the year of its start', () => {
    const start = romeLocalToUtc('2026-12-31T23:30');
    const end = romeLocalToUtc('2027-01-01T00:30');
    expect(iso(start)).toBe('2026-12-31T22:30:00.000Z');
    expect(yearOf(start)).toBe(2026);
    expect(yearOf(end)).toBe(2027);
  });

  it('refuses an invalid Date or a non-finite number', () => {
    expect(() => yearOf(new Date('nope'))).toThrow(RangeError);
    expect(() => yearOf(Number.NaN)).toThrow(RangeError);
    expect(() => yearOf(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('romeDate (R-CAL-2)', () => {
  it('gives the Rome calendar date, in winter and summer time', () => {
    expect(romeDate(at('2026-01-15T23:30:00Z'))).toBe('2026-01-16'); // 00:30 CET
    expect(romeDate(at('2026-07-15T21:59:59Z'))).toBe('2026-07-15'); // 23:59:59 CEST
    expect(romeDate(at('2026-07-15T22:00:00Z'))).toBe('2026-07-16'); // 00:00 CEST
  });

  it('agrees with yearOf for any instant (property)', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        expect(Number(romeDate(ms).slice(0, 4))).toBe(yearOf(ms));
      }),
    );
  });
});

describe('bienniumOf (R-CAL-1)', () => {
  it('names a biennium by its first, odd year', () => {
    expect(bienniumOf(2023)).toBe(2023);
    expect(bienniumOf(2024)).toBe(2023);
    expect(bienniumOf(2025)).toBe(2025);
    expect(bienniumOf(2026)).toBe(2025);
    expect(bienniumOf(2027)).toBe(2027);
  });

  it('refuses a non-integer year', () => {
    expect(() => bienniumOf(2025.5)).toThrow(RangeError);
  });
});

describe('startOfRomeDay / dayAfter (R-CAL-2)', () => {
  it('finds Rome midnight on the DST days', () => {
    expect(iso(startOfRomeDay(at('2026-03-29T12:00:00Z')))).toBe('2026-03-28T23:00:00.000Z'); // CET midnight
    expect(iso(startOfRomeDay(at('2026-10-25T12:00:00Z')))).toBe('2026-10-24T22:00:00.000Z'); // CEST midnight
  });

  it('steps calendar days, 23 hours in spring and 25 in autumn', () => {
    const spring = at('2026-03-29T10:00:00Z');
    expect(iso(dayAfter(spring))).toBe('2026-03-29T22:00:00.000Z');
    expect(dayAfter(spring).getTime() - startOfRomeDay(spring).getTime()).toBe(23 * HOUR);
    const autumn = at('2026-10-25T10:00:00Z');
    expect(iso(dayAfter(autumn))).toBe('2026-10-25T23:00:00.000Z');
    expect(dayAfter(autumn).getTime() - startOfRomeDay(autumn).getTime()).toBe(25 * HOUR);
  });

  it('uses the Rome day, not the UTC day', () => {
    // 2026-12-31T23:30Z is 1 Jan 00:30 in Rome: the day after is 2 Jan.
    expect(iso(dayAfter(at('2026-12-31T23:30:00Z')))).toBe('2027-01-01T23:00:00.000Z');
  });
});

describe('deadlineAfter (R-CAL-3)', () => {
  it('reproduces the rule example: sent 2026-03-05 16:00 Rome, 10 days → 15 March 23:59:59.999 Rome', () => {
    expect(iso(deadlineAfter(romeLocalToUtc('2026-03-05T16:00'), 10))).toBe('2026-03-15T22:59:59.999Z');
  });

  it('ends at Rome midnight after the spring DST change (deadline in CEST)', () => {
    // Sent in CET, deadline after 29 March: 23:59:59.999+02:00.
    expect(iso(deadlineAfter(at('2026-03-25T09:00:00Z'), 10))).toBe('2026-04-04T21:59:59.999Z');
  });

  it('ends at Rome midnight after the autumn DST change (deadline in CET)', () => {
    expect(iso(deadlineAfter(at('2026-10-20T10:00:00Z'), 10))).toBe('2026-10-30T22:59:59.999Z');
  });

  it('ends on the DST day itself at its own Rome midnight', () => {
    expect(iso(deadlineAfter(at('2026-03-19T12:00:00Z'), 10))).toBe('2026-03-29T21:59:59.999Z');
    expect(iso(deadlineAfter(at('2026-10-15T12:00:00Z'), 10))).toBe('2026-10-25T22:59:59.999Z');
  });

  it('counts from the Rome day of sending, across the year boundary', () => {
    // 2026-12-28T23:30Z is 29 Dec 00:30 Rome → 8 Jan.
    expect(iso(deadlineAfter(at('2026-12-28T23:30:00Z'), 10))).toBe('2027-01-08T22:59:59.999Z');
    expect(iso(deadlineAfter(at('2026-12-28T22:30:00Z'), 10))).toBe('2027-01-07T22:59:59.999Z');
  });

  it('with 0 days ends the same Rome day', () => {
    expect(iso(deadlineAfter(at('2026-03-05T15:00:00Z'), 0))).toBe('2026-03-05T22:59:59.999Z');
  });

  it('refuses negative or fractional days', () => {
    expect(() => deadlineAfter(at('2026-03-05T15:00:00Z'), -1)).toThrow(RangeError);
    expect(() => deadlineAfter(at('2026-03-05T15:00:00Z'), 1.5)).toThrow(RangeError);
  });

  it('always ends at the last millisecond of the N-th Rome day after (property)', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 400 }), (ms, days) => {
        const deadline = deadlineAfter(ms, days);
        expect(romeDate(deadline)).toBe(addCalendarDays(romeDate(ms), days));
        const next = deadline.getTime() + 1;
        expect(romeDate(next)).toBe(addCalendarDays(romeDate(ms), days + 1));
        expect(startOfRomeDay(next).getTime()).toBe(next);
      }),
    );
  });
});

describe('romeLocalToUtc (R-CAL-2)', () => {
  it('applies CET and CEST', () => {
    expect(iso(romeLocalToUtc('2026-01-10T09:00'))).toBe('2026-01-10T08:00:00.000Z');
    expect(iso(romeLocalToUtc('2026-07-10T09:00:00'))).toBe('2026-07-10T07:00:00.000Z');
    expect(iso(romeLocalToUtc('2026-07-10T09:00:00.250'))).toBe('2026-07-10T07:00:00.250Z');
  });

  it('handles the days of the DST changes outside the transition hour', () => {
    expect(iso(romeLocalToUtc('2026-03-29T01:59'))).toBe('2026-03-29T00:59:00.000Z');
    expect(iso(romeLocalToUtc('2026-03-29T15:00'))).toBe('2026-03-29T13:00:00.000Z');
    expect(iso(romeLocalToUtc('2026-10-25T01:59'))).toBe('2026-10-24T23:59:00.000Z');
    expect(iso(romeLocalToUtc('2026-10-25T03:00'))).toBe('2026-10-25T02:00:00.000Z');
    expect(iso(romeLocalToUtc('2026-10-25T09:00'))).toBe('2026-10-25T08:00:00.000Z');
  });

  it('moves a time in the spring gap (2026-03-29 02:00–02:59) forward by the gap, as luxon does', () => {
    expect(iso(romeLocalToUtc('2026-03-29T02:00'))).toBe('2026-03-29T01:00:00.000Z'); // = 03:00+02:00
    expect(iso(romeLocalToUtc('2026-03-29T02:30'))).toBe('2026-03-29T01:30:00.000Z'); // = 03:30+02:00
    expect(iso(romeLocalToUtc('2026-03-29T03:00'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(romeLocalToUtc('2026-03-29T02:30'))).toBe(iso(romeLocalToUtc('2026-03-29T03:30')));
  });

  it('takes the first occurrence of a time in the autumn fold (2026-10-25 02:00–02:59)', () => {
    expect(iso(romeLocalToUtc('2026-10-25T02:00'))).toBe('2026-10-25T00:00:00.000Z'); // 02:00+02:00
    expect(iso(romeLocalToUtc('2026-10-25T02:30'))).toBe('2026-10-25T00:30:00.000Z'); // 02:30+02:00
    expect(iso(romeLocalToUtc('2026-10-25T02:59:59.999'))).toBe('2026-10-25T00:59:59.999Z');
  });

  it('needs the explicit fold choice: luxon alone picks the second occurrence', () => {
    // Guards the reason for getPossibleOffsets() in romeLocalToUtc; if luxon changes, this says so.
    expect(DateTime.fromISO('2026-10-25T02:30', { zone: ROME }).toUTC().toISO()).toBe('2026-10-25T01:30:00.000Z');
  });

  it('round-trips every instant that is not in the second half of a fold (property)', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        const local = DateTime.fromMillis(ms, { zone: ROME });
        const back = romeLocalToUtc(local.toFormat("yyyy-LL-dd'T'HH:mm:ss.SSS")).getTime();
        // In a fold the first occurrence wins: the same wall time one hour earlier.
        expect([ms, ms - HOUR]).toContain(back);
        if (back !== ms) expect(local.getPossibleOffsets()).toHaveLength(2);
      }),
    );
  });

  it('refuses offsets, dates without time, impossible dates and other formats', () => {
    for (const bad of [
      '2026-10-25T02:30:00+01:00',
      '2026-10-25T02:30:00Z',
      '2026-10-25',
      '2026-10-25 02:30',
      '2026-02-30T10:00',
      '2026-10-25T24:30',
      '2026-W10-1T10:00',
      '',
    ]) {
      expect(() => romeLocalToUtc(bad), bad).toThrow(RangeError);
    }
  });
});

describe('monthsOfPeriod (R-CAL-5)', () => {
  it('reproduces the rule examples: 2 months 14 days → 2, 2 months 15 days → 3', () => {
    expect(monthsOfPeriod('2026-03-01', '2026-05-14')).toBe(2);
    expect(monthsOfPeriod('2026-03-01', '2026-05-15')).toBe(3);
  });

  it('clamps the month end: 31 Jan + 1 month = 28 Feb (29 in a leap year)', () => {
    expect(monthsOfPeriod('2026-01-31', '2026-02-27')).toBe(1); // B + 1 = 28 Feb = A + 1 month, 0 days left
    expect(monthsOfPeriod('2028-01-31', '2028-02-28')).toBe(1); // B + 1 = 29 Feb = A + 1 month
    expect(monthsOfPeriod('2028-01-31', '2028-02-27')).toBe(1); // 0 months 28 days
    expect(monthsOfPeriod('2026-01-31', '2026-03-30')).toBe(2); // A + 2 months = 31 Mar = B + 1
  });

  it('computes A + k months from A each time, never chaining month steps', () => {
    // From 31 Jan to 11 Apr: A + 2 = 31 Mar, 12 days left → 2. Chaining (31 Jan → 28 Feb → 28 Mar)
    // would leave 15 days and give 3.
    expect(monthsOfPeriod('2026-01-31', '2026-04-11')).toBe(2);
  });

  it('counts short periods by their days alone', () => {
    expect(monthsOfPeriod('2026-03-01', '2026-03-01')).toBe(0); // 1 day
    expect(monthsOfPeriod('2026-03-01', '2026-03-14')).toBe(0); // 14 days
    expect(monthsOfPeriod('2026-03-01', '2026-03-15')).toBe(1); // 15 days
  });

  it('counts whole years and bienni', () => {
    expect(monthsOfPeriod('2026-01-01', '2026-12-31')).toBe(12);
    expect(monthsOfPeriod('2025-01-01', '2026-12-31')).toBe(24);
    expect(monthsOfPeriod('2025-04-01', '2026-12-31')).toBe(21); // R-OBL-3 example: from April 2025
  });

  it('crosses the year boundary and DST changes as plain calendar days', () => {
    expect(monthsOfPeriod('2025-11-20', '2026-01-03')).toBe(2); // 1 month 15 days
    expect(monthsOfPeriod('2025-11-20', '2026-01-02')).toBe(1); // 1 month 14 days
    expect(monthsOfPeriod('2026-03-15', '2026-04-14')).toBe(1); // spans 29 March
    expect(monthsOfPeriod('2026-10-15', '2026-11-14')).toBe(1); // spans 25 October
  });

  it('refuses reversed periods and malformed or impossible dates', () => {
    expect(() => monthsOfPeriod('2026-05-02', '2026-05-01')).toThrow(RangeError);
    expect(() => monthsOfPeriod('2026-02-30', '2026-05-01')).toThrow(RangeError);
    expect(() => monthsOfPeriod('2026/03/01', '2026-05-01')).toThrow(RangeError);
    expect(() => monthsOfPeriod('2026-03-01', '2026-05-01T00:00')).toThrow(RangeError);
  });

  it('gives n for n whole calendar months from the 1st (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2090 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 60 }), (y, m, n) => {
        const from = new Date(Date.UTC(y, m - 1, 1)).toISOString().slice(0, 10);
        const to = new Date(Date.UTC(y, m - 1 + n, 0)).toISOString().slice(0, 10); // last day of month m + n − 1
        expect(monthsOfPeriod(from, to)).toBe(n);
      }),
    );
  });

  it('never decreases as the period gets longer (property)', () => {
    const day = fc.integer({ min: 0, max: 3650 });
    fc.assert(
      fc.property(day, day, fc.integer({ min: 0, max: 400 }), (start, len, extra) => {
        const from = addCalendarDays('2020-01-01', start);
        const to1 = addCalendarDays(from, len);
        const to2 = addCalendarDays(to1, extra);
        expect(monthsOfPeriod(from, to1)).toBeLessThanOrEqual(monthsOfPeriod(from, to2));
      }),
    );
  });
});
