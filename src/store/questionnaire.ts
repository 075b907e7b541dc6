/**
 * @module Questionnaire storage (R-QST): the pool, one questionnaire per member and event, its
 * attempts (what was served, what was answered), irregularity reports, ratings and the queries
 * the dispatch and expiry work needs. Every write is idempotent or guarded, so a retried job or a
 * double-clicked form changes nothing twice.
 */
import crypto from 'node:crypto';
import type { Draw, PoolQuestionDraft } from '../domain/questionnaire.ts';
import type { Queryable } from './db.ts';

export interface PoolQuestion {
  id: string;
  position: number;
  text: string;
  options: string[];
  correct: number;
}

/** Replaces an event's pool (before any questionnaire exists; the caller checks). */
export async function replacePool(tx: Queryable, eventId: string, questions: readonly PoolQuestionDraft[]): Promise<PoolQuestion[]> {
  await tx.query('DELETE FROM questionnaire_questions WHERE event_id = $1', [eventId]);
  const rows = questions.map((q, i) => ({
    id: crypto.randomUUID(),
    position: i + 1,
    text: q.text.trim(),
    options: q.options.map((o) => o.trim()),
    correct: q.correct,
  }));
  await tx.query(
    `INSERT INTO questionnaire_questions (id, event_id, position, text, options, correct_option)
     SELECT x.id, $1, x.position, x.text, x.options, x.correct
     FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, position int, text text, options jsonb, correct int)`,
    [eventId, JSON.stringify(rows)],
  );
  return rows;
}

export async function getPool(db: Queryable, eventId: string): Promise<PoolQuestion[]> {
  const { rows } = await db.query<{ id: string; position: number; text: string; options: string[]; correct_option: number }>(
    'SELECT id, position, text, options, correct_option FROM questionnaire_questions WHERE event_id = $1 ORDER BY position',
    [eventId],
  );
  return rows.map((r) => ({ id: r.id, position: r.position, text: r.text, options: r.options, correct: r.correct_option }));
}

export async function poolSize(db: Queryable, eventId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM questionnaire_questions WHERE event_id = $1', [eventId]);
  return rows[0]?.n ?? 0;
}

/** Whether questionnaires went out: from then on the pool is frozen (what was served must stay verifiable). */
export async function questionnairesExist(db: Queryable, eventId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM questionnaires WHERE event_id = $1 LIMIT 1', [eventId]);
  return rows.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Dispatch (R-QST-2)
// ---------------------------------------------------------------------------------------------

export interface DispatchEvent {
  id: string;
  title: string;
  organiserName: string;
  organiserKind: string;
  mode: string;
  start: Date;
  end: Date;
  closedAt: Date | null;
  accreditationStatus: string;
  accreditationRequestedAt: Date;
}

export async function getDispatchEvent(db: Queryable, eventId: string): Promise<DispatchEvent | null> {
  const { rows } = await db.query<{
    id: string;
    title: string;
    organiser_name: string;
    kind: string;
    mode: string;
    start_at: Date;
    end_at: Date;
    closed_at: Date | null;
    accreditation_status: string;
    accreditation_requested_at: Date;
  }>(
    `SELECT e.id, e.title, o.name AS organiser_name, o.kind, e.mode, e.start_at, e.end_at, e.closed_at, e.accreditation_status, e.accreditation_requested_at
     FROM events e JOIN organisers o ON o.id = e.organiser_id WHERE e.id = $1`,
    [eventId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    title: r.title,
    organiserName: r.organiser_name,
    organiserKind: r.kind,
    mode: r.mode,
    start: new Date(r.start_at),
    end: new Date(r.end_at),
    closedAt: r.closed_at ? new Date(r.closed_at) : null,
    accreditationStatus: r.accreditation_status,
    accreditationRequestedAt: new Date(r.accreditation_requested_at),
  };
}

export interface DispatchCandidate {
  memberId: string;
  givenName: string;
  surname: string;
  /** The register's address, else the one the member registered with. */
  email: string | null;
}

/**
 * Members whose attendance of the event qualifies (outcome `credited`, credits pending) and who
 * have no questionnaire yet: a later re-derivation (a tolerance raised by the CPO) can add some.
 */
export async function dispatchCandidates(db: Queryable, eventId: string): Promise<DispatchCandidate[]> {
  const { rows } = await db.query<{ member_id: string; given_name: string; surname: string; email: string | null }>(
    `SELECT m.id AS member_id, m.given_name, m.surname, COALESCE(m.email, r.email) AS email
     FROM attendance_outcomes o
     JOIN members m ON m.id = o.member_id
     LEFT JOIN registrations r ON r.event_id = o.event_id AND r.member_id = o.member_id
     WHERE o.event_id = $1 AND o.status = 'credited' AND o.credits > 0
       AND NOT EXISTS (SELECT 1 FROM questionnaires q WHERE q.event_id = o.event_id AND q.member_id = o.member_id)
     ORDER BY m.id`,
    [eventId],
  );
  return rows.map((r) => ({ memberId: r.member_id, givenName: r.given_name, surname: r.surname, email: r.email }));
}

export interface NewQuestionnaire {
  id: string;
  memberId: string;
  createdAt: Date;
}

/** Inserts questionnaires; a member who already has one for the event keeps it. Returns the ids inserted. */
export async function insertQuestionnaires(tx: Queryable, eventId: string, rows: readonly NewQuestionnaire[]): Promise<string[]> {
  if (!rows.length) return [];
  const { rows: out } = await tx.query<{ id: string }>(
    `INSERT INTO questionnaires (id, event_id, member_id, created_at_dispatch)
     SELECT x.id, $1, x.member_id, x.created_at
     FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, member_id uuid, created_at timestamptz)
     ON CONFLICT (event_id, member_id) DO NOTHING
     RETURNING id`,
    [eventId, JSON.stringify(rows.map((r) => ({ id: r.id, member_id: r.memberId, created_at: r.createdAt.toISOString() })))],
  );
  return out.map((r) => r.id);
}

/**
 * Kind-e webinars that ended (or were closed) within the window and have a qualifying member
 * without a questionnaire: the sweep's safety net for a lost dispatch job.
 */
export async function eventsAwaitingDispatch(db: Queryable, now: Date, windowMs: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT DISTINCT e.id FROM events e
     JOIN organisers o ON o.id = e.organiser_id
     JOIN attendance_outcomes ao ON ao.event_id = e.id AND ao.status = 'credited' AND ao.credits > 0 AND ao.member_id IS NOT NULL
     WHERE o.kind = 'e' AND e.mode = 'webinar'
       AND LEAST(e.end_at, COALESCE(e.closed_at, e.end_at)) <= $1
       AND LEAST(e.end_at, COALESCE(e.closed_at, e.end_at)) > $2
       AND NOT EXISTS (SELECT 1 FROM questionnaires q WHERE q.event_id = e.id AND q.member_id = ao.member_id)
     LIMIT 1000`,
    [now.toISOString(), new Date(now.getTime() - windowMs).toISOString()],
  );
  return rows.map((r) => r.id);
}

// ---------------------------------------------------------------------------------------------
// A member's questionnaire and its attempts
// ---------------------------------------------------------------------------------------------

export type StoredStatus = 'open' | 'passed' | 'failed' | 'expired';

export interface StoredAttempt {
  number: number;
  draw: Draw;
  startedAt: Date;
  submittedAt: Date | null;
  answers: Array<number | null> | null;
  score: number | null;
  passed: boolean | null;
}

export interface StoredQuestionnaire {
  id: string;
  eventId: string;
  memberId: string;
  eventTitle: string;
  eventStart: Date;
  organiserName: string;
  cpoProvince: string;
  memberName: string;
  /** When the member got the link (mail sent or page first opened); null: not yet, the clock has not started. */
  sentAt: Date | null;
  deadline: Date | null;
  status: StoredStatus;
  decidedAt: Date | null;
  qualityAnswers: Record<string, number> | null;
  attempts: StoredAttempt[];
}

export async function getQuestionnaire(db: Queryable, id: string): Promise<StoredQuestionnaire | null> {
  const { rows } = await db.query<{
    id: string;
    event_id: string;
    member_id: string;
    title: string;
    start_at: Date;
    organiser_name: string;
    cpo_province: string;
    given_name: string;
    surname: string;
    sent_at: Date | null;
    deadline_at: Date | null;
    status: StoredStatus;
    decided_at: Date | null;
    quality_answers: Record<string, number> | null;
  }>(
    `SELECT q.id, q.event_id, q.member_id, e.title, e.start_at, o.name AS organiser_name, e.cpo_province, m.given_name, m.surname,
            q.sent_at, q.deadline_at, q.status, q.decided_at, q.quality_answers
     FROM questionnaires q JOIN events e ON e.id = q.event_id JOIN organisers o ON o.id = e.organiser_id JOIN members m ON m.id = q.member_id
     WHERE q.id = $1`,
    [id],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    eventId: r.event_id,
    memberId: r.member_id,
    eventTitle: r.title,
    eventStart: new Date(r.start_at),
    organiserName: r.organiser_name,
    cpoProvince: r.cpo_province,
    memberName: `${r.given_name} ${r.surname}`,
    sentAt: r.sent_at ? new Date(r.sent_at) : null,
    deadline: r.deadline_at ? new Date(r.deadline_at) : null,
    status: r.status,
    decidedAt: r.decided_at ? new Date(r.decided_at) : null,
    qualityAnswers: r.quality_answers,
    attempts: await getAttempts(db, id),
  };
}

export async function getAttempts(db: Queryable, questionnaireId: string): Promise<StoredAttempt[]> {
  const { rows } = await db.query<{
    number: number;
    question_ids: string[];
    option_orders: number[][];
    started_at: Date;
    submitted_at: Date | null;
    answers: Array<number | null> | null;
    score: number | null;
    passed: boolean | null;
  }>(
    'SELECT number, question_ids, option_orders, started_at, submitted_at, answers, score, passed FROM questionnaire_attempts WHERE questionnaire_id = $1 ORDER BY number',
    [questionnaireId],
  );
  return rows.map((a) => ({
    number: a.number,
    draw: { questionIds: a.question_ids, optionOrder: a.option_orders },
    startedAt: new Date(a.started_at),
    submittedAt: a.submitted_at ? new Date(a.submitted_at) : null,
    answers: a.answers,
    score: a.score,
    passed: a.passed,
  }));
}

/**
 * Stores attempt `number` with its draw unless it exists, and returns the stored one: two
 * concurrent starts (a reload, two tabs) both get the first draw (R-QST-6).
 */
export async function startAttempt(
  db: Queryable,
  questionnaireId: string,
  number: number,
  draw: Draw,
  at: Date,
  client: { addr: string | null; userAgent: string | null },
): Promise<StoredAttempt> {
  await db.query(
    `INSERT INTO questionnaire_attempts (questionnaire_id, number, question_ids, option_orders, started_at, client_addr, user_agent)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (questionnaire_id, number) DO NOTHING`,
    [
      questionnaireId,
      number,
      JSON.stringify(draw.questionIds),
      JSON.stringify(draw.optionOrder),
      at.toISOString(),
      client.addr,
      client.userAgent?.slice(0, 500) ?? null,
    ],
  );
  const attempt = (await getAttempts(db, questionnaireId)).find((a) => a.number === number);
  if (!attempt) throw new Error(`attempt ${number} of ${questionnaireId} vanished`);
  return attempt;
}

/** The served questions of a draw, in the order shown (texts and options; the key stays here). */
export async function servedQuestions(db: Queryable, ids: readonly string[]): Promise<Map<string, { text: string; options: string[]; correct: number }>> {
  const { rows } = await db.query<{ id: string; text: string; options: string[]; correct_option: number }>(
    'SELECT id, text, options, correct_option FROM questionnaire_questions WHERE id = ANY($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { text: r.text, options: r.options, correct: r.correct_option }]));
}

/**
 * Records a submission, once: false when the attempt was already submitted (a double click or a
 * replayed form), so the first answers stand.
 */
export async function submitAttempt(
  tx: Queryable,
  questionnaireId: string,
  number: number,
  s: { answers: Array<number | null>; score: number; passed: boolean; at: Date },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE questionnaire_attempts SET submitted_at = $3, answers = $4, score = $5, passed = $6
     WHERE questionnaire_id = $1 AND number = $2 AND submitted_at IS NULL`,
    [questionnaireId, number, s.at.toISOString(), JSON.stringify(s.answers), s.score, s.passed],
  );
  return rowCount > 0;
}

/** Keeps the first set of quality answers (R-QST-8: kept whatever the outcome). */
export async function saveQualityAnswers(tx: Queryable, questionnaireId: string, answers: Record<string, number>, at: Date): Promise<void> {
  await tx.query('UPDATE questionnaires SET quality_answers = $2, quality_answered_at = $3 WHERE id = $1 AND quality_answers IS NULL', [
    questionnaireId,
    JSON.stringify(answers),
    at.toISOString(),
  ]);
}

/**
 * Starts a questionnaire's clock (R-QST-2: "within 10 days of receiving it"): the first time the
 * member gets the link, by mail or by opening it, whichever comes first; later calls change
 * nothing. Returns the deadline in force.
 */
export async function markDelivered(db: Queryable, id: string, at: Date, deadline: Date): Promise<Date | null> {
  await db.query('UPDATE questionnaires SET sent_at = $2, deadline_at = $3 WHERE id = $1 AND sent_at IS NULL', [id, at.toISOString(), deadline.toISOString()]);
  const { rows } = await db.query<{ deadline_at: Date | null }>('SELECT deadline_at FROM questionnaires WHERE id = $1', [id]);
  return rows[0]?.deadline_at ? new Date(rows[0].deadline_at) : null;
}

/**
 * Questionnaires whose link mail went out but whose clock did not start (a crash between the
 * two): the sweep starts it at the mail's send time.
 */
export async function deliveredButNotStarted(db: Queryable, limit = 1000): Promise<Array<{ id: string; sentAt: Date }>> {
  const { rows } = await db.query<{ id: string; sent_at: Date }>(
    `SELECT q.id, ob.sent_at FROM questionnaires q JOIN outbox ob ON ob.dedup_key = 'questionnaire-link:' || q.id::text
     WHERE q.sent_at IS NULL AND ob.sent_at IS NOT NULL LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ id: r.id, sentAt: new Date(r.sent_at) }));
}

/**
 * Records a submission only while the questionnaire is open and its deadline has not passed,
 * holding the questionnaire's row lock, so the expiry (which updates the same row) can never
 * interleave with a submission at the deadline.
 */
export async function lockOpenQuestionnaire(tx: Queryable, id: string, at: Date): Promise<boolean> {
  const { rows } = await tx.query<{ status: StoredStatus; deadline_at: Date | null }>(
    'SELECT status, deadline_at FROM questionnaires WHERE id = $1 FOR UPDATE',
    [id],
  );
  const r = rows[0];
  return !!r && r.status === 'open' && (r.deadline_at === null || at.getTime() <= new Date(r.deadline_at).getTime());
}

/** Moves an open questionnaire to a final status; false when it was no longer open. */
export async function decideQuestionnaire(tx: Queryable, id: string, status: Exclude<StoredStatus, 'open'>, at: Date): Promise<boolean> {
  const { rowCount } = await tx.query("UPDATE questionnaires SET status = $2, decided_at = $3 WHERE id = $1 AND status = 'open'", [
    id,
    status,
    at.toISOString(),
  ]);
  return rowCount > 0;
}

/** Open questionnaires past their deadline (the expiry sweep). */
export async function overdueQuestionnaires(db: Queryable, now: Date, limit = 1000): Promise<Array<{ id: string; eventId: string }>> {
  const { rows } = await db.query<{ id: string; event_id: string }>(
    "SELECT id, event_id FROM questionnaires WHERE status = 'open' AND deadline_at IS NOT NULL AND deadline_at < $1 ORDER BY deadline_at LIMIT $2",
    [now.toISOString(), limit],
  );
  return rows.map((r) => ({ id: r.id, eventId: r.event_id }));
}

/**
 * Events whose credits still show pending for a questionnaire already decided: the re-derivation
 * asked for at the decision was lost (Redis down at that moment); the sweep asks again.
 */
export async function eventsWithUnappliedDecisions(db: Queryable, since: Date, limit = 1000): Promise<string[]> {
  const { rows } = await db.query<{ event_id: string }>(
    `SELECT DISTINCT q.event_id FROM questionnaires q
     JOIN credit_records c ON c.event_id = q.event_id AND c.member_id = q.member_id
     WHERE q.status <> 'open' AND q.decided_at > $1 AND c.status = 'pending' LIMIT $2`,
    [since.toISOString(), limit],
  );
  return rows.map((r) => r.event_id);
}

// ---------------------------------------------------------------------------------------------
// Organiser and council views
// ---------------------------------------------------------------------------------------------

export interface QuestionnaireListItem {
  id: string;
  memberId: string;
  surname: string;
  givenName: string;
  codiceFiscale: string;
  sentAt: Date | null;
  deadline: Date | null;
  status: StoredStatus;
  attempts: number;
  lastScore: number | null;
  /** Where the link mail is: sent, queued (no SMTP yet or on its way), retrying, or no address known. */
  mail: 'sent' | 'queued' | 'retrying' | 'no-address' | 'none';
}

/** A page of an event's questionnaires and how many the event has in all. */
export interface QuestionnairePage {
  items: QuestionnaireListItem[];
  total: number;
}

/**
 * A page of an event's questionnaires by member name (then id, so the order is total and pages
 * never overlap or skip), `offset` rows in, and the event's total. One statement, so the total and
 * the page are read from the same snapshot; the total comes from its own CTE, not
 * `count(*) OVER ()`, so a page past the end still says how many there are. The page is cut in a
 * CTE first: the attempt subqueries and the outbox join run for its rows only, not for the 10,000
 * of a national course.
 *
 * `COLLATE "C"` (byte order): a Postgres created with a locale (`en_US.UTF-8`, `it_IT.UTF-8`) would
 * sort names by its rules, PGlite sorts by `C`; byte order makes both (and every deployment) give
 * the same pages.
 */
export async function listQuestionnaires(db: Queryable, eventId: string, page: { offset: number; limit: number }): Promise<QuestionnairePage> {
  const { rows } = await db.query<{
    total: number;
    id: string | null;
    member_id: string;
    surname: string;
    given_name: string;
    codice_fiscale: string;
    sent_at: Date | null;
    deadline_at: Date | null;
    status: StoredStatus;
    attempts: number;
    last_score: number | null;
    mail: QuestionnaireListItem['mail'];
  }>(
    `WITH total AS (SELECT count(*)::int AS n FROM questionnaires WHERE event_id = $1),
     page AS (
       SELECT q.id, q.member_id, m.surname, m.given_name, m.codice_fiscale, q.sent_at, q.deadline_at, q.status
       FROM questionnaires q JOIN members m ON m.id = q.member_id
       WHERE q.event_id = $1
       ORDER BY m.surname COLLATE "C", m.given_name COLLATE "C", q.id
       LIMIT $2 OFFSET $3
     )
     SELECT t.n AS total, p.id, p.member_id, p.surname, p.given_name, p.codice_fiscale, p.sent_at, p.deadline_at, p.status,
            CASE WHEN ob.id IS NULL THEN 'none' WHEN ob.sent_at IS NOT NULL THEN 'sent' WHEN ob.recipient IS NULL THEN 'no-address'
                 WHEN ob.attempts > 0 THEN 'retrying' ELSE 'queued' END AS mail,
            (SELECT count(*)::int FROM questionnaire_attempts a WHERE a.questionnaire_id = p.id AND a.submitted_at IS NOT NULL) AS attempts,
            (SELECT a.score FROM questionnaire_attempts a WHERE a.questionnaire_id = p.id AND a.submitted_at IS NOT NULL ORDER BY a.number DESC LIMIT 1) AS last_score
     FROM total t
     LEFT JOIN page p ON true
     LEFT JOIN outbox ob ON ob.dedup_key = 'questionnaire-link:' || p.id::text
     ORDER BY p.surname COLLATE "C", p.given_name COLLATE "C", p.id`,
    [eventId, page.limit, page.offset],
  );
  return {
    total: rows[0]?.total ?? 0,
    // An empty page is the total's row alone, with no questionnaire.
    items: rows
      .filter((r) => r.id !== null)
      .map((r) => ({
        id: r.id!,
        memberId: r.member_id,
        surname: r.surname,
        givenName: r.given_name,
        codiceFiscale: r.codice_fiscale,
        sentAt: r.sent_at ? new Date(r.sent_at) : null,
        deadline: r.deadline_at ? new Date(r.deadline_at) : null,
        status: r.status,
        attempts: r.attempts,
        lastScore: r.last_score,
        mail: r.mail,
      })),
  };
}

/**
 * An event's questionnaires counted by stored status, and those whose link mail has no address
 * (`no-address`): the console's summary above a page, over the whole event.
 */
export async function questionnaireCounts(db: Queryable, eventId: string): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number; no_address: number }>(
    `SELECT q.status, count(*)::int AS n,
            count(*) FILTER (WHERE ob.id IS NOT NULL AND ob.sent_at IS NULL AND ob.recipient IS NULL)::int AS no_address
     FROM questionnaires q LEFT JOIN outbox ob ON ob.dedup_key = 'questionnaire-link:' || q.id::text
     WHERE q.event_id = $1 GROUP BY q.status`,
    [eventId],
  );
  const counts: Record<string, number> = {};
  let noAddress = 0;
  for (const r of rows) {
    counts[r.status] = r.n;
    noAddress += r.no_address;
  }
  if (noAddress) counts['no-address'] = noAddress;
  return counts;
}

/** A member's questionnaires still open (R-QST-2), oldest event first: what the dashboard lists with a link. */
export async function openQuestionnairesOf(
  db: Queryable,
  memberId: string,
): Promise<Array<{ id: string; eventTitle: string; eventStart: Date; deadline: Date | null }>> {
  const { rows } = await db.query<{ id: string; title: string; start_at: Date; deadline_at: Date | null }>(
    `SELECT q.id, e.title, e.start_at, q.deadline_at FROM questionnaires q JOIN events e ON e.id = q.event_id
     WHERE q.member_id = $1 AND q.status = 'open' ORDER BY e.start_at, q.id LIMIT 100`,
    [memberId],
  );
  return rows.map((r) => ({ id: r.id, eventTitle: r.title, eventStart: new Date(r.start_at), deadline: r.deadline_at ? new Date(r.deadline_at) : null }));
}

/** Quality answers of an event's questionnaires (R-QST-9). */
export async function eventQualityAnswers(db: Queryable, eventId: string): Promise<Array<Record<string, number>>> {
  const { rows } = await db.query<{ a: Record<string, number> }>(
    'SELECT quality_answers AS a FROM questionnaires WHERE event_id = $1 AND quality_answers IS NOT NULL',
    [eventId],
  );
  return rows.map((r) => r.a);
}

/**
 * Quality answers over an organiser's events, per event, for events starting inside its
 * authorisation period when it has one (R-QST-9).
 */
export async function organiserQualityAnswers(
  db: Queryable,
  organiserId: string,
): Promise<Array<{ eventId: string; title: string; start: Date; answers: Array<Record<string, number>> }>> {
  const { rows } = await db.query<{ event_id: string; title: string; start_at: Date; a: Record<string, number> | null }>(
    `SELECT e.id AS event_id, e.title, e.start_at, q.quality_answers AS a
     FROM events e JOIN organisers o ON o.id = e.organiser_id
     LEFT JOIN questionnaires q ON q.event_id = e.id AND q.quality_answers IS NOT NULL
     WHERE e.organiser_id = $1
       AND EXISTS (SELECT 1 FROM questionnaire_questions qq WHERE qq.event_id = e.id)
       AND (o.authorised_from IS NULL OR (e.start_at AT TIME ZONE 'Europe/Rome')::date BETWEEN o.authorised_from AND o.authorised_until)
     ORDER BY e.start_at, e.id`,
    [organiserId],
  );
  const byEvent = new Map<string, { eventId: string; title: string; start: Date; answers: Array<Record<string, number>> }>();
  for (const r of rows) {
    let e = byEvent.get(r.event_id);
    if (!e) byEvent.set(r.event_id, (e = { eventId: r.event_id, title: r.title, start: new Date(r.start_at), answers: [] }));
    if (r.a) e.answers.push(r.a);
  }
  return [...byEvent.values()];
}

export interface IrregularityReport {
  id: string;
  questionnaireId: string;
  eventId: string;
  eventTitle: string;
  memberId: string;
  surname: string;
  givenName: string;
  message: string;
  createdAt: Date;
}

export async function insertReport(
  db: Queryable,
  r: { questionnaireId: string; eventId: string; message: string; at: Date; clientAddr: string | null },
): Promise<string> {
  const id = crypto.randomUUID();
  await db.query('INSERT INTO questionnaire_reports (id, questionnaire_id, event_id, message, created_at, client_addr) VALUES ($1, $2, $3, $4, $5, $6)', [
    id,
    r.questionnaireId,
    r.eventId,
    r.message,
    r.at.toISOString(),
    r.clientAddr,
  ]);
  return id;
}

/** Reports on events a CPO accredits (`cpoProvince`), or all (CN), newest first. */
export async function listReports(db: Queryable, scope: { cpoProvince: string } | { all: true }, limit = 500): Promise<IrregularityReport[]> {
  const { rows } = await db.query<{
    id: string;
    questionnaire_id: string;
    event_id: string;
    title: string;
    member_id: string;
    surname: string;
    given_name: string;
    message: string;
    created_at: Date;
  }>(
    `SELECT r.id, r.questionnaire_id, r.event_id, e.title, q.member_id, m.surname, m.given_name, r.message, r.created_at
     FROM questionnaire_reports r JOIN events e ON e.id = r.event_id JOIN questionnaires q ON q.id = r.questionnaire_id JOIN members m ON m.id = q.member_id
     WHERE ($1::text IS NULL OR e.cpo_province = $1)
     ORDER BY r.created_at DESC, r.id LIMIT $2`,
    ['cpoProvince' in scope ? scope.cpoProvince : null, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    questionnaireId: r.questionnaire_id,
    eventId: r.event_id,
    eventTitle: r.title,
    memberId: r.member_id,
    surname: r.surname,
    givenName: r.given_name,
    message: r.message,
    createdAt: new Date(r.created_at),
  }));
}

/** What deciding whether an event has a questionnaire pool, and whether it may still change, needs. */
export interface PoolEventFacts {
  kind: string;
  mode: string;
  accreditationStatus: 'requested' | 'approved' | 'rejected';
  accreditationRequestedAt: Date;
}

export async function poolEventFacts(db: Queryable, eventId: string): Promise<PoolEventFacts | null> {
  const { rows } = await db.query<{
    kind: string;
    mode: string;
    accreditation_status: PoolEventFacts['accreditationStatus'];
    accreditation_requested_at: Date;
  }>('SELECT o.kind, e.mode, e.accreditation_status, e.accreditation_requested_at FROM events e JOIN organisers o ON o.id = e.organiser_id WHERE e.id = $1', [
    eventId,
  ]);
  const r = rows[0];
  return r ? { kind: r.kind, mode: r.mode, accreditationStatus: r.accreditation_status, accreditationRequestedAt: r.accreditation_requested_at } : null;
}

/** How many irregularity reports one questionnaire has filed. */
export async function reportCount(db: Queryable, questionnaireId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM questionnaire_reports WHERE questionnaire_id = $1', [questionnaireId]);
  return rows[0]?.n ?? 0;
}

/** The address a questionnaire's mail goes to, as at dispatch: the register's, else the registration's. */
export async function questionnaireAddress(db: Queryable, questionnaireId: string): Promise<string | null> {
  const { rows } = await db.query<{ email: string | null }>(
    `SELECT COALESCE(m.email, r.email) AS email FROM questionnaires q
     JOIN members m ON m.id = q.member_id
     LEFT JOIN registrations r ON r.event_id = q.event_id AND r.member_id = q.member_id
     WHERE q.id = $1`,
    [questionnaireId],
  );
  return rows[0]?.email ?? null;
}

/**
 * Every organiser's quality answers added up per question over its events in the authorisation
 * period (the same events as `organiserQualityAnswers`, R-QST-9), in one query: the CN's list of
 * organisers rates them all without loading a single answer.
 */
export async function qualityTotalsByOrganiser(
  db: Queryable,
): Promise<Map<string, { responses: number; totals: Record<string, { sum: number; count: number }> }>> {
  const { rows } = await db.query<{ organiser_id: string; responses: number; key: string | null; sum: string | number | null; count: number }>(
    `WITH answered AS (
       SELECT e.organiser_id, q.id, q.quality_answers AS a
       FROM events e JOIN organisers o ON o.id = e.organiser_id
       JOIN questionnaires q ON q.event_id = e.id AND q.quality_answers IS NOT NULL
       WHERE EXISTS (SELECT 1 FROM questionnaire_questions qq WHERE qq.event_id = e.id)
         AND (o.authorised_from IS NULL OR (e.start_at AT TIME ZONE 'Europe/Rome')::date BETWEEN o.authorised_from AND o.authorised_until)
     )
     SELECT a.organiser_id, r.responses, kv.key, sum((kv.value)::numeric) AS sum, count(*)::int AS count
     FROM answered a
     JOIN (SELECT organiser_id, count(*)::int AS responses FROM answered GROUP BY organiser_id) r USING (organiser_id)
     CROSS JOIN LATERAL jsonb_each_text(a.a) AS kv
     GROUP BY a.organiser_id, r.responses, kv.key`,
  );
  const out = new Map<string, { responses: number; totals: Record<string, { sum: number; count: number }> }>();
  for (const r of rows) {
    let o = out.get(r.organiser_id);
    if (!o) out.set(r.organiser_id, (o = { responses: r.responses, totals: {} }));
    if (r.key !== null) o.totals[r.key] = { sum: Number(r.sum), count: r.count };
  }
  return out;
}
