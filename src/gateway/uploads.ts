/**
 * @module Uploaded files in the request path: which format the body is, and reading it with the
 * size limit while it streams, sent raw or as a browser form (`multipart/form-data`, the file in
 * the field `file`). Reading the spreadsheet is `services/uploaded-sheets.ts` (re-exported here
 * for the routes that read one).
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { readLimited } from '../../adapters/streams/read-limited.ts';
import { CSV_MEDIA_TYPES, XLSX_MEDIA_TYPE } from '../../adapters/xlsx/spreadsheet-upload.ts';
import { ServiceError } from '../services/errors.ts';
import { asServiceError, type UploadFormat } from '../services/uploaded-sheets.ts';

export { asServiceError, readUploadedSheet, sniffFormat, type UploadedSheet, type UploadFormat } from '../services/uploaded-sheets.ts';

/** Types browsers and tools send for a file of unknown kind, or for .csv on Windows: the bytes decide. */
const SNIFFED_TYPES: readonly string[] = ['application/octet-stream', 'application/vnd.ms-excel'];

export const UPLOAD_MEDIA_TYPES: readonly string[] = [XLSX_MEDIA_TYPE, ...CSV_MEDIA_TYPES, ...SNIFFED_TYPES];

/** A browser form's content type; the file goes in the field `FORM_FILE_FIELD`. */
export const MULTIPART_MEDIA_TYPE = 'multipart/form-data';
export const FORM_FILE_FIELD = 'file';
/** What a form may add around its file (boundaries, part headers, a few small fields) beyond the file's own limit. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** The OpenAPI request body of a form upload: one file in the field `file`. */
export const FORM_UPLOAD_CONTENT = {
  [MULTIPART_MEDIA_TYPE]: {
    schema: z.object({ [FORM_FILE_FIELD]: z.string().openapi({ format: 'binary', description: 'the file, as a browser form sends it' }) }),
  },
};

function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

/** Whether the request is a browser form (its file's type is known only once it is read). */
export function isFormUpload(c: Context): boolean {
  return mediaTypeOf(c.req.header('content-type') ?? '') === MULTIPART_MEDIA_TYPE;
}

function formatOf(ct: string, allowCsv: boolean): UploadFormat | 'sniff' {
  if (ct === XLSX_MEDIA_TYPE) return 'xlsx';
  if (allowCsv && CSV_MEDIA_TYPES.includes(ct)) return 'csv';
  if (SNIFFED_TYPES.includes(ct)) return 'sniff';
  throw new ServiceError(
    'unsupported-media-type',
    `Send the file as the raw body with Content-Type ${XLSX_MEDIA_TYPE}${allowCsv ? ' or text/csv' : ''}, or as the field \`${FORM_FILE_FIELD}\` of a ${MULTIPART_MEDIA_TYPE} form`,
  );
}

/** The declared format, or 415 `unsupported-media-type`; `sniff` when the bytes must decide. */
export function declaredFormat(c: Context, allowCsv = true): UploadFormat | 'sniff' {
  return formatOf(mediaTypeOf(c.req.header('content-type') ?? ''), allowCsv);
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

export interface UploadedFile {
  bytes: Buffer;
  /** The file's own content type: the request's for a raw body, the part's for a form. */
  contentType: string;
  /** The file's name as the form gave it (raw bodies: the request's `Content-Disposition`, if any). */
  contentDisposition: string | undefined;
  /** How it came: the raw body, or the field `file` of a form. */
  multipart: boolean;
  /** A form's other (text) fields, e.g. the console's choices next to the file; empty for a raw body. */
  fields: Record<string, string>;
}

/**
 * The uploaded file, sent either as the raw body or as the field `file` of a `multipart/form-data`
 * form (what a browser's `<input type="file">` sends). Both are read with the size limit while the
 * body streams: a form is allowed `maxBytes` plus a small overhead for its boundaries, then its file
 * must itself be within `maxBytes` (413 `file-too-large`). A form without exactly one file in
 * `file` is 400 `invalid-form`.
 */
export async function readUpload(c: Context, maxBytes: number): Promise<UploadedFile> {
  const contentType = c.req.header('content-type') ?? '';
  if (!isFormUpload(c)) {
    return { bytes: await readUploadBody(c, maxBytes), contentType, contentDisposition: c.req.header('content-disposition'), multipart: false, fields: {} };
  }
  const raw = await readUploadBody(c, maxBytes + FORM_OVERHEAD_BYTES);
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) as Uint8Array<ArrayBuffer>, {
      headers: { 'content-type': contentType },
    }).formData();
  } catch {
    throw new ServiceError('invalid-form', `The body is not a readable ${MULTIPART_MEDIA_TYPE} form`);
  }
  const files = form.getAll(FORM_FILE_FIELD).filter((v): v is File => typeof v !== 'string');
  if (files.length !== 1) throw new ServiceError('invalid-form', `Send one file in the form field \`${FORM_FILE_FIELD}\``);
  const file = files[0]!;
  if (file.size > maxBytes) throw new ServiceError('file-too-large', `The file is larger than ${maxBytes} bytes`, { maxBytes });
  const fields: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === 'string' && k !== FORM_FILE_FIELD) fields[k] = v.slice(0, 200);
  const name = file.name ? file.name.replace(/["\\\r\n]/g, '_') : '';
  return {
    bytes: Buffer.from(await file.arrayBuffer()),
    contentType: file.type,
    contentDisposition: name ? `form-data; name="${FORM_FILE_FIELD}"; filename="${name}"` : undefined,
    multipart: true,
    fields,
  };
}

/** The format of an uploaded file from its declared type (a form's part without one: sniffed), or 415. */
export function uploadedFormat(file: UploadedFile, allowCsv = true): UploadFormat | 'sniff' {
  const ct = mediaTypeOf(file.contentType);
  if (file.multipart && ct === '') return 'sniff';
  return formatOf(ct, allowCsv);
}
