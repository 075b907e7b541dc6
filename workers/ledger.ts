/**
 * @module Ledger worker (R-POL-2): re-derives the balances of the members a change may have
 * moved and records every outcome that changed (old, new, cause, author, time); and the sweep that
 * catches up on changes whose request was lost.
 *
 * The pass and the sweep are `src/services/balance/ledger.ts` (`applyLedger`, `sweepChanges`);
 * this worker takes the jobs and runs the schedule.
 *
 * The cause of a row is the request that found the change: when two changes come close together,
 * the first pass to run records both under its own cause.
 *
 * Sweep (a job scheduler every SWEEP_INTERVAL_MS, and once at start), kept cheap:
 * - at start, one pass over every member (`{ all: true }`, cause `sweep`), de-duplicated for
 *   SWEEP_INTERVAL_MS across processes: what changed while no worker ran, or while Redis was down;
 * - every interval, the scopes whose facts changed since this process's previous sweep (small
 *   tables and recent derivations, `changedSince`), each a job with cause `sweep`; these are
 *   no-ops when the change's own request already ran;
 * - once a Rome day, one pass over every member, for outcomes that move with time alone (a
 *   biennium ending turns `in-progress` into `non-compliant`; a debt's deadline) and for facts no
 *   hook covers (a register import changing a registration date).
 */
import type { Redis } from 'ioredis';
import type { Config } from '../src/config.ts';
import { romeDate } from '../src/domain/calendar.ts';
import type { Logger } from '../src/log.ts';
import { LEDGER_QUEUE, LedgerJob, type LedgerProducer } from '../src/queue/ledger.ts';
import { applyLedger, sweepChanges } from '../src/services/balance/ledger.ts';
import type { Db } from '../src/store/db.ts';
import { startQueueWorker, type RunningWorker } from './queue-worker.ts';

export interface LedgerWorkerDeps {
  db: Db;
  connection: Redis;
  config: Config;
  log: Logger;
  /** The product clock: the Rome date balances are derived on, and the default bienniums. */
  now: () => number;
  producer: LedgerProducer;
}

/** How far back a sweep looks beyond the previous one: acts are stamped before they commit. */
const SWEEP_MARGIN_MS = 60_000;

export async function startLedgerWorker(deps: LedgerWorkerDeps): Promise<RunningWorker> {
  const startedAt = { product: deps.now(), wall: Date.now() };
  let since = { product: startedAt.product - SWEEP_MARGIN_MS, wall: startedAt.wall - SWEEP_MARGIN_MS };
  return startQueueWorker({
    queue: LEDGER_QUEUE,
    connection: deps.connection,
    config: deps.config,
    log: deps.log,
    // One pass at a time per process: passes are batch work, and in order they attribute changes to the right cause.
    concurrency: 1,
    process: (job) => applyLedger(deps, LedgerJob.parse(job.data)),
    sweep: {
      queue: deps.producer.queue,
      run: async (atStart) => {
        if (atStart) return requestFullPass(deps, 'start', deps.config.SWEEP_INTERVAL_MS);
        const run = { product: deps.now(), wall: Date.now() };
        const queued = await sweepChanges(deps, since);
        since = { product: run.product - SWEEP_MARGIN_MS, wall: run.wall - SWEEP_MARGIN_MS };
        const daily = await requestFullPass(deps, romeDate(run.product), 24 * 3600_000);
        return { ...queued, fullPass: daily.requested };
      },
    },
  });
}

/** Asks for a pass over every member, at most once per `everyMs` across processes (`key` names the window). */
async function requestFullPass(deps: LedgerWorkerDeps, key: string, everyMs: number): Promise<{ requested: string }> {
  const data: LedgerJob = { cause: 'sweep', actor: null, at: new Date(deps.now()).toISOString(), scope: { all: true } };
  await deps.producer.queue.add('ledger', data, {
    deduplication: { id: `ledger-sweep-all-${key}`, ttl: everyMs },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 5000 },
    attempts: 5,
    backoff: { type: 'exponential', delay: 2000 },
  });
  return { requested: key };
}
