/**
 * @module SCORM worker (issue 6 §4): derives an e-learning enrolment's outcome and credit from its
 * launches and commits (R-ELN-2, R-ELN-3, R-ELN-4, R-EVT-5; `src/domain/elearning-progress.ts`), and the sweep
 * that catches commits whose derivation request was lost.
 *
 * At-least-once safe: a derivation reads all the enrolment's evidence under its row lock and
 * replaces the outcome and credit record, so a re-run writes the same rows. Credits are distance
 * credits (R-ELN-4, R-FAD-1) of the event's mode, granted, in the Rome year of completion.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../src/config.ts';
import { yearOf } from '../src/domain/calendar.ts';
import { deontologyCredits } from '../src/domain/credits.ts';
import { accreditationView, validityOf } from '../src/domain/elearning-compliance.ts';
import { assessEnrolment, PROGRESS_REASONS, type EnrolmentProgress } from '../src/domain/elearning-progress.ts';
import { affectedBienniums } from '../src/domain/ledger.ts';
import type { Logger } from '../src/log.ts';
import { requestLedgerAfter, type LedgerProducer } from '../src/queue/ledger.ts';
import { SCORM_QUEUE, ScormJob, type ScormProducer } from '../src/queue/scorm.ts';
import type { Db } from '../src/store/db.ts';
import { enrolmentIdsOf, enrolmentsNeedingDerivation, loadEnrolmentFacts, lockEnrolment, saveEnrolmentOutcome } from '../src/store/elearning-outcomes.ts';
import { startQueueWorker, type RunningWorker } from './queue-worker.ts';

export interface ScormWorkerDeps {
  db: Db;
  connection: Redis;
  config: Config;
  log: Logger;
  now: () => number;
  producer: ScormProducer;
  ledger?: Pick<LedgerProducer, 'requestLedger'>;
}

export async function startScormWorker(deps: ScormWorkerDeps): Promise<RunningWorker> {
  const { config, log } = deps;
  return startQueueWorker({
    queue: SCORM_QUEUE,
    connection: deps.connection,
    config,
    log,
    concurrency: config.WORKER_CONCURRENCY,
    async process(job) {
      const data = ScormJob.parse(job.data);
      const ids = 'enrolmentId' in data ? [data.enrolmentId] : await enrolmentIdsOf(deps.db, data.eventId);
      let credited = 0;
      let creditChanges = 0;
      for (const id of ids) {
        const out = await deriveEnrolment(deps.db, id, deps.now);
        if (!out) continue;
        if (out.progress.status === 'credited') credited++;
        if (!out.changedYears.length) continue;
        creditChanges += out.changedYears.length;
        // Right after the enrolment's commit: a later failure in a course-wide job must not lose
        // the request for those already written (a retry finds them equal and asks nothing).
        await requestLedgerAfter(
          deps.ledger,
          {
            cause: 'eventId' in data ? `e-learning credits of event ${data.eventId} re-derived (${data.reason})` : `e-learning enrolment ${data.enrolmentId} derived`,
            actor: null,
            at: new Date(deps.now()).toISOString(),
            scope: { memberIds: [out.memberId] },
            bienniums: affectedBienniums(deps.now(), out.changedYears),
          },
          log,
        );
      }
      return { enrolments: ids.length, credited, creditChanges };
    },
    sweep: {
      queue: deps.producer.queue,
      async run(atStart) {
        const since = new Date(deps.now() - (atStart ? 24 * 3600_000 : config.SWEEP_INTERVAL_MS * 3));
        const stale = await enrolmentsNeedingDerivation(deps.db, since);
        for (const id of stale) await deps.producer.requestDerivation(id);
        if (stale.length) log.info({ enrolments: stale.length }, 'scorm sweep queued derivations');
        return { queued: stale.length };
      },
    },
  });
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
    const progress = assessEnrolment(
      {
        version: manifest.version,
        scos: manifest.scos,
        masteryScore: declaration?.masteryScore ?? null,
        nominalMinutes: declaration?.nominalMinutes ?? null,
        toleranceMinutes: event.toleranceMinutes,
        validity: validity && { from: Date.parse(validity.from), until: Date.parse(validity.until) },
        accreditation: event.accreditation.status,
        credits: event.credits,
      },
      f.launches,
      f.commits,
      at,
    );
    const span = { start: Date.parse(event.start), end: Date.parse(event.end) };
    const credit =
      progress.status === 'credited' && progress.completedAt !== null
        ? { credits: progress.credits, deontologyCredits: deontologyCredits(event.topics.map((t) => ({ start: Date.parse(t.start), end: Date.parse(t.end), deontology: t.deontology })), span, progress.credits), mode: event.mode, year: yearOf(progress.completedAt) }
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
