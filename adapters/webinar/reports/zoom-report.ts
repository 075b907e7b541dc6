/**
 * @module Zoom participant reports: the CSV downloads (webinar attendee report in sections, and
 * the usage report's participant list; local times without offset) and the REST JSON of
 * `GET /report/webinars/{id}/participants` (UTC). One row per connection. Pure; see ./README.md.
 */
import { REJECT_MESSAGES, ReportFormatError, type ReportRejection, type ReportSkip } from './codes.ts';
import { describeHeaders, normaliseHeader } from './columns.ts';
import { filledCells, parseDelimited, type DelimitedRow } from './delimited.ts';
import { cleanName, cleanText, readEmail } from './identity.ts';
import { isoOf, readJsonInstant } from './instants.ts';
import { compact, type IntervalNote, type ReportInterval, type ReportResult } from './interval.ts';
import { arrayProp, isRecord, jsonInput, prop } from './json.ts';
import { checkRowCount } from './limits.ts';
import { presenceOf, resolveBoundaries } from './presence.ts';
import { detectDateOrder, readRomeLocal, type DateOrder } from './rome-local.ts';
import { decodeReportBytes, type TextEncodingName } from './text-decoding.ts';

// ---------------------------------------------------------------------------------------------
// CSV download
// ---------------------------------------------------------------------------------------------

export type ZoomCsvColumn = 'attended' | 'waitingRoom' | 'name' | 'firstName' | 'lastName' | 'email' | 'join' | 'leave' | 'minutes';

interface ZoomTable {
  /** Section title above the header (`Attendee Details`, `Host Details`…), if any. */
  section?: string;
  cols: Partial<Record<ZoomCsvColumn, number>>;
  /** The header row's cells as written (for error messages). */
  header: readonly string[];
  /** 1-based line of the header row. */
  line: number;
  rows: DelimitedRow[];
}

/**
 * Header spellings seen in real exports, after {@link normaliseHeader}:
 * - webinar attendee report: `Join Time`, `Leave Time`, `Time in Session (minutes)`, `Attended`,
 *   `User Name (Original Name)`, `First Name`, `Last Name`, `Email`;
 * - usage participants export, older: `Name (Original Name)`, `User Email`, `Join Time`,
 *   `Leave Time`, `Duration (Minutes)`, `In Waiting Room`; newer: `Name (original name)`,
 *   `Email`, `Join time`, `Leave time`, `Duration (minutes)`, `In waiting room`;
 * - usage participants export, Italian locale: `Nome (nome originale)`, `E-mail`,
 *   `Ora di ingresso`, `Ora di uscita`, `Durata (minuti)`, `In sala d'attesa` (yes = `Sì`).
 * Sources in ./README.md.
 */
function isJoinHeader(h: string): boolean {
  return h === 'join time' || h === 'join' || h === 'ora di ingresso';
}
function isLeaveHeader(h: string): boolean {
  return h === 'leave time' || h === 'leave' || h === 'ora di uscita';
}
/** Italian-locale headers: that export writes dates day first even with a 12-hour clock. */
function isItalianHeader(h: string): boolean {
  return h === 'ora di ingresso' || h === 'ora di uscita' || h.includes('nome originale') || h.startsWith('durata');
}

const EMAIL_HEADERS = new Set(['email', 'user email', 'attendee email', 'e mail', 'email address', 'indirizzo e mail']);
const NAME_HEADERS = new Set(['user name', 'name', 'participant', 'display name', 'nome', 'nome utente', 'partecipante']);

/**
 * Column roles of a participant table. Where a header repeats (the usage export "with meeting
 * data" puts the meeting's `User Email` and `Duration (Minutes)` before the participant's), the
 * participant's is the last occurrence. Name: `User Name (Original Name)` / `Name (Original Name)`
 * / `Nome (nome originale)` first, else the last `User Name`/`Name`/`Nome`/`Participant`.
 */
function zoomColumns(header: readonly string[]): Partial<Record<ZoomCsvColumn, number>> {
  const cols: Partial<Record<ZoomCsvColumn, number>> = {};
  let originalName: number | undefined;
  let anyName: number | undefined;
  let timeInSession: number | undefined;
  let durationMinutes: number | undefined;
  header.forEach((raw, i) => {
    const h = normaliseHeader(raw);
    if (h === 'attended') cols.attended = i;
    else if (h === 'in waiting room' || h === 'in sala d attesa') cols.waitingRoom = i;
    else if (isJoinHeader(h)) cols.join ??= i;
    else if (isLeaveHeader(h)) cols.leave ??= i;
    else if (h === 'first name') cols.firstName = i;
    else if (h === 'last name' || h === 'cognome') cols.lastName = i;
    else if (h.includes('original name') || h.includes('nome originale')) originalName ??= i;
    else if (NAME_HEADERS.has(h)) anyName = i;
    else if (EMAIL_HEADERS.has(h)) cols.email = i;
    else if (h.startsWith('time in session')) timeInSession ??= i;
    else if (h.startsWith('duration') || h.startsWith('durata')) durationMinutes = i;
  });
  const name = originalName ?? anyName;
  if (name !== undefined) cols.name = name;
  const minutes = timeInSession ?? durationMinutes;
  if (minutes !== undefined) cols.minutes = minutes;
  return cols;
}

/** A section title row (`Host Details,`): one filled cell, the first, whatever the row's width. */
function sectionTitle(cells: readonly string[]): string | undefined {
  const filled = filledCells(cells);
  if (filled.length !== 1 || cells[0]?.trim() !== filled[0]) return undefined;
  const t = normaliseHeader(filled[0]!);
  // A lone Yes/No/Sì is a value, not a title.
  return t === 'yes' || t === 'no' || t === 'si' ? undefined : filled[0];
}

/**
 * Finds the participant tables: a header row has a join and a leave column; its table runs
 * until the next section title (a row whose only filled cell is its first, e.g. `Panelist
 * Details,` or `Host Details,,,,,,,,,,,,,` as exports padded to the widest table write it) or the
 * next header. Also returns the first `Topic`/`Argomento` + `Webinar ID`/`Meeting ID`/`ID` header
 * and value rows, and whether the headers are Italian.
 */
function findTables(rows: readonly DelimitedRow[]): { tables: ZoomTable[]; topic?: string; meetingId?: string; italian: boolean } {
  const tables: ZoomTable[] = [];
  let section: string | undefined;
  let current: ZoomTable | undefined;
  let topic: string | undefined;
  let meetingId: string | undefined;
  let italian = false;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const normalised = row.cells.map(normaliseHeader);
    if (normalised.some(isJoinHeader) && normalised.some(isLeaveHeader)) {
      current = { cols: zoomColumns(row.cells), header: row.cells, line: row.line, rows: [] };
      if (section) current.section = section;
      tables.push(current);
      section = undefined;
      if (normalised.some(isItalianHeader)) italian = true;
      continue;
    }
    const title = sectionTitle(row.cells);
    // Inside a table, a lone first cell ends it only when it reads as a section title (the next row
    // is a header, or it names a section); otherwise it stays a row, visible as skipped/rejected.
    const nextIsHeader = (() => {
      const next = rows[i + 1]?.cells.map(normaliseHeader) ?? [];
      return next.some(isJoinHeader) && next.some(isLeaveHeader);
    })();
    if (title !== undefined && (!current || nextIsHeader || /\b(details|dettagli|attended|report)\b/.test(normaliseHeader(title)))) {
      current = undefined;
      section = title;
      continue;
    }
    const topicAt = normalised.findIndex((h) => h === 'topic' || h === 'argomento');
    if (!current && topic === undefined && topicAt >= 0) {
      const values = rows[i + 1]?.cells ?? [];
      topic = cleanText(values[topicAt], 300);
      const idAt = normalised.findIndex((h) => h === 'webinar id' || h === 'meeting id' || h === 'id');
      if (idAt >= 0) meetingId = cleanText(values[idAt]);
      continue;
    }
    if (current) current.rows.push(row);
  }
  return compact({ tables, topic, meetingId, italian });
}

function sectionRole(section: string | undefined): string | undefined {
  if (!section) return undefined;
  const s = normaliseHeader(section);
  if (s.startsWith('host')) return 'host';
  if (s.startsWith('panelist')) return 'panelist';
  if (s.startsWith('attendee')) return 'attendee';
  return cleanText(section, 100);
}

const NO_VALUE = new Set(['', '--', '-', 'n/a', 'na']);

export interface ZoomCsvMeta {
  encoding: TextEncodingName;
  dateOrder: DateOrder;
  topic?: string;
  /** `Webinar ID` / `Meeting ID` of the report header, as written. */
  meetingId?: string;
  /** Section titles of the participant tables read (`Host Details`, `Attendee Details`…). */
  sections: string[];
}

export interface ZoomCsvOptions {
  /** Day/month order of numeric dates; default: detected from the file, else month-first (Zoom's US format). */
  dateOrder?: DateOrder;
}

/** Zoom states minutes (whole numbers): a fold reading must be within a minute of it. */
const ZOOM_MINUTES_TOLERANCE_S = 60;

/**
 * Reads a Zoom participant CSV: the webinar attendee report (sections `Host Details`,
 * `Panelist Details`, `Attendee Details`, …, each with `Join Time`/`Leave Time`; section rows may be
 * padded with commas to the widest table) or the usage report's participant export, in its older
 * (`Name (Original Name)`, `User Email`, `Duration (Minutes)`), newer lower-case
 * (`Name (original name)`, `Email`, `Join time`…) and Italian-locale (`Nome (nome originale)`,
 * `E-mail`, `Ora di ingresso`, `Ora di uscita`, `Durata (minuti)`) spellings. Every table with
 * join and leave columns is read; the section becomes the interval's `role`. `Attended` = No rows
 * are skipped (`not-attended`), `In Waiting Room` = Yes/Sì rows too (`waiting-room`), and rows
 * with neither time (`--`) are skipped as `no-attendance`.
 *
 * Throws {@link ReportFormatError} `report-empty`, `report-columns-missing` (no table with join and
 * leave times, or one without a name or e-mail column; `missing` lists what is absent),
 * `report-date-order-conflict`.
 */
export function parseZoomParticipantsCsv(input: Uint8Array | string, options: ZoomCsvOptions = {}): ReportResult<ZoomCsvMeta> {
  const { text, encoding } = decodeReportBytes(input);
  if (!text.trim()) throw new ReportFormatError('report-empty', 'the report is empty');
  const { rows, errors } = parseDelimited(text, ',');
  const found = findTables(rows);
  if (found.tables.length === 0) {
    const first = rows.find((r) => filledCells(r.cells).length > 1);
    throw new ReportFormatError(
      'report-columns-missing',
      'not a Zoom participant report: no header row with both a join and a leave time column ' +
        '("Join Time"/"Join time"/"Ora di ingresso" and "Leave Time"/"Leave time"/"Ora di uscita"); ' +
        `first header-like row: ${describeHeaders(first?.cells ?? [])}`,
      ['join', 'leave'],
    );
  }
  for (const t of found.tables) {
    if (t.cols.name === undefined && t.cols.email === undefined && t.cols.firstName === undefined && t.cols.lastName === undefined) {
      throw new ReportFormatError(
        'report-columns-missing',
        `the participant table at line ${t.line} has join/leave times but no name or e-mail column (headers read: ${describeHeaders(t.header)})`,
        ['name or email'],
      );
    }
  }
  const cellOf = (row: DelimitedRow, i: number | undefined) => (i === undefined ? '' : (row.cells[i] ?? '').trim());
  // Zoom writes US month-first dates in English; the Italian-locale export writes day first
  // (`19/09/2025 01:58:39 PM`) with the same 12-hour clock.
  const order =
    options.dateOrder ??
    detectDateOrder(
      found.tables.flatMap((t) => t.rows.flatMap((r) => [cellOf(r, t.cols.join), cellOf(r, t.cols.leave)])),
      found.italian ? 'dmy' : 'mdy',
      { twelveHourMeansMonthFirst: !found.italian },
    );

  const intervals: ReportInterval[] = [];
  const rejected: ReportRejection[] = [...errors];
  const skipped: ReportSkip[] = [];
  for (const table of found.tables) {
    const role = sectionRole(table.section);
    for (const row of table.rows) {
      if (filledCells(row.cells).length === 0) continue;
      const get = (c: ZoomCsvColumn) => cellOf(row, table.cols[c]);
      if (table.cols.attended !== undefined && normaliseHeader(get('attended')) === 'no') {
        skipped.push({ row: row.line, code: 'not-attended', message: 'registered, did not attend (Attended = No)' });
        continue;
      }
      const waiting = normaliseHeader(get('waitingRoom'));
      if (table.cols.waitingRoom !== undefined && (waiting === 'yes' || waiting === 'si')) {
        skipped.push({ row: row.line, code: 'waiting-room', message: 'time in the waiting room (In Waiting Room = Yes), not in the meeting' });
        continue;
      }
      const reject = (code: ReportRejection['code']) => rejected.push({ row: row.line, code, message: REJECT_MESSAGES[code] });
      const joinText = get('join');
      const leaveText = get('leave');
      if (NO_VALUE.has(joinText.toLowerCase()) && NO_VALUE.has(leaveText.toLowerCase())) {
        skipped.push({ row: row.line, code: 'no-attendance', message: 'neither a join nor a leave time' });
        continue;
      }
      const joinRead = NO_VALUE.has(joinText.toLowerCase()) ? null : readRomeLocal(joinText, order);
      const leaveRead = NO_VALUE.has(leaveText.toLowerCase()) ? null : readRomeLocal(leaveText, order);
      if (joinRead && !joinRead.ok) {
        reject(joinRead.code);
        continue;
      }
      if (leaveRead && !leaveRead.ok) {
        reject(leaveRead.code);
        continue;
      }
      const minutesText = get('minutes');
      const minutes = /^\d+(\.\d+)?$/.test(minutesText) ? Number(minutesText) : undefined;
      const notes: IntervalNote[] = [];
      const resolved = resolveBoundaries(
        joinRead?.candidates ?? null,
        leaveRead?.candidates ?? null,
        minutes === undefined ? undefined : minutes * 60,
        ZOOM_MINUTES_TOLERANCE_S,
      );
      if (!resolved.ok) {
        reject(resolved.code);
        continue;
      }
      notes.push(...resolved.notes);
      const email = readEmail(get('email'));
      if (email.invalid) notes.push('email-invalid');
      const composed = [get('firstName'), get('lastName')].filter((s) => s && s !== '--').join(' ');
      intervals.push(
        compact({
          source: 'zoom-csv' as const,
          name: cleanName(get('name')) ?? cleanName(composed),
          email: email.email,
          role,
          join: resolved.join === null ? null : isoOf(resolved.join),
          leave: resolved.leave === null ? null : isoOf(resolved.leave),
          reportedSeconds: minutes === undefined ? undefined : minutes * 60,
          sourceRow: row.line,
          notes,
        }),
      );
    }
  }
  checkRowCount(intervals.length);
  return {
    source: 'zoom-csv',
    intervals,
    rejected: rejected.sort((a, b) => a.row - b.row),
    skipped,
    meta: compact({
      encoding,
      dateOrder: order,
      topic: found.topic,
      meetingId: found.meetingId,
      sections: found.tables.map((t) => t.section ?? ''),
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// REST JSON: GET /report/webinars/{webinarId}/participants
// ---------------------------------------------------------------------------------------------

export interface ZoomApiMeta {
  /** Pages read (one object, or an array of page objects). */
  pages: number;
  /** `total_records` of the first page, when present (compare with the intervals read). */
  totalRecords?: number;
}

/**
 * Reads the REST participants report: one page (`{ participants: [...] }`) or an array of pages
 * (concatenated in order; `sourceRow` counts across pages). One interval per participant entry
 * (Zoom lists a reconnect as another entry). Identity: `registrant_id`, `participant_user_id`
 * (else `id`, which Zoom fills for signed-in users), `user_email`; `user_id` is the in-meeting
 * connection id and is kept only as `connectionRef`. `status` `in_waiting_room` is skipped.
 * Times must carry an offset (Zoom writes `Z`).
 *
 * Throws {@link ReportFormatError} `report-not-json` / `report-shape-unrecognised`.
 */
export function parseZoomParticipantsJson(input: unknown): ReportResult<ZoomApiMeta> {
  const doc = jsonInput(input);
  const pages = Array.isArray(doc) ? doc : [doc];
  const lists = pages.map((p) => (isRecord(p) ? arrayProp(p, 'participants') : undefined));
  if (pages.length === 0 || lists.some((l) => l === undefined)) {
    throw new ReportFormatError('report-shape-unrecognised', 'not a Zoom participants report: no participants array');
  }
  const meta: ZoomApiMeta = { pages: pages.length };
  const total = isRecord(pages[0]) ? prop(pages[0], 'total_records') : undefined;
  if (typeof total === 'number') meta.totalRecords = total;

  const intervals: ReportInterval[] = [];
  const rejected: ReportRejection[] = [];
  const skipped: ReportSkip[] = [];
  let row = 0;
  lists.forEach((list, pageIndex) => {
    checkRowCount(row + list!.length);
    list!.forEach((p, i) => {
      row++;
      const path = pages.length > 1 ? `[${pageIndex}].participants[${i}]` : `participants[${i}]`;
      if (!isRecord(p)) {
        rejected.push({ row, path, code: 'row-not-an-object', message: REJECT_MESSAGES['row-not-an-object'] });
        return;
      }
      if (prop(p, 'status') === 'in_waiting_room') {
        skipped.push({ row, path, code: 'waiting-room', message: 'in the waiting room, never admitted' });
        return;
      }
      const presence = presenceOf(readJsonInstant(prop(p, 'join_time'), 'reject'), readJsonInstant(prop(p, 'leave_time'), 'reject'), { row, path }, rejected);
      if (!presence) return;
      const { join: j, leave: l } = presence;
      const email = readEmail(prop(p, 'user_email'));
      const duration = prop(p, 'duration');
      intervals.push(
        compact({
          source: 'zoom-api' as const,
          name: cleanName(prop(p, 'name')),
          email: email.email,
          userId: cleanText(prop(p, 'participant_user_id')) ?? cleanText(prop(p, 'id')),
          registrantId: cleanText(prop(p, 'registrant_id')),
          join: j === null ? null : isoOf(j),
          leave: l === null ? null : isoOf(l),
          reportedSeconds: typeof duration === 'number' && Number.isFinite(duration) && duration >= 0 ? duration : undefined,
          connectionRef: cleanText(prop(p, 'user_id')),
          sourceRow: row,
          sourcePath: path,
          notes: email.invalid ? ['email-invalid' as const] : [],
        }),
      );
    });
  });
  return { source: 'zoom-api', intervals, rejected, skipped, meta };
}
