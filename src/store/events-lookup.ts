/** @module Event lookups for access checks: the owner of an event (hot path of ingest, cached briefly), and the row access decisions read. */
import { LRUCache } from 'lru-cache';
import type { Queryable } from './db.ts';

/** Unknown ids are remembered briefly only, so an event created a moment ago is found. */
const TTL_MS = 1_000;
const cache = new WeakMap<Queryable, LRUCache<string, { owner: string | null }>>();

/** The organiser id of an event, or null if there is none. Events never change owner. */
export async function eventOwner(db: Queryable, eventId: string): Promise<string | null> {
  let m = cache.get(db);
  if (!m) cache.set(db, (m = new LRUCache({ max: 50_000 })));
  const hit = m.get(eventId);
  if (hit) return hit.owner;
  const { rows } = await db.query<{ organiser_id: string }>('SELECT organiser_id FROM events WHERE id = $1', [eventId]);
  const owner = rows[0]?.organiser_id ?? null;
  m.set(eventId, { owner }, owner ? {} : { ttl: TTL_MS });
  return owner;
}

/** What deciding access to an event and its attendance changes needs. */
export interface EventAccessRow {
  id: string;
  organiser_id: string;
  cpo_province: string;
  start_at: Date;
  end_at: Date;
  tolerance_minutes: number;
  closed_at: Date | null;
}

export async function eventAccessRow(db: Queryable, eventId: string): Promise<EventAccessRow | null> {
  const { rows } = await db.query<EventAccessRow>(
    'SELECT id, organiser_id, cpo_province, start_at, end_at, tolerance_minutes, closed_at FROM events WHERE id = $1',
    [eventId],
  );
  return rows[0] ?? null;
}

/** When the event's course was closed (R-EVT-7), or null: read fresh (it changes), not cached. */
export async function eventClosedAt(db: Queryable, eventId: string): Promise<Date | null> {
  const { rows } = await db.query<{ closed_at: Date | null }>('SELECT closed_at FROM events WHERE id = $1', [eventId]);
  return rows[0]?.closed_at ?? null;
}
