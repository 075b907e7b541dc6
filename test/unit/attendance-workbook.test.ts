/**
 * The attendance workbook writer (R-TPL-1/2/4) on its own: sheets, Italian headers, real dates on
 * the Rome wall clock across DST, layouts, formula escaping, the blank template, and backpressure.
 * Read back with SheetJS and the raw zip entries, never with the writer's own library.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  excelRomeDate,
  excelRomeDateTime,
  presenceRows,
  writeAttendanceWorkbook,
  type MemberOutcome,
  type MemberPresence,
  type UnmatchedParticipant,
} from '../../adapters/xlsx/attendance-workbook.ts';
import { safeCellText } from '../../adapters/xlsx/cell-text.ts';
import { collect, parseWorkbook, sheetCells, wallClock, zipEntries } from '../support/xlsx.ts';

const PRESENZE = ['Data evento', 'Cognome', 'Nome', 'Codice fiscale', 'Numero di iscrizione', 'Ordine provinciale', 'Ora di ingresso', 'Ora di uscita'];
const ESITO = [
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
];
const NON_ABBINATI = ['Nome sulla piattaforma', 'Identificativo sulla piattaforma', 'Minuti di presenza', 'Esito', 'Motivazione'];

const at = (iso: string) => Date.parse(iso);

function pages<T>(...ps: T[][]): () => AsyncIterable<readonly T[]> {
  return async function* () {
    for (const p of ps) yield p;
  };
}

const who = (n: number, over: Partial<MemberPresence> = {}) => ({
  surname: `Cognome${n}`,
  givenName: `Nome${n}`,
  codiceFiscale: `CF${n}`,
  registerNumber: `00${n}`,
  province: 'MI',
  ...over,
});

describe('safeCellText (R-TPL-4)', () => {
  it('prefixes an apostrophe to text that would start a formula, and nothing else', () => {
    for (const s of ['=1+1', '+39 333 1234567', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://x","y")', ' =1', '  @x', '\u00A0+1', '-']) {
      expect(safeCellText(s)).toBe(`'${s}`);
    }
    for (const s of ['Rossi', "D'Amico", '1+1', 'a=b', '', '   ', "'già", "Dell'Acqua-Bianchi"]) expect(safeCellText(s)).toBe(s);
  });

  it('drops what XML cannot carry and caps the length, without splitting a surrogate pair', () => {
    expect(safeCellText('Ros\u0000si\u0007')).toBe('Rossi');
    expect(safeCellText('\u0001=1')).toBe("'=1");
    expect(safeCellText('a\uD800b')).toBe('ab');
    expect(safeCellText('😀')).toBe('😀');
    expect(safeCellText('x'.repeat(40_000))).toHaveLength(32_767);
    expect(safeCellText('x'.repeat(32_766) + '😀')).toHaveLength(32_766);
  });
});

describe('Rome wall clock as Excel values (R-CAL-2)', () => {
  it('shows the Rome reading in summer, winter and on both DST days', () => {
    expect(excelRomeDateTime(at('2026-07-01T12:05:30Z')).toISOString()).toBe('2026-07-01T14:05:30.000Z');
    expect(excelRomeDateTime(at('2026-01-15T13:05:00Z')).toISOString()).toBe('2026-01-15T14:05:00.000Z');
    // 2026-03-29: 02:00 → 03:00. 00:59Z is 01:59 CET, 01:00Z is 03:00 CEST.
    expect(excelRomeDateTime(at('2026-03-29T00:59:00Z')).toISOString()).toBe('2026-03-29T01:59:00.000Z');
    expect(excelRomeDateTime(at('2026-03-29T01:00:00Z')).toISOString()).toBe('2026-03-29T03:00:00.000Z');
    // 2026-10-25: 03:00 → 02:00. 00:30Z and 01:30Z both read 02:30.
    expect(excelRomeDateTime(at('2026-10-25T00:30:00Z')).toISOString()).toBe('2026-10-25T02:30:00.000Z');
    expect(excelRomeDateTime(at('2026-10-25T01:30:00Z')).toISOString()).toBe('2026-10-25T02:30:00.000Z');
  });

  it('dates an event by its Rome calendar day', () => {
    expect(excelRomeDate(at('2026-12-31T23:30:00Z')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(excelRomeDate(at('2026-10-24T23:30:00Z')).toISOString()).toBe('2026-10-25T00:00:00.000Z');
  });
});

describe('presenceRows', () => {
  const spans = [
    { entry: 300, exit: 400 },
    { entry: 100, exit: 200 },
  ];
  it('one row per interval in order, or one from first entry to last exit', () => {
    expect(presenceRows(spans, 'intervals')).toEqual([spans[1], spans[0]]);
    expect(presenceRows(spans, 'participants')).toEqual([{ entry: 100, exit: 400 }]);
    expect(presenceRows([], 'participants')).toEqual([]);
  });
  it('an entry with no exit leaves the last exit unknown (R-ATT-6)', () => {
    expect(presenceRows([...spans, { entry: 150, exit: null }], 'participants')).toEqual([{ entry: 100, exit: null }]);
  });
});

describe('writeAttendanceWorkbook', () => {
  const start = at('2026-10-24T23:30:00Z'); // 25/10/2026 01:30 Rome, the night the clocks go back
  const presence: MemberPresence[] = [
    // Left in the middle and came back, across the DST change: 01:45 CEST → 02:40 CEST, 02:10 CET → 03:15 CET.
    {
      ...who(1),
      spans: [
        { entry: at('2026-10-24T23:45:00Z'), exit: at('2026-10-25T00:40:00Z') },
        { entry: at('2026-10-25T01:10:00Z'), exit: at('2026-10-25T02:15:30Z') },
      ],
      minutes: { present: 156, absent: 24 },
    },
    { ...who(2, { surname: '=HYPERLINK("http://x","y")', givenName: '+39 333 1234567', registerNumber: '-12' }), spans: [{ entry: start, exit: null }] },
    { ...who(3), spans: [] },
  ];
  const outcomes: MemberOutcome[] = [
    {
      ...who(1),
      outcome: {
        status: 'credited',
        coveredMinutes: 156,
        absentMinutes: 24,
        toleranceMinutes: 30,
        credits: 3,
        reason: 'qualified',
        rule: 'R-ATT-4',
        pending: false,
      },
    },
    {
      ...who(2),
      outcome: {
        status: 'incomplete',
        coveredMinutes: 0,
        absentMinutes: 180,
        toleranceMinutes: 30,
        credits: 0,
        reason: 'open-interval',
        rule: 'R-ATT-6',
        pending: false,
      },
    },
    { ...who(3), outcome: null },
  ];
  const unmatched: UnmatchedParticipant[] = [
    { participantKey: 'email:guest@x.it', displayName: '@SUM(1+1)', status: 'unmatched', coveredMinutes: 60, reason: 'no-registration-match' },
  ];

  async function write(layout: 'intervals' | 'participants', blank = false) {
    const { out, done } = collect();
    const summary = await writeAttendanceWorkbook(out, {
      eventStart: start,
      layout,
      blank,
      presence: pages(presence.slice(0, 1), presence.slice(1)),
      outcomes: pages(outcomes),
      unmatched: pages(unmatched),
    });
    return { buf: await done, summary };
  }

  it('writes Presenze per interval, Esito and Non abbinati with Italian headers, real dates and Rome times', async () => {
    const { buf, summary } = await write('intervals');
    expect(summary).toEqual({ presenceRows: 3, outcomeRows: 3, unmatchedRows: 1 });
    const wb = parseWorkbook(buf);
    expect(wb.SheetNames).toEqual(['Presenze', 'Esito', 'Non abbinati']);
    const rows = sheetCells(wb, 'Presenze');
    expect(rows[0]!.map((c) => c?.v)).toEqual(PRESENZE);
    expect(rows).toHaveLength(4);
    for (const r of rows.slice(1)) {
      expect(r[0]).toMatchObject({ t: 'd', z: 'dd/mm/yyyy', w: '25/10/2026' });
      expect(wallClock(r[0])).toBe('2026-10-25 00:00:00');
    }
    expect(rows.slice(1).map((r) => [r[1]?.v, wallClock(r[6]), wallClock(r[7])])).toEqual([
      ['Cognome1', '2026-10-25 01:45:00', '2026-10-25 02:40:00'],
      ['Cognome1', '2026-10-25 02:10:00', '2026-10-25 03:15:30'],
      [`'=HYPERLINK("http://x","y")`, '2026-10-25 01:30:00', null],
    ]);
    expect(rows[1]![6]).toMatchObject({ t: 'd', z: 'hh:mm', w: '01:45' });
    expect(rows[1]![7]).toMatchObject({ t: 'd', z: 'hh:mm', w: '02:40' });
    expect(rows[2]![7]).toMatchObject({ t: 'd', z: 'hh:mm', w: '03:15' });
    expect(rows[3]!.slice(2, 5).map((c) => c?.v)).toEqual(["'+39 333 1234567", 'CF2', "'-12"]);

    const esito = sheetCells(wb, 'Esito');
    expect(esito[0]!.map((c) => c?.v)).toEqual(ESITO);
    expect(esito.slice(1).map((r) => r.map((c) => c?.v))).toEqual([
      ['Cognome1', 'Nome1', 'CF1', '001', 'MI', 156, 24, 30, 3, 'Crediti riconosciuti', 'Assenza entro la tolleranza', 'R-ATT-4'],
      ['Cognome2', 'Nome2', 'CF2', '002', 'MI', 0, 180, 30, 0, 'Presenza incompleta', "Ingresso senza uscita registrata: manca l'orario di uscita", 'R-ATT-6'],
      ['Cognome3', 'Nome3', 'CF3', '003', 'MI', undefined, undefined, undefined, undefined, 'Non ancora calcolato', undefined, undefined],
    ]);
    const non = sheetCells(wb, 'Non abbinati');
    expect(non[0]!.map((c) => c?.v)).toEqual(NON_ABBINATI);
    expect(non[1]!.map((c) => c?.v)).toEqual([
      "'@SUM(1+1)",
      'email:guest@x.it',
      60,
      'Non abbinato',
      'Nessuna iscrizione corrisponde ai dati della piattaforma',
    ]);
  });

  it('freezes and bolds the header row, sets widths, and writes no formula anywhere', async () => {
    const { buf } = await write('intervals');
    const files = await zipEntries(buf);
    for (const n of [1, 2, 3]) {
      const xml = files.get(`xl/worksheets/sheet${n}.xml`)!;
      expect(xml).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
      expect(xml).toMatch(/<col min="1" max="1" width="\d+"/);
      expect(xml).not.toMatch(/<f[ >]/);
      // The header cells use a bold font.
      const headerStyle = /<c r="A1" s="(\d+)"/.exec(xml)![1]!;
      const styles = files.get('xl/styles.xml')!;
      const xfs = [...styles.split('<cellXfs')[1]!.matchAll(/<xf [^>]*fontId="(\d+)"/g)].map((m) => Number(m[1]));
      const fonts = styles.split('<fonts')[1]!.split('</fonts>')[0]!.split('<font>').slice(1);
      expect(fonts[xfs[Number(headerStyle)]!]).toContain('<b/>');
    }
    const wb = parseWorkbook(buf);
    for (const name of wb.SheetNames) for (const row of sheetCells(wb, name)) for (const c of row) expect(c?.f).toBeUndefined();
  });

  it('one row per participant: first entry, last exit, then the minutes present and absent it is given', async () => {
    const rows = sheetCells(parseWorkbook((await write('participants')).buf), 'Presenze');
    expect(rows[0]!.map((c) => c?.v)).toEqual([...PRESENZE, 'Minuti di presenza', 'Minuti di assenza']);
    expect(rows.slice(1).map((r) => [r[3]?.v, wallClock(r[6]), wallClock(r[7]), r[8]?.v, r[9]?.v])).toEqual([
      ['CF1', '2026-10-25 01:45:00', '2026-10-25 03:15:30', 156, 24],
      ['CF2', '2026-10-25 01:30:00', null, undefined, undefined],
    ]);
    // The intervals layout and the blank template keep the eight columns.
    expect(sheetCells(parseWorkbook((await write('intervals')).buf), 'Presenze')[0]!.map((c) => c?.v)).toEqual(PRESENZE);
    expect(sheetCells(parseWorkbook((await write('participants', true)).buf), 'Presenze')[0]!.map((c) => c?.v)).toEqual(PRESENZE);
  });

  it('blank template: every registered member once, entry and exit empty but time-formatted, Presenze only', async () => {
    const { buf, summary } = await write('intervals', true);
    expect(summary.presenceRows).toBe(3);
    const wb = parseWorkbook(buf);
    expect(wb.SheetNames).toEqual(['Presenze']);
    const rows = sheetCells(wb, 'Presenze');
    expect(rows.slice(1).map((r) => r[3]?.v)).toEqual(['CF1', 'CF2', 'CF3']);
    for (const r of rows.slice(1)) {
      expect(r[0]).toMatchObject({ t: 'd', w: '25/10/2026' });
      expect(r[6]?.v).toBeUndefined();
      expect(r[7]?.v).toBeUndefined();
    }
    const xml = (await zipEntries(buf)).get('xl/worksheets/sheet1.xml')!;
    expect(xml).toMatch(/<c r="G2" s="\d+"\/>/);
    expect(xml).toMatch(/<col min="7" max="7" width="\d+" style="\d+"/);
  });

  it('waits for a slow reader instead of reading every page ahead', async () => {
    let pulled = 0;
    const total = 60;
    const many = async function* () {
      for (let p = 0; p < total; p++) {
        pulled++;
        yield Array.from({ length: 100 }, (_, i) => ({
          ...who(p * 100 + i, { codiceFiscale: `CF${p}-${i}-${'x'.repeat(40)}` }),
          spans: [{ entry: start + i * 1000, exit: start + 3600_000 + p }],
        }));
      }
    };
    const out = new PassThrough({ highWaterMark: 16 * 1024 });
    const writing = writeAttendanceWorkbook(out, { eventStart: start, layout: 'intervals', blank: false, presence: many });
    await new Promise((r) => setTimeout(r, 300));
    expect(pulled).toBeLessThan(total / 2); // nobody reads: the writer is waiting
    let bytes = 0;
    const ended = new Promise((r) => out.on('end', r));
    out.on('data', (c: Buffer) => (bytes += c.length));
    const summary = await writing;
    await ended;
    expect(pulled).toBe(total);
    expect(summary.presenceRows).toBe(total * 100);
    expect(bytes).toBeGreaterThan(100_000);
  });

  it('stops when the output is destroyed (the client went away)', async () => {
    const out = new PassThrough({ highWaterMark: 1024 });
    let pulled = 0;
    const endless = async function* () {
      for (;;) {
        pulled++;
        yield [{ ...who(pulled), spans: [{ entry: start, exit: start + 60_000 }] }];
      }
    };
    const writing = writeAttendanceWorkbook(out, { eventStart: start, layout: 'intervals', blank: false, presence: endless });
    await new Promise((r) => setTimeout(r, 50));
    out.destroy();
    await expect(writing).rejects.toThrow(/output closed/);
    const at1 = pulled;
    await new Promise((r) => setTimeout(r, 50));
    expect(pulled).toBe(at1);
  });
});
