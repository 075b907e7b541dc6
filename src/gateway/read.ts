/**
 * @module Read API: an event's outcomes with explanations (R-ATT-9), its unmatched participants
 * and incomplete records, its audit trail; a member's credit records.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { AuditEntry, CreditRecord, OutcomePage, OutcomeStatus } from '../schemas/attendance.ts';
import { Problem } from '../schemas/common.ts';
import { auditTrail, memberCredits, outcomePage } from '../services/attendance/read.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { router, SECURITY } from './router.ts';

const notFound = { 404: { description: 'Unknown', content: { 'application/problem+json': { schema: Problem } } } };
const Page = z.object({
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
  after: z.string().max(300).optional().openapi({ description: 'participantKey to continue after (from `next`)' }),
});

/** Views of the outcome list: the same query with a status filter. */
const VIEWS: Record<string, { path: string; summary: string; statuses: string[] | null }> = {
  outcomes: { path: '/v1/events/{id}/outcomes', summary: "Every participant's outcome with its explanation (R-ATT-9)", statuses: null },
  unmatched: {
    path: '/v1/events/{id}/unmatched',
    summary: 'Participants matching no registered member (R-ATT-7), kept and never credited',
    statuses: ['unmatched', 'identity-conflict'],
  },
  incomplete: {
    path: '/v1/events/{id}/incomplete',
    summary: 'Participants with a join and no exit (R-ATT-6): the organiser supplies the exit',
    statuses: ['incomplete'],
  },
};

export function readRoutes(deps: Deps) {
  const app = router();
  // Outcomes name members and explain their attendance: the organiser, the CPO and the CN (README's
  // role table); platform keys only send evidence, and the operator's admin key reads no outcomes.
  const readers = requireRole(deps.resolveKey, 'organiser', 'cpo', 'cn');

  for (const [name, view] of Object.entries(VIEWS)) {
    app.use(view.path.replace('{id}', ':id'), readers);
    app.openapi(
      createRoute({
        method: 'get',
        path: view.path,
        summary: view.summary,
        tags: ['attendance'],
        security: SECURITY,
        request: {
          params: z.object({ id: z.uuid() }),
          query: view.statuses ? Page : Page.extend({ status: OutcomeStatus.optional() }),
        },
        responses: { 200: { description: name, content: { 'application/json': { schema: OutcomePage } } }, ...notFound },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const q = c.req.valid('query') as z.infer<typeof Page> & { status?: string };
        const statuses = view.statuses ?? (q.status ? [q.status] : null);
        return c.json(await outcomePage(deps, c.get('principal'), id, { statuses, limit: q.limit, after: q.after ?? null }), 200);
      },
    );
  }

  app.use('/v1/events/:id/audit', readers);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/audit',
      summary: 'Every re-derivation that changed an outcome: old, new, why (R-POL-2)',
      tags: ['attendance'],
      security: SECURITY,
      request: {
        params: z.object({ id: z.uuid() }),
        query: z.object({ limit: z.coerce.number().int().min(1).max(5000).default(1000), after: z.coerce.number().int().optional() }),
      },
      responses: { 200: { description: 'Audit', content: { 'application/json': { schema: z.object({ entries: z.array(AuditEntry) }) } } }, ...notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await auditTrail(deps, c.get('principal'), id, c.req.valid('query')), 200);
    },
  );

  app.use('/v1/members/:id/credits', requireRole(deps.resolveKey, 'cpo', 'cn', 'admin'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/members/{id}/credits',
      summary: "A member's credit records (member, event, fraction, credits, mode, deontology, year)",
      tags: ['members'],
      security: SECURITY,
      request: { params: z.object({ id: z.uuid() }), query: z.object({ year: z.coerce.number().int().optional() }) },
      responses: {
        200: { description: 'Credit records', content: { 'application/json': { schema: z.object({ memberId: z.uuid(), credits: z.array(CreditRecord) }) } } },
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await memberCredits(deps, c.get('principal'), id, c.req.valid('query')), 200);
    },
  );
  return app;
}
