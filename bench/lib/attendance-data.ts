/**
 * @module Data for the attendance workbook benchmarks (bench/export.ts, bench/xlsx.ts): a past
 * 3-hour webinar seeded straight into the tables (not through the API: the set-up is not what is
 * measured), and the same shape of rows generated in memory for timing a writer without a
 * database.
 *
 * Each participant: a registration (half by registrant id, half by e-mail), four records (join,
 * leave, rejoin, leave); 1 in 100 never joins; 100 guests match no registration.
 */
import crypto from 'node:crypto';
import type { AttendanceWorkbookInput, MemberOutcome, MemberPresence, UnmatchedParticipant } from '../../adapters/xlsx/attendance-workbook.ts';
import type { Db } from '../../src/store/db.ts';
import { codiceFiscale, romeAfternoon } from '../../test/support/fixtures.ts';

const MIN = 60_000;
const CHUNK = 5000;
const EVENT_MINUTES = 180;
export const GUESTS = 100;

export interface SeededMember {
  id: string;
  codice_fiscale: string;
  surname: string;
  given_name: string;
  province: string;
  register_number: string;
  email: string;
}

export interface SeededEvent {
  eventId: string;
  participants: number;
  records: number;
  /** Rows of sheet `Presenze` in the intervals layout: two per participant who joined. */
  expectedIntervalRows: number;
  /** Rows of sheet `Non abbinati`. */
  guests: number;
}

/** Member `i` of the benchmark register, as in the store and in the in-memory rows. */
function memberAt(i: number): Omit<SeededMember, 'id'> {
  return {
    codice_fiscale: codiceFiscale(i + 1),
    surname: `Cognome${String(i).padStart(5, '0')}`,
    given_name: `Nome${i}`,
    province: 'MI',
    register_number: String(10_000 + i),
    email: `member${i}@studio.example.it`,
  };
}

/** Presence of member `i` (epoch ms), as seeded: none for 1 in 100, else two intervals. */
function spansOf(i: number, start: number): Array<{ entry: number; exit: number }> {
  if (i % 100 === 99) return [];
  const end = start + EVENT_MINUTES * MIN;
  return [
    { entry: start + (i % 15) * MIN, exit: start + (85 + (i % 5)) * MIN },
    { entry: start + 95 * MIN, exit: end - (i % 20) * MIN },
  ];
}

/** The event's start: three days ago, 14:00 in Rome. */
export function benchEventStart(): number {
  return romeAfternoon(3);
}

/** Inserts `n` members of the register (Milan) and returns them, in file order. */
export async function seedMembers(db: Db, n: number): Promise<SeededMember[]> {
  const members = Array.from({ length: n }, (_, i) => ({ id: crypto.randomUUID(), ...memberAt(i) }));
  for (let i = 0; i < n; i += CHUNK) {
    await db.query(
      `INSERT INTO members (id, codice_fiscale, surname, given_name, province, register_number, birth_date, registration_date, email)
       SELECT x.id, x.codice_fiscale, x.surname, x.given_name, x.province, x.register_number, '1980-01-01', '2010-01-01', x.email
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, codice_fiscale text, surname text, given_name text, province text, register_number text, email text)`,
      [JSON.stringify(members.slice(i, i + CHUNK))],
    );
  }
  return members;
}

/**
 * Seeds one past, closed, approved 3-hour webinar (its own organiser) with `members` registered
 * and their tracking records, then runs ANALYZE. Several events may share the members: the
 * registrant ids, e-mails and records are per event.
 */
export async function seedEvent(db: Db, members: readonly SeededMember[], start = benchEventStart()): Promise<SeededEvent> {
  const n = members.length;
  const organiserId = crypto.randomUUID();
  await db.query(`INSERT INTO organisers (id, name, kind, province) VALUES ($1, 'CPO Milano', 'a', 'MI')`, [organiserId]);
  const end = start + EVENT_MINUTES * MIN;
  const eventId = crypto.randomUUID();
  const iso = (ms: number) => new Date(ms).toISOString();
  await db.query(
    `INSERT INTO events (id, organiser_id, cpo_province, title, mode, topics, start_at, end_at, credits, tolerance_minutes,
       accreditation_status, accreditation_requested_at, closed_at)
     VALUES ($1, $2, 'MI', 'Bench', 'webinar', $3::jsonb, $4, $5, 3, 30, 'approved', $4, $5)`,
    [eventId, organiserId, JSON.stringify([{ title: 'Lavoro', start: iso(start), end: iso(end), deontology: false }]), iso(start), iso(end)],
  );
  for (let i = 0; i < n; i += CHUNK) {
    await db.query(
      `INSERT INTO registrations (id, event_id, member_id, registrant_id, email)
       SELECT gen_random_uuid(), $1, x.id, x.registrant_id, x.email
       FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, registrant_id text, email text)`,
      [
        eventId,
        JSON.stringify(
          members.slice(i, i + CHUNK).map((m, k) => ((i + k) % 2 === 0 ? { id: m.id, registrant_id: `reg-${i + k}` } : { id: m.id, email: m.email })),
        ),
      ],
    );
  }
  const records: Array<Record<string, unknown>> = [];
  let expectedIntervalRows = 0;
  const add = (who: Record<string, string | undefined>, conn: string, join: number, leave: number) => {
    records.push({ source_record_id: `${conn}-j`, kind: 'join', occurred_at: iso(join), connection_id: conn, ...who });
    records.push({ source_record_id: `${conn}-l`, kind: 'leave', occurred_at: iso(leave), connection_id: conn, ...who });
  };
  members.forEach((m, i) => {
    const who = i % 2 === 0 ? { registrant_id: `reg-${i}` } : { email: m.email };
    spansOf(i, start).forEach((s, k) => {
      add(who, `c${i}${k === 0 ? 'a' : 'b'}`, s.entry, s.exit);
      expectedIntervalRows++;
    });
  });
  for (let g = 0; g < GUESTS; g++) add({ email: `guest${g}@other.example.com`, display_name: `Ospite ${g}` }, `g${g}`, start, end);
  for (let i = 0; i < records.length; i += CHUNK) {
    await db.query(
      `INSERT INTO tracking_records (event_id, source, source_record_id, kind, occurred_at, registrant_id, email, display_name,
         connection_id, raw, received_at)
       SELECT $1, 'api:bench', x.source_record_id, x.kind, x.occurred_at, x.registrant_id, x.email, x.display_name, x.connection_id, '{}'::jsonb, now()
       FROM jsonb_to_recordset($2::jsonb) AS x(source_record_id text, kind text, occurred_at timestamptz, registrant_id text, email text,
         display_name text, connection_id text)`,
      [eventId, JSON.stringify(records.slice(i, i + CHUNK))],
    );
  }
  // Fresh statistics, as autovacuum would have by the time anyone downloads the file.
  await db.query('ANALYZE');
  return { eventId, participants: n, records: records.length, expectedIntervalRows, guests: GUESTS };
}

/** `seedMembers` and `seedEvent` for one event of `n` participants. */
export async function seedAttendance(db: Db, n: number): Promise<SeededEvent> {
  return seedEvent(db, await seedMembers(db, n));
}

/**
 * The workbook input for `n` participants generated in memory, page by page (`pageSize` members
 * a page, as the store reads them), shaped like the seeded event after its derivation: the same
 * members, intervals and guests; outcomes computed the simple way (3 credits when the absence is
 * within the 30-minute tolerance). Nothing is held beyond the current page.
 */
export function memoryWorkbookInput(n: number, opts: { eventStart?: number; pageSize?: number } = {}): AttendanceWorkbookInput {
  const start = opts.eventStart ?? benchEventStart();
  const pageSize = opts.pageSize ?? 2500;
  async function* pages<T>(count: number, item: (i: number) => T): AsyncGenerator<T[]> {
    for (let p = 0; p < count; p += pageSize) yield Array.from({ length: Math.min(pageSize, count - p) }, (_, k) => item(p + k));
  }
  const identity = (i: number) => {
    const m = memberAt(i);
    return { surname: m.surname, givenName: m.given_name, codiceFiscale: m.codice_fiscale, registerNumber: m.register_number, province: m.province };
  };
  return {
    eventStart: start,
    layout: 'intervals',
    blank: false,
    presence: () => pages<MemberPresence>(n, (i) => ({ ...identity(i), spans: spansOf(i, start) })),
    outcomes: () =>
      pages<MemberOutcome>(n, (i) => {
        const covered = spansOf(i, start).reduce((sum, s) => sum + (s.exit - s.entry) / MIN, 0);
        const absent = EVENT_MINUTES - covered;
        const ok = absent <= 30;
        return {
          ...identity(i),
          outcome: {
            status: ok ? 'credited' : 'not-qualified',
            coveredMinutes: covered,
            absentMinutes: absent,
            toleranceMinutes: 30,
            credits: ok ? 3 : 0,
            reason: ok ? 'qualified' : 'absence-over-tolerance',
            rule: ok ? 'R-ATT-4' : 'R-ATT-5',
            pending: false,
          },
        };
      }),
    unmatched: () =>
      pages<UnmatchedParticipant>(GUESTS, (g) => ({
        participantKey: `email:guest${g}@other.example.com`,
        displayName: `Ospite ${g}`,
        status: 'unmatched',
        coveredMinutes: EVENT_MINUTES,
        reason: 'not-registered',
      })),
  };
}
