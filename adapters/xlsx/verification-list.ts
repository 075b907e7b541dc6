/**
 * @module The verification's list of members as a file (issue 15, R-VER-10): CSV or xlsx from the
 * same column definition (`src/domain/verification-export.ts`), written page by page as the rows
 * are read, so a province of 30,000 members is never held whole in memory (the xlsx through
 * exceljs's streaming `WorkbookWriter`, which zips each row as it is committed).
 *
 * - CSV: `;`-separated with a BOM (what Excel in Italian opens as columns), the header line, then
 *   one line per member.
 * - xlsx: sheet `Verifica` with the same header and lines (bold frozen header, autofilter, numbers
 *   as numbers), then sheet `Versione`: which snapshot the file is (province, biennium, phase, date,
 *   version, when it ran, members, digest), so a printed or forwarded file says what it shows.
 *
 * Every text cell goes through {@link safeCellText} in both formats: a name that would start a
 * formula stays text (R-TPL-4) also when the CSV is opened in a spreadsheet.
 */
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { VERIFICATION_EXPORT_COLUMNS, VERIFICATION_PHASE_TEXT, type NamedVerificationRow } from '../../src/domain/verification-export.ts';
import type { VerificationPhase } from '../../src/domain/verification.ts';
import { breathe, HEADER_STYLE, XLSX_CONTENT_TYPE } from './attendance-workbook.ts';
import { safeCellText } from './cell-text.ts';

export const LIST_FORMATS = ['csv', 'xlsx'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

export const LIST_CONTENT_TYPES: Readonly<Record<ListFormat, string>> = { csv: 'text/csv; charset=utf-8', xlsx: XLSX_CONTENT_TYPE };

export const LIST_SHEETS = { rows: 'Verifica', about: 'Versione' } as const;

/** The snapshot a file is of, as the xlsx file's `Versione` sheet states it. */
export interface ListAbout {
  province: string;
  biennium: number;
  phase: VerificationPhase;
  version: number;
  /** The phase's instant (ISO 8601) and its Rome date. */
  asOfDate: string;
  createdAt: string;
  memberCount: number;
  digest: string;
}

export interface VerificationListInput {
  format: ListFormat;
  /** The version's rows, page by page, in the order of the file. */
  pages: AsyncIterable<readonly NamedVerificationRow[]>;
  about: ListAbout;
  /** Told the rows written so far after each page (progress of a background export). */
  onRows?: (written: number) => Promise<void> | void;
  created?: Date;
}

function cells(row: NamedVerificationRow): Array<string | number> {
  return VERIFICATION_EXPORT_COLUMNS.map((c) => {
    const v = c.value(row);
    return c.kind === 'text' ? safeCellText(String(v)) : v;
  });
}

/**
 * Writes the list into `out` and ends it. Waits for `out` to drain between pages; throws when
 * `out` is destroyed (the reader went away), so the caller stops reading the database.
 *
 * @rule R-VER-10
 */
export async function writeVerificationList(out: Writable, input: VerificationListInput): Promise<{ rows: number }> {
  return input.format === 'csv' ? writeCsv(out, input) : writeXlsx(out, input);
}

async function writeCsv(out: Writable, input: VerificationListInput): Promise<{ rows: number }> {
  let rows = 0;
  out.write(stringify([VERIFICATION_EXPORT_COLUMNS.map((c) => c.header)], { delimiter: ';', bom: true }));
  for await (const page of input.pages) {
    out.write(stringify(page.map(cells), { delimiter: ';' }));
    rows += page.length;
    await breathe(out);
    await input.onRows?.(rows);
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { rows };
}

async function writeXlsx(out: Writable, input: VerificationListInput): Promise<{ rows: number }> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'CdL formazione continua';
  wb.created = input.created ?? new Date();
  try {
    let rows = 0;
    const ws = wb.addWorksheet(LIST_SHEETS.rows, {
      views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
      autoFilter: `A1:${String.fromCharCode(64 + VERIFICATION_EXPORT_COLUMNS.length)}1`,
    } as Partial<ExcelJS.AddWorksheetOptions>);
    ws.columns = VERIFICATION_EXPORT_COLUMNS.map((c) => ({ width: c.width }));
    const header = ws.addRow(VERIFICATION_EXPORT_COLUMNS.map((c) => c.header));
    for (let i = 1; i <= VERIFICATION_EXPORT_COLUMNS.length; i++) header.getCell(i).style = HEADER_STYLE as Partial<ExcelJS.Style>;
    header.commit();
    for await (const page of input.pages) {
      for (const r of page) ws.addRow(cells(r)).commit();
      rows += page.length;
      await breathe(out);
      await input.onRows?.(rows);
    }
    ws.commit();

    // Each sheet is written whole before the next: the zip holds one entry at a time.
    const about = wb.addWorksheet(LIST_SHEETS.about);
    about.columns = [{ width: 26 }, { width: 70 }];
    const a = input.about;
    for (const [k, v] of [
      ['Ordine provinciale', a.province],
      ['Biennio', `${a.biennium}–${a.biennium + 1}`],
      ['Fase', `al ${a.phase === 'february' ? '28 febbraio' : '30 giugno'} (${VERIFICATION_PHASE_TEXT[a.phase]})`],
      ['Situazione alla data', a.asOfDate],
      ['Versione', a.version],
      ['Eseguita il (UTC)', a.createdAt],
      ['Iscritti', a.memberCount],
      ['Impronta della versione (SHA-256)', a.digest],
    ] as const) {
      about.addRow([k, typeof v === 'string' ? safeCellText(v) : v]).commit();
    }
    about.commit();
    await wb.commit();
    return { rows };
  } catch (err) {
    // Stop the zip (its queue would wait for ever for the sheet that never ends).
    (wb as unknown as { zip?: { abort(): void } }).zip?.abort();
    throw err;
  }
}
