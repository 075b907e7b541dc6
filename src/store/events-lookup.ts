/** @module Hot-path event lookups (ingest): owner of an event, cached briefly. */
import type { Queryable } from './db.ts';

/** Unknown ids are remembered briefly only, so an event created a moment ago is found. */
const TTL_MS = 1_000;
const MAX = 50_000;
const cache = new WeakMap<Queryable, Map<string, { owner: string | null; at: number }>>();

/** The organiser id of an event, or null if there is none. Events never change owner. */
export async function eventOwner(db: Queryable, eventId: string): Promise<string | null> {
  let m = cache.get(db);
  if (!m) cache.set(db, (m = new Map()));
  const hit = m.get(eventId);
  if (hit && (hit.owner || Date.now() - hit.at < TTL_MS)) return hit.owner;
  const { rows } = await db.query<{ organiser_id: string }>('SELECT organiser_id FROM events WHERE id = $1', [eventId]);
  const owner = rows[0]?.organiser_id ?? null;
  if (m.size >= MAX) m.delete(m.keys().next().value!);
  m.set(eventId, { owner, at: Date.now() });
  return owner;
}
