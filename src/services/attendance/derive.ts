/**
 * @module Deriving an event's attendance: load the evidence and the event under its lock, compute
 * every participant's outcome and credits (`domain/outcomes.ts`: R-ATT-3, R-ATT-4, R-ATT-5,
 * R-ATT-6, R-ATT-7, R-ATT-8, R-ATT-9, R-EVT-4, R-EVT-6, R-FAD-1, R-CAL-2), store them with the
 * audit, then tell the ledger and the questionnaire dispatch; and the sweep for events whose
 * evidence is newer than their outcomes.
 *
 * At-least-once safe: a derivation is a pure function of the stored evidence and the event,
 * written in one transaction under the event's lock, so a re-run (stalled job, retry, sweep)
 * gives the same rows and nothing is double-counted.
 */
import { affectedBienniums } from '../../domain/ledger.ts';
import { computeOutcomes, derivationInputs, describeCause } from '../../domain/outcomes.ts';
import type { Logger } from '../../log.ts';
import type { AttendanceProducer, DeriveJob } from '../../queue/attendance.ts';
import { requestLedgerAfter, type LedgerProducer } from '../../queue/ledger.ts';
import type { QuestionnaireProducer } from '../../queue/questionnaire.ts';
import type { ScormProducer } from '../../queue/scorm.ts';
import { eventsNeedingDerivation, loadDerivationInput, lockEvent, previousInputs, saveDerivation } from '../../store/attendance.ts';
import type { Db } from '../../store/db.ts';
import { isScormCourse } from '../../store/elearning-outcomes.ts';

/** What a derivation job needs: the database, log and clock, and whom to tell afterwards. */
export interface DeriveContext {
  db: Db;
  log: Logger;
  now: () => number;
  /** Tests only (`DERIVE_PAUSE_MS`): hold every derivation open before COMMIT. */
  pauseBeforeCommitMs?: number;
  /** Told when a derivation leaves pending credits of an ended webinar (R-QST-2). */
  questionnaire?: Pick<QuestionnaireProducer, 'requestDispatch'> | undefined;
  /** Told which members' credit records a derivation changed (R-POL-2: the balance ledger). */
  ledger?: Pick<LedgerProducer, 'requestLedger'> | undefined;
  /** SCORM courses are derived by the SCORM worker: a request for one is passed on to it. */
  scorm?: Pick<ScormProducer, 'requestCourseDerivation'> | undefined;
}

export interface DeriveSummary {
  eventId: string;
  participants: number;
  credited: number;
  changed: number;
  cause: string;
  /** The event has ended (or is closed) and some credits wait for a questionnaire (R-QST-1, R-QST-2). */
  questionnaireDue: boolean;
  /** The credit records written or removed, by member and year (the ledger re-derives their balances). */
  creditChanges: Array<{ memberId: string; year: number }>;
}

/**
 * One derivation request, as the attendance queue delivers it: a SCORM course is passed on to the
 * SCORM worker (R-ELN-4: its credits come from its enrolments' commits, not from joins and
 * leaves); any other event is derived, then the questionnaire dispatch and the ledger are told.
 */
export async function processDerivationJob(
  ctx: DeriveContext,
  job: DeriveJob,
): Promise<Omit<DeriveSummary, 'creditChanges'> | { eventId: string; scormCourse: true } | null> {
  if (await isScormCourse(ctx.db, job.eventId)) {
    await ctx.scorm?.requestCourseDerivation(job.eventId, job.reason);
    return { eventId: job.eventId, scormCourse: true };
  }
  const derived = await deriveEvent(ctx.db, job.eventId, ctx.log, ctx.now, { pauseBeforeCommitMs: ctx.pauseBeforeCommitMs ?? 0 });
  if (!derived) return null;
  const { creditChanges, ...summary } = derived;
  if (summary.questionnaireDue && ctx.questionnaire) await ctx.questionnaire.requestDispatch(job.eventId);
  if (creditChanges.length) {
    // After commit; lost if Redis fails here, and then found by the ledger's sweep.
    await requestLedgerAfter(
      ctx.ledger,
      {
        cause: `credits of event ${job.eventId} re-derived`,
        actor: null,
        at: new Date(ctx.now()).toISOString(),
        scope: { memberIds: [...new Set(creditChanges.map((c) => c.memberId))] },
        bienniums: affectedBienniums(
          ctx.now(),
          creditChanges.map((c) => c.year),
        ),
      },
      ctx.log,
    );
  }
  return summary;
}

/** Queues a derivation for every event whose evidence changed in the last `windowMs` and was not derived since. */
export async function queueStaleDerivations(ctx: { db: Db; log: Logger; producer: Pick<AttendanceProducer, 'requestDerivation'> }, windowMs: number) {
  const stale = await eventsNeedingDerivation(ctx.db, windowMs);
  for (const eventId of stale) await ctx.producer.requestDerivation(eventId, 'sweep');
  if (stale.length) ctx.log.info({ events: stale.length }, 'sweep queued derivations');
  return { queued: stale.length };
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
    const inputs = derivationInputs(input);
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
