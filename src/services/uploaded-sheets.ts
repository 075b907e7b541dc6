/**
 * @module Reading an uploaded spreadsheet as one sheet (the worksheet asked for of a workbook, else
 * its first, or the CSV), with the reader's refusals as ServiceErrors of the same codes. The
 * reading itself (zip guard, exceljs, csv-parse, limits) is `adapters/xlsx/read-workbook.ts`.
 */
import { readCsv } from '../../adapters/xlsx/read-csv.ts';
import { readWorkbook } from '../../adapters/xlsx/read-workbook.ts';
import { DEFAULT_LIMITS, SpreadsheetError, type SpreadsheetLimits } from '../../adapters/xlsx/spreadsheet-upload.ts';
import type { CellValue, SheetRow } from '../domain/spreadsheet-values.ts';
import { ServiceError } from './errors.ts';

export type UploadFormat = 'xlsx' | 'csv';

/** A zip (an .xlsx) or an OLE file (encrypted workbook, old .xls) goes to the workbook reader; anything else is CSV. */
export function sniffFormat(bytes: Uint8Array): UploadFormat {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 4 && (b.readUInt32LE(0) === 0x04034b50 || b.readUInt32LE(0) === 0xe011cfd0)) return 'xlsx';
  return 'csv';
}

/** A reader's refusal as the API error of the same code; anything else unchanged. */
export function asServiceError(err: unknown): unknown {
  if (err instanceof SpreadsheetError) return new ServiceError(err.code, err.message, err.extra);
  return err;
}

export interface UploadedSheet {
  format: UploadFormat;
  rows: SheetRow[];
  /** CSV lines that could not be split into cells. */
  malformed: Array<{ row: number; message: string }>;
  date1904: boolean;
}

/**
 * Reads an uploaded file as one sheet: the worksheet `sheet` of a workbook (else its first), or
 * the CSV. Refusals become ServiceErrors with the reader's codes.
 */
export async function readUploadedSheet(
  bytes: Buffer,
  format: UploadFormat | 'sniff',
  opts: { sheet?: string; limits?: Partial<SpreadsheetLimits> } = {},
): Promise<UploadedSheet> {
  const f = format === 'sniff' ? sniffFormat(bytes) : format;
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  try {
    if (f === 'xlsx') {
      const wb = await readWorkbook(bytes, { limits, ...(opts.sheet ? { sheet: opts.sheet } : {}) });
      return { format: f, rows: wb.sheet.rows, malformed: [], date1904: wb.date1904 };
    }
    const csv = readCsv(bytes, { limits });
    return { format: f, rows: csv.rows, malformed: csv.malformed, date1904: false };
  } catch (err) {
    throw asServiceError(err);
  }
}

/** Header text as compared: lower case, no accents, single spaces. */
export const normaliseHeader = (v: CellValue) =>
  cellText(v)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

/** A cell as trimmed text ('' when empty); a date cell is not text anyone typed for these columns. */
export function cellText(v: CellValue): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (v instanceof Date) return '';
  return v.trim();
}

/**
 * The row holding the headers (the first whose cells name the required columns, so a title row
 * above is skipped) and where each column is; `missing-columns` when no row does.
 */
export function findHeader<K extends string>(
  rows: readonly SheetRow[],
  columns: readonly { key: K; names: readonly string[]; required: boolean }[],
): { at: number; index: Map<K, number> } {
  for (let r = 0; r < Math.min(rows.length, 10); r++) {
    const cells = rows[r]!.cells.map(normaliseHeader);
    const index = new Map<K, number>();
    for (const col of columns) {
      const i = cells.findIndex((c) => col.names.includes(c));
      if (i >= 0) index.set(col.key, i);
    }
    if (columns.every((c) => !c.required || index.has(c.key))) return { at: r, index };
  }
  const required = columns.filter((c) => c.required).map((c) => c.names[0]);
  throw new ServiceError('missing-columns', `No header row names the required columns: ${required.join(', ')}`, { missing: required });
}
