/**
 * @module The questionnaire queue (R-QST-2, R-QST-8): dispatch an ended webinar's questionnaires, expire
 * one at its deadline (a delayed job), and the sweep that redoes both if Redis lost a job.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const QUESTIONNAIRE_QUEUE = 'questionnaire';

export const DispatchJob = z.object({ eventId: z.uuid() });
export const ExpireJob = z.object({ questionnaireId: z.uuid() });

export interface QuestionnaireProducer {
  readonly queue: Queue;
  /** Asks for the event's questionnaires to be sent to every qualifying member who has none. */
  requestDispatch(eventId: string): Promise<void>;
  /** Schedules the expiry of a questionnaire at its deadline; a second call for the same id is a no-op. */
  scheduleExpiry(items: ReadonlyArray<{ questionnaireId: string; deadline: Date }>, now: number): Promise<void>;
  close(): Promise<void>;
}

const RETRY = { attempts: 5, backoff: { type: 'exponential' as const, delay: 2000 } };

export function createQuestionnaireProducer(connection: Redis, prefix: string): QuestionnaireProducer {
  const queue = new Queue(QUESTIONNAIRE_QUEUE, { connection, prefix });
  queue.on('error', () => {});
  return {
    queue,
    async requestDispatch(eventId) {
      await queue.add(
        'dispatch',
        { eventId },
        { deduplication: { id: `dispatch-${eventId}`, keepLastIfActive: true }, removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 }, ...RETRY },
      );
    },
    async scheduleExpiry(items, now) {
      if (!items.length) return;
      await queue.addBulk(
        items.map((i) => ({
          name: 'expire',
          data: { questionnaireId: i.questionnaireId },
          // One millisecond past the deadline: the deadline itself is still in time (R-CAL-3).
          opts: {
            jobId: `expire-${i.questionnaireId}`,
            delay: Math.max(0, i.deadline.getTime() + 1 - now),
            removeOnComplete: true,
            removeOnFail: { count: 5000 },
            ...RETRY,
          },
        })),
      );
    },
    close: () => queue.close(),
  };
}
