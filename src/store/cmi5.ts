/**
 * @module cmi5 launches and their LRS (issue 16): sessions (cmi5 §8, §9.6.3.1) with their one-time
 * fetch and auth token, every statement received kept as received (R-ELN-1, append-only, accepted
 * or rejected), the xAPI state documents (cmi5 §10), and what derivation reads.
 */
import type { Cmi5Summary } from '../domain/cmi5-course.ts';
import type { Cmi5Actor } from '../domain/cmi5-launch.ts';
import type { Cmi5History } from '../domain/cmi5-statements.ts';
import type { Db, Queryable } from './db.ts';

import { LRUCache } from 'lru-cache';
import { json } from './row-values.ts';

const ms = (v: Date | string) => new Date(v).getTime();

/**
 * Course structures by package id: a stored package never changes, so its parsed structure is
 * read once (the LRS's path asks for its AU's mastery score at every statement).
 */
const SUMMARIES = new LRUCache<string, Cmi5Summary>({ max: 1_000 });

/** The cmi5 structure of a stored package (the one a session launched); null when it is not cmi5. */
export async function packageStructure(db: Queryable, packageId: string): Promise<Cmi5Summary | null> {
  const hit = SUMMARIES.get(packageId);
  if (hit) return hit;
  const { rows } = await db.query<{ manifest: unknown }>(`SELECT manifest FROM scorm_packages WHERE id = $1 AND version = 'cmi5'`, [packageId]);
  if (!rows[0]) return null;
  const summary = json(rows[0].manifest as Cmi5Summary | string);
  SUMMARIES.set(packageId, summary);
  return summary;
}

/** The course an enrolment launches: its current cmi5 package; null when none (or not cmi5). */
export async function cmi5Target(db: Queryable, enrolmentId: string) {
  const { rows } = await db.query<{ event_id: string; member_id: string; package_id: string; manifest: unknown }>(
    `SELECT e.event_id, e.member_id, p.id AS package_id, p.manifest FROM elearning_enrolments e
       JOIN scorm_packages p ON p.event_id = e.event_id AND p.superseded_at IS NULL AND p.version = 'cmi5'
      WHERE e.id = $1`,
    [enrolmentId],
  );
  const r = rows[0];
  return r ? { enrolmentId, eventId: r.event_id, memberId: r.member_id, packageId: r.package_id, summary: json(r.manifest as Cmi5Summary | string) } : null;
}

export interface NewSession {
  sessionId: string;
  enrolmentId: string;
  packageId: string;
  auId: string;
  activityId: string;
  actor: Cmi5Actor;
  launchMode: 'Normal' | 'Browse' | 'Review';
  launchedAt: Date;
  expiresAt: Date;
  clientAddr: string | null;
  userAgent: string | null;
}

export interface StoredSession {
  sessionId: string;
  enrolmentId: string;
  packageId: string;
  auId: string;
  activityId: string;
  actor: Cmi5Actor;
  launchMode: 'Normal' | 'Browse' | 'Review';
  launchedAt: number;
  expiresAt: number;
  tokenFetchedAt: number | null;
  terminatedAt: number | null;
  abandonedAt: number | null;
}

interface SessionRow {
  session_id: string;
  enrolment_id: string;
  package_id: string;
  au_id: string;
  activity_id: string;
  actor: unknown;
  launch_mode: 'Normal' | 'Browse' | 'Review';
  launched_at: Date | string;
  expires_at: Date | string;
  token_fetched_at: Date | string | null;
  terminated_at: Date | string | null;
  abandoned_at: Date | string | null;
}

const toSession = (r: SessionRow): StoredSession => ({
  sessionId: r.session_id,
  enrolmentId: r.enrolment_id,
  packageId: r.package_id,
  auId: r.au_id,
  activityId: r.activity_id,
  actor: json(r.actor as Cmi5Actor | string),
  launchMode: r.launch_mode,
  launchedAt: ms(r.launched_at),
  expiresAt: ms(r.expires_at),
  tokenFetchedAt: r.token_fetched_at === null ? null : ms(r.token_fetched_at),
  terminatedAt: r.terminated_at === null ? null : ms(r.terminated_at),
  abandonedAt: r.abandoned_at === null ? null : ms(r.abandoned_at),
});

export async function insertSession(db: Queryable, s: NewSession): Promise<void> {
  await db.query(
    `INSERT INTO cmi5_sessions (session_id, enrolment_id, package_id, au_id, activity_id, actor, launch_mode, launched_at, expires_at, client_addr, user_agent)
     VALUES ($1, $2, $3, $4, $5, $11::jsonb, $6, $7, $8, $9, $10)`,
    [
      s.sessionId,
      s.enrolmentId,
      s.packageId,
      s.auId,
      s.activityId,
      s.launchMode,
      s.launchedAt.toISOString(),
      s.expiresAt.toISOString(),
      s.clientAddr,
      s.userAgent,
      JSON.stringify(s.actor),
    ],
  );
}

/**
 * Marks the registration's active sessions (neither terminated nor abandoned) abandoned at `at`
 * (cmi5 §9.3.6) and answers each with the receipt of its last statement (for the abandoned
 * statement's duration, §9.5.4.2).
 */
export async function abandonActiveSessions(tx: Queryable, enrolmentId: string, at: Date, opts: { expiredOnly?: boolean } = {}) {
  const { rows } = await tx.query<SessionRow & { last_at: Date | string | null }>(
    `UPDATE cmi5_sessions s SET abandoned_at = $2 WHERE enrolment_id = $1 AND terminated_at IS NULL AND abandoned_at IS NULL
       AND ($3::boolean IS NOT TRUE OR expires_at <= $2)
     RETURNING s.*, (SELECT max(received_at) FROM cmi5_statements t WHERE t.session_id = s.session_id AND t.origin = 'au' AND t.accepted) AS last_at`,
    [enrolmentId, at.toISOString(), opts.expiredOnly ?? false],
  );
  return rows.map((r) => ({ ...toSession(r), lastStatementAt: r.last_at === null ? null : ms(r.last_at) }));
}

/** Enrolments with a session neither terminated nor abandoned whose launch expired by `at` (at most `limit`). */
export async function enrolmentsWithExpiredSessions(db: Queryable, at: Date, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ enrolment_id: string }>(
    `SELECT DISTINCT enrolment_id FROM cmi5_sessions
      WHERE terminated_at IS NULL AND abandoned_at IS NULL AND expires_at <= $1 ORDER BY enrolment_id LIMIT $2`,
    [at.toISOString(), limit],
  );
  return rows.map((r) => r.enrolment_id);
}

/**
 * Serialises the statements of one session. `FOR NO KEY UPDATE`, not `FOR UPDATE`: the derivation
 * holds the enrolment's row lock while it inserts satisfied statements referencing the session
 * (a key-share lock on this row), and statements being stored wait for the enrolment's key-share
 * lock; `FOR UPDATE` here would close that cycle into a deadlock.
 */
export async function lockSession(tx: Queryable, sessionId: string): Promise<StoredSession | null> {
  const { rows } = await tx.query<SessionRow>('SELECT * FROM cmi5_sessions WHERE session_id = $1 FOR NO KEY UPDATE', [sessionId]);
  return rows[0] ? toSession(rows[0]) : null;
}

/**
 * Stores the auth token's hash the first time the fetch URL is called (cmi5 §8.2.3.1: "MUST NOT
 * return an authorization token more than once"); false when it was already fetched.
 */
export async function claimFetch(db: Queryable, sessionId: string, tokenSha256: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE cmi5_sessions SET auth_token_sha256 = $2, token_fetched_at = $3 WHERE session_id = $1 AND token_fetched_at IS NULL',
    [sessionId, tokenSha256, at.toISOString()],
  );
  return (rowCount ?? 0) > 0;
}

/** The session an auth token was issued for. */
export async function sessionByToken(db: Queryable, tokenSha256: string): Promise<StoredSession | null> {
  const { rows } = await db.query<SessionRow>('SELECT * FROM cmi5_sessions WHERE auth_token_sha256 = $1', [tokenSha256]);
  return rows[0] ? toSession(rows[0]) : null;
}

export async function markTerminated(tx: Queryable, sessionId: string, at: Date): Promise<void> {
  await tx.query('UPDATE cmi5_sessions SET terminated_at = $2 WHERE session_id = $1 AND terminated_at IS NULL', [sessionId, at.toISOString()]);
}

/** The history a statement of `session` is checked against (`checkStatement`). */
export async function sessionHistory(tx: Queryable, s: StoredSession): Promise<Cmi5History> {
  const [own, reg] = await Promise.all([
    tx.query<{ verb: string; kind: string; stamped_at: Date | string }>(
      `SELECT verb, kind, stamped_at FROM cmi5_statements WHERE session_id = $1 AND origin = 'au' AND accepted ORDER BY id`,
      [s.sessionId],
    ),
    tx.query<{ verb: string }>(
      `SELECT DISTINCT t.verb FROM cmi5_statements t JOIN cmi5_sessions x ON x.session_id = t.session_id
        WHERE x.enrolment_id = $1 AND x.au_id = $2 AND t.origin = 'au' AND t.accepted AND t.kind = 'defined'`,
      [s.enrolmentId, s.auId],
    ),
  ]);
  const verbs = new Set(reg.rows.map((r) => r.verb));
  return {
    session: own.rows.map((r) => ({ verb: r.verb, defined: r.kind === 'defined', timestamp: ms(r.stamped_at) })),
    registration: { completed: verbs.has('http://adlnet.gov/expapi/verbs/completed'), passed: verbs.has('http://adlnet.gov/expapi/verbs/passed') },
    abandoned: s.abandonedAt !== null,
  };
}

export interface NewStatement {
  statementId: string | null;
  enrolmentId: string;
  sessionId: string | null;
  origin: 'au' | 'lms';
  receivedAt: Date;
  clientAddr: string | null;
  userAgent: string | null;
  body: Uint8Array;
  batchIndex: number | null;
  statement: unknown;
  verb: string | null;
  kind: 'defined' | 'allowed' | null;
  stampedAt: number | null;
  durationSeconds: number | null;
  accepted: boolean;
  rejection: { code: string; section: string; detail: string } | null;
}

/** Appends statements (evidence, R-ELN-1); answers their row ids. */
export async function insertStatements(db: Queryable, list: readonly NewStatement[]): Promise<number[]> {
  const out: number[] = [];
  for (const s of list) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO cmi5_statements (statement_id, enrolment_id, session_id, origin, received_at, client_addr, user_agent, body, batch_index, statement,
         verb, kind, stamped_at, duration_seconds, accepted, rejection)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bytea, $9, $10::jsonb, $11, $12, $13, $14, $15, $16::jsonb) RETURNING id`,
      [
        s.statementId,
        s.enrolmentId,
        s.sessionId,
        s.origin,
        s.receivedAt.toISOString(),
        s.clientAddr,
        s.userAgent,
        Buffer.from(s.body.buffer, s.body.byteOffset, s.body.byteLength),
        s.batchIndex,
        s.statement === undefined ? null : JSON.stringify(s.statement),
        s.verb,
        s.kind,
        s.stampedAt === null ? null : new Date(s.stampedAt).toISOString(),
        s.durationSeconds,
        s.accepted,
        s.rejection === null ? null : JSON.stringify(s.rejection),
      ],
    );
    out.push(Number(rows[0]!.id));
  }
  return out;
}

/** An accepted statement by its id, within a registration. */
export async function acceptedStatement(db: Queryable, enrolmentId: string, statementId: string): Promise<unknown | null> {
  const { rows } = await db.query<{ statement: unknown }>('SELECT statement FROM cmi5_statements WHERE enrolment_id = $1 AND statement_id = $2 AND accepted', [
    enrolmentId,
    statementId,
  ]);
  return rows[0] ? json(rows[0].statement) : null;
}

/** Whether any accepted statement has this id (xAPI: ids are unique in the LRS). */
export async function statementIdTaken(db: Queryable, statementId: string): Promise<unknown | null> {
  const { rows } = await db.query<{ statement: unknown }>('SELECT statement FROM cmi5_statements WHERE statement_id = $1 AND accepted', [statementId]);
  return rows[0] ? json(rows[0].statement) : null;
}

/** The registration's accepted statements, newest first (the LRS's GET without an id). */
export async function acceptedStatements(db: Queryable, enrolmentId: string, limit: number): Promise<unknown[]> {
  const { rows } = await db.query<{ statement: unknown }>(
    'SELECT statement FROM cmi5_statements WHERE enrolment_id = $1 AND accepted ORDER BY id DESC LIMIT $2',
    [enrolmentId, limit],
  );
  return rows.map((r) => json(r.statement));
}

export async function getState(db: Queryable, enrolmentId: string, activityId: string, stateId: string) {
  const { rows } = await db.query<{ content_type: string; document: Buffer; updated_at: Date | string }>(
    'SELECT content_type, document, updated_at FROM cmi5_state WHERE enrolment_id = $1 AND activity_id = $2 AND state_id = $3',
    [enrolmentId, activityId, stateId],
  );
  const r = rows[0];
  return r ? { contentType: r.content_type, document: r.document, updatedAt: ms(r.updated_at) } : null;
}

export async function putState(db: Queryable, enrolmentId: string, activityId: string, stateId: string, contentType: string, document: Uint8Array, at: Date) {
  await db.query(
    `INSERT INTO cmi5_state (enrolment_id, activity_id, state_id, content_type, document, updated_at) VALUES ($1, $2, $3, $4, $5::bytea, $6)
     ON CONFLICT (enrolment_id, activity_id, state_id) DO UPDATE SET content_type = EXCLUDED.content_type, document = EXCLUDED.document, updated_at = EXCLUDED.updated_at`,
    [enrolmentId, activityId, stateId, contentType, Buffer.from(document.buffer, document.byteOffset, document.byteLength), at.toISOString()],
  );
}

export async function deleteState(db: Queryable, enrolmentId: string, activityId: string, stateId: string) {
  await db.query('DELETE FROM cmi5_state WHERE enrolment_id = $1 AND activity_id = $2 AND state_id = $3', [enrolmentId, activityId, stateId]);
}

/** What derivation reads of a registration: its sessions, and its accepted AU and LMS statements in order of receipt. */
export async function cmi5Facts(db: Queryable, enrolmentId: string) {
  const [sessions, statements] = await Promise.all([
    db.query<SessionRow>('SELECT * FROM cmi5_sessions WHERE enrolment_id = $1 ORDER BY launched_at', [enrolmentId]),
    db.query<{
      id: string;
      session_id: string | null;
      origin: 'au' | 'lms';
      received_at: Date | string;
      verb: string | null;
      kind: string | null;
      duration_seconds: number | null;
      object_id: string | null;
    }>(
      `SELECT id, session_id, origin, received_at, verb, kind, duration_seconds, statement->'object'->>'id' AS object_id
         FROM cmi5_statements WHERE enrolment_id = $1 AND accepted ORDER BY id`,
      [enrolmentId],
    ),
  ]);
  return {
    sessions: sessions.rows.map(toSession),
    statements: statements.rows.map((r) => ({
      id: Number(r.id),
      sessionId: r.session_id,
      origin: r.origin,
      receivedAt: ms(r.received_at),
      verb: r.verb,
      kind: r.kind as 'defined' | 'allowed' | null,
      durationSeconds: r.duration_seconds,
      objectId: r.object_id,
    })),
  };
}

/** Enrolments with AU statements received since `since` (the sweep's safety net for lost derivation requests). */
export async function cmi5EnrolmentsSince(db: Db, since: Date): Promise<string[]> {
  const { rows } = await db.query<{ enrolment_id: string }>(
    `SELECT DISTINCT t.enrolment_id FROM cmi5_statements t LEFT JOIN elearning_outcomes o ON o.enrolment_id = t.enrolment_id
      WHERE t.received_at >= $1 AND t.accepted AND t.origin = 'au' AND (o.derived_at IS NULL OR o.derived_at < t.received_at) LIMIT 10000`,
    [since.toISOString()],
  );
  return rows.map((r) => r.enrolment_id);
}
