/**
 * @module Member balances for councils (R-OBL, R-FAD, R-ART9, R-DEBT, R-RED): one member's
 * balance of a biennium, a CPO's list of its members' balances, transfers between provinces
 * (R-FAD-4) and the signed link to a member's dashboard. Balances are derived on read from the
 * stored facts by `memberBalance`, so they always equal the pure derivation; the ledger's audit
 * says when and why a member's outcome changed (R-POL-2, `workers/ledger.ts`).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { Biennium, BalanceSummary, MemberBalance, TransferCreate } from '../schemas/balance.ts';
import { BalanceAudit } from '../schemas/ledger.ts';
import { dashboardLink, getBalanceAudit, getMemberBalance, listBalances, transferMember } from '../services/balance/balances.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { json, problems } from './responses.ts';
import { router, SECURITY } from './router.ts';

const TAGS = ['balances'];

export function balanceRoutes(deps: Deps) {
  const app = router();
  const councils = requireRole(deps.resolveKey, 'cpo', 'cn', 'admin');

  app.use('/v1/members/:id/balance', councils);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/members/{id}/balance',
      summary: "A member's balance of a biennium: obligation, counted and recorded credits, caps, what did not count and why, debt, compliance",
      description: 'Keys: cpo (members of its province), cn, admin. Without `biennium`, the current one.',
      tags: TAGS,
      security: SECURITY,
      request: { params: z.object({ id: z.uuid() }), query: z.object({ biennium: Biennium.optional() }) },
      responses: { 200: json(MemberBalance, 'Balance'), ...problems },
    }),
    async (c) => c.json(await getMemberBalance(deps, c.get('principal'), { id: c.req.valid('param').id, biennium: c.req.valid('query').biennium }), 200),
  );

  app.use('/v1/members/:id/balance/audit', councils);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/members/{id}/balance/audit',
      summary: "How a member's balance outcomes changed, newest first: old and new outcome, cause, who, when (R-POL-2)",
      description:
        'Keys: cpo (members of its province), cn, admin. Without `biennium`, every biennium. Rows are written by the ledger worker after each change ' +
        '(grants, policy, decisions, transfers, re-derived credits) and by its sweep; the first row of a biennium has `old: null`.',
      tags: TAGS,
      security: SECURITY,
      request: {
        params: z.object({ id: z.uuid() }),
        query: z.object({
          biennium: Biennium.optional(),
          before: z.coerce.number().int().min(1).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
      },
      responses: { 200: json(BalanceAudit, 'Audit rows'), ...problems },
    }),
    async (c) => c.json(await getBalanceAudit(deps, c.get('principal'), { id: c.req.valid('param').id, ...c.req.valid('query') }), 200),
  );

  app.use('/v1/balances', councils);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/balances',
      summary: "Balances of a province's members (a CPO: its own), in pages by member id",
      tags: TAGS,
      security: SECURITY,
      request: {
        query: z.object({
          biennium: Biennium.optional(),
          province: z.string().length(2).optional(),
          status: z.enum(['compliant', 'in-progress', 'debt-open', 'non-compliant']).optional(),
          after: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(500),
        }),
      },
      responses: { 200: json(z.object({ biennium: z.number().int(), balances: z.array(BalanceSummary), next: z.uuid().nullable() }), 'Balances'), ...problems },
    }),
    async (c) => c.json(await listBalances(deps, c.get('principal'), c.req.valid('query')), 200),
  );

  const cnAdmin = requireRole(deps.resolveKey, 'cn', 'admin');
  app.use('/v1/members/:id/transfer', cnAdmin);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/members/{id}/transfer',
      summary: 'Move a member to another province from a date (R-FAD-4: grants of the old province stay until the end of the biennium)',
      description: 'Keys: cn, admin.',
      tags: TAGS,
      security: SECURITY,
      request: { params: z.object({ id: z.uuid() }), body: { content: { 'application/json': { schema: TransferCreate } }, required: true } },
      responses: { 200: json(z.object({ memberId: z.uuid(), province: z.string(), registerNumber: z.string(), on: z.string() }), 'Transferred'), ...problems },
    }),
    async (c) => c.json(await transferMember(deps, c.get('principal'), { id: c.req.valid('param').id, ...c.req.valid('json') }), 200),
  );

  // Not admin: a member link opens personal data and cannot be revoked before it expires.
  app.use('/v1/members/:id/dashboard-link', requireRole(deps.resolveKey, 'cpo', 'cn'));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/members/{id}/dashboard-link',
      summary: "A signed link to the member's dashboard (Italian page), valid 30 days",
      description: 'Keys: cpo (members of its province), cn. The council hands it to the member.',
      tags: TAGS,
      security: SECURITY,
      request: { params: z.object({ id: z.uuid() }) },
      responses: { 201: json(z.object({ url: z.string(), expiresAt: z.string() }), 'Link'), ...problems },
    }),
    async (c) => c.json(await dashboardLink(deps, c.get('principal'), { id: c.req.valid('param').id, origin: new URL(c.req.url).origin }), 201),
  );
  return app;
}
