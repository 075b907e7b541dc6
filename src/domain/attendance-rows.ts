/**
 * @module The rows of an event's attendance file (R-TPL-2): who, when present, with what outcome,
 * and who matched no registration. Types only, shared by the store that pages them out of the
 * database and the spreadsheet writer that lays them out.
 */

/** Who a row is about: the member as the register knows them. */
export interface MemberIdentity {
  surname: string;
  givenName: string;
  codiceFiscale: string;
  registerNumber: string;
  /** Province code of the member's Ordine provinciale (e.g. `MI`). */
  province: string;
}

/** One presence interval, epoch ms; `exit: null` is an entry with no exit yet (R-ATT-6). */
export interface PresenceSpan {
  entry: number;
  exit: number | null;
}

export interface MemberPresence extends MemberIdentity {
  /** In order of entry; empty for a registered member who was never present. */
  spans: readonly PresenceSpan[];
  /**
   * Whole minutes present and absent within the event's scheduled time, as the outcome counts them
   * (`assessAttendance`: absence rounded up, R-ATT-3; open joins not counted until closed, R-ATT-6);
   * absent (null) in the blank template and for members never present.
   */
  minutes?: { present: number; absent: number } | null;
}

/** A member's derived outcome as the Esito sheet reports it. */
export interface OutcomeSummary {
  status: string;
  coveredMinutes: number;
  absentMinutes: number;
  toleranceMinutes: number;
  credits: number;
  reason: string | null;
  rule: string | null;
  /** Credited, pending the questionnaire (R-QST-1). */
  pending: boolean;
  /** Credited attendance whose credits the questionnaire refused, with the reason (R-QST-8). */
  notGranted?: string | null;
}

export interface MemberOutcome extends MemberIdentity {
  /** `null` until the event is first derived. */
  outcome: OutcomeSummary | null;
}

export interface UnmatchedParticipant {
  participantKey: string;
  displayName: string | null;
  status: string;
  coveredMinutes: number;
  reason: string | null;
}
