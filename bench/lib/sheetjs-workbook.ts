/**
 * @module The attendance workbook written with SheetJS (`xlsx` 0.18.5, the Community Edition on
 * the npm registry) instead of exceljs: the other candidate library, for the ratio in
 * bench/xlsx.ts. Writing is safe with it; only reading untrusted files is not (issue 3, "Safety").
 *
 * Same input as `writeAttendanceWorkbook` and the same cells: sheets `Presenze`, `Esito` and
 * `Non abbinati`, the same headers and columns, every text through `safeCellText`, dates and times
 * as numbers (Excel serials) with the same formats (`dd/mm/yyyy`, `hh:mm`), computed from the
 * same `Date`s exceljs is given and by the same formula (days since 1899-12-30 from the `Date`'s
 * UTC value), so both files hold the same values; the same column widths and the same
 * autofilter. What SheetJS CE cannot write: the frozen header row (no panes in
 * `<sheetView>`) and the header style (bold, fill, border). The empty entry/exit cells of the
 * blank template carry no format either (SheetJS writes no empty cells).
 *
 * SheetJS has no streaming writer for xlsx: every cell of every sheet is held as an object until
 * `XLSX.write` builds the whole zip in memory; that is what this costs, and what the bench
 * measures. Compression is on (DEFLATE), as exceljs's zip is.
 */
import fs from 'node:fs';
import XLSX from 'xlsx';
import {
  DATE_FORMAT,
  excelRomeDate,
  excelRomeDateTime,
  NOT_DERIVED_TEXT,
  OUTCOME_HEADERS,
  PRESENCE_HEADERS,
  presenceRows,
  reasonText,
  SHEETS,
  statusText,
  TIME_FORMAT,
  UNMATCHED_HEADERS,
  type AttendanceWorkbookInput,
  type PresenceSpan,
  type WorkbookSummary,
} from '../../adapters/xlsx/attendance-workbook.ts';
import { safeCellText } from '../../adapters/xlsx/cell-text.ts';

/** Column widths as in adapters/xlsx/attendance-workbook.ts (not exported there). */
const WIDTHS = {
  presence: [13, 24, 22, 20, 21, 19, 16, 15],
  outcomes: [24, 22, 20, 21, 19, 19, 18, 20, 9, 28, 60, 10],
  unmatched: [30, 40, 19, 24, 60],
};

const DAY_MS = 86_400_000;
/** Excel serial of a `Date`, as exceljs computes it (`25569 + getTime() / 86400000`). */
const serial = (d: Date) => 25569 + d.getTime() / DAY_MS;

type Cell = XLSX.CellObject | null;

function text(v: string): XLSX.CellObject {
  return { t: 's', v };
}
function num(v: number, z?: string): XLSX.CellObject {
  return z ? { t: 'n', v, z } : { t: 'n', v };
}

/** A sheet from rows of cells (header first), with widths and an autofilter on the header. */
function sheet(headers: readonly string[], rows: Cell[][], widths: readonly number[]): XLSX.WorkSheet {
  const ws = XLSX.utils.aoa_to_sheet([[...headers], ...rows]);
  ws['!cols'] = widths.map((wch) => ({ wch }));
  ws['!autofilter'] = { ref: XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: 0, c: headers.length - 1 } }) };
  return ws;
}

/** Builds the workbook in memory (all sheets), as SheetJS requires. */
export async function buildAttendanceWorkbookSheetJS(input: AttendanceWorkbookInput): Promise<{ wb: XLSX.WorkBook; summary: WorkbookSummary }> {
  const summary: WorkbookSummary = { presenceRows: 0, outcomeRows: 0, unmatchedRows: 0 };
  const wb = XLSX.utils.book_new();
  const eventDate = num(serial(excelRomeDate(input.eventStart)), DATE_FORMAT);

  const presence: Cell[][] = [];
  for await (const page of input.presence()) {
    for (const m of page) {
      const rows: Array<PresenceSpan | null> = input.blank ? [null] : presenceRows(m.spans, input.layout);
      for (const span of rows) {
        presence.push([
          eventDate,
          text(safeCellText(m.surname)),
          text(safeCellText(m.givenName)),
          text(safeCellText(m.codiceFiscale)),
          text(safeCellText(m.registerNumber)),
          text(safeCellText(m.province)),
          span ? num(serial(excelRomeDateTime(span.entry)), TIME_FORMAT) : null,
          span?.exit != null ? num(serial(excelRomeDateTime(span.exit)), TIME_FORMAT) : null,
        ]);
        summary.presenceRows++;
      }
    }
  }
  XLSX.utils.book_append_sheet(wb, sheet(PRESENCE_HEADERS, presence, WIDTHS.presence), SHEETS.presence);

  if (!input.blank && input.outcomes) {
    const outcomes: Cell[][] = [];
    for await (const page of input.outcomes()) {
      for (const m of page) {
        const o = m.outcome;
        outcomes.push([
          text(safeCellText(m.surname)),
          text(safeCellText(m.givenName)),
          text(safeCellText(m.codiceFiscale)),
          text(safeCellText(m.registerNumber)),
          text(safeCellText(m.province)),
          o ? num(o.coveredMinutes) : null,
          o ? num(o.absentMinutes) : null,
          o ? num(o.toleranceMinutes) : null,
          o ? num(o.credits) : null,
          text(safeCellText(o ? statusText(o.status) : NOT_DERIVED_TEXT)),
          o ? text(safeCellText(reasonText(o.reason, o.pending))) : null,
          o?.rule ? text(safeCellText(o.rule)) : null,
        ]);
        summary.outcomeRows++;
      }
    }
    XLSX.utils.book_append_sheet(wb, sheet(OUTCOME_HEADERS, outcomes, WIDTHS.outcomes), SHEETS.outcomes);
  }

  if (!input.blank && input.unmatched) {
    const unmatched: Cell[][] = [];
    for await (const page of input.unmatched()) {
      for (const p of page) {
        unmatched.push([
          p.displayName ? text(safeCellText(p.displayName)) : null,
          text(safeCellText(p.participantKey)),
          num(p.coveredMinutes),
          text(safeCellText(statusText(p.status))),
          p.reason ? text(safeCellText(reasonText(p.reason, false))) : null,
        ]);
        summary.unmatchedRows++;
      }
    }
    XLSX.utils.book_append_sheet(wb, sheet(UNMATCHED_HEADERS, unmatched, WIDTHS.unmatched), SHEETS.unmatched);
  }
  wb.Props = { Author: 'CdL formazione continua', CreatedDate: new Date() };
  return { wb, summary };
}

/** Builds the workbook and writes it to `file` (one buffer: SheetJS has no streaming xlsx writer). */
export async function writeAttendanceWorkbookSheetJS(file: string, input: AttendanceWorkbookInput): Promise<WorkbookSummary & { bytes: number }> {
  const { wb, summary } = await buildAttendanceWorkbookSheetJS(input);
  const buf = XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
  fs.writeFileSync(file, buf);
  return { ...summary, bytes: buf.length };
}
