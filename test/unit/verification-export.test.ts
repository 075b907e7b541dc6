/**
 * R-VER-10: the verification's list has one column definition for the CSV and the xlsx file,
 * statuses in Italian words; both files written from the same pages hold the same cells, read
 * back independently (csv-parse, exceljs), with names that would start a formula kept as text.
 */
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { writeVerificationList, type ListFormat } from '../../adapters/xlsx/verification-list.ts';
import {
  exportCells,
  exportFilename,
  VERIFICATION_EXPORT_COLUMNS,
  VERIFICATION_STATUS_TEXT,
  type NamedVerificationRow,
} from '../../src/domain/verification-export.ts';
import { VERIFICATION_STATUSES, type VerificationStatus } from '../../src/domain/verification.ts';
import { exceljsSheets } from '../support/xlsx.ts';

function row(n: number, status: VerificationStatus, extra: Partial<NamedVerificationRow> = {}): NamedVerificationRow {
  return {
    memberId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    status,
    obligation: { total: 60, deontology: 6 },
    credits: { total: 40 + n, deontology: 2 },
    missing: { total: Math.max(0, 20 - n), deontology: 4 },
    details: { months: 24, reduction: null, debt: null, debtRequestFiled: false, distancePct: 40 },
    surname: `Rossi${n}`,
    givenName: `Maria${n}`,
    codiceFiscale: `RSSMRA80A41F205${String.fromCharCode(65 + (n % 26))}`,
    ...extra,
  };
}

const about = {
  province: 'MI',
  biennium: 2025,
  phase: 'february' as const,
  version: 3,
  asOfDate: '2027-02-28',
  createdAt: '2027-02-20T09:00:00.000Z',
  memberCount: 0,
  digest: 'ab'.repeat(32),
};

async function write(format: ListFormat, pages: NamedVerificationRow[][]) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const progress: number[] = [];
  const ended = new Promise((r) => out.on('end', r));
  const r = await writeVerificationList(out, {
    format,
    pages: (async function* () {
      yield* pages;
    })(),
    about: { ...about, memberCount: pages.flat().length },
    onRows: (n) => void progress.push(n),
  });
  await ended;
  return { rows: r.rows, bytes: Buffer.concat(chunks), progress };
}

describe('the verification list’s columns and words (R-VER-10)', () => {
  it('words every status in Italian, each differently', () => {
    expect(Object.keys(VERIFICATION_STATUS_TEXT).sort()).toEqual([...VERIFICATION_STATUSES].sort());
    expect(new Set(Object.values(VERIFICATION_STATUS_TEXT)).size).toBe(VERIFICATION_STATUSES.length);
    expect(VERIFICATION_STATUS_TEXT.short).toBe('Non in regola');
    expect(VERIFICATION_STATUS_TEXT['debt-not-settled']).toBe('Non in regola: debito non recuperato');
  });

  it('has the headers of the CSV the console always exported, and cells in their order', () => {
    expect(VERIFICATION_EXPORT_COLUMNS.map((c) => c.header)).toEqual([
      'Codice fiscale',
      'Cognome',
      'Nome',
      'Situazione',
      'Crediti',
      'Di cui deontologia',
      'Obbligo',
      'Mancano',
      'Mancano di deontologia',
    ]);
    expect(exportCells(row(3, 'reduced'))).toEqual(['RSSMRA80A41F205D', 'Rossi3', 'Maria3', 'In regola con riduzione', 43, 2, 60, 17, 4]);
  });

  it('names the file by province, biennium, phase and version', () => {
    expect(exportFilename({ province: 'MI', biennium: 2025, phase: 'june', version: 2 }, 'csv')).toBe('verifica_MI_2025-2026_giugno_v2.csv');
  });

  it('writes the same cells to CSV and xlsx, page by page, a formula-like name as text in both', async () => {
    const pages = [VERIFICATION_STATUSES.map((s, i) => row(i, s)), [row(20, 'short', { surname: '=HYPERLINK("http://x","y")' }), row(21, 'compliant')]];
    const expected = pages.flat().map((r) => exportCells(r).map((v) => (typeof v === 'string' && v.startsWith('=') ? `'${v}` : v)));

    const csv = await write('csv', pages);
    expect(csv.rows).toBe(10);
    expect(csv.progress).toEqual([8, 10]);
    expect(csv.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = parse(csv.bytes, { delimiter: ';', bom: true }) as string[][];
    expect(lines[0]).toEqual(VERIFICATION_EXPORT_COLUMNS.map((c) => c.header));
    expect(lines.slice(1)).toEqual(expected.map((cells) => cells.map(String)));

    const xlsx = await write('xlsx', pages);
    expect(xlsx.rows).toBe(10);
    const sheets = await exceljsSheets(xlsx.bytes);
    expect([...sheets.keys()]).toEqual(['Verifica', 'Versione']);
    const list = sheets.get('Verifica')!;
    expect(list[0]).toEqual(VERIFICATION_EXPORT_COLUMNS.map((c) => c.header));
    expect(list.slice(1)).toEqual(expected);
    expect(sheets.get('Versione')).toContainEqual(['Versione', 3]);
    expect(sheets.get('Versione')).toContainEqual(['Impronta della versione (SHA-256)', 'ab'.repeat(32)]);
  });

  it('writes the header alone for a version without members', async () => {
    const sheets = await exceljsSheets((await write('xlsx', [])).bytes);
    expect(sheets.get('Verifica')).toHaveLength(1);
    expect((await write('csv', [])).bytes.toString('utf8').replace(/^\uFEFF/, '')).toBe(`${VERIFICATION_EXPORT_COLUMNS.map((c) => c.header).join(';')}\n`);
  });
});
