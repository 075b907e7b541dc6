/**
 * @module cmi5 launches and the minimal LRS (issue 16): an AU launched per cmi5 §8 (a session, the
 * abandoned statements of the registration's active sessions, `LMS.LaunchData`, the launched
 * statement, the launch URL on the content origin), the one-time fetch URL (§8.2), and the LRS
 * resources an AU uses (statements under the cmi5 rules of `src/domain/cmi5-statements.ts`,
 * activity state, agent profile), every statement kept as received (R-ELN-1).
 *
 * The content capability of a launch (purpose `cmi5-content`, subject the enrolment and the
 * session) opens the AU's files and the fetch URL only, on the content origin (R-ISO-2); the auth
 * token the fetch URL answers once opens the LRS for that session only.
 */
import crypto from 'node:crypto';
import type { Cmi5Au } from '../../domain/cmi5-course.ts';
import { abandonedStatement, cmi5Actor, launchData, launchedStatement, launchUrl, type Cmi5Launch } from '../../domain/cmi5-launch.ts';
import { checkStatement, STATEMENT_UUID, withAccepted, type Cmi5Rejection, type Cmi5SessionContext } from '../../domain/cmi5-statements.ts';
import { decodeCommitBody } from '../../domain/scorm-cmi.ts';
// Sorted keys: jsonb does not keep key order, and a replay is the same statement in any order.
import { canonicalJson } from '../../domain/verification.ts';
import type { MemberLinks } from '../../member-links.ts';
import {
  abandonActiveSessions,
  enrolmentsWithExpiredSessions,
  acceptedStatement,
  acceptedStatements,
  claimFetch,
  cmi5Target,
  packageStructure,
  deleteState,
  getState,
  insertSession,
  insertStatements,
  lockSession,
  markTerminated,
  putState,
  sessionByToken,
  sessionHistory,
  statementIdTaken,
  type NewStatement,
  type StoredSession,
} from '../../store/cmi5.ts';
import type { Queryable } from '../../store/db.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

/** The AUs of an enrolment's cmi5 course that ask for a window of their own (§13.1.4 launchMethod); null when it has no cmi5 course. */
export async function ownWindowAus(ctx: Pick<ServiceContext, 'db'>, enrolmentId: string): Promise<string[] | null> {
  const t = await cmi5Target(ctx.db, enrolmentId);
  return t ? t.summary.cmi5.aus.filter((a) => a.launchMethod === 'OwnWindow').map((a) => a.id) : null;
}

/** §10.1 stateId of the LMS's launch document. */
export const LAUNCH_DATA = 'LMS.LaunchData';
/** §11 the learner preferences document. */
export const LEARNER_PREFERENCES = 'cmi5LearnerPreferences';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export interface ContentSession {
  enrolmentId: string;
  sessionId: string;
}

/** The content capability of a cmi5 launch, valid until the launch token's expiry. @rule R-ISO-2 */
export function cmi5Capability(links: Pick<MemberLinks, 'sign'>, s: ContentSession, expiresAt: Date): Promise<string> {
  return links.sign('cmi5-content', JSON.stringify([s.enrolmentId, s.sessionId]), expiresAt);
}

/** The launch a cmi5 content capability names; `invalid-token` / `launch-expired`. @rule R-ISO-2 */
export async function cmi5CapabilitySession(links: Pick<MemberLinks, 'verify'>, token: string, now: number): Promise<ContentSession> {
  const check = await links.verify('cmi5-content', token, now);
  if (!check.ok) throw new ServiceError(check.reason === 'expired' ? 'launch-expired' : 'invalid-token');
  let parsed: unknown;
  try {
    parsed = JSON.parse(check.subject);
  } catch {
    throw new ServiceError('invalid-token');
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((x) => typeof x === 'string')) throw new ServiceError('invalid-token');
  return { enrolmentId: parsed[0] as string, sessionId: parsed[1] as string };
}

/** The launch of one AU, as the gateway answers it. */
export interface AuLaunch {
  sessionId: string;
  registration: string;
  au: Cmi5Au;
  activityId: string;
  /** The AU's URL with the §8.1 launch parameters, on the content origin. */
  url: string;
  launchedAt: Date;
  abandoned: string[];
}

/**
 * Launches `auId` of the enrolment's cmi5 course (cmi5 §8, launchMode Normal): abandons the
 * registration's active sessions (§9.3.6, an abandoned statement each), registers the session,
 * writes `LMS.LaunchData` (§10) and the launched statement (§9.3.1) before answering the URL.
 * Refuses `unknown-sco` (no cmi5 course, or not one of its AUs).
 * @rule R-CMI-1
 */
export async function launchAu(
  ctx: Pick<ServiceContext, 'db' | 'now' | 'links'>,
  enrolmentId: string,
  auId: string | null,
  where: { gatewayOrigin: string; contentOrigin: string; expiresAt: Date; clientAddr: string | null; userAgent: string | null },
): Promise<AuLaunch> {
  const launchedAt = new Date(ctx.now());
  const sessionId = crypto.randomUUID();
  const capability = await cmi5Capability(ctx.links, { enrolmentId, sessionId }, where.expiresAt);
  return ctx.db.transaction(async (tx) => {
    // One launch of a registration at a time: the abandon step reads the registration's sessions.
    await tx.query('SELECT id FROM elearning_enrolments WHERE id = $1 FOR UPDATE', [enrolmentId]);
    const t = await cmi5Target(tx, enrolmentId);
    if (!t) throw new ServiceError('unknown-sco', 'The course has no cmi5 package');
    const au = t.summary.cmi5.aus.find((a) => a.id === auId);
    if (!au) throw new ServiceError('unknown-sco', 'Add ?au=<AU id of this course>');
    const actor = cmi5Actor(where.gatewayOrigin, t.memberId);
    const lms = (statement: Record<string, unknown>, session: string) => lmsStatement(enrolmentId, session, statement, launchedAt);
    // §9.3.6 "If an LMS launches an AU with the same registration as an active session, the previous session … MUST be abandoned."
    const abandoned = await abandonActiveSessions(tx, enrolmentId, launchedAt);
    await recordAbandoned(tx, enrolmentId, abandoned, launchedAt);
    const launch: Cmi5Launch = { sessionId, registration: enrolmentId, au, actor, launchMode: 'Normal' };
    await insertSession(tx, {
      sessionId,
      enrolmentId,
      packageId: t.packageId,
      auId: au.id,
      activityId: au.lmsId,
      actor,
      launchMode: 'Normal',
      launchedAt,
      expiresAt: where.expiresAt,
      clientAddr: where.clientAddr,
      userAgent: where.userAgent,
    });
    // §10.1 "Prior to launching an AU, the LMS MUST create or update a document in the State API".
    await putState(tx, enrolmentId, au.lmsId, LAUNCH_DATA, 'application/json', Buffer.from(JSON.stringify(launchData(launch))), launchedAt);
    const q = au.href.indexOf('?');
    const path = au.launch.split('/').map(encodeURIComponent).join('/');
    const auBase = `${where.contentOrigin}/x/${capability}/${path}${q >= 0 ? au.href.slice(q) : ''}`;
    const endpoint = `${where.contentOrigin}/cmi5/lrs/`;
    const fetchUrl = `${where.contentOrigin}/cmi5/fetch/${capability}`;
    // §9.3.1: launched, before the launch; its launchURL is the AU's without the cmi5 parameters (§9.6.3.4).
    await insertStatements(tx, [lms(launchedStatement(crypto.randomUUID(), launch, auBase, launchedAt), sessionId)]);
    return {
      sessionId,
      registration: enrolmentId,
      au,
      activityId: au.lmsId,
      url: launchUrl(auBase, { endpoint, fetch: fetchUrl, actor, registration: enrolmentId, activityId: au.lmsId }),
      launchedAt,
      abandoned: abandoned.map((s) => s.sessionId),
    };
  });
}

/** A statement the LMS makes itself (launched, abandoned, satisfied), accepted as it is written. */
function lmsStatement(enrolmentId: string, sessionId: string, statement: Record<string, unknown>, at: Date): NewStatement {
  return {
    statementId: statement.id as string,
    enrolmentId,
    sessionId,
    origin: 'lms',
    receivedAt: at,
    clientAddr: null,
    userAgent: null,
    body: Buffer.from(JSON.stringify(statement)),
    batchIndex: null,
    statement,
    verb: (statement.verb as { id: string }).id,
    kind: 'defined',
    stampedAt: at.getTime(),
    durationSeconds: null,
    accepted: true,
    rejection: null,
  };
}

/**
 * The abandoned statement of each session just marked abandoned (§9.3.6): its duration from the
 * launch to the session's last accepted AU statement; its AU as the package the session launched
 * describes it.
 */
async function recordAbandoned(tx: Queryable, enrolmentId: string, sessions: Awaited<ReturnType<typeof abandonActiveSessions>>, at: Date) {
  for (const s of sessions) {
    const au = (await packageStructure(tx, s.packageId))?.cmi5.aus.find((a) => a.id === s.auId);
    if (!au) throw new Error(`cmi5 session ${s.sessionId}: AU ${s.auId} is not in its package ${s.packageId}`);
    const last = s.lastStatementAt ?? s.launchedAt;
    const st = abandonedStatement(
      crypto.randomUUID(),
      { sessionId: s.sessionId, registration: enrolmentId, au, actor: s.actor, launchMode: s.launchMode },
      (last - s.launchedAt) / 1000,
      at,
    );
    await insertStatements(tx, [lmsStatement(enrolmentId, s.sessionId, st, at)]);
  }
}

/**
 * Abandons the sessions whose launch expired with neither a terminated statement nor a later
 * launch of the registration (cmi5 §9.3.6: the LMS records an abandoned session as such). The
 * launch's auth token ends with it, so nothing more can come from the AU. Each registration in a
 * transaction of its own, its enrolment locked first as a launch locks it. Returns the
 * enrolments, for their derivation.
 */
export async function abandonExpiredSessions(ctx: Pick<ServiceContext, 'db' | 'now' | 'log'>, limit = 500): Promise<string[]> {
  const at = new Date(ctx.now());
  const done: string[] = [];
  for (const enrolmentId of await enrolmentsWithExpiredSessions(ctx.db, at, limit)) {
    try {
      const n = await ctx.db.transaction(async (tx) => {
        await tx.query('SELECT id FROM elearning_enrolments WHERE id = $1 FOR UPDATE', [enrolmentId]);
        const sessions = await abandonActiveSessions(tx, enrolmentId, at, { expiredOnly: true });
        await recordAbandoned(tx, enrolmentId, sessions, at);
        return sessions.length;
      });
      if (n) done.push(enrolmentId);
    } catch (err) {
      // One registration that cannot be written (a deadlock with a statement in flight) waits for the next sweep; the others go on.
      ctx.log.warn({ enrolmentId, err: String(err) }, 'cmi5: expired sessions not abandoned; the next sweep tries again');
    }
  }
  return done;
}

/** §8.2.3.2 error values. */
export type FetchAnswer = { 'auth-token': string } | { 'error-code': '1' | '2' | '3'; 'error-text': string };

/**
 * The fetch URL (§8.2): the auth token, once. A second call answers error 1 (§8.2.3.1), an
 * expired launch error 1, a bad capability error 2. The token is `base64("cmi5:" + 256 random
 * bits)`, so the AU sends it as RFC 1945 Basic credentials (§8.2.1); only its hash is stored.
 * @rule R-CMI-2
 */
export async function fetchAuthToken(ctx: Pick<ServiceContext, 'db' | 'now' | 'links'>, capability: string): Promise<FetchAnswer> {
  let s: ContentSession;
  try {
    s = await cmi5CapabilitySession(ctx.links, capability, ctx.now());
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'launch-expired') return { 'error-code': '1', 'error-text': 'The AU session has expired.' };
    if (err instanceof ServiceError) return { 'error-code': '2', 'error-text': 'The fetch URL is not valid.' };
    throw err;
  }
  const token = Buffer.from(`cmi5:${crypto.randomBytes(32).toString('base64url')}`).toString('base64');
  const claimed = await claimFetch(ctx.db, s.sessionId, sha256(token), new Date(ctx.now()));
  if (!claimed) return { 'error-code': '1', 'error-text': 'The authorization token has already been returned.' };
  return { 'auth-token': token };
}

/**
 * The session an `Authorization: Basic <auth-token>` header opens, or null (unknown, expired, another scheme).
 * @rule R-CMI-2
 */
export async function lrsSession(ctx: Pick<ServiceContext, 'db' | 'now'>, authorization: string | undefined): Promise<StoredSession | null> {
  const m = /^Basic\s+(\S{1,200})$/iu.exec(authorization ?? '');
  if (!m) return null;
  const s = await sessionByToken(ctx.db, sha256(m[1]!));
  if (!s || s.expiresAt <= ctx.now()) return null;
  return s;
}

export interface ReceivedStatements {
  body: Uint8Array;
  receivedAt: Date;
  clientAddr: string | null;
  userAgent: string | null;
  /** PUT's `statementId`; null for POST. */
  statementId: string | null;
}

export type StatementsAnswer =
  | { ok: true; ids: string[] }
  | { ok: false; status: 400 | 403 | 409; code: string; section?: string; detail: string; index?: number };

/**
 * Receives a POST (one statement or a batch) or PUT of the session's AU. Each statement is checked
 * in order against the session and what was accepted before it; a batch is accepted whole or
 * rejected whole (xAPI), 403 with the first broken rule's code. Every statement is stored as
 * received, accepted or not (R-ELN-1), and an accepted one asks for the enrolment's derivation.
 *
 * @rule R-ELN-1
 * @rule R-CMI-3
 */
export async function receiveStatements(
  ctx: Pick<ServiceContext, 'db' | 'now' | 'scorm' | 'log'>,
  session: StoredSession,
  r: ReceivedStatements,
): Promise<StatementsAnswer> {
  // The commits' reading: UTF-8 JSON that jsonb can keep (no U+0000, no lone surrogate).
  const read = decodeCommitBody(r.body);
  if (!read.ok) return { ok: false, status: 400, code: 'malformed-json', detail: read.message };
  const parsed = read.parsed;
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (!list.length) return { ok: false, status: 400, code: 'invalid-body', detail: 'No statement' };
  if (r.statementId !== null) {
    if (Array.isArray(parsed)) return { ok: false, status: 400, code: 'invalid-body', detail: 'PUT takes one statement' };
    const id = (parsed as { id?: unknown } | null)?.id;
    if (id !== undefined && id !== r.statementId) return { ok: false, status: 400, code: 'invalid-body', detail: 'statementId and the statement id differ' };
  }
  const answer = await ctx.db.transaction(async (tx): Promise<StatementsAnswer & { stored: number }> => {
    const s = (await lockSession(tx, session.sessionId)) ?? session;
    // The AU of the package this session launched (read once per package, not per statement).
    const au = (await packageStructure(tx, s.packageId))?.cmi5.aus.find((a) => a.id === s.auId);
    const sctx: Cmi5SessionContext = {
      sessionId: s.sessionId,
      registration: s.enrolmentId,
      activityId: s.activityId,
      publisherId: s.auId,
      actor: s.actor.account,
      launchMode: s.launchMode,
      masteryScore: au?.masteryScore ?? null,
    };
    let history = await sessionHistory(tx, s);
    const rows: NewStatement[] = [];
    let failure: { index: number; rejection: Omit<Cmi5Rejection, 'code'> & { code: string }; status: 403 | 409 } | null = null;
    const seen = new Set<string>();
    for (const [i, st] of list.entries()) {
      const base = {
        statementId:
          typeof (st as { id?: unknown })?.id === 'string' && STATEMENT_UUID.test((st as { id: string }).id) ? (st as { id: string }).id.toLowerCase() : null,
        enrolmentId: s.enrolmentId,
        sessionId: s.sessionId,
        origin: 'au' as const,
        receivedAt: r.receivedAt,
        clientAddr: r.clientAddr,
        userAgent: r.userAgent,
        body: r.body,
        batchIndex: Array.isArray(parsed) ? i : null,
        statement: st,
        verb: typeof (st as { verb?: { id?: unknown } })?.verb?.id === 'string' ? (st as { verb: { id: string } }).verb.id : null,
      };
      const none = { kind: null, stampedAt: null, durationSeconds: null, accepted: false };
      if (failure) {
        rows.push({
          ...base,
          ...none,
          rejection: { code: 'xapi-batch-rejected', section: 'xAPI', detail: `statement ${failure.index} of the batch was rejected` },
        });
        continue;
      }
      // xAPI: a statement id is unique in the LRS; a different statement under a stored id is a conflict.
      const taken = base.statementId ? (seen.has(base.statementId) ? st : await statementIdTaken(tx, base.statementId)) : null;
      if (taken !== null) {
        const same = canonicalJson(taken) === canonicalJson(st);
        failure = same ? null : { index: i, status: 409, rejection: { code: 'xapi-conflict', section: 'xAPI', detail: 'Another statement has this id' } };
        rows.push({
          ...base,
          ...none,
          rejection: same ? { code: 'xapi-replay', section: 'xAPI', detail: 'Already stored: nothing changes' } : failure!.rejection,
        });
        continue;
      }
      const v = checkStatement(sctx, history, st);
      if (!v.ok) {
        failure = { index: i, status: 403, rejection: { code: v.code, section: v.section, detail: v.detail } };
        rows.push({ ...base, ...none, rejection: failure.rejection });
        continue;
      }
      if (base.statementId) seen.add(base.statementId);
      history = withAccepted(history, v);
      rows.push({ ...base, kind: v.kind, stampedAt: v.timestamp, durationSeconds: v.durationSeconds, accepted: true, rejection: null });
    }
    if (failure) {
      // The batch is rejected whole: every row is kept, none accepted.
      for (const row of rows)
        if (row.accepted)
          Object.assign(row, {
            accepted: false,
            kind: null,
            stampedAt: null,
            durationSeconds: null,
            rejection: { code: 'xapi-batch-rejected', section: 'xAPI', detail: `statement ${failure.index} of the batch was rejected` },
          });
    }
    await insertStatements(tx, rows);
    if (failure) {
      return {
        ok: false,
        status: failure.status,
        code: failure.rejection.code,
        section: failure.rejection.section,
        detail: failure.rejection.detail,
        index: failure.index,
        stored: 0,
      };
    }
    const accepted = rows.filter((x) => x.accepted);
    if (accepted.some((x) => x.verb === 'http://adlnet.gov/expapi/verbs/terminated' && x.kind === 'defined'))
      await markTerminated(tx, s.sessionId, r.receivedAt);
    return { ok: true, ids: rows.map((x) => x.statementId ?? ''), stored: accepted.length };
  });
  if (answer.ok && answer.stored > 0) {
    // After the statements are durable; a lost request is found by the sweep.
    await ctx.scorm
      .requestDerivation(session.enrolmentId)
      .catch((err) => ctx.log.warn({ err: String(err), enrolmentId: session.enrolmentId }, 'cmi5 derivation request failed'));
  }
  const { stored: _stored, ...out } = answer;
  return out;
}

/** GET statements: one accepted statement of the registration by id, or the registration's latest. */
export async function readStatements(ctx: Pick<ServiceContext, 'db'>, session: StoredSession, statementId: string | null) {
  if (statementId !== null) return acceptedStatement(ctx.db, session.enrolmentId, statementId.toLowerCase());
  return { statements: await acceptedStatements(ctx.db, session.enrolmentId, 100), more: '' };
}

/** The query of a state request, checked against the session: its activity, actor and registration. */
export interface StateQuery {
  activityId: string | undefined;
  agent: string | undefined;
  registration: string | undefined;
  stateId: string | undefined;
}

function checkStateQuery(
  session: StoredSession,
  q: StateQuery,
): { ok: true; stateId: string } | { ok: false; status: 400 | 403; code: string; detail: string } {
  if (!q.activityId || !q.agent || !q.stateId) return { ok: false, status: 400, code: 'invalid-query', detail: 'activityId, agent and stateId are required' };
  let agent: unknown;
  try {
    agent = JSON.parse(q.agent);
  } catch {
    return { ok: false, status: 400, code: 'invalid-query', detail: 'agent is JSON' };
  }
  const acc = (agent as { account?: { homePage?: unknown; name?: unknown } } | null)?.account;
  // The session's auth token opens its own AU's documents, for its own learner and registration.
  if (q.activityId !== session.activityId || acc?.homePage !== session.actor.account.homePage || acc?.name !== session.actor.account.name)
    return { ok: false, status: 403, code: 'forbidden', detail: 'Only the launch’s own activity and actor' };
  if (q.registration !== undefined && q.registration !== session.enrolmentId)
    return { ok: false, status: 403, code: 'forbidden', detail: 'Only the launch’s own registration' };
  return { ok: true, stateId: q.stateId };
}

export type StateAnswer =
  | { ok: true; document: Buffer; contentType: string }
  | { ok: true; document: null }
  | { ok: false; status: 400 | 403 | 404; code: string; detail: string };

/** GET of a state document (LMS.LaunchData among them); 404 when there is none. */
export async function readState(ctx: Pick<ServiceContext, 'db'>, session: StoredSession, q: StateQuery): Promise<StateAnswer> {
  const c = checkStateQuery(session, q);
  if (!c.ok) return c;
  const d = await getState(ctx.db, session.enrolmentId, session.activityId, c.stateId);
  if (!d) return { ok: false, status: 404, code: 'not-found', detail: 'No such document' };
  return { ok: true, document: d.document, contentType: d.contentType };
}

/**
 * PUT (replace), POST (merge JSON objects, xAPI) or DELETE of the AU's own state documents.
 * `LMS.LaunchData` is the LMS's: §10.2.1 "The AU MUST NOT modify or delete the LMS.LaunchData
 * State document" — 403.
 */
export async function writeState(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  session: StoredSession,
  q: StateQuery,
  op: 'put' | 'post' | 'delete',
  body: { contentType: string; bytes: Uint8Array } | null,
): Promise<StateAnswer> {
  const c = checkStateQuery(session, q);
  if (!c.ok) return c;
  if (c.stateId === LAUNCH_DATA) return { ok: false, status: 403, code: 'forbidden', detail: 'LMS.LaunchData is written by the LMS only (cmi5 §10.2.1)' };
  if (op === 'delete') {
    await deleteState(ctx.db, session.enrolmentId, session.activityId, c.stateId);
    return { ok: true, document: null };
  }
  let doc = Buffer.from(body!.bytes);
  let type = body!.contentType;
  if (op === 'post') {
    const prev = await getState(ctx.db, session.enrolmentId, session.activityId, c.stateId);
    if (prev) {
      const read = (b: Uint8Array) => {
        try {
          const v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(b));
          return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
        } catch {
          return null;
        }
      };
      const a = read(prev.document);
      const b = read(doc);
      if (!a || !b) return { ok: false, status: 400, code: 'invalid-body', detail: 'POST merges JSON objects only' };
      doc = Buffer.from(JSON.stringify({ ...a, ...b }));
      type = 'application/json';
    }
  }
  await putState(ctx.db, session.enrolmentId, session.activityId, c.stateId, type, doc, new Date(ctx.now()));
  return { ok: true, document: null };
}
