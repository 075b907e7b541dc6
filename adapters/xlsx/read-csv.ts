/**
 * @module Reading an untrusted CSV upload (issue 3 §5) with csv-parse: UTF-8 (BOM or not), UTF-16
 * with BOM, else Windows-1252 (what Excel in Italian saves as "CSV"); delimiter `;`, `,` or tab,
 * detected from the first line, or given by Excel's `sep=` first line; the row and cell limits and
 * the output shape of the workbook reader (`read-workbook.ts`).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import type { SheetRow } from '../../src/domain/spreadsheet-values.ts';
import { limitsOf, SpreadsheetError, type SpreadsheetErrorCode, type SpreadsheetLimits } from './spreadsheet-upload.ts';

const fail = (code: SpreadsheetErrorCode, message: string, extra?: Record<string, unknown>) => new SpreadsheetError(code, message, extra);

export interface CsvData {
  rows: SheetRow[];
  /** Lines that are not CSV (an unclosed quote…): reported as rejected rows by the caller. */
  malformed: Array<{ row: number; message: string }>;
}

/**
 * Reads an untrusted CSV into rows of text cells (trimmed; empty cells are null). Row numbers
 * are 1-based lines of the file; a quoted value spanning lines counts from its first line.
 *
 * @example readCsv(Buffer.from('Codice fiscale;Ora di ingresso\nRSSMRA85T10A562S;14:00\n'))
 */
export function readCsv(bytes: Uint8Array, opts: { limits?: Partial<SpreadsheetLimits> } = {}): CsvData {
  const limits = limitsOf(opts.limits);
  if (bytes.byteLength > limits.maxBytes) throw fail('file-too-large', `The file is larger than ${limits.maxBytes} bytes`, { maxBytes: limits.maxBytes });
  let text = decodeText(bytes);
  // One line terminator: csv-parse counts a CRLF inside a quoted field as two lines.
  text = text.replace(/\r\n?/g, '\n');
  let lineOffset = 0;
  let delimiter: string;
  const sep = /^sep=(.)\n/i.exec(text);
  if (sep) {
    delimiter = sep[1]!;
    text = text.slice(sep[0].length);
    lineOffset = 1;
  } else delimiter = detectDelimiter(text);

  const rows: SheetRow[] = [];
  const malformed: CsvData['malformed'] = [];
  let prevEnd = 0;
  let prevEmpty = 0;
  const startLine = (lines: number, emptyLines: number) => {
    const line = prevEnd + 1 + (emptyLines - prevEmpty);
    prevEnd = lines;
    prevEmpty = emptyLines;
    return line + lineOffset;
  };
  const tooMany = fail('too-many-rows', `The file has more than ${limits.maxRows} rows`, { maxRows: limits.maxRows });
  try {
    parseCsv(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_record: (fields: string[], ctx) => {
        const row = startLine(ctx.lines, ctx.empty_lines);
        let width = fields.length;
        while (width > 0 && fields[width - 1]!.trim() === '') width--;
        if (width === 0) return null;
        if (width > limits.maxCellsPerRow) {
          throw fail('too-many-columns', `Line ${row} has ${width} columns; at most ${limits.maxCellsPerRow} are read`, {
            row,
            maxCellsPerRow: limits.maxCellsPerRow,
          });
        }
        if (rows.length >= limits.maxRows) throw tooMany;
        rows.push({ row, cells: fields.slice(0, width).map((f) => (f.trim() === '' ? null : f)) });
        return null;
      },
      on_skip: (err) => {
        const e = err as unknown as { lines?: number; empty_lines?: number; code?: string } | undefined;
        const row = startLine(e?.lines ?? prevEnd + 1, e?.empty_lines ?? prevEmpty);
        if (malformed.length < 1000) {
          malformed.push({
            row,
            message:
              e?.code === 'CSV_QUOTE_NOT_CLOSED'
                ? 'a quoted value is never closed; the file was not read past this line'
                : `not a CSV row (${e?.code ?? 'parse error'})`,
          });
        }
      },
    });
  } catch (err) {
    if (err instanceof SpreadsheetError) throw err;
    throw fail('unreadable-file', 'The file cannot be read as CSV');
  }
  return { rows, malformed };
}

/** UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; the BOM is dropped. */
function decodeText(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b.subarray(2));
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b); // drops a UTF-8 BOM
  } catch {
    return new TextDecoder('windows-1252').decode(b);
  }
}

/** The delimiter most used in the first non-empty line outside quotes: `;`, `,` or tab (`,` on a tie). */
function detectDelimiter(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [ch, n] of counts) if (n > counts.get(best)!) best = ch;
  return best;
}
