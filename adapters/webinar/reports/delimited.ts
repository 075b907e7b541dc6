/** @module Delimited text (Teams, Zoom CSV) → rows of cells with their line, through csv-parse. */
import { parse as parseCsv } from 'csv-parse/sync';
import type { ReportRejection } from './codes.ts';
import { checkRowCount } from './limits.ts';

export interface DelimitedRow {
  /** 1-based line where the row starts in the decoded text. */
  line: number;
  cells: string[];
}

/**
 * Parses delimited text with csv-parse (sync): `relax_column_count` (blocks of different width
 * share one file), `relax_quotes` (a quote inside an unquoted field is text), empty lines dropped.
 * A row the parser cannot read is reported, not thrown. If a quote is never closed (which would
 * swallow the rest of the file into one field), the text is read again without quote handling:
 * the platforms' exports we read do not quote fields that need none.
 */
export function parseDelimited(text: string, delimiter: ',' | '\t'): { rows: DelimitedRow[]; errors: ReportRejection[] } {
  const attempt = (quote: '"' | false) => {
    const errors: ReportRejection[] = [];
    let unclosed = false;
    const out = parseCsv(text, {
      delimiter,
      quote,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      info: true,
      raw: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        if (err?.code === 'CSV_QUOTE_NOT_CLOSED') unclosed = true;
        const line = typeof (err as { lines?: unknown } | undefined)?.lines === 'number' ? (err as unknown as { lines: number }).lines : 0;
        errors.push({ row: line, code: 'row-unparseable', message: err?.message ?? 'row could not be parsed' });
        return undefined;
      },
    }) as unknown as Array<{ record: string[]; raw: string; info: { lines: number } }>;
    return { out, errors, unclosed };
  };
  let r = attempt('"');
  if (r.unclosed) r = attempt(false);
  const rows: DelimitedRow[] = [];
  for (const { record, raw, info } of r.out) {
    // `info.lines` is the line where the record ends; `raw` includes skipped empty lines before it.
    const body = raw.replace(/^\n+/, '').replace(/\n$/, '');
    const newlines = body.split('\n').length - 1;
    rows.push({ line: info.lines - newlines, cells: record });
  }
  checkRowCount(rows.length);
  return { rows, errors: r.errors };
}

/** Non-empty trimmed cells of a row. */
export function filledCells(cells: readonly string[]): string[] {
  return cells.map((c) => c.trim()).filter((c) => c.length > 0);
}
