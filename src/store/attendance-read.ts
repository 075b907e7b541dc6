/**
 * @module Reading what derivations stored: a page of an event's outcomes with the status summary
 * and the last derivation (R-ATT-9), its audit trail (R-POL-2), a member's credit records.
 */
import type { OutcomeRow } from '../domain/outcomes.ts';
import type { Queryable } from './db.ts';

/** An outcome as a derivation stored it (`domain/outcomes.ts`), with when. */
export interface StoredOutcome extends OutcomeRow {
  derivedAt: string;
}

/** A page of outcomes by participant key (`limit + 1` read: `more` says whether another page follows). */
export async function outcomeRows(
  db: Queryable,
  eventId: string,
  statuses: string[] | null,
  limit: number,
  after: string | null,
  memberId: string | null = null,
): Promise<{ rows: StoredOutcome[]; more: boolean }> {
  const { rows } = await db.query<{
    participant_key: string;
    member_id: string | null;
    status: string;
    covered_minutes: number;
    absent_minutes: number;
    tolerance_minutes: number;
    credits: number;
    explanation: Record<string, unknown>;
    derived_at: Date;
  }>(
    `SELECT participant_key, member_id, status, covered_minutes, absent_minutes, tolerance_minutes, credits, explanation, derived_at
     FROM attendance_outcomes
     WHERE event_id = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[])) AND ($3::text IS NULL OR participant_key > $3)
       AND ($5::uuid IS NULL OR member_id = $5)
     ORDER BY participant_key LIMIT $4`,
    [eventId, statuses, after, limit + 1, memberId],
  );
  return {
    more: rows.length > limit,
    rows: rows.slice(0, limit).map((r) => ({
      participantKey: r.participant_key,
      memberId: r.member_id,
      status: r.status,
      coveredMinutes: r.covered_minutes,
      absentMinutes: r.absent_minutes,
      toleranceMinutes: r.tolerance_minutes,
      credits: r.credits,
      explanation: r.explanation,
      derivedAt: r.derived_at.toISOString(),
    })),
  };
}

/** How many outcomes of the event have each status. */
export async function outcomeSummary(db: Queryable, eventId: string): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM attendance_outcomes WHERE event_id = $1 GROUP BY status',
    [eventId],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** The event's last derivation, or null before the first. */
export async function lastDerivation(
  db: Queryable,
  eventId: string,
): Promise<{ id: number; cause: string; finishedAt: string; participants: number; changed: number } | null> {
  const { rows } = await db.query<{ id: number; cause: string; finished_at: Date; participants: number; changed: number }>(
    'SELECT id, cause, finished_at, participants, changed FROM derivations WHERE event_id = $1 ORDER BY id DESC LIMIT 1',
    [eventId],
  );
  const d = rows[0];
  return d ? { id: d.id, cause: d.cause, finishedAt: d.finished_at.toISOString(), participants: d.participants, changed: d.changed } : null;
}

/** The audit entries of an event after id `after`, in order. */
export async function auditEntries(db: Queryable, eventId: string, after: number, limit: number) {
  const { rows } = await db.query<{
    id: number;
    participant_key: string;
    member_id: string | null;
    old: any;
    new: any;
    cause: string;
    derivation_id: number;
    at: Date;
  }>('SELECT id, participant_key, member_id, old, new, cause, derivation_id, at FROM outcome_audit WHERE event_id = $1 AND id > $2 ORDER BY id LIMIT $3', [
    eventId,
    after,
    limit,
  ]);
  return rows.map((r) => ({
    id: r.id,
    participantKey: r.participant_key,
    memberId: r.member_id,
    old: r.old,
    new: r.new,
    cause: r.cause,
    derivationId: r.derivation_id,
    at: r.at.toISOString(),
  }));
}

/** The province of a member, or null if there is none. */
export async function memberProvince(db: Queryable, memberId: string): Promise<string | null> {
  const { rows } = await db.query<{ province: string }>('SELECT province FROM members WHERE id = $1', [memberId]);
  return rows[0]?.province ?? null;
}

/** A member's credit records (of one year, or all), by event start, fraction and year. */
export async function memberCreditRecords(db: Queryable, memberId: string, year: number | null) {
  const { rows } = await db.query<{
    event_id: string;
    title: string;
    fraction: number;
    credits: number;
    deontology_credits: number;
    mode: string;
    year: number;
    status: 'granted' | 'pending' | 'not-granted';
    derived_at: Date;
  }>(
    `SELECT c.event_id, e.title, c.fraction, c.credits, c.deontology_credits, c.mode, c.year, c.status, c.derived_at
     FROM credit_records c JOIN events e ON e.id = c.event_id
     WHERE c.member_id = $1 AND ($2::int IS NULL OR c.year = $2) ORDER BY e.start_at, c.fraction, c.year`,
    [memberId, year],
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    eventTitle: r.title,
    fraction: r.fraction,
    credits: r.credits,
    deontologyCredits: r.deontology_credits,
    mode: r.mode,
    year: r.year,
    status: r.status,
    derivedAt: r.derived_at.toISOString(),
  }));
}

/** A member's attendance outcome that earned no credit (R-ATT-3, R-ATT-6, R-ATT-8, R-EVT-3), with its event. */
export interface UncreditedAttendanceRow {
  event_id: string;
  title: string;
  mode: string;
  start_at: Date;
  status: string;
  covered_minutes: number;
  absent_minutes: number;
  tolerance_minutes: number;
  reason: string | null;
}

/**
 * The events a member attended (some minutes present) without earning credit: not qualified
 * (absence over the tolerance), incomplete, outside the audience, not accredited. Credited
 * outcomes are credit records and are read as such; participants not matched to the member are
 * not the member's.
 */
export async function uncreditedAttendance(db: Queryable, memberId: string): Promise<UncreditedAttendanceRow[]> {
  const { rows } = await db.query<UncreditedAttendanceRow>(
    `SELECT o.event_id, e.title, e.mode, e.start_at, o.status, o.covered_minutes, o.absent_minutes, o.tolerance_minutes,
            o.explanation->>'reason' AS reason
     FROM attendance_outcomes o JOIN events e ON e.id = o.event_id
     WHERE o.member_id = $1 AND o.participant_key = 'member:' || $1::text
       AND o.status IN ('not-qualified', 'incomplete', 'out-of-audience', 'not-accredited') AND o.covered_minutes > 0
     ORDER BY e.start_at, o.event_id`,
    [memberId],
  );
  return rows;
}

/** A correction as the console lists it (R-ATT-6): the member, what was supplied, by whom and why. */
export interface StoredCorrection {
  id: number;
  memberId: string | null;
  surname: string | null;
  givenName: string | null;
  type: string;
  at: string;
  author: string | null;
  reason: string | null;
  receivedAt: string;
}

/** The event's corrections, newest first, at most `limit`; and how many there are in all. */
export async function correctionRows(db: Queryable, eventId: string, limit: number): Promise<{ rows: StoredCorrection[]; total: number }> {
  const { rows } = await db.query<{
    id: number;
    member_id: string | null;
    surname: string | null;
    given_name: string | null;
    kind: string;
    occurred_at: Date;
    author: string | null;
    reason: string | null;
    received_at: Date;
  }>(
    `SELECT tr.id, tr.member_id, m.surname, m.given_name, tr.kind, tr.occurred_at, tr.author, tr.reason, tr.received_at
     FROM tracking_records tr LEFT JOIN members m ON m.id = tr.member_id
     WHERE tr.event_id = $1 AND tr.source = 'correction' ORDER BY tr.id DESC LIMIT $2`,
    [eventId, limit],
  );
  const count = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM tracking_records WHERE event_id = $1 AND source = 'correction'", [eventId]);
  return {
    total: count.rows[0]?.n ?? 0,
    rows: rows.map((r) => ({
      id: Number(r.id),
      memberId: r.member_id,
      surname: r.surname,
      givenName: r.given_name,
      type: r.kind,
      at: new Date(r.occurred_at).toISOString(),
      author: r.author,
      reason: r.reason,
      receivedAt: new Date(r.received_at).toISOString(),
    })),
  };
}

/** Names of the members among `memberIds` that have an outcome in the event (never anyone else's). */
export async function outcomeMemberNames(
  db: Queryable,
  eventId: string,
  memberIds: readonly string[],
): Promise<Array<{ memberId: string; surname: string; givenName: string; codiceFiscale: string }>> {
  if (!memberIds.length) return [];
  const { rows } = await db.query<{ id: string; surname: string; given_name: string; codice_fiscale: string }>(
    `SELECT m.id, m.surname, m.given_name, m.codice_fiscale FROM members m
     WHERE m.id = ANY($2::uuid[]) AND EXISTS (SELECT 1 FROM attendance_outcomes o WHERE o.event_id = $1 AND o.member_id = m.id)`,
    [eventId, memberIds],
  );
  return rows.map((r) => ({ memberId: r.id, surname: r.surname, givenName: r.given_name, codiceFiscale: r.codice_fiscale }));
}
