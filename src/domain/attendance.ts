/**
 * @module Attendance of one member at one event (R-ATT-3, R-ATT-4, R-ATT-5, R-ATT-6, R-ATT-9): pure, instants as epoch ms.
 *
 * Imports nothing of ours but other domain modules. Every outcome carries its explanation in data.
 */

const MINUTE = 60_000;

/** A presence interval; `leave: null` is a join with no matching leave yet (R-ATT-6). */
export interface Interval {
  join: number;
  leave: number | null;
}

export interface Fraction {
  start: number;
  end: number;
  credits: number;
  /** A session of a structured path with full scientific autonomy (R-EVT-6); ignored elsewhere. */
  autonomous?: boolean;
}

export interface EventWindow {
  start: number;
  end: number;
  credits: number;
  toleranceMinutes: number;
  /** `null` or empty: the event is not fractionable (R-ATT-4). */
  fractions: Fraction[] | null;
}

/** Why an outcome is what it is, as a stable code (R-ATT-9). */
export type Decision =
  | 'qualified' // absence within tolerance (R-ATT-3)
  | 'absence-over-tolerance' // absence above tolerance (R-ATT-3)
  | 'open-interval'; // a join with no leave and no meeting end decides the outcome (R-ATT-6)

export interface SpanOutcome {
  start: number;
  end: number;
  coveredMinutes: number;
  absentMinutes: number;
  toleranceMinutes: number;
  qualifies: boolean;
  credits: number;
  decision: Decision;
  rule: 'R-ATT-3' | 'R-ATT-4' | 'R-ATT-5' | 'R-ATT-6';
}

export interface AttendanceOutcome {
  /** `incomplete`: an open interval could change the result; no credit until it is closed (R-ATT-6). */
  status: 'complete' | 'incomplete';
  coveredMinutes: number;
  absentMinutes: number;
  toleranceMinutes: number;
  qualifies: boolean;
  credits: number;
  decision: Decision;
  rule: SpanOutcome['rule'];
  /** Joins left open (no leave, no meeting end) and leaves with no join. */
  openIntervals: number;
  /** Open joins that the meeting-end signal closed (R-ATT-6). */
  closedByMeetingEnd: number;
  /** Merged presence inside the event window, for the explanation and the attendance file. */
  presence: Array<{ start: number; end: number }>;
  /** Per-fraction outcomes when the event is fractionable (R-ATT-5). */
  fractions: SpanOutcome[] | null;
}

export interface AttendanceInput {
  event: EventWindow;
  intervals: readonly Interval[];
  /** The platform's meeting-end signal, if one arrived (R-ATT-6). */
  meetingEnd: number | null;
  /** Leaves with no join: presence of unknown start, handled like an open join (R-ATT-6). */
  unpairedLeaves?: number;
}

/**
 * Computes the attendance outcome of one member (R-ATT-3, R-ATT-4, R-ATT-5, R-ATT-6).
 *
 * Open joins are closed by the meeting end when there is one. Otherwise the outcome is judged
 * on the closed intervals alone: if they already qualify, the open join cannot change that
 * (presence only grows); if they do not, the outcome is `incomplete` and yields no credit until
 * the organiser supplies the missing exit (R-ATT-6).
 *
 * @example
 * assessAttendance({ event: { start, end, credits: 3, toleranceMinutes: 30, fractions: null },
 *   intervals: [{ join: start + 10 * 60_000, leave: end - 10 * 60_000 }], meetingEnd: null })
 * // → { status: 'complete', coveredMinutes: 160, absentMinutes: 20, qualifies: true, credits: 3, … }
 * @rule R-ATT-3
 * @rule R-ATT-4
 * @rule R-ATT-6
 */
export function assessAttendance(input: AttendanceInput): AttendanceOutcome {
  const { event, meetingEnd } = input;
  const closed: Array<{ start: number; end: number }> = [];
  let openIntervals = input.unpairedLeaves ?? 0;
  let closedByMeetingEnd = 0;
  for (const iv of input.intervals) {
    if (iv.leave !== null) closed.push({ start: iv.join, end: iv.leave });
    else if (meetingEnd !== null) {
      closedByMeetingEnd++;
      closed.push({ start: iv.join, end: meetingEnd });
    } else openIntervals++;
  }
  const presence = mergeSpans(clipSpans(closed, event.start, event.end));
  const fractionDefs = event.fractions && event.fractions.length > 0 ? event.fractions : null;

  let spans: SpanOutcome[];
  if (fractionDefs) {
    // Pro-rated against the fractions' own length: the event's length for contiguous fractions
    // (R-ATT-5), the sessions' total for a structured path whose days have gaps (R-EVT-6).
    const eventMinutes = fractionDefs.reduce((sum, f) => sum + (f.end - f.start), 0) / MINUTE;
    spans = fractionDefs.map((f) =>
      judgeSpan(presence, f.start, f.end, f.credits, proRatedTolerance(event.toleranceMinutes, (f.end - f.start) / MINUTE, eventMinutes), 'R-ATT-5'),
    );
  } else {
    spans = [judgeSpan(presence, event.start, event.end, event.credits, event.toleranceMinutes, 'R-ATT-4')];
  }

  const covered = spans.reduce((s, x) => s + x.coveredMinutes, 0);
  const absent = spans.reduce((s, x) => s + x.absentMinutes, 0);
  const anyQualifies = spans.some((s) => s.qualifies);
  const allQualify = spans.every((s) => s.qualifies);
  const incomplete = openIntervals > 0 && !allQualify;
  if (incomplete) {
    // R-ATT-6: what the open join could still change yields nothing until it is closed.
    spans = spans.map((s) => (s.qualifies ? s : { ...s, decision: 'open-interval' as const, rule: 'R-ATT-6' as const }));
  }
  const credits = incomplete ? 0 : spans.reduce((s, x) => s + x.credits, 0);
  const whole = !fractionDefs ? spans[0]! : null;
  return {
    status: incomplete ? 'incomplete' : 'complete',
    coveredMinutes: fractionDefs ? wholeCovered(presence, event.start, event.end) : covered,
    absentMinutes: fractionDefs ? eventMinutesOf(event) - wholeCovered(presence, event.start, event.end) : absent,
    toleranceMinutes: event.toleranceMinutes,
    qualifies: incomplete ? false : fractionDefs ? anyQualifies : whole!.qualifies,
    credits,
    decision: incomplete ? 'open-interval' : whole ? whole.decision : anyQualifies ? 'qualified' : 'absence-over-tolerance',
    rule: incomplete ? 'R-ATT-6' : whole ? whole.rule : 'R-ATT-5',
    openIntervals,
    closedByMeetingEnd,
    presence,
    fractions: fractionDefs ? (incomplete ? spans.map((s) => ({ ...s, credits: 0 })) : spans) : null,
  };
}

/**
 * Tolerance of a fraction, pro-rated to its length and rounded down to whole minutes (R-ATT-5):
 * 30 minutes over 3 hours gives 10 minutes to a 1-hour fraction.
 * @rule R-ATT-5
 */
export function proRatedTolerance(toleranceMinutes: number, fractionMinutes: number, eventMinutes: number): number {
  if (eventMinutes <= 0) return 0;
  // Integer arithmetic: minutes are whole for events defined on the minute; floor keeps it exact.
  return Math.floor((toleranceMinutes * fractionMinutes) / eventMinutes);
}

function eventMinutesOf(e: { start: number; end: number }): number {
  return Math.round((e.end - e.start) / MINUTE);
}

function wholeCovered(presence: Array<{ start: number; end: number }>, start: number, end: number): number {
  const ms = coveredMs(presence, start, end);
  return eventMinutesOf({ start, end }) - ceilMinutes(end - start - ms);
}

/**
 * Judges one span [start, end] (R-ATT-3). Absence is measured in milliseconds and reported rounded
 * up to the minute, so that "qualifies" and the minutes shown always agree (tolerances are whole
 * minutes): 30 min 20 s of absence shows as 31 and does not qualify against 30.
 */
function judgeSpan(
  presence: Array<{ start: number; end: number }>,
  start: number,
  end: number,
  credits: number,
  toleranceMinutes: number,
  rule: 'R-ATT-4' | 'R-ATT-5',
): SpanOutcome {
  const covered = coveredMs(presence, start, end);
  const absentMinutes = ceilMinutes(end - start - covered);
  const qualifies = absentMinutes <= toleranceMinutes;
  return {
    start,
    end,
    coveredMinutes: eventMinutesOf({ start, end }) - absentMinutes,
    absentMinutes,
    toleranceMinutes,
    qualifies,
    credits: qualifies ? credits : 0,
    decision: qualifies ? 'qualified' : 'absence-over-tolerance',
    rule,
  };
}

function ceilMinutes(ms: number): number {
  return Math.max(0, Math.ceil(ms / MINUTE - 1e-9));
}

/** Clips spans to [start, end], dropping empty ones (R-ATT-3). */
export function clipSpans(spans: ReadonlyArray<{ start: number; end: number }>, start: number, end: number) {
  const out: Array<{ start: number; end: number }> = [];
  for (const s of spans) {
    const a = Math.max(s.start, start);
    const b = Math.min(s.end, end);
    if (b > a) out.push({ start: a, end: b });
  }
  return out;
}

/** Merges overlapping or touching spans (two devices, reconnects; R-ATT-3). */
export function mergeSpans(spans: ReadonlyArray<{ start: number; end: number }>) {
  const sorted = [...spans].sort((x, y) => x.start - y.start || x.end - y.end);
  const out: Array<{ start: number; end: number }> = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/** Milliseconds of merged presence inside [start, end]. */
function coveredMs(presence: ReadonlyArray<{ start: number; end: number }>, start: number, end: number): number {
  let total = 0;
  for (const p of presence) {
    const a = Math.max(p.start, start);
    const b = Math.min(p.end, end);
    if (b > a) total += b - a;
  }
  return total;
}
