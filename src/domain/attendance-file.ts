/**
 * @module Checking a filled attendance file for the national platform (R-TPL-3): which row is
 * which column, then every row: codice fiscale check letter, entry and exit read on the
 * Europe/Rome calendar (R-CAL-2) inside the event's day, exit after entry, known member,
 * registered to the event, no row twice. Pure: the caller reads the file and looks members up.
 *
 * Two steps, so that the caller can look up only the members the file names:
 * `parseAttendanceSheet` (the file and the event alone), then `matchAttendanceRows` (members).
 * `checkAttendanceFile` runs both.
 *
 * Columns are found by their Italian headers (case, accents, spaces and punctuation ignored):
 * Data evento, Cognome e nome (or Cognome + Nome), Codice fiscale, Numero di iscrizione, Ordine
 * provinciale, Ora di ingresso, Ora di uscita, and a few usual variants. Codice fiscale, entry
 * and exit are required; names, register number and province are for people and are not
 * checked against the register (the register is the source of names). The header is the first
 * row, among the first 10 holding values, that names the codice fiscale and an entry or exit
 * column; rows above it (a title) are ignored.
 *
 * Entry and exit cells may hold a time of day (Excel serial below 1, a time-only `Date`, or text
 * `hh:mm[:ss]`/`hh.mm`), taken on the row's `Data evento` (the event's first day when the column
 * is absent or empty), or a date and time (serial, `Date`, `dd/mm/yyyy hh:mm`, ISO text; ISO
 * text with an offset is an exact instant). Times of day with the exit earlier than the entry,
 * on an event that runs past midnight, put the exit on the next day.
 *
 * Rows with neither entry nor exit are not presences (the blank template lists every registered
 * member): they are counted as `empty`, not rejected.
 *
 * Row codes (first failing check wins, in this order): `malformed-row`, `formula-like-text`,
 * `missing-field`, `invalid-codice-fiscale`, `invalid-date`, `invalid-time`, `outside-event-day`,
 * `exit-before-entry`, `instant-in-future`, `unknown-member`, `not-registered`, `duplicate-row`.
 * Messages never quote the cell (personal data).
 */
import { dayAfter, romeDate, romeLocalToUtc, startOfRomeDay } from './calendar.ts';
import { validateCodiceFiscale } from './codice-fiscale.ts';
import { cellText, cellWallClock, looksLikeFormula, textDate, textInstant, type CellValue, type SheetRow, type WallClock } from './spreadsheet-values.ts';

export type { CellValue, SheetRow };

export type AttendanceField = 'eventDate' | 'fullName' | 'surname' | 'givenName' | 'codiceFiscale' | 'registerNumber' | 'province' | 'entry' | 'exit';

/**
 * Header texts of each field, normalised by `normaliseHeader`. The first of each list is the
 * national template's own header.
 */
export const ATTENDANCE_HEADERS: Readonly<Record<AttendanceField, readonly string[]>> = {
  eventDate: ['data evento', 'data dell evento', 'data', 'data corso', 'data del corso', 'giorno', 'event date', 'date'],
  fullName: ['cognome e nome', 'nome e cognome', 'cognome nome', 'nominativo', 'partecipante', 'full name'],
  surname: ['cognome', 'surname', 'last name'],
  givenName: ['nome', 'given name', 'first name'],
  codiceFiscale: ['codice fiscale', 'cf', 'c f', 'codicefiscale', 'cod fiscale', 'fiscal code', 'tax code'],
  registerNumber: [
    'numero di iscrizione',
    'numero iscrizione',
    'n iscrizione',
    'n di iscrizione',
    'nr iscrizione',
    'num iscrizione',
    'numero albo',
    'n albo',
    'numero di iscrizione all albo',
    'iscrizione albo',
    'matricola',
    'register number',
  ],
  province: ['ordine provinciale', 'ordine', 'ordine di appartenenza', 'ordine provinciale di appartenenza', 'provincia', 'albo', 'province'],
  entry: [
    'ora di ingresso',
    'ora ingresso',
    'ora d ingresso',
    'orario d ingresso',
    'orario di ingresso',
    'orario ingresso',
    'ingresso',
    'ora di entrata',
    'ora entrata',
    'entrata',
    'entry',
    'entry time',
    'join time',
  ],
  exit: ['ora di uscita', 'ora uscita', 'orario di uscita', 'orario uscita', 'uscita', 'exit', 'exit time', 'leave time'],
};

/** The template's header of each field, for messages. */
const LABEL: Readonly<Record<AttendanceField, string>> = {
  eventDate: 'Data evento',
  fullName: 'Cognome e nome',
  surname: 'Cognome',
  givenName: 'Nome',
  codiceFiscale: 'Codice fiscale',
  registerNumber: 'Numero di iscrizione',
  province: 'Ordine provinciale',
  entry: 'Ora di ingresso',
  exit: 'Ora di uscita',
};

const REQUIRED: readonly AttendanceField[] = ['codiceFiscale', 'entry', 'exit'];
/** Text columns for people: checked only for formula-like text (R-TPL-4). */
const TEXT_FIELDS: readonly AttendanceField[] = ['fullName', 'surname', 'givenName', 'registerNumber', 'province'];
const HEADER_SCAN_ROWS = 10;

/** Lower case, no accents, punctuation as spaces: `N° Iscrizione` → `n iscrizione`, `Città` → `citta`. */
export function normaliseHeader(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const FIELD_OF = new Map<string, AttendanceField>();
for (const [field, names] of Object.entries(ATTENDANCE_HEADERS) as Array<[AttendanceField, readonly string[]]>) {
  for (const n of names) FIELD_OF.set(n, field);
}

/** The field a header cell names, if any. */
export function headerField(cell: CellValue): AttendanceField | null {
  return typeof cell === 'string' ? (FIELD_OF.get(normaliseHeader(cell)) ?? null) : null;
}

export type FileProblem =
  | { ok: false; code: 'missing-columns'; message: string; missing: string[] }
  | { ok: false; code: 'duplicate-columns'; message: string; duplicated: string[] };

export interface HeaderMap {
  ok: true;
  /** Row number of the header in the file. */
  row: number;
  /** Position of the header among the rows given. */
  index: number;
  columns: ReadonlyMap<AttendanceField, number>;
}

/** Finds the header row and maps each field to its column (0-based); a required column missing or a field named twice refuses the file. */
export function findHeader(rows: readonly SheetRow[]): HeaderMap | FileProblem {
  const scan = rows.slice(0, HEADER_SCAN_ROWS);
  for (let i = 0; i < scan.length; i++) {
    const columns = new Map<AttendanceField, number>();
    const duplicated: string[] = [];
    scan[i]!.cells.forEach((cell, col) => {
      const f = headerField(cell);
      if (!f) return;
      if (columns.has(f)) duplicated.push(LABEL[f]);
      else columns.set(f, col);
    });
    if (!columns.has('codiceFiscale') || !(columns.has('entry') || columns.has('exit'))) continue;
    if (duplicated.length) {
      return {
        ok: false,
        code: 'duplicate-columns',
        message: `Columns named twice: ${[...new Set(duplicated)].join(', ')}`,
        duplicated: [...new Set(duplicated)],
      };
    }
    const missing = REQUIRED.filter((f) => !columns.has(f)).map((f) => LABEL[f]);
    if (missing.length) return { ok: false, code: 'missing-columns', message: `Missing columns: ${missing.join(', ')}`, missing };
    return { ok: true, row: scan[i]!.row, index: i, columns };
  }
  const missing = REQUIRED.map((f) => LABEL[f]);
  return {
    ok: false,
    code: 'missing-columns',
    message: `No header row with the columns ${missing.join(', ')} in the first ${HEADER_SCAN_ROWS} rows`,
    missing,
  };
}

export type AttendanceRowCode =
  | 'malformed-row'
  | 'formula-like-text'
  | 'missing-field'
  | 'invalid-codice-fiscale'
  | 'invalid-date'
  | 'invalid-time'
  | 'outside-event-day'
  | 'exit-before-entry'
  | 'instant-in-future'
  | 'unknown-member'
  | 'not-registered'
  | 'duplicate-row';

export interface RowRejection {
  row: number;
  code: AttendanceRowCode;
  message: string;
}

export interface AttendanceContext {
  /** The event's start and end, epoch ms (UTC). */
  eventStart: number;
  eventEnd: number;
  /** Instants after this are in the future (the caller adds its clock skew). */
  latest: number;
  /** Serial dates count from 1904 (old Mac workbooks). */
  date1904?: boolean;
}

/** A row that passed the checks needing no member data. */
export interface ParsedRow {
  row: number;
  codiceFiscale: string;
  entry: number;
  exit: number;
}

export interface ParsedSheet {
  ok: true;
  headerRow: number;
  rows: ParsedRow[];
  rejected: RowRejection[];
  /** Rows with neither entry nor exit (no presence): skipped, not rejected. */
  empty: number;
}

/**
 * Reads the rows below the header: everything except members (see the module comment).
 * `malformed` are lines the reader could not split into cells (CSV).
 */
export function parseAttendanceSheet(
  rows: readonly SheetRow[],
  ctx: AttendanceContext,
  malformed: ReadonlyArray<{ row: number; message: string }> = [],
): ParsedSheet | FileProblem {
  const header = findHeader(rows);
  if (!header.ok) return header;
  const { columns } = header;
  const eventDates = datesOf(ctx.eventStart, ctx.eventEnd);
  const firstDay = startOfRomeDay(ctx.eventStart).getTime();
  const afterLastDay = dayAfter(Math.max(ctx.eventStart, ctx.eventEnd - 1)).getTime();

  const out: ParsedRow[] = [];
  const rejected: RowRejection[] = malformed.filter((m) => m.row > header.row).map((m) => ({ row: m.row, code: 'malformed-row' as const, message: m.message }));
  let empty = 0;
  for (const { row, cells } of rows.slice(header.index + 1)) {
    const reject = (code: AttendanceRowCode, message: string) => void rejected.push({ row, code, message });
    const cell = (f: AttendanceField): CellValue => {
      const i = columns.get(f);
      if (i === undefined) return null;
      const v = cells[i] ?? null;
      return typeof v === 'string' && v.trim() === '' ? null : v;
    };
    const formulaLike = TEXT_FIELDS.find((f) => {
      const v = cell(f);
      return typeof v === 'string' && looksLikeFormula(v);
    });
    if (formulaLike) {
      reject('formula-like-text', `${LABEL[formulaLike]}: text that a spreadsheet would run as a formula is not accepted`);
      continue;
    }
    const entryCell = cell('entry');
    const exitCell = cell('exit');
    const cfText = cellText(cell('codiceFiscale'));
    if (entryCell === null && exitCell === null) {
      empty++;
      continue;
    }
    if (cfText === '' || entryCell === null || exitCell === null) {
      const missing = [cfText === '' && LABEL.codiceFiscale, entryCell === null && LABEL.entry, exitCell === null && LABEL.exit].filter(Boolean);
      reject('missing-field', `empty: ${missing.join(', ')}`);
      continue;
    }
    const cf = validateCodiceFiscale(cfText);
    if (!cf.ok) {
      reject('invalid-codice-fiscale', `codice fiscale not valid (${cf.code})`);
      continue;
    }

    // The row's day: its own Data evento, or the event's first day.
    const dateCell = cell('eventDate');
    let rowDate = eventDates[0]!;
    if (dateCell !== null) {
      const d = cellDate(dateCell, ctx.date1904);
      if (!d) {
        reject('invalid-date', `${LABEL.eventDate} is not a date (dd/mm/yyyy)`);
        continue;
      }
      rowDate = d;
    }

    const entry = readInstant(entryCell, rowDate, ctx.date1904);
    const exitOwn = readInstant(exitCell, rowDate, ctx.date1904);
    if (!entry || !exitOwn) {
      reject('invalid-time', `${!entry ? LABEL.entry : LABEL.exit} is not a time (hh:mm) or a date and time`);
      continue;
    }
    let exit = exitOwn;
    // Across midnight: times of day only, exit before entry, and the event goes on the next day.
    if (exit.timeOnly && entry.timeOnly && exit.at <= entry.at) {
      const next = nextDate(rowDate);
      if (eventDates.includes(next)) {
        const rolled = readInstant(exitCell, next, ctx.date1904);
        if (rolled) exit = rolled;
      }
    }
    if (!eventDates.includes(rowDate) || entry.at < firstDay || exit.at < firstDay || entry.at >= afterLastDay || exit.at >= afterLastDay) {
      reject('outside-event-day', `entry and exit must fall on the event's day (${eventDates.join(', ')}, Europe/Rome)`);
      continue;
    }
    if (exit.at <= entry.at) {
      reject('exit-before-entry', 'the exit is not after the entry');
      continue;
    }
    if (exit.at > ctx.latest) {
      reject('instant-in-future', 'the exit lies in the future');
      continue;
    }
    out.push({ row, codiceFiscale: cf.value, entry: entry.at, exit: exit.at });
  }
  return { ok: true, headerRow: header.row, rows: out, rejected, empty };
}

/** What the caller knows of a codice fiscale: the member and whether it is registered to the event. */
export interface MemberRef {
  memberId: string;
  registered: boolean;
}

export interface ValidRow extends ParsedRow {
  memberId: string;
}

export interface AttendanceCheck {
  valid: ValidRow[];
  /** In row order. */
  rejected: RowRejection[];
  empty: number;
}

/**
 * The member checks of an uploaded attendance file: known, registered to the event, and no
 * (member, entry, exit) twice in the file; the rejected rows with their reasons, in row order.
 *
 * @rule R-TPL-3
 */
export function matchAttendanceRows(parsed: ParsedSheet, members: ReadonlyMap<string, MemberRef>): AttendanceCheck {
  const valid: ValidRow[] = [];
  const rejected = [...parsed.rejected];
  const seen = new Map<string, number>();
  for (const r of parsed.rows) {
    const m = members.get(r.codiceFiscale);
    if (!m) {
      rejected.push({ row: r.row, code: 'unknown-member', message: 'no member of the register has this codice fiscale' });
      continue;
    }
    if (!m.registered) {
      rejected.push({ row: r.row, code: 'not-registered', message: 'the member is not registered to this event' });
      continue;
    }
    const key = `${m.memberId}|${r.entry}|${r.exit}`;
    const first = seen.get(key);
    if (first !== undefined) {
      rejected.push({ row: r.row, code: 'duplicate-row', message: `the same member, entry and exit as row ${first}` });
      continue;
    }
    seen.set(key, r.row);
    valid.push({ ...r, memberId: m.memberId });
  }
  rejected.sort((a, b) => a.row - b.row);
  return { valid, rejected, empty: parsed.empty };
}

/** Both steps at once, for callers that already hold the members. */
export function checkAttendanceFile(
  rows: readonly SheetRow[],
  ctx: AttendanceContext,
  members: ReadonlyMap<string, MemberRef>,
  malformed?: ReadonlyArray<{ row: number; message: string }>,
): AttendanceCheck | FileProblem {
  const parsed = parseAttendanceSheet(rows, ctx, malformed);
  return parsed.ok ? matchAttendanceRows(parsed, members) : parsed;
}

// ---------------------------------------------------------------------------------------------
// Dates and times on the Rome calendar (R-CAL-2)
// ---------------------------------------------------------------------------------------------

/** The Rome calendar dates the event touches, in order (one, or two across midnight). */
function datesOf(start: number, end: number): string[] {
  const out = [romeDate(start)];
  const last = romeDate(Math.max(start, end - 1));
  while (out[out.length - 1]! < last && out.length < 32) out.push(nextDate(out[out.length - 1]!));
  return out;
}

function nextDate(date: string): string {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
}

/** A `Data evento` cell: a date, or the date part of a date and time. */
function cellDate(v: CellValue, date1904?: boolean): string | null {
  if (typeof v === 'string') return textDate(v.trim());
  const wc = cellWallClock(v, date1904);
  return wc?.date ?? null;
}

/** An entry or exit cell as an instant; `timeOnly` when the cell gave no date of its own. */
function readInstant(v: CellValue, rowDate: string, date1904?: boolean): { at: number; timeOnly: boolean } | null {
  if (typeof v === 'string') {
    const exact = textInstant(v);
    if (exact !== null) return { at: exact, timeOnly: false };
  }
  const wc: WallClock | null = cellWallClock(v, date1904);
  if (!wc || !wc.time) return null;
  try {
    return { at: romeLocalToUtc(`${wc.date ?? rowDate}T${wc.time}`).getTime(), timeOnly: wc.date === null };
  } catch {
    return null;
  }
}
