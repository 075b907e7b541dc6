/**
 * @module Generic webinar ingest (R-ATT-1, issue 2 §6): a platform's (or organiser's) batch of
 * joins, leaves and meeting-end signals, kept as sent with the delivery, acknowledged only after
 * COMMIT, then the event's derivation is asked for.
 */
import { FUTURE_SKEW_MS, futureInstants } from '../../domain/evidence.ts';
import { countsTowardsCredits } from '../../domain/attendance-changes.ts';
import type { IngestResult, WebinarRecord } from '../../schemas/ingest.ts';
import { storeEvidence, type StoredRecord } from '../../store/evidence.ts';
import { eventClosedAt, eventOwner } from '../../store/events-lookup.ts';
import type { Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

export interface WebinarBatch {
  /** The records as sent (already validated by the caller's schema; stored unaltered, R-ATT-1). */
  records: WebinarRecord[];
  /** The request body, byte for byte. */
  body: Uint8Array;
  clientAddr: string | null;
  headers: Record<string, string>;
}

/**
 * Stores a batch for an event of the actor's organiser: instants more than `FUTURE_SKEW_MS` ahead
 * of the clock are refused (`instant-in-future`), an event of another organiser does not exist
 * (`event-not-found`), and without Redis nothing is stored (`service-unavailable`: nothing would
 * derive). A record already stored (same source and id) is a duplicate. Records received after
 * the course was closed are stored but do not count (R-EVT-7): the answer says so (`counted:
 * false`, `notice: 'event-closed'`), by the same rule the derivation applies.
 */
export async function ingestWebinarBatch(
  ctx: Pick<ServiceContext, 'db' | 'attendance' | 'redisReady' | 'now' | 'log'>,
  actor: Actor,
  eventId: string,
  batch: WebinarBatch,
): Promise<IngestResult> {
  const now = ctx.now();
  const bad = futureInstants(
    batch.records.map((r) => r.at),
    now,
  );
  if (bad.length) {
    throw new ServiceError('instant-in-future', `Instants more than ${FUTURE_SKEW_MS / 60_000} minutes ahead of the gateway clock`, {
      errors: bad.map((i) => ({ path: `records.${i}.at`, message: 'in the future' })),
    });
  }
  // The event must exist and belong to the key's organiser; otherwise 404, so ids do not leak.
  const owner = await eventOwner(ctx.db, eventId);
  if (!owner || owner !== actor.subject) throw new ServiceError('event-not-found');
  if (!ctx.redisReady()) throw new ServiceError('service-unavailable', 'The queue is unavailable');

  const result = await storeEvidence(
    ctx.db,
    eventId,
    { source: `api:${actor.subject}`, receivedAt: new Date(now), clientAddr: batch.clientAddr, headers: batch.headers, body: batch.body },
    batch.records.map((record): StoredRecord => ({ record })),
  );
  // After COMMIT: ask for a derivation. If Redis fails here the records are safe; 503 makes
  // the platform retry, the retry is acknowledged as duplicates and enqueues again.
  await ctx.attendance.requestDerivation(eventId, 'evidence').catch((err) => {
    ctx.log.warn({ err: String(err), eventId }, 'derivation request failed after commit');
    throw new ServiceError('service-unavailable', 'Stored, but the derivation could not be queued; retry the same request');
  });
  // Received at `now`: whether that is after the closing is what the derivation checks (R-EVT-7).
  const counted = countsTowardsCredits({ receivedAt: now, author: null }, await eventClosedAt(ctx.db, eventId));
  return { accepted: result.accepted, duplicates: result.duplicates, counted, ...(counted ? {} : { notice: 'event-closed' as const }) };
}
