/**
 * @module Uploaded files in the request path: which format the body is, and reading it with the
 * size limit while it streams. Reading the spreadsheet is `services/uploaded-sheets.ts`
 * (re-exported here for the routes that read one).
 */
import type { Context } from 'hono';
import { readLimited } from '../../adapters/streams/read-limited.ts';
import { CSV_MEDIA_TYPES, XLSX_MEDIA_TYPE } from '../../adapters/xlsx/spreadsheet-upload.ts';
import { ServiceError } from '../services/errors.ts';
import { asServiceError, type UploadFormat } from '../services/uploaded-sheets.ts';

export { asServiceError, readUploadedSheet, sniffFormat, type UploadedSheet, type UploadFormat } from '../services/uploaded-sheets.ts';

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

/** The body, refused with 413 `file-too-large` as soon as it passes `maxBytes` (declared or streamed). */
export async function readUploadBody(c: Context, maxBytes: number): Promise<Buffer> {
  const declared = Number(c.req.header('content-length') ?? NaN);
  try {
    return await readLimited(c.req.raw.body, maxBytes, Number.isFinite(declared) ? declared : null);
  } catch (err) {
    throw asServiceError(err);
  }
}
