/**
 * @module The SCORM queue (issue 6 §4): derivation of e-learning enrolments from their launches
 * and commits. A commit asks for its enrolment (`enrolmentId`); a change that touches a whole
 * course (accreditation, tolerance, declaration) asks for the course (`eventId`).
 *
 * Requests are coalesced per enrolment (de-duplicated on its id with `keepLastIfActive`, delayed
 * by SCORM_DERIVE_DELAY_MS, 1 s), so a burst of commits (content that commits on every change, a
 * Terminate right after a commit) is read in one pass. A learner's 30 s autocommits are each
 * derived: since issue 16 that derivation folds only the new commits, so it is cheap, and a
 * delay long enough to merge them would hide progress for longer than the 5 s the issue allows.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const SCORM_QUEUE = 'scorm';

export const ScormJob = z.union([z.object({ enrolmentId: z.uuid() }), z.object({ eventId: z.uuid(), reason: z.string().max(100) })]);
export type ScormJob = z.infer<typeof ScormJob>;

export interface ScormProducer {
  readonly queue: Queue;
  /** Resolves once Redis holds a job that will derive the enrolment after now. */
  requestDerivation(enrolmentId: string): Promise<void>;
  /** Every enrolment of the course, at once (a single act, not a burst). */
  requestCourseDerivation(eventId: string, reason: string): Promise<void>;
  close(): Promise<void>;
}

const JOB_OPTIONS = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 }, attempts: 5, backoff: { type: 'exponential' as const, delay: 2000 } };

export function createScormProducer(connection: Redis, prefix: string, delayMs: number): ScormProducer {
  const queue = new Queue(SCORM_QUEUE, { connection, prefix });
  queue.on('error', () => {});
  return {
    queue,
    async requestDerivation(enrolmentId) {
      await queue.add('derive', { enrolmentId } satisfies ScormJob, {
        ...JOB_OPTIONS,
        delay: delayMs,
        deduplication: { id: `enrolment-${enrolmentId}`, keepLastIfActive: true },
      });
    },
    async requestCourseDerivation(eventId, reason) {
      await queue.add('derive-course', { eventId, reason } satisfies ScormJob, {
        ...JOB_OPTIONS,
        deduplication: { id: `course-${eventId}`, keepLastIfActive: true },
      });
    },
    close: () => queue.close(),
  };
}
