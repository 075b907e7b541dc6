/**
 * @module Reads what a derivation needs and writes what it derives (outcomes, credits, audit),
 * in one transaction per event under an advisory lock: derivations of one event never interleave,
 * and a killed worker leaves nothing half-written.
 */
import crypto from 'node:crypto';
import type { CreditRow, DerivationInput, DerivationInputs, OutcomeRow, QuestionnaireStatus } from '../domain/outcomes.ts';
import type { EvidenceRecord } from '../domain/participants.ts';
import type { Queryable } from './db.ts';
import { lockFor } from './locks.ts';

export type {
  CreditRow,
  DerivationInput,
  DerivationInputs,
  EventForDerivation,
  OutcomeRow,
  QuestionnaireStatus,
  RegisteredMember,
} from '../domain/outcomes.ts';

export const EVIDENCE_COLUMNS = `id, kind, (extract(epoch FROM occurred_at) * 1000)::float8 AS at, registrant_id, participant_user_id,
  email, connection_id, member_id, display_name, (extract(epoch FROM received_at) * 1000)::float8 AS received_at, author`;

export interface EvidenceRow {
  id: number;
  kind: EvidenceRecord['kind'];
  at: number;
  registrant_id: string | null;
  participant_user_id: string | null;
  email: string | null;
  connection_id: string | null;
  member_id: string | null;
  display_name: string | null;
  received_at: number;
  author: string | null;
}

export function toEvidenceRecord(r: EvidenceRow): EvidenceRecord {
  return {
    kind: r.kind,
    at: Math.round(Number(r.at)),
    registrantId: r.registrant_id,
    participantUserId: r.participant_user_id,
    email: r.email,
    connectionId: r.connection_id,
    memberId: r.member_id,
    displayName: r.display_name,
    receivedAt: Math.round(Number(r.received_at)),
    author: r.author,
  };
}

/** Takes the event's derivation lock for the rest of the transaction. */
export async function lockEvent(tx: Queryable, eventId: string) {
  await lockFor(tx, 'eventDerivation', eventId);
}

export async function loadDerivationInput(tx: Queryable, eventId: string): Promise<DerivationInput | null> {
  const ev = await tx.query<{
    id: string;
    kind: string;
    cpo_province: string;
    mode: string;
    start_at: Date;
    end_at: Date;
    credits: number;
    fractionable: boolean;
    fractions: Array<{ start: string; end: string; credits: number; autonomous?: boolean }> | null;
    tolerance_minutes: number;
    region_wide: boolean;
    structured_path: boolean;
    topics: Array<{ start: string; end: string; deontology?: boolean }>;
    accreditation_status: string;
    closed_at: Date | null;
  }>(
    `SELECT e.id, o.kind, e.cpo_province, e.mode, e.start_at, e.end_at, e.credits, e.fractionable, e.fractions,
            e.tolerance_minutes, e.region_wide, e.structured_path, e.topics, e.accreditation_status, e.closed_at
     FROM events e JOIN organisers o ON o.id = e.organiser_id WHERE e.id = $1`,
    [eventId],
  );
  const e = ev.rows[0];
  if (!e) return null;
  const regs = await tx.query<{ member_id: string; registrant_id: string | null; email: string | null; province: string }>(
    `SELECT r.member_id, r.registrant_id, r.email, m.province
     FROM registrations r JOIN members m ON m.id = r.member_id WHERE r.event_id = $1`,
    [eventId],
  );
  const recs = await tx.query<EvidenceRow & { source: string }>(`SELECT ${EVIDENCE_COLUMNS}, source FROM tracking_records WHERE event_id = $1`, [eventId]);
  let highWater = 0;
  let corrections = 0;
  const records: EvidenceRecord[] = recs.rows.map((r) => {
    if (r.id > highWater) highWater = r.id;
    if (r.source === 'correction') corrections++;
    return { ...toEvidenceRecord(r), source: r.source };
  });
  const qs = await tx.query<{ member_id: string; status: QuestionnaireStatus }>('SELECT member_id, status FROM questionnaires WHERE event_id = $1', [eventId]);
  const fractions =
    e.fractionable && e.fractions?.length
      ? e.fractions.map((f) => ({ start: Date.parse(f.start), end: Date.parse(f.end), credits: f.credits, autonomous: !!f.autonomous }))
      : null;
  return {
    event: {
      id: e.id,
      organiserKind: e.kind,
      cpoProvince: e.cpo_province,
      mode: e.mode,
      start: e.start_at.getTime(),
      end: e.end_at.getTime(),
      credits: e.credits,
      fractions,
      toleranceMinutes: e.tolerance_minutes,
      regionWide: e.region_wide,
      structuredPath: e.structured_path,
      topics: (e.topics ?? []).map((t) => ({ start: Date.parse(t.start), end: Date.parse(t.end), deontology: !!t.deontology })),
      accreditationStatus: e.accreditation_status,
      closedAt: e.closed_at ? e.closed_at.toISOString() : null,
    },
    registrations: regs.rows.map((r) => ({ memberId: r.member_id, registrantId: r.registrant_id, email: r.email, province: r.province })),
    records,
    recordCount: records.length,
    highWater,
    corrections,
    questionnaires: new Map(qs.rows.map((r) => [r.member_id, r.status])),
  };
}

export async function previousInputs(tx: Queryable, eventId: string): Promise<DerivationInputs | null> {
  const { rows } = await tx.query<{ inputs: DerivationInputs }>('SELECT inputs FROM derivations WHERE event_id = $1 ORDER BY id DESC LIMIT 1', [eventId]);
  return rows[0]?.inputs ?? null;
}

const CHUNK = 2000;

/**
 * What identifies an outcome's content: its figures and its explanation. A re-derivation
 * rewrites only the outcomes whose digest changed, so that closing a course, or a late record
 * about one person, costs a read of the event's outcomes rather than a rewrite of all of them.
 */
export function outcomeDigest(o: OutcomeRow): string {
  return crypto.hash('sha1', JSON.stringify([o.memberId, o.status, o.coveredMinutes, o.absentMinutes, o.toleranceMinutes, o.credits, o.explanation]), 'base64');
}

/** A credit record's key: (member, fraction, year) within the event; a structured path spanning two years has two (R-EVT-6). */
const creditKey = (memberId: string, fraction: number, year: number) => `${memberId}/${fraction}/${year}`;

/**
 * Replaces the event's outcomes and credit records with `outcomes`/`credits` and audits every
 * outcome that changed (old, new, why). Returns how many changed.
 *
 * Only what differs is written: outcomes whose digest changed (their `derived_at` is the
 * derivation that last changed them, as for credit records; when most changed, all are
 * replaced), credit records that are new, changed or gone. Everything runs under the event's lock (`lockEvent`), so the comparison with
 * the rows read here is exact.
 */
export async function saveDerivation(
  tx: Queryable,
  args: {
    eventId: string;
    outcomes: OutcomeRow[];
    credits: CreditRow[];
    cause: string;
    inputs: DerivationInputs;
    startedAt: Date;
  },
): Promise<{ derivationId: number; changed: number; creditChanges: Array<{ memberId: string; year: number }> }> {
  const { eventId, outcomes, credits, cause, inputs, startedAt } = args;
  const now = new Date();
  const old = await tx.query<{
    participant_key: string;
    member_id: string | null;
    status: string;
    covered_minutes: number;
    absent_minutes: number;
    tolerance_minutes: number;
    credits: number;
    digest: string | null;
  }>(
    'SELECT participant_key, member_id, status, covered_minutes, absent_minutes, tolerance_minutes, credits, digest FROM attendance_outcomes WHERE event_id = $1',
    [eventId],
  );
  const oldByKey = new Map(old.rows.map((r) => [r.participant_key, r]));
  const d = await tx.query<{ id: number }>(
    `INSERT INTO derivations (event_id, cause, inputs, evidence_high_water, participants, changed, started_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, 0, $6, $7) RETURNING id`,
    [eventId, cause, JSON.stringify(inputs), inputs.highWater, outcomes.length, startedAt, now],
  );
  const derivationId = d.rows[0]!.id;

  const audit: Array<Record<string, unknown>> = [];
  const summary = (o: { status: string; credits: number; covered: number; absent: number; tolerance: number }) => o;
  const newKeys = new Set<string>();
  const rewrite: Array<{ o: OutcomeRow; digest: string }> = [];
  const digests = new Map<OutcomeRow, string>();
  for (const o of outcomes) {
    newKeys.add(o.participantKey);
    const prev = oldByKey.get(o.participantKey);
    const digest = outcomeDigest(o);
    digests.set(o, digest);
    if (!prev || prev.digest !== digest) rewrite.push({ o, digest });
    const next = summary({ status: o.status, credits: o.credits, covered: o.coveredMinutes, absent: o.absentMinutes, tolerance: o.toleranceMinutes });
    const before = prev
      ? summary({ status: prev.status, credits: prev.credits, covered: prev.covered_minutes, absent: prev.absent_minutes, tolerance: prev.tolerance_minutes })
      : null;
    // An outcome changes when what the member gets changes; the tolerance in force is kept in
    // the entry for the record, but a tolerance change alone is in the derivation's inputs.
    if (!before || before.status !== next.status || before.credits !== next.credits || before.covered !== next.covered || before.absent !== next.absent) {
      audit.push({ participant_key: o.participantKey, member_id: o.memberId, old: before, new: next });
    }
  }
  const goneKeys: string[] = [];
  for (const [key, prev] of oldByKey) {
    if (!newKeys.has(key)) {
      goneKeys.push(key);
      audit.push({
        participant_key: key,
        member_id: prev.member_id,
        old: { status: prev.status, credits: prev.credits, covered: prev.covered_minutes, absent: prev.absent_minutes, tolerance: prev.tolerance_minutes },
        new: null,
      });
    }
  }

  // Most outcomes changed (a first derivation, a tolerance change): replacing them all is cheaper
  // than updating them one by one. Otherwise only the changed ones are upserted.
  const replaceAll = rewrite.length > 0 && rewrite.length >= outcomes.length / 2;
  if (replaceAll) {
    await tx.query('DELETE FROM attendance_outcomes WHERE event_id = $1', [eventId]);
    rewrite.length = 0;
    for (const o of outcomes) rewrite.push({ o, digest: digests.get(o)! });
  } else if (goneKeys.length) {
    await tx.query('DELETE FROM attendance_outcomes WHERE event_id = $1 AND participant_key IN (SELECT jsonb_array_elements_text($2::jsonb))', [
      eventId,
      JSON.stringify(goneKeys),
    ]);
  }
  for (let i = 0; i < rewrite.length; i += CHUNK) {
    const chunk = rewrite.slice(i, i + CHUNK).map(({ o, digest }) => ({
      participant_key: o.participantKey,
      member_id: o.memberId,
      status: o.status,
      covered_minutes: o.coveredMinutes,
      absent_minutes: o.absentMinutes,
      tolerance_minutes: o.toleranceMinutes,
      credits: o.credits,
      explanation: o.explanation,
      digest,
    }));
    await tx.query(
      `INSERT INTO attendance_outcomes (event_id, participant_key, member_id, status, covered_minutes, absent_minutes,
         tolerance_minutes, credits, explanation, digest, derived_at)
       SELECT $1, x.participant_key, x.member_id, x.status, x.covered_minutes, x.absent_minutes, x.tolerance_minutes,
              x.credits, x.explanation, x.digest, $2
       FROM jsonb_to_recordset($3::jsonb) AS x(participant_key text, member_id uuid, status text, covered_minutes int,
         absent_minutes int, tolerance_minutes int, credits int, explanation jsonb, digest text)${
           replaceAll
             ? ''
             : `
       ON CONFLICT (event_id, participant_key) DO UPDATE SET member_id = EXCLUDED.member_id, status = EXCLUDED.status,
         covered_minutes = EXCLUDED.covered_minutes, absent_minutes = EXCLUDED.absent_minutes,
         tolerance_minutes = EXCLUDED.tolerance_minutes, credits = EXCLUDED.credits, explanation = EXCLUDED.explanation,
         digest = EXCLUDED.digest, derived_at = EXCLUDED.derived_at`
         }`,
      [eventId, now, JSON.stringify(chunk)],
    );
  }

  // Credit records, keyed (member, event, fraction, year): new and changed ones are upserted, those
  // that no longer qualify are removed (the audit above says when and why), the rest untouched.
  const oldCredits = await tx.query<{
    member_id: string;
    fraction: number;
    credits: number;
    deontology_credits: number;
    mode: string;
    year: number;
    status: string;
  }>('SELECT member_id, fraction, credits, deontology_credits, mode, year, status FROM credit_records WHERE event_id = $1', [eventId]);
  const oldCredit = new Map(oldCredits.rows.map((c) => [creditKey(c.member_id, c.fraction, c.year), c]));
  const upserts: CreditRow[] = [];
  const kept = new Set<string>();
  for (const c of credits) {
    const k = creditKey(c.memberId, c.fraction, c.year);
    kept.add(k);
    const prev = oldCredit.get(k);
    if (!prev || prev.credits !== c.credits || prev.deontology_credits !== c.deontologyCredits || prev.mode !== c.mode || prev.status !== c.status) {
      upserts.push(c);
    }
  }
  const goneCredits = oldCredits.rows
    .filter((c) => !kept.has(creditKey(c.member_id, c.fraction, c.year)))
    .map((c) => ({ member_id: c.member_id, fraction: c.fraction, year: c.year }));
  if (goneCredits.length) {
    await tx.query(
      `DELETE FROM credit_records c USING jsonb_to_recordset($2::jsonb) AS x(member_id uuid, fraction int, year int)
       WHERE c.event_id = $1 AND c.member_id = x.member_id AND c.fraction = x.fraction AND c.year = x.year`,
      [eventId, JSON.stringify(goneCredits)],
    );
  }
  for (let i = 0; i < upserts.length; i += CHUNK) {
    const chunk = upserts.slice(i, i + CHUNK).map((c) => ({
      member_id: c.memberId,
      fraction: c.fraction,
      credits: c.credits,
      deontology_credits: c.deontologyCredits,
      mode: c.mode,
      year: c.year,
      status: c.status,
    }));
    await tx.query(
      `INSERT INTO credit_records (member_id, event_id, fraction, credits, deontology_credits, mode, year, status, derived_at)
       SELECT x.member_id, $1, x.fraction, x.credits, x.deontology_credits, x.mode, x.year, x.status, $2
       FROM jsonb_to_recordset($3::jsonb) AS x(member_id uuid, fraction int, credits int, deontology_credits int,
         mode text, year int, status text)
       ON CONFLICT (member_id, event_id, fraction, year) DO UPDATE SET credits = EXCLUDED.credits,
         deontology_credits = EXCLUDED.deontology_credits, mode = EXCLUDED.mode,
         status = EXCLUDED.status, derived_at = EXCLUDED.derived_at`,
      [eventId, now, JSON.stringify(chunk)],
    );
  }

  for (let i = 0; i < audit.length; i += CHUNK) {
    await tx.query(
      `INSERT INTO outcome_audit (event_id, participant_key, member_id, old, new, cause, derivation_id, at)
       SELECT $1, x.participant_key, x.member_id, x.old, x.new, $2, $3, $4
       FROM jsonb_to_recordset($5::jsonb) AS x(participant_key text, member_id uuid, old jsonb, new jsonb)`,
      [eventId, cause, derivationId, now, JSON.stringify(audit.slice(i, i + CHUNK))],
    );
  }
  if (audit.length) await tx.query('UPDATE derivations SET changed = $2 WHERE id = $1', [derivationId, audit.length]);
  // The credit records written or removed: their members' balances may have moved (R-POL-2 ledger).
  const creditChanges = [...upserts.map((c) => ({ memberId: c.memberId, year: c.year })), ...goneCredits.map((c) => ({ memberId: c.member_id, year: c.year }))];
  return { derivationId, changed: audit.length, creditChanges };
}

/**
 * Events whose evidence changed since their last derivation, among those that received records
 * in the last `windowMs`: the safety net for a crash between COMMIT and enqueue.
 */
export async function eventsNeedingDerivation(db: Queryable, windowMs: number): Promise<string[]> {
  const { rows } = await db.query<{ event_id: string }>(
    `WITH recent AS (SELECT DISTINCT event_id FROM tracking_records WHERE received_at > now() - ($1::bigint * interval '1 millisecond'))
     SELECT r.event_id FROM recent r
     WHERE (SELECT count(*) FROM tracking_records t WHERE t.event_id = r.event_id)
           IS DISTINCT FROM (SELECT (d.inputs->>'records')::bigint FROM derivations d WHERE d.event_id = r.event_id ORDER BY d.id DESC LIMIT 1)`,
    [windowMs],
  );
  return rows.map((r) => r.event_id);
}
