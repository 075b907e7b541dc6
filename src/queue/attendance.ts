/**
 * @module The attendance queue: job payload and the producer that asks for an event's derivation.
 *
 * Bursts coalesce (ARCHITECTURE principle 5): one job per event at a time, de-duplicated on the
 * event id with `keepLastIfActive`, so at most one job runs and one waits per event, and the
 * waiting one reads all evidence committed before it starts. Requests arriving in the same tick
 * share one Redis call.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const ATTENDANCE_QUEUE = 'attendance';

export const DeriveJob = z.object({ eventId: z.uuid(), reason: z.string().max(100) });
export type DeriveJob = z.infer<typeof DeriveJob>;

export interface AttendanceProducer {
  /** Resolves once Redis holds a job that will derive `eventId` after now. */
  requestDerivation(eventId: string, reason: string): Promise<void>;
  readonly queue: Queue;
  close(): Promise<void>;
}

/**
 * Reasons that are single acts rather than bursts (an organiser closing the course, the CPO
 * setting the tolerance or deciding the accreditation): derived at once, without the coalescing
 * delay, which would only make the person who acted wait. Questionnaire decisions are not among
 * them: hundreds of members finish within minutes of each other, and each would re-derive the
 * whole event (bench/RESULTS.md, questionnaire); coalesced, the credits turn granted within
 * DERIVE_DELAY_MS.
 */
export const UNDELAYED_REASONS: ReadonlySet<string> = new Set(['close', 'tolerance', 'accreditation']);

export function createAttendanceProducer(connection: Redis, prefix: string, delayMs: number): AttendanceProducer {
  const queue = new Queue(ATTENDANCE_QUEUE, { connection, prefix });
  // Errors surface on add(); the listener keeps an 'error' event from crashing the process.
  queue.on('error', () => {});
  const pending = new Map<string, { promise: Promise<void>; reason: string }>();
  const add = (eventId: string, reason: string) =>
    queue
      .add('derive', { eventId, reason } satisfies DeriveJob, {
        delay: UNDELAYED_REASONS.has(reason) ? 0 : delayMs,
        deduplication: { id: eventId, keepLastIfActive: true },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000 },
        attempts: 5,
        backoff: { type: 'exponential', delay: 2000 },
      })
      .then(() => undefined);
  return {
    queue,
    requestDerivation(eventId, reason) {
      const inFlight = pending.get(eventId);
      if (inFlight) {
        // One request per event and tick; an undelayed reason makes the shared request undelayed.
        if (UNDELAYED_REASONS.has(reason)) inFlight.reason = reason;
        return inFlight.promise;
      }
      // Deferred to the next macrotask so every commit awaiting it in this tick is covered.
      const entry = { promise: Promise.resolve(), reason };
      entry.promise = new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          pending.delete(eventId);
          add(eventId, entry.reason).then(resolve, reject);
        });
      });
      pending.set(eventId, entry);
      return entry.promise;
    },
    close: () => queue.close(),
  };
}
