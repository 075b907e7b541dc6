/**
 * @module The attendance workbook for the national platform (R-TPL-1, R-TPL-2, R-TPL-4), written
 * as a stream: rows go out page by page and are never all held in memory (issue 3, "Scale").
 *
 * Sheets, in this order (each one is written whole before the next begins: the zip holds one
 * entry at a time, so interleaving sheets would buffer every later sheet in memory):
 * - `Presenze`: one row per presence interval (default, R-TPL-2) or per participant (first entry,
 *   last exit): Data evento, Cognome, Nome, Codice fiscale, Numero di iscrizione, Ordine
 *   provinciale (province code of the register), Ora di ingresso, Ora di uscita; the participants
 *   layout adds Minuti di presenza and Minuti di assenza within the event's scheduled time (the
 *   outcome's own count, R-ATT-3), since first entry and last exit hide an absence in between.
 *   Only registered members matched to the evidence appear here, and only if they were present.
 * - `Esito`: every registered member's computed outcome (R-ATT-9): minutes present and absent,
 *   tolerance, credits, outcome and reason in Italian, and the rule that decided it.
 * - `Non abbinati`: participants that match no registered member (R-ATT-7): they have no codice
 *   fiscale, so they cannot be rows of `Presenze`; they are listed with the name the platform
 *   reported, so the organiser can fix a registration.
 * The blank template has `Presenze` only: the registered members pre-filled, one row each, with
 * empty (time-formatted) entry and exit cells.
 *
 * The intervals are the presence the credits were computed from (R-ATT-3): inside the event's
 * window (a join before the start shows the start), two devices or a reconnect merged into one
 * row, so the national platform recomputing from the file finds the gateway's minutes. A join
 * with no exit yet (R-ATT-6) is a row with the exit empty, for the organiser to complete; in the
 * participants layout it leaves the last exit empty.
 *
 * Names: two columns, `Cognome` and `Nome`, as the register keeps them. One "Cognome e nome"
 * column cannot be split back reliably (De Luca Maria Grazia) and sorts and filters worse; the
 * pair is the participant name of R-TPL-1.
 *
 * Times are real Excel date-times on the Rome wall clock (R-CAL-2), shown `hh:mm`; the date
 * column is a real date shown `dd/mm/yyyy`. A cell holds a serial number of days with no time
 * zone, and exceljs turns a JS `Date` into that serial from its UTC fields. So the instant is
 * first read on the Europe/Rome calendar (luxon, DST included) and handed over as the `Date` whose
 * UTC fields equal that Rome wall-clock time: 14:05 in Rome is written as 14:05, in winter and in
 * summer, whatever the server's time zone. Entry and exit carry their date as well as their time,
 * so an interval across midnight (R-CAL-2) stays exact.
 *
 * Every text cell goes through {@link safeCellText} (R-TPL-4); no cell is ever a formula.
 * Pure apart from the stream it writes to; imports `src/domain` only.
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import type { MemberOutcome, MemberPresence, PresenceSpan, UnmatchedParticipant } from '../../src/domain/attendance-rows.ts';
import { ROME } from '../../src/domain/calendar.ts';
import { reasonText, statusText } from '../../src/domain/outcome-texts.ts';
import { safeCellText } from './cell-text.ts';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export type AttendanceLayout = 'intervals' | 'participants';

/** Sheet names and header texts: plain data, so the upload reader can match the same words. */
export const SHEETS = { presence: 'Presenze', outcomes: 'Esito', unmatched: 'Non abbinati' } as const;

export const PRESENCE_HEADERS = [
  'Data evento',
  'Cognome',
  'Nome',
  'Codice fiscale',
  'Numero di iscrizione',
  'Ordine provinciale',
  'Ora di ingresso',
  'Ora di uscita',
] as const;

/**
 * Added to `Presenze` in the participants layout: one row per participant shows only the first
 * entry and the last exit, so the minutes present and absent within the event's scheduled time
 * (the outcome's own count, R-ATT-3) say whether the member was away in between.
 */
export const PARTICIPANT_MINUTES_HEADERS = ['Minuti di presenza', 'Minuti di assenza'] as const;

export const OUTCOME_HEADERS = [
  'Cognome',
  'Nome',
  'Codice fiscale',
  'Numero di iscrizione',
  'Ordine provinciale',
  'Minuti di presenza',
  'Minuti di assenza',
  'Tolleranza (minuti)',
  'Crediti',
  'Esito',
  'Motivazione',
  'Regola',
] as const;

export const UNMATCHED_HEADERS = ['Nome sulla piattaforma', 'Identificativo sulla piattaforma', 'Minuti di presenza', 'Esito', 'Motivazione'] as const;

export const DATE_FORMAT = 'dd/mm/yyyy';
export const TIME_FORMAT = 'hh:mm';

// The Italian words of outcomes (R-ATT-9) are shared with the member dashboard: `src/domain/outcome-texts.ts`.
export { NOT_GRANTED_TEXT, PENDING_TEXT, REASON_TEXT, STATUS_TEXT, reasonText, statusText } from '../../src/domain/outcome-texts.ts';
export const NOT_DERIVED_TEXT = 'Non ancora calcolato';

export type { MemberIdentity, MemberOutcome, MemberPresence, PresenceSpan, UnmatchedParticipant } from '../../src/domain/attendance-rows.ts';

type Pages<T> = () => AsyncIterable<readonly T[]>;

export interface AttendanceWorkbookInput {
  /** The event's start: its Rome calendar date is `Data evento` (R-CAL-2). */
  eventStart: number;
  layout: AttendanceLayout;
  /** The blank template (R-TPL-2 a): members pre-filled, entry and exit empty, `Presenze` only. */
  blank: boolean;
  /** Registered members and their presence, page by page, in the order of the file. */
  presence: Pages<MemberPresence>;
  /** Registered members and their outcomes (filled workbook only). */
  outcomes?: Pages<MemberOutcome>;
  /** Participants matching no registered member (filled workbook only). */
  unmatched?: Pages<UnmatchedParticipant>;
  /** Workbook properties. */
  created?: Date;
}

export interface WorkbookSummary {
  presenceRows: number;
  outcomeRows: number;
  unmatchedRows: number;
}

/**
 * A Rome wall-clock reading of an instant, as the `Date` whose UTC fields show it: what exceljs
 * needs to write the serial a person in Rome expects (see the module comment).
 *
 * @example excelRomeDateTime(Date.parse('2026-07-01T12:05:00Z')) // → 2026-07-01T14:05:00.000Z (14:05 in Rome)
 */
export function excelRomeDateTime(instant: number): Date {
  return new Date(instant + romeOffsetMs(instant));
}

const HOUR_MS = 3_600_000;
/** Rome's UTC offset per UTC hour: offsets change only on whole UTC hours (01:00Z), so one
 * zone lookup (luxon, Intl underneath: the costly part) serves every instant of that hour. */
const offsetByHour = new Map<number, number | null>();

function romeOffsetMs(instant: number): number {
  const hour = Math.floor(instant / HOUR_MS);
  let cached = offsetByHour.get(hour);
  if (cached === undefined) {
    const a = DateTime.fromMillis(hour * HOUR_MS, { zone: ROME }).offset;
    const b = DateTime.fromMillis(hour * HOUR_MS + HOUR_MS - 1, { zone: ROME }).offset;
    // An hour in which the offset changes (none in Rome since 1893, but checked, not assumed) is
    // never cached: each instant in it is looked up on its own.
    cached = a === b ? a * 60_000 : null;
    if (offsetByHour.size > 100_000) offsetByHour.clear();
    offsetByHour.set(hour, cached);
  }
  return cached ?? DateTime.fromMillis(instant, { zone: ROME }).offset * 60_000;
}

/** The Rome calendar date of an instant at 00:00, as an Excel date (R-CAL-2). */
export function excelRomeDate(instant: number): Date {
  const rome = DateTime.fromMillis(instant, { zone: ROME });
  return new Date(Date.UTC(rome.year, rome.month - 1, rome.day));
}

/** Rows of `Presenze` for one member in a layout: per interval, or one from first entry to last exit. */
export function presenceRows(spans: readonly PresenceSpan[], layout: AttendanceLayout): PresenceSpan[] {
  if (spans.length === 0) return [];
  const sorted = [...spans].sort((a, b) => a.entry - b.entry);
  if (layout === 'intervals') return sorted;
  // First entry, last exit. An entry with no exit (R-ATT-6) leaves the last exit unknown: the
  // open connection may have lasted past every known exit, so the cell stays empty.
  let exit: number | null = null;
  for (const s of sorted) {
    if (s.exit === null) return [{ entry: sorted[0]!.entry, exit: null }];
    if (exit === null || s.exit > exit) exit = s.exit;
  }
  return [{ entry: sorted[0]!.entry, exit }];
}

export const HEADER_STYLE = {
  font: { bold: true, name: 'Calibri', size: 11 },
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7E6E6' } },
  alignment: { vertical: 'middle' },
  border: { bottom: { style: 'thin' } },
} as const;

interface ColumnSpec {
  width: number;
  numFmt?: string;
}

/**
 * Writes the workbook to `out` and ends it. Waits for `out` to drain between pages, so a slow
 * client slows the database reads instead of filling memory; throws if `out` is destroyed (the
 * client went away) so the caller stops reading.
 *
 * @rule R-TPL-1
 * @rule R-TPL-2
 */
export async function writeAttendanceWorkbook(out: Writable, input: AttendanceWorkbookInput): Promise<WorkbookSummary> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'CdL formazione continua';
  wb.created = input.created ?? new Date();
  try {
    return await writeSheets(wb, out, input);
  } catch (err) {
    // Stop the zip (its queue would wait for ever for the sheet that never ends).
    (wb as unknown as { zip?: { abort(): void } }).zip?.abort();
    throw err;
  }
}

async function writeSheets(wb: ExcelJS.stream.xlsx.WorkbookWriter, out: Writable, input: AttendanceWorkbookInput): Promise<WorkbookSummary> {
  const summary: WorkbookSummary = { presenceRows: 0, outcomeRows: 0, unmatchedRows: 0 };
  const eventDate = excelRomeDate(input.eventStart);

  // --- Presenze ------------------------------------------------------------------------------
  {
    const withMinutes = !input.blank && input.layout === 'participants';
    const ws = sheet(wb, SHEETS.presence, withMinutes ? [...PRESENCE_HEADERS, ...PARTICIPANT_MINUTES_HEADERS] : PRESENCE_HEADERS, [
      { width: 13, numFmt: DATE_FORMAT },
      { width: 24 },
      { width: 22 },
      { width: 20 },
      { width: 21 },
      { width: 19 },
      { width: 16, numFmt: TIME_FORMAT },
      { width: 15, numFmt: TIME_FORMAT },
      ...(withMinutes ? [{ width: 19 }, { width: 18 }] : []),
    ]);
    for await (const page of input.presence()) {
      for (const m of page) {
        const rows: Array<PresenceSpan | null> = input.blank ? [null] : presenceRows(m.spans, input.layout);
        for (const span of rows) {
          addRow(ws, [
            eventDate,
            safeCellText(m.surname),
            safeCellText(m.givenName),
            safeCellText(m.codiceFiscale),
            safeCellText(m.registerNumber),
            safeCellText(m.province),
            span ? excelRomeDateTime(span.entry) : null,
            span?.exit != null ? excelRomeDateTime(span.exit) : null,
            ...(withMinutes ? [m.minutes?.present ?? null, m.minutes?.absent ?? null] : []),
          ]);
          summary.presenceRows++;
        }
      }
      await breathe(out);
    }
    ws.ws.commit();
  }

  if (!input.blank && input.outcomes) {
    const ws = sheet(wb, SHEETS.outcomes, OUTCOME_HEADERS, [
      { width: 24 },
      { width: 22 },
      { width: 20 },
      { width: 21 },
      { width: 19 },
      { width: 19 },
      { width: 18 },
      { width: 20 },
      { width: 9 },
      { width: 28 },
      { width: 60 },
      { width: 10 },
    ]);
    for await (const page of input.outcomes()) {
      for (const m of page) {
        const o = m.outcome;
        addRow(ws, [
          safeCellText(m.surname),
          safeCellText(m.givenName),
          safeCellText(m.codiceFiscale),
          safeCellText(m.registerNumber),
          safeCellText(m.province),
          o ? o.coveredMinutes : null,
          o ? o.absentMinutes : null,
          o ? o.toleranceMinutes : null,
          o ? o.credits : null,
          safeCellText(o ? statusText(o.status) : NOT_DERIVED_TEXT),
          o ? safeCellText(reasonText(o.reason, o.pending, o.notGranted ?? null)) : null,
          o?.rule ? safeCellText(o.rule) : null,
        ]);
        summary.outcomeRows++;
      }
      await breathe(out);
    }
    ws.ws.commit();
  }

  if (!input.blank && input.unmatched) {
    const ws = sheet(wb, SHEETS.unmatched, UNMATCHED_HEADERS, [{ width: 30 }, { width: 40 }, { width: 19 }, { width: 24 }, { width: 60 }]);
    for await (const page of input.unmatched()) {
      for (const p of page) {
        addRow(ws, [
          p.displayName ? safeCellText(p.displayName) : null,
          safeCellText(p.participantKey),
          p.coveredMinutes,
          safeCellText(statusText(p.status)),
          p.reason ? safeCellText(reasonText(p.reason, false)) : null,
        ]);
        summary.unmatchedRows++;
      }
      await breathe(out);
    }
    ws.ws.commit();
  }

  await wb.commit();
  return summary;
}

/** A worksheet and the style of each of its columns. */
interface Sheet {
  ws: ExcelJS.Worksheet;
  styles: ReadonlyArray<Partial<ExcelJS.Style>>;
}

/** One style object per number format, shared by every cell that uses it (see `addRow`). */
const NO_STYLE: Partial<ExcelJS.Style> = Object.freeze({});
const FORMAT_STYLES = new Map<string, Partial<ExcelJS.Style>>();
function formatStyle(numFmt: string | undefined): Partial<ExcelJS.Style> {
  if (!numFmt) return NO_STYLE;
  let st = FORMAT_STYLES.get(numFmt);
  if (!st) FORMAT_STYLES.set(numFmt, (st = Object.freeze({ numFmt })));
  return st;
}

/**
 * Writes one row and commits it. Every cell gets its column's shared style object: exceljs gives
 * each new cell a fresh style object and then works out its style id from scratch, once per cell;
 * a shared object is looked up once per workbook (its style cache is keyed by object), which
 * more than halves the cost of a row. The empty entry and exit cells keep their time format too:
 * what the organiser types in the blank template is a time.
 */
function addRow(sheet: Sheet, values: ReadonlyArray<string | number | Date | null>): void {
  const row = sheet.ws.addRow(values as unknown[]);
  for (let i = 0; i < sheet.styles.length; i++) row.getCell(i + 1).style = sheet.styles[i]!;
  row.commit();
}

/** A worksheet with a bold, frozen header row, an autofilter, readable widths and column formats. */
function sheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, name: string, headers: readonly string[], cols: readonly ColumnSpec[]): Sheet {
  const last = String.fromCharCode(64 + headers.length);
  const ws = wb.addWorksheet(name, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    autoFilter: `A1:${last}1`,
  } as Partial<ExcelJS.AddWorksheetOptions>);
  // Column formats apply to cells typed later, too.
  ws.columns = cols.map((c) => ({ width: c.width, ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}) }));
  const header = ws.addRow([...headers]);
  for (let i = 1; i <= headers.length; i++) header.getCell(i).style = HEADER_STYLE as Partial<ExcelJS.Style>;
  header.commit();
  return { ws, styles: cols.map((c) => formatStyle(c.numFmt)) };
}

/**
 * Lets the zip compress what was written, and waits while the client has not taken the bytes
 * already sent. Throws when the output is gone, so the producer stops reading the database.
 */
export async function breathe(out: Writable): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  while (out.writableNeedDrain && !out.destroyed) {
    await new Promise<void>((resolve) => {
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        resolve();
      };
      out.on('drain', done);
      out.on('close', done);
    });
  }
  if (out.destroyed) throw Object.assign(new Error('output closed before the workbook was complete'), { code: 'ERR_STREAM_DESTROYED' });
}
