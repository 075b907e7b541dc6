/**
 * @module Questionnaire worker (R-QST-2, R-QST-8): takes dispatch and expiry jobs and runs the
 * questionnaire sweep; the work itself is in `src/services/questionnaire/dispatch.ts`.
 */
import type { Redis } from 'ioredis';
import { DispatchJob, ExpireJob, QUESTIONNAIRE_QUEUE } from '../src/queue/questionnaire.ts';
import { dispatchQuestionnaires, expireQuestionnaire, sweepQuestionnaires, type QuestionnaireDispatchDeps } from '../src/services/questionnaire/dispatch.ts';
import { startQueueWorker, type RunningWorker } from './queue-worker.ts';

export { linkMailSent } from '../src/services/questionnaire/dispatch.ts';

export interface QuestionnaireWorkerDeps extends QuestionnaireDispatchDeps {
  connection: Redis;
}

export async function startQuestionnaireWorker(deps: QuestionnaireWorkerDeps): Promise<RunningWorker> {
  return startQueueWorker({
    queue: QUESTIONNAIRE_QUEUE,
    connection: deps.connection,
    config: deps.config,
    log: deps.log,
    concurrency: 2,
    async process(job) {
      switch (job.name) {
        case 'dispatch':
          return dispatchQuestionnaires(deps, DispatchJob.parse(job.data).eventId);
        case 'expire':
          return expireQuestionnaire(deps, ExpireJob.parse(job.data).questionnaireId);
        default:
          throw new Error(`unknown job ${job.name}`);
      }
    },
    // A restart must not lose an expiry or a dispatch (Redis may have lost its delayed jobs).
    sweep: { queue: deps.producer.queue, run: () => sweepQuestionnaires(deps) },
  });
}
