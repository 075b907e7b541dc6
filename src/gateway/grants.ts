/**
 * @module Distance grants (R-FAD-3, R-FAD-4) for CPOs and the CN, and the CN's alerts. A CPO grants to
 * members of its province, to a group of them or to the whole province (with the CN's binding
 * opinion); the CN grants anything, nationally too. Every CPO change raises an alert for the CN.
 * Balances are derived on read, so a grant or a revocation changes them at once; once it has
 * committed, the ledger is asked to record whose outcomes changed (R-POL-2).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { GRANT_GROUNDS } from '../domain/grants.ts';
import { AlertOut, GrantCreate, GrantOut, Reason } from '../schemas/balance.ts';
import { acknowledge, createGrant, listAlerts, listGrants, revokeGrant } from '../services/council/grants.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { problems, json } from './responses.ts';
import { router, SECURITY } from './router.ts';

const TAGS = ['distance grants'];

export function grantRoutes(deps: Deps) {
  const app = router();
  const councils = requireRole(deps.resolveKey, 'cpo', 'cn');

  app.use('/v1/distance-grants', councils);
  app.use('/v1/distance-grants/*', councils);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/distance-grants',
      summary: 'Grant a raised distance-learning pct to a member, a group, a province or everyone (R-FAD-3)',
      description:
        'Keys: cpo (its own members or province; a province-wide grant needs `cnOpinion`), cn (any scope). Grounds and their ceilings: ' +
        Object.entries(GRANT_GROUNDS)
          .map(([g, v]) => `${g} (≤ ${v.maxPct}%, ${v.scopes.join('/')})`)
          .join(', ') +
        '. A CPO grant raises an alert for the CN.',
      tags: TAGS,
      security: SECURITY,
      request: { body: { content: { 'application/json': { schema: GrantCreate } }, required: true } },
      responses: { 201: json(GrantOut, 'Granted'), ...problems },
    }),
    async (c) => c.json(await createGrant(deps, c.get('principal'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/distance-grants',
      summary: "Grants: a CPO's own, or all for the CN",
      tags: TAGS,
      security: SECURITY,
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(500) }) },
      responses: { 200: json(z.object({ grants: z.array(GrantOut) }), 'Grants') },
    }),
    async (c) => c.json({ grants: await listGrants(deps, c.get('principal'), c.req.valid('query')) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/distance-grants/{id}/revoke',
      summary: 'Revoke a grant (its author CPO, or the CN); the balances it raised fall back at once',
      tags: TAGS,
      security: SECURITY,
      request: { params: z.object({ id: z.uuid() }), body: { content: { 'application/json': { schema: Reason } }, required: true } },
      responses: { 200: json(GrantOut, 'Revoked'), ...problems },
    }),
    async (c) => c.json(await revokeGrant(deps, c.get('principal'), { id: c.req.valid('param').id, ...c.req.valid('json') }), 200),
  );

  // --- the CN's alerts ------------------------------------------------------------------------

  const cn = requireRole(deps.resolveKey, 'cn');
  app.use('/v1/alerts', cn);
  app.use('/v1/alerts/*', cn);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/alerts',
      summary: 'Alerts for the CN: every CPO change of a distance pct (R-FAD-3)',
      tags: TAGS,
      security: SECURITY,
      request: {
        query: z.object({
          open: z
            .enum(['true', 'false'])
            .default('true')
            .transform((v) => v === 'true'),
          after: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
      },
      responses: { 200: json(z.object({ alerts: z.array(AlertOut) }), 'Alerts') },
    }),
    async (c) => c.json({ alerts: await listAlerts(deps, c.get('principal'), c.req.valid('query')) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/alerts/{id}/acknowledge',
      summary: 'Mark an alert as seen',
      tags: TAGS,
      security: SECURITY,
      request: { params: z.object({ id: z.coerce.number().int().min(1) }) },
      responses: { 204: { description: 'Acknowledged' }, ...problems },
    }),
    async (c) => {
      await acknowledge(deps, c.get('principal'), c.req.valid('param'));
      return c.body(null, 204);
    },
  );
  return app;
}
