/**
 * @module What every worker of this project is: a BullMQ Worker on one queue, with the project's
 * lock settings, its failures logged, and a sweep that redoes from the database whatever a lost
 * job would have done (Redis may run without persistence): a job scheduler on the queue every
 * SWEEP_INTERVAL_MS, shared by all processes, and one run at start.
 */
import { Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../src/config.ts';
import type { Logger } from '../src/log.ts';

export interface RunningWorker {
  worker: Worker;
  close(): Promise<void>;
}

export interface QueueWorkerOptions {
  /** Queue name; also the word used in log lines. */
  queue: string;
  /** Owned by the worker: disconnected by close(). */
  connection: Redis;
  config: Config;
  log: Logger;
  concurrency: number;
  /** Every job other than the sweep. */
  process: (job: Job) => Promise<unknown>;
  sweep: {
    /** The producer's queue, on which the scheduler is upserted (idempotent by id). */
    queue: Queue;
    /** `atStart`: the run at start-up, which may look further back (the process may have been down). */
    run: (atStart: boolean) => Promise<unknown>;
  };
  /** Level of a failed job's log line: `warn` where failures are expected and retried (mail). */
  failedLevel?: 'warn' | 'error';
  /** Times a job may stall (its worker died) and be taken over before BullMQ fails it; BullMQ's default 1 unless given. */
  maxStalledCount?: number;
  /** Releases what else the worker owns, after the worker and its connection are closed. */
  onClose?: () => void;
}

export const SWEEP_JOB = 'sweep';

/**
 * Starts a worker with its sweep.
 *
 * @example
 * await startQueueWorker({ queue: MAIL_QUEUE, connection, config, log, concurrency: 5, process: (job) => send(job), sweep: { queue: producer.queue, run: () => sweepOutbox(deps) } })
 */
export async function startQueueWorker(o: QueueWorkerOptions): Promise<RunningWorker> {
  const { config, log } = o;
  const worker = new Worker(o.queue, (job: Job) => (job.name === SWEEP_JOB ? o.sweep.run(false) : o.process(job)), {
    connection: o.connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: o.concurrency,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: config.WORKER_LOCK_MS,
    ...(o.maxStalledCount !== undefined ? { maxStalledCount: o.maxStalledCount } : {}),
  });
  worker.on('failed', (job, err) =>
    log[o.failedLevel ?? 'error']({ jobId: job?.id, name: job?.name, attemptsMade: job?.attemptsMade, err: err.message }, `${o.queue} job failed`),
  );
  worker.on('error', (err) => log.warn({ err: err.message }, `${o.queue} worker error`));
  await worker.waitUntilReady();
  await o.sweep.queue.upsertJobScheduler(`${o.queue}-sweep`, { every: config.SWEEP_INTERVAL_MS }, { name: SWEEP_JOB, data: {} });
  void o.sweep.run(true).catch((err) => log.warn({ err: String(err) }, `start-up ${o.queue} sweep failed`));
  return {
    worker,
    async close() {
      await worker.close();
      o.connection.disconnect();
      o.onClose?.();
    },
  };
}
