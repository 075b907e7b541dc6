import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReportFormatError } from '../../adapters/webinar/reports/codes.ts';
import { parseTextDuration } from '../../adapters/webinar/reports/duration.ts';
import type { ReportInterval } from '../../adapters/webinar/reports/interval.ts';
import { parseTeamsAttendanceCsv, parseTeamsGraphAttendance, teamsColumnOf } from '../../adapters/webinar/reports/teams.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/reports/teams/${name}`, import.meta.url));

/** The fields a test compares: who, when, and how the time was read. */
const brief = (i: ReportInterval) => ({
  row: i.sourceRow,
  name: i.name,
  email: i.email,
  upn: i.upn,
  join: i.join,
  leave: i.leave,
  notes: i.notes,
});

function formatCode(fn: () => unknown): string | undefined {
  return formatError(fn)?.code;
}

function formatError(fn: () => unknown): ReportFormatError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ReportFormatError) return e;
    throw e;
  }
  return undefined;
}

describe('Teams attendance report (.csv, UTF-16LE, tab-separated, three blocks)', () => {
  it('the fixtures are what Teams writes: UTF-16LE with BOM, tabs, numbered blocks', () => {
    const bytes = fixture('attendance-en-gb.csv');
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const text = bytes.subarray(2).toString('utf16le');
    expect(text.startsWith('1. Summary\r\n')).toBe(true);
    expect(text).toContain('\r\n2. Participants\r\nName\tFirst join\tLast leave\tIn-meeting duration\tEmail\tParticipant ID (UPN)\tRole\r\n');
    expect(text).toContain('\r\n3. In-Meeting activities\r\nName\tJoin time\tLeave time\tDuration\tEmail\tRole\r\n');
  });

  it('the en-GB fixture has the layout of a real export (dvaneynde/teams-attendance IDL-15-11-22.csv): labels, blank lines, clock, durations', () => {
    const lines = fixture('attendance-en-gb.csv').subarray(2).toString('utf16le').split('\r\n');
    // Block 1 labels, in the real file's order; then one blank line before each next block.
    expect(lines.slice(0, 7).map((l) => l.split('\t')[0])).toEqual([
      '1. Summary',
      'Meeting title',
      'Attended participants',
      'Start time',
      'End time',
      'Meeting duration',
      'Average attendance time',
    ]);
    expect(lines.slice(7, 9)).toEqual(['', '2. Participants']);
    const activities = lines.indexOf('3. In-Meeting activities');
    expect(lines[activities - 1]).toBe('');
    expect(lines.filter((l) => l === '').length).toBe(3); // two separators and the final line break
    // The file ends with the last row's line break, no trailing blank block.
    expect(lines.at(-1)).toBe('');
    expect(lines.at(-2)).not.toBe('');
    // `15/11/22, 09:30:47` clock and `10m 59s`-style durations.
    const row = lines[activities + 2]!.split('\t');
    expect(row[1]).toMatch(/^\d{2}\/\d{2}\/\d{2}, \d{2}:\d{2}:\d{2}$/);
    expect(row[3]).toMatch(/^(\d+h )?(\d+m )?\d+s$/);
  });

  it('en-GB export: one interval per In-Meeting activities row, local times read on the Rome calendar (CET, +01:00)', () => {
    const r = parseTeamsAttendanceCsv(fixture('attendance-en-gb.csv'));
    expect(r.source).toBe('teams-csv');
    expect(r.rejected).toEqual([]);
    expect(r.skipped).toEqual([]);
    expect(r.intervals.map(brief)).toEqual([
      {
        row: 19,
        name: 'Formazione Ente (Organizer)',
        email: 'formazione@ente-formatore.example.it',
        upn: 'formazione@ente-formatore.example.it',
        join: '2026-03-10T13:52:10.000Z',
        leave: '2026-03-10T16:03:41.000Z',
        notes: [],
      },
      // Two join/leave pairs for one person (a reconnect), and Email ≠ UPN (UPN from block 2).
      {
        row: 20,
        name: 'Rossi, Maria',
        email: 'maria.rossi@studiorossi.example.it',
        upn: 'm.rossi@studiorossi.onmicrosoft.com',
        join: '2026-03-10T13:58:03.000Z',
        leave: '2026-03-10T14:47:30.000Z',
        notes: [],
      },
      {
        row: 21,
        name: 'Rossi, Maria',
        email: 'maria.rossi@studiorossi.example.it',
        upn: 'm.rossi@studiorossi.onmicrosoft.com',
        join: '2026-03-10T15:05:50.000Z',
        leave: '2026-03-10T16:00:12.000Z',
        notes: [],
      },
      {
        row: 22,
        name: 'Bianchi Luca',
        email: 'luca.bianchi@example.it',
        upn: 'luca.bianchi@example.it',
        join: '2026-03-10T14:01:45.000Z',
        leave: '2026-03-10T16:00:40.000Z',
        notes: [],
      },
      // A guest without e-mail or UPN: still an interval (kept and reported, R-ATT-7).
      {
        row: 23,
        name: 'Giulia Verdi (Guest)',
        email: undefined,
        upn: undefined,
        join: '2026-03-10T14:10:00.000Z',
        leave: '2026-03-10T15:30:00.000Z',
        notes: [],
      },
      {
        row: 24,
        name: 'Esposito Anna',
        email: 'anna.esposito@example.it',
        upn: 'anna.esposito@example.it',
        join: '2026-03-10T13:59:59.000Z',
        leave: '2026-03-10T15:59:58.000Z',
        notes: [],
      },
    ]);
    expect(r.intervals.map((i) => i.reportedSeconds)).toEqual([7891, 2967, 3262, 7135, 4800, 7199]);
    expect(r.intervals.map((i) => i.role)).toEqual(['Organizer', 'Attendee', 'Attendee', 'Attendee', 'Attendee', 'Presenter']);
    expect(r.meta).toMatchObject({
      encoding: 'utf-16le',
      dateOrder: 'dmy',
      blocks: ['1. Summary', '2. Participants', '3. In-Meeting activities'],
      title: 'Aggiornamento CCNL 2026 - Webinar',
      start: '2026-03-10T13:52:10.000Z',
      end: '2026-03-10T16:03:41.000Z',
    });
  });

  it('Italian export on 2026-10-25 (clocks back at 03:00): fold times resolved by order, by the row’s Durata, else earliest', () => {
    const r = parseTeamsAttendanceCsv(fixture('attendance-it.csv'));
    expect(r.rejected).toEqual([]);
    expect(r.meta.blocks).toEqual(['1. Riepilogo', '2. Partecipanti', '3. Attività durante la riunione']);
    expect(r.meta.start).toBe('2026-10-24T23:25:00.000Z'); // 01:25 CEST
    expect(r.meta.end).toBe('2026-10-25T02:35:00.000Z'); // 03:35 CET
    expect(r.intervals.map(brief)).toEqual([
      {
        row: 19,
        name: 'Ente Formatore',
        email: 'formazione@ente-formatore.example.it',
        upn: 'formazione@ente-formatore.example.it',
        join: '2026-10-24T23:25:00.000Z',
        leave: '2026-10-25T02:35:00.000Z', // 3h 10m of real time for 2h 10m of wall clock
        notes: [],
      },
      // 01:29:30 (+02:00) → 02:40: 00:40Z gives 1h 10m 30s, 01:40Z gives 2h 10m 30s = Durata.
      {
        row: 20,
        name: 'Maria Rossi',
        email: 'maria.rossi@studiorossi.example.it',
        upn: 'm.rossi@studiorossi.onmicrosoft.com',
        join: '2026-10-24T23:29:30.000Z',
        leave: '2026-10-25T01:40:00.000Z',
        notes: ['fold-resolved-by-duration'],
      },
      // 02:50 → 03:31 (+01:00 = 02:31Z): 00:50Z gives 1h 41m, 01:50Z gives 41m = Durata.
      {
        row: 21,
        name: 'Maria Rossi',
        email: 'maria.rossi@studiorossi.example.it',
        upn: 'm.rossi@studiorossi.onmicrosoft.com',
        join: '2026-10-25T01:50:00.000Z',
        leave: '2026-10-25T02:31:00.000Z',
        notes: ['fold-resolved-by-duration'],
      },
      // 02:15 → 02:05 only works as the first 02:15 (00:15Z) to the second 02:05 (01:05Z).
      {
        row: 22,
        name: 'Luca Bianchi',
        email: 'luca.bianchi@example.it',
        upn: 'luca.bianchi@example.it',
        join: '2026-10-25T00:15:00.000Z',
        leave: '2026-10-25T01:05:00.000Z',
        notes: ['fold-resolved-by-order'],
      },
      {
        row: 23,
        name: 'Ospite senza account',
        email: undefined,
        upn: undefined,
        join: '2026-10-24T23:40:00.000Z',
        leave: '2026-10-25T02:20:00.000Z',
        notes: [],
      },
      // 02:30 → 02:45, 15m: both occurrences fit; the first one is taken (as romeLocalToUtc).
      {
        row: 24,
        name: 'Anna Esposito',
        email: 'anna.esposito@example.it',
        upn: 'anna.esposito@example.it',
        join: '2026-10-25T00:30:00.000Z',
        leave: '2026-10-25T00:45:00.000Z',
        notes: ['fold-resolved-earliest'],
      },
    ]);
    expect(r.intervals.map((i) => i.role)).toEqual(['Organizzatore', 'Partecipante', 'Partecipante', 'Partecipante', 'Partecipante', 'Relatore']);
  });

  it('en-US export on 2026-03-29 (clocks forward at 02:00): 12-hour clock, month first, 1:45 AM → 3:15 AM is 30 minutes', () => {
    const r = parseTeamsAttendanceCsv(fixture('attendance-en-us.csv'));
    expect(r.rejected).toEqual([]);
    expect(r.meta.dateOrder).toBe('mdy');
    expect(r.intervals.map((i) => [i.name, i.join, i.leave, i.reportedSeconds])).toEqual([
      ['Training Office', '2026-03-28T23:55:00.000Z', '2026-03-29T02:05:00.000Z', 7800],
      ['Maria Rossi', '2026-03-29T00:45:00.000Z', '2026-03-29T01:15:00.000Z', 1800],
      ['Maria Rossi', '2026-03-29T01:20:10.000Z', '2026-03-29T02:00:00.000Z', 2390],
      ['Guest User', '2026-03-29T00:05:00.000Z', '2026-03-29T01:55:00.000Z', 6600],
    ]);
    expect(r.intervals[1]!.upn).toBe('m.rossi@studiorossi.onmicrosoft.com');
  });

  it('damaged rows are rejected with their line and a stable code; the rest is read', () => {
    const r = parseTeamsAttendanceCsv(fixture('attendance-damaged.csv'));
    expect(r.rejected).toEqual([
      { row: 12, code: 'time-unreadable', message: expect.any(String) }, // 25:61:00
      { row: 13, code: 'leave-before-join', message: expect.any(String) },
      { row: 14, code: 'time-nonexistent', message: expect.any(String) }, // 29/03/26 02:30 does not exist in Rome
    ]);
    expect(r.intervals.map(brief)).toEqual([
      {
        row: 11,
        name: 'Rossi, Maria',
        email: 'maria.rossi@studiorossi.example.it',
        upn: 'm.rossi@studiorossi.onmicrosoft.com',
        join: '2026-03-10T13:58:03.000Z',
        leave: '2026-03-10T14:47:30.000Z',
        notes: [],
      },
      // No leave (report taken while the meeting ran): an open interval; e-mail text that is not an address is dropped.
      { row: 15, name: 'Verdi Giulia', email: undefined, upn: undefined, join: '2026-03-10T14:10:00.000Z', leave: null, notes: ['email-invalid'] },
      {
        row: 16,
        name: 'Rossi, Maria',
        email: 'maria.rossi@studiorossi.example.it',
        upn: 'm.rossi@studiorossi.onmicrosoft.com',
        join: '2026-03-10T15:05:50.000Z',
        leave: '2026-03-10T16:00:12.000Z',
        notes: ['duration-unreadable'],
      },
    ]);
  });

  it('reads the same report whatever the encoding: UTF-8 with BOM, UTF-16BE, UTF-16LE without BOM, a decoded string', () => {
    const bytes = fixture('attendance-en-gb.csv');
    const text = bytes.subarray(2).toString('utf16le');
    const reference = parseTeamsAttendanceCsv(bytes).intervals;
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]);
    expect(parseTeamsAttendanceCsv(utf8).meta.encoding).toBe('utf-8');
    expect(parseTeamsAttendanceCsv(utf8).intervals).toEqual(reference);
    expect(parseTeamsAttendanceCsv(be).meta.encoding).toBe('utf-16be');
    expect(parseTeamsAttendanceCsv(be).intervals).toEqual(reference);
    expect(parseTeamsAttendanceCsv(le).meta.encoding).toBe('utf-16le');
    expect(parseTeamsAttendanceCsv(le).intervals).toEqual(reference);
    expect(parseTeamsAttendanceCsv(text).intervals).toEqual(reference);
    // LF instead of CRLF: same intervals, same line numbers.
    expect(parseTeamsAttendanceCsv(text.replace(/\r\n/g, '\n')).intervals).toEqual(reference);
  });

  it('accepts header variants (case, Italian names, UPN in the activities block) and newer no-break spaces before AM/PM', () => {
    const file = [
      '1. Summary',
      '3. IN-MEETING ACTIVITIES',
      ['NOME', 'ORA DI INGRESSO', 'ORA DI USCITA', 'DURATA', 'E-mail', 'ID partecipante (UPN)', 'Ruolo'].join('\t'),
      [
        'Maria Rossi',
        '3/10/26, 2:58:03\u202fPM',
        '3/10/26, 3:47:30\u202fPM',
        '49m 27s',
        'maria.rossi@example.it',
        'm.rossi@tenant.example.it',
        'Partecipante',
      ].join('\t'),
    ].join('\n');
    const r = parseTeamsAttendanceCsv(file);
    expect(r.rejected).toEqual([]);
    expect(r.intervals.map(brief)).toEqual([
      {
        row: 4,
        name: 'Maria Rossi',
        email: 'maria.rossi@example.it',
        upn: 'm.rossi@tenant.example.it',
        join: '2026-03-10T13:58:03.000Z',
        leave: '2026-03-10T14:47:30.000Z',
        notes: [],
      },
    ]);
    expect(teamsColumnOf('In-Meeting Duration')).toBe('duration');
    expect(teamsColumnOf('Participant ID (UPN)')).toBe('upn');
    expect(teamsColumnOf('Indirizzo di posta elettronica')).toBe('email');
    expect(teamsColumnOf('First Join')).toBe('join');
    expect(teamsColumnOf('Ultima uscita')).toBe('leave');
    expect(teamsColumnOf('Nome')).toBe('name');
    expect(teamsColumnOf('Ruolo')).toBe('role');
    expect(teamsColumnOf('Something else')).toBeUndefined();
  });

  it('Italian headers are matched by meaning, since no real Italian export was found: other plausible wordings read the same', () => {
    const file = [
      '1. Riepilogo',
      '',
      '3. Attività in riunione',
      ['Nome', 'Ora di partecipazione', 'Ora di abbandono', 'Durata', 'E-mail', 'Ruolo'].join('\t'),
      ['Maria Rossi', '10/03/26, 14:58:03', '10/03/26, 15:47:30', '49 min 27 s', 'maria.rossi@example.it', 'Partecipante'].join('\t'),
    ].join('\n');
    const r = parseTeamsAttendanceCsv(file);
    expect(r.rejected).toEqual([]);
    expect(r.intervals.map((i) => [i.name, i.email, i.join, i.leave, i.reportedSeconds, i.role])).toEqual([
      ['Maria Rossi', 'maria.rossi@example.it', '2026-03-10T13:58:03.000Z', '2026-03-10T14:47:30.000Z', 2967, 'Partecipante'],
    ]);
    expect(teamsColumnOf('Primo accesso')).toBe('join');
    expect(teamsColumnOf('Ora di abbandono')).toBe('leave');
    expect(teamsColumnOf('Durata partecipazione')).toBe('duration');
  });

  it('durations in other locales’ units are read (Teams localises them: Polish writes "1 godz. 3 min 5 sek.")', () => {
    expect(parseTextDuration('1h 25m 0s')).toBe(5100);
    expect(parseTextDuration('1 godz. 3 min 5 sek.')).toBe(3785);
    expect(parseTextDuration('2 ore 10 minuti')).toBe(7800);
    expect(parseTextDuration('49 min 27 s')).toBe(2967);
    expect(parseTextDuration('circa un’ora')).toBeUndefined();
  });

  it('an explicit date order overrides detection (a file whose dates are all ≤ 12 is ambiguous)', () => {
    const file = ['3. In-Meeting activities', 'Name\tJoin time\tLeave time\tEmail', 'A\t03/10/26, 15:00:00\t03/10/26, 16:00:00\ta@example.it'].join('\n');
    expect(parseTeamsAttendanceCsv(file).intervals[0]!.join).toBe('2026-10-03T13:00:00.000Z'); // default: day first (CEST)
    expect(parseTeamsAttendanceCsv(file, { dateOrder: 'mdy' }).intervals[0]!.join).toBe('2026-03-10T14:00:00.000Z');
  });

  it('throws a typed error only when the whole file is not a usable Teams report', () => {
    expect(formatCode(() => parseTeamsAttendanceCsv(new Uint8Array()))).toBe('report-empty');
    expect(formatCode(() => parseTeamsAttendanceCsv('Name,Email\nA,a@example.it\n'))).toBe('report-blocks-missing');
    // "Only who attended": no join/leave columns.
    expect(formatCode(() => parseTeamsAttendanceCsv('1. Summary\n3. In-Meeting activities\nName\tEmail\tRole\nA\ta@example.it\tAttendee\n'))).toBe(
      'report-columns-missing',
    );
    const mixed = [
      '3. In-Meeting activities',
      'Name\tJoin time\tLeave time',
      'A\t25/10/26, 10:00:00\t25/10/26, 11:00:00',
      'B\t10/25/26, 10:00:00\t10/25/26, 11:00:00',
    ].join('\n');
    expect(formatCode(() => parseTeamsAttendanceCsv(mixed))).toBe('report-date-order-conflict');
  });
});

describe('Teams: headers the adapter does not know fail loudly, with what is missing', () => {
  it('unknown join/leave headers → report-columns-missing, `missing` lists the roles, the message the headers read', () => {
    // Headers in a locale the adapter does not match (German-like).
    const file = [
      '1. Zusammenfassung',
      '',
      '3. Aktivitäten in der Besprechung',
      'Name\tBeitrittszeit\tAustrittszeit\tDauer\tE-Mail\tRolle',
      'A\t10.03.26, 15:00:00\t10.03.26, 16:00:00\t1h\ta@example.it\tTeilnehmer',
    ].join('\n');
    const e = formatError(() => parseTeamsAttendanceCsv(file));
    expect(e?.code).toBe('report-columns-missing');
    expect(e?.missing).toEqual(['join', 'leave']);
    expect(e?.message).toContain('"Beitrittszeit"');
    expect(e?.message).toContain('"3. Aktivitäten in der Besprechung"');
  });

  it('join/leave found but no name, e-mail or UPN column → report-columns-missing ["name or email"]', () => {
    const file = ['3. In-Meeting activities', 'Join time\tLeave time\tDuration', '10/03/26, 15:00:00\t10/03/26, 16:00:00\t1h'].join('\n');
    const e = formatError(() => parseTeamsAttendanceCsv(file));
    expect(e?.code).toBe('report-columns-missing');
    expect(e?.missing).toEqual(['name or email']);
  });

  it('no activities block → report-blocks-missing, naming the numbered blocks it did find', () => {
    const e = formatError(() =>
      parseTeamsAttendanceCsv('1. Summary\nMeeting title\tX\n\n2. Participants\nName\tFirst join\tLast leave\nA\t10/03/26, 15:00:00\t10/03/26, 16:00:00\n'),
    );
    expect(e?.code).toBe('report-blocks-missing');
    expect(e?.message).toContain('"1. Summary", "2. Participants"');
  });
});

describe('Teams Graph attendanceRecords (JSON)', () => {
  it('one interval per attendanceIntervals entry; 7-digit fractions truncated to ms; nulls are unknown boundaries', () => {
    const r = parseTeamsGraphAttendance(fixture('attendance-records.json'));
    expect(r.source).toBe('teams-graph');
    expect(r.rejected).toEqual([]);
    expect(r.meta).toEqual({
      reportId: 'c9b6db1c-d5eb-427d-a5c0-20088d9b22d7',
      meetingStart: '2026-03-10T13:52:10.234Z',
      meetingEnd: '2026-03-10T16:03:41.555Z',
    });
    expect(
      r.intervals.map((i) => ({
        row: i.sourceRow,
        path: i.sourcePath,
        email: i.email,
        userId: i.userId,
        registrantId: i.registrantId,
        join: i.join,
        leave: i.leave,
      })),
    ).toEqual([
      {
        row: 1,
        path: 'attendanceRecords[0].attendanceIntervals[0]',
        email: 'formazione@ente-formatore.example.it',
        userId: 'dc17674c-81d9-4adb-bfb2-8f6a442e4622',
        registrantId: undefined,
        join: '2026-03-10T13:52:10.234Z',
        leave: '2026-03-10T16:03:41.555Z',
      },
      {
        row: 2,
        path: 'attendanceRecords[1].attendanceIntervals[0]',
        email: 'maria.rossi@studiorossi.example.it',
        userId: '57caaef9-5ed0-48d5-8862-e5abfa71b3e9',
        registrantId: 'f3b7e0a2-9c41-4c52-8d3e-2a1b0c9d8e7f',
        join: '2026-03-10T13:58:03.123Z',
        leave: '2026-03-10T14:47:30.987Z',
      },
      {
        row: 2,
        path: 'attendanceRecords[1].attendanceIntervals[1]',
        email: 'maria.rossi@studiorossi.example.it',
        userId: '57caaef9-5ed0-48d5-8862-e5abfa71b3e9',
        registrantId: 'f3b7e0a2-9c41-4c52-8d3e-2a1b0c9d8e7f',
        join: '2026-03-10T15:05:50.001Z',
        leave: '2026-03-10T16:00:12.456Z',
      },
      // Guest: empty emailAddress, identity.id null.
      {
        row: 3,
        path: 'attendanceRecords[2].attendanceIntervals[0]',
        email: undefined,
        userId: undefined,
        registrantId: undefined,
        join: '2026-03-10T14:10:00.500Z',
        leave: '2026-03-10T15:30:00.500Z',
      },
      // "When data is missing join/leave are null and duration 0".
      {
        row: 4,
        path: 'attendanceRecords[3].attendanceIntervals[0]',
        email: 'luca.bianchi@example.it',
        userId: '0b9d2c1e-7a64-4f3b-b1de-98c7a6f5e432',
        registrantId: undefined,
        join: null,
        leave: null,
      },
      {
        row: 5,
        path: 'attendanceRecords[4].attendanceIntervals[0]',
        email: 'anna.esposito@example.it',
        userId: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7',
        registrantId: undefined,
        join: '2026-03-10T13:59:59.000Z',
        leave: null,
      },
    ]);
    expect(r.intervals.map((i) => i.role)).toEqual(['Organizer', 'Attendee', 'Attendee', 'Attendee', 'Attendee', 'Presenter']);
    expect(r.intervals[1]!.reportedSeconds).toBe(2967);
  });

  it('accepts the list shape `{ value: [...] }`, a bare array, and raw bytes', () => {
    const doc = JSON.parse(fixture('attendance-records.json').toString('utf8')) as { attendanceRecords: unknown[] };
    const reference = parseTeamsGraphAttendance(doc).intervals;
    expect(parseTeamsGraphAttendance({ value: doc.attendanceRecords }).intervals).toEqual(reference);
    expect(parseTeamsGraphAttendance(doc.attendanceRecords).intervals).toEqual(reference);
    expect(parseTeamsGraphAttendance(fixture('attendance-records.json')).intervals).toEqual(reference);
  });

  it('rejects unusable entries with a stable code and path, never throwing', () => {
    const r = parseTeamsGraphAttendance({
      value: [
        'not an object',
        {
          emailAddress: 'a@example.it',
          attendanceIntervals: [
            { joinDateTime: 'yesterday', leaveDateTime: null },
            { joinDateTime: '2026-03-10T15:00:00Z', leaveDateTime: '2026-03-10T14:00:00Z' },
            { joinDateTime: '2026-03-10T14:00:00', leaveDateTime: '2026-03-10T15:00:00+01:00' }, // naive = UTC (Graph)
            { joinDateTime: '1601-01-01T00:00:00Z', leaveDateTime: null },
          ],
        },
      ],
    });
    expect(r.rejected).toEqual([
      { row: 1, path: 'attendanceRecords[0]', code: 'row-not-an-object', message: expect.any(String) },
      { row: 2, path: 'attendanceRecords[1].attendanceIntervals[0]', code: 'time-unreadable', message: expect.any(String) },
      { row: 2, path: 'attendanceRecords[1].attendanceIntervals[1]', code: 'leave-before-join', message: expect.any(String) },
      { row: 2, path: 'attendanceRecords[1].attendanceIntervals[3]', code: 'time-implausible', message: expect.any(String) },
    ]);
    expect(r.intervals.map((i) => [i.join, i.leave])).toEqual([['2026-03-10T14:00:00.000Z', '2026-03-10T14:00:00.000Z']]);
  });

  it('throws for input that is not Graph attendance', () => {
    expect(formatCode(() => parseTeamsGraphAttendance('{not json'))).toBe('report-not-json');
    expect(formatCode(() => parseTeamsGraphAttendance({ participants: [] }))).toBe('report-shape-unrecognised');
    expect(formatCode(() => parseTeamsGraphAttendance(''))).toBe('report-empty');
  });
});
