/** @module Loading what an actor may act on: anyone else is told it does not exist, so ids do not leak. */
import { canSeeEvent } from '../domain/roles.ts';
import type { Queryable } from '../store/db.ts';
import { eventAccessRow, type EventAccessRow } from '../store/events-lookup.ts';
import type { Actor } from './actor.ts';
import { ServiceError } from './errors.ts';

export type { EventAccessRow };

/** The event if `actor` may see it (owner organiser, accrediting CPO, CN, admin); otherwise `event-not-found`. */
export async function visibleEvent(db: Queryable, actor: Actor, eventId: string): Promise<EventAccessRow> {
  const e = await eventAccessRow(db, eventId);
  if (!e || !canSeeEvent(actor, e)) throw new ServiceError('event-not-found');
  return e;
}
