/** R-TPL-3 (attendance file rows), R-CAL-2 (Rome wall clock, DST): `src/domain/attendance-file.ts`. */
import { describe, expect, it } from 'vitest';
import { PRESENCE_HEADERS } from '../../adapters/xlsx/attendance-workbook.ts';
import {
  checkAttendanceFile,
  findHeader,
  headerField,
  normaliseHeader,
  parseAttendanceSheet,
  type AttendanceContext,
  type MemberRef,
  type SheetRow,
} from '../../src/domain/attendance-file.ts';
import { excelSerialWallClock, looksLikeFormula, textWallClock } from '../../src/domain/spreadsheet-values.ts';
import { codiceFiscale } from '../support/fixtures.ts';

const HEADER = ['Data evento', 'Cognome', 'Nome', 'Codice fiscale', 'Numero di iscrizione', 'Ordine provinciale', 'Ora di ingresso', 'Ora di uscita'];
// A summer event: 2026-07-01 14:00–17:00 Rome (CEST, UTC+2).
const CTX: AttendanceContext = {
  eventStart: Date.parse('2026-07-01T12:00:00Z'),
  eventEnd: Date.parse('2026-07-01T15:00:00Z'),
  latest: Date.parse('2030-01-01T00:00:00Z'),
};
const CF = [1, 2, 3, 4].map(codiceFiscale);
const MEMBERS = new Map<string, MemberRef>([
  [CF[0]!, { memberId: 'm0', registered: true }],
  [CF[1]!, { memberId: 'm1', registered: true }],
  [CF[2]!, { memberId: 'm2', registered: false }],
]);

function sheet(...data: Array<Array<string | number | Date | null>>): SheetRow[] {
  return [HEADER, ...data].map((cells, i) => ({ row: i + 1, cells }));
}
const row = (cf: string, entry: string | number | Date | null, exit: string | number | Date | null, date: string | number | Date | null = '01/07/2026') => [
  date,
  'Rossi',
  'Mario',
  cf,
  '1234',
  'MI',
  entry,
  exit,
];

function check(rows: SheetRow[], ctx = CTX) {
  const r = checkAttendanceFile(rows, ctx, MEMBERS);
  if (!('valid' in r)) throw new Error(`file refused: ${r.code}`);
  return r;
}

describe('headers', () => {
  it('recognises the national template headers, tolerant of case, accents and punctuation', () => {
    expect(normaliseHeader('  N° Iscrizione ')).toBe('n iscrizione');
    expect(headerField('CODICE FISCALE')).toBe('codiceFiscale');
    expect(headerField("Ora d'ingresso")).toBe('entry');
    expect(headerField('ora di uscita')).toBe('exit');
    expect(headerField('Cognome e Nome')).toBe('fullName');
    expect(headerField('Ordine Provinciale')).toBe('province');
    expect(headerField('Dàta Evento')).toBe('eventDate');
    expect(headerField('__proto__')).toBeNull();
    expect(headerField('constructor')).toBeNull();
    expect(headerField(42)).toBeNull();
  });

  it("every header of the export's Presenze sheet is recognised, so the exported file uploads back", () => {
    for (const h of PRESENCE_HEADERS) expect(headerField(h), h).not.toBeNull();
    const found = findHeader([{ row: 1, cells: [...PRESENCE_HEADERS] }]);
    expect(found.ok).toBe(true);
  });

  it('skips a title row above the header; refuses missing and doubled columns', () => {
    const titled = findHeader([
      { row: 1, cells: ['Registro presenze'] },
      { row: 2, cells: HEADER },
    ]);
    expect(titled).toMatchObject({ ok: true, row: 2, index: 1 });
    expect(findHeader([{ row: 1, cells: ['Codice fiscale', 'Ora di ingresso'] }])).toMatchObject({
      ok: false,
      code: 'missing-columns',
      missing: ['Ora di uscita'],
    });
    expect(findHeader([{ row: 1, cells: ['Codice fiscale', 'Ora di ingresso', 'Ora di uscita', 'CF'] }])).toMatchObject({
      ok: false,
      code: 'duplicate-columns',
    });
    expect(findHeader([{ row: 1, cells: ['__proto__', 'constructor', 'prototype'] }])).toMatchObject({ ok: false, code: 'missing-columns' });
  });
});

describe('rows (R-TPL-3)', () => {
  it('accepts text times on the row date, read on Europe/Rome (CEST)', () => {
    const r = check(sheet(row(CF[0]!, '14:00', '17:00'), row(CF[1]!, '14.05', '16:59:30')));
    expect(r.rejected).toEqual([]);
    expect(r.valid).toEqual([
      { row: 2, codiceFiscale: CF[0], memberId: 'm0', entry: Date.parse('2026-07-01T12:00:00Z'), exit: Date.parse('2026-07-01T15:00:00Z') },
      { row: 3, codiceFiscale: CF[1], memberId: 'm1', entry: Date.parse('2026-07-01T12:05:00Z'), exit: Date.parse('2026-07-01T14:59:30Z') },
    ]);
  });

  it('reads Excel serials and Date cells as Rome wall-clock readings, whatever the server zone', () => {
    // 46204 = 2026-07-01; 14:00 = 0.583333…; a full date-time serial; a Date cell whose UTC fields are the wall clock.
    const r = check(
      sheet(
        row(CF[0]!, 14 / 24, 46204 + 17 / 24, 46204),
        row(CF[1]!, new Date(Date.UTC(1899, 11, 30, 14, 10)), new Date(Date.UTC(2026, 6, 1, 16, 0)), new Date(Date.UTC(2026, 6, 1))),
      ),
    );
    expect(r.rejected).toEqual([]);
    expect(r.valid.map((v) => [new Date(v.entry).toISOString(), new Date(v.exit).toISOString()])).toEqual([
      ['2026-07-01T12:00:00.000Z', '2026-07-01T15:00:00.000Z'],
      ['2026-07-01T12:10:00.000Z', '2026-07-01T14:00:00.000Z'],
    ]);
  });

  it('winter time is UTC+1 and the autumn fold takes the first 02:30 (R-CAL-2)', () => {
    const winter = { ...CTX, eventStart: Date.parse('2026-01-15T13:00:00Z'), eventEnd: Date.parse('2026-01-15T16:00:00Z') };
    const r = check(sheet(row(CF[0]!, '14:00', '17:00', '15/01/2026')), winter);
    expect(new Date(r.valid[0]!.entry).toISOString()).toBe('2026-01-15T13:00:00.000Z');
    // 2026-10-25: 02:00–02:59 happens twice; a night event 01:00–04:00 Rome.
    const fold = { ...CTX, eventStart: Date.parse('2026-10-24T23:00:00Z'), eventEnd: Date.parse('2026-10-25T03:00:00Z') };
    const f = check(sheet(row(CF[0]!, '02:30', '03:30', '25/10/2026')), fold);
    expect(new Date(f.valid[0]!.entry).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(f.valid[0]!.exit - f.valid[0]!.entry).toBe(2 * 3600_000); // 02:30 CEST → 03:30 CET is two hours
  });

  it('an event across midnight: an exit time earlier than the entry falls on the next day', () => {
    // 31 Dec 23:30 → 1 Jan 00:30 Rome.
    const nye = { ...CTX, eventStart: Date.parse('2026-12-31T22:30:00Z'), eventEnd: Date.parse('2026-12-31T23:30:00Z') };
    const r = check(sheet(row(CF[0]!, '23:30', '00:30', '31/12/2026')), nye);
    expect(r.rejected).toEqual([]);
    expect(r.valid[0]!.exit - r.valid[0]!.entry).toBe(3600_000);
  });

  it('rejects each bad row with its row number and a stable code', () => {
    const bad = CF[0]!.slice(0, 15) + (CF[0]![15] === 'A' ? 'B' : 'A');
    const r = check(
      sheet(
        row(CF[0]!, '14:00', '17:00'), // 2 ok
        row(bad, '14:00', '17:00'), // 3 check letter
        row(codiceFiscale(999), '14:00', '17:00'), // 4 unknown member
        row(CF[2]!, '14:00', '17:00'), // 5 not registered
        row(CF[1]!, '14:00', '17:00', '02/07/2026'), // 6 another day
        row(CF[1]!, '16:00', '15:00'), // 7 exit before entry
        row(CF[0]!, '14:00', '17:00'), // 8 duplicate of 2
        row(CF[1]!, '14:00', null), // 9 missing exit
        row(CF[1]!, '25:00', '17:00'), // 10 not a time
        row(CF[1]!, '14:00', '17:00', '31/02/2026'), // 11 not a date
        [null, '=HYPERLINK("http://evil.example","x")', 'Mario', CF[1]!, '1', 'MI', '14:00', '17:00'], // 12 formula-like name
        row(CF[1]!, '14:00', '17:00', '01/08/2026'), // 13 outside the day
        row(CF[1]!, null, null), // 14 empty: not a presence
      ),
    );
    expect(r.valid.map((v) => v.row)).toEqual([2]);
    expect(r.empty).toBe(1);
    expect(r.rejected.map(({ row, code }) => ({ row, code }))).toEqual([
      { row: 3, code: 'invalid-codice-fiscale' },
      { row: 4, code: 'unknown-member' },
      { row: 5, code: 'not-registered' },
      { row: 6, code: 'outside-event-day' },
      { row: 7, code: 'exit-before-entry' },
      { row: 8, code: 'duplicate-row' },
      { row: 9, code: 'missing-field' },
      { row: 10, code: 'invalid-time' },
      { row: 11, code: 'invalid-date' },
      { row: 12, code: 'formula-like-text' },
      { row: 13, code: 'outside-event-day' },
    ]);
    // Messages never quote the cells (personal data, or the hostile text itself).
    for (const x of r.rejected) {
      expect(x.message).not.toContain(CF[1]!);
      expect(x.message).not.toContain('HYPERLINK');
    }
  });

  it('times after `latest` are in the future; explicit date-times outside the day are refused', () => {
    const r = check(sheet(row(CF[0]!, '14:00', '17:00')), { ...CTX, latest: Date.parse('2026-07-01T14:00:00Z') });
    expect(r.rejected.map((x) => x.code)).toEqual(['instant-in-future']);
    const s = check(sheet(row(CF[0]!, '2026-07-01T14:00:00+02:00', '2026-07-02T01:00:00+02:00')));
    expect(s.rejected.map((x) => x.code)).toEqual(['outside-event-day']);
  });

  it('CSV lines that could not be split are rejected as malformed rows', () => {
    const p = parseAttendanceSheet(sheet(row(CF[0]!, '14:00', '17:00')), CTX, [{ row: 3, message: 'a quoted value is never closed' }]);
    expect(p.ok && p.rejected).toEqual([{ row: 3, code: 'malformed-row', message: 'a quoted value is never closed' }]);
  });
});

describe('cell values', () => {
  it('serials round to the second and know day 0 and the 1904 system', () => {
    expect(excelSerialWallClock(46204.5416666666)).toEqual({ date: '2026-07-01', time: '13:00:00' });
    expect(excelSerialWallClock(0.375)).toEqual({ date: null, time: '09:00:00' });
    expect(excelSerialWallClock(46204 - 1462, true)).toEqual({ date: '2026-07-01', time: '00:00:00' });
    expect(excelSerialWallClock(-1)).toBeNull();
  });

  it('text dates and times in the usual Italian shapes', () => {
    expect(textWallClock('01/07/2026 14:05')).toEqual({ date: '2026-07-01', time: '14:05:00' });
    expect(textWallClock('01/07/26, 14:05:30')).toEqual({ date: '2026-07-01', time: '14:05:30' });
    expect(textWallClock('2026-07-01T14:05')).toEqual({ date: '2026-07-01', time: '14:05:00' });
    expect(textWallClock('9.30')).toEqual({ date: null, time: '09:30:00' });
    expect(textWallClock('24:00')).toBeNull();
    expect(textWallClock('domani')).toBeNull();
  });

  it('formula-like text (R-TPL-4 triggers), but not signed numbers or a lone dash', () => {
    for (const s of ['=1+1', '=HYPERLINK("x")', '+SUM(A1)', '-2+3+cmd|x', '@SUM(A1)', '\t=1', '\r=1', ' =1']) expect(looksLikeFormula(s), s).toBe(true);
    for (const s of ['-', '+39 02 1234567', '-5', 'Rossi', "'=1", '']) expect(looksLikeFormula(s), s).toBe(false);
  });
});
