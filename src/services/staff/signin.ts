/**
 * @module Signing in with e-mail and password, then the second factor (TOTP or a recovery code),
 * with the lockout after consecutive failures (R-ACC-4) and an audit row for every attempt.
 *
 * A failure is written and committed before it is answered: a refused attempt still counts.
 * Unknown e-mail, invitation not used, disabled account and wrong password all answer alike.
 */
import { lockAfterFailure } from '../../domain/staff-accounts.ts';
import type { Queryable } from '../../store/db.ts';
import { clearFailures, lockUser, recordFailure, useRecoveryCode, userByEmail, type StaffUser } from '../../store/staff.ts';
import { passSecondFactor } from '../../store/staff-sessions.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { audit, type RequestMeta } from './audit.ts';
import { useTotpCode } from './second-factor.ts';
import { checkPassword, normaliseRecoveryCode, sha256Hex } from './secrets.ts';
import { openSession, stageOf, type SessionStage, type SignedIn } from './sessions.ts';

type Ctx = Pick<ServiceContext, 'db' | 'config' | 'log' | 'now'>;

export interface SignInResult {
  /** The session cookie's value. */
  sessionId: string;
  stage: SessionStage;
  user: StaffUser;
}

type Attempt = { ok: true; result: SignInResult } | { ok: false; code: 'signin-failed' | 'second-factor-failed' | 'account-locked'; until?: Date };

/** Signs in with e-mail and password; refuses with `signin-failed` or `account-locked` (its `until` in the detail). */
export async function signIn(ctx: Ctx, input: { email: string; password: string }, meta: RequestMeta): Promise<SignInResult> {
  const nowMs = ctx.now();
  const now = new Date(nowMs);
  // The slow hash runs outside the transaction; the row is then locked to count the failure.
  const peek = await userByEmail(ctx.db, input.email.trim());
  const passwordOk = await checkPassword(peek?.passwordHash ?? null, input.password);
  const attempt = await ctx.db.transaction(async (tx): Promise<Attempt> => {
    const user = peek ? await lockUser(tx, peek.id) : null;
    if (!user || user.disabledAt || !user.passwordHash || user.passwordHash !== peek!.passwordHash) {
      await audit(tx, now, user?.id ?? null, 'signin-failed', meta, {
        detail: user ? { reason: user.disabledAt ? 'disabled' : 'no-password' } : { email: input.email.trim().toLowerCase().slice(0, 200) },
      });
      return { ok: false, code: 'signin-failed' };
    }
    if (user.lockedUntil && user.lockedUntil.getTime() > nowMs) {
      await audit(tx, now, user.id, 'signin-locked', meta);
      return { ok: false, code: 'account-locked', until: user.lockedUntil };
    }
    if (!passwordOk) return failure(tx, user, now, meta, 'password');
    await clearFailures(tx, user.id);
    const sessionId = await openSession(ctx, tx, user, meta);
    const stage = stageOf(user, null);
    await audit(tx, now, user.id, 'signin', meta, { detail: { stage } });
    return { ok: true, result: { sessionId, stage, user } };
  });
  if (!attempt.ok) throw refusal(attempt);
  return attempt.result;
}

/**
 * The second step: a TOTP code of the enrolled app, or one of the recovery codes (used once).
 * Wrong codes count toward the same lockout as wrong passwords (R-ACC-4).
 */
export async function passSecondStep(ctx: Ctx, s: SignedIn, code: string, meta: RequestMeta): Promise<void> {
  const nowMs = ctx.now();
  const now = new Date(nowMs);
  if (s.stage !== 'second-factor') throw new ServiceError('second-factor-not-pending');
  const attempt = await ctx.db.transaction(async (tx): Promise<Attempt | { ok: true }> => {
    const user = await lockUser(tx, s.user.id);
    if (!user || user.disabledAt) return { ok: false, code: 'signin-failed' };
    if (user.lockedUntil && user.lockedUntil.getTime() > nowMs) {
      await audit(tx, now, user.id, 'signin-locked', meta);
      return { ok: false, code: 'account-locked', until: user.lockedUntil };
    }
    const typed = code.trim();
    const recovery = /^\d{6}$/.test(typed) ? null : normaliseRecoveryCode(typed);
    const ok = recovery ? await useRecoveryCode(tx, user.id, sha256Hex(recovery), now) : await useTotpCode(tx, user, typed, nowMs);
    if (!ok) return failure(tx, user, now, meta, recovery ? 'recovery-code' : 'totp');
    await clearFailures(tx, user.id);
    await passSecondFactor(tx, s.session.idHash, now);
    await audit(tx, now, user.id, recovery ? 'recovery-code-used' : 'second-factor-passed', meta);
    return { ok: true };
  });
  if (!attempt.ok) throw refusal(attempt);
}

async function failure(tx: Queryable, user: StaffUser, now: Date, meta: RequestMeta, what: 'password' | 'totp' | 'recovery-code'): Promise<Attempt> {
  const failures = user.failedSignins + 1;
  const until = lockAfterFailure(failures, now.getTime());
  await recordFailure(tx, user.id, failures, until === null ? null : new Date(until));
  await audit(tx, now, user.id, what === 'password' ? 'signin-failed' : 'second-factor-failed', meta, { detail: { failures, what, locked: until !== null } });
  if (until !== null) return { ok: false, code: 'account-locked', until: new Date(until) };
  return { ok: false, code: what === 'password' ? 'signin-failed' : 'second-factor-failed' };
}

function refusal(a: Extract<Attempt, { ok: false }>): ServiceError {
  if (a.code === 'account-locked') return new ServiceError('account-locked', `Locked until ${a.until!.toISOString()}`, { lockedUntil: a.until!.toISOString() });
  return new ServiceError(a.code);
}
