/**
 * @module Deriving an e-learning enrolment's outcome and credit from its launches and commits
 * (R-ELN-2, R-ELN-3, R-ELN-4, R-EVT-5; `src/domain/elearning-progress.ts`), the SCORM derivation
 * job (one enrolment or a whole course, the ledger told of changed credits), and the sweep that
 * catches commits whose derivation request was lost.
 *
 * At-least-once safe: a derivation reads the enrolment's evidence under its row lock and replaces
 * the outcome and credit record, so a re-run writes the same rows. Credits are distance credits
 * (R-ELN-4, R-FAD-1) of the event's mode, granted, in the Rome year of completion.
 *
 * Incremental (issue 16): a commit's derivation folds only the commits stored since the previous
 * one into the enrolment's aggregates (`src/domain/elearning-fold.ts`, migration 017), written in
 * the same transaction as the outcome. The full re-read (`assessEnrolment` over every fact) is
 * the audit path: it runs for course-wide jobs (declaration, accreditation, tolerance, package:
 * the rules changed), on the first derivation of an enrolment, whenever the fold says it cannot be
 * exact (another basis, a commit seen late, a launch registered after a commit named it, a late
 * commit that could move completedAt), and always with SCORM_DERIVATION=full. It rebuilds the
 * aggregates from scratch.
 */
import { yearOf } from '../../domain/calendar.ts';
import { deontologyCredits } from '../../domain/credits.ts';
import { accreditationView, validityOf } from '../../domain/elearning-compliance.ts';
import { isCmi5Summary } from '../../domain/cmi5-course.ts';
import { foldAll, foldBasis, foldCommits, progressOfFold, type FoldRefusal } from '../../domain/elearning-fold.ts';
import { assessEnrolment, launchedScosOf, PROGRESS_REASONS, type EnrolmentProgress, type ProgressCourse } from '../../domain/elearning-progress.ts';
import { affectedBienniums } from '../../domain/ledger.ts';
import type { Logger } from '../../log.ts';
import { requestLedgerAfter, type LedgerProducer } from '../../queue/ledger.ts';
import type { ScormJob, ScormProducer } from '../../queue/scorm.ts';
import type { Db } from '../../store/db.ts';
import { cmi5EnrolmentsSince } from '../../store/cmi5.ts';
import {
  enrolmentIdsOf,
  enrolmentsNeedingDerivation,
  loadEnrolmentFacts,
  loadEnrolmentHead,
  loadFoldInput,
  saveEnrolmentOutcome,
  saveFold,
  type EnrolmentHead,
} from '../../store/elearning-outcomes.ts';
import { deriveCmi5Enrolment } from './cmi5-derive.ts';

/** What a SCORM derivation needs: the database, log and clock, and the ledger to tell. */
export interface ScormDeriveContext {
  db: Db;
  log: Logger;
  now: () => number;
  ledger?: Pick<LedgerProducer, 'requestLedger'> | undefined;
  /** SCORM_DERIVATION: `full` re-reads every commit on every derivation (default incremental). */
  derivation?: 'incremental' | 'full' | undefined;
}

/** One SCORM job, as the queue delivers it (already parsed): one enrolment, or every enrolment of a course. */
export async function processScormJob(ctx: ScormDeriveContext, data: ScormJob) {
  const ids = 'enrolmentId' in data ? [data.enrolmentId] : await enrolmentIdsOf(ctx.db, data.eventId);
  let credited = 0;
  let creditChanges = 0;
  let incremental = 0;
  /** Why derivations re-read every commit, by reason. */
  const full: Record<string, number> = {};
  // A course-wide job comes from a change of the rules (declaration, accreditation, tolerance,
  // package): every enrolment is re-read in full and its aggregates rebuilt.
  const fullOnly = 'eventId' in data || ctx.derivation === 'full';
  for (const id of ids) {
    const out = await deriveEnrolment(ctx.db, id, ctx.now, { full: fullOnly });
    if (!out) continue;
    if (out.path === 'incremental') incremental++;
    else full[out.why ?? 'requested'] = (full[out.why ?? 'requested'] ?? 0) + 1;
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
  return { enrolments: ids.length, credited, creditChanges, incremental, full };
}

/** The sweep: enrolments with commits newer than their outcome since `since` are asked for again. */
export async function sweepScormDerivations(ctx: Pick<ScormDeriveContext, 'db' | 'log'>, producer: Pick<ScormProducer, 'requestDerivation'>, since: Date) {
  // cmi5 statements newer than their outcome too (issue 16).
  const stale = [...new Set([...(await enrolmentsNeedingDerivation(ctx.db, since)), ...(await cmi5EnrolmentsSince(ctx.db, since))])];
  for (const id of stale) await producer.requestDerivation(id);
  if (stale.length) ctx.log.info({ enrolments: stale.length }, 'scorm sweep queued derivations');
  return { queued: stale.length };
}

export interface DeriveOptions {
  /** Re-read every commit and rebuild the aggregates (the audit path), whatever they hold. */
  full?: boolean;
}

/** The course as the derivation rules read it, at `at` (validity follows the accreditation, R-EVT-5). */
function courseOf(head: EnrolmentHead, at: number): { course: ProgressCourse; validity: { from: string; until: string } | null } {
  const { event, manifest, declaration } = head;
  const validity = validityOf(accreditationView(event.accreditation, at));
  return {
    validity,
    course: {
      version: manifest.version,
      scos: manifest.scos,
      masteryScore: declaration?.masteryScore ?? null,
      nominalMinutes: declaration?.nominalMinutes ?? null,
      toleranceMinutes: event.toleranceMinutes,
      validity: validity && { from: Date.parse(validity.from), until: Date.parse(validity.until) },
      accreditation: event.accreditation.status,
      credits: event.credits,
    },
  };
}

/**
 * Derives one enrolment and stores its outcome, credit record and aggregates; null when it is
 * gone. `path` says how: `incremental` (the commits since the last derivation folded into the
 * aggregates) or `full` (every commit re-read), with why when the fold could not be used.
 */
export async function deriveEnrolment(db: Db, enrolmentId: string, now: () => number = Date.now, opts: DeriveOptions = {}) {
  return db.transaction(async (tx) => {
    // Under the enrolment's row lock: a second derivation waits (at-least-once jobs stay exact).
    const head = await loadEnrolmentHead(tx, enrolmentId, { lock: true });
    if (!head) return null;
    const at = now();
    const { course, validity } = courseOf(head, at);
    const basis = foldBasis(course, head.packageId);
    const version = head.manifest.version;

    let progress: EnrolmentProgress | null = null;
    let highWater = 0;
    let path: 'incremental' | 'full' = 'full';
    let why: FoldRefusal | 'requested' | 'first' | 'commit-seen-late' | 'cmi5' | null = opts.full ? 'requested' : null;
    if (isCmi5Summary(head.manifest)) {
      // A cmi5 course (issue 16): its accepted statements, mapped into the same facts, read whole.
      const { version: _v, scos: _s, ...common } = course;
      progress = await deriveCmi5Enrolment(tx, enrolmentId, head.manifest, common, at);
      why = 'cmi5';
    } else if (!opts.full) {
      const input = await loadFoldInput(tx, enrolmentId, version);
      if (!input) why = 'first';
      else if (input.older !== input.state.folded) why = 'commit-seen-late';
      else {
        const r = foldCommits(course, input.state, basis, input.launches.named, input.commits);
        if (!r.ok) why = r.reason;
        else {
          progress = progressOfFold(course, r.state, launchedScosOf(course.validity, input.launches.all), at);
          highWater = r.state.highWater;
          path = 'incremental';
          await saveFold(tx, enrolmentId, r.state, r.changed, new Date());
        }
      }
    }
    if (!progress) {
      const f = await loadEnrolmentFacts(tx, enrolmentId, head);
      if (!f) return null;
      progress = assessEnrolment(course, f.launches, f.commits, at);
      highWater = f.highWater;
      await saveFold(tx, enrolmentId, foldAll(course, basis, f.launches, f.commits, progress.completedAt), 'all', new Date());
    }

    const { event } = head;
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
      { enrolmentId, eventId: event.id, memberId: head.memberId, highWater, derivedAt: new Date() },
      progress,
      explain(progress, validity),
      credit,
    );
    return { memberId: head.memberId, progress, changedYears: saved.changedYears, path, why };
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
