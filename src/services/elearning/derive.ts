/**
 * @module Deriving e-learning enrolments' outcomes and credits from their launches and commits
 * (R-ELN-2, R-ELN-3, R-ELN-4, R-EVT-5; `src/domain/elearning-progress.ts`), the SCORM derivation
 * job (the pending enrolments, one enrolment or a whole course, the ledger told of changed
 * credits), and the sweep that catches commits whose derivation request was lost.
 *
 * Batched (issue 16): the enrolments a job claims are derived up to 200 per transaction, each by
 * the same rules as alone, with one statement per batch for their heads, aggregates and new
 * commits, and one for their aggregates' and outcomes' writes.
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
import { PENDING_CLAIM_MAX, type ScormJob, type ScormProducer } from '../../queue/scorm.ts';
import type { Db } from '../../store/db.ts';
import { cmi5EnrolmentsSince } from '../../store/cmi5.ts';
import {
  enrolmentIdsOf,
  enrolmentsNeedingDerivation,
  loadEnrolmentFacts,
  loadEnrolmentHeads,
  loadFoldInputs,
  saveEnrolmentOutcomes,
  saveFolds,
  type CreditWrite,
  type EnrolmentHead,
  type FoldWrite,
  type OutcomeWrite,
} from '../../store/elearning-outcomes.ts';
import { abandonExpiredSessions } from './cmi5.ts';
import { deriveCmi5Enrolment } from './cmi5-derive.ts';

/** What a SCORM derivation needs: the database, log and clock, and the ledger to tell. */
export interface ScormDeriveContext {
  db: Db;
  log: Logger;
  now: () => number;
  ledger?: Pick<LedgerProducer, 'requestLedger'> | undefined;
  /** SCORM_DERIVATION: `full` re-reads every commit on every derivation (default incremental). */
  derivation?: 'incremental' | 'full' | undefined;
  /** The pending enrolments' set, for `derive-pending` jobs. */
  pending?: Pick<ScormProducer, 'claimPending' | 'settlePending' | 'schedulePending'> | undefined;
}

/** Enrolments derived in one transaction: incremental derivations, and full re-reads (which hold their locks longer). */
const BATCH = { incremental: 200, full: 20 };

/**
 * One SCORM job, as the queue delivers it (already parsed): the pending enrolments (`jobId`
 * names the job's claim, `ctx.pending` holds it), one enrolment, or every enrolment of a course.
 */
export async function processScormJob(ctx: ScormDeriveContext, data: ScormJob, jobId = '') {
  if ('pending' in data) {
    const { pending } = ctx;
    if (!pending) throw new Error('a derive-pending job needs the pending set');
    const ids = await pending.claimPending(jobId);
    const out = await deriveInBatches(ctx, ids, ctx.derivation === 'full', {
      cause: (id) => `e-learning enrolment ${id} derived`,
      settle: (done) => pending.settlePending(jobId, done),
    });
    // Enrolments marked while this job ran (or not yet due): its successor, at once when this
    // job left due ones behind (a backlog), otherwise spaced so that it has a batch to derive.
    await pending.schedulePending({ spaced: ids.length < PENDING_CLAIM_MAX });
    return out;
  }
  const ids = 'enrolmentId' in data ? [data.enrolmentId] : await enrolmentIdsOf(ctx.db, data.eventId);
  // A course-wide job comes from a change of the rules (declaration, accreditation, tolerance,
  // package): every enrolment is re-read in full and its aggregates rebuilt.
  return deriveInBatches(ctx, ids, 'eventId' in data || ctx.derivation === 'full', {
    cause: (id) => ('eventId' in data ? `e-learning credits of event ${data.eventId} re-derived (${data.reason})` : `e-learning enrolment ${id} derived`),
    mustAll: true,
  });
}

/**
 * Derives the enrolments in batches (`deriveEnrolments`), and tells the ledger of every changed
 * credit right after its batch's commit (a later failure must not lose the request for those
 * already written; a retry finds them equal and asks nothing). A batch that fails is derived one
 * by one, so that one enrolment's failure does not hold up the others: unless `mustAll` (the job
 * is retried whole), those that still fail are logged and left to the sweep, which finds their
 * commits unread and marks them again; when the database itself fails, the job fails and its
 * retry takes up what it has not settled.
 */
async function deriveInBatches(
  ctx: ScormDeriveContext,
  ids: readonly string[],
  full: boolean,
  o: { cause: (enrolmentId: string) => string; settle?: (done: string[]) => Promise<void>; mustAll?: boolean },
) {
  let credited = 0;
  let creditChanges = 0;
  let incremental = 0;
  let failed = 0;
  /** Why derivations re-read every commit, by reason. */
  const fullWhy: Record<string, number> = {};
  const size = full ? BATCH.full : BATCH.incremental;
  for (let i = 0; i < ids.length; i += size) {
    const chunk = ids.slice(i, i + size);
    let derived: Map<string, Derived>;
    try {
      derived = await deriveEnrolments(ctx.db, chunk, ctx.now, { full });
    } catch (batchErr) {
      derived = new Map();
      const errors: Array<{ enrolmentId: string; err: unknown }> = [];
      for (const id of chunk) {
        try {
          const d = await deriveEnrolment(ctx.db, id, ctx.now, { full });
          if (d) derived.set(id, d);
        } catch (err) {
          errors.push({ enrolmentId: id, err });
        }
      }
      if (errors.length) {
        if (o.mustAll || (errors.length === chunk.length && !(await answers(ctx.db)))) throw errors[0]!.err ?? batchErr;
        failed += errors.length;
        ctx.log.error({ enrolments: errors.map((e) => e.enrolmentId), err: String(errors[0]!.err) }, 'scorm derivation failed; the sweep asks again');
      }
    }
    for (const [id, out] of derived) {
      if (out.path === 'incremental') incremental++;
      else fullWhy[out.why ?? 'requested'] = (fullWhy[out.why ?? 'requested'] ?? 0) + 1;
      if (out.progress.status === 'credited') credited++;
      if (!out.changedYears.length) continue;
      creditChanges += out.changedYears.length;
      await requestLedgerAfter(
        ctx.ledger,
        {
          cause: o.cause(id),
          actor: null,
          at: new Date(ctx.now()).toISOString(),
          scope: { memberIds: [out.memberId] },
          bienniums: affectedBienniums(ctx.now(), out.changedYears),
        },
        ctx.log,
      );
    }
    await o.settle?.(chunk);
  }
  return { enrolments: ids.length, credited, creditChanges, incremental, full: fullWhy, failed };
}

/** Whether the database answers at all (a batch whose every enrolment failed: the database, or those enrolments?). */
async function answers(db: Db): Promise<boolean> {
  return db.query('SELECT 1').then(
    () => true,
    () => false,
  );
}

/**
 * The sweep: enrolments with commits newer than their outcome since `since` are asked for again;
 * with `until`, only commits received before it (the worker leaves out the last SWEEP_GRACE_MS:
 * at 10,000 learners some 450 enrolments are pending at any moment, and asking for each again
 * cost the sweep 110–350 ms of Redis round trips every minute, issue 16).
 */
export async function sweepScormDerivations(
  ctx: Pick<ScormDeriveContext, 'db' | 'log' | 'now'>,
  producer: Pick<ScormProducer, 'requestDerivation' | 'schedulePending'>,
  since: Date,
  until: Date | null = null,
) {
  const t0 = Date.now();
  // cmi5 sessions whose launch expired open are abandoned (§9.3.6), and their registrations derived.
  const abandoned = await abandonExpiredSessions(ctx);
  if (abandoned.length) ctx.log.info({ enrolments: abandoned.length }, 'cmi5 sweep abandoned expired sessions');
  // cmi5 statements newer than their outcome too (issue 16).
  const stale = [...new Set([...abandoned, ...(await enrolmentsNeedingDerivation(ctx.db, since, until)), ...(await cmi5EnrolmentsSince(ctx.db, since))])];
  const readMs = Date.now() - t0;
  for (const id of stale) await producer.requestDerivation(id);
  // Enrolments left pending with no job to claim them (a job that failed for good): asked for again.
  await producer.schedulePending();
  if (stale.length) ctx.log.info({ enrolments: stale.length, readMs, ms: Date.now() - t0 }, 'scorm sweep queued derivations');
  return { queued: stale.length };
}

/** Commits younger than this are on their way to a derivation: the worker's sweep leaves them to it. */
export const SWEEP_GRACE_MS = 30_000;

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

/** How one enrolment was derived: `path` says how, with why when the fold could not be used. */
export interface Derived {
  memberId: string;
  progress: EnrolmentProgress;
  changedYears: number[];
  path: 'incremental' | 'full';
  why: FoldRefusal | 'requested' | 'first' | 'commit-seen-late' | 'cmi5' | null;
}

/**
 * Derives one enrolment and stores its outcome, credit record and aggregates; null when it is
 * gone. `path` says how: `incremental` (the commits since the last derivation folded into the
 * aggregates) or `full` (every commit re-read), with why when the fold could not be used.
 */
export async function deriveEnrolment(db: Db, enrolmentId: string, now: () => number = Date.now, opts: DeriveOptions = {}): Promise<Derived | null> {
  return (await deriveEnrolments(db, [enrolmentId], now, opts)).get(enrolmentId) ?? null;
}

/**
 * Derives several enrolments in one transaction, as `deriveEnrolment` derives one: each judged
 * alone by the same rules, but their heads, aggregates and new commits read, and their
 * aggregates and outcomes written, by one statement each for the whole batch (issue 16: the
 * per-derivation cost at 333 commits/s was the round trips, statement planning and transaction
 * of every enrolment, not the fold). The enrolments whose fold cannot be used are re-read in full
 * in the same transaction, one by one. Gone enrolments have no entry.
 */
export async function deriveEnrolments(
  db: Db,
  enrolmentIds: readonly string[],
  now: () => number = Date.now,
  opts: DeriveOptions = {},
): Promise<Map<string, Derived>> {
  const ids = [...new Set(enrolmentIds)];
  return db.transaction(async (tx) => {
    // Under the enrolments' row locks: a second derivation of any of them waits (at-least-once jobs stay exact).
    const heads = await loadEnrolmentHeads(tx, ids, { lock: true });
    const at = now();
    const scorm = [...heads.values()].filter((h) => !isCmi5Summary(h.manifest));
    const inputs = opts.full
      ? new Map()
      : await loadFoldInputs(
          tx,
          scorm.map((h) => ({ enrolmentId: h.enrolmentId, version: h.manifest.version })),
        );
    const folds: FoldWrite[] = [];
    const outcomes: OutcomeWrite[] = [];
    const how = new Map<string, Pick<Derived, 'memberId' | 'progress' | 'path' | 'why'>>();
    for (const head of heads.values()) {
      const { enrolmentId } = head;
      const { course, validity } = courseOf(head, at);
      const basis = foldBasis(course, head.packageId);
      let progress: EnrolmentProgress | null = null;
      let highWater = 0;
      let path: Derived['path'] = 'full';
      let why: Derived['why'] = opts.full ? 'requested' : null;
      if (isCmi5Summary(head.manifest)) {
        // A cmi5 course (issue 16): its accepted statements, mapped into the same facts, read whole.
        const { version: _v, scos: _s, ...common } = course;
        progress = await deriveCmi5Enrolment(tx, enrolmentId, head.manifest, common, at);
        why = 'cmi5';
      } else if (!opts.full) {
        const input = inputs.get(enrolmentId);
        if (!input) why = 'first';
        else if (input.older !== input.state.folded) why = 'commit-seen-late';
        else {
          const r = foldCommits(course, input.state, basis, input.launches.named, input.commits);
          if (!r.ok) why = r.reason;
          else {
            progress = progressOfFold(course, r.state, launchedScosOf(course.validity, input.launches.all), at);
            highWater = r.state.highWater;
            path = 'incremental';
            folds.push({ enrolmentId, state: r.state, changed: r.changed });
          }
        }
      }
      if (!progress) {
        const f = await loadEnrolmentFacts(tx, enrolmentId, head);
        if (!f) continue;
        progress = assessEnrolment(course, f.launches, f.commits, at);
        highWater = f.highWater;
        folds.push({ enrolmentId, state: foldAll(course, basis, f.launches, f.commits, progress.completedAt), changed: 'all' });
      }
      outcomes.push({
        enrolmentId,
        eventId: head.event.id,
        memberId: head.memberId,
        highWater,
        // Wall clock, as the attendance derivation stamps its rows: the ledger's sweep compares it with its own.
        derivedAt: new Date(),
        progress,
        explanation: explain(progress, validity),
        credit: creditOf(head, progress),
      });
      how.set(enrolmentId, { memberId: head.memberId, progress, path, why });
    }
    await saveFolds(tx, folds, new Date());
    const saved = await saveEnrolmentOutcomes(tx, outcomes);
    return new Map([...how].map(([id, h]) => [id, { ...h, changedYears: saved.get(id)!.changedYears }]));
  });
}

/** The credit record a credited outcome gives (R-ELN-4: distance credits of the event's mode, in the Rome year of completion). */
function creditOf(head: EnrolmentHead, progress: EnrolmentProgress): CreditWrite | null {
  if (progress.status !== 'credited' || progress.completedAt === null) return null;
  const { event } = head;
  const span = { start: Date.parse(event.start), end: Date.parse(event.end) };
  return {
    credits: progress.credits,
    deontologyCredits: deontologyCredits(
      event.topics.map((t) => ({ start: Date.parse(t.start), end: Date.parse(t.end), deontology: t.deontology })),
      span,
      progress.credits,
    ),
    mode: event.mode,
    year: yearOf(progress.completedAt),
  };
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
