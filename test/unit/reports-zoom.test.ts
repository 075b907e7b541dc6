import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReportFormatError } from '../../adapters/webinar/reports/codes.ts';
import { parseZoomParticipantsCsv, parseZoomParticipantsJson } from '../../adapters/webinar/reports/zoom-report.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/reports/zoom/${name}`, import.meta.url));

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

describe('Zoom webinar attendee report (CSV download)', () => {
  it('reads every section with join/leave columns; one row per connection; times are Rome local (CET)', () => {
    const r = parseZoomParticipantsCsv(fixture('attendee-report.csv'));
    expect(r.source).toBe('zoom-csv');
    expect(r.rejected).toEqual([]);
    expect(r.meta).toEqual({
      encoding: 'utf-8',
      dateOrder: 'mdy',
      topic: 'Aggiornamento CCNL 2026',
      meetingId: '812 3456 7890',
      sections: ['Host Details', 'Panelist Details', 'Attendee Details'],
    });
    expect(r.intervals.map((i) => [i.sourceRow, i.role, i.name, i.email, i.join, i.leave, i.reportedSeconds])).toEqual([
      [7, 'host', 'Formazione Ente', 'formazione@ente-formatore.example.it', '2026-03-10T13:55:02.000Z', '2026-03-10T16:02:40.000Z', 128 * 60],
      [10, 'panelist', 'Anna Esposito', 'anna.esposito@example.it', '2026-03-10T13:58:10.000Z', '2026-03-10T16:00:05.000Z', 122 * 60],
      [13, 'attendee', 'Maria Rossi', 'maria.rossi@example.it', '2026-03-10T13:59:01.000Z', '2026-03-10T14:47:30.000Z', 49 * 60],
      [14, 'attendee', 'Maria Rossi', 'maria.rossi@example.it', '2026-03-10T15:05:50.000Z', '2026-03-10T16:00:12.000Z', 55 * 60],
      [15, 'attendee', 'Bianchi, Luca', 'luca.bianchi@example.it', '2026-03-10T14:01:45.000Z', '2026-03-10T16:00:40.000Z', 119 * 60],
      [16, 'attendee', 'Giulia Verdi', undefined, '2026-03-10T14:10:00.000Z', '2026-03-10T15:30:00.000Z', 80 * 60],
    ]);
    expect(r.skipped).toEqual([{ row: 17, code: 'not-attended', message: expect.any(String) }]);
  });

  it('usage participants export on 2026-10-25: waiting-room rows skipped, fold times resolved by Duration (Minutes) or order', () => {
    const r = parseZoomParticipantsCsv(fixture('participants-usage.csv'));
    expect(r.rejected).toEqual([]);
    expect(r.meta).toMatchObject({ encoding: 'utf-8', dateOrder: 'mdy', topic: 'Deontologia professionale (notturno)', meetingId: '81234567890' });
    expect(r.skipped).toEqual([{ row: 6, code: 'waiting-room', message: expect.any(String) }]);
    expect(r.intervals.map((i) => [i.sourceRow, i.name, i.email, i.join, i.leave, i.notes])).toEqual([
      [5, 'Ente Formatore', 'formazione@ente-formatore.example.it', '2026-10-24T23:25:00.000Z', '2026-10-25T02:35:00.000Z', []],
      // 01:29:30 +02:00 → 02:40: 131 minutes only fits the second 02:40 (+01:00).
      [7, 'Maria Rossi (Maria)', 'maria.rossi@example.it', '2026-10-24T23:29:30.000Z', '2026-10-25T01:40:00.000Z', ['fold-resolved-by-duration']],
      [8, 'Luca Bianchi', 'luca.bianchi@example.it', '2026-10-25T00:15:00.000Z', '2026-10-25T01:05:00.000Z', ['fold-resolved-by-order']],
      [9, 'Ospite', undefined, '2026-10-24T23:40:00.000Z', '2026-10-25T02:20:00.000Z', []],
    ]);
  });

  it('reads the older "Mar 28, 2020 08:07:27" time format and the export "with meeting data" (repeated headers: the participant’s are last)', () => {
    const old = [
      'Attendee Report,',
      'Attendee Details,',
      'Attended,User Name,Email,Join Time,Leave Time,Time in Session (minutes),Country/Region Name',
      'Yes,Maria,maria@example.it,"Mar 10, 2026 15:04:05","Mar 10, 2026 16:00:00",56,Italy',
    ].join('\n');
    expect(parseZoomParticipantsCsv(old).intervals.map((i) => [i.name, i.join, i.leave])).toEqual([
      ['Maria', '2026-03-10T14:04:05.000Z', '2026-03-10T15:00:00.000Z'],
    ]);

    const combined = [
      'Topic,Meeting ID,User Name,User Email,Department,Start Time,End Time,Duration (Minutes),Participants,Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest',
      'Corso,852 1848 6288,Host,host@example.it,HR,07/01/2026 10:00 AM,07/01/2026 11:00 AM,60,2,Maria Rossi,maria@example.it,07/01/2026 10:02:00 AM,07/01/2026 10:58:00 AM,56,No',
    ].join('\n');
    const r = parseZoomParticipantsCsv(combined);
    expect(r.intervals.map((i) => [i.name, i.email, i.join, i.leave, i.reportedSeconds])).toEqual([
      ['Maria Rossi', 'maria@example.it', '2026-07-01T08:02:00.000Z', '2026-07-01T08:58:00.000Z', 56 * 60],
    ]);
  });

  it('rejects unreadable rows with their line and code; `--` is an unknown boundary', () => {
    const csv = [
      'Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest',
      'A,a@example.it,03/10/2026 03:00:00 PM,03/10/2026 02:00:00 PM,60,No',
      'B,b@example.it,13/45/2026 03:00:00 PM,03/10/2026 04:00:00 PM,60,No',
      'C,c@example.it,03/29/2026 02:15:00 AM,03/29/2026 04:00:00 AM,45,No',
      'D,d@example.it,03/10/2026 03:00:00 PM,--,--,No',
      'E,not-an-email,03/10/2026 03:00:00 PM,03/10/2026 04:00:00 PM,60,No',
    ].join('\r\n');
    const r = parseZoomParticipantsCsv(csv);
    expect(r.rejected.map((x) => [x.row, x.code])).toEqual([
      [2, 'leave-before-join'],
      [3, 'time-unreadable'],
      [4, 'time-nonexistent'],
    ]);
    expect(r.intervals.map((i) => [i.sourceRow, i.email, i.join, i.leave, i.notes])).toEqual([
      [5, 'd@example.it', '2026-03-10T14:00:00.000Z', null, []],
      [6, undefined, '2026-03-10T14:00:00.000Z', '2026-03-10T15:00:00.000Z', ['email-invalid']],
    ]);
  });

  it('throws a typed error when no participant table is found', () => {
    expect(formatCode(() => parseZoomParticipantsCsv(''))).toBe('report-empty');
    expect(formatCode(() => parseZoomParticipantsCsv('Topic,Webinar ID\nX,1\n'))).toBe('report-columns-missing');
  });
});

describe('Zoom CSV variants seen in real exports', () => {
  it('attendee report padded with commas to the widest table, "Mar 10, 2026 14:55:02" times, a custom registration question', () => {
    const raw = fixture('attendee-report-padded.csv').toString('utf8');
    // The shape of the real export: every row padded to the widest table (here 14 columns).
    expect(
      raw
        .split('\r\n')
        .filter(Boolean)
        .every((line) => parseCsvWidth(line) === 14),
    ).toBe(true);
    expect(raw.startsWith('Attendee Report,,,,,,,,,,,,,\r\nReport Generated:,"Mar 10, 2026 5:40 PM",,,,,,,,,,,,\r\n')).toBe(true);
    expect(raw).toContain(
      '\r\nHost Details,,,,,,,,,,,,,\r\nAttended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name,,,,,,\r\n',
    );

    const r = parseZoomParticipantsCsv(fixture('attendee-report-padded.csv'));
    expect(r.rejected).toEqual([]);
    expect(r.meta).toEqual({
      encoding: 'utf-8',
      dateOrder: 'mdy',
      topic: 'Aggiornamento CCNL 2026',
      meetingId: '812 3456 7890',
      sections: ['Host Details', 'Panelist Details', 'Attendee Details'],
    });
    // Section rows are titles, not participants: no interval without a name and times.
    expect(r.intervals.map((i) => [i.sourceRow, i.role, i.name, i.email, i.join, i.leave, i.reportedSeconds])).toEqual([
      [7, 'host', 'Formazione Ente', 'formazione@ente-formatore.example.it', '2026-03-10T13:55:02.000Z', '2026-03-10T16:02:40.000Z', 128 * 60],
      [10, 'panelist', 'Anna Esposito', 'anna.esposito@example.it', '2026-03-10T13:58:10.000Z', '2026-03-10T16:00:05.000Z', 122 * 60],
      [13, 'attendee', 'Maria Rossi', 'maria.rossi@example.it', '2026-03-10T13:59:01.000Z', '2026-03-10T14:47:30.000Z', 49 * 60],
      [14, 'attendee', 'Maria Rossi', 'maria.rossi@example.it', '2026-03-10T15:05:50.000Z', '2026-03-10T16:00:12.000Z', 55 * 60],
      [15, 'attendee', 'Bianchi, Luca', 'luca.bianchi@example.it', '2026-03-10T14:01:45.000Z', '2026-03-10T16:00:40.000Z', 119 * 60],
    ]);
    expect(r.skipped).toEqual([{ row: 16, code: 'not-attended', message: expect.any(String) }]);
  });

  it('usage export, older title case: meeting header, a ",,,,,," separator row, then the participants', () => {
    const raw = fixture('participants-usage.csv').toString('utf8');
    expect(raw.split('\r\n').slice(0, 4)).toEqual([
      'Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants',
      expect.stringMatching(/^81234567890,/),
      ',,,,,,',
      'Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Disclaimer Response,In Waiting Room',
    ]);
  });

  it('usage export, newer lower-case headers ("Name (original name)", "Email", "Join time", "In waiting room") and an "ID" column', () => {
    const r = parseZoomParticipantsCsv(fixture('participants-usage-lowercase.csv'));
    expect(r.rejected).toEqual([]);
    expect(r.meta).toEqual({ encoding: 'utf-8', dateOrder: 'mdy', topic: 'Aggiornamento CCNL 2026', meetingId: '812 3456 7890', sections: [''] });
    expect(r.skipped).toEqual([{ row: 6, code: 'waiting-room', message: expect.any(String) }]);
    expect(r.intervals.map((i) => [i.sourceRow, i.name, i.email, i.join, i.leave, i.reportedSeconds])).toEqual([
      [5, 'Formazione Ente', 'formazione@ente-formatore.example.it', '2026-03-10T13:55:02.000Z', '2026-03-10T16:02:40.000Z', 128 * 60],
      [7, 'Maria Rossi', 'maria.rossi@example.it', '2026-03-10T13:59:01.000Z', '2026-03-10T14:47:30.000Z', 49 * 60],
      [8, 'Maria Rossi', 'maria.rossi@example.it', '2026-03-10T15:05:50.000Z', '2026-03-10T16:00:12.000Z', 55 * 60],
      [9, 'Ospite', undefined, '2026-03-10T14:10:00.000Z', '2026-03-10T15:30:00.000Z', 80 * 60],
    ]);
  });

  it('usage export in the Italian locale: Italian headers, "Sì", and day-first dates with a 12-hour clock (10/03 is 10 March)', () => {
    const r = parseZoomParticipantsCsv(fixture('participants-usage-it.csv'));
    expect(r.rejected).toEqual([]);
    // Every date is 10/03/2026 (ambiguous) with AM/PM: the Italian headers decide day first.
    expect(r.meta).toEqual({ encoding: 'utf-8', dateOrder: 'dmy', topic: 'Aggiornamento CCNL 2026', meetingId: '812 3456 7890', sections: [''] });
    expect(r.skipped).toEqual([{ row: 6, code: 'waiting-room', message: expect.any(String) }]); // In sala d'attesa = Sì
    expect(r.intervals.map((i) => [i.sourceRow, i.name, i.email, i.join, i.leave, i.reportedSeconds])).toEqual([
      [5, 'Formazione Ente', 'formazione@ente-formatore.example.it', '2026-03-10T13:55:02.000Z', '2026-03-10T16:02:40.000Z', 128 * 60],
      [7, 'Maria Rossi', 'maria.rossi@example.it', '2026-03-10T13:59:01.000Z', '2026-03-10T14:47:30.000Z', 49 * 60],
      [8, 'Maria Rossi', 'maria.rossi@example.it', '2026-03-10T15:05:50.000Z', '2026-03-10T16:00:12.000Z', 55 * 60],
      [9, 'Luca Bianchi', 'luca.bianchi@example.it', '2026-03-10T14:01:45.000Z', '2026-03-10T16:00:40.000Z', 119 * 60],
    ]);
    // A date over 12 in the first place is still day first; an explicit order still wins.
    expect(parseZoomParticipantsCsv(fixture('participants-usage-it.csv'), { dateOrder: 'mdy' }).intervals[0]!.join).toBe('2026-10-03T12:55:02.000Z');
  });

  it('a row with neither a join nor a leave time is skipped (no-attendance), not read as an empty interval', () => {
    const csv = [
      'Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)',
      'A,a@example.it,--,--,--',
      'B,b@example.it,03/10/2026 03:00:00 PM,,',
      // Only the first cell filled, not followed by a header: a row, not a section title that would end the table.
      'Solo nome,,,,',
      'C,c@example.it,03/10/2026 03:00:00 PM,03/10/2026 04:00:00 PM,60',
    ].join('\n');
    const r = parseZoomParticipantsCsv(csv);
    expect(r.skipped).toEqual([
      { row: 2, code: 'no-attendance', message: expect.any(String) },
      { row: 4, code: 'no-attendance', message: expect.any(String) },
    ]);
    expect(r.intervals.map((i) => [i.email, i.join, i.leave])).toEqual([
      ['b@example.it', '2026-03-10T14:00:00.000Z', null],
      ['c@example.it', '2026-03-10T14:00:00.000Z', '2026-03-10T15:00:00.000Z'],
    ]);
  });

  it('unknown headers fail with report-columns-missing naming what is missing and the headers read, never an empty result', () => {
    // A locale the adapter does not know (German-like headers).
    const german = [
      'Name (ursprünglicher Name),E-Mail,Beitrittszeit,Austrittszeit,Dauer (Minuten)',
      'A,a@example.it,10.03.2026 15:00:00,10.03.2026 16:00:00,60',
    ].join('\n');
    const e = formatError(() => parseZoomParticipantsCsv(german));
    expect(e?.code).toBe('report-columns-missing');
    expect(e?.missing).toEqual(['join', 'leave']);
    expect(e?.message).toContain('"Beitrittszeit"');
    // Join and leave found, but nothing that says who.
    const anonymous = ['Join Time,Leave Time,Duration (Minutes)', '03/10/2026 03:00:00 PM,03/10/2026 04:00:00 PM,60'].join('\n');
    const e2 = formatError(() => parseZoomParticipantsCsv(anonymous));
    expect(e2?.code).toBe('report-columns-missing');
    expect(e2?.missing).toEqual(['name or email']);
    expect(e2?.message).toContain('"Join Time", "Leave Time", "Duration (Minutes)"');
  });
});

/** Number of cells of one CSV line (quoted commas inside fields are not separators). */
function parseCsvWidth(line: string): number {
  return line.replace(/"[^"]*"/g, 'x').split(',').length;
}

describe('Zoom REST report (/report/webinars/{id}/participants)', () => {
  it('one interval per participant entry; identity from registrant_id / participant_user_id / user_email, never user_id', () => {
    const r = parseZoomParticipantsJson(fixture('participants-report.json'));
    expect(r.source).toBe('zoom-api');
    expect(r.rejected).toEqual([]);
    expect(r.meta).toEqual({ pages: 1, totalRecords: 6 });
    expect(r.skipped).toEqual([{ row: 5, path: 'participants[4]', code: 'waiting-room', message: expect.any(String) }]);
    expect(
      r.intervals.map((i) => ({
        row: i.sourceRow,
        name: i.name,
        email: i.email,
        userId: i.userId,
        registrantId: i.registrantId,
        conn: i.connectionRef,
        join: i.join,
        leave: i.leave,
        s: i.reportedSeconds,
      })),
    ).toEqual([
      {
        row: 1,
        name: 'Maria Rossi',
        email: 'maria.rossi@example.it',
        userId: 'iFxeBPYun6SAiWUzBcEkX',
        registrantId: 'U0BBBBBBBBBBfrUz1Q',
        conn: '16778240',
        join: '2026-03-10T13:59:01.000Z',
        leave: '2026-03-10T14:47:30.000Z',
        s: 2909,
      },
      {
        row: 2,
        name: 'Maria Rossi',
        email: 'maria.rossi@example.it',
        userId: 'iFxeBPYun6SAiWUzBcEkX',
        registrantId: 'U0BBBBBBBBBBfrUz1Q',
        conn: '16779264',
        join: '2026-03-10T15:05:50.000Z',
        leave: '2026-03-10T16:00:12.000Z',
        s: 3262,
      },
      {
        row: 3,
        name: 'Bianchi, Luca',
        email: 'luca.bianchi@example.it',
        userId: undefined,
        registrantId: '9tboDiHUQAeOnbmudzWa5g',
        conn: '16780288',
        join: '2026-03-10T14:01:45.000Z',
        leave: '2026-03-10T16:00:40.000Z',
        s: 7135,
      },
      {
        row: 4,
        name: 'Giulia Verdi',
        email: undefined,
        userId: undefined,
        registrantId: undefined,
        conn: '16781312',
        join: '2026-03-10T14:10:00.000Z',
        leave: '2026-03-10T15:30:00.000Z',
        s: 4800,
      },
      {
        row: 6,
        name: 'Anna Esposito',
        email: 'anna.esposito@example.it',
        userId: 'ZqM0fJYQRmOeQx3a1bCdEf',
        registrantId: undefined,
        conn: '16783360',
        join: '2026-03-10T13:58:10.000Z',
        leave: '2026-03-10T16:00:05.000Z',
        s: 7315,
      },
    ]);
  });

  it('accepts an array of pages, numbering rows across them', () => {
    const page = JSON.parse(fixture('participants-report.json').toString('utf8')) as { participants: unknown[] };
    const r = parseZoomParticipantsJson([
      { ...page, participants: page.participants.slice(0, 2) },
      { ...page, participants: page.participants.slice(2) },
    ]);
    expect(r.meta.pages).toBe(2);
    expect(r.intervals.map((i) => [i.sourceRow, i.sourcePath])).toEqual([
      [1, '[0].participants[0]'],
      [2, '[0].participants[1]'],
      [3, '[1].participants[0]'],
      [4, '[1].participants[1]'],
      [6, '[1].participants[3]'],
    ]);
    expect(r.intervals.map((i) => i.join)).toEqual(parseZoomParticipantsJson(page).intervals.map((i) => i.join));
  });

  it('rejects bad entries with a stable code; missing leave_time is an open interval', () => {
    const r = parseZoomParticipantsJson({
      participants: [
        42,
        { user_email: 'a@example.it', join_time: '2026-03-10 14:00:00', leave_time: '2026-03-10T15:00:00Z' },
        { user_email: 'b@example.it', join_time: '2026-03-10T15:00:00Z', leave_time: '2026-03-10T14:00:00Z' },
        { user_email: 'c@example.it', join_time: '2026-02-30T15:00:00Z' },
        { user_email: 'd@example.it', join_time: '2026-03-10T15:00:00+01:00', leave_time: '' },
      ],
    });
    expect(r.rejected.map((x) => [x.row, x.path, x.code])).toEqual([
      [1, 'participants[0]', 'row-not-an-object'],
      [2, 'participants[1]', 'time-without-offset'],
      [3, 'participants[2]', 'leave-before-join'],
      [4, 'participants[3]', 'time-unreadable'],
    ]);
    expect(r.intervals.map((i) => [i.email, i.join, i.leave])).toEqual([['d@example.it', '2026-03-10T14:00:00.000Z', null]]);
  });

  it('throws for JSON that is not a participants report', () => {
    expect(formatCode(() => parseZoomParticipantsJson({ registrants: [] }))).toBe('report-shape-unrecognised');
    expect(formatCode(() => parseZoomParticipantsJson([]))).toBe('report-shape-unrecognised');
    expect(formatCode(() => parseZoomParticipantsJson(Buffer.from('<html>')))).toBe('report-not-json');
  });
});
