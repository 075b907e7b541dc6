/**
 * @module Verification worker (issue 15, R-VER-11, R-VER-13): takes the verification queue's jobs
 * (a large province's run, an export of a version) and calls
 * `services/council/verification-jobs.ts`, which runs the API's own operations as the person who
 * asked; and the sweep that queues what Redis never got or lost and deletes expired files.
 *
 * One job at a time per process: a run of 30,000 members is batch work that keeps a core busy. A
 * job whose worker died is taken over once its lock expires (WORKER_LOCK_MS); BullMQ may hand it
 * over up to VERIFICATION_JOB_ATTEMPTS times, and the job's own count of starts (in Postgres)
 * decides when it is shown as failed instead.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../src/config.ts';
import type { Logger } from '../src/log.ts';
import { VERIFICATION_QUEUE, VerificationJobData, type VerificationProducer } from '../src/queue/verification.ts';
import { processVerificationJob, sweepVerificationJobs } from '../src/services/council/verification-jobs.ts';
import type { Db } from '../src/store/db.ts';
import { startQueueWorker, type RunningWorker } from './queue-worker.ts';

export interface VerificationWorkerDeps {
  db: Db;
  connection: Redis;
  config: Config;
  log: Logger;
  now: () => number;
  producer: VerificationProducer;
}

export async function startVerificationWorker(deps: VerificationWorkerDeps): Promise<RunningWorker> {
  const { config, log } = deps;
  const ctx = { db: deps.db, now: deps.now, log, config, verification: deps.producer };
  const pauseMs = config.VERIFICATION_JOB_PAUSE_MS;
  if (pauseMs > 0) log.warn({ pauseMs }, 'VERIFICATION_JOB_PAUSE_MS is set: every verification job pauses after its first progress (test fault injection)');
  return startQueueWorker({
    queue: VERIFICATION_QUEUE,
    connection: deps.connection,
    config,
    log,
    concurrency: 1,
    maxStalledCount: config.VERIFICATION_JOB_ATTEMPTS,
    process: (job) => {
      const { jobId } = VerificationJobData.parse(job.data);
      return processVerificationJob(ctx, jobId, {
        ...(pauseMs > 0
          ? {
              afterFirstProgress: async () => {
                log.warn({ jobId, pauseMs }, 'verification job paused (fault injection)');
                await new Promise((r) => setTimeout(r, pauseMs));
              },
            }
          : {}),
      });
    },
    sweep: { queue: deps.producer.queue, run: () => sweepVerificationJobs(ctx) },
  });
}
