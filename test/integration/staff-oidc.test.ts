/**
 * Issue 14, single sign-on (R-ACC-8), through HTTP against a real OpenID Connect provider
 * (`oidc-provider`) running in this process: the code flow with PKCE, state and nonce; accounts
 * found by subject, or by a verified e-mail and then linked; never created; disabled accounts,
 * unverified or unknown e-mails, cancelled, tampered and replayed callbacks refused with an
 * Italian page and an audit row; the provider's `amr` deciding whether the second factor is done
 * (R-ACC-2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { inviteStaff } from '../../src/services/staff/accounts.ts';
import { backendsOf } from '../support/backends.ts';
import { ConsoleClient, signedInStaff, textOf, type Page } from '../support/console-client.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { startTestIdp, type IdpPerson, type TestIdp } from '../support/oidc-idp.ts';

const LABEL = 'SPID o CIE (prova)';

describe('single sign-on configuration', () => {
  it('needs issuer, client id and secret together, https away from this machine, and openid among the scopes', () => {
    expect(loadConfig({}).OIDC_ISSUER).toBeUndefined();
    expect(loadConfig({}).OIDC_LABEL).toBe('identità digitale dell’ente');
    expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example.it' })).toThrow(/OIDC_CLIENT_ID, OIDC_CLIENT_SECRET/);
    expect(() => loadConfig({ OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' })).toThrow(/missing OIDC_ISSUER/);
    const full = { OIDC_ISSUER: 'https://idp.example.it', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' };
    expect(loadConfig(full).OIDC_SCOPES).toBe('openid email profile');
    expect(() => loadConfig({ ...full, OIDC_ISSUER: 'http://idp.example.it' })).toThrow(/https/);
    expect(loadConfig({ ...full, OIDC_ISSUER: 'http://127.0.0.1:4000' }).OIDC_ISSUER).toBe('http://127.0.0.1:4000');
    expect(() => loadConfig({ ...full, OIDC_SCOPES: 'email profile' })).toThrow(/openid/);
  });
});

for (const backend of backendsOf(import.meta.url)) {
  describe(`single sign-on on ${backend} (R-ACC-8)`, () => {
    let h: Harness;
    let idp: TestIdp;
    let orgId = '';

    const auditOf = async (event: string) =>
      (
        await h.rt.db.query<{ user_id: string | null; detail: Record<string, unknown> }>(
          'SELECT user_id, detail FROM staff_audit WHERE event = $1 ORDER BY id',
          [event],
        )
      ).rows;
    const staffCount = async () => (await h.rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM staff_users')).rows[0]!.n;

    /** The person at the provider signs in as `who`; the browser ends at the gateway's callback. */
    async function viaProvider(b: ConsoleClient, who: IdpPerson | null, start = '/console/oidc'): Promise<{ started: Page; callback: URL }> {
      idp.signInAs = who;
      const started = await b.post(start);
      expect(started.status).toBe(303);
      const callback = await idp.authorize(started.location!, new URL(h.url).origin);
      expect(callback.pathname).toBe('/console/oidc/callback');
      return { started, callback };
    }
    const back = (b: ConsoleClient, callback: URL) => b.get(callback.pathname + callback.search);

    beforeAll(async () => {
      idp = await startTestIdp();
      h = await startHarness(backend, {
        worker: false,
        env: { OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret, OIDC_LABEL: LABEL },
      });
      const res = await h.api('POST', '/v1/organisers', { key: await h.key('cn'), body: { kind: 'a', name: 'Ente SSO', province: 'MI' } });
      orgId = res.body.id;
    });
    afterAll(async () => {
      await h?.close();
      await idp?.close();
    });

    it('says so in Italian while the provider does not answer its discovery, and tries again next time', async () => {
      // The provider's server answers 503 until it is registered.
      const b = new ConsoleClient(h.url);
      const down = await b.post('/console/oidc');
      expect(down.status).toBe(503);
      expect(textOf(down.html)).toContain('Il servizio di identità digitale non risponde');
      await idp.register(`${h.url}/console/oidc/callback`);
      expect((await b.post('/console/oidc')).status).toBe(303);
    });

    it('shows the provider’s button on the sign-in page; the start is a console form (CSRF)', async () => {
      const page = await new ConsoleClient(h.url).get('/console/accesso?dopo=%2Fconsole%2Fsicurezza');
      expect(textOf(page.html)).toContain(`Accedi con ${LABEL}`);
      expect(page.html).toContain('action="/console/oidc?dopo=%2Fconsole%2Fsicurezza"');
      const crossSite = await new ConsoleClient(h.url, 'https://evil.example').post('/console/oidc');
      expect(crossSite.status).toBe(403);
    });

    it('an organiser signs in end to end at the provider, by verified e-mail, and the account is linked to the subject', async () => {
      const person = await signedInStaff(h, 'organiser', orgId, { name: 'Giulia Ente' });
      const b = new ConsoleClient(h.url);
      const { started, callback } = await viaProvider(b, { sub: 'org-giulia', email: person.email.toUpperCase(), email_verified: true, amr: ['pwd'] });

      // The request: code flow, PKCE S256, state and nonce, the registered redirect URI.
      const auth = new URL(started.location!);
      expect(auth.origin).toBe(idp.issuer);
      expect(auth.searchParams.get('response_type')).toBe('code');
      expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
      expect(auth.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(auth.searchParams.get('state')).toBeTruthy();
      expect(auth.searchParams.get('nonce')).toBeTruthy();
      expect(auth.searchParams.get('redirect_uri')).toBe(`${h.url}/console/oidc/callback`);
      expect(auth.searchParams.get('scope')).toBe('openid email profile');
      const loginCookie = b.setCookies.find((c) => c.startsWith('cdl_oidc='))!;
      expect(loginCookie).toMatch(/HttpOnly/i);
      expect(loginCookie).toMatch(/SameSite=Lax/i);
      expect(loginCookie).toMatch(/Max-Age=600/i);

      const landed = await back(b, callback);
      expect(landed.status).toBe(303);
      expect(landed.location).toBe('/console');
      expect(b.cookie('cdl_oidc')).toBeUndefined();
      const home = await b.get('/console');
      expect(home.status).toBe(200);
      expect(textOf(home.html)).toContain('Buongiorno, Giulia Ente');

      const linked = await h.rt.db.query<{ oidc_issuer: string; oidc_subject: string }>('SELECT oidc_issuer, oidc_subject FROM staff_users WHERE id = $1', [
        person.userId,
      ]);
      expect(linked.rows[0]).toEqual({ oidc_issuer: idp.issuer, oidc_subject: 'org-giulia' });
      const signins = (await auditOf('oidc-signin')).filter((r) => r.user_id === person.userId);
      expect(signins).toHaveLength(1);
      expect(signins[0]!.detail).toMatchObject({ matchedBy: 'email', linked: true, amr: ['pwd'], stage: 'ready', issuer: idp.issuer });
      // The security page lists it among the person's own activity.
      expect(textOf((await b.get('/console/sicurezza')).html)).toContain('Accesso con identità esterna');

      // Later, the e-mail changed at the provider (and is not even verified there): found by subject,
      // and the person goes where the sign-in page was leading.
      const again = new ConsoleClient(h.url);
      const second = await viaProvider(
        again,
        { sub: 'org-giulia', email: 'giulia@nuovo-dominio.example', email_verified: false },
        '/console/oidc?dopo=%2Fconsole%2Fsicurezza',
      );
      const landedAgain = await back(again, second.callback);
      expect(landedAgain.location).toBe('/console/sicurezza');
      expect((await again.get('/console/sicurezza')).status).toBe(200);
      const bySubject = (await auditOf('oidc-signin')).filter((r) => r.user_id === person.userId);
      expect(bySubject.at(-1)!.detail).toMatchObject({ matchedBy: 'subject', linked: false });
      // A target outside the console is not followed.
      const third = new ConsoleClient(h.url);
      const outside = await viaProvider(third, { sub: 'org-giulia' }, `/console/oidc?dopo=${encodeURIComponent('https://evil.example/')}`);
      expect((await back(third, outside.callback)).location).toBe('/console');
    });

    it('refuses an e-mail the provider has not verified, with an Italian page and an audit row', async () => {
      const person = await signedInStaff(h, 'organiser', orgId);
      const b = new ConsoleClient(h.url);
      const { callback } = await viaProvider(b, { sub: 'unverified-1', email: person.email, email_verified: false });
      const refused = await back(b, callback);
      expect(refused.status).toBe(403);
      expect(textOf(refused.html)).toContain('non corrisponde a un account attivo del portale');
      expect(b.cookie('cdl_console')).toBeUndefined();
      expect((await b.get('/console')).location).toContain('/console/accesso');
      expect((await auditOf('oidc-refused')).at(-1)!.detail).toMatchObject({ reason: 'email-not-verified' });
      const stillUnlinked = await h.rt.db.query<{ oidc_subject: string | null }>('SELECT oidc_subject FROM staff_users WHERE id = $1', [person.userId]);
      expect(stillUnlinked.rows[0]!.oidc_subject).toBeNull();
    });

    it('refuses an unknown e-mail and creates no account, whatever the claims say', async () => {
      const before = await staffCount();
      const b = new ConsoleClient(h.url);
      const { callback } = await viaProvider(b, { sub: 'stranger', email: 'sconosciuto@comune.example.it', email_verified: true, name: 'Admin', amr: ['mfa'] });
      const refused = await back(b, callback);
      expect(refused.status).toBe(403);
      expect(textOf(refused.html)).toContain('Gli account si aprono solo su invito');
      expect(await staffCount()).toBe(before);
      const row = (await auditOf('oidc-refused')).at(-1)!;
      expect(row.user_id).toBeNull();
      expect(row.detail).toMatchObject({ reason: 'no-account', email: 'sconosciuto@comune.example.it' });
    });

    it('refuses a disabled account, by e-mail or by subject', async () => {
      const person = await signedInStaff(h, 'organiser', orgId);
      const first = new ConsoleClient(h.url);
      expect((await back(first, (await viaProvider(first, { sub: 'to-disable', email: person.email, email_verified: true })).callback)).location).toBe(
        '/console',
      );
      await h.rt.db.query('UPDATE staff_users SET disabled_at = now() WHERE id = $1', [person.userId]);
      const b = new ConsoleClient(h.url);
      const refused = await back(b, (await viaProvider(b, { sub: 'to-disable' })).callback);
      expect(refused.status).toBe(403);
      expect(textOf(refused.html)).toContain('non corrisponde a un account attivo del portale');
      const row = (await auditOf('oidc-refused')).at(-1)!;
      expect(row).toMatchObject({ user_id: person.userId, detail: { reason: 'disabled' } });
      // The session opened before is gone with the account.
      expect((await first.get('/console')).status).toBe(303);
    });

    it('an account linked to one subject is not taken by another subject with its e-mail; a locked account is refused like any attempt (R-ACC-4)', async () => {
      const person = await signedInStaff(h, 'organiser', orgId);
      const first = new ConsoleClient(h.url);
      expect((await back(first, (await viaProvider(first, { sub: 'owner-1', email: person.email, email_verified: true })).callback)).location).toBe('/console');
      const other = new ConsoleClient(h.url);
      const taken = await back(other, (await viaProvider(other, { sub: 'someone-else', email: person.email, email_verified: true })).callback);
      expect(taken.status).toBe(403);
      expect((await auditOf('oidc-refused')).at(-1)).toMatchObject({ user_id: person.userId, detail: { reason: 'linked-elsewhere' } });

      await h.rt.db.query("UPDATE staff_users SET locked_until = now() + interval '10 minutes' WHERE id = $1", [person.userId]);
      const l = new ConsoleClient(h.url);
      const locked = await back(l, (await viaProvider(l, { sub: 'owner-1', amr: ['mfa'] })).callback);
      expect(locked.status).toBe(429);
      expect(textOf(locked.html)).toContain('accesso è sospeso fino alle');
      expect((await auditOf('oidc-refused')).at(-1)!.detail).toMatchObject({ reason: 'locked' });
    });

    it('a council account without a multi-factor amr still passes its own TOTP step; with `mfa` it reaches the console (R-ACC-2)', async () => {
      const cpo = await signedInStaff(h, 'cpo', 'MI', { name: 'Paolo Consiglio' });
      const b = new ConsoleClient(h.url);
      const pwdOnly = await back(b, (await viaProvider(b, { sub: 'cpo-paolo', email: cpo.email, email_verified: true, amr: ['pwd'] })).callback);
      expect(pwdOnly.location).toBe('/console/verifica');
      expect((await b.get('/console')).location).toBe('/console/verifica');

      const m = new ConsoleClient(h.url);
      const mfa = await back(m, (await viaProvider(m, { sub: 'cpo-paolo', amr: ['pwd', 'mfa'] })).callback);
      expect(mfa.location).toBe('/console');
      const home = await m.get('/console');
      expect(home.status).toBe(200);
      expect(textOf(home.html)).toContain('Buongiorno, Paolo Consiglio');
      expect((await auditOf('oidc-signin')).at(-1)!.detail).toMatchObject({ matchedBy: 'subject', amr: ['pwd', 'mfa'], stage: 'ready' });

      // An invited council account that never enrolled TOTP must enrol first, unless the provider did both factors.
      const invited = await inviteStaff(h.rt.deps, 'operator', {
        email: 'nuovo.cpo@mi.example.it',
        displayName: 'Nuovo CPO',
        role: 'cpo',
        subject: 'MI',
        origin: h.url,
      });
      const e = new ConsoleClient(h.url);
      const enrol = await back(e, (await viaProvider(e, { sub: 'cpo-new', email: 'nuovo.cpo@mi.example.it', email_verified: true, amr: ['pwd'] })).callback);
      expect(enrol.location).toBe('/console/sicurezza/totp');
      expect((await e.get('/console')).location).toBe('/console/sicurezza/totp');
      const otp = new ConsoleClient(h.url);
      expect((await back(otp, (await viaProvider(otp, { sub: 'cpo-new', amr: ['otp'] })).callback)).location).toBe('/console');
      expect(invited.account.id).toBeTruthy();
    });

    it('refuses a callback whose state was changed, a replayed one, one in another browser, and a cancelled sign-in', async () => {
      const person = await signedInStaff(h, 'organiser', orgId);
      idp.people.set('replay-1', { sub: 'replay-1', email: person.email, email_verified: true });

      // State tampered with: refused (and that login is spent).
      const t = new ConsoleClient(h.url);
      const { callback } = await viaProvider(t, { sub: 'replay-1', email: person.email, email_verified: true });
      const tampered = new URL(callback);
      tampered.searchParams.set('state', 'not-the-state');
      const badState = await back(t, tampered);
      expect(badState.status).toBe(403);
      expect(textOf(badState.html)).toContain('il collegamento di ritorno non è valido');
      expect((await auditOf('oidc-refused')).at(-1)!.detail).toMatchObject({ reason: 'invalid-callback' });
      expect((await back(t, callback)).status).toBe(403);

      // A good sign-in, then the same callback again: by the same browser (its login cookie is
      // gone), and with the login cookie kept by whoever copied it (the login was taken once).
      const b = new ConsoleClient(h.url);
      const good = await viaProvider(b, { sub: 'replay-1', email: person.email, email_verified: true });
      const loginId = b.setCookies.find((c) => c.startsWith('cdl_oidc='))!.split(';')[0]!;
      expect((await back(b, good.callback)).location).toBe('/console');
      const replay = await back(b, good.callback);
      expect(replay.status).toBe(403);
      const copied = await fetch(h.url + good.callback.pathname + good.callback.search, { headers: { cookie: loginId }, redirect: 'manual' });
      expect(copied.status).toBe(403);
      expect(copied.headers.getSetCookie().some((c) => c.startsWith('cdl_console='))).toBe(false);
      expect((await auditOf('oidc-refused')).slice(-2).map((r) => r.detail.reason)).toEqual(['no-login', 'no-login']);

      // A callback carried to another browser (login CSRF): that browser began no login.
      const c = new ConsoleClient(h.url);
      const other = await viaProvider(c, { sub: 'replay-1' });
      const victim = new ConsoleClient(h.url);
      expect((await back(victim, other.callback)).status).toBe(403);
      expect(victim.cookie('cdl_console')).toBeUndefined();

      // The person cancels at the provider.
      const x = new ConsoleClient(h.url);
      const cancelled = await back(x, (await viaProvider(x, null)).callback);
      expect(cancelled.status).toBe(403);
      expect(textOf(cancelled.html)).toContain('non è stato completato');
      expect((await auditOf('oidc-refused')).at(-1)!.detail).toMatchObject({ reason: 'provider-error', error: 'access_denied' });
    });
  });
}

describe('without single sign-on', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backendsOf(import.meta.url)[0]!, { worker: false });
  });
  afterAll(async () => h?.close());

  it('shows no provider button, and the start and the callback are not there', async () => {
    const b = new ConsoleClient(h.url);
    const page = await b.get('/console/accesso');
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('/console/oidc');
    expect((await b.post('/console/oidc')).status).toBe(404);
    expect((await b.get('/console/oidc/callback?code=x&state=y')).status).toBe(404);
  });
});
