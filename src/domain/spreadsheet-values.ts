/**
 * @module What a cell of an uploaded spreadsheet (xlsx or CSV) holds once read, and how its
 * dates and times are read: Excel serial numbers, `Date` cells and text, all as wall-clock
 * readings with no time zone, to be placed on the Europe/Rome calendar by the caller (R-CAL-2).
 * Pure.
 */

/** A cell as the readers hand it over: never an object of the file's making, never a formula. */
export type CellValue = string | number | Date | null;

/** One row of a sheet: its 1-based row number in the file and its cells (index 0 = column A). */
export interface SheetRow {
  row: number;
  cells: readonly CellValue[];
}

/** A reading of a wall clock: a calendar date and/or a time of day, no zone. */
export interface WallClock {
  /** `YYYY-MM-DD`, or null when the value carries a time of day only. */
  date: string | null;
  /** `HH:mm:ss`, or null when the value is a date only. */
  time: string | null;
}

/** Serial 0 of the 1900 date system is 1899-12-30 (serials from 61 on; Excel's fake 1900-02-29 is 60). */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
/** The 1904 date system (old Mac workbooks, `workbookPr date1904`) counts from 1904-01-01. */
const EPOCH_1904 = Date.UTC(1904, 0, 1);

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function partsOfUtc(ms: number, withDate: boolean, withTime: boolean): WallClock {
  const d = new Date(ms);
  return {
    date: withDate ? `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` : null,
    time: withTime ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` : null,
  };
}

/**
 * An Excel serial number as a wall clock: the integer part counts days, the fraction is the time
 * of day, rounded to the second (`0.5416666666` is 13:00:00, not 12:59:59.999). A serial below 1
 * is a time of day only (what Excel stores for a cell formatted `hh:mm`); a whole serial ≥ 1 is
 * a date at 00:00. Returns null for a negative, non-finite or absurd (after 9999) serial.
 *
 * @example excelSerialWallClock(46204.5625) // → { date: '2026-07-01', time: '13:30:00' }
 * @example excelSerialWallClock(0.375) // → { date: null, time: '09:00:00' }
 */
export function excelSerialWallClock(serial: number, date1904 = false): WallClock | null {
  if (!Number.isFinite(serial) || serial < 0 || serial > 2_958_465) return null;
  const seconds = Math.round(serial * 86_400);
  if (serial < 1) return partsOfUtc(EPOCH_1900 + seconds * 1000, false, true);
  return partsOfUtc((date1904 ? EPOCH_1904 : EPOCH_1900) + seconds * 1000, true, true);
}

/**
 * A `Date` cell as a wall clock. Spreadsheet libraries (exceljs included) turn a serial into the
 * `Date` whose UTC fields show the wall clock, so the UTC fields are read, never the server's
 * zone. A date before 1900 (Excel's day 0 is 1899-12-30) is a time of day only. Rounded to the second.
 */
export function dateCellWallClock(d: Date): WallClock | null {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) return null;
  const timeOnly = ms < Date.UTC(1900, 0, 1);
  return partsOfUtc(Math.round(ms / 1000) * 1000, !timeOnly, true);
}

/**
 * A calendar date given as `YYYY-MM-DD`, `dd/mm/yyyy` (also `-` or `.` separated, two-digit
 * years read as 20yy), or the date part of a date-time text: `YYYY-MM-DD`, else null.
 */
export function textDate(s: string): string | null {
  let y: number, m: number, d: number;
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(s);
  if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?!\d)/.exec(s))) {
    [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (match[3]!.length === 2) y += 2000;
  } else return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

const TIME = /^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$/;

/** A time of day `h:mm`, `hh:mm:ss` (also `.` separated, as Italians often type it): `HH:mm:ss`, else null. */
export function textTime(s: string): string | null {
  const m = TIME.exec(s);
  if (!m) return null;
  const [h, min, sec] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || min > 59 || sec > 59) return null;
  return `${pad(h)}:${pad(min)}:${pad(sec)}`;
}

/**
 * A wall-clock reading written as text: a time of day (`14:05`), a date (`01/07/2026`), or both
 * (`01/07/2026 14:05`, `01/07/26, 14:05:30`, `2026-07-01 14:05`, `2026-07-01T14:05:00`). Text
 * with a UTC offset is not a wall clock: see `textInstant`.
 */
export function textWallClock(s: string): WallClock | null {
  const t = s.trim();
  const time = textTime(t);
  if (time) return { date: null, time };
  const date = textDate(t);
  if (!date) return null;
  const rest = t.replace(/^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2}))/, '');
  if (rest.trim() === '') return { date, time: null };
  const m = /^(?:,?\s+|T)(\S+)$/.exec(rest);
  const tt = m ? textTime(m[1]!) : null;
  return tt ? { date, time: tt } : null;
}

/** An ISO 8601 date-time with `Z` or an offset (an exact instant, no calendar needed), as epoch ms; else null. */
export function textInstant(s: string): number | null {
  const t = s.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/.test(t)) return null;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}

/** Any cell as a wall clock: serial number, `Date` or text. */
export function cellWallClock(v: CellValue, date1904 = false): WallClock | null {
  if (v === null) return null;
  if (typeof v === 'number') return excelSerialWallClock(v, date1904);
  if (v instanceof Date) return dateCellWallClock(v);
  return textWallClock(v);
}

/** The text of a cell, trimmed: numbers as JS writes them, `Date`s as ISO; empty for null. */
export function cellText(v: CellValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return String(v);
  return Number.isFinite(v.getTime()) ? v.toISOString() : '';
}

/**
 * Characters that make a spreadsheet run the rest of the cell as a formula (R-TPL-4; OWASP
 * "CSV injection"): `=`, `+`, `-`, `@`, tab, carriage return.
 */
export const FORMULA_TRIGGERS: readonly string[] = ['=', '+', '-', '@', '\t', '\r'];

/**
 * True when text would start a formula if a spreadsheet opened it: it begins (before or after
 * leading blanks) with a trigger character. A lone sign (`-` for "none") and signed numbers
 * (`+39 02…`, `-5`) are not formulas.
 */
export function looksLikeFormula(s: string): boolean {
  if (s.length === 0) return false;
  if (s[0] === '\t' || s[0] === '\r') return true;
  const t = s.trim();
  if (t.length < 2 || !FORMULA_TRIGGERS.includes(t[0]!)) return false;
  return !/^[+-][\d\s.,()/]*$/.test(t);
}
