/**
 * @module The `events` table: events as stored, pages of them by start, accreditation decisions.
 * Stored JSON: `topics` = `[{title, start, end, deontology}]`, `fractions` = `[{start, end, credits,
 * autonomous?}]` (`autonomous` only on structured-path sessions, R-EVT-6), instants as UTC ISO
 * strings (read back by the derivation).
 */
import type { Queryable } from './db.ts';
import { iso, isoOrNull, json } from './row-values.ts';
import type { AccreditationStatus, Event } from '../schemas/events.ts';

/** An event as stored: the accreditation is the stored one, before silence is applied (R-EVT-3). */
export type StoredEvent = Omit<Event, 'accreditation'> & {
  accreditation: { status: AccreditationStatus; requestedAt: string; decidedAt: string | null; reference: string | null };
};

/** A new event, already validated and normalised (instants as UTC ISO strings). */
export type NewEvent = Omit<StoredEvent, 'createdAt' | 'closedAt'>;

/** Who sees which events. */
export type EventScope = { organiserId: string } | { cpoProvince: string } | { all: true };

const EVENT_COLUMNS = `id, organiser_id, title, cpo_province, mode, venue_province, speakers, topics, start_at, end_at, credits,
  fractionable, fractions, tolerance_minutes, region_wide, structured_path, platform, platform_meeting_id, accreditation_status,
  accreditation_requested_at, accreditation_decided_at, accreditation_reference, closed_at, created_at`;

interface EventDbRow {
  id: string;
  organiser_id: string;
  title: string;
  cpo_province: string;
  mode: Event['mode'];
  venue_province: string | null;
  speakers: string[];
  topics: Event['topics'];
  start_at: Date;
  end_at: Date;
  credits: number;
  fractionable: boolean;
  fractions: Event['fractions'];
  tolerance_minutes: number;
  region_wide: boolean;
  structured_path: boolean;
  platform: Exclude<Event['platform'], null>['name'] | null;
  platform_meeting_id: string | null;
  accreditation_status: AccreditationStatus;
  accreditation_requested_at: Date;
  accreditation_decided_at: Date | null;
  accreditation_reference: string | null;
  closed_at: Date | null;
  created_at: Date;
}

function toEvent(r: EventDbRow): StoredEvent {
  return {
    id: r.id,
    organiserId: r.organiser_id,
    title: r.title,
    cpoProvince: r.cpo_province,
    mode: r.mode,
    venueProvince: r.venue_province,
    speakers: json(r.speakers),
    topics: json(r.topics),
    start: iso(r.start_at),
    end: iso(r.end_at),
    credits: r.credits,
    fractionable: r.fractionable,
    fractions: r.fractions === null ? null : json(r.fractions),
    toleranceMinutes: r.tolerance_minutes,
    regionWide: r.region_wide,
    structuredPath: r.structured_path,
    platform: r.platform && r.platform_meeting_id ? { name: r.platform, meetingId: r.platform_meeting_id } : null,
    accreditation: {
      status: r.accreditation_status,
      requestedAt: iso(r.accreditation_requested_at),
      decidedAt: isoOrNull(r.accreditation_decided_at),
      reference: r.accreditation_reference,
    },
    closedAt: isoOrNull(r.closed_at),
    createdAt: iso(r.created_at),
  };
}

/**
 * Inserts an event; null when the organiser already has an event with this platform meeting id.
 * The conflict is an ON CONFLICT, not a caught error, so the caller's transaction stays usable.
 */
/** The organiser's own fields as query parameters, in the column order insert and update share (title … platform_meeting_id). */
function ownFieldParams(e: Omit<NewEvent, 'id' | 'organiserId' | 'cpoProvince' | 'accreditation'>): unknown[] {
  return [
    e.title,
    e.mode,
    e.venueProvince,
    JSON.stringify(e.speakers),
    JSON.stringify(e.topics),
    e.start,
    e.end,
    e.credits,
    e.fractionable,
    e.fractions === null ? null : JSON.stringify(e.fractions),
    e.toleranceMinutes,
    e.regionWide,
    e.platform?.name ?? null,
    e.platform?.meetingId ?? null,
  ];
}

export async function insertEvent(db: Queryable, e: NewEvent): Promise<StoredEvent | null> {
  const { rows } = await db.query<EventDbRow>(
    `INSERT INTO events (id, organiser_id, cpo_province, title, mode, venue_province, speakers, topics, start_at, end_at, credits,
       fractionable, fractions, tolerance_minutes, region_wide, platform, platform_meeting_id, accreditation_status,
       accreditation_requested_at, accreditation_decided_at, accreditation_reference, structured_path)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::timestamptz, $10::timestamptz, $11, $12, $13::jsonb, $14, $15, $16, $17, $18,
       $19::timestamptz, $20::timestamptz, $21, $22)
     ON CONFLICT (organiser_id, platform, platform_meeting_id) WHERE platform_meeting_id IS NOT NULL DO NOTHING
     RETURNING ${EVENT_COLUMNS}`,
    [
      e.id,
      e.organiserId,
      e.cpoProvince,
      ...ownFieldParams(e),
      e.accreditation.status,
      e.accreditation.requestedAt,
      e.accreditation.decidedAt,
      e.accreditation.reference,
      e.structuredPath,
    ],
  );
  return rows[0] ? toEvent(rows[0]) : null;
}

/**
 * Replaces an event's own fields (R-CHG-1): everything the organiser declared, never its
 * organiser, accrediting CPO or accreditation. Null when another event of the organiser uses
 * the platform meeting id.
 */
export async function updateEventFields(
  db: Queryable,
  id: string,
  e: Omit<NewEvent, 'id' | 'organiserId' | 'cpoProvince' | 'accreditation'>,
): Promise<StoredEvent | null> {
  const clash = e.platform
    ? await db.query(
        'SELECT 1 FROM events WHERE organiser_id = (SELECT organiser_id FROM events WHERE id = $1) AND platform = $2 AND platform_meeting_id = $3 AND id <> $1',
        [id, e.platform.name, e.platform.meetingId],
      )
    : { rowCount: 0 };
  if (clash.rowCount) return null;
  const { rows } = await db.query<EventDbRow>(
    `UPDATE events SET title = $2, mode = $3, venue_province = $4, speakers = $5::jsonb, topics = $6::jsonb, start_at = $7::timestamptz,
       end_at = $8::timestamptz, credits = $9, fractionable = $10, fractions = $11::jsonb, tolerance_minutes = $12, region_wide = $13,
       platform = $14, platform_meeting_id = $15, structured_path = $16
     WHERE id = $1 RETURNING ${EVENT_COLUMNS}`,
    [id, ...ownFieldParams(e), e.structuredPath],
  );
  return rows[0] ? toEvent(rows[0]) : null;
}

/** Events whose accreditation is still recorded as requested, oldest request first (a CPO's queue, R-EVT-3). */
export async function requestedEvents(db: Queryable, province: string | null, limit = 500): Promise<StoredEvent[]> {
  const { rows } = await db.query<EventDbRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE accreditation_status = 'requested' AND ($1::text IS NULL OR cpo_province = $1)
     ORDER BY accreditation_requested_at, id LIMIT $2`,
    [province, limit],
  );
  return rows.map(toEvent);
}

export async function getEvent(db: Queryable, id: string): Promise<StoredEvent | null> {
  const { rows } = await db.query<EventDbRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = $1`, [id]);
  return rows[0] ? toEvent(rows[0]) : null;
}

/** Several events at once, by id (those that exist). */
export async function getEvents(db: Queryable, ids: readonly string[]): Promise<Map<string, StoredEvent>> {
  if (!ids.length) return new Map();
  const { rows } = await db.query<EventDbRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ANY($1::uuid[])`, [ids]);
  return new Map(rows.map((r) => [r.id, toEvent(r)]));
}

/** Keyset pagination by (start, id); the cursor is opaque to clients. `null`: the cursor is not one of ours. */
export async function listEvents(
  db: Queryable,
  scope: EventScope,
  limit: number,
  after: string | null,
): Promise<{ items: StoredEvent[]; next: string | null } | null> {
  const params: unknown[] = [];
  const where: string[] = [];
  if ('organiserId' in scope) {
    params.push(scope.organiserId);
    where.push(`organiser_id = $${params.length}`);
  } else if ('cpoProvince' in scope) {
    params.push(scope.cpoProvince);
    where.push(`cpo_province = $${params.length}`);
  }
  const cursor = after ? decodeCursor(after) : null;
  if (after && !cursor) return null;
  if (cursor) {
    params.push(cursor.start, cursor.id);
    where.push(`(start_at, id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(limit + 1);
  const { rows } = await db.query<EventDbRow>(
    `SELECT ${EVENT_COLUMNS} FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY start_at, id LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, limit).map(toEvent);
  const last = page[page.length - 1];
  return { items: page, next: rows.length > limit && last ? encodeCursor(last.start, last.id) : null };
}

function encodeCursor(start: string, id: string): string {
  return Buffer.from(`${start}|${id}`, 'utf8').toString('base64url');
}

function decodeCursor(s: string): { start: string; id: string } | null {
  const [start, id, ...rest] = Buffer.from(s, 'base64url').toString('utf8').split('|');
  if (rest.length || !start || !id || !Number.isFinite(Date.parse(start)) || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  return { start, id };
}

/**
 * Records the CPO's decision on a requested accreditation, only if the stored status is still
 * `requested` (a concurrent decision loses). Returns the updated event, or null.
 */
export async function decideAccreditation(
  db: Queryable,
  id: string,
  d: { status: 'approved' | 'rejected'; reference: string; decidedAt: string },
): Promise<StoredEvent | null> {
  const { rows } = await db.query<EventDbRow>(
    `UPDATE events SET accreditation_status = $2, accreditation_reference = $3, accreditation_decided_at = $4::timestamptz, updated_at = now()
     WHERE id = $1 AND accreditation_status = 'requested'
     RETURNING ${EVENT_COLUMNS}`,
    [id, d.status, d.reference, d.decidedAt],
  );
  return rows[0] ? toEvent(rows[0]) : null;
}
