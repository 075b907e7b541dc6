/**
 * @module Mail worker: takes send jobs and calls the mail service (`src/services/mail.ts`), which
 * records each attempt on its outbox row; a scheduled sweep re-enqueues rows whose job Redis lost.
 * A mail the server refused for good fails its job without retries.
 */
import { UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { MAIL_QUEUE, SendMailJob } from '../src/queue/mail.ts';
import { PermanentMailError, sendOutbox, sweepOutbox, type MailDeps } from '../src/services/mail.ts';
import { startQueueWorker, type RunningWorker } from './queue-worker.ts';

export interface MailWorkerDeps extends MailDeps {
  /** Owned by the worker: disconnected by close(); the mailer is closed by close() too. */
  connection: Redis;
}

/** Sends in parallel per worker process (the SMTP pool opens up to 5 connections). */
const MAIL_CONCURRENCY = 5;

export async function startMailWorker(deps: MailWorkerDeps): Promise<RunningWorker> {
  return startQueueWorker({
    queue: MAIL_QUEUE,
    connection: deps.connection,
    config: deps.config,
    log: deps.log,
    concurrency: MAIL_CONCURRENCY,
    process: (job) =>
      sendOutbox(deps, SendMailJob.parse(job.data).outboxId).catch((err: unknown) => {
        throw err instanceof PermanentMailError ? new UnrecoverableError(err.message) : err;
      }),
    // The job's return value is kept in Redis: a count, not the ids.
    sweep: { queue: deps.producer.queue, run: () => sweepOutbox(deps).then((r) => ({ queued: r.queued.length })) },
    // Error messages are address-free (MailError), so they may be logged and kept in Redis.
    failedLevel: 'warn',
    onClose: () => deps.mailer.close(),
  });
}
