/**
 * @module The questionnaire for organisers and councils (R-QST): the pool of 30 (read only by the
 * organiser, the accrediting CPO and the CN, R-QST-6), the questionnaires of an event, the audit of
 * one questionnaire's draws, ratings (R-QST-9) and irregularity reports (R-QST-10).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { accreditationStatus, type AccreditationState } from '../domain/events.ts';
import { QUESTIONNAIRE_RULES, questionnaireApplies, rate, validatePool, type PoolViolation } from '../domain/questionnaire.ts';
import { Problem } from '../schemas/common.ts';
import { EventRating, IrregularityReportList, OrganiserRating, Pool, PoolInput, QuestionnaireAudit, QuestionnaireList } from '../schemas/questionnaire.ts';
import type { Db } from '../store/db.ts';
import {
  eventQualityAnswers,
  getAttempts,
  getPool,
  getQuestionnaire,
  listQuestionnaires,
  listReports,
  organiserQualityAnswers,
  questionnairesExist,
  replacePool,
} from '../store/questionnaire.ts';
import { canSeeEvent } from '../domain/roles.ts';
import { visibleEvent } from '../services/access.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { ServiceError } from '../services/errors.ts';
import { router, SECURITY } from './router.ts';
import { lockFor } from '../store/locks.ts';

const problems = {
  403: { description: 'Not allowed', content: { 'application/problem+json': { schema: Problem } } },
  404: { description: 'Unknown, or not visible to this key', content: { 'application/problem+json': { schema: Problem } } },
  409: { description: 'Not possible in the current state', content: { 'application/problem+json': { schema: Problem } } },
  422: { description: 'Violates a rule', content: { 'application/problem+json': { schema: Problem } } },
};
const Params = z.object({ id: z.uuid() });
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const TAGS = ['questionnaire'];


/** The 422 for a pool that breaks R-QST-3, listing every violation. */
export function poolError(violations: readonly PoolViolation[]): ServiceError {
  return new ServiceError('invalid-question-pool', `${violations.length} problem(s) with the question pool (R-QST-3)`, {
    errors: violations.map((v) => ({ code: v.code, path: v.path, message: v.message })),
  });
}

export function questionnaireAdminRoutes(deps: Deps) {
  const app = router();

  // --- the pool -----------------------------------------------------------------------------

  app.use('/v1/events/:id/questionnaire/pool', async (c, next) => {
    // Writing: the organiser; reading: organiser, accrediting CPO, CN (R-QST-6). Not admin or platform keys.
    const roles = c.req.method === 'PUT' ? (['organiser'] as const) : (['organiser', 'cpo', 'cn'] as const);
    return requireRole(deps.resolveKey, ...roles)(c, next);
  });
  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/events/{id}/questionnaire/pool',
      summary: 'Replace the 30 scientific questions of a kind-e webinar (R-QST-3) while its accreditation is still requested',
      tags: TAGS,
      security: SECURITY,
      request: { params: Params, body: { content: { 'application/json': { schema: PoolInput } }, required: true } },
      responses: { 200: json(Pool, 'Stored'), ...problems },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const e = await visibleEvent(deps.db, c.get('principal'), id);
      const ev = await requireApplicable(deps.db, id);
      // The CPO accredits the event with its questions: once approved (or by silence), they stay.
      if (accreditationStatus({ status: ev.accreditation_status, requestedAt: ev.accreditation_requested_at.getTime() }, deps.now()) !== 'requested') {
        throw new ServiceError('question-pool-accredited', 'The accreditation is decided: the pool the CPO accredited can no longer change (R-QST-3)');
      }
      const { questions } = c.req.valid('json');
      const violations = validatePool(questions);
      if (violations.length) throw poolError(violations);
      const stored = await deps.db.transaction(async (tx) => {
        await lockFor(tx, 'eventQuestionnaire', id);
        if (await questionnairesExist(tx, id)) return null;
        return replacePool(tx, id, questions);
      });
      if (!stored) throw new ServiceError('question-pool-locked', 'Questionnaires have been sent: the pool can no longer change (R-QST-6)');
      deps.log.info({ eventId: e.id, questions: stored.length }, 'question pool replaced');
      return c.json({ eventId: id, questions: stored, locked: false }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/questionnaire/pool',
      summary: 'The pool with its answer key: organiser, accrediting CPO and CN only (R-QST-6)',
      tags: TAGS,
      security: SECURITY,
      request: { params: Params },
      responses: { 200: json(Pool, 'The pool'), ...problems },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await visibleEvent(deps.db, c.get('principal'), id);
      const questions = await getPool(deps.db, id);
      return c.json({ eventId: id, questions, locked: await questionnairesExist(deps.db, id) }, 200);
    },
  );

  // --- questionnaires of an event, and one questionnaire's audit ------------------------------

  app.use('/v1/events/:id/questionnaires', requireRole(deps.resolveKey, 'organiser', 'cpo', 'cn', 'admin'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/questionnaires',
      summary: "The event's questionnaires: who received one, its deadline and status (links are personal and never listed)",
      tags: TAGS,
      security: SECURITY,
      request: { params: Params },
      responses: { 200: json(QuestionnaireList, 'Questionnaires'), ...problems },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await visibleEvent(deps.db, c.get('principal'), id);
      const items = await listQuestionnaires(deps.db, id);
      return c.json(
        { items: items.map((q) => ({ ...q, sentAt: q.sentAt?.toISOString() ?? null, deadline: q.deadline?.toISOString() ?? null })) },
        200,
      );
    },
  );

  app.use('/v1/questionnaires/:id', requireRole(deps.resolveKey, 'organiser', 'cpo', 'cn'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/questionnaires/{id}',
      summary: 'Audit of one questionnaire: the questions served in each attempt, option orders, answers and scores (R-QST-5/6/7)',
      tags: TAGS,
      security: SECURITY,
      request: { params: Params },
      responses: { 200: json(QuestionnaireAudit, 'The questionnaire'), ...problems },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const q = await getQuestionnaire(deps.db, id);
      if (!q) throw new ServiceError('questionnaire-not-found');
      const { rows } = await deps.db.query<{ organiser_id: string; cpo_province: string }>('SELECT organiser_id, cpo_province FROM events WHERE id = $1', [q.eventId]);
      if (!rows[0] || !canSeeEvent(c.get('principal'), rows[0])) throw new ServiceError('questionnaire-not-found');
      const attempts = await getAttempts(deps.db, id);
      const [first, second] = attempts;
      return c.json(
        {
          id: q.id,
          eventId: q.eventId,
          memberId: q.memberId,
          sentAt: q.sentAt?.toISOString() ?? null,
          deadline: q.deadline?.toISOString() ?? null,
          status: q.status,
          decidedAt: q.decidedAt?.toISOString() ?? null,
          qualityAnswers: q.qualityAnswers,
          attempts: attempts.map((a) => ({
            number: a.number,
            questionIds: a.draw.questionIds,
            optionOrder: a.draw.optionOrder,
            startedAt: a.startedAt.toISOString(),
            submittedAt: a.submittedAt?.toISOString() ?? null,
            answers: a.answers,
            score: a.score,
            passed: a.passed,
          })),
          retryDrewUnseen: first && second ? !second.draw.questionIds.some((qid) => first.draw.questionIds.includes(qid)) : null,
        },
        200,
      );
    },
  );

  // --- ratings (R-QST-9) ----------------------------------------------------------------------

  app.use('/v1/events/:id/questionnaire/rating', requireRole(deps.resolveKey, 'organiser', 'cn'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/questionnaire/rating',
      summary: "Average quality answer of the event's questionnaires (R-QST-9)",
      tags: TAGS,
      security: SECURITY,
      request: { params: Params },
      responses: { 200: json(EventRating, 'Rating'), ...problems },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await visibleEvent(deps.db, c.get('principal'), id);
      return c.json({ eventId: id, rating: rate(await eventQualityAnswers(deps.db, id)) }, 200);
    },
  );

  app.use('/v1/organisers/:id/rating', requireRole(deps.resolveKey, 'organiser', 'cn'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/organisers/{id}/rating',
      summary: "The organiser's rating over its events in the authorisation period, flagged under 6/10 (R-QST-9)",
      tags: TAGS,
      security: SECURITY,
      request: { params: Params },
      responses: { 200: json(OrganiserRating, 'Rating'), ...problems },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const p = c.get('principal');
      if (p.role === 'organiser' && p.subject !== id) throw new ServiceError('organiser-not-found');
      const { rows } = await deps.db.query('SELECT 1 FROM organisers WHERE id = $1', [id]);
      if (!rows.length) throw new ServiceError('organiser-not-found');
      const events = await organiserQualityAnswers(deps.db, id);
      return c.json(
        {
          organiserId: id,
          rating: rate(events.flatMap((e) => e.answers)),
          events: events.map((e) => ({ eventId: e.eventId, title: e.title, start: e.start.toISOString(), rating: rate(e.answers) })),
        },
        200,
      );
    },
  );

  // --- irregularity reports (R-QST-10) --------------------------------------------------------

  app.use('/v1/questionnaire-reports', requireRole(deps.resolveKey, 'cpo', 'cn'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/questionnaire-reports',
      summary: 'Irregularities members reported from their questionnaire: a CPO sees those on the events it accredits (R-QST-10)',
      tags: TAGS,
      security: SECURITY,
      responses: { 200: json(IrregularityReportList, 'Reports, newest first'), ...problems },
    }),
    async (c) => {
      const p = c.get('principal');
      const items = await listReports(deps.db, p.role === 'cpo' ? { cpoProvince: p.subject! } : { all: true });
      return c.json({ items: items.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) }, 200);
    },
  );

  return app;
}

async function requireApplicable(db: Db, eventId: string) {
  const { rows } = await db.query<{ kind: string; mode: string; accreditation_status: AccreditationState; accreditation_requested_at: Date }>(
    'SELECT o.kind, e.mode, e.accreditation_status, e.accreditation_requested_at FROM events e JOIN organisers o ON o.id = e.organiser_id WHERE e.id = $1',
    [eventId],
  );
  const r = rows[0];
  if (!r || !questionnaireApplies(r.kind, r.mode)) {
    throw new ServiceError('questionnaire-not-applicable', `Only webinars of kind-e organisers have a questionnaire (R-QST-1); pools hold ${QUESTIONNAIRE_RULES.poolSize} questions`);
  }
  return r;
}
