/**
 * @module What changing an event's attendance reads and writes besides the evidence: which named
 * members are registered, closing the course (R-EVT-7), the tolerance and its history (R-ATT-2),
 * the members an uploaded file names and how many of its records are stored already (R-TPL-3).
 */
import type { Queryable } from './db.ts';

/** Of `memberIds`, those registered to the event. */
export async function registeredAmong(db: Queryable, eventId: string, memberIds: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ member_id: string }>('SELECT member_id FROM registrations WHERE event_id = $1 AND member_id = ANY($2::uuid[])', [
    eventId,
    memberIds,
  ]);
  return new Set(rows.map((r) => r.member_id));
}

/** Closes the course; false when it was closed already (concurrently). */
export async function closeEventRow(db: Queryable, eventId: string, closedAt: Date, closedBy: string): Promise<boolean> {
  const upd = await db.query('UPDATE events SET closed_at = $2, closed_by = $3, updated_at = $2 WHERE id = $1 AND closed_at IS NULL', [
    eventId,
    closedAt,
    closedBy,
  ]);
  return (upd.rowCount ?? 0) > 0;
}

/** Sets the tolerance and records the change with its reason and author (in the caller's transaction). */
export async function setTolerance(
  tx: Queryable,
  eventId: string,
  change: { oldMinutes: number; minutes: number; reason: string; changedBy: string },
): Promise<void> {
  await tx.query('UPDATE events SET tolerance_minutes = $2, updated_at = now() WHERE id = $1', [eventId, change.minutes]);
  await tx.query('INSERT INTO tolerance_changes (event_id, old_minutes, new_minutes, reason, changed_by) VALUES ($1, $2, $3, $4, $5)', [
    eventId,
    change.oldMinutes,
    change.minutes,
    change.reason,
    change.changedBy,
  ]);
}

/** Members named by an uploaded file, by codice fiscale, and whether each is registered to the event. */
export async function membersOfFile(
  db: Queryable,
  eventId: string,
  codiciFiscali: readonly string[],
): Promise<Map<string, { memberId: string; registered: boolean }>> {
  if (codiciFiscali.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; codice_fiscale: string; registered: boolean }>(
    `SELECT m.id, m.codice_fiscale,
            EXISTS (SELECT 1 FROM registrations r WHERE r.event_id = $1 AND r.member_id = m.id) AS registered
     FROM members m WHERE m.codice_fiscale IN (SELECT jsonb_array_elements_text($2::jsonb))`,
    [eventId, JSON.stringify(codiciFiscali)],
  );
  return new Map(rows.map((r) => [r.codice_fiscale, { memberId: r.id, registered: r.registered === true }]));
}

/** How many of the record ids are already stored under `source` (duplicates are per event, source and id). */
export async function storedRecordCount(db: Queryable, eventId: string, source: string, recordIds: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM tracking_records
     WHERE event_id = $1 AND source = $2 AND source_record_id IN (SELECT jsonb_array_elements_text($3::jsonb))`,
    [eventId, source, JSON.stringify(recordIds)],
  );
  return rows[0]?.n ?? 0;
}

/** A Zoom connection: its organiser and secret token. */
export async function zoomConnection(db: Queryable, connectionId: string): Promise<{ organiserId: string; secret: string } | null> {
  const { rows } = await db.query<{ organiser_id: string; secret: string }>(
    "SELECT organiser_id, secret FROM platform_connections WHERE id = $1 AND platform = 'zoom'",
    [connectionId],
  );
  const r = rows[0];
  return r ? { organiserId: r.organiser_id, secret: r.secret } : null;
}

/** The organiser's event held as this Zoom webinar, or null. */
export async function zoomEventId(db: Queryable, organiserId: string, webinarId: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM events WHERE organiser_id = $1 AND platform = 'zoom' AND platform_meeting_id = $2", [
    organiserId,
    webinarId,
  ]);
  return rows[0]?.id ?? null;
}
