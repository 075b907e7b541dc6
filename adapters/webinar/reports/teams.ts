/**
 * @module Microsoft Teams attendance: the downloaded attendance report (".csv" that is UTF-16,
 * tab-separated, in three numbered blocks, local times without offset) and the Graph
 * `attendanceRecords` JSON (UTC instants). Pure; see ./README.md for the assumptions.
 */
import { REJECT_MESSAGES, ReportFormatError, type ReportRejection } from './codes.ts';
import { describeHeaders, normaliseHeader } from './columns.ts';
import { filledCells, parseDelimited, type DelimitedRow } from './delimited.ts';
import { parseTextDuration } from './duration.ts';
import { cleanName, cleanText, readEmail } from './identity.ts';
import { isoOf, readJsonInstant } from './instants.ts';
import { compact, type IntervalNote, type ReportInterval, type ReportResult } from './interval.ts';
import { arrayProp, isRecord, jsonInput, prop } from './json.ts';
import { checkRowCount } from './limits.ts';
import { presenceOf, resolveBoundaries } from './presence.ts';
import { detectDateOrder, readRomeLocal, type DateOrder } from './rome-local.ts';
import { decodeReportBytes, type TextEncodingName } from './text-decoding.ts';

// ---------------------------------------------------------------------------------------------
// Downloaded attendance report (CSV)
// ---------------------------------------------------------------------------------------------

/** Column roles in the Participants and In-Meeting activities blocks. */
export type TeamsColumn = 'name' | 'join' | 'leave' | 'duration' | 'email' | 'upn' | 'role';

/**
 * Which column a header names, after {@link normaliseHeader} (case, accents and punctuation do not
 * matter). The English headers are those of a real export
 * (`dvaneynde/teams-attendance:data/utf8/IDL-15-11-22.csv`: `Name`, `First join`, `Last leave`,
 * `In-meeting duration`, `Email`, `Participant ID (UPN)`, `Role`; `Join time`, `Leave time`,
 * `Duration` in block 3), in any capitalisation (`First Join`, `In-Meeting Duration` also occur).
 * No real Italian-locale export was found, so the Italian words are matched by meaning, not as
 * exact titles: `nome`; `ingresso`/`entrata`/`accesso`/`partecipazione` (join);
 * `uscita`/`abbandono` (leave); `durata`; `posta elettronica`/`e-mail`; `ID partecipante`/`UPN`;
 * `ruolo`. Checked in this order, so "In-meeting duration" is a duration, "Durata partecipazione"
 * is not a join, and "Participant ID (UPN)" is never an e-mail.
 */
export function teamsColumnOf(header: string): TeamsColumn | undefined {
  const h = normaliseHeader(header);
  const words = new Set(h.split(' '));
  const any = (...w: string[]) => w.some((x) => words.has(x));
  if (words.has('upn') || h.includes('user principal name') || h === 'participant id' || h === 'id partecipante') return 'upn';
  if (any('email', 'mail') || h.includes('e mail') || h.includes('posta elettronica')) return 'email';
  if (any('duration', 'durata')) return 'duration';
  if (any('join', 'joined', 'ingresso', 'entrata', 'accesso', 'partecipazione')) return 'join';
  if (any('leave', 'left', 'uscita', 'abbandono')) return 'leave';
  if (any('role', 'ruolo')) return 'role';
  if (any('name', 'nome') || h === 'partecipante' || h === 'participant') return 'name';
  return undefined;
}

function columnMap(header: readonly string[]): Partial<Record<TeamsColumn, number>> {
  const out: Partial<Record<TeamsColumn, number>> = {};
  header.forEach((h, i) => {
    const role = teamsColumnOf(h);
    if (role && out[role] === undefined) out[role] = i;
  });
  return out;
}

interface Block {
  number: number;
  title: string;
  /** 1-based line of the block title. */
  line: number;
  rows: DelimitedRow[];
}

const BLOCK_TITLE = /^(\d{1,2})\.\s*(\S.*)$/;

/** Splits the file on its numbered block titles (`1. Summary`, `2. Participants`, `3. In-Meeting activities`). */
function splitBlocks(rows: readonly DelimitedRow[]): Block[] {
  const blocks: Block[] = [];
  for (const row of rows) {
    const filled = filledCells(row.cells);
    const m = filled.length === 1 && row.cells[0]?.trim() === filled[0] ? BLOCK_TITLE.exec(filled[0]!) : null;
    if (m) blocks.push({ number: Number(m[1]), title: m[2]!.trim(), line: row.line, rows: [] });
    else blocks.at(-1)?.rows.push(row);
  }
  return blocks;
}

/** The In-Meeting activities block: number 3, or the block whose title says activities/attività. */
function activitiesBlock(blocks: readonly Block[]): Block | undefined {
  return blocks.find((b) => /activit|attivit/.test(normaliseHeader(b.title))) ?? blocks.find((b) => b.number === 3);
}

function participantsBlock(blocks: readonly Block[], activities: Block): Block | undefined {
  return (
    blocks.find((b) => b !== activities && /participant|partecipant/.test(normaliseHeader(b.title))) ?? blocks.find((b) => b.number === 2 && b !== activities)
  );
}

export interface TeamsCsvMeta {
  encoding: TextEncodingName;
  dateOrder: DateOrder;
  /** Block titles as written, in file order (`1. Summary`…). */
  blocks: string[];
  /** Summary block label/value pairs as written. */
  summary: Array<{ label: string; value: string }>;
  title?: string;
  /** Summary `Start time` / `End time` read on the Rome calendar, when readable. */
  start?: string;
  end?: string;
}

export interface TeamsCsvOptions {
  /** Day/month order of numeric dates; default: detected from the file, else day-first. */
  dateOrder?: DateOrder;
}

/** Tolerance when a row's `Duration` text picks the reading of an autumn-fold time. */
const TEAMS_DURATION_TOLERANCE_S = 2;

function cell(row: DelimitedRow, i: number | undefined): string {
  return i === undefined ? '' : (row.cells[i] ?? '').trim();
}

function summaryInstant(value: string | undefined, order: DateOrder): string | undefined {
  if (!value) return undefined;
  const r = readRomeLocal(value, order);
  return r.ok ? isoOf(r.candidates[0]!) : undefined;
}

/**
 * Reads a Teams attendance report as downloaded. Intervals come from the In-Meeting activities
 * block (one per join/leave pair: this is where reconnects appear); the Participants block only
 * supplies each person's `Participant ID (UPN)` (matched on e-mail + name, used only when
 * unambiguous), never intervals: its first join → last leave would hide the gaps.
 *
 * Throws {@link ReportFormatError}: `report-empty`, `report-blocks-missing` (no activities
 * block), `report-columns-missing` (no join or leave column: e.g. a tenant collecting "only who
 * attended"), `report-date-order-conflict`.
 */
export function parseTeamsAttendanceCsv(input: Uint8Array | string, options: TeamsCsvOptions = {}): ReportResult<TeamsCsvMeta> {
  const { text, encoding } = decodeReportBytes(input);
  if (!text.trim()) throw new ReportFormatError('report-empty', 'the report is empty');
  const { rows, errors } = parseDelimited(text, '\t');
  const blocks = splitBlocks(rows);
  const activities = activitiesBlock(blocks);
  if (!activities || activities.rows.length === 0) {
    const found =
      blocks.length > 0 ? `; numbered blocks found: ${describeHeaders(blocks.map((b) => `${b.number}. ${b.title}`))}` : '; no numbered block titles found';
    throw new ReportFormatError(
      'report-blocks-missing',
      `not a Teams attendance report: no "3. In-Meeting activities" block (one row per join/leave pair)${found}`,
    );
  }
  const [header, ...data] = activities.rows;
  const cols = columnMap(header!.cells);
  const missing = [
    ...(cols.join === undefined ? ['join'] : []),
    ...(cols.leave === undefined ? ['leave'] : []),
    ...(cols.name === undefined && cols.email === undefined && cols.upn === undefined ? ['name or email'] : []),
  ];
  if (missing.length > 0) {
    throw new ReportFormatError(
      'report-columns-missing',
      `the ${describeHeaders([`${activities.number}. ${activities.title}`])} block has no ${missing.join(', no ')} column (headers read: ${describeHeaders(header!.cells)}); ` +
        'expected columns like Name, Join time, Leave time, Duration, Email, Role. A tenant that collects "only who attended" writes no join/leave times.',
      missing,
    );
  }

  const summaryBlock = blocks.find((b) => b.number === 1 && b !== activities);
  const summary = (summaryBlock?.rows ?? []).map((r) => ({ label: (r.cells[0] ?? '').trim(), value: (r.cells[1] ?? '').trim() }));
  const summaryValue = (re: RegExp) => summary.find((s) => re.test(normaliseHeader(s.label)))?.value || undefined;
  const startText = summaryValue(/^(start|ora di inizio|inizio|data e ora di inizio)/);
  const endText = summaryValue(/^(end|ora di fine|fine|data e ora di fine)/);

  const order =
    options.dateOrder ??
    detectDateOrder(
      [...data.flatMap((r) => [cell(r, cols.join), cell(r, cols.leave)]), ...(startText ? [startText] : []), ...(endText ? [endText] : [])],
      'dmy',
    );

  // UPN per person from the Participants block (the activities block has no UPN column).
  const upnByPerson = new Map<string, string | null>();
  const participants = participantsBlock(blocks, activities);
  if (participants && participants.rows.length > 0 && cols.upn === undefined) {
    const [pHeader, ...pRows] = participants.rows;
    const pc = columnMap(pHeader!.cells);
    if (pc.upn !== undefined) {
      for (const r of pRows) {
        const upn = cleanText(cell(r, pc.upn));
        if (!upn) continue;
        const key = personMatchKey(cell(r, pc.name), cell(r, pc.email));
        const prior = upnByPerson.get(key);
        upnByPerson.set(key, prior === undefined || prior === upn ? upn : null); // null: ambiguous
      }
    }
  }

  const intervals: ReportInterval[] = [];
  const rejected: ReportRejection[] = [...errors];
  for (const row of data) {
    if (filledCells(row.cells).length === 0) continue;
    const reject = (code: ReportRejection['code']) => rejected.push({ row: row.line, code, message: REJECT_MESSAGES[code] });
    const notes: IntervalNote[] = [];
    const joinText = cell(row, cols.join);
    const leaveText = cell(row, cols.leave);
    const joinRead = joinText ? readRomeLocal(joinText, order) : null;
    const leaveRead = leaveText ? readRomeLocal(leaveText, order) : null;
    if (joinRead && !joinRead.ok) {
      reject(joinRead.code);
      continue;
    }
    if (leaveRead && !leaveRead.ok) {
      reject(leaveRead.code);
      continue;
    }
    const durationText = cell(row, cols.duration);
    const reportedSeconds = durationText ? parseTextDuration(durationText) : undefined;
    if (durationText && reportedSeconds === undefined) notes.push('duration-unreadable');
    const resolved = resolveBoundaries(joinRead?.candidates ?? null, leaveRead?.candidates ?? null, reportedSeconds, TEAMS_DURATION_TOLERANCE_S);
    if (!resolved.ok) {
      reject(resolved.code);
      continue;
    }
    notes.push(...resolved.notes);
    const rawEmail = cell(row, cols.email);
    const email = readEmail(rawEmail);
    if (email.invalid) notes.push('email-invalid');
    const name = cleanName(cell(row, cols.name));
    let upn = cleanText(cell(row, cols.upn));
    if (!upn && cols.upn === undefined) upn = upnByPerson.get(personMatchKey(cell(row, cols.name), rawEmail)) ?? undefined;
    intervals.push(
      compact({
        source: 'teams-csv' as const,
        name,
        email: email.email,
        upn,
        role: cleanText(cell(row, cols.role)),
        join: resolved.join === null ? null : isoOf(resolved.join),
        leave: resolved.leave === null ? null : isoOf(resolved.leave),
        reportedSeconds,
        sourceRow: row.line,
        notes,
      }),
    );
  }
  checkRowCount(intervals.length);

  return {
    source: 'teams-csv',
    intervals,
    rejected: rejected.sort((a, b) => a.row - b.row),
    skipped: [],
    meta: compact({
      encoding,
      dateOrder: order,
      blocks: blocks.map((b) => `${b.number}. ${b.title}`),
      summary,
      title: summaryValue(/^(meeting title|title|titolo)/),
      start: summaryInstant(startText, order),
      end: summaryInstant(endText, order),
    }),
  };
}

function personMatchKey(name: string, email: string): string {
  return JSON.stringify([name.trim().toLowerCase(), email.trim().toLowerCase()]);
}

// ---------------------------------------------------------------------------------------------
// Graph attendanceRecords (JSON)
// ---------------------------------------------------------------------------------------------

export interface TeamsGraphMeta {
  /** `meetingAttendanceReport.id`, when the input is the report object. */
  reportId?: string;
  meetingStart?: string;
  meetingEnd?: string;
}

/**
 * Reads Graph attendance: a `meetingAttendanceReport` with `$expand=attendanceRecords`, the
 * `/attendanceRecords` list (`{ value: [...] }`), or a bare array of `attendanceRecord`s. One
 * interval per `attendanceIntervals[]` entry; `joinDateTime`/`leaveDateTime` null → unknown
 * boundary. Graph documents these as UTC, so a value without offset is read as UTC.
 * `sourceRow` is the 1-based index of the attendance record.
 *
 * Throws {@link ReportFormatError} `report-not-json` / `report-shape-unrecognised`.
 */
export function parseTeamsGraphAttendance(input: unknown): ReportResult<TeamsGraphMeta> {
  const doc = jsonInput(input);
  let list: unknown[] | undefined;
  const meta: TeamsGraphMeta = {};
  if (Array.isArray(doc)) list = doc;
  else if (isRecord(doc)) {
    list = arrayProp(doc, 'attendanceRecords') ?? arrayProp(doc, 'value');
    const id = cleanText(prop(doc, 'id'));
    if (id) meta.reportId = id;
    for (const [key, field] of [
      ['meetingStartDateTime', 'meetingStart'],
      ['meetingEndDateTime', 'meetingEnd'],
    ] as const) {
      const r = readJsonInstant(prop(doc, key), 'utc');
      if (r.ok && r.ms !== null) meta[field] = isoOf(r.ms);
    }
  }
  if (!list) throw new ReportFormatError('report-shape-unrecognised', 'not Graph attendance: no attendanceRecords/value array');
  checkRowCount(list.length);

  const intervals: ReportInterval[] = [];
  const rejected: ReportRejection[] = [];
  list.forEach((rec, i) => {
    const row = i + 1;
    const path = `attendanceRecords[${i}]`;
    if (!isRecord(rec)) {
      rejected.push({ row, path, code: 'row-not-an-object', message: REJECT_MESSAGES['row-not-an-object'] });
      return;
    }
    const identity = isRecord(prop(rec, 'identity')) ? (prop(rec, 'identity') as Record<string, unknown>) : {};
    const email = readEmail(prop(rec, 'emailAddress'));
    const base = {
      name: cleanName(prop(identity, 'displayName')),
      email: email.email,
      userId: cleanText(prop(identity, 'id')),
      registrantId: cleanText(prop(rec, 'registrationId')),
      role: cleanText(prop(rec, 'role')),
    };
    const ivs = arrayProp(rec, 'attendanceIntervals') ?? [];
    checkRowCount(intervals.length + ivs.length);
    ivs.forEach((iv, j) => {
      const ivPath = `${path}.attendanceIntervals[${j}]`;
      if (!isRecord(iv)) {
        rejected.push({ row, path: ivPath, code: 'row-not-an-object', message: REJECT_MESSAGES['row-not-an-object'] });
        return;
      }
      const presence = presenceOf(
        readJsonInstant(prop(iv, 'joinDateTime'), 'utc'),
        readJsonInstant(prop(iv, 'leaveDateTime'), 'utc'),
        { row, path: ivPath },
        rejected,
      );
      if (!presence) return;
      const { join: j0, leave: l0 } = presence;
      const seconds = prop(iv, 'durationInSeconds');
      intervals.push(
        compact({
          source: 'teams-graph' as const,
          ...base,
          join: j0 === null ? null : isoOf(j0),
          leave: l0 === null ? null : isoOf(l0),
          reportedSeconds: typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined,
          sourceRow: row,
          sourcePath: ivPath,
          notes: email.invalid ? ['email-invalid' as const] : [],
        }),
      );
    });
  });
  return { source: 'teams-graph', intervals, rejected, skipped: [], meta };
}
