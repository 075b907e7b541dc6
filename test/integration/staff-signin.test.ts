/**
 * Issue 14, "Accounts and sign-in", through HTTP as a person's browser would: an invitation sets
 * the first password (R-ACC-3, R-ACC-6), a council or admin role must enrol TOTP before anything
 * else (R-ACC-2), sign-in with the second step, recovery codes, the lockout (R-ACC-4), sessions
 * in the database with idle and absolute expiry and sign-out everywhere (R-ACC-5), CSRF, the
 * cookie's attributes, and an audit row for each of these.
 */
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteStaff } from '../../src/services/staff/accounts.ts';
import { backendsOf } from '../support/backends.ts';
import { ConsoleClient, seedOnPage, signedInStaff, textOf } from '../support/console-client.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const GOOD_PASSWORD = 'una frase lunga per la segreteria';

/** The code an authenticator app shows for the seed on the enrolment page, at `at`. */
function codeFor(enrolHtml: string, at: number): { seed: string; code: string } {
  const m = /Chiave da inserire a mano: <code>([A-Z2-7 ]+)<\/code>/.exec(enrolHtml);
  if (!m) throw new Error('no seed on the page');
  const seed = m[1]!.replace(/ /g, '');
  return { seed, code: totpAt(seed, at) };
}
const totpAt = (seed: string, at: number) =>
  new TOTP({ secret: Secret.fromBase32(seed), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: at });

for (const backend of backendsOf(import.meta.url)) {
  describe(`staff sign-in on ${backend}`, () => {
    let h: Harness;
    let clock = Date.parse('2026-12-07T09:00:00Z');
    const now = () => clock;
    const tick = (ms: number) => {
      clock += ms;
    };
    let adminSeed = '';
    let recovery: string[] = [];

    const invite = async (email: string, role: 'admin' | 'cpo' | 'organiser' | 'cn', subject: string | null = null) => {
      const r = await inviteStaff(h.rt.deps, 'operator', { email, displayName: `Persona ${email.split('@')[0]}`, role, subject, origin: h.url });
      return new URL(r.link).pathname;
    };
    const auditEvents = async (email: string) =>
      (
        await h.rt.db.query<{ event: string }>(
          'SELECT a.event FROM staff_audit a JOIN staff_users u ON u.id = a.user_id WHERE lower(u.email) = lower($1) ORDER BY a.id',
          [email],
        )
      ).rows.map((r) => r.event);

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, now });
    });
    afterAll(async () => h?.close());

    it('GET / leads a person to the console, and the console to the sign-in page', async () => {
      const b = new ConsoleClient(h.url);
      const root = await b.get('/');
      expect(root.status).toBe(302);
      expect(root.location).toBe('/console');
      const home = await b.get('/console');
      expect(home.status).toBe(303);
      expect(home.location).toBe('/console/accesso?dopo=%2Fconsole');
      const page = await b.get('/console/accesso');
      expect(page.status).toBe(200);
      expect(textOf(page.html)).toContain('Accesso al portale');
      expect(page.headers.get('cache-control')).toBe('no-store');
    });

    it('an invited admin sets a password (weak ones refused in Italian), must enrol TOTP, and gets 10 recovery codes once (R-ACC-2, R-ACC-3, R-ACC-6)', async () => {
      const path = await invite('admin@cn.example.it', 'admin');
      const b = new ConsoleClient(h.url);
      const form = await b.get(path);
      expect(form.status).toBe(200);
      expect(textOf(form.html)).toContain('Attiva il Suo account');
      expect(textOf(form.html)).toContain('admin@cn.example.it');

      const short = await b.post(path, { password: 'corta', confirm: 'corta' });
      expect(short.status).toBe(422);
      expect(textOf(short.html)).toContain('almeno 12 caratteri');
      const common = await b.post(path, { password: 'password12345', confirm: 'password12345' });
      expect(common.status).toBe(422);
      expect(textOf(common.html)).toContain('fra le più usate');
      const differ = await b.post(path, { password: GOOD_PASSWORD, confirm: `${GOOD_PASSWORD}!` });
      expect(differ.status).toBe(422);
      expect(textOf(differ.html)).toContain('non coincidono');

      const set = await b.post(path, { password: GOOD_PASSWORD, confirm: GOOD_PASSWORD });
      expect(set.status).toBe(303);
      expect(set.location).toBe('/console/sicurezza/totp');
      // The role requires a second factor: nothing else opens before it.
      const blocked = await b.get('/console/utenti');
      expect(blocked.status).toBe(303);
      expect(blocked.location).toBe('/console/sicurezza/totp');

      const enrol = await b.get('/console/sicurezza/totp');
      expect(enrol.status).toBe(200);
      expect(enrol.html).toContain('<svg');
      // A reload shows the same seed: the person may have scanned it already.
      const again = await b.get('/console/sicurezza/totp');
      expect(codeFor(again.html, clock).seed).toBe(codeFor(enrol.html, clock).seed);
      const wrong = await b.post('/console/sicurezza/totp', { code: '000000' === codeFor(enrol.html, clock).code ? '111111' : '000000' });
      expect(wrong.status).toBe(422);
      expect(textOf(wrong.html)).toContain('Il codice non è valido');

      const { seed, code } = codeFor(enrol.html, clock);
      adminSeed = seed;
      const done = await b.post('/console/sicurezza/totp', { code });
      expect(done.status).toBe(200);
      recovery = [...done.html.matchAll(/<li>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})<\/li>/g)].map((m) => m[1]!);
      expect(recovery).toHaveLength(10);
      expect(new Set(recovery).size).toBe(10);
      const home = await b.get('/console');
      expect(home.status).toBe(200);
      expect(textOf(home.html)).toContain('Buongiorno, Persona admin');

      // The link worked once.
      const reused = await new ConsoleClient(h.url).get(path);
      expect(reused.status).toBe(410);
      const stored = await h.rt.db.query<{ password_hash: string }>("SELECT password_hash FROM staff_users WHERE email = 'admin@cn.example.it'");
      expect(stored.rows[0]!.password_hash).toMatch(/^\$argon2id\$v=19\$/);
      expect(await auditEvents('admin@cn.example.it')).toEqual(['invited', 'password-set', 'totp-enrolled']);
    });

    it('signs in with password then TOTP; a code is accepted once; a recovery code works once (R-ACC-2)', async () => {
      tick(60_000);
      const b = new ConsoleClient(h.url);
      const signin = await b.post('/console/accesso', { email: 'ADMIN@cn.example.it', password: GOOD_PASSWORD });
      expect(signin.status).toBe(303);
      expect(signin.location).toBe('/console/verifica');
      expect((await b.get('/console')).location).toBe('/console/verifica');
      const code = totpAt(adminSeed, clock);
      const ok = await b.post('/console/verifica', { code });
      expect(ok.status).toBe(303);
      expect(ok.location).toBe('/console');
      expect((await b.get('/console')).status).toBe(200);

      // The same code in another browser within the same step: refused (no replay).
      const other = new ConsoleClient(h.url);
      await other.post('/console/accesso', { email: 'admin@cn.example.it', password: GOOD_PASSWORD });
      const replay = await other.post('/console/verifica', { code });
      expect(replay.status).toBe(401);
      // A recovery code, typed in capitals without dashes, works once.
      const typed = recovery[0]!.replace(/-/g, '').toUpperCase();
      expect((await other.post('/console/verifica', { code: typed })).location).toBe('/console');
      const third = new ConsoleClient(h.url);
      await third.post('/console/accesso', { email: 'admin@cn.example.it', password: GOOD_PASSWORD });
      expect((await third.post('/console/verifica', { code: recovery[0]! })).status).toBe(401);
    });

    it('locks an account after 5 consecutive failures for 15 minutes, with an Italian message, even for the right password (R-ACC-4)', async () => {
      const link = await invite('lock@ente.example.it', 'organiser', await organiserId(h));
      const b = new ConsoleClient(h.url);
      await b.post(link, { password: GOOD_PASSWORD, confirm: GOOD_PASSWORD });
      const attacker = new ConsoleClient(h.url);
      for (let i = 1; i <= 4; i++) {
        const r = await attacker.post('/console/accesso', { email: 'lock@ente.example.it', password: `sbagliata ${i} sbagliata` });
        expect(r.status).toBe(401);
        expect(textOf(r.html)).toContain('E-mail o password non corretti');
      }
      const fifth = await attacker.post('/console/accesso', { email: 'lock@ente.example.it', password: 'sbagliata 5 sbagliata' });
      expect(fifth.status).toBe(429);
      expect(textOf(fifth.html)).toContain('accesso è sospeso fino alle');
      const right = await new ConsoleClient(h.url).post('/console/accesso', { email: 'lock@ente.example.it', password: GOOD_PASSWORD });
      expect(right.status).toBe(429);
      tick(15 * 60_000 + 1000);
      const after = await new ConsoleClient(h.url).post('/console/accesso', { email: 'lock@ente.example.it', password: GOOD_PASSWORD });
      expect(after.status).toBe(303);
      // An organiser's office needs no second factor.
      expect(after.location).toBe('/console');
      const events = await auditEvents('lock@ente.example.it');
      expect(events.filter((e) => e === 'signin-failed')).toHaveLength(5);
      expect(events).toContain('signin-locked');
      expect(events.at(-1)).toBe('signin');
      // An unknown address answers like a wrong password.
      const unknown = await new ConsoleClient(h.url).post('/console/accesso', { email: 'nessuno@example.it', password: GOOD_PASSWORD });
      expect(unknown.status).toBe(401);
      expect(textOf(unknown.html)).toContain('E-mail o password non corretti');
    });

    it('sessions end after 60 idle minutes and after 12 hours; sign-out everywhere ends them all (R-ACC-5)', async () => {
      const link = await invite('sessioni@ente.example.it', 'organiser', await organiserId(h));
      const a = new ConsoleClient(h.url);
      await a.post(link, { password: GOOD_PASSWORD, confirm: GOOD_PASSWORD });
      expect((await a.get('/console')).status).toBe(200);
      tick(59 * 60_000);
      expect((await a.get('/console')).status).toBe(200);
      tick(61 * 60_000);
      expect((await a.get('/console')).location).toContain('/console/accesso');

      // Absolute expiry: active every 30 minutes, still out after 12 hours.
      const b = new ConsoleClient(h.url);
      await b.post('/console/accesso', { email: 'sessioni@ente.example.it', password: GOOD_PASSWORD });
      for (let i = 0; i < 23; i++) {
        tick(30 * 60_000);
        expect((await b.get('/console')).status).toBe(200);
      }
      tick(31 * 60_000);
      expect((await b.get('/console')).location).toContain('/console/accesso');

      const c1 = new ConsoleClient(h.url);
      const c2 = new ConsoleClient(h.url);
      await c1.post('/console/accesso', { email: 'sessioni@ente.example.it', password: GOOD_PASSWORD });
      await c2.post('/console/accesso', { email: 'sessioni@ente.example.it', password: GOOD_PASSWORD });
      const security = await c1.get('/console/sicurezza');
      expect(textOf(security.html)).toContain('(questa)');
      const out = await c1.post('/console/esci-ovunque');
      expect(out.location).toBe('/console/accesso?esito=uscito');
      expect((await c2.get('/console')).location).toContain('/console/accesso');
      const revoked = await h.rt.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id WHERE u.email = 'sessioni@ente.example.it' AND s.revoked_at IS NULL AND s.expires_at > $1",
        [new Date(clock)],
      );
      expect(revoked.rows[0]!.n).toBe(0);
    });

    it('refuses a form posted from another site, and without Origin (CSRF)', async () => {
      const foreign = new ConsoleClient(h.url, 'https://evil.example');
      const r = await foreign.post('/console/accesso', { email: 'admin@cn.example.it', password: GOOD_PASSWORD });
      expect(r.status).toBe(403);
      const none = new ConsoleClient(h.url, null);
      expect((await none.post('/console/accesso', { email: 'admin@cn.example.it', password: GOOD_PASSWORD })).status).toBe(403);
    });

    it('sets the session cookie HttpOnly and SameSite=Lax, on path /', async () => {
      const link = await invite('cookie@ente.example.it', 'organiser', await organiserId(h));
      const b = new ConsoleClient(h.url);
      await b.post(link, { password: GOOD_PASSWORD, confirm: GOOD_PASSWORD });
      const sc = b.setCookies.find((c) => c.startsWith('cdl_console='))!;
      expect(sc).toMatch(/HttpOnly/i);
      expect(sc).toMatch(/SameSite=Lax/i);
      expect(sc).toMatch(/Path=\//);
      expect(sc).not.toMatch(/Secure/i);
      // The cookie holds a random id, the table only its hash.
      const id = b.cookie('cdl_console')!;
      const { rows } = await h.rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM staff_sessions WHERE id_hash = $1', [id]);
      expect(rows[0]!.n).toBe(0);
    });

    it('an admin invites a provider’s secretary from the console; without SMTP the link is shown and the outbox lists the mail (R-ACC-1)', async () => {
      const admin = await signedInAdmin();
      const orgId = await organiserId(h);
      const page = await admin.get('/console/utenti');
      expect(page.status).toBe(200);
      const missing = await admin.post('/console/utenti', {
        displayName: 'Anna Rossi',
        email: 'non-una-email',
        role: 'organiser',
        organiser: '',
        province: '',
      });
      expect(missing.status).toBe(422);
      expect(textOf(missing.html)).toContain('Indichi un indirizzo e-mail valido');
      const noOrg = await admin.post('/console/utenti', {
        displayName: 'Anna Rossi',
        email: 'anna@ente.example.it',
        role: 'organiser',
        organiser: '',
        province: '',
      });
      expect(noOrg.status).toBe(422);
      expect(textOf(noOrg.html)).toContain('non corrispondono al ruolo');
      const ok = await admin.post('/console/utenti', {
        displayName: 'Anna Rossi',
        email: 'anna@ente.example.it',
        role: 'organiser',
        organiser: orgId,
        province: '',
      });
      expect(ok.status).toBe(200);
      const link = /<code>(http[^<]+\/console\/invito\/[A-Za-z0-9_-]+)<\/code>/.exec(ok.html)?.[1];
      expect(link).toBeTruthy();
      expect(textOf(ok.html)).toContain('Anna Rossi');
      const outbox = await admin.get('/console/posta');
      expect(outbox.status).toBe(200);
      expect(textOf(outbox.html)).toContain('anna@ente.example.it');
      expect(textOf(outbox.html)).toContain('Attivazione del Suo account');
      expect(outbox.html).not.toContain('/console/invito/');
      // The invitation names who invited: the person, not a key.
      const by = await h.rt.db.query<{ created_by: string }>("SELECT created_by FROM staff_users WHERE email = 'anna@ente.example.it'");
      expect(by.rows[0]!.created_by).toMatch(/^admin:user:[0-9a-f-]{36}$/);

      const anna = new ConsoleClient(h.url);
      expect((await anna.post(new URL(link!).pathname, { password: GOOD_PASSWORD, confirm: GOOD_PASSWORD })).location).toBe('/console');
      // Her role has no Utenti page.
      expect((await anna.get('/console/utenti')).status).toBe(403);

      // Disabling her ends her session at once.
      const annaId = (await h.rt.db.query<{ id: string }>("SELECT id FROM staff_users WHERE email = 'anna@ente.example.it'")).rows[0]!.id;
      expect((await admin.post(`/console/utenti/${annaId}/disattiva`)).location).toBe('/console/utenti?esito=disattivato');
      expect((await anna.get('/console')).location).toContain('/console/accesso');
      expect((await new ConsoleClient(h.url).post('/console/accesso', { email: 'anna@ente.example.it', password: GOOD_PASSWORD })).status).toBe(401);
    });

    it('an admin resets the second factor of a person who lost the phone: sessions end, the person enrols again (R-ACC-2)', async () => {
      const admin = await signedInAdmin();
      const cpo = await signedInStaff(h, 'cpo', 'MI', { now });
      expect((await cpo.client.get('/console')).status).toBe(200);
      const reset = await admin.post(`/console/utenti/${cpo.userId}/azzera-verifica`);
      expect(reset.location).toBe('/console/utenti?esito=verifica-azzerata');
      expect((await cpo.client.get('/console')).location).toContain('/console/accesso');
      const again = new ConsoleClient(h.url);
      const signin = await again.post('/console/accesso', { email: cpo.email, password: cpo.password });
      expect(signin.location).toBe('/console/sicurezza/totp');
      const audit = await h.rt.db.query<{ actor: string }>("SELECT actor FROM staff_audit WHERE user_id = $1 AND event = 'totp-removed'", [cpo.userId]);
      expect(audit.rows[0]!.actor).toMatch(/^admin:user:/);
    });

    async function signedInAdmin(): Promise<ConsoleClient> {
      tick(31_000);
      const b = new ConsoleClient(h.url);
      await b.post('/console/accesso', { email: 'admin@cn.example.it', password: GOOD_PASSWORD });
      const r = await b.post('/console/verifica', { code: totpAt(adminSeed, clock) });
      expect(r.location).toBe('/console');
      return b;
    }
  });
}

/** One organiser per harness (each database has its own). */
const organisers = new WeakMap<Harness, Promise<string>>();
function organiserId(h: Harness): Promise<string> {
  let id = organisers.get(h);
  if (!id) {
    id = (async () => {
      const res = await h.api('POST', '/v1/organisers', { key: await h.key('cn'), body: { kind: 'a', name: 'CPO Milano', province: 'MI' } });
      return res.body.id as string;
    })();
    organisers.set(h, id);
  }
  return id;
}

describe('sign-in attempts per address (R-ACC-4)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backendsOf(import.meta.url)[0]!, { worker: false, env: { SIGNIN_ATTEMPTS_PER_ADDRESS: '3' } });
  });
  afterAll(async () => h?.close());

  it('refuses the attempts of one address beyond the limit, whichever accounts they name, with an Italian message', async () => {
    const b = new ConsoleClient(h.url);
    for (let i = 0; i < 3; i++) expect((await b.post('/console/accesso', { email: `a${i}@example.it`, password: 'qualcosa di lungo' })).status).toBe(401);
    const fourth = await b.post('/console/accesso', { email: 'altro@example.it', password: 'qualcosa di lungo' });
    expect(fourth.status).toBe(429);
    expect(textOf(fourth.html)).toContain('Troppi tentativi di accesso da questo indirizzo');
    // Counted in Redis, shared by every gateway process.
    const { Redis } = await import('ioredis');
    const r = new Redis(h.config.REDIS_URL);
    const keys = await r.keys(`${h.config.QUEUE_PREFIX}:signin*`);
    r.disconnect();
    expect(keys.length).toBeGreaterThan(0);
  });
});
