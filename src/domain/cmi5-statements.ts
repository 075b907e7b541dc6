/**
 * @module The cmi5 statement rules the LMS enforces at its LRS (issue 16; cmi5 §6.3 "The LMS
 * SHOULD reject statements that conflict with the Statement API requirements as defined in
 * Section 9.0"): each statement an AU sends is checked against its launch session and what was
 * accepted before, and rejected (403, a stable code, the section) or accepted as "cmi5 defined"
 * or "cmi5 allowed" (§7.1.3). Pure.
 *
 * **Decisions** where the specification leaves the LMS a choice:
 * - §6.3 lets the LMS reject or void a conflicting statement: the gateway rejects (it never holds
 *   a statement it would have to void, and the AU learns at once). The rejected request is still
 *   kept as evidence (R-ELN-1), flagged with the code.
 * - §9.3 orders statements by `timestamp`; the LMS also sees the order of receipt. Both are held:
 *   the first statement received must be `initialized`, nothing is accepted after `terminated`
 *   (§9.3.8: the "specified period of time" after terminated is zero), and no statement may carry
 *   a timestamp before the session's `initialized` (nor `terminated` one before an earlier statement).
 * - §9.3 "More than one of the set of {passed, failed} verbs MUST NOT be used" within a session is
 *   enforced, although the specification's sample scenario 11 sends failed then passed in one
 *   session: the normative text wins; the AU passes in a new session.
 * - A `passed` with `score.scaled` below the masteryScore, or a `failed` at or above it (§9.3.4,
 *   §9.3.5, §9.5.1), is rejected: the gateway never counts a pass its own pass mark denies.
 */
import { isoDurationSeconds } from './scorm-cmi.ts';

export const CMI5 = Object.freeze({
  category: 'https://w3id.org/xapi/cmi5/context/categories/cmi5',
  moveOnCategory: 'https://w3id.org/xapi/cmi5/context/categories/moveon',
  sessionId: 'https://w3id.org/xapi/cmi5/context/extensions/sessionid',
  masteryScore: 'https://w3id.org/xapi/cmi5/context/extensions/masteryscore',
  launchMode: 'https://w3id.org/xapi/cmi5/context/extensions/launchmode',
  launchUrl: 'https://w3id.org/xapi/cmi5/context/extensions/launchurl',
  moveOn: 'https://w3id.org/xapi/cmi5/context/extensions/moveon',
  launchParameters: 'https://w3id.org/xapi/cmi5/context/extensions/launchparameters',
  progress: 'https://w3id.org/xapi/cmi5/result/extensions/progress',
  reason: 'https://w3id.org/xapi/cmi5/result/extensions/reason',
  courseType: 'https://w3id.org/xapi/cmi5/activitytype/course',
  blockType: 'https://w3id.org/xapi/cmi5/activitytype/block',
});

/** §9.3 verb ids. */
export const CMI5_VERBS = Object.freeze({
  launched: 'http://adlnet.gov/expapi/verbs/launched',
  initialized: 'http://adlnet.gov/expapi/verbs/initialized',
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  passed: 'http://adlnet.gov/expapi/verbs/passed',
  failed: 'http://adlnet.gov/expapi/verbs/failed',
  abandoned: 'https://w3id.org/xapi/adl/verbs/abandoned',
  waived: 'https://w3id.org/xapi/adl/verbs/waived',
  terminated: 'http://adlnet.gov/expapi/verbs/terminated',
  satisfied: 'https://w3id.org/xapi/adl/verbs/satisfied',
});
export type Cmi5Verb = keyof typeof CMI5_VERBS;
const VERB_BY_ID: ReadonlyMap<string, Cmi5Verb> = new Map(Object.entries(CMI5_VERBS).map(([k, v]) => [v, k as Cmi5Verb]));
/** Verbs only the LMS uses (§9.3.1, §9.3.6, §9.3.7, §9.3.9). */
const LMS_VERBS = new Set<Cmi5Verb>(['launched', 'abandoned', 'waived', 'satisfied']);
const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';

/** The launch session a statement must belong to (what the LMS wrote in LMS.LaunchData, §10). */
export interface Cmi5SessionContext {
  sessionId: string;
  registration: string;
  /** The LMS-generated activity id of the AU (§8.1.5). */
  activityId: string;
  /** The publisher's AU id: the contextTemplate's grouping activity (§9.6.2.3). */
  publisherId: string;
  /** The launch's actor account (§9.2). */
  actor: { homePage: string; name: string };
  launchMode: 'Normal' | 'Browse' | 'Review';
  /** Scaled 0..1, as in LMS.LaunchData (§10.2.4); null when none. */
  masteryScore: number | null;
}

/** An accepted statement of the session, as the rules need it. */
export interface PriorStatement {
  verb: string;
  defined: boolean;
  /** Its `timestamp`, ms. */
  timestamp: number;
}

/** What was accepted before this statement. */
export interface Cmi5History {
  /** The session's accepted AU statements, in order of receipt. */
  session: readonly PriorStatement[];
  /** The AU's accepted cmi5 defined verbs in the registration (every session). */
  registration: { completed: boolean; passed: boolean };
  /** The session was abandoned by a later launch (§9.3.6). */
  abandoned: boolean;
}

export type Cmi5RejectCode =
  | 'cmi5-not-a-statement'
  | 'cmi5-statement-id'
  | 'cmi5-timestamp'
  | 'cmi5-actor'
  | 'cmi5-registration'
  | 'cmi5-session-id'
  | 'cmi5-voiding'
  | 'cmi5-lms-verb'
  | 'cmi5-unknown-verb'
  | 'cmi5-object'
  | 'cmi5-context-template'
  | 'cmi5-not-initialized'
  | 'cmi5-after-terminated'
  | 'cmi5-session-abandoned'
  | 'cmi5-duplicate-verb'
  | 'cmi5-passed-or-failed'
  | 'cmi5-completed-once'
  | 'cmi5-passed-once'
  | 'cmi5-failed-after-passed'
  | 'cmi5-launch-mode'
  | 'cmi5-result'
  | 'cmi5-score'
  | 'cmi5-mastery-score'
  | 'cmi5-duration'
  | 'cmi5-moveon-category'
  | 'cmi5-timestamp-order';

export interface Cmi5Rejection {
  code: Cmi5RejectCode;
  /** The cmi5 section the statement breaks. */
  section: string;
  detail: string;
}

/** What an accepted statement says, for storage and derivation. */
export interface Cmi5Accepted {
  kind: 'defined' | 'allowed';
  /** The verb id. */
  verb: string;
  /** The cmi5 verb, for defined statements. */
  cmi5Verb: Cmi5Verb | null;
  timestamp: number;
  /** `result.duration`, seconds. */
  durationSeconds: number | null;
  /** `result.score.scaled`. */
  scaled: number | null;
}

export type Cmi5Verdict = ({ ok: true } & Cmi5Accepted) | ({ ok: false } & Cmi5Rejection);

/** A statement id (§9.1: a UUID). */
export const STATEMENT_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;
/** xAPI timestamps are ISO 8601 with a time zone. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/u;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const ids = (v: unknown): string[] => (Array.isArray(v) ? v : isObj(v) ? [v] : []).flatMap((a) => (isObj(a) && typeof a.id === 'string' ? [a.id] : []));

function reject(code: Cmi5RejectCode, section: string, detail: string): Cmi5Verdict {
  return { ok: false, code, section, detail };
}

/**
 * Checks one statement of an AU against its session and the history; the statements of a batch
 * are checked one after the other, each with the ones before it in the history.
 *
 * @example checkStatement(ctx, { session: [], registration: { completed: false, passed: false }, abandoned: false }, initialized).ok // true
 * @rule R-CMI-3
 */
export function checkStatement(ctx: Cmi5SessionContext, history: Cmi5History, st: unknown): Cmi5Verdict {
  if (!isObj(st)) return reject('cmi5-not-a-statement', '9', 'A statement is a JSON object');
  // §9.1 "The AU MUST assign a statement id property in UUID format".
  if (typeof st.id !== 'string' || !STATEMENT_UUID.test(st.id)) return reject('cmi5-statement-id', '9.1', 'The statement id must be a UUID assigned by the AU');
  // §9.7 "All statements MUST include a timestamp property".
  const ts = typeof st.timestamp === 'string' && TIMESTAMP.test(st.timestamp) ? Date.parse(st.timestamp) : Number.NaN;
  if (!Number.isFinite(ts)) return reject('cmi5-timestamp', '9.7', 'The statement must carry an ISO 8601 timestamp');
  // §9.2, §8.1.3: the actor the LMS launched the AU with.
  const actor = st.actor;
  const account = isObj(actor) ? actor.account : undefined;
  if (
    !isObj(actor) ||
    (actor.objectType !== undefined && actor.objectType !== 'Agent') ||
    !isObj(account) ||
    account.homePage !== ctx.actor.homePage ||
    account.name !== ctx.actor.name
  )
    return reject('cmi5-actor', '9.2', 'The actor must be the Agent of the launch (its account)');
  const verbId = isObj(st.verb) && typeof st.verb.id === 'string' ? st.verb.id : null;
  if (!verbId || !isObj(st.object)) return reject('cmi5-not-a-statement', '9', 'A statement has a verb id and an object');
  // §6.3 "The LMS MUST NOT provide permissions/credentials which allow the AU to issue voiding Statements."
  if (verbId === VOIDED) return reject('cmi5-voiding', '6.3', 'An AU may not void statements');
  const context = isObj(st.context) ? st.context : {};
  // §9.6.1: the registration of the launch.
  if (context.registration !== ctx.registration) return reject('cmi5-registration', '9.6.1', 'context.registration must be the launch registration');
  // §9.6.3.1: "An AU MUST include the session ID provided by the LMS … for all cmi5 defined and cmi5 allowed statements".
  const ext = isObj(context.extensions) ? context.extensions : {};
  if (ext[CMI5.sessionId] !== ctx.sessionId) return reject('cmi5-session-id', '9.6.3.1', 'The session id extension must be the one in LMS.LaunchData');
  if (history.abandoned) return reject('cmi5-session-abandoned', '9.3.6', 'The session was abandoned: no statement is recorded after it');
  // §9.3.8: nothing after terminated.
  if (history.session.some((p) => p.verb === CMI5_VERBS.terminated)) return reject('cmi5-after-terminated', '9.3.8', 'The session is terminated');

  const ca = isObj(context.contextActivities) ? context.contextActivities : {};
  const categories = ids(ca.category);
  const defined = categories.includes(CMI5.category);
  const cmi5Verb = VERB_BY_ID.get(verbId) ?? null;
  const init = history.session.find((p) => p.verb === CMI5_VERBS.initialized);
  // §7.1.1, §9.3.2 "The AU MUST use initialized in the first statement (of any kind) in the AU session."
  if (!init && !(defined && cmi5Verb === 'initialized'))
    return reject('cmi5-not-initialized', '9.3.2', 'The first statement of a session must be the cmi5 defined initialized');
  if (init && ts < init.timestamp) return reject('cmi5-timestamp-order', '9.3', 'A statement cannot precede the session’s initialized');

  const result = isObj(st.result) ? st.result : null;
  const hasSuccess = result !== null && 'success' in result;
  const hasCompletion = result !== null && 'completion' in result;
  // §9.6.2.2: the moveOn category exactly on cmi5 defined statements whose result has success or completion.
  const moveOnCategory = categories.includes(CMI5.moveOnCategory);
  if (moveOnCategory !== (defined && (hasSuccess || hasCompletion)))
    return reject('cmi5-moveon-category', '9.6.2.2', 'The moveon category goes on cmi5 defined statements with result success or completion, and on no other');

  const durationSeconds = typeof result?.duration === 'string' ? isoDurationSeconds(result.duration) : null;
  if (result && 'duration' in result && durationSeconds === null) return reject('cmi5-duration', '9.5.4', 'result.duration must be an ISO 8601 duration');
  const score = result && isObj(result.score) ? result.score : null;
  const scaled = typeof score?.scaled === 'number' ? score.scaled : null;

  if (!defined) {
    // A "cmi5 allowed" statement (§7.1.3): any verb with the context template, between initialized and terminated (checked above).
    if (cmi5Verb && LMS_VERBS.has(cmi5Verb)) return reject('cmi5-lms-verb', '9.3', `Only the LMS issues "${cmi5Verb}"`);
    return { ok: true, kind: 'allowed', verb: verbId, cmi5Verb: null, timestamp: ts, durationSeconds, scaled };
  }

  // "cmi5 defined" (§7.1.3): a cmi5 verb, the cmi5 category and the context template.
  if (!cmi5Verb) return reject('cmi5-unknown-verb', '7.1.3', 'A statement with the cmi5 category must use a cmi5 defined verb (§9.3)');
  if (LMS_VERBS.has(cmi5Verb)) return reject('cmi5-lms-verb', '9.3', `Only the LMS issues "${cmi5Verb}"`);
  // §9.4 "the value of the Object's id property for a given AU MUST match the activityId defined in the launch URL".
  if (st.object.id !== ctx.activityId) return reject('cmi5-object', '9.4', 'The object must be the AU: its id is the launch activityId');
  // §9.6.2 "All cmi5 defined statements MUST include all properties and values defined in the contextActivities of the contextTemplate".
  if (!ids(ca.grouping).includes(ctx.publisherId))
    return reject('cmi5-context-template', '9.6.2', 'context.contextActivities.grouping must hold the publisher id activity of the contextTemplate');
  const prior = history.session.filter((p) => p.defined);
  // §9.3 "Verbs MUST NOT be duplicated (in cmi5 defined statements)" within a session.
  if (prior.some((p) => p.verb === verbId)) return reject('cmi5-duplicate-verb', '9.3', `"${cmi5Verb}" was already sent in this session`);
  // §9.3 "More than one of the set of {passed, failed} verbs MUST NOT be used".
  if ((cmi5Verb === 'passed' || cmi5Verb === 'failed') && prior.some((p) => p.verb === CMI5_VERBS.passed || p.verb === CMI5_VERBS.failed))
    return reject('cmi5-passed-or-failed', '9.3', 'A session holds at most one of passed and failed');
  // §10.2.2 Browse / Review: "The AU MUST NOT send other cmi5 defined statements" than initialized and terminated.
  if (ctx.launchMode !== 'Normal' && cmi5Verb !== 'initialized' && cmi5Verb !== 'terminated')
    return reject('cmi5-launch-mode', '10.2.2', `In ${ctx.launchMode} mode only initialized and terminated are sent`);
  // §9.3, per registration and AU.
  if (cmi5Verb === 'completed' && history.registration.completed) return reject('cmi5-completed-once', '9.3', 'completed is sent once per registration');
  if (cmi5Verb === 'passed' && history.registration.passed) return reject('cmi5-passed-once', '9.3', 'passed is sent once per registration');
  if (cmi5Verb === 'failed' && history.registration.passed) return reject('cmi5-failed-after-passed', '9.3', 'failed cannot follow passed in a registration');
  if (cmi5Verb === 'terminated' && history.session.some((p) => p.timestamp > ts))
    return reject('cmi5-timestamp-order', '9.3', 'terminated must be the last statement of the session');

  // §9.5.2 success, §9.5.3 completion.
  const want: Partial<Record<Cmi5Verb, { success?: boolean; completion?: boolean }>> = {
    passed: { success: true },
    failed: { success: false },
    completed: { completion: true },
  };
  const w = want[cmi5Verb] ?? {};
  if (w.success !== undefined ? result?.success !== w.success : hasSuccess)
    return reject(
      'cmi5-result',
      '9.5.2',
      w.success !== undefined ? `${cmi5Verb} must have result.success ${w.success}` : `${cmi5Verb} must not have result.success`,
    );
  if (w.completion !== undefined ? result?.completion !== w.completion : hasCompletion)
    return reject(
      'cmi5-result',
      '9.5.3',
      w.completion !== undefined ? `${cmi5Verb} must have result.completion true` : `${cmi5Verb} must not have result.completion`,
    );
  // §9.5.1 score: only passed and failed; raw within min and max, which are then given; scaled within 0..1.
  if (result && 'score' in result) {
    if (cmi5Verb !== 'passed' && cmi5Verb !== 'failed') return reject('cmi5-score', '9.5.1', `${cmi5Verb} must not have result.score`);
    if (!score) return reject('cmi5-score', '9.5.1', 'result.score is an object');
    if (score.scaled !== undefined && (scaled === null || scaled < 0 || scaled > 1))
      return reject('cmi5-score', '9.5.1', 'score.scaled is a decimal between 0 and 1');
    if (score.raw !== undefined) {
      const { raw, min, max } = score;
      if (typeof raw !== 'number' || typeof min !== 'number' || typeof max !== 'number' || !Number.isInteger(raw) || raw < min || raw > max)
        return reject('cmi5-score', '9.5.1', 'score.raw is an integer between score.min and score.max, both given');
    }
  }
  // §9.3.4 "If the passed statement contains a scaled score, the scaled value MUST be equal to or greater than the masteryScore";
  // §9.3.5 a failed one's MUST be less.
  if (ctx.masteryScore !== null && scaled !== null) {
    if (cmi5Verb === 'passed' && scaled < ctx.masteryScore)
      return reject('cmi5-mastery-score', '9.3.4', `passed with score.scaled ${scaled} below the masteryScore ${ctx.masteryScore}`);
    if (cmi5Verb === 'failed' && scaled >= ctx.masteryScore)
      return reject('cmi5-mastery-score', '9.3.5', `failed with score.scaled ${scaled} at or above the masteryScore ${ctx.masteryScore}`);
  }
  // §9.5.4.1: terminated, completed, passed and failed MUST include the duration.
  if ((cmi5Verb === 'terminated' || cmi5Verb === 'completed' || cmi5Verb === 'passed' || cmi5Verb === 'failed') && durationSeconds === null)
    return reject('cmi5-duration', '9.5.4.1', `${cmi5Verb} must include result.duration`);
  return { ok: true, kind: 'defined', verb: verbId, cmi5Verb, timestamp: ts, durationSeconds, scaled };
}

/** Adds an accepted statement to the history the next one is checked against. */
export function withAccepted(h: Cmi5History, a: Cmi5Accepted): Cmi5History {
  return {
    session: [...h.session, { verb: a.verb, defined: a.kind === 'defined', timestamp: a.timestamp }],
    registration: {
      completed: h.registration.completed || a.cmi5Verb === 'completed',
      passed: h.registration.passed || a.cmi5Verb === 'passed',
    },
    abandoned: h.abandoned,
  };
}
