/**
 * @module Background jobs of the verification (issue 15, R-VER-11 … R-VER-13): a person in the
 * console asks for a run of a large province, or for the CSV/xlsx export of a version; the job
 * is a `verification_jobs` row (the system of record) and a BullMQ job carrying its id. The
 * verification worker calls `processVerificationJob`, which runs the very operations the API
 * calls (`runVerification`, `verificationExport`) as the person who asked, writes progress as it
 * goes, and for an export stores the file in Postgres in chunks, where any gateway instance can
 * serve it to that person until it expires. A sweep queues what Redis never got or lost, fails
 * what the queue gave up on, and deletes expired files.
 */
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import type { VerificationPhase } from '../../domain/verification.ts';
import type { Role } from '../../domain/roles.ts';
import {
  chunkAt,
  clearChunks,
  expireExports,
  failJob,
  finishJob,
  insertChunk,
  insertJob,
  jobById,
  openJobs,
  provinceMemberCount,
  readyExport,
  recentJobs,
  requeueJob,
  setProgress,
  startAttempt,
  type VerificationJob,
} from '../../store/verification-jobs.ts';
import { actorRef, type Actor, type PersonActor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { EXPORT_BUFFER_BYTES, verificationExport, type ExportFormat } from './verification-export.ts';
import { assertPhaseOpen, provinceFor, readVerification, runVerification, type SnapshotSummary } from './verification.ts';

export type { VerificationJob };

/** Size of a stored chunk of an export's file. */
export const CHUNK_BYTES = EXPORT_BUFFER_BYTES;

type JobCtx = Pick<ServiceContext, 'db' | 'now' | 'log' | 'config' | 'verification'>;

const isoNow = (ctx: Pick<ServiceContext, 'now'>) => new Date(ctx.now()).toISOString();

/** Jobs belong to the person who asked (R-VER-12): an API key has no progress page to come back to. */
function person(actor: Actor): PersonActor {
  if (actor.userId === undefined) throw new ServiceError('forbidden', 'Background verification jobs are asked for by a person in the console');
  return actor;
}

/**
 * Whether the console runs this province's verification as a job rather than in the request:
 * more than `VERIFICATION_SYNC_MAX_MEMBERS` members (R-VER-11).
 *
 * @rule R-VER-11
 */
export async function runGoesToBackground(ctx: Pick<ServiceContext, 'db' | 'config'>, actor: Actor, input: { province: string }): Promise<boolean> {
  const province = provinceFor(actor, input.province);
  return (await provinceMemberCount(ctx.db, province)) > ctx.config.VERIFICATION_SYNC_MAX_MEMBERS;
}

/** Whether the console prepares this version's export as a job rather than streaming it in the request (R-VER-11). */
export function exportGoesToBackground(ctx: Pick<ServiceContext, 'config'>, snapshot: Pick<SnapshotSummary, 'memberCount'>): boolean {
  return snapshot.memberCount > ctx.config.VERIFICATION_SYNC_MAX_MEMBERS;
}

/** Hands the job to the queue after COMMIT; never throws: the sweep queues what did not get there. */
async function enqueue(ctx: JobCtx, job: VerificationJob): Promise<void> {
  if (!ctx.verification) return;
  try {
    await ctx.verification.requestJob(job.id);
  } catch (err) {
    ctx.log.warn({ jobId: job.id, err: (err as Error).message }, 'verification job not queued; the verification sweep will queue it');
  }
}

/**
 * Asks for a run of a province's phase in the background (R-VER-11), as `runVerification` would
 * refuse it (province, dates) before anything is queued. The same person asking again while it
 * waits or runs gets the same job (`created: false`).
 *
 * @rule R-VER-11
 */
export async function requestVerificationRun(
  ctx: JobCtx,
  actor: Actor,
  input: { province: string; biennium: number; phase: VerificationPhase },
): Promise<{ job: VerificationJob; created: boolean }> {
  const who = person(actor);
  const province = provinceFor(who, input.province);
  assertPhaseOpen(input.biennium, input.phase, ctx.now());
  const r = await insertJob(ctx.db, {
    id: crypto.randomUUID(),
    kind: 'run',
    province,
    biennium: input.biennium,
    phase: input.phase,
    version: null,
    format: null,
    actor: { role: who.role, subject: who.subject, userId: who.userId },
    requestedBy: actorRef(who),
    requestedAt: isoNow(ctx),
    total: await provinceMemberCount(ctx.db, province),
  });
  if (r.created) await enqueue(ctx, r.job);
  return r;
}

/**
 * Asks for the export of a version (the latest without `version`, pinned now) in a format
 * (R-VER-11, R-VER-12). A file of the same version and format this person prepared earlier and
 * that has not expired is given back as it is (a version never changes, R-VER-5).
 *
 * @rule R-VER-12
 */
export async function requestVerificationExport(
  ctx: JobCtx,
  actor: Actor,
  input: { province: string; biennium: number; phase: VerificationPhase; version?: number; format: ExportFormat },
): Promise<{ job: VerificationJob; created: boolean }> {
  const who = person(actor);
  const { snapshot } = await readVerification(ctx, who, { ...input, limit: 1 });
  const key = { province: snapshot.province, biennium: snapshot.biennium, phase: snapshot.phase, version: snapshot.version, format: input.format };
  const ready = await readyExport(ctx.db, { userId: who.userId, ...key }, isoNow(ctx));
  if (ready) return { job: ready, created: false };
  const r = await insertJob(ctx.db, {
    id: crypto.randomUUID(),
    kind: 'export',
    ...key,
    actor: { role: who.role, subject: who.subject, userId: who.userId },
    requestedBy: actorRef(who),
    requestedAt: isoNow(ctx),
    total: snapshot.memberCount,
  });
  if (r.created) await enqueue(ctx, r.job);
  return r;
}

/**
 * A job as its person sees it; anyone else (another officer, another province) gets
 * `verification-job-not-found`, as for a job that does not exist (R-VER-12).
 *
 * @rule R-VER-12
 */
export async function verificationJob(ctx: Pick<ServiceContext, 'db'>, actor: Actor, id: string): Promise<VerificationJob> {
  const job = await jobById(ctx.db, id);
  if (!job || actor.userId === undefined || job.userId !== actor.userId) throw new ServiceError('verification-job-not-found');
  // A CPO moved to another province (or a role changed) no longer reads what it asked for there.
  provinceForJob(actor, job);
  return job;
}

function provinceForJob(actor: Actor, job: VerificationJob): void {
  try {
    provinceFor(actor, job.province);
  } catch {
    throw new ServiceError('verification-job-not-found');
  }
}

/** The person's latest jobs of a province, biennium and phase (the verification page lists them). */
export async function recentVerificationJobs(
  ctx: Pick<ServiceContext, 'db'>,
  actor: Actor,
  key: { province: string; biennium: number; phase: VerificationPhase },
  limit = 5,
): Promise<VerificationJob[]> {
  if (actor.userId === undefined) return [];
  return recentJobs(ctx.db, { userId: actor.userId, ...key }, limit);
}

/** Whether an export job's file may be downloaded at `now`. */
export function exportExpired(job: VerificationJob, now: number): boolean {
  return job.status === 'expired' || (job.status === 'done' && job.expiresAt !== null && Date.parse(job.expiresAt) <= now);
}

/**
 * The file of a finished export, for the person who asked only (R-VER-12): its name, type, size
 * and the bytes read from the database a chunk at a time. `verification-export-not-ready` while
 * it is written (or after it failed), `verification-export-expired` after its hours.
 *
 * @rule R-VER-12
 */
export async function verificationJobFile(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  actor: Actor,
  id: string,
): Promise<{ filename: string; contentType: string; bytes: number; body: Readable }> {
  const job = await verificationJob(ctx, actor, id);
  if (job.kind !== 'export') throw new ServiceError('verification-job-not-found');
  if (exportExpired(job, ctx.now())) throw new ServiceError('verification-export-expired');
  if (job.status !== 'done' || job.fileAttempt === null) throw new ServiceError('verification-export-not-ready');
  const attempt = job.fileAttempt;
  const db = ctx.db;
  async function* chunks() {
    for (let seq = 0; ; seq++) {
      const bytes = await chunkAt(db, id, attempt, seq);
      if (!bytes) return;
      yield bytes;
    }
  }
  const result = job.result as { filename: string; contentType: string };
  return { filename: result.filename, contentType: result.contentType, bytes: job.fileBytes ?? 0, body: Readable.from(chunks(), { objectMode: false }) };
}

/** The worker's attempt was taken over (it stalled and another worker runs the job now). */
class LostJob extends Error {}

export interface ProcessHooks {
  /** Awaited once, after the first progress report (the worker's fault injection for tests). */
  afterFirstProgress?: () => Promise<void>;
}

/**
 * One attempt of a job, as the verification worker runs it (R-VER-11, R-VER-13): counted as a
 * start; refused as `job-interrupted` after `VERIFICATION_JOB_ATTEMPTS` starts (a job whose
 * worker keeps dying is shown as failed, never run for ever); run as the person who asked, with
 * progress; an operation's refusal fails it at once, any other error is retried until the
 * attempts are spent (the error is thrown so BullMQ retries with its backoff).
 *
 * @rule R-VER-13
 */
export async function processVerificationJob(ctx: JobCtx, jobId: string, hooks: ProcessHooks = {}): Promise<{ status: string; attempt?: number }> {
  const job = await startAttempt(ctx.db, jobId, isoNow(ctx));
  if (!job) return { status: 'skipped' };
  const attempt = job.attempts;
  const max = ctx.config.VERIFICATION_JOB_ATTEMPTS;
  if (attempt > max) {
    await failJob(ctx.db, jobId, attempt, { code: 'job-interrupted', detail: `started ${max} times without finishing` }, isoNow(ctx));
    ctx.log.error({ jobId, attempts: attempt - 1 }, 'verification job interrupted too often; failed');
    return { status: 'failed', attempt };
  }
  const actor: PersonActor = { role: job.actor.role as Role, subject: job.actor.subject, userId: job.actor.userId };
  let first = true;
  const progress = async (stage: string, done: number, total: number | null) => {
    if (!(await setProgress(ctx.db, jobId, attempt, { stage, done, total }, isoNow(ctx)))) throw new LostJob();
    if (first) {
      first = false;
      await hooks.afterFirstProgress?.();
    }
  };
  ctx.log.info({ jobId, kind: job.kind, province: job.province, biennium: job.biennium, phase: job.phase, attempt }, 'verification job started');
  try {
    const result = job.kind === 'run' ? await doRun(ctx, job, actor, progress) : await doExport(ctx, job, actor, attempt, progress);
    const finished = await ctx.db.transaction((tx) => finishJob(tx, jobId, attempt, result, isoNow(ctx)));
    if (!finished) return { status: 'lost', attempt };
    ctx.log.info({ jobId, attempt, ...result.result }, 'verification job finished');
    return { status: 'done', attempt };
  } catch (err) {
    if (err instanceof LostJob) {
      ctx.log.warn({ jobId, attempt }, 'verification job taken over by another attempt; this one stops');
      return { status: 'lost', attempt };
    }
    if (err instanceof ServiceError) {
      await failJob(ctx.db, jobId, attempt, { code: err.code, detail: err.message }, isoNow(ctx));
      ctx.log.warn({ jobId, attempt, code: err.code }, 'verification job refused');
      return { status: 'failed', attempt };
    }
    const detail = err instanceof Error ? err.message : String(err);
    if (attempt >= max) {
      await failJob(ctx.db, jobId, attempt, { code: 'job-error', detail }, isoNow(ctx));
      ctx.log.error({ jobId, attempt, err: detail }, 'verification job failed');
      return { status: 'failed', attempt };
    }
    await requeueJob(ctx.db, jobId, attempt, isoNow(ctx));
    throw err;
  }
}

type Progress = (stage: string, done: number, total: number | null) => Promise<void>;

async function doRun(ctx: JobCtx, job: VerificationJob, actor: PersonActor, progress: Progress) {
  const r = await runVerification(
    ctx,
    actor,
    { province: job.province, biennium: job.biennium, phase: job.phase },
    {
      onProgress: (p) => progress(p.stage, p.done, p.total),
    },
  );
  // After a crash between the new version's COMMIT and this job's, the next attempt finds nothing
  // new: the version still is this job's when the person who asked made it after asking.
  const ours = r.snapshot.createdBy === job.requestedBy && r.snapshot.createdAt >= job.requestedAt;
  return {
    result: {
      version: r.snapshot.version,
      changed: r.changed || ours,
      previousVersion: r.previousVersion,
      changes: r.diff.length,
      members: r.snapshot.memberCount,
    },
  };
}

async function doExport(ctx: JobCtx, job: VerificationJob, actor: PersonActor, attempt: number, progress: Progress) {
  await clearChunks(ctx.db, job.id, attempt);
  const file = await verificationExport(
    ctx,
    actor,
    { province: job.province, biennium: job.biennium, phase: job.phase, version: job.version!, format: job.format! },
    { onRows: (n) => progress('write', n, null) },
  );
  let seq = 0;
  let bytes = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (!pendingBytes) return;
    const chunk = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await insertChunk(ctx.db, job.id, attempt, seq++, chunk);
  };
  try {
    // Reading waits while a chunk is stored: the writer waits in turn (backpressure), so at
    // most about two chunks are in memory whatever the file's size.
    for await (const piece of file.out as AsyncIterable<Buffer>) {
      pending.push(piece);
      pendingBytes += piece.length;
      bytes += piece.length;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    await flush();
  } catch (err) {
    file.out.destroy();
    throw err;
  }
  const { rows } = await file.done;
  const expiresAt = new Date(ctx.now() + ctx.config.VERIFICATION_EXPORT_TTL_HOURS * 3_600_000).toISOString();
  return { result: { rows, bytes, filename: file.filename, contentType: file.contentType }, fileBytes: bytes, expiresAt };
}

/**
 * The sweep of the verification worker (R-VER-13): expired files deleted; every open job checked
 * against the queue: one the queue does not have (never queued, or lost with Redis) is queued
 * again (or failed once its starts are spent), one the queue finished or gave up on while the row
 * stayed open is failed as interrupted.
 *
 * @rule R-VER-13
 */
export async function sweepVerificationJobs(ctx: JobCtx): Promise<{ expired: number; queued: number; failed: number }> {
  const expired = await expireExports(ctx.db, isoNow(ctx));
  let queued = 0;
  let failed = 0;
  if (!ctx.verification) return { expired, queued, failed };
  for (const job of await openJobs(ctx.db, 1000)) {
    const state = await ctx.verification.jobState(job.id);
    if (state === 'missing') {
      if (job.attempts >= ctx.config.VERIFICATION_JOB_ATTEMPTS) {
        if (await failJob(ctx.db, job.id, job.attempts, { code: 'job-interrupted', detail: 'lost by the queue after its last start' }, isoNow(ctx))) failed++;
      } else {
        await ctx.verification.requestJob(job.id);
        queued++;
      }
    } else if (state === 'completed' || state === 'failed') {
      // The attempt seen must still be the job's: a job finishing meanwhile is left as it ended.
      if (await failJob(ctx.db, job.id, job.attempts, { code: 'job-interrupted', detail: `the queue's job is ${state}` }, isoNow(ctx))) failed++;
    }
  }
  if (expired || queued || failed) ctx.log.info({ expired, queued, failed }, 'verification sweep');
  return { expired, queued, failed };
}
