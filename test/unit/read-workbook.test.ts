/** Issue 3 §5: the safe reader of untrusted spreadsheets (`adapters/xlsx/read-workbook.ts`). */
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { writeAttendanceWorkbook } from '../../adapters/xlsx/attendance-workbook.ts';
import { readLimited } from '../../adapters/streams/read-limited.ts';
import { readCsv } from '../../adapters/xlsx/read-csv.ts';
import { readWorkbook } from '../../adapters/xlsx/read-workbook.ts';
import { DEFAULT_LIMITS, SpreadsheetError } from '../../adapters/xlsx/spreadsheet-upload.ts';
import { parseAttendanceSheet } from '../../src/domain/attendance-file.ts';
import { codiceFiscale } from '../support/fixtures.ts';
import { alterWorkbook, deflated, deflatedZeros, zipOf } from '../support/zip.ts';

async function book(fill: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  fill(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const simple = () =>
  book((wb) => {
    const ws = wb.addWorksheet('Foglio1');
    ws.addRow(['Codice fiscale', 'Ora di ingresso']);
    ws.addRow(['RSSMRA85T10A562S', '14:00']);
  });

async function refused(p: Promise<unknown> | (() => unknown), code: string): Promise<SpreadsheetError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(SpreadsheetError);
    expect((err as SpreadsheetError).code).toBe(code);
    return err as SpreadsheetError;
  }
  throw new Error(`expected ${code}, but it was read`);
}

describe('readWorkbook: what a workbook holds', () => {
  it('gives plain values with row numbers, the named sheet, and no formatting conversions', async () => {
    const buf = await book((wb) => {
      wb.addWorksheet('Esito').addRow(['other']);
      const ws = wb.addWorksheet('Presenze');
      ws.addRow(['Testo', 'Numero', 'Data', 'Vero', 'Ricco']);
      ws.getRow(4).values = ['Niccolò', 1234, new Date(Date.UTC(2026, 6, 1, 14, 30)), true, { richText: [{ text: 'Ro' }, { text: 'ssi' }] }];
      ws.getRow(4).getCell(3).numFmt = 'dd/mm/yyyy hh:mm';
    });
    const { sheet, date1904 } = await readWorkbook(buf, { sheet: ' presenze ' });
    expect(sheet.name).toBe('Presenze');
    expect(date1904).toBe(false);
    expect(sheet.rows).toEqual([
      { row: 1, cells: ['Testo', 'Numero', 'Data', 'Vero', 'Ricco'] },
      // Dates stay serial numbers: styles are not read, nothing is converted in a time zone.
      { row: 4, cells: ['Niccolò', 1234, expect.closeTo(46204 + 14.5 / 24, 9), 'TRUE', 'Rossi'] },
    ]);
    expect((await readWorkbook(buf)).sheet.name).toBe('Esito'); // no name asked: the first sheet
    expect((await readWorkbook(buf, { sheet: 'Assente' })).sheet.name).toBe('Esito');
  });

  it('keeps every accented character: no UTF-8 sequence is split across chunks', async () => {
    const buf = await book((wb) => {
      const ws = wb.addWorksheet('S');
      for (let i = 0; i < 3000; i++) ws.addRow([`Niccolò Cortés Müller Ōta 😀 ${i}`]);
    });
    const { sheet } = await readWorkbook(buf);
    expect(sheet.rows).toHaveLength(3000);
    expect(sheet.rows.every((r, i) => r.cells[0] === `Niccolò Cortés Müller Ōta 😀 ${i}`)).toBe(true);
  });

  it('knows the 1904 date system', async () => {
    const buf = await book((wb) => {
      wb.properties.date1904 = true;
      wb.addWorksheet('S').addRow([1]);
    });
    expect((await readWorkbook(buf)).date1904).toBe(true);
  });

  it("reads back the export adapter's Presenze sheet (streamed, inline strings, date-times)", async () => {
    const entry = Date.parse('2026-07-01T12:02:00Z');
    const exit = Date.parse('2026-07-01T15:00:00Z');
    const cf = codiceFiscale(7);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeAttendanceWorkbook(out, {
      eventStart: Date.parse('2026-07-01T12:00:00Z'),
      layout: 'intervals',
      blank: false,
      presence: async function* () {
        yield [
          { surname: '=HYPERLINK("x")', givenName: 'Mario', codiceFiscale: cf, registerNumber: '12', province: 'MI', spans: [{ entry, exit }] },
          { surname: 'Bianchi', givenName: 'Anna', codiceFiscale: codiceFiscale(8), registerNumber: '13', province: 'MI', spans: [] },
        ];
      },
    });
    const { sheet } = await readWorkbook(Buffer.concat(chunks), { sheet: 'Presenze' });
    const parsed = parseAttendanceSheet(sheet.rows, { eventStart: Date.parse('2026-07-01T12:00:00Z'), eventEnd: exit, latest: Date.now() });
    expect(parsed).toMatchObject({ ok: true, rejected: [], rows: [{ row: 2, codiceFiscale: cf, entry, exit }] });
  });
});

describe('readWorkbook: hostile files', () => {
  it('a zip bomb (a sheet of 200 MB of zeros) is refused from its declared size, without inflating it', async () => {
    const bomb = await deflatedZeros('xl/worksheets/sheet1.xml', 200 * 1024 * 1024);
    expect(bomb.data.length).toBeLessThan(1024 * 1024);
    const buf = await alterWorkbook(await simple(), (parts) => void parts.set(bomb.name, bomb));
    const err = await refused(readWorkbook(buf), 'zip-bomb');
    expect(err.status).toBe(413);
  });

  it('a zip that lies about its sizes stops at the first byte past the declared size', async () => {
    const bomb = await deflatedZeros('xl/worksheets/sheet1.xml', 50 * 1024 * 1024);
    bomb.declaredSize = 100_000; // small and under the ratio floor: only inflating can tell
    const buf = await alterWorkbook(await simple(), (parts) => void parts.set(bomb.name, bomb));
    await refused(readWorkbook(buf), 'zip-bomb');
  });

  it('a part compressed over 100:1 is refused even under the total limit', async () => {
    const dense = await deflatedZeros('xl/media/image1.png', 4 * 1024 * 1024);
    const buf = await alterWorkbook(await simple(), (parts) => void parts.set(dense.name, dense));
    await refused(readWorkbook(buf), 'zip-bomb');
  });

  it('too many parts, encrypted parts, too many sheets', async () => {
    const many = await alterWorkbook(await simple(), (parts) => {
      for (let i = 0; i < DEFAULT_LIMITS.maxEntries; i++) parts.set(`docProps/x${i}.xml`, deflated(`docProps/x${i}.xml`, '<x/>'));
    });
    await refused(readWorkbook(many), 'zip-bomb');
    const enc = await alterWorkbook(await simple(), (parts) => void (parts.get('xl/worksheets/sheet1.xml')!.encrypted = true));
    await refused(readWorkbook(enc), 'encrypted-file');
    const sheets = await book((wb) => {
      for (let i = 0; i < 11; i++) wb.addWorksheet(`S${i}`).addRow([i]);
    });
    await refused(readWorkbook(sheets), 'too-many-sheets');
  });

  it('what is not an OOXML workbook', async () => {
    await refused(readWorkbook(Buffer.from('Codice fiscale;Ora\n')), 'not-a-workbook');
    await refused(readWorkbook(Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(512)])), 'not-a-workbook');
    await refused(readWorkbook(await zipOf(new Map([['hello.txt', 'hi']]))), 'not-a-workbook');
    const noSheet = await alterWorkbook(await simple(), (parts) => void parts.delete('xl/worksheets/sheet1.xml'));
    await refused(readWorkbook(noSheet), 'not-a-workbook');
    await refused(readWorkbook(Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(100)])), 'unreadable-file');
  });

  it('damaged XML and entity expansion (billion laughs) are unreadable, not expanded', async () => {
    const broken = await alterWorkbook(
      await simple(),
      (parts) =>
        void parts.set(
          'xl/worksheets/sheet1.xml',
          deflated('xl/worksheets/sheet1.xml', '<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></rw></sheetData></worksheet>'),
        ),
    );
    await refused(readWorkbook(broken), 'unreadable-file');
    const lol =
      '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>' +
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&c;</t></is></c></row></sheetData></worksheet>';
    const laughs = await alterWorkbook(await simple(), (parts) => void parts.set('xl/worksheets/sheet1.xml', deflated('xl/worksheets/sheet1.xml', lol)));
    await refused(readWorkbook(laughs), 'unreadable-file');
  });

  it('formulas are never evaluated: a formula cell refuses the file, with its address', async () => {
    const buf = await book((wb) => {
      const ws = wb.addWorksheet('Presenze');
      ws.addRow(['Codice fiscale', 'Ora di ingresso']);
      ws.addRow(['RSSMRA85T10A562S', { formula: 'NOW()', result: 0.5 }]);
    });
    const err = await refused(readWorkbook(buf), 'formula-not-allowed');
    expect(err.extra).toEqual({ cell: 'Presenze!B2' });
    // A shared formula's followers carry no formula text of their own: refused all the same.
    const shared =
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>1</v></c></row>' +
      '<row r="2"><c r="A2"><f t="shared" si="0"/><v>2</v></c></row></sheetData></worksheet>';
    const sharedBuf = await alterWorkbook(await simple(), (parts) => void parts.set('xl/worksheets/sheet1.xml', deflated('xl/worksheets/sheet1.xml', shared)));
    expect((await refused(readWorkbook(sharedBuf), 'formula-not-allowed')).extra).toEqual({ cell: 'Foglio1!A2' });
  });

  it('__proto__ and constructor headers are just strings in arrays: nothing is polluted', async () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const buf = await book((wb) => {
      const ws = wb.addWorksheet('Presenze');
      ws.addRow(['__proto__', 'constructor', 'prototype', '__defineGetter__']);
      ws.addRow(['{"polluted":true}', 'x', 'y', 'z']);
    });
    const { sheet } = await readWorkbook(buf);
    expect(sheet.rows[0]!.cells).toEqual(['__proto__', 'constructor', 'prototype', '__defineGetter__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
  });

  it('stops at the row and column limits', async () => {
    const rows = await book((wb) => {
      const ws = wb.addWorksheet('S');
      for (let i = 0; i < 11; i++) ws.addRow([i]);
    });
    await refused(readWorkbook(rows, { limits: { maxRows: 10 } }), 'too-many-rows');
    expect((await readWorkbook(rows, { limits: { maxRows: 11 } })).sheet.rows).toHaveLength(11);
    const wide = await book((wb) => {
      const ws = wb.addWorksheet('S');
      ws.addRow(['a']);
      ws.getRow(2).getCell(DEFAULT_LIMITS.maxCellsPerRow + 1).value = 'far';
    });
    const err = await refused(readWorkbook(wide), 'too-many-columns');
    expect(err.extra).toMatchObject({ row: 2 });
    await refused(readWorkbook(rows, { limits: { maxBytes: 100 } }), 'file-too-large');
  });
});

describe('readLimited', () => {
  it('refuses a declared length over the limit without reading a byte', async () => {
    let pulled = false;
    const body = new ReadableStream<Uint8Array>(
      {
        pull() {
          pulled = true;
        },
      },
      { highWaterMark: 0 }, // nothing is pulled until someone reads
    );
    await refused(readLimited(body, 1000, 50 * 1024 * 1024), 'file-too-large');
    expect(pulled).toBe(false);
  });

  it('cancels a streamed body at the first chunk past the limit', async () => {
    let sent = 0;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        sent += 64 * 1024;
        c.enqueue(new Uint8Array(64 * 1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    await refused(readLimited(body, 1024 * 1024), 'file-too-large');
    expect(cancelled).toBe(true);
    expect(sent).toBeLessThan(2 * 1024 * 1024);
    expect(await readLimited(Readable.from([Buffer.from('ab'), Buffer.from('c')]), 10)).toEqual(Buffer.from('abc'));
  });
});

describe('readCsv', () => {
  it('UTF-8 with BOM, `;`, quoted line breaks counted from their first line, blank lines skipped', () => {
    const csv = readCsv(Buffer.from('\uFEFFCodice fiscale;Nome\nA;"Niccolò\nsecond line"\n\nB; =1+1 \n'));
    expect(csv.rows).toEqual([
      { row: 1, cells: ['Codice fiscale', 'Nome'] },
      { row: 2, cells: ['A', 'Niccolò\nsecond line'] },
      { row: 5, cells: ['B', ' =1+1 '] },
    ]);
  });

  it("Excel's `sep=` line, Windows-1252 and UTF-16 text, tab delimiters", () => {
    expect(readCsv(Buffer.from('sep=,\na;b,c\n')).rows).toEqual([{ row: 2, cells: ['a;b', 'c'] }]);
    expect(readCsv(Buffer.from([0x4e, 0x69, 0x63, 0x63, 0x6f, 0x6c, 0xf2, 0x3b, 0x78])).rows[0]!.cells).toEqual(['Niccolò', 'x']);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Nome\tCognome\nAnna\tRè\n', 'utf16le')]);
    expect(readCsv(utf16).rows).toEqual([
      { row: 1, cells: ['Nome', 'Cognome'] },
      { row: 2, cells: ['Anna', 'Rè'] },
    ]);
  });

  it('limits rows and columns; reports lines that are not CSV', () => {
    expect(() => readCsv(Buffer.from('a\n'.repeat(11)), { limits: { maxRows: 10 } })).toThrow(SpreadsheetError);
    expect(() => readCsv(Buffer.from(`${'x;'.repeat(60)}\n`))).toThrow(/columns/);
    const bad = readCsv(Buffer.from('a;b\nc;"open\n'));
    expect(bad.malformed).toEqual([{ row: 2, message: expect.stringContaining('never closed') }]);
  });
});
