/**
 * @module Attendance worker: takes derivation jobs and calls `services/attendance/derive.ts`
 * (R-ATT-3, R-ATT-4, R-ATT-5, R-ATT-6, R-ATT-7, R-ATT-8, R-ATT-9, R-EVT-4, R-EVT-6, R-FAD-1,
 * R-CAL-2), and sweeps for events whose evidence is newer than their outcomes.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../src/config.ts';
import type { Logger } from '../src/log.ts';
import { ATTENDANCE_QUEUE, DeriveJob, type AttendanceProducer } from '../src/queue/attendance.ts';
import type { LedgerProducer } from '../src/queue/ledger.ts';
import type { QuestionnaireProducer } from '../src/queue/questionnaire.ts';
import type { ScormProducer } from '../src/queue/scorm.ts';
import { processDerivationJob, queueStaleDerivations } from '../src/services/attendance/derive.ts';
import type { Db } from '../src/store/db.ts';
import { startQueueWorker, type RunningWorker } from './queue-worker.ts';

export interface AttendanceWorkerDeps {
  db: Db;
  connection: Redis;
  config: Config;
  log: Logger;
  now: () => number;
  producer: AttendanceProducer;
  /** Told when a derivation leaves pending credits of an ended webinar (R-QST-2). */
  questionnaire?: Pick<QuestionnaireProducer, 'requestDispatch'>;
  /** Told which members' credit records a derivation changed (R-POL-2: the balance ledger). */
  ledger?: Pick<LedgerProducer, 'requestLedger'>;
  /** SCORM courses are derived by the SCORM worker: a request for one is passed on to it. */
  scorm?: Pick<ScormProducer, 'requestCourseDerivation'>;
}

export async function startAttendanceWorker(deps: AttendanceWorkerDeps): Promise<RunningWorker> {
  const { db, config, log } = deps;
  if (config.DERIVE_PAUSE_MS > 0)
    log.warn({ pauseMs: config.DERIVE_PAUSE_MS }, 'DERIVE_PAUSE_MS is set: every derivation pauses before COMMIT (test fault injection)');
  const ctx = {
    db,
    log,
    now: deps.now,
    pauseBeforeCommitMs: config.DERIVE_PAUSE_MS,
    questionnaire: deps.questionnaire,
    ledger: deps.ledger,
    scorm: deps.scorm,
  };
  return startQueueWorker({
    queue: ATTENDANCE_QUEUE,
    connection: deps.connection,
    config,
    log,
    concurrency: config.WORKER_CONCURRENCY,
    process: (job) => processDerivationJob(ctx, DeriveJob.parse(job.data)),
    // At start, catch up on a longer window (the process may have been down a while).
    sweep: {
      queue: deps.producer.queue,
      run: (atStart) => queueStaleDerivations({ db, log, producer: deps.producer }, atStart ? 24 * 3600_000 : config.SWEEP_INTERVAL_MS * 3),
    },
  });
}
