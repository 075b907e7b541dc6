/**
 * @module Distance grants (R-FAD-3/4) for CPOs and the CN, and the CN's alerts. A CPO grants to
 * members of its province, to a group of them or to the whole province (with the CN's binding
 * opinion); the CN grants anything, nationally too. Every CPO change raises an alert for the CN.
 * Balances are derived on read, so a grant or a revocation changes them at once; once it has
 * committed, the ledger is asked to record whose outcomes changed (R-POL-2).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { GRANT_GROUNDS, type GrantScope } from '../domain/grants.ts';
import { isProvinceCode } from '../domain/provinces.ts';
import { AlertOut, GrantCreate, GrantOut, Reason } from '../schemas/balance.ts';
import { acknowledgeAlert, getGrant, insertAlert, insertGrant, listAlerts, listGrants, membersOutside, revokeGrant } from '../store/grants.ts';
import { grantMemberIds } from '../store/ledger.ts';
import type { LedgerScope } from '../queue/ledger.ts';
import { requireRole, type Principal } from './auth.ts';
import type { Deps } from './deps.ts';
import { balancesMayHaveChanged } from './ledger.ts';
import { ServiceError } from '../services/errors.ts';
import { problems, json } from './responses.ts';
import { actorRef } from '../services/actor.ts';
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
    async (c) => {
      const body = c.req.valid('json');
      const p = c.get('principal');
      const province = checkGrant(p, body);
      const memberIds = [...new Set(body.memberIds ?? [])];
      if (p.role === 'cpo' && memberIds.length) {
        const outside = await membersOutside(deps.db, memberIds, p.subject!);
        if (outside.length) throw new ServiceError('member-not-in-province', `${outside.length} member(s) are not registered in ${p.subject}`, { memberIds: outside.slice(0, 50) });
      } else if (memberIds.length) {
        const unknown = await unknownMembers(deps, memberIds);
        if (unknown.length) throw new ServiceError('member-not-found', `${unknown.length} member(s) do not exist`, { memberIds: unknown.slice(0, 50) }, 422);
      }
      const at = new Date(deps.now());
      const id = await deps.db.transaction(async (tx) => {
        const id = await insertGrant(tx, {
          scope: body.scope,
          ground: body.ground,
          province,
          pct: body.pct,
          deliberation: body.deliberation,
          cnOpinion: body.cnOpinion ?? null,
          validFrom: body.validFrom,
          validUntil: body.validUntil,
          memberIds,
          grantedBy: actorRef(p),
          at,
        });
        // R-FAD-3: every CPO change is reported to the CN.
        if (p.role === 'cpo') {
          await insertAlert(tx, {
            kind: 'distance-grant',
            province: p.subject,
            subjectId: id,
            detail: { action: 'granted', scope: body.scope, ground: body.ground, pct: body.pct, members: memberIds.length, deliberation: body.deliberation, validFrom: body.validFrom, validUntil: body.validUntil },
            at,
          });
        }
        return id;
      });
      deps.log.info({ grantId: id, scope: body.scope, pct: body.pct, by: p.role }, 'distance grant');
      await balancesMayHaveChanged(deps, { cause: `distance grant ${id} granted (R-FAD-3)`, actor: actorRef(p), at, scope: grantScope(body.scope, province, memberIds) });
      return c.json((await getGrant(deps.db, id))!, 201);
    },
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
    async (c) => {
      const p = c.get('principal');
      const grants = await listGrants(deps.db, p.role === 'cpo' ? { province: p.subject! } : { all: true }, c.req.valid('query').limit);
      return c.json({ grants }, 200);
    },
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
    async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const p = c.get('principal');
      const g = await getGrant(deps.db, id);
      if (!g || (p.role === 'cpo' && g.province !== p.subject)) throw new ServiceError('grant-not-found');
      // A CPO revokes the grants it made, never the CN's (even those for its province).
      if (p.role === 'cpo' && !g.grantedBy.startsWith('cpo:')) throw new ServiceError('forbidden', "Only the CN revokes the CN's grants");
      const at = new Date(deps.now());
      const done = await deps.db.transaction(async (tx) => {
        if (!(await revokeGrant(tx, id, actorRef(p), reason, at))) return false;
        if (p.role === 'cpo') await insertAlert(tx, { kind: 'distance-grant', province: p.subject, subjectId: id, detail: { action: 'revoked', reason, pct: g.pct, scope: g.scope }, at });
        return true;
      });
      if (!done) throw new ServiceError('grant-revoked', 'The grant is already revoked');
      const named = g.scope === 'member' || g.scope === 'group' ? await grantMemberIds(deps.db, id) : [];
      await balancesMayHaveChanged(deps, { cause: `distance grant ${id} revoked (R-FAD-3)`, actor: actorRef(p), at, scope: grantScope(g.scope, g.province, named) });
      return c.json((await getGrant(deps.db, id))!, 200);
    },
  );

  // --- the CN's alerts ------------------------------------------------------------------------

  const cn = requireRole(deps.resolveKey, 'cn');
  app.use('/v1/alerts', cn);
  app.use('/v1/alerts/*', cn);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/alerts',
      summary: "Alerts for the CN: every CPO change of a distance pct (R-FAD-3)",
      tags: TAGS,
      security: SECURITY,
      request: {
        query: z.object({
          open: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
          after: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
      },
      responses: { 200: json(z.object({ alerts: z.array(AlertOut) }), 'Alerts') },
    }),
    async (c) => c.json({ alerts: await listAlerts(deps.db, c.req.valid('query')) }, 200),
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
      const r = await acknowledgeAlert(deps.db, c.req.valid('param').id, actorRef(c.get('principal')), new Date(deps.now()));
      if (r === 'missing') throw new ServiceError('alert-not-found');
      return c.body(null, 204);
    },
  );
  return app;
}

/** Checks who may grant what (R-FAD-3); returns the province the grant is recorded under. */
function checkGrant(p: Principal, g: z.infer<typeof GrantCreate>): string | null {
  const ground = GRANT_GROUNDS[g.ground];
  const invalid = (detail: string) => new ServiceError('invalid-grant', detail);
  if (!(ground.scopes as readonly GrantScope[]).includes(g.scope)) throw invalid(`ground ${g.ground} applies to ${ground.scopes.join('/')} grants`);
  if (g.pct > ground.maxPct) throw invalid(`ground ${g.ground} allows at most ${ground.maxPct}%`);
  if (g.validUntil < g.validFrom) throw invalid('validUntil is before validFrom');
  const ids = g.memberIds ?? [];
  if (g.scope === 'member' && ids.length !== 1) throw invalid('a member grant names exactly one member');
  if (g.scope === 'group' && ids.length < 1) throw invalid('a group grant names its members');
  if ((g.scope === 'province' || g.scope === 'national') && ids.length) throw invalid(`a ${g.scope} grant names no members`);
  if (p.role === 'cpo') {
    if (g.scope === 'national') throw new ServiceError('forbidden', 'Only the CN grants nationally');
    if (g.province && g.province !== p.subject) throw new ServiceError('forbidden', 'A CPO grants for its own province');
    if (g.scope === 'province' && !g.cnOpinion) throw invalid("a province-wide grant of a CPO needs the CN's binding opinion (cnOpinion)");
    return p.subject;
  }
  if (g.scope === 'province') {
    if (!g.province || !isProvinceCode(g.province)) throw new ServiceError('unknown-province', 'A province grant names one of the 107 province codes');
    return g.province;
  }
  if (g.province && !isProvinceCode(g.province)) throw new ServiceError('unknown-province');
  return g.province ?? null;
}

/** Whose balances a grant moves: the members it names, its province's members, or everyone. */
function grantScope(scope: string, province: string | null, memberIds: readonly string[]): LedgerScope {
  if (scope === 'national') return { all: true };
  if (scope === 'province' && province) return { province };
  return memberIds.length ? { memberIds: [...memberIds] } : { all: true };
}

async function unknownMembers(deps: Deps, ids: readonly string[]) {
  const { rows } = await deps.db.query<{ id: string }>('SELECT id FROM members WHERE id = ANY($1::uuid[])', [ids]);
  const found = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !found.has(id));
}
