/**
 * @module Single sign-on with OpenID Connect (issue 14, R-ACC-8): a deployment may let its staff
 * sign in at its identity provider (a council's own, or a SPID/CIE broker) instead of with a
 * password. The authorization code flow with PKCE (S256), `state` and `nonce`, through
 * `openid-client`; the provider's metadata is discovered once per process, at the first use.
 *
 * Where a login waits for the browser to come back: in the database (`staff_oidc_logins`), under
 * the SHA-256 of a random id (256 bits) that the browser holds in a short-lived cookie (HttpOnly,
 * SameSite=Lax so that the provider's top-level redirect back carries it, 10 minutes), exactly like
 * the sessions (R-ACC-5). Rather than a signed cookie holding the verifier and nonce: the secrets
 * never leave the gateway, every gateway process sees the same logins (no key to share, nothing in
 * Redis), and a login is taken once, so a replayed callback is refused here even by a browser that
 * kept the cookie, not only by the provider's one-time code. The cookie binds the callback to the
 * browser that began it: a callback carried to another browser (login CSRF) finds no login there.
 *
 * Claims never make an account or a role: they only find one that an admin or the CN invited.
 */
import * as oidc from 'openid-client';
import type { Config } from '../../config.ts';
import type { Queryable } from '../../store/db.ts';
import { linkOidc, lockUser, userByEmail, userByOidc, type StaffUser } from '../../store/staff.ts';
import { insertOidcLogin, takeOidcLogin } from '../../store/staff-oidc.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { audit, type RequestMeta } from './audit.ts';
import { newToken, sha256Hex } from './secrets.ts';
import { openSession, stageOf, type SessionStage } from './sessions.ts';

type Ctx = Pick<ServiceContext, 'db' | 'config' | 'log' | 'now'>;

/** How long a login begun at the provider may take to come back. */
export const OIDC_LOGIN_TTL_MS = 10 * 60_000;

/**
 * `amr` values (RFC 8176) that say the provider checked more than one factor: then its sign-in
 * counts as the second factor too (R-ACC-2). Anything else (`pwd` alone, no `amr`) does not.
 */
export const MULTI_FACTOR_AMR: ReadonlySet<string> = new Set(['mfa', 'otp', 'hwk', 'swk']);

/** Why a sign-in at the provider opened no session (the audit's `reason`). */
export type OidcRefusal =
  | 'no-login' // no login waiting for this browser: no cookie, used already, expired
  | 'provider-error' // the provider answered with an error (the person cancelled, …)
  | 'invalid-callback' // state, issuer, ID token or nonce not as expected
  | 'token-refused' // the provider refused the code (used already, wrong verifier)
  | 'no-email'
  | 'email-not-verified'
  | 'no-account'
  | 'linked-elsewhere' // the account is linked to another subject of the same provider
  | 'disabled'
  | 'locked';

export interface OidcStart {
  /** The cookie's value, naming the login until the browser comes back. */
  loginId: string;
  /** Where to send the browser: the provider's authorization endpoint with the request. */
  authorizationUrl: string;
  maxAgeSeconds: number;
}

export interface OidcSignIn {
  sessionId: string;
  stage: SessionStage;
  user: StaffUser;
  /** The console page the person was going to when the login began. */
  next: string;
}

/** Whether single sign-on is configured, and the button's words. */
export function oidcOffer(config: Config): { label: string } | null {
  return config.OIDC_ISSUER && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET ? { label: config.OIDC_LABEL } : null;
}

/** Plain HTTP only for a provider on this machine (development, tests); `loadConfig` refuses it elsewhere. */
export function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

const discovered = new WeakMap<Config, Promise<oidc.Configuration>>();

/** The provider's configuration, discovered at the first use and kept; a failure is tried again next time. */
async function providerOf(ctx: Pick<Ctx, 'config' | 'log'>): Promise<oidc.Configuration> {
  const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: secret } = ctx.config;
  if (!issuer || !clientId || !secret) throw new ServiceError('oidc-not-configured');
  let pending = discovered.get(ctx.config);
  if (!pending) {
    const url = new URL(issuer);
    pending = oidc.discovery(url, clientId, undefined, oidc.ClientSecretBasic(secret), {
      timeout: 10,
      execute: url.protocol === 'http:' && isLoopback(url) ? [oidc.allowInsecureRequests] : [],
    });
    discovered.set(ctx.config, pending);
    pending.catch(() => {
      if (discovered.get(ctx.config) === pending) discovered.delete(ctx.config);
    });
  }
  try {
    return await pending;
  } catch (err) {
    ctx.log.warn({ issuer, err: (err as Error).message }, 'identity provider discovery failed');
    throw new ServiceError('oidc-unavailable', `The identity provider ${issuer} does not answer its discovery (${(err as Error).message})`);
  }
}

/**
 * Begins a sign-in at the provider: a login (PKCE verifier, state, nonce, the page to go to
 * afterwards) kept for 10 minutes, and the authorization URL to send the browser to.
 */
export async function startOidcSignIn(ctx: Ctx, input: { redirectUri: string; next: string }): Promise<OidcStart> {
  const provider = await providerOf(ctx);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const loginId = newToken();
  const now = ctx.now();
  await insertOidcLogin(ctx.db, sha256Hex(loginId), {
    state,
    nonce,
    codeVerifier,
    nextPath: input.next,
    createdAt: new Date(now),
    expiresAt: new Date(now + OIDC_LOGIN_TTL_MS),
  });
  const url = oidc.buildAuthorizationUrl(provider, {
    redirect_uri: input.redirectUri,
    scope: ctx.config.OIDC_SCOPES,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { loginId, authorizationUrl: url.href, maxAgeSeconds: OIDC_LOGIN_TTL_MS / 1000 };
}

/** Who the provider says signed in. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  amr: string[];
}

export interface OidcContact {
  email: string | null;
  emailVerified: boolean;
}

type Mapped = { ok: true; result: OidcSignIn } | { ok: false; refusal: ServiceError };

/**
 * The callback: the login this browser began (taken once), the code exchanged for tokens (state,
 * issuer, PKCE and nonce checked by `openid-client`), the account found by R-ACC-8, a session
 * opened. Every refusal is an `oidc-refused` audit row (committed) and a `ServiceError`
 * (`oidc-refused`, its `reason` in `extra`); `account-locked` for a locked account (R-ACC-4).
 */
export async function finishOidcSignIn(ctx: Ctx, input: { loginId: string | undefined; callbackUrl: URL }, meta: RequestMeta): Promise<OidcSignIn> {
  const now = new Date(ctx.now());
  const refuse = async (reason: OidcRefusal, detail: Record<string, unknown> = {}, userId: string | null = null): Promise<never> => {
    await audit(ctx.db, now, userId, 'oidc-refused', meta, { detail: { reason, ...detail } });
    throw refusal(reason);
  };
  const login = input.loginId && input.loginId.length <= 100 ? await takeOidcLogin(ctx.db, sha256Hex(input.loginId), now) : null;
  if (!login) return refuse('no-login');
  const provider = await providerOf(ctx);

  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(provider, input.callbackUrl, {
      pkceCodeVerifier: login.codeVerifier,
      expectedState: login.state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    if (unreachable(err)) {
      ctx.log.warn({ err: (err as Error).message }, 'identity provider token endpoint failed');
      throw new ServiceError('oidc-unavailable', `The identity provider does not answer (${(err as Error).message})`);
    }
    if (err instanceof oidc.AuthorizationResponseError) return refuse('provider-error', { error: err.error.slice(0, 100) });
    if (err instanceof oidc.ResponseBodyError) return refuse('token-refused', { error: err.error.slice(0, 100) });
    return refuse('invalid-callback', { error: String((err as { code?: unknown }).code ?? (err as Error).message).slice(0, 200) });
  }
  const claims = tokens.claims()!;
  const identity: OidcIdentity = { issuer: claims.iss, subject: claims.sub, amr: stringsOf(claims.amr) };

  // A linked account needs no e-mail; otherwise the ID token's, or the userinfo endpoint's, before
  // the transaction (no network call while rows are locked).
  const linked = await userByOidc(ctx.db, identity.issuer, identity.subject);
  let contact: OidcContact | null = null;
  if (!linked) {
    try {
      contact = await contactOf(provider, tokens, claims);
    } catch (err) {
      if (unreachable(err)) throw new ServiceError('oidc-unavailable', `The identity provider's userinfo does not answer (${(err as Error).message})`);
      return refuse('invalid-callback', { error: 'userinfo', issuer: identity.issuer });
    }
  }

  const mapped = await ctx.db.transaction(async (tx): Promise<Mapped> => {
    const found = await accountOfIdentity(tx, identity, contact, now.getTime());
    if (!found.ok) {
      await audit(tx, now, found.userId, 'oidc-refused', meta, {
        detail: { reason: found.reason, issuer: identity.issuer, ...(found.userId ? {} : contact?.email ? { email: contact.email.slice(0, 200) } : {}) },
      });
      return { ok: false, refusal: found.reason === 'locked' ? locked(found.until!) : refusal(found.reason) };
    }
    const { user, matchedBy } = found;
    if (matchedBy === 'email') await linkOidc(tx, user.id, identity.issuer, identity.subject);
    const mfa = identity.amr.some((v) => MULTI_FACTOR_AMR.has(v));
    const sessionId = await openSession(ctx, tx, user, meta, { secondFactorDone: mfa });
    const stage = stageOf(user, mfa ? now : null);
    await audit(tx, now, user.id, 'oidc-signin', meta, {
      detail: { issuer: identity.issuer, matchedBy, linked: matchedBy === 'email', amr: identity.amr.slice(0, 10), stage },
    });
    return { ok: true, result: { sessionId, stage, user, next: login.nextPath } };
  });
  if (!mapped.ok) throw mapped.refusal;
  ctx.log.info({ userId: mapped.result.user.id, stage: mapped.result.stage }, 'staff signed in with the identity provider');
  return mapped.result;
}

type Found =
  | { ok: true; user: StaffUser; matchedBy: 'subject' | 'email' }
  | {
      ok: false;
      reason: Extract<OidcRefusal, 'no-email' | 'email-not-verified' | 'no-account' | 'linked-elsewhere' | 'disabled' | 'locked'>;
      userId: string | null;
      until?: Date;
    };

/**
 * The account a provider's identity opens, locked for update: an existing account only, found
 * first by its link to (issuer, subject); else by the e-mail, only when the provider says it is
 * verified (`email_verified: true`), and then linked to (issuer, subject) so that later sign-ins
 * find it by subject whatever the e-mail becomes. An account linked to another subject of the
 * same provider is not taken over by an e-mail. A disabled account is refused, and a locked one
 * (R-ACC-4) like every other attempt. Nothing here creates an account or gives a role: both come
 * from an invitation (R-ACC-1), whatever the claims say.
 *
 * @rule R-ACC-8
 */
export async function accountOfIdentity(tx: Queryable, identity: OidcIdentity, contact: OidcContact | null, nowMs: number): Promise<Found> {
  let user: StaffUser | null = null;
  let matchedBy: 'subject' | 'email' = 'subject';
  const bySubject = await userByOidc(tx, identity.issuer, identity.subject);
  if (bySubject) user = await lockUser(tx, bySubject.id);
  if (!user) {
    if (!contact?.email) return { ok: false, reason: 'no-email', userId: null };
    if (!contact.emailVerified) return { ok: false, reason: 'email-not-verified', userId: null };
    user = await userByEmail(tx, contact.email, true);
    if (!user) return { ok: false, reason: 'no-account', userId: null };
    if (user.oidcSubject && user.oidcIssuer === identity.issuer) return { ok: false, reason: 'linked-elsewhere', userId: user.id };
    matchedBy = 'email';
  }
  if (user.disabledAt) return { ok: false, reason: 'disabled', userId: user.id };
  if (user.lockedUntil && user.lockedUntil.getTime() > nowMs) return { ok: false, reason: 'locked', userId: user.id, until: user.lockedUntil };
  return { ok: true, user, matchedBy };
}

/** The e-mail and whether the provider verified it: from the ID token, else from userinfo. */
async function contactOf(provider: oidc.Configuration, tokens: oidc.TokenEndpointResponse, claims: oidc.IDToken): Promise<OidcContact> {
  if (typeof claims.email === 'string') return { email: claims.email, emailVerified: claims.email_verified === true };
  if (!tokens.access_token || !provider.serverMetadata().userinfo_endpoint) return { email: null, emailVerified: false };
  const info = await oidc.fetchUserInfo(provider, tokens.access_token, claims.sub);
  return { email: typeof info.email === 'string' ? info.email : null, emailVerified: info.email_verified === true };
}

const stringsOf = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A network failure or a timeout talking to the provider (not its answer). */
function unreachable(err: unknown): boolean {
  return err instanceof TypeError || (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'));
}

function refusal(reason: OidcRefusal): ServiceError {
  return new ServiceError('oidc-refused', `Single sign-on refused: ${reason}`, { reason });
}

function locked(until: Date): ServiceError {
  return new ServiceError('account-locked', `Locked until ${until.toISOString()}`, { lockedUntil: until.toISOString() });
}
