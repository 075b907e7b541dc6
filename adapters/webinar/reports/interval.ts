/**
 * @module The presence interval every report reader produces, and the shape of a reader's result.
 */
import type { ReportRejection, ReportSkip } from './codes.ts';

/** Which export an interval was read from; also the first part of every record id. */
export type ReportSource = 'teams-csv' | 'teams-graph' | 'zoom-csv' | 'zoom-api' | 'goto-api' | 'webex-api';

/** Facts about how an interval was read, kept for the audit trail (stable codes). */
export type IntervalNote =
  /** An autumn-fold wall-clock time (happens twice) was resolved by the report's own duration. */
  | 'fold-resolved-by-duration'
  /** An autumn-fold time had only one reading with leave ≥ join. */
  | 'fold-resolved-by-order'
  /** An autumn-fold time with no other evidence: the earliest reading (as `romeLocalToUtc`). */
  | 'fold-resolved-earliest'
  /** The row had e-mail text that is not an e-mail address; it was dropped. */
  | 'email-invalid'
  /** GoTo `registrantKey` arrived as a JSON number beyond 2^53 (already rounded): not used. */
  | 'registrant-key-imprecise'
  /** The row had a duration that could not be read; it was ignored. */
  | 'duration-unreadable'
  /** Webex `1970-01-01T00:00:00.000Z` (unknown) join time, read as an unknown boundary. */
  | 'join-unknown-sentinel'
  /** Webex `1970-01-01T00:00:00.000Z` (unknown) leave time, read as an unknown boundary. */
  | 'leave-unknown-sentinel';

/**
 * One presence interval as a report states it: one Teams "In-Meeting activities" row, one Zoom
 * row/participant entry (one connection), one Graph `attendanceInterval`, one GoTo `attendance[]`
 * entry, one Webex `devices[]` entry. `join`/`leave` are UTC instants
 * (`YYYY-MM-DDTHH:mm:ss.sssZ`) or `null` when the report does not know that boundary.
 */
export interface ReportInterval {
  source: ReportSource;
  name?: string;
  /** A syntactically valid e-mail address (as written; matching lower-cases it). */
  email?: string;
  /** Teams `Participant ID (UPN)`: the sign-in identity, may differ from `email`. */
  upn?: string;
  /** A platform user id stable across rejoins (Graph identity.id, Zoom participant_user_id/id, Webex participant id). */
  userId?: string;
  /** Registration id (Zoom registrant_id, GoTo registrantKey, Graph registrationId). */
  registrantId?: string;
  /** The platform's role/section for the row (Organizer, Presenter, Attendee, host, panelist…). */
  role?: string;
  join: string | null;
  leave: string | null;
  /** The duration the report itself states for this interval, in seconds, when it states one. */
  reportedSeconds?: number;
  /** The platform's per-connection id (Zoom in-meeting user_id, Webex correlationId): never an identity. */
  connectionRef?: string;
  /** CSV: 1-based line of the row in the decoded file. JSON: 1-based index of the participant. */
  sourceRow: number;
  /** JSON: where the interval sits, e.g. `participants[3].attendance[1]`. */
  sourcePath?: string;
  notes: IntervalNote[];
}

export interface ReportResult<M = Record<string, never>> {
  source: ReportSource;
  intervals: ReportInterval[];
  rejected: ReportRejection[];
  skipped: ReportSkip[];
  meta: M;
}

/** Optional fields set only when defined (keeps results free of `undefined` keys, for deep equality). */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
