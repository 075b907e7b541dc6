/**
 * @module The console's doors (issue 14), all Italian pages:
 *
 *   GET  /                                  leads a person to the console
 *   GET  POST /console/accesso              sign-in with e-mail and password
 *   GET  POST /console/verifica             the second step: TOTP or a recovery code
 *   GET  POST /console/invito/{token}       the invited person chooses a password (R-ACC-6)
 *   GET  POST /console/nuova-password/{token}   a new password from a reset link
 *   GET  POST /console/password-dimenticata the reset link asked for by e-mail
 *   POST /console/esci                      sign-out
 *
 * Attempts are counted per address (R-ACC-4) before any password is checked; a refused attempt
 * answers 401 (wrong), 429 (locked or throttled) with the page again.
 */
import { Hono, type Context } from 'hono';
import { ServiceError } from '../../services/errors.ts';
import { inspectLink, requestPasswordReset, useLink } from '../../services/staff/accounts.ts';
import { oidcOffer } from '../../services/staff/oidc.ts';
import { openSession, signOut, stageOf } from '../../services/staff/sessions.ts';
import { passSecondStep, signIn } from '../../services/staff/signin.ts';
import { CodeForm, EmailForm, NewPasswordForm, SignInForm } from '../../schemas/console.ts';
import type { TokenPurpose } from '../../domain/staff-accounts.ts';
import { choosePasswordPage, consoleMessagePage, forgotPasswordPage, lockedPage, secondStepPage, signInPage } from '../../pages/console/signin-pages.tsx';
import type { Deps } from '../deps.ts';
import { problemOfError, readForm } from './forms.ts';
import { signinThrottle } from './throttle.ts';
import { afterSignIn, clearSessionCookie, requestMeta, safeNext, setSessionCookie, stepFor, type ConsoleEnv } from './session.ts';

export function signinRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const throttle = deps.signinThrottle ?? signinThrottle({ attempts: deps.config.SIGNIN_ATTEMPTS_PER_ADDRESS });
  const throttled = (c: Context) => throttle(requestMeta(c).clientAddr ?? 'unknown');

  /** The sign-in page, with the identity provider's button when single sign-on is configured (R-ACC-8). */
  const signInHere = (c: Context, p: Omit<Parameters<typeof signInPage>[0], 'oidc' | 'next'>) => {
    const dopo = c.req.query('dopo');
    return signInPage({ ...p, oidc: oidcOffer(deps.config), next: dopo === undefined ? undefined : safeNext(dopo) });
  };

  app.get('/', (c) => c.redirect('/console', 302));

  app.get('/console/accesso', (c) => {
    const s = c.get('staff');
    if (s) return c.redirect(stepFor(s) ?? safeNext(c.req.query('dopo')), 303);
    return c.html(signInHere(c, { notice: c.req.query('esito') === 'uscito' ? 'È uscito dal portale.' : undefined }));
  });

  app.post('/console/accesso', async (c) => {
    const form = await readForm(c, SignInForm);
    if (!form.ok) return c.html(signInHere(c, { email: form.values.email, problems: form.problems }), 422);
    if ((await throttled(c)) !== null) return c.html(signInHere(c, { email: form.data.email, problems: [{ code: 'too-many-attempts' }] }), 429);
    try {
      const r = await signIn(deps, form.data, requestMeta(c));
      setSessionCookie(c, deps, r.sessionId);
      return c.redirect(afterSignIn(r.stage, c.req.query('dopo')), 303);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'account-locked') return c.html(lockedPage(new Date(String(err.extra?.lockedUntil))), 429);
      const p = problemOfError(err);
      return c.html(signInHere(c, { email: form.data.email, problems: [p] }), err instanceof ServiceError ? err.status : 500);
    }
  });

  app.get('/console/verifica', (c) => {
    const s = c.get('staff');
    if (s?.stage !== 'second-factor') return c.redirect(stepFor(s) ?? '/console', 303);
    return c.html(secondStepPage({ passkey: s.user.passkeys > 0 }));
  });

  app.post('/console/verifica', async (c) => {
    const s = c.get('staff');
    if (s?.stage !== 'second-factor') return c.redirect(stepFor(s) ?? '/console', 303);
    const form = await readForm(c, CodeForm);
    const passkey = s.user.passkeys > 0;
    if (!form.ok) return c.html(secondStepPage({ problems: form.problems, passkey }), 422);
    if ((await throttled(c)) !== null) return c.html(secondStepPage({ problems: [{ code: 'too-many-attempts' }], passkey }), 429);
    try {
      await passSecondStep(deps, s, form.data.code, requestMeta(c));
      return c.redirect('/console', 303);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'account-locked') return c.html(lockedPage(new Date(String(err.extra?.lockedUntil))), 429);
      return c.html(secondStepPage({ problems: [problemOfError(err, 'code')], passkey }), err instanceof ServiceError ? err.status : 500);
    }
  });

  const linkPages = (purpose: TokenPurpose, path: string) => {
    const first = purpose === 'invitation';
    const unusable = (c: Context) => c.html(consoleMessagePage('Link non valido', STAFF_LINK_UNUSABLE), 410);
    app.get(`${path}/:token`, async (c) => {
      const who = await inspectLink(deps, purpose, c.req.param('token'));
      if (!who) return unusable(c);
      return c.html(choosePasswordPage({ action: `${path}/${c.req.param('token')}`, first, ...who }));
    });
    app.post(`${path}/:token`, async (c) => {
      const token = c.req.param('token');
      const who = await inspectLink(deps, purpose, token);
      if (!who) return unusable(c);
      const form = await readForm(c, NewPasswordForm);
      if (!form.ok) return c.html(choosePasswordPage({ action: `${path}/${token}`, first, ...who, problems: form.problems }), 422);
      try {
        const meta = requestMeta(c);
        const user = await useLink(deps, purpose, token, form.data.password, meta);
        const sessionId = await deps.db.transaction((tx) => openSession(deps, tx, user, meta));
        setSessionCookie(c, deps, sessionId);
        return c.redirect(afterSignIn(stageOf(user, null)), 303);
      } catch (err) {
        if (err instanceof ServiceError && err.code === 'link-not-usable') return unusable(c);
        return c.html(
          choosePasswordPage({ action: `${path}/${token}`, first, ...who, problems: [problemOfError(err)] }),
          err instanceof ServiceError ? err.status : 500,
        );
      }
    });
  };
  linkPages('invitation', '/console/invito');
  linkPages('reset', '/console/nuova-password');

  app.get('/console/password-dimenticata', (c) => c.html(forgotPasswordPage({ sent: false })));
  app.post('/console/password-dimenticata', async (c) => {
    const form = await readForm(c, EmailForm);
    if (!form.ok) return c.html(forgotPasswordPage({ sent: false, problems: form.problems }), 422);
    if ((await throttled(c)) !== null) return c.html(forgotPasswordPage({ sent: false, problems: [{ code: 'too-many-attempts' }] }), 429);
    await requestPasswordReset(deps, form.data.email, new URL(c.req.url).origin, requestMeta(c));
    return c.html(forgotPasswordPage({ sent: true }));
  });

  app.post('/console/esci', async (c) => {
    const s = c.get('staff');
    if (s) await signOut(deps, s, requestMeta(c));
    clearSessionCookie(c, deps);
    return c.redirect('/console/accesso?esito=uscito', 303);
  });

  return app;
}

const STAFF_LINK_UNUSABLE =
  'Il link non è più valido: è già stato usato, è scaduto oppure l’account è disattivato. Chieda un nuovo invito (o una nuova password) a chi gestisce gli accessi.';
