/**
 * @module Policy profiles (R-POL-1): each CPO's choice of profile with its overrides, every change
 * a new dated and attributed version. Balances, debt maxima and reduction ceilings read the
 * version in force, so a change applies at once (R-POL-2); the ledger is asked which members'
 * outcomes it changed.
 */
import type { Policy, ProfileName } from '../../domain/policy.ts';
import { isProvinceCode } from '../../domain/provinces.ts';
import { currentPolicy, policyHistory as storedHistory, setPolicy as storeSetPolicy, type PolicyVersion } from '../../store/policy.ts';
import { actorRef, type Actor } from '../actor.ts';
import { balancesMayHaveChanged } from '../balance/ledger.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

export type { PolicyVersion };

/** The province a key may read (`writing`: set) the policy of: a CPO its own; the CN any (the routes admit no other key; admin would read only). */
function provinceFor(actor: Actor, code: string, writing: boolean): string {
  if (!isProvinceCode(code)) throw new ServiceError('not-found', `No province ${code}`);
  if (actor.role === 'cpo' && actor.subject !== code) throw new ServiceError('forbidden', 'A CPO sets and reads its own policy');
  if (writing && actor.role === 'admin') throw new ServiceError('forbidden', 'The CPO (or the CN) sets a policy');
  return code;
}

/** The policy in force for a CPO (the national profile until it picks one). */
export async function getPolicy(ctx: Pick<ServiceContext, 'db'>, actor: Actor, input: { province: string }): Promise<PolicyVersion> {
  return currentPolicy(ctx.db, provinceFor(actor, input.province, false));
}

/** Every version of a CPO's policy, newest first (R-POL-1, R-POL-2). */
export async function policyHistory(ctx: Pick<ServiceContext, 'db'>, actor: Actor, input: { province: string }): Promise<PolicyVersion[]> {
  return storedHistory(ctx.db, provinceFor(actor, input.province, false));
}

/** Picks a profile and overrides parameters (R-POL-1); recorded as a new dated, attributed version. */
export async function setPolicy(
  ctx: Pick<ServiceContext, 'db' | 'ledger' | 'log' | 'now'>,
  actor: Actor,
  input: { province: string; profile: ProfileName; overrides: Partial<Policy>; reason: string },
): Promise<PolicyVersion> {
  const code = provinceFor(actor, input.province, true);
  const by = actorRef(actor);
  const at = new Date(ctx.now());
  let v: PolicyVersion;
  try {
    v = await storeSetPolicy(ctx.db, { province: code, profile: input.profile, overrides: input.overrides, reason: input.reason, changedBy: by, at });
  } catch (err) {
    if (err instanceof RangeError) throw new ServiceError('invalid-policy', err.message);
    throw err;
  }
  ctx.log.info({ province: code, profile: input.profile, version: v.version }, 'policy changed');
  await balancesMayHaveChanged(ctx, {
    cause: `policy of ${code} changed to ${input.profile}, version ${v.version} (R-POL-1)`,
    actor: by,
    at,
    scope: { province: code },
  });
  return v;
}
