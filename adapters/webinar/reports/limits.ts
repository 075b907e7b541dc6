/** @module How much one report may hold: the row bound shared by the CSV and JSON readers. */
import { ReportFormatError } from './codes.ts';

/** Upper bound on rows/intervals read from one report (a 10,000-person webinar with reconnects fits). */
export const MAX_REPORT_ROWS = 200_000;

/** Guards the size of a report: rows of a CSV, entries of a JSON report. */
export function checkRowCount(n: number): void {
  if (n > MAX_REPORT_ROWS) throw new ReportFormatError('report-too-large', `more than ${MAX_REPORT_ROWS} rows`);
}
