/**
 * @module Referrals to the discipline council (migration 015, issue 15): the preparations of a
 * province's list (append-only), the referrals with their state and the letter they state, and
 * each referral's history (append-only). Nothing here decides who is referred or which move is
 * allowed: `domain/referrals.ts` does.
 */
import type { ReferralLetter } from '../domain/referral-letter.ts';
import type { ReferralNote, ReferralState } from '../domain/referrals.ts';
import type { VerificationPhase, VerificationRow, VerificationStatus } from '../domain/verification.ts';
import type { Queryable } from './db.ts';
import { lockFor } from './locks.ts';
import { iso, json } from './row-values.ts';

/** A preparation of a list: the snapshot versions it rests on, when, by whom, what it did. */
export interface Preparation {
  province: string;
  biennium: number;
  februaryVersion: number;
  juneVersion: number | null;
  preparedAt: string;
  preparedBy: string;
  summary: PreparationSummary;
}

export interface PreparationSummary {
  created: number;
  refreshed: number;
  withdrawn: number;
  noted: number;
  noteCleared: number;
  held: { debtRecovery: number; debtRequest: number };
  referred: number;
}

/** A referral as stored, with the member's name as the register holds it now. */
export interface ReferralRecord {
  id: string;
  province: string;
  biennium: number;
  seq: number;
  number: string;
  memberId: string;
  member: { surname: string; givenName: string; codiceFiscale: string };
  state: ReferralState;
  phase: VerificationPhase;
  version: number;
  status: VerificationStatus;
  row: VerificationRow;
  letter: ReferralLetter;
  letterOn: string;
  preparedAt: string;
  preparedBy: string;
  sentOn: string | null;
  sentBy: string | null;
  protocolNumber: string | null;
  pecReference: string | null;
  answeredOn: string | null;
  answeredBy: string | null;
  replySummary: string | null;
  withdrawnAt: string | null;
  note: ReferralNote | null;
  updatedAt: string;
}

export type HistoryAction = 'prepared' | 'refreshed' | 'withdrawn' | 'sent' | 'answered' | 'noted' | 'note-cleared';

export interface HistoryEntry {
  seq: number;
  at: string;
  actor: string;
  action: HistoryAction;
  data: Record<string, unknown>;
}

interface Row {
  id: string;
  province: string;
  biennium: number;
  seq: number;
  number: string;
  member_id: string;
  surname: string;
  given_name: string;
  codice_fiscale: string;
  state: ReferralState;
  phase: VerificationPhase;
  snapshot_version: number;
  status: VerificationStatus;
  row: VerificationRow | string;
  letter: ReferralLetter | string;
  letter_on: string;
  prepared_at: Date | string;
  prepared_by: string;
  sent_on: string | null;
  sent_by: string | null;
  protocol_number: string | null;
  pec_reference: string | null;
  answered_on: string | null;
  answered_by: string | null;
  reply_summary: string | null;
  withdrawn_at: Date | string | null;
  note: ReferralNote | string | null;
  updated_at: Date | string;
}

const SELECT = `SELECT r.id, r.province, r.biennium, r.seq, r.number, r.member_id, m.surname, m.given_name, m.codice_fiscale, r.state, r.phase,
  r.snapshot_version, r.status, r.row, r.letter, r.letter_on::text AS letter_on, r.prepared_at, r.prepared_by, r.sent_on::text AS sent_on, r.sent_by,
  r.protocol_number, r.pec_reference, r.answered_on::text AS answered_on, r.answered_by, r.reply_summary, r.withdrawn_at, r.note, r.updated_at
  FROM discipline_referrals r JOIN members m ON m.id = r.member_id`;

function toRecord(r: Row): ReferralRecord {
  return {
    id: r.id,
    province: r.province,
    biennium: r.biennium,
    seq: r.seq,
    number: r.number,
    memberId: r.member_id,
    member: { surname: r.surname, givenName: r.given_name, codiceFiscale: r.codice_fiscale },
    state: r.state,
    phase: r.phase,
    version: r.snapshot_version,
    status: r.status,
    row: json(r.row),
    letter: json(r.letter),
    letterOn: r.letter_on,
    preparedAt: iso(r.prepared_at),
    preparedBy: r.prepared_by,
    sentOn: r.sent_on,
    sentBy: r.sent_by,
    protocolNumber: r.protocol_number,
    pecReference: r.pec_reference,
    answeredOn: r.answered_on,
    answeredBy: r.answered_by,
    replySummary: r.reply_summary,
    withdrawnAt: r.withdrawn_at === null ? null : iso(r.withdrawn_at),
    note: r.note === null ? null : json(r.note),
    updatedAt: iso(r.updated_at),
  };
}

/** Serialises preparations and moves of one province's list until COMMIT. */
export async function lockReferralList(tx: Queryable, province: string, biennium: number): Promise<void> {
  await lockFor(tx, 'referrals', `${province}:${biennium}`);
}

/** The latest preparation of a list (its current basis), or null. */
export async function latestPreparation(db: Queryable, province: string, biennium: number): Promise<Preparation | null> {
  const { rows } = await db.query<{
    province: string;
    biennium: number;
    february_version: number;
    june_version: number | null;
    prepared_at: Date | string;
    prepared_by: string;
    summary: PreparationSummary | string;
  }>(
    `SELECT province, biennium, february_version, june_version, prepared_at, prepared_by, summary FROM referral_preparations
     WHERE province = $1 AND biennium = $2 ORDER BY id DESC LIMIT 1`,
    [province, biennium],
  );
  const r = rows[0];
  return r
    ? {
        province: r.province,
        biennium: r.biennium,
        februaryVersion: r.february_version,
        juneVersion: r.june_version,
        preparedAt: iso(r.prepared_at),
        preparedBy: r.prepared_by,
        summary: json(r.summary),
      }
    : null;
}

export async function insertPreparation(tx: Queryable, p: Preparation): Promise<void> {
  await tx.query(
    `INSERT INTO referral_preparations (province, biennium, february_version, june_version, prepared_at, prepared_by, summary)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
    [p.province, p.biennium, p.februaryVersion, p.juneVersion, p.preparedAt, p.preparedBy, JSON.stringify(p.summary)],
  );
}

/** The referrals of a list that are not withdrawn, locked for the transaction (the caller holds the list's lock). */
export async function openReferrals(tx: Queryable, province: string, biennium: number): Promise<ReferralRecord[]> {
  const { rows } = await tx.query<Row>(`${SELECT} WHERE r.province = $1 AND r.biennium = $2 AND r.state <> 'withdrawn' ORDER BY r.seq FOR UPDATE OF r`, [
    province,
    biennium,
  ]);
  return rows.map(toRecord);
}

/** The next number of a list (numbers are never reused). */
export async function nextReferralSeq(tx: Queryable, province: string, biennium: number): Promise<number> {
  const { rows } = await tx.query<{ n: number | string }>(
    'SELECT coalesce(max(seq), 0) + 1 AS n FROM discipline_referrals WHERE province = $1 AND biennium = $2',
    [province, biennium],
  );
  return Number(rows[0]!.n);
}

/** The members a letter names, by id. */
export async function membersForLetters(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, { surname: string; givenName: string; codiceFiscale: string; registerNumber: string }>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; surname: string; given_name: string; codice_fiscale: string; register_number: string }>(
    'SELECT id, surname, given_name, codice_fiscale, register_number FROM members WHERE id = ANY($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { surname: r.surname, givenName: r.given_name, codiceFiscale: r.codice_fiscale, registerNumber: r.register_number }]));
}

export async function insertReferral(
  tx: Queryable,
  r: {
    id: string;
    province: string;
    biennium: number;
    seq: number;
    number: string;
    memberId: string;
    phase: VerificationPhase;
    version: number;
    row: VerificationRow;
    letter: ReferralLetter;
    letterOn: string;
    at: string;
    by: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO discipline_referrals (id, province, biennium, seq, number, member_id, state, phase, snapshot_version, status, row, letter, letter_on,
       prepared_at, prepared_by, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'prepared', $7, $8, $9, $10::jsonb, $11::jsonb, $12, $13, $14, $13)`,
    [
      r.id,
      r.province,
      r.biennium,
      r.seq,
      r.number,
      r.memberId,
      r.phase,
      r.version,
      r.row.status,
      JSON.stringify(r.row),
      JSON.stringify(r.letter),
      r.letterOn,
      r.at,
      r.by,
    ],
  );
}

/** A prepared referral restated on a newer row (R-VER-9). */
export async function refreshReferral(
  tx: Queryable,
  id: string,
  r: { phase: VerificationPhase; version: number; row: VerificationRow; letter: ReferralLetter; letterOn: string; at: string },
): Promise<void> {
  await tx.query(
    `UPDATE discipline_referrals SET phase = $2, snapshot_version = $3, status = $4, row = $5::jsonb, letter = $6::jsonb, letter_on = $7, updated_at = $8
     WHERE id = $1 AND state = 'prepared'`,
    [id, r.phase, r.version, r.row.status, JSON.stringify(r.row), JSON.stringify(r.letter), r.letterOn, r.at],
  );
}

export async function withdrawReferral(tx: Queryable, id: string, note: ReferralNote, at: string): Promise<void> {
  await tx.query(
    "UPDATE discipline_referrals SET state = 'withdrawn', withdrawn_at = $2, note = $3::jsonb, updated_at = $2 WHERE id = $1 AND state = 'prepared'",
    [id, at, JSON.stringify(note)],
  );
}

export async function setReferralNote(tx: Queryable, id: string, note: ReferralNote | null, at: string): Promise<void> {
  await tx.query('UPDATE discipline_referrals SET note = $2::jsonb, updated_at = $3 WHERE id = $1', [id, note === null ? null : JSON.stringify(note), at]);
}

export async function markReferralSent(
  tx: Queryable,
  id: string,
  s: { on: string; by: string; protocolNumber: string | null; pecReference: string | null; at: string },
): Promise<void> {
  await tx.query(
    `UPDATE discipline_referrals SET state = 'sent', sent_on = $2, sent_by = $3, protocol_number = $4, pec_reference = $5, updated_at = $6
     WHERE id = $1 AND state = 'prepared'`,
    [id, s.on, s.by, s.protocolNumber, s.pecReference, s.at],
  );
}

export async function markReferralAnswered(tx: Queryable, id: string, a: { on: string; by: string; summary: string; at: string }): Promise<void> {
  await tx.query(
    `UPDATE discipline_referrals SET state = 'answered', answered_on = $2, answered_by = $3, reply_summary = $4, updated_at = $5
     WHERE id = $1 AND state = 'sent'`,
    [id, a.on, a.by, a.summary, a.at],
  );
}

/** Appends a step to a referral's history (the caller holds the referral's row or the list's lock). */
export async function appendReferralHistory(
  tx: Queryable,
  referralId: string,
  e: { at: string; actor: string; action: HistoryAction; data: Record<string, unknown> },
): Promise<void> {
  await tx.query(
    `INSERT INTO referral_history (referral_id, seq, at, actor, action, data)
     SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5::jsonb FROM referral_history WHERE referral_id = $1`,
    [referralId, e.at, e.actor, e.action, JSON.stringify(e.data)],
  );
}

/** One referral (locked for the transaction when `lock`), or null. */
export async function referralById(db: Queryable, id: string, lock = false): Promise<ReferralRecord | null> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE r.id = $1${lock ? ' FOR UPDATE OF r' : ''}`, [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** A page of a list by number, after `after`, optionally of one state. */
export async function referralsPage(
  db: Queryable,
  q: { province: string; biennium: number; state: ReferralState | null; after: number | null; limit: number },
): Promise<ReferralRecord[]> {
  const { rows } = await db.query<Row>(
    `${SELECT} WHERE r.province = $1 AND r.biennium = $2 AND ($3::text IS NULL OR r.state = $3) AND ($4::int IS NULL OR r.seq > $4)
     ORDER BY r.seq LIMIT $5`,
    [q.province, q.biennium, q.state, q.after, q.limit],
  );
  return rows.map(toRecord);
}

/** How many referrals of a list are in each state. */
export async function referralCounts(db: Queryable, province: string, biennium: number): Promise<Record<ReferralState, number>> {
  const { rows } = await db.query<{ state: ReferralState; n: number | string }>(
    'SELECT state, count(*) AS n FROM discipline_referrals WHERE province = $1 AND biennium = $2 GROUP BY state',
    [province, biennium],
  );
  const out: Record<ReferralState, number> = { prepared: 0, sent: 0, answered: 0, withdrawn: 0 };
  for (const r of rows) out[r.state] = Number(r.n);
  return out;
}

/** A referral's history, oldest first. */
export async function referralHistory(db: Queryable, id: string): Promise<HistoryEntry[]> {
  const { rows } = await db.query<{ seq: number; at: Date | string; actor: string; action: HistoryAction; data: Record<string, unknown> | string }>(
    'SELECT seq, at, actor, action, data FROM referral_history WHERE referral_id = $1 ORDER BY seq',
    [id],
  );
  return rows.map((r) => ({ seq: r.seq, at: iso(r.at), actor: r.actor, action: r.action, data: json(r.data) }));
}

/** Of these members, those with a debt request of the biennium filed or accepted (R-DEBT-2), as the register holds it now. */
export async function membersWithDebtRequests(db: Queryable, ids: readonly string[], biennium: number): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.query<{ member_id: string }>(
    "SELECT DISTINCT member_id FROM debt_requests WHERE member_id = ANY($1::uuid[]) AND biennium = $2 AND status IN ('filed', 'accepted')",
    [ids, biennium],
  );
  return new Set(rows.map((r) => r.member_id));
}
