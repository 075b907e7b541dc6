/**
 * @module The member's side of a questionnaire behind a signed link (R-QST-2, R-QST-4, R-QST-5,
 * R-QST-6, R-QST-7, R-QST-8, R-QST-10): open it (the 10 days start when the member has the link),
 * start an attempt on a fresh draw, submit it under the questionnaire's row lock, decide an overdue
 * one, report an irregularity. The member pages (src/gateway/questionnaire-member.ts) call these
 * and render the answers; decisions re-derive the event, which grants or refuses the credits.
 */
import crypto from 'node:crypto';
import {
  drawQuestions,
  QUESTIONNAIRE_RULES,
  questionnaireDeadline,
  questionnaireState,
  scoreAttempt,
  type QuestionnaireState,
} from '../../domain/questionnaire.ts';
import {
  decideQuestionnaire,
  getPool,
  getQuestionnaire,
  insertReport,
  lockOpenQuestionnaire,
  markDelivered,
  reportCount,
  saveQualityAnswers,
  startAttempt as insertAttempt,
  submitAttempt,
  type PoolQuestion,
  type StoredAttempt,
  type StoredQuestionnaire,
} from '../../store/questionnaire.ts';
import { UUID_PATTERN } from '../../schemas/common.ts';
import type { ServiceContext } from '../context.ts';

/** Events whose pools the member pages keep in memory (30 short rows each). */
const POOL_CACHE_EVENTS = 200;
/** Irregularity reports one questionnaire may file (a stuck key must not flood the CPO). */
export const MAX_REPORTS = 10;

export type Opened = { kind: 'invalid' } | { kind: 'expired-link'; q: StoredQuestionnaire } | { kind: 'ok'; q: StoredQuestionnaire; state: QuestionnaireState };

/** Where a request came from, kept with an attempt or a report. */
export interface Client {
  addr: string | null;
  userAgent: string | null;
}

export type SubmitOutcome =
  /** Decided meanwhile (deadline or another submission): show the closed page. */
  | { kind: 'closed' }
  /** Stored (and decided if it was the last word); `q` is the questionnaire as it now stands. */
  | { kind: 'stored'; q: StoredQuestionnaire };

export function attemptSummaries(q: StoredQuestionnaire) {
  return q.attempts.map((a) => ({ number: a.number, submitted: a.submittedAt !== null, passed: a.passed }));
}

/**
 * The member's questionnaire operations, with the process's cache of accredited pools.
 * @rule R-QST-6
 */
export function memberQuestionnaires(ctx: Pick<ServiceContext, 'db' | 'now' | 'links' | 'attendance' | 'log'>) {
  const pools = new Map<string, Map<string, PoolQuestion>>();

  /**
   * The event's pool, cached in the process: once a questionnaire exists the event is accredited
   * and its pool can no longer change (R-QST-3), so every member page of it reads the same 30
   * rows. Only a complete pool is cached; the oldest event goes first past POOL_CACHE_EVENTS.
   */
  async function poolOf(eventId: string): Promise<Map<string, PoolQuestion>> {
    const cached = pools.get(eventId);
    if (cached) return cached;
    const rows = await getPool(ctx.db, eventId);
    const pool = new Map(rows.map((p) => [p.id, p]));
    if (rows.length === QUESTIONNAIRE_RULES.poolSize) {
      if (pools.size >= POOL_CACHE_EVENTS) pools.delete(pools.keys().next().value!);
      pools.set(eventId, pool);
    }
    return pool;
  }

  /** Best effort: the decision is stored; the questionnaire sweep re-derives if this request is lost. */
  async function rederive(eventId: string) {
    await ctx.attendance.requestDerivation(eventId, 'questionnaire').catch((err) => ctx.log.warn({ err: String(err), eventId }, 'derivation request failed'));
  }

  return {
    poolOf,

    /** The questionnaire behind a link, and its state now. */
    async open(token: string): Promise<Opened> {
      const check = await ctx.links.verify('questionnaire', token, ctx.now());
      if (!check.ok && check.reason === 'invalid') return { kind: 'invalid' };
      if (!UUID_PATTERN.test(check.subject)) return { kind: 'invalid' };
      let q = await getQuestionnaire(ctx.db, check.subject);
      if (!q) return { kind: 'invalid' };
      if (!q.sentAt) {
        // Opened before its mail was marked sent (or handed over another way): the member has the
        // link now, so the 10 days start now (R-QST-2); the expiry sweep takes it from here.
        const at = new Date(ctx.now());
        await markDelivered(ctx.db, q.id, at, questionnaireDeadline(at));
        q = (await getQuestionnaire(ctx.db, q.id))!;
      }
      if (!check.ok) return { kind: 'expired-link', q };
      return { kind: 'ok', q, state: questionnaireState(attemptSummaries(q), q.deadline, ctx.now()) };
    },

    /**
     * Starts attempt `number`: a fresh draw, the retry excluding the first attempt's questions (R-QST-5).
     * @rule R-QST-7
     */
    async startAttempt(q: StoredQuestionnaire, number: number, client: Client): Promise<StoredAttempt> {
      const pool = await poolOf(q.eventId);
      const seen = q.attempts.flatMap((a) => a.draw.questionIds);
      const draw = drawQuestions(
        [...pool.values()].map((p) => ({ id: p.id, optionCount: p.options.length })),
        seen,
        crypto.randomInt, // R-QST-7
      );
      return insertAttempt(ctx.db, q.id, number, draw, new Date(ctx.now()), client);
    },

    /**
     * Scores and stores an attempt (R-QST-4) with the quality answers the first submission carries;
     * a pass or the second fail decides the questionnaire and re-derives the event (R-QST-8). A
     * replayed form leaves the first submission standing.
     */
    async submit(q: StoredQuestionnaire, attempt: StoredAttempt, chosen: Array<number | null>, quality: Record<string, number> | null): Promise<SubmitOutcome> {
      const served = await poolOf(q.eventId);
      const key = new Map(attempt.draw.questionIds.map((id) => [id, served.get(id)!.correct]));
      const score = scoreAttempt(attempt.draw, chosen, key);
      const at = new Date(ctx.now());
      const submitted: StoredAttempt = { ...attempt, submittedAt: at, answers: chosen, score: score.score, passed: score.passed };
      const after: StoredQuestionnaire = { ...q, attempts: q.attempts.map((a) => (a.number === attempt.number ? submitted : a)) };
      const outcome = await ctx.db.transaction(async (tx) => {
        // Under the questionnaire's row lock: an expiry at the deadline and this submission never interleave.
        if (!(await lockOpenQuestionnaire(tx, q.id, at))) return 'closed' as const;
        if (!(await submitAttempt(tx, q.id, attempt.number, { answers: chosen, score: score.score, passed: score.passed, at }))) return 'replayed' as const;
        if (quality) await saveQualityAnswers(tx, q.id, quality, at);
        const state = questionnaireState(attemptSummaries(after), q.deadline, at);
        const final = state.status === 'passed' || state.status === 'failed' ? state.status : null;
        return final && (await decideQuestionnaire(tx, q.id, final, at)) ? ('decided' as const) : ('submitted' as const);
      });
      if (outcome === 'closed') return { kind: 'closed' };
      if (outcome === 'decided') await rederive(q.eventId);
      // A concurrent submission of the same attempt won: what it stored.
      return { kind: 'stored', q: outcome === 'replayed' ? (await getQuestionnaire(ctx.db, q.id))! : after };
    },

    /** Past the deadline: decided now rather than by the expiry job (R-QST-8); the stored deadline decides. */
    async expireIfDue(q: StoredQuestionnaire): Promise<boolean> {
      const now = ctx.now();
      const expired = questionnaireState(attemptSummaries(q), q.deadline, now).status === 'expired';
      if (q.status !== 'open' || !expired) return expired;
      if (await decideQuestionnaire(ctx.db, q.id, 'expired', new Date(now))) await rederive(q.eventId);
      return true;
    },

    /**
     * Files an irregularity report for the accrediting CPO (R-QST-10); past MAX_REPORTS it is not stored.
     * @rule R-QST-10
     */
    async report(q: StoredQuestionnaire, message: string, client: Client): Promise<'stored' | 'limit'> {
      if ((await reportCount(ctx.db, q.id)) >= MAX_REPORTS) return 'limit';
      await insertReport(ctx.db, { questionnaireId: q.id, eventId: q.eventId, message, at: new Date(ctx.now()), clientAddr: client.addr });
      ctx.log.info({ questionnaireId: q.id, eventId: q.eventId }, 'irregularity reported');
      return 'stored';
    },
  };
}
