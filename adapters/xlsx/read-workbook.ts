/**
 * @module Reading an untrusted .xlsx upload (issue 3 §5) into rows of plain values, or a
 * `SpreadsheetError` with a stable code. Nothing in a file can run, expand without bound, or
 * reach an object prototype. (CSV uploads: `read-csv.ts`; limits and errors:
 * `spreadsheet-upload.ts`.)
 *
 * The `xlsx` (SheetJS) package is never used here: its npm release (0.18.5) has public advisories
 * for reading untrusted files (CVE-2023-30533 prototype pollution, CVE-2024-22363 ReDoS).
 *
 * An .xlsx is read in three steps, each bounded:
 * 1. **Size**: the request body is read with a byte limit while it streams
 *    (`adapters/streams/read-limited.ts`): a declared `Content-Length` over it is refused before
 *    reading anything, and a chunked body is cut off as soon as it passes the limit.
 * 2. **Zip guard** (`adapters/zip/guard.ts`, shared with SCORM packages; yauzl, central directory
 *    of the buffer, before any parser sees it): at most
 *    `maxEntries` entries, no encrypted entry, only stored/deflated entries, no name twice, at
 *    most `maxUncompressedBytes` in total and a ratio of at most `maxRatio`:1 for any entry over
 *    `ratioFloorBytes` (declared sizes), and it must be an OOXML workbook (`[Content_Types].xml`
 *    and `xl/workbook.xml`, 1 to `maxSheets` worksheets). Then the parts exceljs will parse
 *    (workbook, its relationships, shared strings, worksheets) are inflated by yauzl, which checks
 *    every byte count against the declared size: a zip that lies about its sizes stops at the
 *    first extra byte (`zip-bomb`).
 * 3. **exceljs** `WorkbookReader` (streaming; shared strings `cache`, hyperlinks and styles
 *    `ignore`, worksheets `emit`) reads a zip rebuilt from those checked parts only (written with
 *    yazl, `adapters/zip/write-zip.ts`), stops at `maxRows` rows with values or a row wider than
 *    `maxCellsPerRow` cells, and within `timeoutMs`.
 *
 * Why rebuild the zip for exceljs instead of handing it the upload:
 * - exceljs unzips with `unzipper`, which walks the *local* headers: entries that the central
 *   directory (what the guard checked) does not list, or sizes that differ from it, would be
 *   parsed unchecked. The rebuilt zip holds exactly the bytes the guard inflated and counted.
 * - exceljs decodes each chunk of XML on its own, so a multi-byte UTF-8 character split across
 *   two chunks becomes two replacement characters (an accented surname silently corrupted). The
 *   rebuilt parts are pure ASCII: every non-ASCII character is written as an XML character
 *   reference (`è` → `&#232;`), which the XML parser turns back into the same text.
 * - exceljs copies worksheets that come before the shared strings into temporary files; the
 *   rebuilt zip puts workbook, relationships and shared strings first (empty ones when the file
 *   has none), so nothing is ever written to disk.
 * - Parts exceljs would not use (styles, themes, images, macros, printer settings…) are left out.
 *
 * Formulas are never evaluated, and a cell holding one refuses the whole file
 * (`formula-not-allowed`, with the cell's address). Its cached result would be a value the
 * gateway cannot check (computed by whatever program saved the file, or absent), and attendance
 * and the register are evidence typed or exported as values, never computed. Paste as values.
 *
 * Output: rows of `string | number | Date | null` cells with their 1-based row number. Dates and
 * times come as Excel serial numbers (styles are not read, so nothing is converted in the
 * server's time zone); `date1904` says which date system the workbook uses. Callers map headers
 * with a `Map`, never with cell text as keys of a plain object.
 */
import { Readable, Transform, type TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import type yauzl from 'yauzl';
import type { CellValue, SheetRow } from '../../src/domain/spreadsheet-values.ts';
import { guardZip, isSizeLie, looksLikeZip, ZipGuardError, type GuardedZip } from '../zip/guard.ts';
import { writeZip, type ZipEntryData } from '../zip/write-zip.ts';
import { limitsOf, SpreadsheetError, type SpreadsheetErrorCode, type SpreadsheetLimits } from './spreadsheet-upload.ts';

const fail = (code: SpreadsheetErrorCode, message: string, extra?: Record<string, unknown>) => new SpreadsheetError(code, message, extra);

// ---------------------------------------------------------------------------------------------
// 2. Zip guard
// ---------------------------------------------------------------------------------------------

const SHEET_PART = /^xl\/worksheets\/sheet(\d+)\.xml$/;
const PART = {
  contentTypes: '[Content_Types].xml',
  workbook: 'xl/workbook.xml',
  workbookRels: 'xl/_rels/workbook.xml.rels',
  sharedStrings: 'xl/sharedStrings.xml',
} as const;

/** What exceljs needs when the workbook lacks it: without them it would spill sheets to temp files. */
const EMPTY_PART: Readonly<Record<string, string>> = {
  [PART.workbookRels]: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
  [PART.sharedStrings]:
    '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>',
};

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/** What the guard found: the entries by name and the worksheets in sheet-number order. */
export interface ZipInspection {
  zip: yauzl.ZipFile;
  entries: ReadonlyMap<string, yauzl.Entry>;
  sheets: readonly string[];
  uncompressedBytes: number;
}

/**
 * Checks the zip's central directory against the limits and the OOXML shape, before anything is
 * inflated. Exported for tests and diagnostics; `readWorkbook` calls it.
 */
export async function inspectZip(buf: Buffer, partial?: Partial<SpreadsheetLimits>): Promise<ZipInspection> {
  const limits = limitsOf(partial);
  if (buf.length > limits.maxBytes) throw fail('file-too-large', `The file is larger than ${limits.maxBytes} bytes`, { maxBytes: limits.maxBytes });
  if (buf.length >= 8 && buf.subarray(0, 8).equals(OLE_MAGIC)) {
    throw fail('not-a-workbook', 'This is a password-protected workbook or an old .xls file: save it as an unprotected Excel workbook (.xlsx)');
  }
  if (!looksLikeZip(buf)) throw fail('not-a-workbook', 'The file is not an Excel workbook (.xlsx)');
  let guarded: GuardedZip;
  try {
    guarded = await guardZip(buf, { limits, describe: 'The workbook', entryWord: 'part' });
  } catch (err) {
    if (err instanceof ZipGuardError) throw fail(err.code === 'unsafe-path' || err.code === 'not-a-zip' ? 'unreadable-file' : err.code, err.message, err.extra);
    throw err;
  }
  try {
    return checkWorkbookShape(guarded, limits);
  } catch (err) {
    guarded.zip.close();
    throw err;
  }
}

/** The OOXML shape, on entries the shared guard already checked (`adapters/zip/guard.ts`). */
function checkWorkbookShape({ zip, entries, uncompressedBytes }: GuardedZip, limits: SpreadsheetLimits): ZipInspection {
  if (!entries.has(PART.contentTypes) || !entries.has(PART.workbook))
    throw fail('not-a-workbook', 'The file is a zip archive but not an Excel workbook (.xlsx)');
  const sheets = [...entries.keys()]
    .map((name) => ({ name, n: SHEET_PART.exec(name) }))
    .filter((x): x is { name: string; n: RegExpExecArray } => x.n !== null)
    .sort((a, b) => Number(a.n[1]) - Number(b.n[1]))
    .map((x) => x.name);
  if (sheets.length === 0) throw fail('not-a-workbook', 'The workbook has no worksheet');
  if (sheets.length > limits.maxSheets) throw fail('too-many-sheets', `The workbook has ${sheets.length} worksheets; at most ${limits.maxSheets} are accepted`);
  return { zip, entries, sheets, uncompressedBytes };
}

/** Turns every non-ASCII character into an XML character reference; refuses bytes that are not UTF-8. */
class XmlAsciiEscape extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    try {
      cb(null, asciiXml(this.decoder.decode(chunk, { stream: true })));
    } catch {
      cb(fail('unreadable-file', 'A part of the workbook is not UTF-8 XML'));
    }
  }
  override _flush(cb: TransformCallback) {
    try {
      const rest = this.decoder.decode();
      cb(null, rest ? asciiXml(rest) : undefined);
    } catch {
      cb(fail('unreadable-file', 'A part of the workbook is not UTF-8 XML'));
    }
  }
}

function asciiXml(s: string): Buffer {
  return Buffer.from(
    s.replace(/[^\x00-\x7F]/gu, (ch) => `&#${ch.codePointAt(0)};`),
    'latin1',
  );
}

/** Inflates one part through yauzl (byte counts checked) and escapes it to ASCII. */
async function escapedPart(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<ZipEntryData> {
  let source: Readable;
  try {
    source = await zip.openReadStreamPromise(entry);
  } catch {
    throw fail('unreadable-file', 'The workbook is damaged: a part cannot be opened');
  }
  const chunks: Buffer[] = [];
  const collect = new Writable({
    write(b: Buffer, _enc, cb) {
      chunks.push(b);
      cb();
    },
  });
  try {
    await pipeline(source, new XmlAsciiEscape(), collect);
  } catch (err) {
    if (err instanceof SpreadsheetError) throw err;
    // yauzl checks every entry against its declared size: more bytes is a lie about the size.
    if (isSizeLie(err)) throw fail('zip-bomb', 'A part of the workbook expands beyond its declared size');
    throw fail('unreadable-file', 'The workbook is damaged: a part cannot be decompressed');
  }
  return { name: entry.fileName, data: Buffer.concat(chunks) };
}

/** The parts exceljs reads, in its order: workbook, relationships, shared strings, then the worksheets; nothing else. */
async function* partsForExcelJs({ zip, entries, sheets }: ZipInspection): AsyncGenerator<ZipEntryData> {
  for (const name of [PART.workbook, PART.workbookRels, PART.sharedStrings, ...sheets]) {
    const entry = entries.get(name);
    yield entry ? await escapedPart(zip, entry) : { name, data: Buffer.from(EMPTY_PART[name]!, 'latin1') };
  }
}

/**
 * The zip exceljs reads (yazl, level 1: it is inflated again at once). Each part goes to yazl as
 * soon as it is escaped, so the parts are not all held uncompressed together.
 */
function rebuildForExcelJs(inspection: ZipInspection): Promise<Buffer> {
  return writeZip(partsForExcelJs(inspection), { compressionLevel: 1 });
}

// ---------------------------------------------------------------------------------------------
// 3. exceljs, streaming
// ---------------------------------------------------------------------------------------------

export interface SheetData {
  name: string;
  /** Rows holding at least one value, in file order. */
  rows: SheetRow[];
}

export interface WorkbookData {
  sheet: SheetData;
  /** The workbook counts serial dates from 1904 (`workbookPr date1904`). */
  date1904: boolean;
}

export interface ReadWorkbookOptions {
  limits?: Partial<SpreadsheetLimits>;
  /** Read the worksheet of this name (case, accents and spaces ignored); the first one if there is none. */
  sheet?: string;
}

/**
 * Reads one worksheet of an untrusted .xlsx: the one named `opts.sheet`, else the first. Throws
 * `SpreadsheetError` for anything refused (see the module comment for the checks).
 *
 * @example const { sheet, date1904 } = await readWorkbook(bytes, { sheet: 'Presenze' })
 */
export async function readWorkbook(bytes: Uint8Array, opts: ReadWorkbookOptions = {}): Promise<WorkbookData> {
  const limits = limitsOf(opts.limits);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const inspection = await inspectZip(buf, limits);
  let rebuilt: Buffer;
  try {
    rebuilt = await rebuildForExcelJs(inspection);
  } finally {
    inspection.zip.close();
  }
  const input = Readable.from([rebuilt], { objectMode: false });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      input.destroy();
      reject(fail('unreadable-file', `The workbook could not be read within ${Math.round(limits.timeoutMs / 1000)} s`));
    }, limits.timeoutMs);
  });
  try {
    return await Promise.race([readSheets(input, opts.sheet, limits), timeout]);
  } finally {
    clearTimeout(timer);
    input.destroy();
  }
}

async function readSheets(input: Readable, wanted: string | undefined, limits: SpreadsheetLimits): Promise<WorkbookData> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  const date1904 = () => (reader as unknown as { properties?: { model?: { date1904?: unknown } } }).properties?.model?.date1904 === true;
  let first: SheetData | null = null;
  try {
    for await (const ws of reader) {
      const name = String((ws as unknown as { name?: unknown }).name ?? '');
      if (wanted !== undefined && sameSheetName(name, wanted)) return { sheet: { name, rows: await readRows(ws, name, limits) }, date1904: date1904() };
      if (!first) {
        first = { name, rows: await readRows(ws, name, limits) };
        if (wanted === undefined) break;
      }
    }
  } catch (err) {
    if (err instanceof SpreadsheetError) throw err;
    throw fail('unreadable-file', 'The workbook is damaged: a worksheet cannot be parsed');
  }
  if (!first) throw fail('not-a-workbook', 'The workbook has no worksheet');
  return { sheet: first, date1904: date1904() };
}

function sameSheetName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/\s+/g, ' ').trim().toLowerCase();
  return norm(a) === norm(b);
}

async function readRows(ws: ExcelJS.stream.xlsx.WorksheetReader, sheetName: string, limits: SpreadsheetLimits): Promise<SheetRow[]> {
  const rows: SheetRow[] = [];
  let previous = 0;
  for await (const row of ws) {
    const n = Number.isSafeInteger(row.number) && row.number > previous ? row.number : previous + 1;
    previous = n;
    const values = row.values as unknown;
    if (!Array.isArray(values) || values.length <= 1) continue;
    // `values` is sparse and 1-based: its length is one past the last column holding a value.
    const width = values.length - 1;
    if (width > limits.maxCellsPerRow) {
      throw fail(
        'too-many-columns',
        `Row ${n} of sheet ${JSON.stringify(sheetName)} has values up to column ${columnLetter(width)}; at most ${limits.maxCellsPerRow} columns are read`,
        {
          row: n,
          maxCellsPerRow: limits.maxCellsPerRow,
        },
      );
    }
    const cells: CellValue[] = new Array<CellValue>(width).fill(null);
    let any = false;
    for (let col = 1; col <= width; col++) {
      const v = plainCell(values[col], () => `${sheetName}!${columnLetter(col)}${n}`);
      cells[col - 1] = v;
      if (v !== null && !(typeof v === 'string' && v.trim() === '')) any = true;
    }
    if (!any) continue;
    if (rows.length >= limits.maxRows) throw fail('too-many-rows', `The sheet has more than ${limits.maxRows} rows`, { maxRows: limits.maxRows });
    rows.push({ row: n, cells });
  }
  return rows;
}

/** An exceljs cell value as a plain value; formulas and shapes this reader does not know refuse the file. */
function plainCell(v: unknown, where: () => string): CellValue {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
      return v === '' ? null : v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'boolean':
      return v ? 'TRUE' : 'FALSE';
    case 'object': {
      if (v instanceof Date) return Number.isFinite(v.getTime()) ? v : null;
      if (Object.hasOwn(v, 'formula') || Object.hasOwn(v, 'sharedFormula')) {
        throw fail('formula-not-allowed', `Cell ${where()} holds a formula: formulas are not read; paste the values instead`, { cell: where() });
      }
      const o = v as { richText?: unknown; error?: unknown };
      if (Array.isArray(o.richText)) {
        const text = o.richText.map((r: unknown) => (r && typeof (r as { text?: unknown }).text === 'string' ? (r as { text: string }).text : '')).join('');
        return text === '' ? null : text;
      }
      if (typeof o.error === 'string') return o.error;
      throw fail('unreadable-file', `Cell ${where()} holds a value of an unknown kind`, { cell: where() });
    }
    default:
      throw fail('unreadable-file', `Cell ${where()} holds a value of an unknown kind`, { cell: where() });
  }
}

function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}
