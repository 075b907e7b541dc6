/**
 * @module Reductions of the obligation for councils (R-RED): the calculator, and the procedure of
 * R-RED-7 on requests members file from their dashboard: acknowledge with a protocol number and a
 * responsible officer, pre-deny with 10 days to add documents, decide (approve with the reduction,
 * its split and validity, or deny with reasons) within the profile's term; the member may appeal
 * within 30 days of the notification. Every step is kept with who and when; a decision asks the
 * ledger to record how the member's balance changed (R-POL-2).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { romeDate } from '../domain/calendar.ts';
import { resolvePolicy, type Policy } from '../domain/policy.ts';
import { appealDeadline, computeReduction, cumulativeReduction, decisionDeadline, integrationDeadline, nextState, splitReduction, type ReductionAction, type ReductionState } from '../domain/reduction.ts';
import { ReductionAcknowledge, ReductionCalc, ReductionDecision, ReductionOut, ReductionPreDenial } from '../schemas/balance.ts';
import { getDocument, getReduction, insertStep, listReductions, updateReduction, type ReductionRow, type ReductionUpdate } from '../store/member-requests.ts';
import { currentPolicy } from '../store/policy.ts';
import { requireRole, type Principal } from './auth.ts';
import { download, provinceOf, visibleTo } from './council-requests.ts';
import type { Deps } from './deps.ts';
import { balancesMayHaveChanged } from './ledger.ts';
import { ServiceError } from '../services/errors.ts';
import { json, problems } from './responses.ts';
import { actorRef } from '../services/actor.ts';
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
      description: 'Members use the same calculator on their dashboard before filing. Without `profile`, a CPO key uses its own policy, others the national profile.',
      tags: TAGS,
      security: SECURITY,
      request: { body: { content: { 'application/json': { schema: ReductionCalc } }, required: true } },
      responses: { 200: json(z.object({ cases: z.array(z.record(z.string(), z.unknown())), total: z.record(z.string(), z.unknown()) }), 'Result'), ...problems },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const p = c.get('principal');
      const policy = body.profile ? resolvePolicy(body.profile, {}) : p.role === 'cpo' ? (await currentPolicy(deps.db, p.subject!)).policy : resolvePolicy('national', {});
      const results = body.cases.map((k) => computeReduction(k.cause, k.input as never, { biennium: body.biennium, policy }));
      const ok = results.filter((r) => r.ok);
      const total = cumulativeReduction(ok, { policy, obligation: { total: 50, deontology: 6 } });
      return c.json({ cases: results as unknown as Record<string, unknown>[], total: total as unknown as Record<string, unknown> }, 200);
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
      request: { query: z.object({ status: z.string().max(20).optional(), memberId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) }) },
      responses: { 200: json(z.object({ requests: z.array(ReductionOut) }), 'Requests') },
    }),
    async (c) => c.json({ requests: await listReductions(deps.db, { province: provinceOf(c.get('principal')), ...c.req.valid('query') }) }, 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/reduction-requests/{id}', summary: 'One request', tags: TAGS, security: SECURITY, request: { params: Params }, responses: { 200: json(ReductionOut, 'Request'), ...problems } }),
    async (c) => {
      const r = await getReduction(deps.db, c.req.valid('param').id);
      visibleTo(c.get('principal'), r, 'reduction-not-found');
      return c.json(r!, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/reduction-requests/{id}/documents/{doc}',
      summary: 'A document the member attached, as uploaded',
      tags: TAGS,
      security: SECURITY,
      request: { params: z.object({ id: z.uuid(), doc: z.uuid() }) },
      responses: { 200: { description: 'The file', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } }, ...problems },
    }),
    async (c) => {
      const { id, doc } = c.req.valid('param');
      const r = await getReduction(deps.db, id);
      visibleTo(c.get('principal'), r, 'reduction-not-found');
      if (!r!.documents.some((d) => d.id === doc)) throw new ServiceError('document-not-found');
      return download(c, (await getDocument(deps.db, doc))!);
    },
  );

  /** One step of the procedure: checks the transition, writes the columns and the step, returns the request. */
  const step = async (
    p: Principal,
    id: string,
    action: ReductionAction,
    build: (r: ReductionRow, today: string, policy: Policy) => { set: ReductionUpdate; detail: Record<string, unknown> },
  ) => {
    const at = new Date(deps.now());
    const today = romeDate(at);
    await deps.db.transaction(async (tx) => {
      const r = await getReduction(tx, id, { forUpdate: true });
      visibleTo(p, r, 'reduction-not-found');
      const next = nextState(r!.status as ReductionState, action);
      if (!next.ok) throw new ServiceError('invalid-transition', `A request that is ${r!.status} cannot be ${action === 'pre-deny' ? 'pre-denied' : action + 'd'} (R-RED-7)`);
      // Read inside the transaction: on PGlite (one connection) a query outside it would wait for it.
      const policy = (await currentPolicy(tx, r!.province)).policy;
      const { set, detail } = build(r!, today, policy);
      if (!(await updateReduction(tx, id, r!.status, next.state, set, at))) throw new ServiceError('conflict');
      await insertStep(tx, id, { action, from: r!.status, to: next.state, actor: actorRef(p), detail, at });
    });
    return (await getReduction(deps.db, id))!;
  };

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
    async (c) => {
      const body = c.req.valid('json');
      try {
        const r = await step(c.get('principal'), c.req.valid('param').id, 'acknowledge', () => ({
          set: { protocol_number: body.protocolNumber, officer: body.officer },
          detail: { protocolNumber: body.protocolNumber, officer: body.officer },
        }));
        return c.json(r, 200);
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw new ServiceError('protocol-number-taken', 'This protocol number is already used in the province');
        throw err;
      }
    },
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
    async (c) => {
      const { reasons } = c.req.valid('json');
      const r = await step(c.get('principal'), c.req.valid('param').id, 'pre-deny', (r, today, policy) => {
        const integration = integrationDeadline(today, policy);
        return {
          set: { pre_denial_reasons: reasons, integration_deadline: integration, decision_deadline: decisionDeadline({ filedOn: r.filedOn, preDenialOn: today }, policy) },
          detail: { reasons, integrationDeadline: integration },
        };
      });
      return c.json(r, 200);
    },
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
    async (c) => {
      const body = c.req.valid('json');
      const action: ReductionAction = body.decision === 'approve' ? 'approve' : 'deny';
      const r = await step(c.get('principal'), c.req.valid('param').id, action, (r, today, policy) => {
        const computed = r.computed as { reduction: number; validity: string; validUntil: string | null };
        let decision: Record<string, unknown>;
        if (action === 'approve') {
          const reduction = body.reduction ?? computed.reduction;
          const split = body.deontology !== undefined ? { reduction, deontology: Math.min(body.deontology, reduction), ordinary: reduction - Math.min(body.deontology, reduction) } : splitReduction(reduction);
          decision = { outcome: 'approved', ...split, validity: computed.validity, validUntil: computed.validUntil, ...(body.reasons ? { reasons: body.reasons } : {}) };
        } else {
          decision = { outcome: 'denied', reasons: body.reasons };
        }
        return {
          set: { decision, decided_at: new Date(deps.now()), decided_by: actorRef(c.get('principal')), notified_on: today, appeal_deadline: appealDeadline(today, policy) },
          detail: decision,
        };
      });
      deps.log.info({ requestId: r.id, outcome: action }, 'reduction decided');
      // The request's biennium; a permanent reduction carries into the current one (R-RED-6).
      await balancesMayHaveChanged(deps, {
        cause: `reduction request ${r.id} ${action === 'approve' ? 'approved' : 'denied'} (R-RED-7)`,
        actor: actorRef(c.get('principal')),
        scope: { memberIds: [r.memberId] },
        extra: [r.biennium],
      });
      return c.json(r, 200);
    },
  );
  return app;
}

