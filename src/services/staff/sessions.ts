/**
 * @module Staff sessions, server-side (R-ACC-5): opened after the password, completed by the
 * second factor, resolved on every console request, ended by sign-out (here or everywhere), by
 * the idle time or the absolute expiry, or when the account is disabled.
 */
import { requiresSecondFactor, sessionOpen, type SessionPolicy } from '../../domain/staff-accounts.ts';
import type { Queryable } from '../../store/db.ts';
import { type StaffUser } from '../../store/staff.ts';
import { insertSession, openSessions, revokeSession, revokeUserSessions, sessionByHash, touchSession, type StaffSession } from '../../store/staff-sessions.ts';
import type { PersonActor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { audit, type RequestMeta } from './audit.ts';
import { newToken, sha256Hex } from './secrets.ts';

/**
 * What a session may do yet: `second-factor` waits for the TOTP code (or a recovery code),
 * `enrol` for the TOTP enrolment the role requires (R-ACC-2), `ready` may use the console.
 */
export type SessionStage = 'second-factor' | 'enrol' | 'ready';

export interface SignedIn {
  user: StaffUser;
  session: StaffSession;
  stage: SessionStage;
}

export const sessionPolicy = (config: ServiceContext['config']): SessionPolicy => ({
  idleMs: config.SESSION_IDLE_MINUTES * 60_000,
  absoluteMs: config.SESSION_MAX_HOURS * 3600_000,
});

/** The stage of a session of `user` that has (or has not) passed its second factor. */
export function stageOf(user: StaffUser, secondFactorAt: Date | null): SessionStage {
  if (secondFactorAt) return 'ready';
  if (hasSecondFactor(user)) return 'second-factor';
  return requiresSecondFactor(user.role) ? 'enrol' : 'ready';
}

/** Whether the account has a second factor: TOTP or a passkey (R-ACC-2). */
export function hasSecondFactor(user: StaffUser): boolean {
  return user.totpEnabledAt !== null || user.passkeys > 0;
}

/** The person as the actor of the operations they perform in the console. */
export function personActor(user: StaffUser): PersonActor {
  return { role: user.role, subject: user.subject, userId: user.id };
}

/**
 * Opens a session for `user` after its password (or its identity provider): complete at once for
 * an account that needs no second factor, waiting for it otherwise. Returns the cookie value.
 */
export async function openSession(
  ctx: Pick<ServiceContext, 'config' | 'now'>,
  tx: Queryable,
  user: StaffUser,
  meta: RequestMeta,
  opts: { secondFactorDone?: boolean } = {},
): Promise<string> {
  const now = ctx.now();
  const id = newToken();
  const needs = hasSecondFactor(user) || requiresSecondFactor(user.role);
  await insertSession(tx, {
    idHash: sha256Hex(id),
    userId: user.id,
    createdAt: new Date(now),
    expiresAt: new Date(now + sessionPolicy(ctx.config).absoluteMs),
    // An identity provider's sign-in counts as both factors only when the provider says so (`amr`).
    secondFactorAt: !needs || opts.secondFactorDone ? new Date(now) : null,
    clientAddr: meta.clientAddr,
    userAgent: meta.userAgent?.slice(0, 400) ?? null,
  });
  return id;
}

/** The session a cookie names, if it is still open and its account enabled; moves its idle clock. */
export async function resolveSession(ctx: Pick<ServiceContext, 'db' | 'config' | 'now'>, cookie: string | undefined): Promise<SignedIn | null> {
  if (!cookie || cookie.length > 100) return null;
  const found = await sessionByHash(ctx.db, sha256Hex(cookie));
  if (!found) return null;
  const { session, user } = found;
  const now = ctx.now();
  const times = {
    createdAt: session.createdAt.getTime(),
    lastSeenAt: session.lastSeenAt.getTime(),
    expiresAt: session.expiresAt.getTime(),
    revokedAt: session.revokedAt?.getTime() ?? null,
  };
  if (user.disabledAt || !sessionOpen(times, sessionPolicy(ctx.config), now)) return null;
  // A write per minute at most, not per request.
  await touchSession(ctx.db, session.idHash, new Date(now), new Date(now - 60_000));
  return { user, session, stage: stageOf(user, session.secondFactorAt) };
}

/** Ends this session. */
export async function signOut(ctx: Pick<ServiceContext, 'db' | 'now'>, s: SignedIn, meta: RequestMeta): Promise<void> {
  const now = new Date(ctx.now());
  await ctx.db.transaction(async (tx) => {
    if (await revokeSession(tx, s.session.idHash, now)) await audit(tx, now, s.user.id, 'signout', meta);
  });
}

/** Ends every session of the account, this one included; returns how many ended. */
export async function signOutEverywhere(ctx: Pick<ServiceContext, 'db' | 'now'>, s: SignedIn, meta: RequestMeta): Promise<number> {
  const now = new Date(ctx.now());
  return ctx.db.transaction(async (tx) => {
    const n = await revokeUserSessions(tx, s.user.id, now);
    await audit(tx, now, s.user.id, 'signout-everywhere', meta, { detail: { sessions: n } });
    return n;
  });
}

/** The account's open sessions, for the security page (where and when each began). */
export async function sessionsOf(ctx: Pick<ServiceContext, 'db' | 'now'>, s: SignedIn): Promise<(StaffSession & { current: boolean })[]> {
  const rows = await openSessions(ctx.db, s.user.id, new Date(ctx.now()));
  return rows.map((r) => ({ ...r, current: r.idHash === s.session.idHash }));
}
