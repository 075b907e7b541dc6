/**
 * @module The SCORM queue (issue 6 §4): derivation of e-learning enrolments from their launches
 * and commits. A commit asks for its enrolment (`enrolmentId`); a change that touches a whole
 * course (accreditation, tolerance, declaration) asks for the course (`eventId`).
 *
 * Autocommits every 30 s per learner would mean a derivation per commit: requests are coalesced
 * per enrolment (de-duplicated on its id with `keepLastIfActive`, delayed by
 * SCORM_DERIVE_DELAY_MS), so a learner's burst of commits is read in one pass.
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
