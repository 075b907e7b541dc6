/**
 * @module The questionnaire for organisers and councils (R-QST): the pool of 30 (read only by the
 * organiser, the accrediting CPO and the CN, R-QST-6), the questionnaires of an event, the audit of
 * one questionnaire's draws, ratings (R-QST-9) and irregularity reports (R-QST-10).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { Problem } from '../schemas/common.ts';
import {
  EventRating,
  IrregularityReportList,
  OrganiserRating,
  Pool,
  PoolInput,
  QuestionnaireAudit,
  QuestionnaireList,
  QuestionnaireListQuery,
} from '../schemas/questionnaire.ts';
import { readQuestionPool, replaceQuestionPool } from '../services/questionnaire/pool.ts';
import { questionnaireLink, resendQuestionnaireMail } from '../services/questionnaire/links.ts';
import { eventQuestionnaires, eventRating, irregularityReports, organiserRating, questionnaireAudit } from '../services/questionnaire/reads.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { router, SECURITY } from './router.ts';

const problems = {
  403: { description: 'Not allowed', content: { 'application/problem+json': { schema: Problem } } },
  404: { description: 'Unknown, or not visible to this key', content: { 'application/problem+json': { schema: Problem } } },
  409: { description: 'Not possible in the current state', content: { 'application/problem+json': { schema: Problem } } },
  422: { description: 'Violates a rule', content: { 'application/problem+json': { schema: Problem } } },
};
const badQuery = { description: '`invalid-query`: `offset` or `limit` out of bounds', content: { 'application/problem+json': { schema: Problem } } };
const Params = z.object({ id: z.uuid() });
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const TAGS = ['questionnaire'];

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
      return c.json(await replaceQuestionPool(deps, c.get('principal'), id, c.req.valid('json').questions), 200);
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
      return c.json(await readQuestionPool(deps, c.get('principal'), id), 200);
    },
  );

  // --- questionnaires of an event, and one questionnaire's audit ------------------------------

  app.use('/v1/events/:id/questionnaires', requireRole(deps.resolveKey, 'organiser', 'cpo', 'cn', 'admin'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/questionnaires',
      summary: "A page of the event's questionnaires: who received one, its deadline and status (links are personal and never listed)",
      description:
        'By member surname, given name (byte order), then id. `offset` (default 0) and `limit` (default 200, at most 1000) page through `total`; pass `next` as `offset` for the following page, null on the last. Out of bounds: 400 `invalid-query`.',
      tags: TAGS,
      security: SECURITY,
      request: { params: Params, query: QuestionnaireListQuery },
      responses: { 200: json(QuestionnaireList, 'Questionnaires'), ...problems, 400: badQuery },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { offset, limit } = c.req.valid('query');
      const page = await eventQuestionnaires(deps, c.get('principal'), { eventId: id, offset, limit });
      const items = page.items.map((q) => ({ ...q, sentAt: q.sentAt?.toISOString() ?? null, deadline: q.deadline?.toISOString() ?? null }));
      return c.json({ items, total: page.total, next: page.next }, 200);
    },
  );

  // --- handing a link over when its mail cannot go out (issue 14) ---------------------------

  app.use('/v1/questionnaires/:id/link', requireRole(deps.resolveKey, 'organiser', 'cpo'));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/questionnaires/{id}/link',
      summary: "A fresh link to the member's questionnaire, to hand over when the mail cannot go out (the organiser or the accrediting CPO)",
      description: 'The same page as the mailed link; if no mail reached the member, the 10 days start when the member first opens it (R-QST-2).',
      tags: TAGS,
      security: SECURITY,
      request: { params: Params },
      responses: { 200: json(z.object({ url: z.string(), expiresAt: z.string() }), 'The link'), ...problems },
    }),
    async (c) =>
      c.json(await questionnaireLink(deps, c.get('principal'), { questionnaireId: c.req.valid('param').id, origin: new URL(c.req.url).origin }), 200),
  );
  app.use('/v1/questionnaires/:id/resend', requireRole(deps.resolveKey, 'organiser', 'cpo'));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/questionnaires/{id}/resend',
      summary: 'Send the link mail again, to the given address or to the one the register (else the registration) now holds; only a mail not yet sent',
      description:
        'Codes: `no-address` (none known and none given), `mail-already-sent` (copy the link instead). `queued: false` when no SMTP server is configured: the mail waits in the outbox.',
      tags: TAGS,
      security: SECURITY,
      request: {
        params: Params,
        body: { content: { 'application/json': { schema: z.object({ email: z.email().max(320).optional() }) } }, required: false },
      },
      responses: { 200: json(z.object({ outboxId: z.number().int(), queued: z.boolean() }), 'Readdressed'), ...problems },
    }),
    async (c) => {
      const body = c.req.valid('json') as { email?: string } | undefined;
      return c.json(await resendQuestionnaireMail(deps, c.get('principal'), { questionnaireId: c.req.valid('param').id, email: body?.email }), 200);
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
      const { questionnaire: q, attempts, retryDrewUnseen } = await questionnaireAudit(deps, c.get('principal'), id);
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
          retryDrewUnseen,
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
      return c.json(await eventRating(deps, c.get('principal'), id), 200);
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
      const r = await organiserRating(deps, c.get('principal'), id);
      return c.json({ ...r, events: r.events.map((e) => ({ ...e, start: e.start.toISOString() })) }, 200);
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
      const items = await irregularityReports(deps, c.get('principal'));
      return c.json({ items: items.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) }, 200);
    },
  );

  return app;
}
