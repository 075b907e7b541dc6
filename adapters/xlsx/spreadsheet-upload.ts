/**
 * @module What the readers of uploaded spreadsheets (`read-workbook.ts`, `read-csv.ts`) share:
 * the media types, the limits, and the refusal `SpreadsheetError`, whose codes are problem codes
 * of `src/schemas/problems.ts` (the status comes from that table).
 */
import { problemEntry, type ProblemCode, type ProblemStatus } from '../../src/schemas/problems.ts';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_MEDIA_TYPES: readonly string[] = ['text/csv', 'application/csv', 'text/plain'];

export interface SpreadsheetLimits {
  /** Bytes of the file as uploaded. */
  maxBytes: number;
  /** Entries in the zip. */
  maxEntries: number;
  /** Uncompressed bytes of all entries together. */
  maxUncompressedBytes: number;
  /** Compression ratio allowed for an entry larger than `ratioFloorBytes`. */
  maxRatio: number;
  ratioFloorBytes: number;
  /** Worksheets in the workbook. */
  maxSheets: number;
  /** Rows that hold a value (header included), in the sheet read. */
  maxRows: number;
  /** Columns of a row, up to its last non-empty cell. */
  maxCellsPerRow: number;
  /** Wall-clock time for parsing the sheet. */
  timeoutMs: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<SpreadsheetLimits> = Object.freeze({
  maxBytes: 10 * MiB,
  maxEntries: 200,
  maxUncompressedBytes: 100 * MiB,
  maxRatio: 100,
  ratioFloorBytes: 1 * MiB,
  maxSheets: 10,
  maxRows: 20_000,
  maxCellsPerRow: 50,
  timeoutMs: 30_000,
});

export function limitsOf(partial?: Partial<SpreadsheetLimits>): SpreadsheetLimits {
  return { ...DEFAULT_LIMITS, ...partial };
}

/** 413 for a limit, 422 for content that cannot be accepted (the table's statuses). */
export type SpreadsheetErrorCode = Extract<
  ProblemCode,
  | 'file-too-large'
  | 'zip-bomb'
  | 'not-a-workbook'
  | 'encrypted-file'
  | 'unreadable-file'
  | 'too-many-sheets'
  | 'too-many-rows'
  | 'too-many-columns'
  | 'formula-not-allowed'
  | 'invalid-encoding'
>;

/** The file is refused as a whole. Messages never quote cell contents (personal data). */
export class SpreadsheetError extends Error {
  readonly status: ProblemStatus;
  constructor(
    readonly code: SpreadsheetErrorCode,
    message: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.status = problemEntry(code).status;
  }
}
