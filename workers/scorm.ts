/**
 * @module SCORM worker (issue 6 §4): takes the SCORM queue's jobs and calls the derivation service
 * (`src/services/elearning/derive.ts`: R-ELN-2, R-ELN-3, R-ELN-4, R-EVT-5), and runs the sweep
 * that catches commits whose derivation request was lost.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../src/config.ts';
import type { Logger } from '../src/log.ts';
import type { LedgerProducer } from '../src/queue/ledger.ts';
import { SCORM_QUEUE, ScormJob, type ScormProducer } from '../src/queue/scorm.ts';
import { processScormJob, SWEEP_GRACE_MS, sweepScormDerivations } from '../src/services/elearning/derive.ts';
import type { Db } from '../src/store/db.ts';
import { startQueueWorker, type RunningWorker } from './queue-worker.ts';

export interface ScormWorkerDeps {
  db: Db;
  connection: Redis;
  config: Config;
  log: Logger;
  now: () => number;
  producer: ScormProducer;
  ledger?: Pick<LedgerProducer, 'requestLedger'>;
}

export async function startScormWorker(deps: ScormWorkerDeps): Promise<RunningWorker> {
  const { config, log } = deps;
  return startQueueWorker({
    queue: SCORM_QUEUE,
    connection: deps.connection,
    config,
    log,
    concurrency: config.WORKER_CONCURRENCY,
    process: (job) => processScormJob({ ...deps, derivation: config.SCORM_DERIVATION, pending: deps.producer }, ScormJob.parse(job.data), job.id),
    sweep: {
      queue: deps.producer.queue,
      run: (atStart) => {
        const now = deps.now();
        return sweepScormDerivations(
          deps,
          deps.producer,
          new Date(now - (atStart ? 24 * 3600_000 : config.SWEEP_INTERVAL_MS * 3)),
          new Date(now - SWEEP_GRACE_MS),
        );
      },
    },
  });
}
