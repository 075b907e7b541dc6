/**
 * @module Deriving an e-learning enrolment's outcome and credit from its launches and commits
 * (R-ELN-2, R-ELN-3, R-ELN-4, R-EVT-5; `src/domain/elearning-progress.ts`), the SCORM derivation
 * job (one enrolment or a whole course, the ledger told of changed credits), and the sweep that
 * catches commits whose derivation request was lost.
 *
 * At-least-once safe: a derivation reads all the enrolment's evidence under its row lock and
 * replaces the outcome and credit record, so a re-run writes the same rows. Credits are distance
 * credits (R-ELN-4, R-FAD-1) of the event's mode, granted, in the Rome year of completion.
 */
import { yearOf } from '../../domain/calendar.ts';
import { deontologyCredits } from '../../domain/credits.ts';
import { accreditationView, validityOf } from '../../domain/elearning-compliance.ts';
import { isCmi5Summary } from '../../domain/cmi5-course.ts';
import { assessEnrolment, PROGRESS_REASONS, type EnrolmentProgress } from '../../domain/elearning-progress.ts';
import { affectedBienniums } from '../../domain/ledger.ts';
import type { Logger } from '../../log.ts';
import { requestLedgerAfter, type LedgerProducer } from '../../queue/ledger.ts';
import type { ScormJob, ScormProducer } from '../../queue/scorm.ts';
import type { Db } from '../../store/db.ts';
import { cmi5EnrolmentsSince } from '../../store/cmi5.ts';
import { deriveCmi5Enrolment } from './cmi5-derive.ts';
import { enrolmentIdsOf, enrolmentsNeedingDerivation, loadEnrolmentFacts, lockEnrolment, saveEnrolmentOutcome } from '../../store/elearning-outcomes.ts';

/** What a SCORM derivation needs: the database, log and clock, and the ledger to tell. */
export interface ScormDeriveContext {
  db: Db;
  log: Logger;
  now: () => number;
  ledger?: Pick<LedgerProducer, 'requestLedger'> | undefined;
}

/** One SCORM job, as the queue delivers it (already parsed): one enrolment, or every enrolment of a course. */
export async function processScormJob(ctx: ScormDeriveContext, data: ScormJob) {
  const ids = 'enrolmentId' in data ? [data.enrolmentId] : await enrolmentIdsOf(ctx.db, data.eventId);
  let credited = 0;
  let creditChanges = 0;
  for (const id of ids) {
    const out = await deriveEnrolment(ctx.db, id, ctx.now);
    if (!out) continue;
    if (out.progress.status === 'credited') credited++;
    if (!out.changedYears.length) continue;
    creditChanges += out.changedYears.length;
    // Right after the enrolment's commit: a later failure in a course-wide job must not lose
    // the request for those already written (a retry finds them equal and asks nothing).
    await requestLedgerAfter(
      ctx.ledger,
      {
        cause:
          'eventId' in data ? `e-learning credits of event ${data.eventId} re-derived (${data.reason})` : `e-learning enrolment ${data.enrolmentId} derived`,
        actor: null,
        at: new Date(ctx.now()).toISOString(),
        scope: { memberIds: [out.memberId] },
        bienniums: affectedBienniums(ctx.now(), out.changedYears),
      },
      ctx.log,
    );
  }
  return { enrolments: ids.length, credited, creditChanges };
}

/** The sweep: enrolments with commits newer than their outcome since `since` are asked for again. */
export async function sweepScormDerivations(ctx: Pick<ScormDeriveContext, 'db' | 'log'>, producer: Pick<ScormProducer, 'requestDerivation'>, since: Date) {
  // cmi5 statements newer than their outcome too (issue 16).
  const stale = [...new Set([...(await enrolmentsNeedingDerivation(ctx.db, since)), ...(await cmi5EnrolmentsSince(ctx.db, since))])];
  for (const id of stale) await producer.requestDerivation(id);
  if (stale.length) ctx.log.info({ enrolments: stale.length }, 'scorm sweep queued derivations');
  return { queued: stale.length };
}

/** Derives one enrolment and stores its outcome and credit record; null when it is gone. */
export async function deriveEnrolment(db: Db, enrolmentId: string, now: () => number = Date.now) {
  return db.transaction(async (tx) => {
    await lockEnrolment(tx, enrolmentId);
    const f = await loadEnrolmentFacts(tx, enrolmentId);
    if (!f) return null;
    const { event, manifest, declaration } = f;
    const at = now();
    const validity = validityOf(accreditationView(event.accreditation, at));
    const common = {
      masteryScore: declaration?.masteryScore ?? null,
      nominalMinutes: declaration?.nominalMinutes ?? null,
      toleranceMinutes: event.toleranceMinutes,
      validity: validity && { from: Date.parse(validity.from), until: Date.parse(validity.until) },
      accreditation: event.accreditation.status,
      credits: event.credits,
    };
    // A cmi5 course (issue 16): its statements, mapped into the same facts.
    const progress = isCmi5Summary(manifest)
      ? await deriveCmi5Enrolment(tx, enrolmentId, manifest, common, at)
      : assessEnrolment({ version: manifest.version, scos: manifest.scos, ...common }, f.launches, f.commits, at);
    const span = { start: Date.parse(event.start), end: Date.parse(event.end) };
    const credit =
      progress.status === 'credited' && progress.completedAt !== null
        ? {
            credits: progress.credits,
            deontologyCredits: deontologyCredits(
              event.topics.map((t) => ({ start: Date.parse(t.start), end: Date.parse(t.end), deontology: t.deontology })),
              span,
              progress.credits,
            ),
            mode: event.mode,
            year: yearOf(progress.completedAt),
          }
        : null;
    const saved = await saveEnrolmentOutcome(
      tx,
      // Wall clock, as the attendance derivation stamps its rows: the ledger's sweep compares it with its own.
      { enrolmentId, eventId: event.id, memberId: f.memberId, highWater: f.highWater, derivedAt: new Date() },
      progress,
      explain(progress, validity),
      credit,
    );
    return { memberId: f.memberId, progress, changedYears: saved.changedYears };
  });
}

/** The outcome's explanation as stored and served: instants as ISO, the reason's text. */
function explain(p: EnrolmentProgress, validity: { from: string; until: string } | null) {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    reason: p.reason,
    rule: p.rule,
    text: PROGRESS_REASONS[p.reason].text,
    missing: p.missing,
    validity,
    finalTest: p.finalTest,
    scos: p.scos,
    sessions: p.sessions.map((s) => ({ ...s, launchedAt: iso(s.launchedAt), lastCommitAt: iso(s.lastCommitAt) })),
    ignored: p.ignored,
  };
}
