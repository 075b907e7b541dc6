/**
 * @module Local wall-clock text (Teams, Zoom CSV) read on the Europe/Rome calendar (R-CAL-2):
 * the formats, the day/month order of a file, and every instant a reading may mean.
 */
import { DateTime } from 'luxon';
import { ROME } from '../../../src/domain/calendar.ts';
import { ReportFormatError } from './codes.ts';
import { MAX_PLAUSIBLE, MIN_PLAUSIBLE } from './instants.ts';

/** Order of day and month in numeric dates such as `03/10/26`. */
export type DateOrder = 'dmy' | 'mdy';

/** A wall-clock reading; `a`/`b` are the two leading numbers of a numeric date (order unresolved). */
interface WallClock {
  /** `ymd`: year, month, day known. `numeric`: `a`/`b` are day/month in an order still to decide. */
  kind: 'ymd' | 'numeric';
  year: number;
  a: number;
  b: number;
  hour: number;
  minute: number;
  second: number;
  /** A 12-hour clock was used (AM/PM). */
  twelveHour: boolean;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  gen: 1,
  mag: 5,
  giu: 6,
  lug: 7,
  ago: 8,
  set: 9,
  ott: 10,
  dic: 12,
};

const TIME_PART = String.raw`(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*([AaPp])\.?\s*[Mm]\.?)?`;
const NUMERIC_DATE = new RegExp(String.raw`^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2}),?\s+${TIME_PART}$`);
const ISO_LOCAL = new RegExp(String.raw`^(\d{4})-(\d{2})-(\d{2})[T ]${TIME_PART}$`);
const MONTH_NAME_DATE = new RegExp(String.raw`^([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{1,2}),?\s+(\d{4}),?\s+${TIME_PART}$`);

function clockOf(
  h: string,
  mi: string,
  s: string | undefined,
  ap: string | undefined,
): { hour: number; minute: number; second: number; twelveHour: boolean } | null {
  let hour = Number(h);
  const minute = Number(mi);
  const second = Number(s ?? 0);
  if (minute > 59 || second > 59) return null;
  if (ap) {
    if (hour < 1 || hour > 12) return null;
    const pm = ap.toLowerCase() === 'p';
    hour = (hour % 12) + (pm ? 12 : 0);
  } else if (hour > 23) return null;
  return { hour, minute, second, twelveHour: !!ap };
}

/**
 * Parses local date-time text: `15/11/22, 09:30:47` (also `-` and `.` separators, 2- or 4-digit
 * years), `11/15/22, 9:30:47 AM`, `2026-03-10 15:04:05`, `Mar 28, 2020 08:07:27`. No-break
 * spaces (U+00A0, U+202F: newer locale data puts one before AM/PM) count as spaces.
 * Two-digit years are 20yy. Returns null for anything else.
 */
function parseWallClockText(text: string): WallClock | null {
  const t = text
    .replace(/[\u00a0\u202f\u2009]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  let m = NUMERIC_DATE.exec(t);
  if (m) {
    const c = clockOf(m[5]!, m[6]!, m[7], m[8]);
    if (!c) return null;
    const yy = m[4]!;
    return { kind: 'numeric', year: yy.length === 2 ? 2000 + Number(yy) : Number(yy), a: Number(m[1]), b: Number(m[3]), ...c };
  }
  m = ISO_LOCAL.exec(t);
  if (m) {
    const c = clockOf(m[4]!, m[5]!, m[6], m[7]);
    if (!c) return null;
    return { kind: 'ymd', year: Number(m[1]), a: Number(m[2]), b: Number(m[3]), ...c };
  }
  m = MONTH_NAME_DATE.exec(t);
  if (m) {
    const month = MONTHS[m[1]!.toLowerCase()];
    const c = clockOf(m[4]!, m[5]!, m[6], m[7]);
    if (!month || !c) return null;
    return { kind: 'ymd', year: Number(m[3]), a: month, b: Number(m[2]), ...c };
  }
  return null;
}

/**
 * Decides day/month order for a whole file from its own date texts: a first number above 12
 * means day-first, a second number above 12 month-first (both in one file: the file is
 * inconsistent → {@link ReportFormatError} `report-date-order-conflict`). With no such evidence a
 * 12-hour clock means month-first (en-US), otherwise `fallback`. `twelveHourMeansMonthFirst: false`
 * turns the clock rule off: an Italian-locale Zoom export writes `19/09/2025 01:58:39 PM`, day
 * first with a 12-hour clock.
 */
export function detectDateOrder(texts: Iterable<string>, fallback: DateOrder, options: { twelveHourMeansMonthFirst?: boolean } = {}): DateOrder {
  let dmy = false;
  let mdy = false;
  let twelve = false;
  for (const text of texts) {
    const w = parseWallClockText(text);
    if (!w || w.kind !== 'numeric') continue;
    // A date that is impossible in both orders (13/45) is evidence of nothing: its row is rejected.
    if (w.a > 12 && w.a <= 31 && w.b <= 12) dmy = true;
    if (w.b > 12 && w.b <= 31 && w.a <= 12) mdy = true;
    if (w.twelveHour) twelve = true;
  }
  if (dmy && mdy) throw new ReportFormatError('report-date-order-conflict', 'dates in this file are both day-first and month-first');
  if (dmy) return 'dmy';
  if (mdy) return 'mdy';
  return twelve && options.twelveHourMeansMonthFirst !== false ? 'mdy' : fallback;
}

export type LocalRead = { ok: true; candidates: number[] } | { ok: false; code: 'time-unreadable' | 'time-nonexistent' | 'time-implausible' };

/**
 * Reads local wall-clock text on the Europe/Rome calendar (R-CAL-2) with luxon, DST included.
 * Returns every instant showing that wall-clock time, ascending: one normally, two in the autumn
 * fold (e.g. 2026-10-25 02:30 is 00:30Z and 01:30Z). A time inside the spring gap (2026-03-29
 * 02:00–02:59) is `time-nonexistent`: a clock running on Rome time never shows it, so the row
 * cannot be placed without guessing.
 */
export function readRomeLocal(text: string, order: DateOrder): LocalRead {
  const w = parseWallClockText(text);
  if (!w) return { ok: false, code: 'time-unreadable' };
  const [month, day] = w.kind === 'ymd' ? [w.a, w.b] : order === 'dmy' ? [w.b, w.a] : [w.a, w.b];
  const wanted = { year: w.year, month, day, hour: w.hour, minute: w.minute, second: w.second };
  const dt = DateTime.fromObject(wanted, { zone: ROME });
  if (!dt.isValid) return { ok: false, code: 'time-unreadable' };
  if (dt.year !== wanted.year || dt.month !== month || dt.day !== day || dt.hour !== w.hour || dt.minute !== w.minute || dt.second !== w.second) {
    return { ok: false, code: 'time-nonexistent' };
  }
  const candidates = [...new Set(dt.getPossibleOffsets().map((x) => x.toMillis()))].sort((x, y) => x - y);
  if (candidates.length === 0) candidates.push(dt.toMillis());
  if (candidates[0]! < MIN_PLAUSIBLE || candidates[0]! >= MAX_PLAUSIBLE) return { ok: false, code: 'time-implausible' };
  return { ok: true, candidates };
}
