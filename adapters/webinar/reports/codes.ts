/**
 * @module The stable codes of the report readers: why a row is rejected or skipped, and why a
 * whole file is refused (`ReportFormatError`, whose codes are problem codes of the API).
 */
import type { ProblemCode } from '../../../src/schemas/problems.ts';

/** Why a row was not read (stable codes). */
export type RejectCode =
  /** The delimited-text parser could not read the row. */
  | 'row-unparseable'
  /** A JSON element that should be an object is not one. */
  | 'row-not-an-object'
  /** A join/leave value is present but is not a date-time in a known format. */
  | 'time-unreadable'
  /** A local time that does not exist on the Rome calendar (spring-forward gap). */
  | 'time-nonexistent'
  /** A JSON instant without offset where the platform documents offsets. */
  | 'time-without-offset'
  /** An instant before 2000 or after 2199 (Webex's 1970 sentinel excepted). */
  | 'time-implausible'
  /** The leave precedes the join in every reading of the row. */
  | 'leave-before-join';

/** Rows read correctly but deliberately not turned into intervals (stable codes). */
export type SkipCode =
  /** Zoom attendee report row with `Attended` = No (a registrant who never joined). */
  | 'not-attended'
  /** Zoom REST participant with status `in_waiting_room`: never admitted. */
  | 'waiting-room'
  /** Webex participant still in the lobby: never admitted. */
  | 'lobby'
  /** GoTo attendee without any `attendance[]` entry; Zoom CSV row with neither a join nor a leave time. */
  | 'no-attendance';

export interface RowIssue<C extends string> {
  /** Same numbering as `ReportInterval.sourceRow`. */
  row: number;
  path?: string;
  code: C;
  message: string;
}
export type ReportRejection = RowIssue<RejectCode>;
export type ReportSkip = RowIssue<SkipCode>;

export const REJECT_MESSAGES: Record<RejectCode, string> = {
  'row-unparseable': 'the row could not be parsed',
  'row-not-an-object': 'the entry is not a JSON object',
  'time-unreadable': 'a join/leave value is not a date-time in a known format',
  'time-nonexistent': 'a local time that does not exist in Europe/Rome (spring-forward gap)',
  'time-without-offset': 'an instant without offset (the platform documents UTC instants with offset)',
  'time-implausible': 'an instant before 2000 or after 2199',
  'leave-before-join': 'the leave time is before the join time',
};

/** Whole-file failure codes (stable): problem codes of `src/schemas/problems.ts`. */
export type ReportFormatCode = Extract<
  ProblemCode,
  | 'report-empty'
  | 'report-too-large'
  | 'report-not-json'
  | 'report-shape-unrecognised'
  | 'report-blocks-missing'
  | 'report-columns-missing'
  | 'report-date-order-conflict'
>;

/** The file as a whole is not the report the adapter reads. */
export class ReportFormatError extends Error {
  constructor(
    readonly code: ReportFormatCode,
    message: string,
    /**
     * For `report-columns-missing`: the column roles that could not be found (stable names:
     * `join`, `leave`, `name or email`), so a caller can say what the file lacks.
     */
    readonly missing: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ReportFormatError';
  }
}
