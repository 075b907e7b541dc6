/**
 * @module The ledger queue (R-POL-2): after a change that may move members' balances (a grant or
 * its revocation, a policy change, a council decision, a transfer, re-derived credits), a job asks
 * the ledger worker to re-derive the balances of the members in its scope and record, for each one
 * whose outcome changed, the old and new outcome with the change's cause, author and time.
 *
 * De-duplication: a job's BullMQ deduplication id is a hash of its payload, so the same request
 * added twice (a retried hook, two adds in one tick) runs once while it waits or runs; a request
 * for the same members made later is a different payload and runs again. A re-run writes nothing
 * (the worker compares digests). A scope of named members is split into jobs of LEDGER_PAGE.
 */
import crypto from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../log.ts';

export const LEDGER_QUEUE = 'ledger';
/** Members per page of a ledger pass (keyset by id), and per job of named members. */
export const LEDGER_PAGE = 1000;

export const LedgerScope = z.union([
  z.object({ memberIds: z.array(z.uuid()).min(1) }).strict(),
  z.object({ province: z.string().length(2) }).strict(),
  z.object({ all: z.literal(true) }).strict(),
]);
export type LedgerScope = z.infer<typeof LedgerScope>;

export const LedgerJob = z.object({
  /** Why, in words: `distance grant <id> granted (R-FAD-3)`, `sweep`, … */
  cause: z.string().min(1).max(300),
  /** Who: `role:keyId` of the key that acted; null for the system (re-derived credits, sweeps). */
  actor: z.string().max(100).nullable(),
  /** When the change was made (ISO 8601). */
  at: z.iso.datetime({ offset: true }),
  scope: LedgerScope,
  /** Bienniums to re-derive (first, odd year); default the current and the previous one. */
  bienniums: z
    .array(
      z
        .number()
        .int()
        .refine((y) => Math.abs(y % 2) === 1, 'a biennium is named by its first, odd year'),
    )
    .min(1)
    .max(10)
    .optional(),
});
export type LedgerJob = z.infer<typeof LedgerJob>;

export interface LedgerProducer {
  readonly queue: Queue;
  /** Resolves once Redis holds the job(s); rejects at once while Redis is down (producers fail fast). */
  requestLedger(job: LedgerJob): Promise<void>;
  close(): Promise<void>;
}

const JOB_OPTIONS = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 }, attempts: 5, backoff: { type: 'exponential' as const, delay: 2000 } };

/**
 * @example
 * const ledger = createLedgerProducer(redis, 'cdl');
 * await ledger.requestLedger({ cause: 'distance grant … granted (R-FAD-3)', actor: 'cpo:…', at: new Date().toISOString(), scope: { province: 'MI' } });
 */
export function createLedgerProducer(connection: Redis, prefix: string): LedgerProducer {
  const queue = new Queue(LEDGER_QUEUE, { connection, prefix });
  queue.on('error', () => {});
  return {
    queue,
    async requestLedger(job) {
      const jobs = splitJob(LedgerJob.parse(job));
      await queue.addBulk(jobs.map((data) => ({ name: 'ledger', data, opts: { ...JOB_OPTIONS, deduplication: { id: `ledger-${ledgerJobHash(data)}` } } })));
    },
    close: () => queue.close(),
  };
}

/**
 * Asks for a ledger pass after a change has committed, and never throws: the change stands
 * whether or not Redis answers, and the ledger worker's sweep finds what was not asked for.
 */
export async function requestLedgerAfter(producer: Pick<LedgerProducer, 'requestLedger'> | undefined, job: LedgerJob, log: Logger): Promise<void> {
  if (!producer) return;
  try {
    await producer.requestLedger(job);
  } catch (err) {
    log.warn({ cause: job.cause, err: (err as Error).message }, 'ledger request not queued; the ledger sweep will catch up');
  }
}

/** A hash of the payload, canonical whatever the key order and the order of named members. */
export function ledgerJobHash(job: LedgerJob): string {
  const scope = 'memberIds' in job.scope ? { memberIds: [...job.scope.memberIds].sort() } : job.scope;
  const canonical = JSON.stringify([job.cause, job.actor, job.at, scope, job.bienniums ? [...job.bienniums].sort((a, b) => a - b) : null]);
  return crypto.createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/** Named members: unique, and in jobs of at most LEDGER_PAGE. */
function splitJob(job: LedgerJob): LedgerJob[] {
  if (!('memberIds' in job.scope)) return [job];
  const ids = [...new Set(job.scope.memberIds)].sort();
  const out: LedgerJob[] = [];
  for (let i = 0; i < ids.length; i += LEDGER_PAGE) out.push({ ...job, scope: { memberIds: ids.slice(i, i + LEDGER_PAGE) } });
  return out;
}
