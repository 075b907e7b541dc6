/**
 * @module Reductions of the obligation for councils (R-RED): the calculator, and the procedure of
 * R-RED-7 on requests members file from their dashboard: acknowledge with a protocol number and a
 * responsible officer, pre-deny with 10 days to add documents, decide (approve with the reduction,
 * its split and validity, or deny with reasons) within the profile's term; the member may appeal
 * within 30 days of the notification. Every step is kept with who and when; a decision asks the
 * ledger to record how the member's balance changed (R-POL-2).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ReductionAcknowledge, ReductionCalc, ReductionDecision, ReductionOut, ReductionPreDenial } from '../schemas/balance.ts';
import {
  acknowledgeReduction,
  calculateReductions,
  decideReduction,
  getReductionRequest,
  listReductionRequests,
  preDenyReduction,
  reductionDocument,
} from '../services/council/reductions.ts';
import { requireRole } from './auth.ts';
import { download } from './council-requests.ts';
import type { Deps } from './deps.ts';
import { json, problems } from './responses.ts';
import { router, SECURITY } from './router.ts';

const TAGS = ['reductions'];
const Params = z.object({ id: z.uuid() });

export function reductionAdminRoutes(deps: Deps) {
  const app = router();
  const councils = requireRole(deps.resolveKey, 'cpo', 'cn', 'admin');
  const deciders = requireRole(deps.resolveKey, 'cpo', 'cn');

  app.use('/v1/reductions/calculate', councils);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/reductions/calculate',
      summary: 'The reduction calculator (R-RED-2..5): each cause rounded and split on its own, then added up under the profile ceiling',
      description:
        'Members use the same calculator on their dashboard before filing. Without `profile`, a CPO key uses its own policy, others the national profile.',
      tags: TAGS,
      security: SECURITY,
      request: { body: { content: { 'application/json': { schema: ReductionCalc } }, required: true } },
      responses: {
        200: json(z.object({ cases: z.array(z.record(z.string(), z.unknown())), total: z.record(z.string(), z.unknown()) }), 'Result'),
        ...problems,
      },
    }),
    async (c) => {
      const { cases, total } = await calculateReductions(deps, c.get('principal'), c.req.valid('json'));
      return c.json({ cases: cases as unknown as Record<string, unknown>[], total: total as unknown as Record<string, unknown> }, 200);
    },
  );

  app.use('/v1/reduction-requests', councils);
  app.use('/v1/reduction-requests/:id', councils);
  app.use('/v1/reduction-requests/:id/documents/:doc', councils);
  for (const action of ['acknowledge', 'pre-denial', 'decision']) app.use(`/v1/reduction-requests/:id/${action}`, deciders);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/reduction-requests',
      summary: 'Reduction requests filed with the CPO (all for the CN), newest first, with documents and steps',
      tags: TAGS,
      security: SECURITY,
      request: {
        query: z.object({ status: z.string().max(20).optional(), memberId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) }),
      },
      responses: { 200: json(z.object({ requests: z.array(ReductionOut) }), 'Requests') },
    }),
    async (c) => c.json({ requests: await listReductionRequests(deps, c.get('principal'), c.req.valid('query')) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/reduction-requests/{id}',
      summary: 'One request',
      tags: TAGS,
      security: SECURITY,
      request: { params: Params },
      responses: { 200: json(ReductionOut, 'Request'), ...problems },
    }),
    async (c) => c.json(await getReductionRequest(deps, c.get('principal'), c.req.valid('param').id), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/reduction-requests/{id}/documents/{doc}',
      summary: 'A document the member attached, as uploaded',
      tags: TAGS,
      security: SECURITY,
      request: { params: z.object({ id: z.uuid(), doc: z.uuid() }) },
      responses: {
        200: { description: 'The file', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
        ...problems,
      },
    }),
    async (c) => download(c, await reductionDocument(deps, c.get('principal'), c.req.valid('param'))),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/reduction-requests/{id}/acknowledge',
      summary: 'Acknowledge a request with its protocol number and responsible officer (R-RED-7)',
      tags: TAGS,
      security: SECURITY,
      request: { params: Params, body: { content: { 'application/json': { schema: ReductionAcknowledge } }, required: true } },
      responses: { 200: json(ReductionOut, 'Acknowledged'), ...problems },
    }),
    async (c) => c.json(await acknowledgeReduction(deps, c.get('principal'), { id: c.req.valid('param').id, ...c.req.valid('json') }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/reduction-requests/{id}/pre-denial',
      summary: 'Pre-deny: the member has 10 days to add documents; the decision term is extended by them (R-RED-7)',
      tags: TAGS,
      security: SECURITY,
      request: { params: Params, body: { content: { 'application/json': { schema: ReductionPreDenial } }, required: true } },
      responses: { 200: json(ReductionOut, 'Pre-denied'), ...problems },
    }),
    async (c) => c.json(await preDenyReduction(deps, c.get('principal'), { id: c.req.valid('param').id, ...c.req.valid('json') }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/reduction-requests/{id}/decision',
      summary: "Approve (the calculator's reduction unless stated, split by R-RED-4, validity by R-RED-6) or deny with reasons",
      tags: TAGS,
      security: SECURITY,
      request: { params: Params, body: { content: { 'application/json': { schema: ReductionDecision } }, required: true } },
      responses: { 200: json(ReductionOut, 'Decided'), ...problems },
    }),
    async (c) => c.json(await decideReduction(deps, c.get('principal'), { id: c.req.valid('param').id, ...c.req.valid('json') }), 200),
  );
  return app;
}
