/**
 * @module Passkeys (WebAuthn, `@simplewebauthn/server`) as a second factor equal to TOTP
 * (R-ACC-2): adding one to a signed-in account (also during the enrolment its role requires),
 * using one at the second step of sign-in, removing one. The relying party is the gateway's host
 * name (`PUBLIC_URL`'s, else the request's); each ceremony's challenge waits on the session that
 * asked for it and is used once.
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import {
  deletePasskey,
  insertPasskey,
  passkeyById,
  passkeysOf,
  setChallenge,
  takeChallenge,
  usePasskey,
  type StaffPasskey,
} from '../../store/staff-passkeys.ts';
import { clearFailures, lockUser, recordFailure } from '../../store/staff.ts';
import { passSecondFactor } from '../../store/staff-sessions.ts';
import { lockAfterFailure, requiresSecondFactor } from '../../domain/staff-accounts.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { audit, type RequestMeta } from './audit.ts';
import type { SignedIn } from './sessions.ts';

/** Who the passkeys are bound to: the host name people reach the gateway at, and its origin. */
export interface RelyingParty {
  id: string;
  origin: string;
}

export function relyingParty(config: ServiceContext['config'], requestOrigin: string): RelyingParty {
  const origin = new URL(config.PUBLIC_URL ?? requestOrigin).origin;
  return { id: new URL(origin).hostname, origin };
}

const RP_NAME = 'Formazione continua CdL';

/** The options the browser's `navigator.credentials.create` takes, for this account. */
export async function passkeyRegistrationOptions(ctx: Pick<ServiceContext, 'db'>, s: SignedIn, rp: RelyingParty) {
  const existing = await passkeysOf(ctx.db, s.user.id);
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.id,
    userName: s.user.email,
    userDisplayName: s.user.displayName,
    userID: new TextEncoder().encode(s.user.id),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransportFuture[] })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await setChallenge(ctx.db, s.session.idHash, options.challenge);
  return options;
}

/** Verifies the browser's answer and stores the passkey; this session has then passed its second factor. */
export async function addPasskey(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  s: SignedIn,
  rp: RelyingParty,
  response: RegistrationResponseJSON,
  label: string,
  meta: RequestMeta,
): Promise<void> {
  const challenge = await takeChallenge(ctx.db, s.session.idHash);
  if (!challenge) throw new ServiceError('second-factor-not-pending');
  const v = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id }).catch(() => null);
  if (!v?.verified) throw new ServiceError('second-factor-failed', 'The passkey could not be verified');
  const c = v.registrationInfo.credential;
  const now = new Date(ctx.now());
  await ctx.db.transaction(async (tx) => {
    const ok = await insertPasskey(tx, {
      credentialId: c.id,
      userId: s.user.id,
      publicKey: c.publicKey,
      signCount: c.counter,
      transports: c.transports ?? [],
      label: label.trim().slice(0, 100) || 'Passkey',
      createdAt: now,
    });
    if (!ok) throw new ServiceError('conflict', 'This passkey is registered already');
    await passSecondFactor(tx, s.session.idHash, now);
    await audit(tx, now, s.user.id, 'passkey-added', meta);
  });
}

/** The options of `navigator.credentials.get` at the second step: the account's own passkeys. */
export async function passkeySignInOptions(ctx: Pick<ServiceContext, 'db'>, s: SignedIn, rp: RelyingParty) {
  if (s.stage !== 'second-factor') throw new ServiceError('second-factor-not-pending');
  const keys = await passkeysOf(ctx.db, s.user.id);
  if (!keys.length) throw new ServiceError('second-factor-not-pending', 'This account has no passkey');
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: keys.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransportFuture[] })),
    userVerification: 'preferred',
  });
  await setChallenge(ctx.db, s.session.idHash, options.challenge);
  return options;
}

/**
 * The second step with a passkey: verified against the account's own key and its counter; a
 * failure counts toward the lockout like a wrong code (R-ACC-4).
 */
export async function passWithPasskey(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  s: SignedIn,
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  meta: RequestMeta,
): Promise<void> {
  if (s.stage !== 'second-factor') throw new ServiceError('second-factor-not-pending');
  const nowMs = ctx.now();
  const now = new Date(nowMs);
  const challenge = await takeChallenge(ctx.db, s.session.idHash);
  const key = challenge ? await passkeyById(ctx.db, response.id) : null;
  const verified = key && key.userId === s.user.id ? await verify(response, challenge!, rp, key) : null;
  const outcome = await ctx.db.transaction(async (tx) => {
    const user = await lockUser(tx, s.user.id);
    if (!user || user.disabledAt) return 'signin-failed' as const;
    if (user.lockedUntil && user.lockedUntil.getTime() > nowMs) return 'account-locked' as const;
    if (!verified || !(await usePasskey(tx, key!.credentialId, verified.newCounter, now))) {
      const failures = user.failedSignins + 1;
      const until = lockAfterFailure(failures, nowMs);
      await recordFailure(tx, user.id, failures, until === null ? null : new Date(until));
      await audit(tx, now, user.id, 'second-factor-failed', meta, { detail: { failures, what: 'passkey', locked: until !== null } });
      return until === null ? ('second-factor-failed' as const) : ('account-locked' as const);
    }
    await clearFailures(tx, user.id);
    await passSecondFactor(tx, s.session.idHash, now);
    await audit(tx, now, user.id, 'second-factor-passed', meta, { detail: { what: 'passkey' } });
    return null;
  });
  if (outcome) throw new ServiceError(outcome);
}

async function verify(response: AuthenticationResponseJSON, challenge: string, rp: RelyingParty, key: StaffPasskey) {
  const v = await verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    credential: {
      id: key.credentialId,
      publicKey: key.publicKey as Uint8Array<ArrayBuffer>,
      counter: key.signCount,
      transports: key.transports as AuthenticatorTransportFuture[],
    },
  }).catch(() => null);
  return v?.verified ? v.authenticationInfo : null;
}

/** The account's passkeys, for the security page. */
export async function passkeysOfAccount(ctx: Pick<ServiceContext, 'db'>, userId: string) {
  return (await passkeysOf(ctx.db, userId)).map((p) => ({ id: p.credentialId, label: p.label, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt }));
}

/**
 * Removes one of the account's passkeys; a role that requires a second factor keeps at least
 * one (TOTP or another passkey, R-ACC-2).
 */
export async function removePasskey(ctx: Pick<ServiceContext, 'db' | 'now'>, s: SignedIn, credentialId: string, meta: RequestMeta): Promise<void> {
  const now = new Date(ctx.now());
  await ctx.db.transaction(async (tx) => {
    const user = await lockUser(tx, s.user.id);
    if (!user) throw new ServiceError('staff-not-found');
    if (requiresSecondFactor(user.role) && !user.totpEnabledAt && user.passkeys <= 1) throw new ServiceError('second-factor-required');
    if (!(await deletePasskey(tx, user.id, credentialId))) throw new ServiceError('staff-not-found', 'No such passkey');
    await audit(tx, now, user.id, 'passkey-removed', meta);
  });
}
