/**
 * @module The `members` table: one member at a time, and the bulk reads and upserts of a register
 * import. Portable SQL: bulk data go in as one `jsonb` parameter (`jsonb_to_recordset`,
 * `jsonb_array_elements_text`), never as driver arrays; dates come out as `YYYY-MM-DD` text.
 */
import crypto from 'node:crypto';
import type { RegisterEntry } from '../domain/member-register.ts';
import type { Queryable } from './db.ts';
import { iso } from './row-values.ts';
import type { Member, MemberCreate } from '../schemas/members.ts';

const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === UNIQUE_VIOLATION;
}

const MEMBER_COLUMNS = `id, codice_fiscale, surname, given_name, province, register_number, birth_date::text AS birth_date,
  registration_date::text AS registration_date, email, created_at, updated_at`;

interface MemberDbRow {
  id: string;
  codice_fiscale: string;
  surname: string;
  given_name: string;
  province: string;
  register_number: string;
  birth_date: string;
  registration_date: string;
  email: string | null;
  created_at: Date;
  updated_at: Date;
}

function toMember(r: MemberDbRow): Member {
  return {
    id: r.id,
    codiceFiscale: r.codice_fiscale,
    surname: r.surname,
    givenName: r.given_name,
    province: r.province,
    registerNumber: r.register_number,
    birthDate: r.birth_date,
    registrationDate: r.registration_date,
    email: r.email,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

/** Inserts a member; a taken codice fiscale or register number is reported, not thrown. */
export async function insertMember(
  db: Queryable,
  m: MemberCreate,
): Promise<{ ok: true; member: Member } | { ok: false; conflict: 'member-exists' | 'register-number-taken' }> {
  try {
    const { rows } = await db.query<MemberDbRow>(
      `INSERT INTO members (id, codice_fiscale, surname, given_name, province, register_number, birth_date, registration_date, email)
       VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8::date, $9)
       ON CONFLICT (codice_fiscale) DO NOTHING
       RETURNING ${MEMBER_COLUMNS}`,
      [crypto.randomUUID(), m.codiceFiscale, m.surname, m.givenName, m.province, m.registerNumber, m.birthDate, m.registrationDate, m.email ?? null],
    );
    return rows[0] ? { ok: true, member: toMember(rows[0]) } : { ok: false, conflict: 'member-exists' };
  } catch (err) {
    // The only other unique constraint: (province, register_number).
    if (isUniqueViolation(err)) return { ok: false, conflict: 'register-number-taken' };
    throw err;
  }
}

export async function getMember(db: Queryable, id: string): Promise<Member | null> {
  const { rows } = await db.query<MemberDbRow>(`SELECT ${MEMBER_COLUMNS} FROM members WHERE id = $1`, [id]);
  return rows[0] ? toMember(rows[0]) : null;
}

export async function getMemberByCodiceFiscale(db: Queryable, codiceFiscale: string): Promise<Member | null> {
  const { rows } = await db.query<MemberDbRow>(`SELECT ${MEMBER_COLUMNS} FROM members WHERE codice_fiscale = $1`, [codiceFiscale]);
  return rows[0] ? toMember(rows[0]) : null;
}

const IMPORT_CHUNK = 2000;

/** Locks the members table against concurrent writers until COMMIT, so an import's checks still hold when it writes. */
export async function lockMembersForImport(tx: Queryable): Promise<void> {
  await tx.query('LOCK TABLE members IN SHARE ROW EXCLUSIVE MODE');
}

/** Province and register number of the stored members with these codici fiscali. */
export async function registerEntriesByCodiceFiscale(
  db: Queryable,
  codiciFiscali: readonly string[],
): Promise<Map<string, { province: string; registerNumber: string }>> {
  const existing = new Map<string, { province: string; registerNumber: string }>();
  for (let i = 0; i < codiciFiscali.length; i += IMPORT_CHUNK) {
    const cfs = codiciFiscali.slice(i, i + IMPORT_CHUNK);
    const found = await db.query<{ codice_fiscale: string; province: string; register_number: string }>(
      `SELECT codice_fiscale, province, register_number FROM members
       WHERE codice_fiscale IN (SELECT jsonb_array_elements_text($1::jsonb))`,
      [JSON.stringify(cfs)],
    );
    for (const r of found.rows) existing.set(r.codice_fiscale, { province: r.province, registerNumber: r.register_number });
  }
  return existing;
}

/** The stored members holding these (province, register number) pairs. */
export async function registerNumberHolders(db: Queryable, pairs: ReadonlyArray<{ province: string; registerNumber: string }>): Promise<RegisterEntry[]> {
  const holders: RegisterEntry[] = [];
  for (let i = 0; i < pairs.length; i += IMPORT_CHUNK) {
    const chunk = pairs.slice(i, i + IMPORT_CHUNK).map((r) => ({ province: r.province, register_number: r.registerNumber }));
    const found = await db.query<{ codice_fiscale: string; province: string; register_number: string }>(
      `SELECT m.codice_fiscale, m.province, m.register_number
       FROM members m JOIN jsonb_to_recordset($1::jsonb) AS x(province text, register_number text)
         ON m.province = x.province AND m.register_number = x.register_number`,
      [JSON.stringify(chunk)],
    );
    for (const r of found.rows) holders.push({ codiceFiscale: r.codice_fiscale, province: r.province, registerNumber: r.register_number });
  }
  return holders;
}

/**
 * Upserts members by codice fiscale; a member whose data are unchanged is not written. Returns
 * the codici fiscali written (inserted or changed).
 */
export async function upsertMembers(db: Queryable, members: readonly MemberCreate[]): Promise<string[]> {
  const written: string[] = [];
  for (let i = 0; i < members.length; i += IMPORT_CHUNK) {
    const chunk = members.slice(i, i + IMPORT_CHUNK);
    const { rows } = await db.query<{ codice_fiscale: string }>(
      `INSERT INTO members (id, codice_fiscale, surname, given_name, province, register_number, birth_date, registration_date, email)
       SELECT x.id, x.codice_fiscale, x.surname, x.given_name, x.province, x.register_number, x.birth_date, x.registration_date, x.email
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, codice_fiscale text, surname text, given_name text, province text,
         register_number text, birth_date date, registration_date date, email text)
       ON CONFLICT (codice_fiscale) DO UPDATE SET
         surname = EXCLUDED.surname, given_name = EXCLUDED.given_name, province = EXCLUDED.province,
         register_number = EXCLUDED.register_number, birth_date = EXCLUDED.birth_date,
         registration_date = EXCLUDED.registration_date, email = EXCLUDED.email, updated_at = now()
       WHERE (members.surname, members.given_name, members.province, members.register_number, members.birth_date,
              members.registration_date, members.email)
         IS DISTINCT FROM (EXCLUDED.surname, EXCLUDED.given_name, EXCLUDED.province, EXCLUDED.register_number,
              EXCLUDED.birth_date, EXCLUDED.registration_date, EXCLUDED.email)
       RETURNING codice_fiscale`,
      [
        JSON.stringify(
          chunk.map((r) => ({
            id: crypto.randomUUID(),
            codice_fiscale: r.codiceFiscale,
            surname: r.surname,
            given_name: r.givenName,
            province: r.province,
            register_number: r.registerNumber,
            birth_date: r.birthDate,
            registration_date: r.registrationDate,
            email: r.email ?? null,
          })),
        ),
      ],
    );
    for (const w of rows) written.push(w.codice_fiscale);
  }
  return written;
}
