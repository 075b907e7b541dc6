/**
 * @module The SCORM queue (issue 6 §4, issue 16): derivation of e-learning enrolments from their
 * launches and commits. A commit marks its enrolment pending; a change that touches a whole
 * course (accreditation, tolerance, declaration) asks for the course (`eventId`).
 *
 * Pending enrolments are a sorted set in Redis, scored by when they become due (the first mark
 * plus SCORM_DERIVE_DELAY_MS, 1 s): a burst of commits (content that commits on every change, a
 * Terminate right after a commit) is one mark, read in one pass. One `derive-pending` job at a
 * time (de-duplicated, `keepLastIfActive`) claims every due enrolment, up to PENDING_CLAIM_MAX,
 * and derives them in batches (`deriveEnrolments`); while enrolments are pending the job asks for
 * its successor, due when the earliest of them is. Issue 16: a BullMQ job per commit cost the
 * gateway, Redis and the worker more than the derivation itself at 333 commits/s.
 *
 * Nothing is lost to a crash: a claim is moved, in one script, into a set named by the job, which
 * the job's re-run (a stalled job, a retry) takes up again; and Redis may run without
 * persistence, so the SCORM sweep finds from the database any enrolment whose commits were not
 * derived and marks it again.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const SCORM_QUEUE = 'scorm';

/** Enrolments one `derive-pending` job claims at most (the rest wait for its successor). */
export const PENDING_CLAIM_MAX = 2000;

/**
 * The least time between one `derive-pending` job and its successor (at most SCORM_DERIVE_DELAY_MS):
 * marks fall due one by one, so without it each job would derive the few that fell due while the
 * last one ran (5 per job at 333 commits/s) and pay its job and transaction for them. With it a
 * job takes what fell due in the last quarter second; progress shows that much later at most.
 */
export const PENDING_SPACING_MS = 250;

export const ScormJob = z.union([
  z.object({ pending: z.literal(true) }),
  // Jobs of the previous version, one per enrolment, still in Redis across an upgrade.
  z.object({ enrolmentId: z.uuid() }),
  z.object({ eventId: z.uuid(), reason: z.string().max(100) }),
]);
export type ScormJob = z.infer<typeof ScormJob>;

export interface ScormProducer {
  readonly queue: Queue;
  /** Resolves once Redis holds the enrolment as pending and a job exists that will derive it. */
  requestDerivation(enrolmentId: string): Promise<void>;
  /** Every enrolment of the course, at once (a single act, not a burst). */
  requestCourseDerivation(eventId: string, reason: string): Promise<void>;
  /**
   * Asks for a `derive-pending` job when enrolments are pending (after a job, and from the sweep);
   * `spaced`: not sooner than PENDING_SPACING_MS (a job's successor, when it did not claim its fill).
   */
  schedulePending(opts?: { spaced?: boolean }): Promise<void>;
  /** The enrolments `jobId` derives: those it claimed before (a re-run), or the due ones, claimed now. */
  claimPending(jobId: string, max?: number): Promise<string[]>;
  /** Enrolments `jobId` has derived (or given up to the sweep): no longer its claim. */
  settlePending(jobId: string, enrolmentIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

const JOB_OPTIONS = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 }, attempts: 5, backoff: { type: 'exponential' as const, delay: 2000 } };

/** Moves up to ARGV[2] members due by ARGV[1] from the pending set into the job's claim, atomically. */
const CLAIM_SCRIPT = `
local ids = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
if #ids > 0 then
  redis.call('ZREM', KEYS[1], unpack(ids))
  redis.call('SADD', KEYS[2], unpack(ids))
  redis.call('EXPIRE', KEYS[2], 86400)
end
return ids`;

export function createScormProducer(connection: Redis, prefix: string, delayMs: number): ScormProducer {
  const queue = new Queue(SCORM_QUEUE, { connection, prefix });
  queue.on('error', () => {});
  // Beside the queue's own keys; BullMQ's names are single words (wait, delayed, marker…).
  const pendingKey = `${prefix}:${SCORM_QUEUE}:pending-enrolments`;
  const claimKey = (jobId: string) => `${prefix}:${SCORM_QUEUE}:claimed-enrolments:${jobId}`;
  const addPendingJob = (delay: number) =>
    queue.add('derive-pending', { pending: true } satisfies ScormJob, {
      ...JOB_OPTIONS,
      delay,
      deduplication: { id: 'pending-enrolments', keepLastIfActive: true },
    });
  return {
    queue,
    async requestDerivation(enrolmentId) {
      const res = await connection
        .multi()
        .zadd(pendingKey, 'NX', Date.now() + delayMs, enrolmentId)
        .zcard(pendingKey)
        .exec();
      const failed = res?.find(([err]) => err);
      if (!res || failed) throw failed?.[0] ?? new Error('pending mark not stored');
      // The mark that makes the set non-empty asks for the job; while it is not empty a job
      // exists (or is asked for by the job that ran, or by the sweep).
      if (res[1]![1] === 1) await addPendingJob(delayMs);
    },
    async requestCourseDerivation(eventId, reason) {
      await queue.add('derive-course', { eventId, reason } satisfies ScormJob, {
        ...JOB_OPTIONS,
        deduplication: { id: `course-${eventId}`, keepLastIfActive: true },
      });
    },
    async schedulePending(opts = {}) {
      const first = await connection.zrange(pendingKey, '0', '0', 'WITHSCORES');
      if (first.length < 2) return;
      const least = opts.spaced ? Math.min(PENDING_SPACING_MS, delayMs) : 0;
      await addPendingJob(Math.max(least, Math.min(delayMs, Number(first[1]) - Date.now())));
    },
    async claimPending(jobId, max = PENDING_CLAIM_MAX) {
      const held = await connection.smembers(claimKey(jobId));
      if (held.length) return held;
      return (await connection.eval(CLAIM_SCRIPT, 2, pendingKey, claimKey(jobId), String(Date.now()), String(max))) as string[];
    },
    async settlePending(jobId, enrolmentIds) {
      if (enrolmentIds.length) await connection.srem(claimKey(jobId), ...enrolmentIds);
    },
    close: () => queue.close(),
  };
}
