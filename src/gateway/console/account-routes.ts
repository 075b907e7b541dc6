/**
 * @module The signed-in person's own pages:
 *
 *   GET  /console                           home
 *   GET  /console/sicurezza                 security: second factor, password, sessions, activity
 *   GET  POST /console/sicurezza/totp       TOTP enrolment (a new seed and its QR; the first code confirms it)
 *   POST /console/sicurezza/codici          new recovery codes, shown once
 *   POST /console/sicurezza/totp/togli      remove TOTP (where the role allows, R-ACC-2)
 *   POST /console/sicurezza/password        change the password
 *   POST /console/esci-ovunque              sign-out everywhere
 *
 * The enrolment pages are open to a session at stage `enrol` (R-ACC-2: the role requires it
 * before anything else); every other page needs a complete session.
 */
import { Hono, type Context } from 'hono';
import { requiresSecondFactor } from '../../domain/staff-accounts.ts';
import { homePage, securityPage } from '../../pages/console/account-pages.tsx';
import type { FormProblem } from '../../pages/console/signin-pages.tsx';
import { enrolPage, recoveryCodesPage } from '../../pages/console/signin-pages.tsx';
import { ChangePasswordForm, CodeForm } from '../../schemas/console.ts';
import { changePassword } from '../../services/staff/accounts.ts';
import { recentActivity } from '../../services/staff/audit.ts';
import { confirmTotp, recoveryCodesLeft, removeTotp, renewRecoveryCodes, startTotpEnrolment } from '../../services/staff/second-factor.ts';
import { passkeysOfAccount } from '../../services/staff/passkeys.ts';
import { sessionsOf, signOutEverywhere, type SignedIn } from '../../services/staff/sessions.ts';
import type { Deps } from '../deps.ts';
import { problemOfError, readForm } from './forms.ts';
import { councilQueues } from '../../services/council/queues.ts';
import { actorOf, clearSessionCookie, requestMeta, requirePerson, stepFor, type ConsoleEnv } from './session.ts';

const NOTICES: Readonly<Record<string, string>> = {
  attivato: 'Account attivato: benvenuto.',
  'password-cambiata': 'Password cambiata. Le sessioni sugli altri dispositivi sono state chiuse.',
  'totp-tolto': 'Verifica in due passaggi tolta.',
  'passkey-aggiunta': 'Passkey aggiunta: potrà usarla al posto del codice dell’app.',
  'passkey-tolta': 'Passkey tolta.',
};

export function accountRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const person = (c: Context<ConsoleEnv>) => c.get('staff')!;

  app.get('/console', requirePerson(), async (c) => {
    const user = person(c).user;
    const queues = user.role === 'cpo' || user.role === 'cn' ? await councilQueues(deps, actorOf(c)) : undefined;
    return c.html(homePage(user, NOTICES[c.req.query('esito') ?? ''], queues));
  });

  const securityView = async (s: SignedIn) => ({
    secondFactor: s.user.totpEnabledAt !== null,
    passkeys: await passkeysOfAccount(deps, s.user.id),
    recoveryCodesLeft: s.user.totpEnabledAt ? await recoveryCodesLeft(deps, s.user.id) : 0,
    sessions: await sessionsOf(deps, s),
    recent: await recentActivity(deps, s.user.id),
  });
  const security = async (c: Context<ConsoleEnv>, opts: { notice?: string; problems?: FormProblem[] } = {}, status: 200 | 401 | 422 = 200) =>
    c.html(securityPage(person(c).user, await securityView(person(c)), opts), status);

  app.get('/console/sicurezza', requirePerson(), (c) => {
    const error = c.req.query('errore');
    return security(c, { notice: NOTICES[c.req.query('esito') ?? ''], problems: error ? [{ code: error }] : [] });
  });

  /** The enrolment is open to a session waiting for it, and to a complete one (a new phone). */
  const enrolling = (c: Context<ConsoleEnv>) => {
    const s = c.get('staff');
    return s && (s.stage === 'enrol' || s.stage === 'ready') ? s : null;
  };
  app.get('/console/sicurezza/totp', async (c) => {
    const s = enrolling(c);
    if (!s) return c.redirect(stepFor(c.get('staff')) ?? '/console', 303);
    const e = await startTotpEnrolment(deps, s);
    return c.html(enrolPage({ ...e, required: requiresSecondFactor(s.user.role) }));
  });
  app.post('/console/sicurezza/totp', async (c) => {
    const s = enrolling(c);
    if (!s) return c.redirect(stepFor(c.get('staff')) ?? '/console', 303);
    const form = await readForm(c, CodeForm);
    try {
      if (!form.ok) throw form.problems;
      const codes = await confirmTotp(deps, s, form.data.code, requestMeta(c));
      return c.html(recoveryCodesPage(codes));
    } catch (err) {
      // The same seed again: the person has scanned it already.
      const problems = Array.isArray(err) ? (err as FormProblem[]) : [problemOfError(err, 'code')];
      const e = await startTotpEnrolment(deps, s);
      return c.html(enrolPage({ ...e, required: requiresSecondFactor(s.user.role), problems }), 422);
    }
  });

  app.post('/console/sicurezza/codici', requirePerson(), async (c) => c.html(recoveryCodesPage(await renewRecoveryCodes(deps, person(c), requestMeta(c)))));

  app.post('/console/sicurezza/totp/togli', requirePerson(), async (c) => {
    try {
      await removeTotp(deps, person(c), requestMeta(c));
      return c.redirect('/console/sicurezza?esito=totp-tolto', 303);
    } catch (err) {
      return security(c, { problems: [problemOfError(err)] }, 422);
    }
  });

  app.post('/console/sicurezza/password', requirePerson(), async (c) => {
    const form = await readForm(c, ChangePasswordForm);
    if (!form.ok) return security(c, { problems: form.problems }, 422);
    try {
      const s = person(c);
      await changePassword(deps, s.user.id, { current: form.data.current, next: form.data.password, keepSessionHash: s.session.idHash }, requestMeta(c));
      return c.redirect('/console/sicurezza?esito=password-cambiata', 303);
    } catch (err) {
      const p = problemOfError(err, undefined);
      return security(c, { problems: [p.code === 'signin-failed' ? { code: 'current-password-wrong', field: 'current' } : p] }, 422);
    }
  });

  app.post('/console/esci-ovunque', requirePerson(), async (c) => {
    await signOutEverywhere(deps, person(c), requestMeta(c));
    clearSessionCookie(c, deps);
    return c.redirect('/console/accesso?esito=uscito', 303);
  });

  return app;
}
