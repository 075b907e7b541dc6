/**
 * @module What councils decide on members' requests: art. 9 declarations (R-ART9-3), debt
 * recovery (R-DEBT-2) and reductions of the obligation (R-RED-7, in `reductions-admin.ts`). A CPO
 * sees the requests filed with it, the CN and admin all of them. A decision changes the member's
 * balance at once (balances are derived on read); the ledger records how (R-POL-2).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { Art9Decision, Art9Out, DebtDecision, DebtOut } from '../schemas/balance.ts';
import {
  declarationAttestation,
  decideDebtRequest,
  decideDeclaration,
  getDebtRequest,
  getDeclaration,
  listDebtRequests,
  listDeclarations,
} from '../services/council/requests.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { json, problems } from './responses.ts';
import { router, SECURITY } from './router.ts';

const Params = z.object({ id: z.uuid() });
const ListQuery = z.object({
  status: z.string().max(20).optional(),
  memberId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

/** A stored file as a download that never renders in the browser (members' uploads are untrusted). */
export function download(c: Context, doc: { name: string; contentType: string; body: Buffer }) {
  c.header('Content-Type', 'application/octet-stream');
  c.header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(doc.name)}`);
  c.header('X-Content-Type-Options', 'nosniff');
  return c.body(new Uint8Array(doc.body), 200);
}

export function councilRequestRoutes(deps: Deps) {
  const app = router();
  const councils = requireRole(deps.resolveKey, 'cpo', 'cn', 'admin');
  const deciders = requireRole(deps.resolveKey, 'cpo', 'cn');

  // --- art. 9 ------------------------------------------------------------------------------------
  app.use('/v1/art9-declarations', councils);
  app.use('/v1/art9-declarations/:id', councils);
  app.use('/v1/art9-declarations/:id/attestation', councils);
  app.use('/v1/art9-declarations/:id/decision', deciders);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/art9-declarations',
      summary: 'Art. 9 activities members declared (R-ART9-3), newest first',
      tags: ['art. 9'],
      security: SECURITY,
      request: { query: ListQuery },
      responses: { 200: json(z.object({ declarations: z.array(Art9Out) }), 'Declarations') },
    }),
    async (c) => c.json({ declarations: (await listDeclarations(deps, c.get('principal'), c.req.valid('query'))) as z.infer<typeof Art9Out>[] }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/art9-declarations/{id}',
      summary: 'One declaration',
      tags: ['art. 9'],
      security: SECURITY,
      request: { params: Params },
      responses: { 200: json(Art9Out, 'Declaration'), ...problems },
    }),
    async (c) => c.json((await getDeclaration(deps, c.get('principal'), c.req.valid('param').id)) as z.infer<typeof Art9Out>, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/art9-declarations/{id}/attestation',
      summary: 'The attestation the member attached, as uploaded',
      tags: ['art. 9'],
      security: SECURITY,
      request: { params: Params },
      responses: {
        200: { description: 'The file', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
        ...problems,
      },
    }),
    async (c) => download(c, await declarationAttestation(deps, c.get('principal'), c.req.valid('param').id)),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/art9-declarations/{id}/decision',
      summary: 'Validate or reject a declaration (R-ART9-3); a rejection states its reason',
      description: 'Keys: cpo (declarations filed with it), cn.',
      tags: ['art. 9'],
      security: SECURITY,
      request: { params: Params, body: { content: { 'application/json': { schema: Art9Decision } }, required: true } },
      responses: { 200: json(Art9Out, 'Decided'), ...problems },
    }),
    async (c) =>
      c.json((await decideDeclaration(deps, c.get('principal'), { id: c.req.valid('param').id, ...c.req.valid('json') })) as z.infer<typeof Art9Out>, 200),
  );

  // --- debt recovery -------------------------------------------------------------------------------
  app.use('/v1/debt-requests', councils);
  app.use('/v1/debt-requests/:id', councils);
  app.use('/v1/debt-requests/:id/decision', deciders);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/debt-requests',
      summary: 'Debt recovery requests (R-DEBT-2), newest first',
      tags: ['debt'],
      security: SECURITY,
      request: { query: ListQuery },
      responses: { 200: json(z.object({ requests: z.array(DebtOut) }), 'Requests') },
    }),
    async (c) => c.json({ requests: await listDebtRequests(deps, c.get('principal'), c.req.valid('query')) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/debt-requests/{id}',
      summary: 'One debt request',
      tags: ['debt'],
      security: SECURITY,
      request: { params: Params },
      responses: { 200: json(DebtOut, 'Request'), ...problems },
    }),
    async (c) => c.json(await getDebtRequest(deps, c.get('principal'), c.req.valid('param').id), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/debt-requests/{id}/decision',
      summary: 'Accept or reject a debt request (R-DEBT-2); once accepted, the first credits of the new biennium settle it (R-DEBT-3)',
      description: 'Keys: cpo (requests filed with it), cn.',
      tags: ['debt'],
      security: SECURITY,
      request: { params: Params, body: { content: { 'application/json': { schema: DebtDecision } }, required: true } },
      responses: { 200: json(DebtOut, 'Decided'), ...problems },
    }),
    async (c) => c.json(await decideDebtRequest(deps, c.get('principal'), { id: c.req.valid('param').id, ...c.req.valid('json') }), 200),
  );
  return app;
}
