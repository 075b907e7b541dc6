/**
 * @module Distance grants (R-FAD-3, R-FAD-4) and the CN's alerts. A CPO grants to members of its
 * province, to a group of them or to the whole province (with the CN's binding opinion); the CN
 * grants anything, nationally too. Every CPO change raises an alert for the CN in the same
 * transaction. Balances are derived on read, so a grant or a revocation changes them at once; once
 * it has committed, the ledger is asked to record whose outcomes changed (R-POL-2).
 */
import { GRANT_GROUNDS, type GrantScope } from '../../domain/grants.ts';
import { isProvinceCode } from '../../domain/provinces.ts';
import type { LedgerScope } from '../../queue/ledger.ts';
import type { GrantCreate } from '../../schemas/balance.ts';
import { unknownMemberIds } from '../../store/balance.ts';
import {
  acknowledgeAlert,
  getGrant,
  insertAlert,
  insertGrant,
  listAlerts as listAlertRows,
  listGrants as listGrantRows,
  membersOutside,
  revokeGrant as revokeGrantRow,
  type GrantRow,
} from '../../store/grants.ts';
import { grantMemberIds } from '../../store/ledger.ts';
import { actorRef, type Actor } from '../actor.ts';
import { balancesMayHaveChanged } from '../balance/ledger.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

type Ctx = Pick<ServiceContext, 'db' | 'ledger' | 'log' | 'now'>;

/** Grants a raised distance pct (R-FAD-3); a CPO grant raises an alert for the CN. */
export async function createGrant(ctx: Ctx, actor: Actor, input: GrantCreate): Promise<GrantRow> {
  const province = checkGrant(actor, input);
  const memberIds = [...new Set(input.memberIds ?? [])];
  if (actor.role === 'cpo' && memberIds.length) {
    const outside = await membersOutside(ctx.db, memberIds, actor.subject!);
    if (outside.length)
      throw new ServiceError('member-not-in-province', `${outside.length} member(s) are not registered in ${actor.subject}`, {
        memberIds: outside.slice(0, 50),
      });
  } else if (memberIds.length) {
    const unknown = await unknownMemberIds(ctx.db, memberIds);
    if (unknown.length) throw new ServiceError('member-not-found', `${unknown.length} member(s) do not exist`, { memberIds: unknown.slice(0, 50) }, 422);
  }
  const at = new Date(ctx.now());
  const id = await ctx.db.transaction(async (tx) => {
    const id = await insertGrant(tx, {
      scope: input.scope,
      ground: input.ground,
      province,
      pct: input.pct,
      deliberation: input.deliberation,
      cnOpinion: input.cnOpinion ?? null,
      validFrom: input.validFrom,
      validUntil: input.validUntil,
      memberIds,
      grantedBy: actorRef(actor),
      at,
    });
    // R-FAD-3: every CPO change is reported to the CN.
    if (actor.role === 'cpo') {
      await insertAlert(tx, {
        kind: 'distance-grant',
        province: actor.subject,
        subjectId: id,
        detail: {
          action: 'granted',
          scope: input.scope,
          ground: input.ground,
          pct: input.pct,
          members: memberIds.length,
          deliberation: input.deliberation,
          validFrom: input.validFrom,
          validUntil: input.validUntil,
        },
        at,
      });
    }
    return id;
  });
  ctx.log.info({ grantId: id, scope: input.scope, pct: input.pct, by: actor.role }, 'distance grant');
  await balancesMayHaveChanged(ctx, {
    cause: `distance grant ${id} granted (R-FAD-3)`,
    actor: actorRef(actor),
    at,
    scope: grantScope(input.scope, province, memberIds),
  });
  return (await getGrant(ctx.db, id))!;
}

/** A CPO's own grants, or all for the CN. */
export async function listGrants(ctx: Pick<ServiceContext, 'db'>, actor: Actor, input: { limit: number }): Promise<GrantRow[]> {
  return listGrantRows(ctx.db, actor.role === 'cpo' ? { province: actor.subject! } : { all: true }, input.limit);
}

/** Revokes a grant (its author CPO, or the CN); the balances it raised fall back at once. */
export async function revokeGrant(ctx: Ctx, actor: Actor, input: { id: string; reason: string }): Promise<GrantRow> {
  const { id, reason } = input;
  const g = await getGrant(ctx.db, id);
  if (!g || (actor.role === 'cpo' && g.province !== actor.subject)) throw new ServiceError('grant-not-found');
  // A CPO revokes the grants it made, never the CN's (even those for its province).
  if (actor.role === 'cpo' && !g.grantedBy.startsWith('cpo:')) throw new ServiceError('forbidden', "Only the CN revokes the CN's grants");
  const at = new Date(ctx.now());
  const done = await ctx.db.transaction(async (tx) => {
    if (!(await revokeGrantRow(tx, id, actorRef(actor), reason, at))) return false;
    if (actor.role === 'cpo')
      await insertAlert(tx, {
        kind: 'distance-grant',
        province: actor.subject,
        subjectId: id,
        detail: { action: 'revoked', reason, pct: g.pct, scope: g.scope },
        at,
      });
    return true;
  });
  if (!done) throw new ServiceError('grant-revoked', 'The grant is already revoked');
  const named = g.scope === 'member' || g.scope === 'group' ? await grantMemberIds(ctx.db, id) : [];
  await balancesMayHaveChanged(ctx, {
    cause: `distance grant ${id} revoked (R-FAD-3)`,
    actor: actorRef(actor),
    at,
    scope: grantScope(g.scope, g.province, named),
  });
  return (await getGrant(ctx.db, id))!;
}

/** The CN's alerts: every CPO change of a distance pct (R-FAD-3). */
export async function listAlerts(ctx: Pick<ServiceContext, 'db'>, _actor: Actor, input: { open: boolean; after: number; limit: number }) {
  return listAlertRows(ctx.db, input);
}

/** Marks an alert as seen. */
export async function acknowledge(ctx: Pick<ServiceContext, 'db' | 'now'>, actor: Actor, input: { id: number }): Promise<void> {
  const r = await acknowledgeAlert(ctx.db, input.id, actorRef(actor), new Date(ctx.now()));
  if (r === 'missing') throw new ServiceError('alert-not-found');
}

/** Checks who may grant what (R-FAD-3); returns the province the grant is recorded under. */
function checkGrant(p: Actor, g: GrantCreate): string | null {
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
