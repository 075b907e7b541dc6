/**
 * @module Uploaded spreadsheets in the request path: which format the body is, reading it with
 * the size limit while it streams, and the reader's refusals as problem+json. The reading itself
 * (zip guard, exceljs, csv-parse, limits) is `adapters/xlsx/read-workbook.ts`.
 */
import type { Context } from 'hono';
import { readLimited } from '../../adapters/streams/read-limited.ts';
import { readCsv } from '../../adapters/xlsx/read-csv.ts';
import { readWorkbook } from '../../adapters/xlsx/read-workbook.ts';
import { CSV_MEDIA_TYPES, DEFAULT_LIMITS, SpreadsheetError, XLSX_MEDIA_TYPE, type SpreadsheetLimits } from '../../adapters/xlsx/spreadsheet-upload.ts';
import type { SheetRow } from '../domain/spreadsheet-values.ts';
import { ServiceError } from '../services/errors.ts';

export type UploadFormat = 'xlsx' | 'csv';

/** Types browsers and tools send for a file of unknown kind, or for .csv on Windows: the bytes decide. */
const SNIFFED_TYPES: readonly string[] = ['application/octet-stream', 'application/vnd.ms-excel'];

export const UPLOAD_MEDIA_TYPES: readonly string[] = [XLSX_MEDIA_TYPE, ...CSV_MEDIA_TYPES, ...SNIFFED_TYPES];

function mediaType(c: Context): string {
  return (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The declared format, or 415 `unsupported-media-type`; `sniff` when the bytes must decide. */
export function declaredFormat(c: Context, allowCsv = true): UploadFormat | 'sniff' {
  const ct = mediaType(c);
  if (ct === XLSX_MEDIA_TYPE) return 'xlsx';
  if (allowCsv && CSV_MEDIA_TYPES.includes(ct)) return 'csv';
  if (SNIFFED_TYPES.includes(ct)) return 'sniff';
  throw new ServiceError('unsupported-media-type', `Send the file as the raw body with Content-Type ${XLSX_MEDIA_TYPE}${allowCsv ? ' or text/csv' : ''}`);
}

/** A zip (an .xlsx) or an OLE file (encrypted workbook, old .xls) goes to the workbook reader; anything else is CSV. */
export function sniffFormat(bytes: Uint8Array): UploadFormat {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 4 && (b.readUInt32LE(0) === 0x04034b50 || b.readUInt32LE(0) === 0xe011cfd0)) return 'xlsx';
  return 'csv';
}

/** The body, refused with 413 `file-too-large` as soon as it passes `maxBytes` (declared or streamed). */
export async function readUploadBody(c: Context, maxBytes: number): Promise<Buffer> {
  const declared = Number(c.req.header('content-length') ?? NaN);
  try {
    return await readLimited(c.req.raw.body, maxBytes, Number.isFinite(declared) ? declared : null);
  } catch (err) {
    throw asServiceError(err);
  }
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
