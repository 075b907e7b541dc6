/** @module The `organisers` and `platform_connections` tables: organisers (R-EVT-2) and the webinar platforms they connect. */
import crypto from 'node:crypto';
import type { Queryable } from './db.ts';
import { iso, textArray } from './row-values.ts';
import type { Organiser, OrganiserCreate } from '../schemas/organisers.ts';

const ORGANISER_COLUMNS = `id, kind, name, province, authorisation_number, authorised_from::text AS authorised_from,
  authorised_until::text AS authorised_until, allowed_modes, allowed_subjects, created_at`;

interface OrganiserDbRow {
  id: string;
  kind: Organiser['kind'];
  name: string;
  province: string | null;
  authorisation_number: string | null;
  authorised_from: string | null;
  authorised_until: string | null;
  allowed_modes: Organiser['allowedModes'] | string;
  allowed_subjects: string[] | string;
  created_at: Date;
}

function toOrganiser(r: OrganiserDbRow): Organiser {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    province: r.province,
    authorisationNumber: r.authorisation_number,
    authorisedFrom: r.authorised_from,
    authorisedUntil: r.authorised_until,
    allowedModes: textArray(r.allowed_modes) as Organiser['allowedModes'],
    allowedSubjects: textArray(r.allowed_subjects),
    createdAt: iso(r.created_at),
  };
}

export async function insertOrganiser(db: Queryable, input: OrganiserCreate): Promise<Organiser> {
  const e = input.kind === 'e' ? input : null;
  const { rows } = await db.query<OrganiserDbRow>(
    `INSERT INTO organisers (id, name, kind, province, authorisation_number, authorised_from, authorised_until, allowed_modes, allowed_subjects)
     SELECT $1, $2, $3, $4, $5, $6::date, $7::date,
            COALESCE(ARRAY(SELECT jsonb_array_elements_text($8::jsonb)), '{}'),
            COALESCE(ARRAY(SELECT jsonb_array_elements_text($9::jsonb)), '{}')
     RETURNING ${ORGANISER_COLUMNS}`,
    [
      crypto.randomUUID(),
      input.name,
      input.kind,
      input.kind === 'a' ? input.province : null,
      e?.authorisationNumber ?? null,
      e?.authorisedFrom ?? null,
      e?.authorisedUntil ?? null,
      JSON.stringify(e?.allowedModes ?? []),
      JSON.stringify(e?.allowedSubjects ?? []),
    ],
  );
  return toOrganiser(rows[0]!);
}

export async function getOrganiser(db: Queryable, id: string): Promise<Organiser | null> {
  const { rows } = await db.query<OrganiserDbRow>(`SELECT ${ORGANISER_COLUMNS} FROM organisers WHERE id = $1`, [id]);
  return rows[0] ? toOrganiser(rows[0]) : null;
}

/** Organisers by name (the console's choice lists), at most `limit`. */
export async function listOrganisers(db: Queryable, limit = 5000): Promise<Organiser[]> {
  const { rows } = await db.query<OrganiserDbRow>(`SELECT ${ORGANISER_COLUMNS} FROM organisers ORDER BY name, id LIMIT $1`, [limit]);
  return rows.map(toOrganiser);
}

/** Stores a platform connection; the secret is written, never read back here. */
export async function insertConnection(db: Queryable, c: { organiserId: string; platform: string; secret: string }): Promise<{ id: string }> {
  const id = crypto.randomUUID();
  await db.query('INSERT INTO platform_connections (id, organiser_id, platform, secret) VALUES ($1, $2, $3, $4)', [id, c.organiserId, c.platform, c.secret]);
  return { id };
}

/** An organiser's platform connections, newest first: never the secret. */
export async function listConnections(db: Queryable, organiserId: string): Promise<Array<{ id: string; platform: string; createdAt: string }>> {
  const { rows } = await db.query<{ id: string; platform: string; created_at: Date | string }>(
    'SELECT id, platform, created_at FROM platform_connections WHERE organiser_id = $1 ORDER BY created_at DESC, id',
    [organiserId],
  );
  return rows.map((r) => ({ id: r.id, platform: r.platform, createdAt: new Date(r.created_at).toISOString() }));
}

/** Events per organiser (all of them, not rejected), by organiser id. */
export async function eventCountsByOrganiser(db: Queryable): Promise<Map<string, number>> {
  const { rows } = await db.query<{ organiser_id: string; count: number }>(
    "SELECT organiser_id, count(*)::int AS count FROM events WHERE accreditation_status <> 'rejected' GROUP BY organiser_id",
  );
  return new Map(rows.map((r) => [r.organiser_id, r.count]));
}
