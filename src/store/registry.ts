/**
 * @module Registry repository: organisers, platform connections, members (single and bulk),
 * events, accreditation decisions and webinar registrations. All registry SQL lives here.
 *
 * Portable SQL (Postgres and PGlite): bulk data goes in as one `jsonb` parameter read with
 * `jsonb_to_recordset` / `jsonb_array_elements_text`, never as driver-specific arrays. Dates come
 * out as `YYYY-MM-DD` text (`::text`), never as JS `Date`s at local midnight. Stored event JSON:
 * `topics` = `[{title, start, end, deontology}]`, `fractions` = `[{start, end, credits, autonomous?}]`
 * (`autonomous` only on structured-path sessions, R-EVT-6),
 * instants as UTC ISO strings (read back by the derivation).
 */
import crypto from 'node:crypto';
import type { Queryable, Db } from './db.ts';
import {
  MEMBER_IMPORT_MAX_ROWS,
  MemberCsvError,
  parseMemberCsv,
  validateMemberRecords,
  type MemberCell,
  type AccreditationStatus,
  type Event,
  type Member,
  type MemberCreate,
  type MemberCsvRow,
  type MemberImportResult,
  type Organiser,
  type OrganiserCreate,
  type Registration,
  type RowRejection,
} from '../schemas/registry.ts';

// ---------------------------------------------------------------------------------------------
// Types (derived from the API schemas, not written twice)
// ---------------------------------------------------------------------------------------------

/** An event as stored: the accreditation is the stored one, before silence is applied (R-EVT-3). */
export type StoredEvent = Omit<Event, 'accreditation'> & {
  accreditation: { status: AccreditationStatus; requestedAt: string; decidedAt: string | null; reference: string | null };
};

/** A new event, already validated and normalised (instants as UTC ISO strings). */
export type NewEvent = Omit<StoredEvent, 'createdAt' | 'closedAt'>;

export type ImportRow = MemberCsvRow;

/** Who sees which events. */
export type EventScope = { organiserId: string } | { cpoProvince: string } | { all: true };

export type RegistrationRow = {
  index: number;
  memberId?: string | undefined;
  codiceFiscale?: string | undefined;
  registrantId?: string | undefined;
  email?: string | undefined;
};

export type RegisterOutcome =
  | { kind: 'closed' }
  | { kind: 'not-found' }
  | {
      kind: 'done';
      registered: number;
      rejected: Array<{ index: number; code: string }>;
      /** Registered rows with the member's province, for the audience check (R-EVT-4). */
      accepted: Array<{ index: number; memberId: string; province: string }>;
    };

const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === UNIQUE_VIOLATION;
}

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));

// ---------------------------------------------------------------------------------------------
// Organisers and connections
// ---------------------------------------------------------------------------------------------

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

/** Stores a platform connection; the secret is written, never read back here. */
export async function insertConnection(db: Queryable, c: { organiserId: string; platform: string; secret: string }): Promise<{ id: string }> {
  const id = crypto.randomUUID();
  await db.query('INSERT INTO platform_connections (id, organiser_id, platform, secret) VALUES ($1, $2, $3, $4)', [id, c.organiserId, c.platform, c.secret]);
  return { id };
}

// ---------------------------------------------------------------------------------------------
// Members
// ---------------------------------------------------------------------------------------------

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

/**
 * Upserts members by codice fiscale in one transaction (the members table is locked against
 * concurrent writers meanwhile, so the checks below hold when the rows are written).
 * Rows are expected valid and de-duplicated by codice fiscale; rejected here: a register number
 * already held by someone else (`register-number-taken`) and, with `onlyProvince`, a member
 * currently registered in another province (`province-not-allowed`: transfers are the CN's).
 */
export async function importMembers(
  db: Db,
  rows: readonly ImportRow[],
  opts: { onlyProvince?: string | null } = {},
): Promise<{ created: number; updated: number; unchanged: number; rejected: RowRejection[] }> {
  return db.transaction(async (tx) => {
    await tx.query('LOCK TABLE members IN SHARE ROW EXCLUSIVE MODE');
    const existing = new Map<string, { province: string; registerNumber: string }>();
    for (let i = 0; i < rows.length; i += IMPORT_CHUNK) {
      const cfs = rows.slice(i, i + IMPORT_CHUNK).map((r) => r.codiceFiscale);
      const found = await tx.query<{ codice_fiscale: string; province: string; register_number: string }>(
        `SELECT codice_fiscale, province, register_number FROM members
         WHERE codice_fiscale IN (SELECT jsonb_array_elements_text($1::jsonb))`,
        [JSON.stringify(cfs)],
      );
      for (const r of found.rows) existing.set(r.codice_fiscale, { province: r.province, registerNumber: r.register_number });
    }
    // Holder (codice fiscale) of each (province, register number) the file or its members touch.
    const holder = new Map<string, string>();
    const pair = (province: string, n: string) => `${province}\u0000${n}`;
    for (const [cf, e] of existing) holder.set(pair(e.province, e.registerNumber), cf);
    for (let i = 0; i < rows.length; i += IMPORT_CHUNK) {
      const pairs = rows.slice(i, i + IMPORT_CHUNK).map((r) => ({ province: r.province, register_number: r.registerNumber }));
      const found = await tx.query<{ codice_fiscale: string; province: string; register_number: string }>(
        `SELECT m.codice_fiscale, m.province, m.register_number
         FROM members m JOIN jsonb_to_recordset($1::jsonb) AS x(province text, register_number text)
           ON m.province = x.province AND m.register_number = x.register_number`,
        [JSON.stringify(pairs)],
      );
      for (const r of found.rows) holder.set(pair(r.province, r.register_number), r.codice_fiscale);
    }

    const rejected: RowRejection[] = [];
    const accepted: ImportRow[] = [];
    for (const r of rows) {
      const old = existing.get(r.codiceFiscale);
      if (opts.onlyProvince && old && old.province !== opts.onlyProvince) {
        rejected.push({ row: r.row, code: 'province-not-allowed', message: 'the member is registered in another province' });
        continue;
      }
      const p = pair(r.province, r.registerNumber);
      const h = holder.get(p);
      if (h && h !== r.codiceFiscale) {
        rejected.push({ row: r.row, code: 'register-number-taken', message: 'another member holds this register number in this province' });
        continue;
      }
      if (old) holder.delete(pair(old.province, old.registerNumber));
      holder.set(p, r.codiceFiscale);
      accepted.push(r);
    }

    let created = 0;
    let updated = 0;
    for (let i = 0; i < accepted.length; i += IMPORT_CHUNK) {
      const chunk = accepted.slice(i, i + IMPORT_CHUNK);
      const { rows: written } = await tx.query<{ codice_fiscale: string }>(
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
      for (const w of written) {
        if (existing.has(w.codice_fiscale)) updated++;
        else created++;
      }
    }
    const unchanged = accepted.length - created - updated;
    return { created, updated, unchanged, rejected };
  });
}

/**
 * Imports a CSV register export (bytes or text): parsed and validated by `parseMemberCsv`, then
 * upserted by `importMembers`; rejected rows of both steps in line order. A file refused as a
 * whole throws `MemberCsvError`. With `onlyProvince` (a CPO) only that province's members.
 *
 * @example await importMembersCsv(db, fs.readFileSync('albo.csv'), null)
 */
export async function importMembersCsv(db: Db, file: Uint8Array | string, onlyProvince: string | null): Promise<MemberImportResult> {
  return upsertChecked(db, parseMemberCsv(file, onlyProvince), onlyProvince);
}

/**
 * Imports the rows of a register worksheet (.xlsx, read by `adapters/xlsx/read-workbook.ts`):
 * the first row is the header, the others are validated by `validateMemberRecords` and upserted
 * like a CSV; rejected rows carry their row number in the sheet. A file refused as a whole throws
 * `MemberCsvError`.
 *
 * @example await importMemberSheet(db, (await readWorkbook(bytes)).sheet.rows, null)
 */
export async function importMemberSheet(
  db: Db,
  rows: ReadonlyArray<{ row: number; cells: readonly MemberCell[] }>,
  onlyProvince: string | null,
  opts: { date1904?: boolean } = {},
): Promise<MemberImportResult> {
  const [header, ...data] = rows;
  if (!header) throw new MemberCsvError(422, 'missing-columns', 'The sheet has no header row');
  if (data.length > MEMBER_IMPORT_MAX_ROWS) throw new MemberCsvError(413, 'too-many-rows', `At most ${MEMBER_IMPORT_MAX_ROWS} rows per file`);
  const checked = validateMemberRecords(header.cells, data.map((r) => ({ line: r.row, fields: r.cells })), onlyProvince, opts);
  return upsertChecked(db, checked, onlyProvince);
}

async function upsertChecked(db: Db, parsed: { rows: ImportRow[]; rejected: RowRejection[] }, onlyProvince: string | null): Promise<MemberImportResult> {
  const stored = await importMembers(db, parsed.rows, { onlyProvince });
  const rejected = [...parsed.rejected, ...stored.rejected].sort((a, b) => a.row - b.row);
  return { created: stored.created, updated: stored.updated, unchanged: stored.unchanged, rejected };
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

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
      e.accreditation.status,
      e.accreditation.requestedAt,
      e.accreditation.decidedAt,
      e.accreditation.reference,
      e.structuredPath,
    ],
  );
  return rows[0] ? toEvent(rows[0]) : null;
}

export async function getEvent(db: Queryable, id: string): Promise<StoredEvent | null> {
  const { rows } = await db.query<EventDbRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = $1`, [id]);
  return rows[0] ? toEvent(rows[0]) : null;
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

// ---------------------------------------------------------------------------------------------
// Registrations (R-EVT-4, R-ATT-7)
// ---------------------------------------------------------------------------------------------

/**
 * Registers members to an event, idempotently: one registration per member and event; a repeat
 * updates the registrant id / e-mail it names and keeps those it omits. Runs with the event row
 * locked, so concurrent batches for one event serialise and the uniqueness checks hold.
 *
 * Rows rejected: unknown member (`member-not-found`), the same member twice in the batch
 * (`duplicate-in-batch`), a registrant id or e-mail already tied to another member of the event
 * (`registrant-id-taken`, `email-taken`; R-ATT-7 needs them unambiguous).
 */
export async function registerMembers(db: Db, eventId: string, rows: readonly RegistrationRow[]): Promise<RegisterOutcome> {
  return db.transaction(async (tx): Promise<RegisterOutcome> => {
    const ev = await tx.query<{ closed_at: Date | null }>('SELECT closed_at FROM events WHERE id = $1 FOR UPDATE', [eventId]);
    if (!ev.rows[0]) return { kind: 'not-found' };
    if (ev.rows[0].closed_at) return { kind: 'closed' };

    const ids = rows.flatMap((r) => (r.memberId ? [r.memberId] : []));
    const cfs = rows.flatMap((r) => (r.codiceFiscale ? [r.codiceFiscale] : []));
    const { rows: members } = await tx.query<{ id: string; codice_fiscale: string; province: string }>(
      `SELECT id, codice_fiscale, province FROM members
       WHERE id IN (SELECT (jsonb_array_elements_text($1::jsonb))::uuid)
          OR codice_fiscale IN (SELECT jsonb_array_elements_text($2::jsonb))`,
      [JSON.stringify(ids), JSON.stringify(cfs)],
    );
    const byId = new Map(members.map((m) => [m.id, m]));
    const byCf = new Map(members.map((m) => [m.codice_fiscale, m]));

    const { rows: current } = await tx.query<{ member_id: string; registrant_id: string | null; email: string | null }>(
      'SELECT member_id, registrant_id, email FROM registrations WHERE event_id = $1',
      [eventId],
    );
    const state = new Map(current.map((r) => [r.member_id, { registrantId: r.registrant_id, email: r.email }]));
    const ridOwner = new Map<string, string>();
    const emailOwner = new Map<string, string>();
    for (const [m, s] of state) {
      if (s.registrantId) ridOwner.set(s.registrantId, m);
      if (s.email) emailOwner.set(s.email, m);
    }

    const rejected: Array<{ index: number; code: string }> = [];
    const accepted: Array<{ index: number; memberId: string; province: string; registrantId: string | null; email: string | null }> = [];
    const seen = new Set<string>();
    for (const r of rows) {
      const m = r.memberId ? byId.get(r.memberId) : r.codiceFiscale ? byCf.get(r.codiceFiscale) : undefined;
      if (!m) {
        rejected.push({ index: r.index, code: 'member-not-found' });
        continue;
      }
      if (seen.has(m.id)) {
        rejected.push({ index: r.index, code: 'duplicate-in-batch' });
        continue;
      }
      const old = state.get(m.id);
      const registrantId = r.registrantId ?? old?.registrantId ?? null;
      const email = r.email ?? old?.email ?? null;
      const ridHolder = registrantId ? ridOwner.get(registrantId) : undefined;
      if (ridHolder && ridHolder !== m.id) {
        rejected.push({ index: r.index, code: 'registrant-id-taken' });
        continue;
      }
      const emailHolder = email ? emailOwner.get(email) : undefined;
      if (emailHolder && emailHolder !== m.id) {
        rejected.push({ index: r.index, code: 'email-taken' });
        continue;
      }
      seen.add(m.id);
      if (old?.registrantId) ridOwner.delete(old.registrantId);
      if (old?.email) emailOwner.delete(old.email);
      if (registrantId) ridOwner.set(registrantId, m.id);
      if (email) emailOwner.set(email, m.id);
      state.set(m.id, { registrantId, email });
      accepted.push({ index: r.index, memberId: m.id, province: m.province, registrantId, email });
    }

    if (accepted.length) {
      await tx.query(
        `INSERT INTO registrations (id, event_id, member_id, registrant_id, email)
         SELECT x.id, $1, x.member_id, x.registrant_id, x.email
         FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, member_id uuid, registrant_id text, email text)
         ON CONFLICT (event_id, member_id) DO UPDATE SET registrant_id = EXCLUDED.registrant_id, email = EXCLUDED.email`,
        [
          eventId,
          JSON.stringify(accepted.map((a) => ({ id: crypto.randomUUID(), member_id: a.memberId, registrant_id: a.registrantId, email: a.email }))),
        ],
      );
    }
    return {
      kind: 'done',
      registered: accepted.length,
      rejected,
      accepted: accepted.map(({ index, memberId, province }) => ({ index, memberId, province })),
    };
  });
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

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** jsonb comes back parsed from both drivers; a string is parsed defensively. */
function json<T>(v: T | string): T {
  return typeof v === 'string' ? (JSON.parse(v) as T) : v;
}

/** text[] comes back as a JS array from both drivers; the `{a,b}` literal form is parsed defensively. */
function textArray(v: readonly string[] | string): string[] {
  if (Array.isArray(v)) return [...v];
  const s = String(v);
  if (s === '{}' || s === '') return [];
  return s.replace(/^\{|\}$/g, '').split(',').map((x) => x.replace(/^"|"$/g, ''));
}
