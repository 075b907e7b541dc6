/**
 * @module Single sign-on at the deployment's identity provider (issue 14, R-ACC-8):
 *
 *   POST /console/oidc            begins: a login kept for 10 minutes, its id in a cookie, 303 to the provider
 *   GET  /console/oidc/callback   the provider's answer: the account found, a session, 303 to the next step
 *
 * The start is a console form, checked against cross-site requests like every other (R-ACC-5) and
 * counted with the sign-in attempts of the address (R-ACC-4). The login's cookie is `HttpOnly`
 * and `SameSite=Lax`, so the provider's top-level redirect back carries it, and it goes at the
 * callback whatever the outcome. The redirect URI is `PUBLIC_URL` (or the request's origin) +
 * `/console/oidc/callback`: the one to register at the provider.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ServiceError } from '../../services/errors.ts';
import { finishOidcSignIn, oidcOffer, startOidcSignIn, type OidcRefusal } from '../../services/staff/oidc.ts';
import { consoleMessagePage, lockedPage } from '../../pages/console/signin-pages.tsx';
import type { Deps } from '../deps.ts';
import { signinThrottle } from './throttle.ts';
import { afterSignIn, requestMeta, safeNext, secureCookies, setSessionCookie, type ConsoleEnv } from './session.ts';

export const OIDC_CALLBACK_PATH = '/console/oidc/callback';

export function oidcRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const throttle = deps.signinThrottle ?? signinThrottle({ attempts: deps.config.SIGNIN_ATTEMPTS_PER_ADDRESS });
  const loginCookie = secureCookies(deps) ? '__Host-cdl_oidc' : 'cdl_oidc';
  const redirectUri = (c: Context) => `${(deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, '')}${OIDC_CALLBACK_PATH}`;

  app.post('/console/oidc', async (c) => {
    if (!oidcOffer(deps.config)) return c.html(consoleMessagePage('Accesso non disponibile', NOT_CONFIGURED), 404);
    if ((await throttle(requestMeta(c).clientAddr ?? 'unknown')) !== null)
      return c.html(consoleMessagePage('Troppi tentativi', 'Troppi tentativi di accesso da questo indirizzo. Riprovi fra qualche minuto.'), 429);
    try {
      const start = await startOidcSignIn(deps, { redirectUri: redirectUri(c), next: safeNext(c.req.query('dopo')) });
      setCookie(c, loginCookie, start.loginId, { httpOnly: true, sameSite: 'Lax', secure: secureCookies(deps), path: '/', maxAge: start.maxAgeSeconds });
      return c.redirect(start.authorizationUrl, 303);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'oidc-unavailable') return c.html(consoleMessagePage('Accesso non disponibile', UNAVAILABLE), 503);
      throw err;
    }
  });

  app.get(OIDC_CALLBACK_PATH, async (c) => {
    if (!oidcOffer(deps.config)) return c.html(consoleMessagePage('Accesso non disponibile', NOT_CONFIGURED), 404);
    const loginId = getCookie(c, loginCookie);
    deleteCookie(c, loginCookie, { path: '/', secure: secureCookies(deps) });
    // The URL the provider answered to, as registered (behind a proxy the request's own differs).
    const callbackUrl = new URL(redirectUri(c));
    callbackUrl.search = new URL(c.req.url).search;
    try {
      const r = await finishOidcSignIn(deps, { loginId, callbackUrl }, requestMeta(c));
      setSessionCookie(c, deps, r.sessionId);
      return c.redirect(afterSignIn(r.stage, r.next), 303);
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      if (err.code === 'account-locked') return c.html(lockedPage(new Date(String(err.extra?.lockedUntil))), 429);
      if (err.code === 'oidc-unavailable') return c.html(consoleMessagePage('Accesso non disponibile', UNAVAILABLE), 503);
      if (err.code === 'oidc-refused') {
        const reason = String(err.extra?.reason) as OidcRefusal;
        return c.html(consoleMessagePage(REFUSALS[reason]?.[0] ?? 'Accesso non riuscito', REFUSALS[reason]?.[1] ?? CALLBACK_INVALID), 403);
      }
      throw err;
    }
  });

  return app;
}

const NOT_CONFIGURED = 'L’accesso con identità digitale non è attivo su questo portale. Acceda con e-mail e password.';
const UNAVAILABLE = 'Il servizio di identità digitale non risponde in questo momento. Riprovi fra qualche minuto, oppure acceda con e-mail e password.';
const CALLBACK_INVALID =
  'L’accesso non è andato a buon fine: il collegamento di ritorno non è valido, è scaduto oppure è già stato usato. Riprovi dalla pagina di accesso.';
/** The same words whatever made the account not found (unknown, not verified, disabled), as for passwords (R-ACC-4). */
const NO_ACCOUNT =
  'L’identità con cui ha fatto l’accesso non corrisponde a un account attivo del portale. Gli account si aprono solo su invito: se dovrebbe averne uno, chieda a chi gestisce gli accessi di invitarLa con l’indirizzo e-mail che il Suo fornitore di identità ha verificato.';

const REFUSALS: Readonly<Record<OidcRefusal, readonly [title: string, text: string]>> = {
  'no-login': ['Accesso non riuscito', CALLBACK_INVALID],
  'invalid-callback': ['Accesso non riuscito', CALLBACK_INVALID],
  'token-refused': ['Accesso non riuscito', CALLBACK_INVALID],
  'provider-error': [
    'Accesso non completato',
    'L’accesso presso il fornitore di identità non è stato completato (è stato annullato o non è riuscito). Può riprovare, oppure accedere con e-mail e password.',
  ],
  'no-email': ['Accesso non consentito', NO_ACCOUNT],
  'email-not-verified': ['Accesso non consentito', NO_ACCOUNT],
  'no-account': ['Accesso non consentito', NO_ACCOUNT],
  'linked-elsewhere': ['Accesso non consentito', NO_ACCOUNT],
  disabled: ['Accesso non consentito', NO_ACCOUNT],
  locked: ['Accesso sospeso', 'L’accesso a questo account è sospeso per sicurezza. Riprovi più tardi.'],
};
