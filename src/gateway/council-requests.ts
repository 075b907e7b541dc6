/**
 * @module What councils decide on members' requests: art. 9 declarations (R-ART9-3), debt
 * recovery (R-DEBT-2) and reductions of the obligation (R-RED-7, in `reductions-admin.ts`). A CPO
 * sees the requests filed with it, the CN and admin all of them. A decision changes the member's
 * balance at once (balances are derived on read); the ledger records how (R-POL-2).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { Art9Decision, Art9Out, DebtDecision, DebtOut } from '../schemas/balance.ts';
import { decideArt9, decideDebt, getArt9, getDebt, getDocument, listArt9, listDebts } from '../store/member-requests.ts';
import { requireRole, type Principal } from './auth.ts';
import type { Deps } from './deps.ts';
import { balancesMayHaveChanged } from './ledger.ts';
import { ServiceError } from '../services/errors.ts';
import { json, problems } from './responses.ts';
import { actorRef } from '../services/actor.ts';
import { router, SECURITY } from './router.ts';

const Params = z.object({ id: z.uuid() });
const ListQuery = z.object({
  status: z.string().max(20).optional(),
  memberId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

/** The province filter of a council key: its own for a CPO, all (null) for the CN and admin. */
export function provinceOf(p: Principal): string | null {
  return p.role === 'cpo' ? p.subject : null;
}

/** 404 unless the key may see a request filed with `province`. */
export function visibleTo(p: Principal, row: { province: string } | null, code: 'debt-request-not-found' | 'declaration-not-found' | 'reduction-not-found') {
  if (!row || (p.role === 'cpo' && p.subject !== row.province)) throw new ServiceError(code);
}

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
    async (c) => {
      const q = c.req.valid('query');
      return c.json({ declarations: (await listArt9(deps.db, { province: provinceOf(c.get('principal')), ...q })) as z.infer<typeof Art9Out>[] }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/art9-declarations/{id}', summary: 'One declaration', tags: ['art. 9'], security: SECURITY, request: { params: Params }, responses: { 200: json(Art9Out, 'Declaration'), ...problems } }),
    async (c) => {
      const d = await getArt9(deps.db, c.req.valid('param').id);
      visibleTo(c.get('principal'), d, 'declaration-not-found');
      return c.json(d! as z.infer<typeof Art9Out>, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/art9-declarations/{id}/attestation',
      summary: 'The attestation the member attached, as uploaded',
      tags: ['art. 9'],
      security: SECURITY,
      request: { params: Params },
      responses: { 200: { description: 'The file', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } }, ...problems },
    }),
    async (c) => {
      const d = await getArt9(deps.db, c.req.valid('param').id);
      visibleTo(c.get('principal'), d, 'declaration-not-found');
      const doc = (await getDocument(deps.db, d!.document.id))!;
      return download(c, doc);
    },
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
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const p = c.get('principal');
      const declaration = await getArt9(deps.db, id);
      visibleTo(p, declaration, 'declaration-not-found');
      const status = body.decision === 'validate' ? 'validated' : 'rejected';
      const at = new Date(deps.now());
      const ok = await decideArt9(deps.db, id, status, actorRef(p), body.reason ?? null, at);
      if (!ok) throw new ServiceError('already-decided', 'The declaration is already decided');
      await balancesMayHaveChanged(deps, {
        cause: `art. 9 declaration ${id} ${status} (R-ART9-3)`,
        actor: actorRef(p),
        at,
        scope: { memberIds: [declaration!.memberId] },
        extra: [Number(declaration!.activityDate.slice(0, 4))],
      });
      return c.json((await getArt9(deps.db, id))! as z.infer<typeof Art9Out>, 200);
    },
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
    async (c) => c.json({ requests: await listDebts(deps.db, { province: provinceOf(c.get('principal')), ...c.req.valid('query') }) }, 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/debt-requests/{id}', summary: 'One debt request', tags: ['debt'], security: SECURITY, request: { params: Params }, responses: { 200: json(DebtOut, 'Request'), ...problems } }),
    async (c) => {
      const d = await getDebt(deps.db, c.req.valid('param').id);
      visibleTo(c.get('principal'), d, 'debt-request-not-found');
      return c.json(d!, 200);
    },
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
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const p = c.get('principal');
      const request = await getDebt(deps.db, id);
      visibleTo(p, request, 'debt-request-not-found');
      const status = body.decision === 'accept' ? 'accepted' : 'rejected';
      const at = new Date(deps.now());
      const ok = await decideDebt(deps.db, id, status, actorRef(p), body.reason ?? null, at);
      if (!ok) throw new ServiceError('already-decided', 'The request is already decided');
      // The debt's biennium, and the next one whose first credits settle it (R-DEBT-3).
      await balancesMayHaveChanged(deps, {
        cause: `debt request ${id} ${status} (R-DEBT-2)`,
        actor: actorRef(p),
        at,
        scope: { memberIds: [request!.memberId] },
        extra: [request!.biennium, request!.biennium + 2],
      });
      return c.json((await getDebt(deps.db, id))!, 200);
    },
  );
  return app;
}
