/**
 * @module What the attendance workbook is made of (R-TPL-1, R-TPL-2), read page by page so that a
 * 10,000-participant event never sits in memory whole (issue 3, "Scale").
 *
 * Members are paged with keyset pagination on (surname, given name, codice fiscale): the order of
 * the file, unique because the codice fiscale is. For each page only that page's evidence is read:
 * the tracking records reachable from the page's members through the identifiers that
 * `groupParticipants` joins (member id, registrant id, e-mail, platform user id) and the
 * registrations that touch them, followed to a fixed point. That set is a union of whole
 * participants, so grouping it gives exactly what the derivation over the whole event gives
 * (including identity conflicts, R-ATT-7), and the presence intervals come from the same domain
 * functions the derivation uses (`pairIntervals`, `assessAttendance`: open joins closed by the
 * meeting end, clipped to the event, overlaps from two devices or reconnects merged, R-ATT-3, R-ATT-6).
 *
 * Outcomes (sheet `Esito`) are read from `attendance_outcomes` as derived; unmatched participants
 * (sheet `Non abbinati`) are paged on the participant key.
 */
import { assessAttendance } from '../domain/attendance.ts';
import { countsTowardsCredits } from '../domain/attendance-changes.ts';
import { groupParticipants, pairIntervals, type EvidenceRecord, type Registration } from '../domain/participants.ts';
import type { MemberIdentity, OutcomeSummary, PresenceSpan, UnmatchedParticipant } from '../domain/attendance-rows.ts';
import { EVIDENCE_COLUMNS, toEvidenceRecord, type EvidenceRow } from './attendance.ts';
import type { Queryable } from './db.ts';

/**
 * Members per page: bounds what is held at once (a page's members, their records, their rows:
 * a few MB at 2,500). Each page of presence costs one pass over the event's tracking records
 * (there is no index by identifier on the evidence table, and adding four would slow ingest), so
 * pages are not made smaller than this: on PGlite, 1,000 took 1.8 s of queries for 10,000
 * members against 1.1 s at 2,500.
 */
export const EXPORT_PAGE_SIZE = 2500;

export interface ExportEvent {
  id: string;
  title: string;
  start: number;
  end: number;
  /** Latest meeting-end signal that counts (R-ATT-6, R-EVT-7), or null. */
  meetingEnd: number | null;
  /** When the course was closed (R-EVT-7: platform evidence received later does not count), or null. */
  closedAt: number | null;
}

/** A member row of the export: the register's identity and the member's id. */
export type ExportMember = MemberIdentity & { memberId: string };
export type ExportPresence = ExportMember & { spans: PresenceSpan[]; minutes: { present: number; absent: number } | null };
export type ExportOutcome = ExportMember & { outcome: OutcomeSummary | null };
export type ExportUnmatched = UnmatchedParticipant;

export async function loadExportEvent(db: Queryable, eventId: string): Promise<ExportEvent | null> {
  const { rows } = await db.query<{ id: string; title: string; start_at: Date; end_at: Date; closed_at: Date | null }>(
    'SELECT e.id, e.title, e.start_at, e.end_at, e.closed_at FROM events e WHERE e.id = $1',
    [eventId],
  );
  const e = rows[0];
  if (!e) return null;
  const closedAt = e.closed_at ? e.closed_at.getTime() : null;
  // The meeting-end signals, as the derivation reads them: those that count (R-EVT-7), the latest.
  const ends = await db.query<EvidenceRow>(`SELECT ${EVIDENCE_COLUMNS} FROM tracking_records WHERE event_id = $1 AND kind = 'meeting-end'`, [eventId]);
  const counted = ends.rows.map(toEvidenceRecord).filter((r) => countsTowardsCredits(r, closedAt));
  return {
    id: e.id,
    title: e.title,
    start: e.start_at.getTime(),
    end: e.end_at.getTime(),
    meetingEnd: counted.length ? Math.max(...counted.map((r) => r.at)) : null,
    closedAt,
  };
}

interface MemberRow {
  member_id: string;
  surname: string;
  given_name: string;
  codice_fiscale: string;
  register_number: string;
  province: string;
  registrant_id: string | null;
  email: string | null;
}

type Cursor = { surname: string; givenName: string; codiceFiscale: string } | null;

/** One page of registered members after `after`, in the order of the file. */
async function memberPage(db: Queryable, eventId: string, after: Cursor, limit: number): Promise<MemberRow[]> {
  const { rows } = await db.query<MemberRow>(
    `SELECT m.id AS member_id, m.surname, m.given_name, m.codice_fiscale, m.register_number, m.province,
            r.registrant_id, r.email
     FROM registrations r JOIN members m ON m.id = r.member_id
     WHERE r.event_id = $1
       AND ($2::boolean OR (m.surname, m.given_name, m.codice_fiscale) > ($3::text, $4::text, $5::text))
     ORDER BY m.surname, m.given_name, m.codice_fiscale
     LIMIT $6`,
    [eventId, after === null, after?.surname ?? '', after?.givenName ?? '', after?.codiceFiscale ?? '', limit],
  );
  return rows;
}

/**
 * Pages of registered members, each read when the previous one has been consumed. Keyset
 * pagination: each page starts after the last (surname, given name, codice fiscale) of the one
 * before, so no page depends on an offset and none is read twice; and no transaction stays open
 * while a slow client downloads (on PGlite, one connection, it would hold up ingest).
 */
async function* memberPages(db: Queryable, eventId: string, pageSize: number): AsyncGenerator<MemberRow[]> {
  let after: Cursor = null;
  for (;;) {
    const page = await memberPage(db, eventId, after, pageSize);
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    after = { surname: last.surname, givenName: last.given_name, codiceFiscale: last.codice_fiscale };
  }
}

function member(r: MemberRow): ExportMember {
  return {
    memberId: r.member_id,
    surname: r.surname,
    givenName: r.given_name,
    codiceFiscale: r.codice_fiscale,
    registerNumber: r.register_number,
    province: r.province,
  };
}

/**
 * Registered members with their presence intervals, a page at a time (sheet `Presenze`). With
 * `withPresence: false` (the blank template) no evidence is read.
 */
export async function* presencePages(
  db: Queryable,
  event: ExportEvent,
  opts: { pageSize?: number; withPresence?: boolean } = {},
): AsyncGenerator<ExportPresence[]> {
  const pageSize = opts.pageSize ?? EXPORT_PAGE_SIZE;
  for await (const page of memberPages(db, event.id, pageSize)) {
    if (opts.withPresence === false) {
      yield page.map((r) => ({ ...member(r), spans: [], minutes: null }));
      continue;
    }
    const presence = await presenceOf(db, event, page);
    yield page.map((r) => {
      const p = presence.get(r.member_id);
      return { ...member(r), spans: p?.spans ?? [], minutes: p?.minutes ?? null };
    });
  }
}

/**
 * Registered members with their derived outcome, a page at a time (sheet `Esito`): the page of
 * members, then its outcomes by primary key (joining in the same statement would hash every
 * outcome of the event, explanations included, for each page).
 */
export async function* outcomePages(db: Queryable, eventId: string, opts: { pageSize?: number } = {}): AsyncGenerator<ExportOutcome[]> {
  for await (const page of memberPages(db, eventId, opts.pageSize ?? EXPORT_PAGE_SIZE)) {
    const { rows } = await db.query<{
      participant_key: string;
      status: string;
      covered_minutes: number;
      absent_minutes: number;
      tolerance_minutes: number;
      credits: number;
      reason: string | null;
      rule: string | null;
      pending: boolean;
      not_granted: string | null;
    }>(
      `SELECT participant_key, status, covered_minutes, absent_minutes, tolerance_minutes, credits,
              explanation->>'reason' AS reason, explanation->>'rule' AS rule, COALESCE(explanation->'questionnaire'->>'creditStatus' = 'pending', false) AS pending,
              CASE WHEN explanation->'questionnaire'->>'creditStatus' = 'not-granted' THEN explanation->'questionnaire'->>'code' END AS not_granted
       FROM attendance_outcomes WHERE event_id = $1 AND participant_key IN (SELECT unnest($2::text[]))`,
      [eventId, page.map((r) => `member:${r.member_id}`)],
    );
    const byKey = new Map(rows.map((o) => [o.participant_key, o]));
    yield page.map((r) => {
      const o = byKey.get(`member:${r.member_id}`);
      return {
        ...member(r),
        outcome: o
          ? {
              status: o.status,
              coveredMinutes: o.covered_minutes,
              absentMinutes: o.absent_minutes,
              toleranceMinutes: o.tolerance_minutes,
              credits: o.credits,
              reason: o.reason,
              rule: o.rule,
              pending: o.pending === true,
              notGranted: o.not_granted,
            }
          : null,
      };
    });
  }
}

/** Participants matching no registered member (R-ATT-7), a page at a time (sheet `Non abbinati`). */
export async function* unmatchedPages(db: Queryable, eventId: string, opts: { pageSize?: number } = {}): AsyncGenerator<ExportUnmatched[]> {
  const pageSize = opts.pageSize ?? EXPORT_PAGE_SIZE;
  let after: string | null = null;
  for (;;) {
    const { rows }: { rows: Array<{ participant_key: string; status: string; covered_minutes: number; reason: string | null; display_name: string | null }> } =
      await db.query(
        `SELECT participant_key, status, covered_minutes, explanation->>'reason' AS reason,
                explanation->'identity'->>'displayName' AS display_name
         FROM attendance_outcomes
         WHERE event_id = $1 AND status IN ('unmatched', 'identity-conflict') AND ($2::text IS NULL OR participant_key > $2)
         ORDER BY participant_key LIMIT $3`,
        [eventId, after, pageSize],
      );
    if (rows.length === 0) return;
    yield rows.map((r) => ({
      participantKey: r.participant_key,
      displayName: r.display_name,
      status: r.status,
      coveredMinutes: r.covered_minutes,
      reason: r.reason,
    }));
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.participant_key;
  }
}

/**
 * Presence intervals of a page of members, from the evidence (see the module comment), with the
 * minutes present and absent within the event's scheduled time that `assessAttendance` counts for
 * the outcome. Members that were never present, or whose records are in an identity conflict, get none.
 */
export async function presenceOf(
  db: Queryable,
  event: ExportEvent,
  page: readonly MemberRow[],
): Promise<Map<string, Pick<ExportPresence, 'spans' | 'minutes'>>> {
  const { records, registrations } = await evidenceClosure(db, event.id, page);
  const inPage = new Set(page.map((m) => m.member_id));
  // R-EVT-7: the records the derivation counts, no others.
  const grouped = groupParticipants(
    records.filter((r) => countsTowardsCredits(r, event.closedAt)),
    registrations,
  );
  const out = new Map<string, Pick<ExportPresence, 'spans' | 'minutes'>>();
  const window = { start: event.start, end: event.end, credits: 0, toleranceMinutes: 0, fractions: null };
  for (const p of grouped.participants) {
    if (!p.memberId || !inPage.has(p.memberId) || p.conflictingMembers.length) continue;
    const paired = pairIntervals(p.records);
    // The derivation's own presence: closed intervals and open joins closed by the meeting end,
    // clipped to the event and merged (R-ATT-3, R-ATT-6).
    const att = assessAttendance({ event: window, intervals: paired.intervals, meetingEnd: event.meetingEnd, unpairedLeaves: paired.unpairedLeaves });
    const spans: ExportPresence['spans'] = att.presence.map((s) => ({ entry: s.start, exit: s.end }));
    // Joins still open (no leave, no meeting end): an entry with an empty exit for the organiser
    // to complete (R-ATT-6). An entry before the start counts from the start.
    if (event.meetingEnd === null) {
      for (const iv of paired.intervals) {
        if (iv.leave === null && iv.join < event.end) spans.push({ entry: Math.max(iv.join, event.start), exit: null });
      }
    }
    spans.sort((a, b) => a.entry - b.entry || (a.exit === null ? 1 : 0) - (b.exit === null ? 1 : 0));
    // Minutes present and absent within the scheduled time: the outcome's own count (R-ATT-3).
    if (spans.length) out.set(p.memberId, { spans, minutes: { present: att.coveredMinutes, absent: att.absentMinutes } });
  }
  return out;
}

/**
 * The tracking records and registrations connected to `page`'s members: starting from their
 * registrations, every record sharing an identifier with what was found, and every registration
 * sharing one, until nothing new turns up (usually two rounds: registrations → records → the
 * platform user ids those records carry).
 */
async function evidenceClosure(db: Queryable, eventId: string, page: readonly MemberRow[]) {
  const seen = { m: new Set<string>(), r: new Set<string>(), e: new Set<string>(), u: new Set<string>() };
  const fresh = { m: [] as string[], r: [] as string[], e: [] as string[], u: [] as string[] };
  const add = (kind: keyof typeof seen, v: string | null | undefined) => {
    if (!v) return;
    const x = kind === 'e' ? v.toLowerCase() : v;
    if (seen[kind].has(x)) return;
    seen[kind].add(x);
    fresh[kind].push(x);
  };
  const registrations = new Map<string, Registration>();
  const records = new Map<number, EvidenceRecord>();
  for (const r of page) {
    registrations.set(r.member_id, { memberId: r.member_id, registrantId: r.registrant_id, email: r.email });
    add('m', r.member_id);
    add('r', r.registrant_id);
    add('e', r.email);
  }
  while (fresh.m.length || fresh.r.length || fresh.e.length || fresh.u.length) {
    const batch = { m: fresh.m.splice(0), r: fresh.r.splice(0), e: fresh.e.splice(0), u: fresh.u.splice(0) };
    const recs = await db.query<EvidenceRow>(
      // IN (SELECT unnest(…)) rather than = ANY(…): a hashed lookup per row, not a scan of the list.
      `SELECT ${EVIDENCE_COLUMNS}
       FROM tracking_records
       WHERE event_id = $1 AND kind <> 'meeting-end'
         AND (member_id IN (SELECT unnest($2::uuid[])) OR registrant_id IN (SELECT unnest($3::text[]))
              OR email IN (SELECT unnest($4::text[])) OR participant_user_id IN (SELECT unnest($5::text[])))`,
      [eventId, batch.m, batch.r, batch.e, batch.u],
    );
    for (const r of recs.rows) {
      if (records.has(r.id)) continue;
      records.set(r.id, toEvidenceRecord(r));
      add('m', r.member_id);
      add('r', r.registrant_id);
      add('e', r.email);
      add('u', r.participant_user_id);
    }
    // Registrations reached through identifiers these records brought in: another member's
    // registrant id or e-mail on them makes an identity conflict, as in the derivation. (Ids that
    // came from a registration need no lookup: one registration per registrant id and per e-mail.)
    if (fresh.m.length || fresh.r.length || fresh.e.length) {
      const regs = await db.query<{ member_id: string; registrant_id: string | null; email: string | null }>(
        `SELECT member_id, registrant_id, email FROM registrations
         WHERE event_id = $1 AND (member_id IN (SELECT unnest($2::uuid[])) OR registrant_id IN (SELECT unnest($3::text[]))
               OR email IN (SELECT unnest($4::text[])))`,
        [eventId, fresh.m, fresh.r, fresh.e],
      );
      for (const g of regs.rows) {
        if (registrations.has(g.member_id)) continue;
        registrations.set(g.member_id, { memberId: g.member_id, registrantId: g.registrant_id, email: g.email });
        add('m', g.member_id);
        add('r', g.registrant_id);
        add('e', g.email);
      }
    }
  }
  return { records: [...records.values()], registrations: [...registrations.values()] };
}
