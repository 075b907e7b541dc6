/**
 * @module Passkeys over HTTP (R-ACC-2), JSON for the console's script (progressive enhancement)
 * and the WebAuthn library it uses, served from our own origin:
 *
 *   GET  /console/assets/{webauthn.js|passkey.js}
 *   POST /console/sicurezza/passkey/opzioni      registration options (a session at `enrol` or `ready`)
 *   POST /console/sicurezza/passkey              the browser's answer → the passkey stored
 *   POST /console/sicurezza/passkey/{id}/togli   remove one (a form)
 *   POST /console/verifica/passkey/opzioni       sign-in options (a session at `second-factor`)
 *   POST /console/verifica/passkey               the browser's answer → the second step passed
 *
 * JSON posts need no CSRF token: a cross-site page cannot send `application/json` without a
 * CORS preflight, which the console never answers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { ServiceError } from '../../services/errors.ts';
import { addPasskey, passkeyRegistrationOptions, passkeySignInOptions, passWithPasskey, relyingParty, removePasskey } from '../../services/staff/passkeys.ts';
import { staffRefusal } from '../../pages/console/labels.ts';
import type { Deps } from '../deps.ts';
import { requestMeta, requirePerson, type ConsoleEnv } from './session.ts';

const require = createRequire(import.meta.url);
// The package exports no subpath for its browser bundle (the one its `unpkg` field names): find
// it beside the package's CommonJS entry.
const BROWSER_PACKAGE = path.resolve(path.dirname(require.resolve('@simplewebauthn/browser')), '..');
const ASSETS: Record<string, string> = {
  'webauthn.js': path.join(BROWSER_PACKAGE, 'dist', 'bundle', 'index.umd.min.js'),
  'passkey.js': fileURLToPath(new URL('../../pages/assets/passkey.js', import.meta.url)),
};
const cache = new Map<string, Buffer>();

export function passkeyRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const rp = (c: Context) => relyingParty(deps.config, new URL(c.req.url).origin);
  /** A refusal as JSON, worded in Italian for the page's status line. */
  const refused = (c: Context, err: unknown) => {
    if (!(err instanceof ServiceError)) throw err;
    return c.json({ code: err.code, message: staffRefusal(err.code) }, err.status);
  };
  const body = async <T>(c: Context): Promise<T | null> => c.req.json<T>().catch(() => null);

  app.get('/console/assets/:name', (c) => {
    const file = ASSETS[c.req.param('name')];
    if (!file) return c.notFound();
    let b = cache.get(file);
    if (!b) cache.set(file, (b = fs.readFileSync(file)));
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(new Uint8Array(b));
  });

  const enrolling = (c: Context<ConsoleEnv>) => {
    const s = c.get('staff');
    return s && (s.stage === 'enrol' || s.stage === 'ready') ? s : null;
  };
  app.post('/console/sicurezza/passkey/opzioni', async (c) => {
    const s = enrolling(c);
    if (!s) return refused(c, new ServiceError('forbidden'));
    return c.json(await passkeyRegistrationOptions(deps, s, rp(c)));
  });
  app.post('/console/sicurezza/passkey', async (c) => {
    const s = enrolling(c);
    if (!s) return refused(c, new ServiceError('forbidden'));
    const b = await body<{ response: RegistrationResponseJSON; label?: string }>(c);
    if (!b?.response) return refused(c, new ServiceError('invalid-body'));
    try {
      await addPasskey(deps, s, rp(c), b.response, typeof b.label === 'string' ? b.label : '', requestMeta(c));
      // An enrolment the role required ends on the console's home; an added one on Security.
      return c.json({ ok: true, next: s.stage === 'enrol' ? '/console?esito=passkey-aggiunta' : '/console/sicurezza?esito=passkey-aggiunta' });
    } catch (err) {
      return refused(c, err);
    }
  });
  app.post('/console/sicurezza/passkey/:id/togli', requirePerson(), async (c) => {
    try {
      await removePasskey(deps, c.get('staff')!, c.req.param('id'), requestMeta(c));
      return c.redirect('/console/sicurezza?esito=passkey-tolta', 303);
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      return c.redirect(`/console/sicurezza?errore=${encodeURIComponent(err.code)}`, 303);
    }
  });

  app.post('/console/verifica/passkey/opzioni', async (c) => {
    const s = c.get('staff');
    if (s?.stage !== 'second-factor') return refused(c, new ServiceError('second-factor-not-pending'));
    try {
      return c.json(await passkeySignInOptions(deps, s, rp(c)));
    } catch (err) {
      return refused(c, err);
    }
  });
  app.post('/console/verifica/passkey', async (c) => {
    const s = c.get('staff');
    if (s?.stage !== 'second-factor') return refused(c, new ServiceError('second-factor-not-pending'));
    const b = await body<{ response: AuthenticationResponseJSON }>(c);
    if (!b?.response) return refused(c, new ServiceError('invalid-body'));
    try {
      await passWithPasskey(deps, s, rp(c), b.response, requestMeta(c));
      return c.json({ ok: true, next: '/console' });
    } catch (err) {
      return refused(c, err);
    }
  });
  return app;
}
