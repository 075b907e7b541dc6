/**
 * @module Member balances for councils (R-OBL, R-FAD, R-ART9, R-DEBT, R-RED): one member's
 * balance of a biennium, a CPO's list of its members' balances, transfers between provinces
 * (R-FAD-4) and the signed link to a member's dashboard. Balances are derived on read from the
 * stored facts by `memberBalance`, so they always equal the pure derivation; the ledger's audit
 * says when and why a member's outcome changed (R-POL-2, `workers/ledger.ts`).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { bienniumOf, romeDate, yearOf } from '../domain/calendar.ts';
import { memberBalance, type MemberBalance as Derived } from '../domain/member-balance.ts';
import { isProvinceCode } from '../domain/provinces.ts';
import { Biennium, BalanceSummary, MemberBalance, TransferCreate } from '../schemas/balance.ts';
import { BalanceAudit } from '../schemas/ledger.ts';
import { loadMemberFacts, type MemberIdentity } from '../store/balance.ts';
import { listAudit } from '../store/ledger.ts';
import type { Queryable } from '../store/db.ts';
import { transferMember } from '../store/grants.ts';
import { requireRole, type Principal } from './auth.ts';
import type { Deps } from './deps.ts';
import { balancesMayHaveChanged } from './ledger.ts';
import { ServiceError } from '../services/errors.ts';
import { json, problems } from './responses.ts';
import { actorRef } from '../services/actor.ts';
import { router, SECURITY } from './router.ts';
import { canSeeMember } from '../domain/roles.ts';

const TAGS = ['balances'];
/** How long a dashboard link opens the member's page (a new one can be asked at any time). */
export const DASHBOARD_LINK_DAYS = 30;

/** The balance of each member in `ids` for `biennium` on the Rome date of `now`. */
export async function balancesOf(db: Queryable, ids: readonly string[], biennium: number, now: number): Promise<Map<string, Derived & { identity: MemberIdentity }>> {
  const facts = await loadMemberFacts(db, ids);
  const asOf = romeDate(now);
  const out = new Map<string, Derived & { identity: MemberIdentity }>();
  for (const [id, f] of facts) out.set(id, { ...memberBalance(f, biennium, asOf), identity: f.identity });
  return out;
}

/** The biennium asked for, or the current one on the Rome calendar (R-CAL-1/2). */
export function bienniumOrCurrent(biennium: number | undefined, now: number): number {
  return biennium ?? bienniumOf(yearOf(now));
}

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
    async (c) => {
      const { id } = c.req.valid('param');
      const biennium = bienniumOrCurrent(c.req.valid('query').biennium, deps.now());
      const found = (await balancesOf(deps.db, [id], biennium, deps.now())).get(id);
      if (!found || !canSeeMember(c.get('principal'), found.identity.province)) throw new ServiceError('member-not-found');
      const { identity: _identity, ...body } = found;
      return c.json(body, 200);
    },
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
    async (c) => {
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      const { rows } = await deps.db.query<{ province: string }>('SELECT province FROM members WHERE id = $1', [id]);
      if (!rows[0] || !canSeeMember(c.get('principal'), rows[0].province)) throw new ServiceError('member-not-found');
      const entries = await listAudit(deps.db, id, { biennium: q.biennium ?? null, before: q.before ?? null, limit: q.limit });
      return c.json({ memberId: id, entries, next: entries.length === q.limit ? entries[entries.length - 1]!.id : null }, 200);
    },
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
    async (c) => {
      const q = c.req.valid('query');
      const p = c.get('principal');
      if (q.province && !isProvinceCode(q.province)) throw new ServiceError('unknown-province');
      const province = p.role === 'cpo' ? p.subject! : (q.province ?? null);
      if (p.role === 'cpo' && q.province && q.province !== p.subject) throw new ServiceError('forbidden', 'A CPO lists the members of its own province');
      const biennium = bienniumOrCurrent(q.biennium, deps.now());
      const { rows } = await deps.db.query<{ id: string }>(
        'SELECT id FROM members WHERE ($1::text IS NULL OR province = $1) AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3',
        [province, q.after ?? null, q.limit],
      );
      const ids = rows.map((r) => r.id);
      const balances = await balancesOf(deps.db, ids, biennium, deps.now());
      const list = ids
        .map((id) => balances.get(id)!)
        .filter((b) => b && (!q.status || b.balance.status === q.status))
        .map((b) => ({
          memberId: b.memberId,
          surname: b.identity.surname,
          givenName: b.identity.givenName,
          province: b.identity.province,
          obligation: b.balance.obligation,
          counted: b.balance.counted,
          missing: b.balance.missing,
          distancePct: b.distance.pct,
          compliant: b.balance.compliant,
          status: b.balance.status,
        }));
      return c.json({ biennium, balances: list, next: ids.length === q.limit ? ids[ids.length - 1]! : null }, 200);
    },
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
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      if (!isProvinceCode(body.toProvince)) throw new ServiceError('unknown-province');
      const r = await deps.db.transaction((tx) => transferMember(tx, { memberId: id, toProvince: body.toProvince, registerNumber: body.registerNumber, on: body.on, by: actorRef(c.get('principal')) }));
      if (r === 'missing') throw new ServiceError('member-not-found');
      if (r === 'same') throw new ServiceError('same-province', `The member is already registered in ${body.toProvince}`);
      if (r === 'taken') throw new ServiceError('register-number-taken');
      await balancesMayHaveChanged(deps, {
        cause: `member transferred to ${body.toProvince} from ${body.on} (R-FAD-4)`,
        actor: actorRef(c.get('principal')),
        scope: { memberIds: [id] },
        extra: [Number(body.on.slice(0, 4))],
      });
      return c.json({ memberId: id, province: body.toProvince, registerNumber: body.registerNumber, on: body.on }, 200);
    },
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
    async (c) => {
      const { id } = c.req.valid('param');
      const { rows } = await deps.db.query<{ province: string }>('SELECT province FROM members WHERE id = $1', [id]);
      if (!rows[0] || !canSeeMember(c.get('principal'), rows[0].province)) throw new ServiceError('member-not-found');
      const expiresAt = new Date(deps.now() + DASHBOARD_LINK_DAYS * 86_400_000);
      const token = await deps.links.sign('dashboard', id, expiresAt);
      const base = (deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, '');
      return c.json({ url: `${base}/m/${token}`, expiresAt: expiresAt.toISOString() }, 201);
    },
  );
  return app;
}
