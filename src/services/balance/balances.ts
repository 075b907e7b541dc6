/**
 * @module Member balances for councils (R-OBL, R-FAD, R-ART9, R-DEBT, R-RED): one member's balance
 * of a biennium, a province's list, the ledger's audit of a member, transfers between provinces
 * (R-FAD-4) and the signed link to a member's dashboard. Balances are derived on read from the
 * stored facts by `memberBalance`, so they always equal the pure derivation.
 */
import { currentBiennium, romeDate } from '../../domain/calendar.ts';
import { memberBalance, type MemberBalance } from '../../domain/member-balance.ts';
import { isProvinceCode } from '../../domain/provinces.ts';
import { canSeeMember } from '../../domain/roles.ts';
import { factsAsOf } from '../../domain/verification.ts';
import { loadMemberFacts, memberIdsPage, memberProvince, type MemberIdentity } from '../../store/balance.ts';
import type { Queryable } from '../../store/db.ts';
import { transferMember as storeTransfer } from '../../store/grants.ts';
import { listAudit, type AuditEntry } from '../../store/ledger.ts';
import { actorRef, type Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { balancesMayHaveChanged } from './ledger.ts';

/** How long a dashboard link opens the member's page (a new one can be asked at any time). */
export const DASHBOARD_LINK_DAYS = 30;

export type BalanceWithIdentity = MemberBalance & { identity: MemberIdentity };

/**
 * The balance of each member in `ids` for `biennium` on the Rome date of `now` (the routes, the
 * verification campaign and the bench derive with it). With `asOf` (a Rome date), the balance as
 * of that date instead, from the facts as they stood then (R-VER-3: credits dated after it left out).
 */
export async function balancesOf(
  db: Queryable,
  ids: readonly string[],
  biennium: number,
  now: number,
  opts: { asOf?: string } = {},
): Promise<Map<string, BalanceWithIdentity>> {
  const facts = await loadMemberFacts(db, ids);
  const asOf = opts.asOf ?? romeDate(now);
  const out = new Map<string, BalanceWithIdentity>();
  for (const [id, loaded] of facts) {
    const f = opts.asOf ? factsAsOf(loaded, opts.asOf) : loaded;
    out.set(id, { ...memberBalance(f, biennium, asOf), identity: f.identity });
  }
  return out;
}

/** The biennium asked for, or the current one on the Rome calendar (R-CAL-1, R-CAL-2). */
export function bienniumOrCurrent(biennium: number | undefined, now: number): number {
  return biennium ?? currentBiennium(now);
}

/** The province of a member the actor may see, else `member-not-found`. */
async function visibleMemberProvince(ctx: Pick<ServiceContext, 'db'>, actor: Actor, id: string): Promise<string> {
  const province = await memberProvince(ctx.db, id);
  if (!province || !canSeeMember(actor, province)) throw new ServiceError('member-not-found');
  return province;
}

/** One member's balance of a biennium (the current one without it). */
export async function getMemberBalance(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  actor: Actor,
  input: { id: string; biennium?: number },
): Promise<MemberBalance> {
  const biennium = bienniumOrCurrent(input.biennium, ctx.now());
  const found = (await balancesOf(ctx.db, [input.id], biennium, ctx.now())).get(input.id);
  if (!found || !canSeeMember(actor, found.identity.province)) throw new ServiceError('member-not-found');
  const { identity: _identity, ...body } = found;
  return body;
}

/** How a member's balance outcomes changed, newest first (R-POL-2), in pages by audit id. */
export async function getBalanceAudit(
  ctx: Pick<ServiceContext, 'db'>,
  actor: Actor,
  input: { id: string; biennium?: number; before?: number; limit: number },
): Promise<{ memberId: string; entries: AuditEntry[]; next: number | null }> {
  await visibleMemberProvince(ctx, actor, input.id);
  const entries = await listAudit(ctx.db, input.id, { biennium: input.biennium ?? null, before: input.before ?? null, limit: input.limit });
  return { memberId: input.id, entries, next: entries.length === input.limit ? entries[entries.length - 1]!.id : null };
}

export interface BalanceListInput {
  biennium?: number;
  province?: string;
  status?: 'compliant' | 'in-progress' | 'debt-open' | 'non-compliant';
  after?: string;
  limit: number;
}

/** Balances of a province's members (a CPO: its own), in pages by member id. */
export async function listBalances(ctx: Pick<ServiceContext, 'db' | 'now'>, actor: Actor, q: BalanceListInput) {
  if (q.province && !isProvinceCode(q.province)) throw new ServiceError('unknown-province');
  const province = actor.role === 'cpo' ? actor.subject! : (q.province ?? null);
  if (actor.role === 'cpo' && q.province && q.province !== actor.subject) throw new ServiceError('forbidden', 'A CPO lists the members of its own province');
  const biennium = bienniumOrCurrent(q.biennium, ctx.now());
  const ids = await memberIdsPage(ctx.db, { province, after: q.after ?? null, limit: q.limit });
  const balances = await balancesOf(ctx.db, ids, biennium, ctx.now());
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
  return { biennium, balances: list, next: ids.length === q.limit ? ids[ids.length - 1]! : null };
}

/** Moves a member to another province from a date (R-FAD-4: grants of the old province stay until the end of the biennium). */
export async function transferMember(
  ctx: Pick<ServiceContext, 'db' | 'ledger' | 'log' | 'now'>,
  actor: Actor,
  input: { id: string; toProvince: string; registerNumber: string; on: string },
): Promise<{ memberId: string; province: string; registerNumber: string; on: string }> {
  if (!isProvinceCode(input.toProvince)) throw new ServiceError('unknown-province');
  const by = actorRef(actor);
  const r = await ctx.db.transaction((tx) =>
    storeTransfer(tx, { memberId: input.id, toProvince: input.toProvince, registerNumber: input.registerNumber, on: input.on, by }),
  );
  if (r === 'missing') throw new ServiceError('member-not-found');
  if (r === 'same') throw new ServiceError('same-province', `The member is already registered in ${input.toProvince}`);
  if (r === 'taken') throw new ServiceError('register-number-taken');
  await balancesMayHaveChanged(ctx, {
    cause: `member transferred to ${input.toProvince} from ${input.on} (R-FAD-4)`,
    actor: by,
    scope: { memberIds: [input.id] },
    extra: [Number(input.on.slice(0, 4))],
  });
  return { memberId: input.id, province: input.toProvince, registerNumber: input.registerNumber, on: input.on };
}

/** A signed link to the member's dashboard, valid DASHBOARD_LINK_DAYS days; `origin` is used when PUBLIC_URL is not set. */
export async function dashboardLink(
  ctx: Pick<ServiceContext, 'db' | 'now' | 'links' | 'config'>,
  actor: Actor,
  input: { id: string; origin: string },
): Promise<{ url: string; expiresAt: string }> {
  await visibleMemberProvince(ctx, actor, input.id);
  const expiresAt = new Date(ctx.now() + DASHBOARD_LINK_DAYS * 86_400_000);
  const token = await ctx.links.sign('dashboard', input.id, expiresAt);
  const base = (ctx.config.PUBLIC_URL ?? input.origin).replace(/\/+$/, '');
  return { url: `${base}/m/${token}`, expiresAt: expiresAt.toISOString() };
}
