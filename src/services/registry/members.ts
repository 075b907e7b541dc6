/** @module Members one at a time: register, read, find by codice fiscale. A CPO sees and registers the members of its province. */
import { isProvinceCode } from '../../domain/provinces.ts';
import { canSeeMember } from '../../domain/roles.ts';
import type { Member, MemberCreate } from '../../schemas/members.ts';
import { getMember as getMemberRow, getMemberByCodiceFiscale, insertMember } from '../../store/members.ts';
import type { Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { checkCodiceFiscale, unknownProvince } from './shared.ts';

/** Registers a member; `member-exists` (same codice fiscale) or `register-number-taken` (in its province) refuse it. */
export async function createMember(ctx: Pick<ServiceContext, 'db'>, actor: Actor, input: MemberCreate): Promise<Member> {
  const cf = checkCodiceFiscale(input.codiceFiscale);
  if (!isProvinceCode(input.province)) throw unknownProvince('province');
  if (actor.role === 'cpo' && actor.subject !== input.province) throw new ServiceError('forbidden', 'A CPO registers members of its own province only');
  const res = await insertMember(ctx.db, { ...input, codiceFiscale: cf });
  if (!res.ok) {
    throw new ServiceError(
      res.conflict,
      res.conflict === 'member-exists' ? 'A member with this codice fiscale exists' : 'This register number is taken in this province',
    );
  }
  return res.member;
}

/** A member the actor may see, else `member-not-found`. */
export async function getMember(ctx: Pick<ServiceContext, 'db'>, actor: Actor, id: string): Promise<Member> {
  const m = await getMemberRow(ctx.db, id);
  if (!m || !canSeeMember(actor, m.province)) throw new ServiceError('member-not-found');
  return m;
}

/** The member with this codice fiscale, if the actor may see it, else `member-not-found`. */
export async function findMember(ctx: Pick<ServiceContext, 'db'>, actor: Actor, codiceFiscale: string): Promise<Member> {
  const cf = checkCodiceFiscale(codiceFiscale);
  const m = await getMemberByCodiceFiscale(ctx.db, cf);
  if (!m || !canSeeMember(actor, m.province)) throw new ServiceError('member-not-found');
  return m;
}
