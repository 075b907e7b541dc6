/**
 * @module The verification queue (issue 15, R-VER-11): a run of a large province, or an export of
 * a version, asked for in the console. The job carries only the id of its `verification_jobs` row,
 * which is the system of record (what was asked, by whom, progress, outcome); the BullMQ job id is
 * that id, so a second add of the same job (the sweep re-adding one that Redis lost) is ignored
 * while the first exists.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const VERIFICATION_QUEUE = 'verification';

export const VerificationJobData = z.object({ jobId: z.uuid() });
export type VerificationJobData = z.infer<typeof VerificationJobData>;

/** Where the queue has a job: BullMQ's states, or `missing` (never added, removed, or lost with Redis). */
export type QueueJobState = 'waiting' | 'active' | 'delayed' | 'prioritized' | 'waiting-children' | 'completed' | 'failed' | 'missing';

export interface VerificationProducer {
  readonly queue: Queue;
  /** Resolves once Redis holds the job; rejects at once while Redis is down (producers fail fast). */
  requestJob(jobId: string): Promise<void>;
  jobState(jobId: string): Promise<QueueJobState>;
  close(): Promise<void>;
}

/**
 * @example
 * const verification = createVerificationProducer(redis, 'cdl', 3);
 * await verification.requestJob(job.id);
 */
export function createVerificationProducer(connection: Redis, prefix: string, attempts: number): VerificationProducer {
  const queue = new Queue(VERIFICATION_QUEUE, { connection, prefix });
  queue.on('error', () => {});
  return {
    queue,
    async requestJob(jobId) {
      await queue.add('verification', { jobId } satisfies VerificationJobData, {
        jobId,
        attempts,
        backoff: { type: 'exponential', delay: 5000 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000 },
      });
    },
    async jobState(jobId) {
      const state = await queue.getJobState(jobId);
      return state === 'unknown' ? 'missing' : (state as QueueJobState);
    },
    close: () => queue.close(),
  };
}
