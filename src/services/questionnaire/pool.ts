/**
 * @module The 30 scientific questions of a kind-e webinar (R-QST-3): replaced while the
 * accreditation is still requested and before any questionnaire is sent (R-QST-6), read by the
 * organiser, the accrediting CPO and the CN only.
 */
import { accreditationStatus } from '../../domain/events.ts';
import { QUESTIONNAIRE_RULES, questionnaireApplies, validatePool, type PoolQuestionDraft, type PoolViolation } from '../../domain/questionnaire.ts';
import { getPool, poolEventFacts, questionnairesExist, replacePool, type PoolQuestion } from '../../store/questionnaire.ts';
import { lockFor } from '../../store/locks.ts';
import { visibleEvent } from '../access.ts';
import type { Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

export interface PoolView {
  eventId: string;
  questions: PoolQuestion[];
  locked: boolean;
}

/** The 422 for a pool that breaks R-QST-3, listing every violation. */
export function poolError(violations: readonly PoolViolation[]): ServiceError {
  return new ServiceError('invalid-question-pool', `${violations.length} problem(s) with the question pool (R-QST-3)`, {
    errors: violations.map((v) => ({ code: v.code, path: v.path, message: v.message })),
  });
}

/**
 * Replaces the pool. The CPO accredits the event with its questions: once approved (or by
 * silence) they stay; once questionnaires are sent they stay too (R-QST-6).
 */
export async function replaceQuestionPool(
  ctx: Pick<ServiceContext, 'db' | 'now' | 'log'>,
  actor: Actor,
  eventId: string,
  questions: readonly PoolQuestionDraft[],
): Promise<PoolView> {
  await visibleEvent(ctx.db, actor, eventId);
  const ev = await poolEventFacts(ctx.db, eventId);
  if (!ev || !questionnaireApplies(ev.kind, ev.mode)) {
    throw new ServiceError(
      'questionnaire-not-applicable',
      `Only webinars of kind-e organisers have a questionnaire (R-QST-1); pools hold ${QUESTIONNAIRE_RULES.poolSize} questions`,
    );
  }
  if (accreditationStatus({ status: ev.accreditationStatus, requestedAt: ev.accreditationRequestedAt.getTime() }, ctx.now()) !== 'requested') {
    throw new ServiceError('question-pool-accredited', 'The accreditation is decided: the pool the CPO accredited can no longer change (R-QST-3)');
  }
  const violations = validatePool(questions);
  if (violations.length) throw poolError(violations);
  const stored = await ctx.db.transaction(async (tx) => {
    await lockFor(tx, 'eventQuestionnaire', eventId);
    if (await questionnairesExist(tx, eventId)) return null;
    return replacePool(tx, eventId, questions);
  });
  if (!stored) throw new ServiceError('question-pool-locked', 'Questionnaires have been sent: the pool can no longer change (R-QST-6)');
  ctx.log.info({ eventId, questions: stored.length }, 'question pool replaced');
  return { eventId, questions: stored, locked: false };
}

/** The pool with its answer key, and whether it can still change (R-QST-6). */
export async function readQuestionPool(ctx: Pick<ServiceContext, 'db'>, actor: Actor, eventId: string): Promise<PoolView> {
  await visibleEvent(ctx.db, actor, eventId);
  const questions = await getPool(ctx.db, eventId);
  return { eventId, questions, locked: await questionnairesExist(ctx.db, eventId) };
}
