/**
 * @module The mail queue: job payload and the producer that asks for outbox rows to be sent.
 *
 * One job per outbox row, with job id `outbox-<id>`: adding a row again while BullMQ still holds
 * its job (waiting, delayed, active or finished and not yet trimmed) is a no-op, so callers and
 * the sweep may enqueue freely. The outbox row, not the job, says whether a mail went out.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const MAIL_QUEUE = 'mail';

export const SendMailJob = z.object({ outboxId: z.number().int().positive() });
export type SendMailJob = z.infer<typeof SendMailJob>;

/** BullMQ attempts per job; the sweep also stops re-enqueueing a row after this many failures. */
export const MAIL_ATTEMPTS = 8;

export interface MailProducerOptions {
  /** First retry delay, doubled at each retry (default 5 s: 5 s … ~10 min in all). Tests shorten it. */
  backoffMs?: number;
  attempts?: number;
}

export interface MailProducer {
  readonly queue: Queue;
  /** Resolves once Redis holds a job for every id (or already held one). */
  send(outboxIds: readonly number[]): Promise<void>;
  close(): Promise<void>;
}

export const mailJobId = (outboxId: number) => `outbox-${outboxId}`;

export function createMailProducer(connection: Redis, prefix: string, opts: MailProducerOptions = {}): MailProducer {
  const queue = new Queue(MAIL_QUEUE, { connection, prefix });
  // Errors surface on add(); the listener keeps an 'error' event from crashing the process.
  queue.on('error', () => {});
  const attempts = opts.attempts ?? MAIL_ATTEMPTS;
  const backoffMs = opts.backoffMs ?? 5_000;
  return {
    queue,
    async send(outboxIds) {
      const ids = [...new Set(outboxIds)];
      // addBulk is one round trip; chunks keep a very large batch from blocking Redis.
      for (let i = 0; i < ids.length; i += 500) {
        await queue.addBulk(
          ids.slice(i, i + 500).map((outboxId) => ({
            name: 'send',
            data: { outboxId } satisfies SendMailJob,
            opts: {
              jobId: mailJobId(outboxId),
              attempts,
              backoff: { type: 'exponential', delay: backoffMs },
              removeOnComplete: { count: 1000 },
              removeOnFail: { count: 5000 },
            },
          })),
        );
      }
    },
    close: () => queue.close(),
  };
}
