/** @module Europe/Rome calendar rules (R-CAL-1, R-CAL-2, R-CAL-3, R-CAL-5): years, bienni, deadlines, local time, months of a period. */
import { DateTime } from 'luxon';

/** The zone every date-based rule is evaluated in (R-CAL-2). */
export const ROME = 'Europe/Rome';

/** An instant as a `Date` or epoch milliseconds; both are UTC by construction (R-CAL-2). */
export type InstantLike = Date | number;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?$/;

/** The instant seen on the Rome calendar. Throws `RangeError` for an invalid `Date` or non-finite number. */
function inRome(instant: InstantLike): DateTime<true> {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`not a valid instant: ${String(instant)}`);
  const dt = DateTime.fromMillis(ms, { zone: ROME });
  if (!dt.isValid) throw new RangeError(`not a valid instant: ${String(instant)} (${dt.invalidReason})`);
  return dt;
}

/**
 * A calendar date `YYYY-MM-DD`. Calendar dates carry no time of day, so their arithmetic runs on
 * a zone without DST (every day 24 h); the calendar is the same as Rome's (R-CAL-2, R-CAL-5).
 */
function calendarDate(date: string, what: string): DateTime<true> {
  if (!ISO_DATE.test(date)) throw new RangeError(`${what} must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const dt = DateTime.fromISO(date, { zone: 'utc' });
  if (!dt.isValid) throw new RangeError(`${what} is not a calendar date: ${date} (${dt.invalidReason})`);
  return dt;
}

/**
 * The training year an instant belongs to: its year on the Rome calendar (R-CAL-1, R-CAL-2).
 * 2026-12-31T23:30Z is already 2027-01-01 00:30 in Rome → 2027.
 *
 * @rule R-CAL-2
 */
export function yearOf(instant: InstantLike): number {
  return inRome(instant).year;
}

/** The Rome calendar date of an instant, `YYYY-MM-DD` (R-CAL-2). */
export function romeDate(instant: InstantLike): string {
  return inRome(instant).toISODate();
}

/**
 * Whether `year` names a biennium: bienni are two calendar years starting on an odd year
 * (2023–24, 2025–26); the double modulo keeps the parity right for any sign.
 *
 * @rule R-CAL-1
 */
export function isBiennium(year: number): boolean {
  return Number.isSafeInteger(year) && ((year % 2) + 2) % 2 === 1;
}

/** Throws `RangeError` unless `biennium` names a biennium by its first (odd) year (R-CAL-1). */
export function assertBiennium(biennium: number): void {
  if (!isBiennium(biennium)) throw new RangeError(`a biennium is named by its first (odd) year, got ${biennium}`);
}

/** The first (odd) year of the biennium a year belongs to: 2025 and 2026 → 2025 (R-CAL-1). */
export function bienniumOf(year: number): number {
  if (!Number.isSafeInteger(year)) throw new RangeError(`year must be an integer, got ${year}`);
  return isBiennium(year) ? year : year - 1;
}

/** First and last day of a biennium: 2025 → 2025-01-01..2026-12-31 (R-CAL-1). Throws for an even year. */
export function bienniumPeriod(biennium: number): { from: string; to: string } {
  assertBiennium(biennium);
  return { from: `${biennium}-01-01`, to: `${biennium + 1}-12-31` };
}

/** The biennium an instant falls in on the Rome calendar (R-CAL-1, R-CAL-2). */
export function currentBiennium(instant: InstantLike): number {
  return bienniumOf(yearOf(instant));
}

/** Midnight (00:00 Rome) starting the Rome day of an instant (R-CAL-2). */
export function startOfRomeDay(instant: InstantLike): Date {
  return inRome(instant).startOf('day').toJSDate();
}

/**
 * Midnight (00:00 Rome) starting the Rome day after the one of an instant, e.g. when a tolerance
 * raise becomes possible "from the day after" the event (R-ATT-2). Calendar arithmetic: the day
 * after is 23 or 25 hours away across a DST change.
 */
export function dayAfter(instant: InstantLike): Date {
  return inRome(instant).startOf('day').plus({ days: 1 }).toJSDate();
}

/**
 * End of "within N days of X" (R-CAL-3): 23:59:59.999 Rome of the N-th calendar day after the
 * Rome day of `sentAt`. Sent 2026-03-05 16:00 Rome, 10 days → 2026-03-15T23:59:59.999+01:00.
 * Counting calendar days (not 24 h blocks) keeps the deadline on the right day across DST.
 *
 * @rule R-CAL-3
 */
export function deadlineAfter(sentAt: InstantLike, days: number): Date {
  if (!Number.isSafeInteger(days) || days < 0) throw new RangeError(`days must be a whole number ≥ 0, got ${days}`);
  return inRome(sentAt).startOf('day').plus({ days }).endOf('day').toJSDate();
}

/**
 * The UTC instant of a Rome wall-clock time `YYYY-MM-DDTHH:mm[:ss[.SSS]]` with no offset (R-CAL-2).
 *
 * DST edges, both decided here rather than left implicit:
 * - spring gap (e.g. 2026-03-29 02:00–02:59 does not exist): luxon reads the time with the offset
 *   in force before the gap, i.e. moves it forward by the gap: 02:30 → 03:30+02:00 = 01:30Z.
 * - autumn fold (e.g. 2026-10-25 02:00–02:59 happens twice): the **first** occurrence, the earlier
 *   instant (02:30+02:00 = 00:30Z). luxon 3.7 itself picks the second one (+01:00), so the
 *   candidates are listed with `getPossibleOffsets()` and the earliest is taken explicitly.
 *
 * Throws `RangeError` for a malformed or impossible local time (offsets are refused: the input is
 * a wall-clock reading, not an instant).
 */
export function romeLocalToUtc(local: string): Date {
  if (!LOCAL_DATE_TIME.test(local)) {
    throw new RangeError(`local time must be YYYY-MM-DDTHH:mm[:ss[.SSS]] without offset, got ${JSON.stringify(local)}`);
  }
  const dt = DateTime.fromISO(local, { zone: ROME });
  if (!dt.isValid) throw new RangeError(`not a local time: ${local} (${dt.invalidReason})`);
  // Fold: two instants show the same wall-clock time; take the first occurrence.
  const earliest = dt.getPossibleOffsets().reduce((a, b) => (b.toMillis() < a.toMillis() ? b : a), dt);
  return earliest.toJSDate();
}

/**
 * Months of an impediment from `from` to `to` inclusive, Rome calendar dates (R-CAL-5):
 * k = the largest number of whole months with A + k months ≤ B + 1 day (month-end clamped:
 * 31 Jan + 1 month = 28/29 Feb, always computed as A + k, never by chaining one month at a time,
 * which would drift: 31 Jan → 28 Feb → 28 Mar); days left = (B + 1 day) − (A + k months);
 * ≥ 15 days left add one month, fewer are dropped.
 *
 * @example monthsOfPeriod('2026-03-01', '2026-05-14') // → 2 (2 months 14 days)
 * @example monthsOfPeriod('2026-03-01', '2026-05-15') // → 3 (2 months 15 days)
 * @rule R-CAL-5
 */
export function monthsOfPeriod(from: string, to: string): number {
  const a = calendarDate(from, 'from');
  const b = calendarDate(to, 'to');
  if (b < a) throw new RangeError(`period ends before it starts: ${from}..${to}`);
  const end = b.plus({ days: 1 }); // R-CAL-5: the period is inclusive of B
  const plusMonths = (k: number) => a.plus({ months: k });
  // Start just below the calendar-month difference (clamping can only lose part of a month),
  // then step up while the next whole month still fits.
  let k = Math.max(0, (end.year - a.year) * 12 + (end.month - a.month) - 1);
  while (plusMonths(k) > end) k--; // defensive: never start past the end
  while (plusMonths(k + 1) <= end) k++;
  const daysLeft = Math.round(end.diff(plusMonths(k), 'days').days);
  return daysLeft >= 15 ? k + 1 : k;
}
