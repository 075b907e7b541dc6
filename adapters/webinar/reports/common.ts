/**
 * @module Shared pieces of the platform-report adapters: the `ReportInterval` they all produce,
 * stable rejection codes, byte decoding, delimited-text parsing (csv-parse), header matching,
 * instants with offset, and local wall-clock text read on the Europe/Rome calendar (R-CAL-2).
 *
 * Pure: no I/O. Never throws on a bad row (rows are rejected with a code); throws
 * {@link ReportFormatError} only when a whole file cannot be recognised.
 */
import { z } from '@hono/zod-openapi';
import { parse as parseCsv } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import { ROME } from '../../../src/domain/calendar.ts';

// ---------------------------------------------------------------------------------------------
// Result types
// ---------------------------------------------------------------------------------------------

/** Which export an interval was read from; also the first part of every record id. */
export type ReportSource = 'teams-csv' | 'teams-graph' | 'zoom-csv' | 'zoom-api' | 'goto-api' | 'webex-api';

/** Facts about how an interval was read, kept for the audit trail (stable codes). */
export type IntervalNote =
  /** An autumn-fold wall-clock time (happens twice) was resolved by the report's own duration. */
  | 'fold-resolved-by-duration'
  /** An autumn-fold time had only one reading with leave ≥ join. */
  | 'fold-resolved-by-order'
  /** An autumn-fold time with no other evidence: the earliest reading (as `romeLocalToUtc`). */
  | 'fold-resolved-earliest'
  /** The row had e-mail text that is not an e-mail address; it was dropped. */
  | 'email-invalid'
  /** GoTo `registrantKey` arrived as a JSON number beyond 2^53 (already rounded): not used. */
  | 'registrant-key-imprecise'
  /** The row had a duration that could not be read; it was ignored. */
  | 'duration-unreadable'
  /** Webex `1970-01-01T00:00:00.000Z` (unknown) join time, read as an unknown boundary. */
  | 'join-unknown-sentinel'
  /** Webex `1970-01-01T00:00:00.000Z` (unknown) leave time, read as an unknown boundary. */
  | 'leave-unknown-sentinel';

/**
 * One presence interval as a report states it: one Teams "In-Meeting activities" row, one Zoom
 * row/participant entry (one connection), one Graph `attendanceInterval`, one GoTo `attendance[]`
 * entry, one Webex `devices[]` entry. `join`/`leave` are UTC instants
 * (`YYYY-MM-DDTHH:mm:ss.sssZ`) or `null` when the report does not know that boundary.
 */
export interface ReportInterval {
  source: ReportSource;
  name?: string;
  /** A syntactically valid e-mail address (as written; matching lower-cases it). */
  email?: string;
  /** Teams `Participant ID (UPN)`: the sign-in identity, may differ from `email`. */
  upn?: string;
  /** A platform user id stable across rejoins (Graph identity.id, Zoom participant_user_id/id, Webex participant id). */
  userId?: string;
  /** Registration id (Zoom registrant_id, GoTo registrantKey, Graph registrationId). */
  registrantId?: string;
  /** The platform's role/section for the row (Organizer, Presenter, Attendee, host, panelist…). */
  role?: string;
  join: string | null;
  leave: string | null;
  /** The duration the report itself states for this interval, in seconds, when it states one. */
  reportedSeconds?: number;
  /** The platform's per-connection id (Zoom in-meeting user_id, Webex correlationId): never an identity. */
  connectionRef?: string;
  /** CSV: 1-based line of the row in the decoded file. JSON: 1-based index of the participant. */
  sourceRow: number;
  /** JSON: where the interval sits, e.g. `participants[3].attendance[1]`. */
  sourcePath?: string;
  notes: IntervalNote[];
}

/** Why a row was not read (stable codes). */
export type RejectCode =
  /** The delimited-text parser could not read the row. */
  | 'row-unparseable'
  /** A JSON element that should be an object is not one. */
  | 'row-not-an-object'
  /** A join/leave value is present but is not a date-time in a known format. */
  | 'time-unreadable'
  /** A local time that does not exist on the Rome calendar (spring-forward gap). */
  | 'time-nonexistent'
  /** A JSON instant without offset where the platform documents offsets. */
  | 'time-without-offset'
  /** An instant before 2000 or after 2199 (Webex's 1970 sentinel excepted). */
  | 'time-implausible'
  /** The leave precedes the join in every reading of the row. */
  | 'leave-before-join';

/** Rows read correctly but deliberately not turned into intervals (stable codes). */
export type SkipCode =
  /** Zoom attendee report row with `Attended` = No (a registrant who never joined). */
  | 'not-attended'
  /** Zoom REST participant with status `in_waiting_room`: never admitted. */
  | 'waiting-room'
  /** Webex participant still in the lobby: never admitted. */
  | 'lobby'
  /** GoTo attendee without any `attendance[]` entry; Zoom CSV row with neither a join nor a leave time. */
  | 'no-attendance';

export interface RowIssue<C extends string> {
  /** Same numbering as `ReportInterval.sourceRow`. */
  row: number;
  path?: string;
  code: C;
  message: string;
}
export type ReportRejection = RowIssue<RejectCode>;
export type ReportSkip = RowIssue<SkipCode>;

export interface ReportResult<M = Record<string, never>> {
  source: ReportSource;
  intervals: ReportInterval[];
  rejected: ReportRejection[];
  skipped: ReportSkip[];
  meta: M;
}

/** Whole-file failure codes (stable). */
export type ReportFormatCode =
  | 'report-empty'
  | 'report-too-large'
  | 'report-not-json'
  | 'report-shape-unrecognised'
  | 'report-blocks-missing'
  | 'report-columns-missing'
  | 'report-date-order-conflict';

/** The file as a whole is not the report the adapter reads. */
export class ReportFormatError extends Error {
  constructor(
    readonly code: ReportFormatCode,
    message: string,
    /**
     * For `report-columns-missing`: the column roles that could not be found (stable names:
     * `join`, `leave`, `name or email`), so a caller can say what the file lacks.
     */
    readonly missing: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ReportFormatError';
  }
}

/**
 * Header cells for an error message: at most 12, each cut to 40 characters, control characters
 * removed, quoted. Column titles are not personal data, but the list is bounded anyway.
 */
export function describeHeaders(cells: readonly string[]): string {
  const shown = cells
    .map((c) => c.replace(/[\u0000-\u001f\u007f]/g, ' ').trim())
    .filter((c) => c.length > 0)
    .slice(0, 12)
    .map((c) => JSON.stringify(Array.from(c).slice(0, 40).join('')));
  return shown.length > 0 ? shown.join(', ') : '(none)';
}

/** Upper bound on rows/intervals read from one report (a 10,000-person webinar with reconnects fits). */
export const MAX_REPORT_ROWS = 200_000;

// ---------------------------------------------------------------------------------------------
// Bytes → text
// ---------------------------------------------------------------------------------------------

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/**
 * Decodes report bytes. A BOM decides (UTF-8, UTF-16LE, UTF-16BE) and is removed. Without a BOM:
 * UTF-16 is assumed when at least a third of the first 512 bytes are zero on one parity (text in
 * Latin script has a zero high byte), otherwise UTF-8; bytes that are not valid UTF-8 are read as
 * Windows-1252 (a spreadsheet re-save). Line endings are normalised to `\n`.
 */
export function decodeReportBytes(input: Uint8Array | string): { text: string; encoding: TextEncodingName } {
  if (typeof input === 'string') {
    return { text: normaliseNewlines(input.replace(/^\uFEFF/, '')), encoding: 'utf-8' };
  }
  const b = input;
  let encoding: TextEncodingName;
  let start = 0;
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) {
    encoding = 'utf-16le';
    start = 2;
  } else if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    encoding = 'utf-16be';
    start = 2;
  } else if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
    encoding = 'utf-8';
    start = 3;
  } else {
    const n = Math.min(b.length, 512);
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i < n; i++) if (b[i] === 0) (i % 2 === 0 ? evenZeros++ : oddZeros++);
    encoding = oddZeros * 3 >= n && n >= 2 ? 'utf-16le' : evenZeros * 3 >= n && n >= 2 ? 'utf-16be' : 'utf-8';
  }
  const body = b.subarray(start);
  let text: string;
  if (encoding === 'utf-8') {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      encoding = 'windows-1252';
      text = new TextDecoder('windows-1252').decode(body);
    }
  } else {
    text = new TextDecoder(encoding).decode(body);
  }
  return { text: normaliseNewlines(text), encoding };
}

function normaliseNewlines(s: string): string {
  return s.replace(/\r\n?/g, '\n');
}

// ---------------------------------------------------------------------------------------------
// Delimited text (csv-parse)
// ---------------------------------------------------------------------------------------------

export interface DelimitedRow {
  /** 1-based line where the row starts in the decoded text. */
  line: number;
  cells: string[];
}

/**
 * Parses delimited text with csv-parse (sync): `relax_column_count` (blocks of different width
 * share one file), `relax_quotes` (a quote inside an unquoted field is text), empty lines dropped.
 * A row the parser cannot read is reported, not thrown. If a quote is never closed (which would
 * swallow the rest of the file into one field), the text is read again without quote handling:
 * the platforms' exports we read do not quote fields that need none.
 */
export function parseDelimited(text: string, delimiter: ',' | '\t'): { rows: DelimitedRow[]; errors: ReportRejection[] } {
  const attempt = (quote: '"' | false) => {
    const errors: ReportRejection[] = [];
    let unclosed = false;
    const out = parseCsv(text, {
      delimiter,
      quote,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      info: true,
      raw: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        if (err?.code === 'CSV_QUOTE_NOT_CLOSED') unclosed = true;
        const line = typeof (err as { lines?: unknown } | undefined)?.lines === 'number' ? (err as unknown as { lines: number }).lines : 0;
        errors.push({ row: line, code: 'row-unparseable', message: err?.message ?? 'row could not be parsed' });
        return undefined;
      },
    }) as unknown as Array<{ record: string[]; raw: string; info: { lines: number } }>;
    return { out, errors, unclosed };
  };
  let r = attempt('"');
  if (r.unclosed) r = attempt(false);
  const rows: DelimitedRow[] = [];
  for (const { record, raw, info } of r.out) {
    // `info.lines` is the line where the record ends; `raw` includes skipped empty lines before it.
    const body = raw.replace(/^\n+/, '').replace(/\n$/, '');
    const newlines = body.split('\n').length - 1;
    rows.push({ line: info.lines - newlines, cells: record });
  }
  if (rows.length > MAX_REPORT_ROWS) throw new ReportFormatError('report-too-large', `more than ${MAX_REPORT_ROWS} rows`);
  return { rows, errors: r.errors };
}

/** Non-empty trimmed cells of a row. */
export function filledCells(cells: readonly string[]): string[] {
  return cells.map((c) => c.trim()).filter((c) => c.length > 0);
}

/**
 * Header text reduced for matching: lower case, accents removed, every run of non-letters and
 * non-digits a single space. `In-Meeting Duration` → `in meeting duration`,
 * `Indirizzo di posta elettronica` → `indirizzo di posta elettronica`, `Attività` → `attivita`.
 */
export function normaliseHeader(h: string): string {
  return h
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

const MAX_ID = 200;
const MAX_NAME = 300;
const EmailSchema = z.email().max(320);

/** Trimmed text without control characters, or undefined when empty or longer than `max`. */
export function cleanText(v: unknown, max = MAX_ID): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) v = String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return t.length > 0 && t.length <= max ? t : undefined;
}

/** A display name: trimmed, control characters removed, cut to 300 code points. */
export function cleanName(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  return t ? Array.from(t).slice(0, MAX_NAME).join('') : undefined;
}

/** `{ email }` when valid, `{ invalid: true }` when there is text that is not an address, `{}` when empty. */
export function readEmail(v: unknown): { email?: string; invalid?: true } {
  const t = cleanText(v, 320);
  if (!t || t === '--') return {};
  return EmailSchema.safeParse(t).success ? { email: t } : { invalid: true };
}

/**
 * Teams duration text `1h 30m 51s`, `10m 59s`, `45s`, `1h 25m 0s` (also `1 h 30 min`), in seconds.
 * Teams localises the units (a Polish export writes `1 godz. 3 min 5 sek.`), so spelled-out and
 * abbreviated units are accepted too: h/hr/ora/ore/godz., m/min/minuti, s/sec/sek./secondi.
 */
export function parseTextDuration(v: string): number | undefined {
  const t = v.trim().toLowerCase();
  if (!t) return undefined;
  const m = /^(?:(\d+)\s*(?:hrs|hr|h|ore|ora|godz\.?))?\s*(?:(\d+)\s*(?:minuti|minuto|mins|min|m)\.?)?\s*(?:(\d+)\s*(?:secondi|secondo|secs|sec|sek|s)\.?)?$/.exec(t);
  if (!m || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Instants with offset (JSON APIs)
// ---------------------------------------------------------------------------------------------

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const MIN_PLAUSIBLE = Date.UTC(2000, 0, 1);
const MAX_PLAUSIBLE = Date.UTC(2200, 0, 1);

export type InstantRead =
  | { ok: true; ms: number }
  | { ok: false; code: 'time-unreadable' | 'time-without-offset' | 'time-implausible' };

/**
 * Reads an ISO 8601 instant. Fractions of any length are truncated to the millisecond (Graph
 * writes 7 digits). A value without offset is `time-without-offset` unless `naive: 'utc'`.
 * Numbers are epoch milliseconds (GoTo webhooks). Instants before 2000 or from 2200 are
 * `time-implausible` (check for sentinels before calling).
 */
export function readInstant(v: string | number, naive: 'utc' | 'reject' = 'reject'): InstantRead {
  const r = typeof v === 'number' ? (Number.isSafeInteger(v) ? ({ ok: true, ms: v } as const) : ({ ok: false, code: 'time-unreadable' } as const)) : parseIsoInstant(v, naive);
  if (!r.ok) return r;
  if (r.ms < MIN_PLAUSIBLE || r.ms >= MAX_PLAUSIBLE) return { ok: false, code: 'time-implausible' };
  return r;
}

/** ISO 8601 text → epoch ms, without the plausibility range of {@link readInstant}. */
export function parseIsoInstant(
  text: string,
  naive: 'utc' | 'reject',
): { ok: true; ms: number } | { ok: false; code: 'time-unreadable' | 'time-without-offset' } {
  const m = ISO_INSTANT.exec(text.trim());
  if (!m) return { ok: false, code: 'time-unreadable' };
  const [, y, mo, d, h, mi, s, frac, off] = m;
  if (!off && naive === 'reject') return { ok: false, code: 'time-without-offset' };
  const msPart = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), msPart);
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCHours() !== Number(h) ||
    check.getUTCMinutes() !== Number(mi) ||
    check.getUTCSeconds() !== Number(s ?? 0)
  ) {
    return { ok: false, code: 'time-unreadable' };
  }
  let offsetMin = 0;
  if (off && off !== 'Z' && off !== 'z') {
    const om = /^([+-])(\d{2}):?(\d{2})?$/.exec(off)!;
    const oh = Number(om[2]);
    const omin = Number(om[3] ?? 0);
    if (oh > 23 || omin > 59) return { ok: false, code: 'time-unreadable' };
    offsetMin = (om[1] === '-' ? -1 : 1) * (oh * 60 + omin);
  }
  return { ok: true, ms: local - offsetMin * 60_000 };
}

export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------
// Local wall-clock text (Teams, Zoom CSV) on the Rome calendar
// ---------------------------------------------------------------------------------------------

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
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  gen: 1, mag: 5, giu: 6, lug: 7, ago: 8, set: 9, ott: 10, dic: 12,
};

const TIME_PART = String.raw`(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*([AaPp])\.?\s*[Mm]\.?)?`;
const NUMERIC_DATE = new RegExp(String.raw`^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2}),?\s+${TIME_PART}$`);
const ISO_LOCAL = new RegExp(String.raw`^(\d{4})-(\d{2})-(\d{2})[T ]${TIME_PART}$`);
const MONTH_NAME_DATE = new RegExp(String.raw`^([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{1,2}),?\s+(\d{4}),?\s+${TIME_PART}$`);

function clockOf(h: string, mi: string, s: string | undefined, ap: string | undefined): { hour: number; minute: number; second: number; twelveHour: boolean } | null {
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
  const t = text.replace(/[\u00a0\u202f\u2009]/g, ' ').replace(/\s+/g, ' ').trim();
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

export type LocalRead =
  | { ok: true; candidates: number[] }
  | { ok: false; code: 'time-unreadable' | 'time-nonexistent' | 'time-implausible' };

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

/** The start/end of one interval after reading both boundaries. */
export type Resolved =
  | { ok: true; join: number | null; leave: number | null; notes: IntervalNote[] }
  | { ok: false; code: 'leave-before-join' };

/**
 * Chooses one instant per boundary when a local time falls in the autumn fold, deterministically:
 * 1. keep only readings with leave ≥ join; none → `leave-before-join`; one → that one;
 * 2. else, when the report states the interval's duration, the one reading whose length is within
 *    `toleranceSeconds` of it;
 * 3. else the earliest join, then the earliest leave not before it (the rule of
 *    `romeLocalToUtc`: the first occurrence).
 * Without any fold this is just the leave ≥ join check.
 */
export function resolveBoundaries(
  join: number[] | null,
  leave: number[] | null,
  reportedSeconds: number | undefined,
  toleranceSeconds: number,
): Resolved {
  const js: Array<number | null> = join ?? [null];
  const ls: Array<number | null> = leave ?? [null];
  const pairs: Array<[number | null, number | null]> = [];
  for (const j of js) for (const l of ls) if (j === null || l === null || l >= j) pairs.push([j, l]);
  if (pairs.length === 0) return { ok: false, code: 'leave-before-join' };
  const ambiguous = js.length > 1 || ls.length > 1;
  if (pairs.length === 1) {
    return { ok: true, join: pairs[0]![0], leave: pairs[0]![1], notes: ambiguous ? ['fold-resolved-by-order'] : [] };
  }
  if (reportedSeconds !== undefined) {
    const fit = pairs.filter(([j, l]) => j !== null && l !== null && Math.abs((l - j) / 1000 - reportedSeconds) <= toleranceSeconds);
    if (fit.length === 1) return { ok: true, join: fit[0]![0], leave: fit[0]![1], notes: ['fold-resolved-by-duration'] };
  }
  const j = js[0]!; // ascending: the earliest
  const l = j === null ? ls[0]! : (ls.find((x) => x !== null && x >= j) ?? null);
  return { ok: true, join: j, leave: l, notes: ['fold-resolved-earliest'] };
}

// ---------------------------------------------------------------------------------------------
// JSON helpers
// ---------------------------------------------------------------------------------------------

/**
 * Parses raw JSON bytes/text (UTF-8, BOM tolerated; `prepare` may rewrite the text first), or
 * passes an already parsed value through.
 */
export function jsonInput(input: unknown, prepare: (text: string) => string = (t) => t): unknown {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return input;
  const text = prepare(decodeReportBytes(input).text.trim());
  if (!text) throw new ReportFormatError('report-empty', 'the report is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ReportFormatError('report-not-json', 'the report is not JSON');
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property (never the prototype chain: `__proto__` keys read nothing). */
export function prop(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

export function arrayProp(o: Record<string, unknown>, key: string): unknown[] | undefined {
  const v = prop(o, key);
  return Array.isArray(v) ? v : undefined;
}

/** Guards the size of a JSON report. */
export function checkRowCount(n: number): void {
  if (n > MAX_REPORT_ROWS) throw new ReportFormatError('report-too-large', `more than ${MAX_REPORT_ROWS} rows`);
}

/** Optional fields set only when defined (keeps results free of `undefined` keys, for deep equality). */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * The join and leave instants of one report entry, or null after recording why the entry is
 * rejected (an unreadable instant, or a leave before its join). A missing side stays null.
 */
export function presenceOf(
  join: { ok: true; ms: number | null } | { ok: false; code: RejectCode },
  leave: { ok: true; ms: number | null } | { ok: false; code: RejectCode },
  at: { row: number; path: string },
  rejected: ReportRejection[],
): { join: number | null; leave: number | null } | null {
  if (!join.ok || !leave.ok) {
    const code = !join.ok ? join.code : (leave as { code: RejectCode }).code;
    rejected.push({ ...at, code, message: REJECT_MESSAGES[code] });
    return null;
  }
  if (join.ms !== null && leave.ms !== null && leave.ms < join.ms) {
    rejected.push({ ...at, code: 'leave-before-join', message: REJECT_MESSAGES['leave-before-join'] });
    return null;
  }
  return { join: join.ms, leave: leave.ms };
}

/**
 * Reads a JSON instant field that may be absent/null/empty (→ null). Returns the rejection code
 * for a present but unusable value.
 */
export function readJsonInstant(
  v: unknown,
  naive: 'utc' | 'reject',
): { ok: true; ms: number | null } | { ok: false; code: RejectCode } {
  if (v === undefined || v === null || v === '') return { ok: true, ms: null };
  if (typeof v !== 'string' && typeof v !== 'number') return { ok: false, code: 'time-unreadable' };
  const r = readInstant(v, naive);
  return r.ok ? { ok: true, ms: r.ms } : { ok: false, code: r.code };
}

export const REJECT_MESSAGES: Record<RejectCode, string> = {
  'row-unparseable': 'the row could not be parsed',
  'row-not-an-object': 'the entry is not a JSON object',
  'time-unreadable': 'a join/leave value is not a date-time in a known format',
  'time-nonexistent': 'a local time that does not exist in Europe/Rome (spring-forward gap)',
  'time-without-offset': 'an instant without offset (the platform documents UTC instants with offset)',
  'time-implausible': 'an instant before 2000 or after 2199',
  'leave-before-join': 'the leave time is before the join time',
};
