/**
 * @module The console's session handling over HTTP (R-ACC-5): the cookie (`HttpOnly`,
 * `SameSite=Lax`, `Secure` and the `__Host-` prefix when `PUBLIC_URL` is https), resolving it on
 * each request, and the guards that send a person to the step they are at (sign-in, second
 * factor, the enrolment their role requires) before any console page.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { resolveSession, personActor, type SessionStage, type SignedIn } from '../../services/staff/sessions.ts';
import type { PersonActor } from '../../services/actor.ts';
import type { RequestMeta } from '../../services/staff/audit.ts';
import type { Deps } from '../deps.ts';
import { clientAddr } from '../http.ts';

export type ConsoleEnv = { Variables: { staff: SignedIn | null } };

/** Whether the console's cookies are `Secure` (with the `__Host-` prefix): when `PUBLIC_URL` is https. */
export const secureCookies = (deps: Deps) => (deps.config.PUBLIC_URL ?? '').startsWith('https://');
const secure = secureCookies;
const cookieName = (deps: Deps) => (secure(deps) ? '__Host-cdl_console' : 'cdl_console');

export function setSessionCookie(c: Context, deps: Deps, sessionId: string): void {
  setCookie(c, cookieName(deps), sessionId, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: secure(deps),
    path: '/',
    maxAge: deps.config.SESSION_MAX_HOURS * 3600,
  });
}

export function clearSessionCookie(c: Context, deps: Deps): void {
  deleteCookie(c, cookieName(deps), { path: '/', secure: secure(deps) });
}

/** Resolves the session cookie (if any) into `staff`; every console route runs after it. */
export function loadSession(deps: Deps): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    c.set('staff', await resolveSession(deps, getCookie(c, cookieName(deps))));
    await next();
  };
}

/** The address and browser of a request, for the audit. */
export function requestMeta(c: Context): RequestMeta {
  return { clientAddr: clientAddr(c), userAgent: c.req.header('user-agent') ?? null };
}

/** Where a person who is not (fully) signed in goes: sign-in, the second step, the enrolment. */
export function stepFor(s: SignedIn | null): string | null {
  if (!s) return '/console/accesso';
  if (s.stage === 'second-factor') return '/console/verifica';
  if (s.stage === 'enrol') return '/console/sicurezza/totp';
  return null;
}

/**
 * Requires a fully signed-in person (stage `ready`), of one of `roles` when given; otherwise a
 * 303 to the step they are at (a GET remembers where it was going), or a 403 page for a role
 * that may not open this page.
 */
export function requirePerson(roles?: readonly SignedIn['user']['role'][]): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const s = c.get('staff');
    const step = stepFor(s);
    if (step) {
      const back = c.req.method === 'GET' && step === '/console/accesso' ? `?dopo=${encodeURIComponent(c.req.path)}` : '';
      return c.redirect(step + back, 303);
    }
    if (roles && !roles.includes(s!.user.role)) return c.text('Il Suo ruolo non consente di aprire questa pagina.', 403);
    await next();
  };
}

/** The signed-in person as the actor of the operations they perform. */
export function actorOf(c: Context<ConsoleEnv>): PersonActor {
  const s = c.get('staff');
  if (!s) throw new Error('actorOf before requirePerson');
  return personActor(s.user);
}

/** Where a new session goes first, by its stage. */
const AFTER_SIGNIN: Record<SessionStage, string> = { ready: '/console', 'second-factor': '/console/verifica', enrol: '/console/sicurezza/totp' };

/**
 * Where a person goes after signing in (password, one-time link, identity provider): the page
 * they were going to (`next`, kept in the console) when the session is ready, else its next step.
 */
export function afterSignIn(stage: SessionStage, next?: string): string {
  return stage === 'ready' ? safeNext(next) : AFTER_SIGNIN[stage];
}

/** A `?dopo=` target that stays in the console (never an open redirect). */
export function safeNext(value: string | undefined): string {
  return value && /^\/console(\/[A-Za-z0-9/_-]*)?$/.test(value) ? value : '/console';
}
