/**
 * @module The outcome cascade of a derivation, pure: from an event, its registrations, its evidence
 * and its questionnaires to every participant's outcome with its explanation (R-ATT-8, R-ATT-9)
 * and the credit records (R-ATT-3, R-ATT-4, R-ATT-5, R-ATT-6 through `assessAttendance`, R-ATT-7
 * through `groupParticipants`, R-EVT-6, R-FAD-1, R-CAL-2, R-QST-8); and why a derivation differs
 * from the previous one (R-POL-2). The service `services/attendance/derive.ts` loads, calls, stores.
 */
import { assessAttendance, type AttendanceOutcome, type Fraction } from './attendance.ts';
import { countsTowardsCredits } from './attendance-changes.ts';
import { yearOf } from './calendar.ts';
import { attendedMode, creditStatus, deontologyCredits, type Topic } from './credits.ts';
import { groupParticipants, pairIntervals, type EvidenceRecord, type Participant, type Registration } from './participants.ts';
import { inAudience } from './provinces.ts';
import { creditStatusOf } from './questionnaire.ts';
import { assessStructuredPath, type PathOutcome } from './structured-path.ts';

export interface EventForDerivation {
  id: string;
  organiserKind: string;
  cpoProvince: string;
  mode: string;
  start: number;
  end: number;
  credits: number;
  fractions: Fraction[] | null;
  toleranceMinutes: number;
  regionWide: boolean;
  /** A structured path (R-EVT-6): `fractions` are its sessions, with their `autonomous` flag. */
  structuredPath: boolean;
  topics: Topic[];
  accreditationStatus: string;
  closedAt: string | null;
}

export interface RegisteredMember extends Registration {
  province: string;
}

export interface DerivationInput {
  event: EventForDerivation;
  registrations: RegisteredMember[];
  records: EvidenceRecord[];
  recordCount: number;
  highWater: number;
  corrections: number;
  /** Each member's questionnaire status for this event (R-QST-8); empty for events without one. */
  questionnaires: Map<string, QuestionnaireStatus>;
}

export type QuestionnaireStatus = 'open' | 'passed' | 'failed' | 'expired';

export interface OutcomeRow {
  participantKey: string;
  memberId: string | null;
  status: string;
  coveredMinutes: number;
  absentMinutes: number;
  toleranceMinutes: number;
  credits: number;
  explanation: Record<string, unknown>;
}

export interface CreditRow {
  memberId: string;
  fraction: number;
  credits: number;
  deontologyCredits: number;
  mode: string;
  year: number;
  status: string;
}

export interface DerivationInputs {
  toleranceMinutes: number;
  records: number;
  highWater: number;
  corrections: number;
  closed: boolean;
  registrations: number;
  accreditation: string;
  /** Questionnaires decided (passed, failed, expired); absent in derivations stored before R-QST. */
  questionnairesDecided?: number;
}

/** What a derivation records of its inputs, to explain the next one (`describeCause`). */
export function derivationInputs(input: DerivationInput): DerivationInputs {
  return {
    toleranceMinutes: input.event.toleranceMinutes,
    records: input.recordCount,
    highWater: input.highWater,
    corrections: input.corrections,
    closed: input.event.closedAt !== null,
    registrations: input.registrations.length,
    accreditation: input.event.accreditationStatus,
    questionnairesDecided: [...input.questionnaires.values()].filter((q) => q !== 'open').length,
  };
}

/**
 * Why this derivation differs from the previous one, from the inputs themselves, so the audit
 * is right however jobs were coalesced (R-POL-2).
 */
export function describeCause(prev: DerivationInputs | null, next: DerivationInputs): string {
  if (!prev) return 'first derivation';
  const why: string[] = [];
  if (prev.toleranceMinutes !== next.toleranceMinutes) why.push(`tolerance ${prev.toleranceMinutes} → ${next.toleranceMinutes} min (R-ATT-2)`);
  if (prev.corrections !== next.corrections) why.push(`${next.corrections - prev.corrections} organiser correction(s) (R-ATT-6)`);
  if (prev.records - prev.corrections !== next.records - next.corrections)
    why.push(`${next.records - next.corrections - (prev.records - prev.corrections)} new tracking record(s)`);
  if (prev.closed !== next.closed) why.push(next.closed ? 'course closed (R-EVT-7)' : 'course reopened');
  if (prev.registrations !== next.registrations) why.push('registrations changed');
  if (prev.accreditation !== next.accreditation) why.push(`accreditation ${next.accreditation}`);
  const decided = (i: DerivationInputs) => i.questionnairesDecided ?? 0;
  if (decided(prev) !== decided(next)) why.push(`${decided(next) - decided(prev)} questionnaire outcome(s) (R-QST-8)`);
  return why.length ? why.join('; ') : 'recomputed, inputs unchanged';
}

/** Pure: outcomes for every participant and registered member, and the credit records. */
export function computeOutcomes(input: DerivationInput): { outcomes: OutcomeRow[]; credits: CreditRow[] } {
  const { event } = input;
  // R-EVT-7: platform evidence received after the closing is kept but does not count.
  const grouped = groupParticipants(
    input.records.filter((r) => countsTowardsCredits(r, event.closedAt)),
    input.registrations,
  );
  const byMember = new Map(input.registrations.map((r) => [r.memberId, r]));
  const seen = new Set<string>();
  const participants: Participant[] = [...grouped.participants];
  for (const p of participants) if (p.memberId) seen.add(p.memberId);
  // Registered members who never joined are absent, not missing (R-ATT-3, never joined).
  for (const r of input.registrations) {
    if (!seen.has(r.memberId))
      participants.push({ key: `member:${r.memberId}`, memberId: r.memberId, matchedBy: [], conflictingMembers: [], displayName: null, records: [] });
  }
  const window = { start: event.start, end: event.end, credits: event.credits, toleranceMinutes: event.toleranceMinutes, fractions: event.fractions };
  const year = yearOf(event.start); // R-CAL-2: the year of the event's start on the Rome calendar
  // R-EVT-6: a structured path's sessions are its fractions (validated fractionable).
  const pathSessions = event.structuredPath && event.fractions?.length ? event.fractions : null;
  const eventStatus = creditStatus(event.organiserKind, event.mode, { structuredPath: event.structuredPath });
  const outcomes: OutcomeRow[] = [];
  const credits: CreditRow[] = [];
  for (const p of participants) {
    const paired = pairIntervals(p.records);
    const att = assessAttendance({ event: window, intervals: paired.intervals, meetingEnd: grouped.meetingEnd, unpairedLeaves: paired.unpairedLeaves });
    // R-EVT-6 decides a path's credits from each session's presence and R-ATT-5 outcome.
    const path: PathOutcome | null =
      pathSessions && att.fractions
        ? assessStructuredPath({
            sessions: pathSessions.map((f) => ({ start: f.start, end: f.end, credits: f.credits, autonomous: !!f.autonomous })),
            attendance: att.fractions.map((f) => ({ coveredMinutes: f.coveredMinutes, qualifies: f.qualifies })),
            eventCredits: event.credits,
            topics: event.topics,
            openIntervals: att.openIntervals,
          })
        : null;
    const assessedStatus = path ? path.status : att.status;
    const earned = path ? path.credits : att.credits;
    const reg = p.memberId ? byMember.get(p.memberId) : undefined;
    const { outcome, reason } = outcomeOf(event, p, reg, assessedStatus, earned, path ?? att);
    const credited = outcome === 'credited';
    // R-QST-1, R-QST-8: pending until the member's questionnaire decides it.
    const questionnaire = eventStatus === 'pending' && p.memberId ? questionnaireCreditStatus(input.questionnaires.get(p.memberId)) : null;
    const status = questionnaire?.status ?? eventStatus;
    outcomes.push({
      participantKey: p.key,
      memberId: p.memberId,
      status: outcome,
      // A path's hours are its sessions' (the nights between days are not absence).
      coveredMinutes: path ? path.coveredMinutes : att.coveredMinutes,
      absentMinutes: path ? path.absentMinutes : att.absentMinutes,
      toleranceMinutes: att.toleranceMinutes,
      credits: credited ? earned : 0,
      explanation: explainOutcome(reason, att, path, p, credited ? questionnaire : null),
    });
    if (!credited || !p.memberId) continue;
    // R-FAD-1: a mixed event counts by how the member attended (in-person sheets only, or online).
    const mode = attendedMode(
      event.mode,
      p.records.map((r) => r.source),
    );
    if (path) {
      // R-EVT-6: one record per Rome year for the path (fraction 0), or one per autonomous session.
      for (const r of path.records) {
        credits.push({ memberId: p.memberId, fraction: r.fraction, credits: r.credits, deontologyCredits: r.deontologyCredits, mode, year: r.year, status });
      }
      continue;
    }
    const spans = att.fractions
      ? att.fractions.map((f, i) => ({ fraction: i + 1, start: f.start, end: f.end, credits: f.credits })).filter((f) => f.credits > 0)
      : [{ fraction: 0, start: event.start, end: event.end, credits: att.credits }];
    for (const s of spans) {
      credits.push({
        memberId: p.memberId,
        fraction: s.fraction,
        credits: s.credits,
        deontologyCredits: deontologyCredits(event.topics, s, s.credits),
        mode,
        year,
        status,
      });
    }
  }
  return { outcomes, credits };
}

/**
 * The outcome of one participant, first reason first: an identity conflict, no registered member
 * (R-ATT-7), outside the audience of a webinar (R-ATT-8, R-EVT-4), a rejected accreditation
 * (R-EVT-3), an open interval (R-ATT-6), then credited or not qualified as attendance (or the
 * structured path, R-EVT-6) decided.
 *
 * @rule R-ATT-8
 */
export function outcomeOf(
  event: Pick<EventForDerivation, 'mode' | 'cpoProvince' | 'regionWide' | 'accreditationStatus'>,
  p: Pick<Participant, 'memberId' | 'conflictingMembers'>,
  reg: RegisteredMember | undefined,
  assessedStatus: string,
  earned: number,
  decided: { decision: string; rule: string },
): { outcome: string; reason: { code: string; rule: string } } {
  if (p.conflictingMembers.length) return { outcome: 'identity-conflict', reason: { code: 'identity-conflict', rule: 'R-ATT-7' } };
  if (!p.memberId || !reg) return { outcome: 'unmatched', reason: { code: p.memberId ? 'not-registered' : 'no-registration-match', rule: 'R-ATT-7' } };
  if (event.mode === 'webinar' && !inAudience({ memberProvince: reg.province, cpoProvince: event.cpoProvince, regionWide: event.regionWide })) {
    return { outcome: 'out-of-audience', reason: { code: 'out-of-audience', rule: 'R-ATT-8' } };
  }
  if (event.accreditationStatus === 'rejected') return { outcome: 'not-accredited', reason: { code: 'event-not-accredited', rule: 'R-EVT-3' } };
  if (assessedStatus === 'incomplete') return { outcome: 'incomplete', reason: { code: 'open-interval', rule: 'R-ATT-6' } };
  return { outcome: earned > 0 ? 'credited' : 'not-qualified', reason: { code: decided.decision, rule: decided.rule } };
}

/**
 * An outcome's explanation, in data: the reason and the rule that decided it, the covered and
 * absent minutes and the tolerance applied (also per fraction), the presence, the identity match,
 * the structured path's share and the questionnaire's say when there is one.
 *
 * @rule R-ATT-9
 */
export function explainOutcome(
  reason: { code: string; rule: string },
  att: AttendanceOutcome,
  path: PathOutcome | null,
  p: Pick<Participant, 'matchedBy' | 'conflictingMembers' | 'displayName' | 'records'>,
  questionnaire: { status: string; reason: string | null } | null,
): Record<string, unknown> {
  return {
    reason: reason.code,
    rule: reason.rule,
    attendance: {
      status: att.status,
      decision: att.decision,
      rule: att.rule,
      coveredMinutes: att.coveredMinutes,
      absentMinutes: att.absentMinutes,
      toleranceMinutes: att.toleranceMinutes,
      qualifies: att.qualifies,
      openIntervals: att.openIntervals,
      closedByMeetingEnd: att.closedByMeetingEnd,
      fractions: att.fractions?.map((f, i) => ({
        fraction: i + 1,
        start: iso(f.start),
        end: iso(f.end),
        coveredMinutes: f.coveredMinutes,
        absentMinutes: f.absentMinutes,
        toleranceMinutes: f.toleranceMinutes,
        qualifies: f.qualifies,
        credits: f.credits,
        decision: f.decision,
      })),
    },
    ...(path ? { structuredPath: pathExplanation(path) } : {}),
    presence: att.presence.map((s) => ({ start: iso(s.start), end: iso(s.end) })),
    identity: { matchedBy: p.matchedBy, conflictingMembers: p.conflictingMembers, displayName: p.displayName },
    records: p.records.length,
    ...(questionnaire
      ? { questionnaire: { creditStatus: questionnaire.status, code: questionnaire.reason, rule: questionnaire.status === 'pending' ? 'R-QST-1' : 'R-QST-8' } }
      : {}),
  };
}

/** The R-EVT-6 part of an outcome's explanation (R-ATT-9): attended share, threshold, which rule decided. */
function pathExplanation(path: PathOutcome) {
  return {
    rule: path.rule,
    decision: path.decision,
    status: path.status,
    totalMinutes: path.totalMinutes,
    coveredMinutes: path.coveredMinutes,
    attendedPct: path.attendedPct,
    thresholdPct: path.thresholdPct,
    meetsThreshold: path.meetsThreshold,
    credits: path.credits,
    years: path.years,
    sessions: path.sessions.map((s) => ({
      fraction: s.fraction,
      autonomous: s.autonomous,
      minutes: s.minutes,
      coveredMinutes: s.coveredMinutes,
      qualifies: s.qualifies,
      credits: s.credits,
      capped: s.capped,
    })),
  };
}

/** What a member's questionnaire (or its absence: not sent yet) makes of pending credits (R-QST-8). */
function questionnaireCreditStatus(stored: QuestionnaireStatus | undefined) {
  switch (stored) {
    case 'passed':
      return creditStatusOf({ status: 'passed' });
    case 'failed':
      return creditStatusOf({ status: 'failed', reason: 'failed-twice' });
    case 'expired':
      return creditStatusOf({ status: 'expired', reason: 'deadline-passed' });
    default:
      return creditStatusOf({ status: 'open', attempt: 1 });
  }
}

/**
 * ISO instants, memoised: the same few instants (fraction bounds, the meeting end) recur in every
 * participant's explanation, and formatting them was a third of a 10,000-participant derivation.
 */
const isoCache = new Map<number, string>();
function iso(ms: number) {
  let s = isoCache.get(ms);
  if (s === undefined) {
    if (isoCache.size >= 100_000) isoCache.clear();
    s = new Date(ms).toISOString();
    isoCache.set(ms, s);
  }
  return s;
}
