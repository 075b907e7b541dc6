/**
 * @module Attendance worker: derives every participant's outcome and credits for an event
 * (R-ATT-3..9, R-EVT-4, R-EVT-6, R-FAD-1, R-CAL-2) and sweeps for events whose evidence is newer than their outcomes.
 *
 * At-least-once safe: a derivation is a pure function of the stored evidence and the event,
 * written in one transaction under the event's lock, so a re-run (stalled job, retry, sweep)
 * gives the same rows and nothing is double-counted.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../src/config.ts';
import { assessAttendance } from '../src/domain/attendance.ts';
import { yearOf } from '../src/domain/calendar.ts';
import { attendedMode, creditStatus, deontologyCredits } from '../src/domain/credits.ts';
import { affectedBienniums } from '../src/domain/ledger.ts';
import { assessStructuredPath, type PathOutcome } from '../src/domain/structured-path.ts';
import { groupParticipants, pairIntervals, type Participant } from '../src/domain/participants.ts';
import { inAudience } from '../src/domain/provinces.ts';
import { creditStatusOf } from '../src/domain/questionnaire.ts';
import type { Logger } from '../src/log.ts';
import { ATTENDANCE_QUEUE, DeriveJob, type AttendanceProducer } from '../src/queue/attendance.ts';
import { requestLedgerAfter, type LedgerProducer } from '../src/queue/ledger.ts';
import type { QuestionnaireProducer } from '../src/queue/questionnaire.ts';
import type { ScormProducer } from '../src/queue/scorm.ts';
import { isScormCourse } from '../src/store/elearning-outcomes.ts';
import {
  eventsNeedingDerivation,
  loadDerivationInput,
  lockEvent,
  previousInputs,
  saveDerivation,
  type CreditRow,
  type DerivationInput,
  type DerivationInputs,
  type OutcomeRow,
  type QuestionnaireStatus,
} from '../src/store/attendance.ts';
import type { Db } from '../src/store/db.ts';
import { startQueueWorker, type RunningWorker } from './queue-worker.ts';

export interface AttendanceWorkerDeps {
  db: Db;
  connection: Redis;
  config: Config;
  log: Logger;
  now: () => number;
  producer: AttendanceProducer;
  /** Told when a derivation leaves pending credits of an ended webinar (R-QST-2). */
  questionnaire?: Pick<QuestionnaireProducer, 'requestDispatch'>;
  /** Told which members' credit records a derivation changed (R-POL-2: the balance ledger). */
  ledger?: Pick<LedgerProducer, 'requestLedger'>;
  /** SCORM courses are derived by the SCORM worker: a request for one is passed on to it. */
  scorm?: Pick<ScormProducer, 'requestCourseDerivation'>;
}

export async function startAttendanceWorker(deps: AttendanceWorkerDeps): Promise<RunningWorker> {
  const { db, config, log } = deps;
  if (config.DERIVE_PAUSE_MS > 0) log.warn({ pauseMs: config.DERIVE_PAUSE_MS }, 'DERIVE_PAUSE_MS is set: every derivation pauses before COMMIT (test fault injection)');
  return startQueueWorker({
    queue: ATTENDANCE_QUEUE,
    connection: deps.connection,
    config,
    log,
    concurrency: config.WORKER_CONCURRENCY,
    async process(job) {
      const data = DeriveJob.parse(job.data);
      // R-ELN-4: a SCORM course's credits come from its enrolments' commits, not from joins and
      // leaves; an accreditation or tolerance change re-derives every enrolment there.
      if (await isScormCourse(db, data.eventId)) {
        await deps.scorm?.requestCourseDerivation(data.eventId, data.reason);
        return { eventId: data.eventId, scormCourse: true };
      }
      const derived = await deriveEvent(db, data.eventId, log, deps.now, { pauseBeforeCommitMs: config.DERIVE_PAUSE_MS });
      if (!derived) return null;
      const { creditChanges, ...summary } = derived;
      if (summary.questionnaireDue && deps.questionnaire) await deps.questionnaire.requestDispatch(data.eventId);
      if (creditChanges.length) {
        // After commit; lost if Redis fails here, and then found by the ledger's sweep.
        await requestLedgerAfter(
          deps.ledger,
          {
            cause: `credits of event ${data.eventId} re-derived`,
            actor: null,
            at: new Date(deps.now()).toISOString(),
            scope: { memberIds: [...new Set(creditChanges.map((c) => c.memberId))] },
            bienniums: affectedBienniums(deps.now(), creditChanges.map((c) => c.year)),
          },
          log,
        );
      }
      return summary;
    },
    // At start, catch up on a longer window (the process may have been down a while).
    sweep: { queue: deps.producer.queue, run: (atStart) => sweep(deps, atStart ? 24 * 3600_000 : config.SWEEP_INTERVAL_MS * 3) },
  });
}

async function sweep(deps: AttendanceWorkerDeps, windowMs: number) {
  const stale = await eventsNeedingDerivation(deps.db, windowMs);
  for (const eventId of stale) await deps.producer.requestDerivation(eventId, 'sweep');
  if (stale.length) deps.log.info({ events: stale.length }, 'sweep queued derivations');
  return { queued: stale.length };
}

export interface DeriveSummary {
  eventId: string;
  participants: number;
  credited: number;
  changed: number;
  cause: string;
  /** The event has ended (or is closed) and some credits wait for a questionnaire (R-QST-1/2). */
  questionnaireDue: boolean;
  /** The credit records written or removed, by member and year (the ledger re-derives their balances). */
  creditChanges: Array<{ memberId: string; year: number }>;
}

/**
 * Derives one event end to end: load, compute (pure), store, audit. `faults.pauseBeforeCommitMs`
 * (tests only, `DERIVE_PAUSE_MS`) holds the transaction open after every row is written, so that
 * a test can kill the process there and see that nothing of it is ever visible.
 */
export async function deriveEvent(
  db: Db,
  eventId: string,
  log: Logger,
  now: () => number = Date.now,
  faults: { pauseBeforeCommitMs?: number } = {},
): Promise<DeriveSummary | null> {
  const startedAt = new Date(now());
  log.info({ eventId }, 'derivation started');
  const out = await db.transaction(async (tx) => {
    await lockEvent(tx, eventId);
    const input = await loadDerivationInput(tx, eventId);
    if (!input) return null;
    const { outcomes, credits } = computeOutcomes(input);
    const inputs: DerivationInputs = {
      toleranceMinutes: input.event.toleranceMinutes,
      records: input.recordCount,
      highWater: input.highWater,
      corrections: input.corrections,
      closed: input.event.closedAt !== null,
      registrations: input.registrations.length,
      accreditation: input.event.accreditationStatus,
      questionnairesDecided: [...input.questionnaires.values()].filter((q) => q !== 'open').length,
    };
    const cause = describeCause(await previousInputs(tx, eventId), inputs);
    const saved = await saveDerivation(tx, { eventId, outcomes, credits, cause, inputs, startedAt });
    const pauseMs = faults.pauseBeforeCommitMs ?? 0;
    if (pauseMs > 0) {
      log.warn({ eventId, pauseMs }, 'derivation paused before commit (fault injection)');
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    const ended = input.event.closedAt !== null || now() >= input.event.end;
    const questionnaireDue = ended && credits.some((c) => c.status === 'pending');
    return {
      eventId,
      participants: outcomes.length,
      credited: outcomes.filter((o) => o.status === 'credited').length,
      changed: saved.changed,
      cause,
      questionnaireDue,
      creditChanges: saved.creditChanges,
    };
  });
  if (out) {
    const { creditChanges, ...logged } = out;
    log.info({ ...logged, creditsChanged: creditChanges.length, ms: now() - startedAt.getTime() }, 'derivation finished');
  } else {
    log.info({ eventId, ms: now() - startedAt.getTime() }, 'derivation finished');
  }
  return out;
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
  if (prev.records - prev.corrections !== next.records - next.corrections) why.push(`${next.records - next.corrections - (prev.records - prev.corrections)} new tracking record(s)`);
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
  const grouped = groupParticipants(input.records, input.registrations);
  const byMember = new Map(input.registrations.map((r) => [r.memberId, r]));
  const seen = new Set<string>();
  const participants: Participant[] = [...grouped.participants];
  for (const p of participants) if (p.memberId) seen.add(p.memberId);
  // Registered members who never joined are absent, not missing (R-ATT-3, never joined).
  for (const r of input.registrations) {
    if (!seen.has(r.memberId)) participants.push({ key: `member:${r.memberId}`, memberId: r.memberId, matchedBy: [], conflictingMembers: [], displayName: null, records: [] });
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
    let outcome: string;
    let reason: { code: string; rule: string };
    if (p.conflictingMembers.length) {
      outcome = 'identity-conflict';
      reason = { code: 'identity-conflict', rule: 'R-ATT-7' };
    } else if (!p.memberId || !reg) {
      outcome = 'unmatched';
      reason = { code: p.memberId ? 'not-registered' : 'no-registration-match', rule: 'R-ATT-7' };
    } else if (event.mode === 'webinar' && !inAudience({ memberProvince: reg.province, cpoProvince: event.cpoProvince, regionWide: event.regionWide })) {
      outcome = 'out-of-audience';
      reason = { code: 'out-of-audience', rule: 'R-ATT-8' };
    } else if (event.accreditationStatus === 'rejected') {
      outcome = 'not-accredited';
      reason = { code: 'event-not-accredited', rule: 'R-EVT-3' };
    } else if (assessedStatus === 'incomplete') {
      outcome = 'incomplete';
      reason = { code: 'open-interval', rule: 'R-ATT-6' };
    } else if (earned > 0) {
      outcome = 'credited';
      reason = path ? { code: path.decision, rule: path.rule } : { code: att.decision, rule: att.rule };
    } else {
      outcome = 'not-qualified';
      reason = path ? { code: path.decision, rule: path.rule } : { code: att.decision, rule: att.rule };
    }
    const credited = outcome === 'credited';
    // R-QST-1/8: pending until the member's questionnaire decides it.
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
      explanation: {
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
        ...(credited && questionnaire
          ? { questionnaire: { creditStatus: questionnaire.status, code: questionnaire.reason, rule: questionnaire.status === 'pending' ? 'R-QST-1' : 'R-QST-8' } }
          : {}),
      },
    });
    if (!credited || !p.memberId) continue;
    // R-FAD-1: a mixed event counts by how the member attended (in-person sheets only, or online).
    const mode = attendedMode(event.mode, p.records.map((r) => r.source));
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
    sessions: path.sessions.map((s) => ({ fraction: s.fraction, autonomous: s.autonomous, minutes: s.minutes, coveredMinutes: s.coveredMinutes, qualifies: s.qualifies, credits: s.credits, capped: s.capped })),
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
