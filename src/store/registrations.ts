/** @module The `registrations` table: who is registered to an event, with the platform's registrant id and e-mail (R-ATT-7). */
import crypto from 'node:crypto';
import type { AcceptedRegistration, RegistrableMember, RegistrationIdentity } from '../domain/registrations.ts';
import type { Queryable } from './db.ts';
import { iso } from './row-values.ts';
import type { Registration } from '../schemas/registrations.ts';

/**
 * Locks the event row until COMMIT, so concurrent batches for one event serialise and the
 * uniqueness checks of a batch hold. Null when there is no such event.
 */
export async function lockEventForRegistrations(tx: Queryable, eventId: string): Promise<{ closedAt: Date | null } | null> {
  const ev = await tx.query<{ closed_at: Date | null }>('SELECT closed_at FROM events WHERE id = $1 FOR UPDATE', [eventId]);
  return ev.rows[0] ? { closedAt: ev.rows[0].closed_at } : null;
}

/** The members named by id or by codice fiscale. */
export async function membersByIdOrCodiceFiscale(db: Queryable, ids: readonly string[], codiciFiscali: readonly string[]): Promise<RegistrableMember[]> {
  const { rows } = await db.query<{ id: string; codice_fiscale: string; province: string }>(
    `SELECT id, codice_fiscale, province FROM members
     WHERE id IN (SELECT (jsonb_array_elements_text($1::jsonb))::uuid)
        OR codice_fiscale IN (SELECT jsonb_array_elements_text($2::jsonb))`,
    [JSON.stringify(ids), JSON.stringify(codiciFiscali)],
  );
  return rows.map((m) => ({ id: m.id, codiceFiscale: m.codice_fiscale, province: m.province }));
}

/** The registrant id and e-mail of every registration of the event. */
export async function registrationIdentities(db: Queryable, eventId: string): Promise<RegistrationIdentity[]> {
  const { rows } = await db.query<{ member_id: string; registrant_id: string | null; email: string | null }>(
    'SELECT member_id, registrant_id, email FROM registrations WHERE event_id = $1',
    [eventId],
  );
  return rows.map((r) => ({ memberId: r.member_id, registrantId: r.registrant_id, email: r.email }));
}

/** One registration per member and event: a repeat replaces the registrant id and e-mail. */
export async function upsertRegistrations(db: Queryable, eventId: string, accepted: readonly AcceptedRegistration[]): Promise<void> {
  await db.query(
    `INSERT INTO registrations (id, event_id, member_id, registrant_id, email)
     SELECT x.id, $1, x.member_id, x.registrant_id, x.email
     FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, member_id uuid, registrant_id text, email text)
     ON CONFLICT (event_id, member_id) DO UPDATE SET registrant_id = EXCLUDED.registrant_id, email = EXCLUDED.email`,
    [eventId, JSON.stringify(accepted.map((a) => ({ id: crypto.randomUUID(), member_id: a.memberId, registrant_id: a.registrantId, email: a.email })))],
  );
}

export async function listRegistrations(db: Queryable, eventId: string): Promise<Array<Omit<Registration, 'inAudience'>>> {
  const { rows } = await db.query<{
    member_id: string;
    codice_fiscale: string;
    surname: string;
    given_name: string;
    province: string;
    register_number: string;
    registrant_id: string | null;
    email: string | null;
    created_at: Date;
  }>(
    `SELECT r.member_id, m.codice_fiscale, m.surname, m.given_name, m.province, m.register_number, r.registrant_id, r.email, r.created_at
     FROM registrations r JOIN members m ON m.id = r.member_id
     WHERE r.event_id = $1 ORDER BY m.surname, m.given_name, m.codice_fiscale`,
    [eventId],
  );
  return rows.map((r) => ({
    memberId: r.member_id,
    codiceFiscale: r.codice_fiscale,
    surname: r.surname,
    givenName: r.given_name,
    province: r.province,
    registerNumber: r.register_number,
    registrantId: r.registrant_id,
    email: r.email,
    createdAt: iso(r.created_at),
  }));
}
