/**
 * @module A real OpenID Connect provider (`oidc-provider`) in the test process, for single sign-on
 * tests (R-ACC-8): its own HTTP server on a free port of 127.0.0.1, one confidential client, and
 * an interaction of our own instead of its development login pages: whoever the test put in
 * `signInAs` "signs in" with the `amr` the test chose, and consents, through the provider's public
 * interaction API (`interactionDetails`, `interactionFinished`, `Grant`). Everything else (the
 * authorization endpoint, cookies, codes, PKCE, ID tokens, userinfo) is the provider's own.
 *
 * The provider is built once the gateway's redirect URI is known (`register`), since the gateway
 * is started with this issuer and discovers it at the first sign-in only.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface IdpPerson {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  /** How the person authenticated (RFC 8176), e.g. `['pwd']` or `['pwd', 'mfa']`. */
  amr?: string[];
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who signs in at the next interaction; null: the person cancels (`access_denied`). */
  signInAs: IdpPerson | null;
  /** The claims the provider gives for each subject (updated at each sign-in). */
  people: Map<string, IdpPerson>;
  register(redirectUri: string): Promise<void>;
  /**
   * A browser at the provider: follows `authorizationUrl` through the provider's redirects (with
   * a fresh cookie jar) and returns the URL it is sent back to at `returnOrigin`.
   */
  authorize(authorizationUrl: string, returnOrigin: string): Promise<URL>;
  close(): Promise<void>;
}

export async function startTestIdp(): Promise<TestIdp> {
  let provider: Provider | null = null;
  const server = http.createServer((req, res) => {
    if (!provider) {
      res.statusCode = 503;
      res.end('not registered yet');
      return;
    }
    if (req.url?.startsWith('/interaction/')) {
      interact(provider, req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'cdl-gateway';
  const clientSecret = crypto.randomBytes(24).toString('base64url');
  const people = new Map<string, IdpPerson>();

  const idp: TestIdp = {
    issuer,
    clientId,
    clientSecret,
    signInAs: null,
    people,
    async register(redirectUri) {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test' };
      provider = new Provider(issuer, {
        clients: [
          { client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], response_types: ['code'], grant_types: ['authorization_code'] },
        ],
        jwks: { keys: [jwk] },
        cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
        features: { devInteractions: { enabled: false } },
        ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Grant: 600, Session: 600 },
        interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
        // `amr` with the `openid` scope: as a claim of its own (`amr: null`) it would be released only when asked for by name.
        claims: { acr: null, sid: null, auth_time: null, iss: null, openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
        findAccount: (_ctx: unknown, sub: string) => {
          const p = people.get(sub);
          if (!p) return undefined;
          return {
            accountId: sub,
            claims: () => ({ sub, email: p.email, email_verified: p.email_verified, name: p.name }),
          };
        },
      });
      // Errors the provider renders are part of what tests look at; keep its stack traces quiet.
      provider.on('server_error', () => {});
    },
    async authorize(authorizationUrl, returnOrigin) {
      const jar = new Map<string, string>();
      let url = new URL(authorizationUrl);
      for (let hop = 0; hop < 10; hop++) {
        if (url.origin === returnOrigin) return url;
        const res = await fetch(url, { redirect: 'manual', headers: jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {} });
        for (const sc of res.headers.getSetCookie()) {
          const pair = sc.split(';')[0]!;
          const eq = pair.indexOf('=');
          const value = pair.slice(eq + 1);
          if (!value || /expires=Thu, 01 Jan 1970/i.test(sc)) jar.delete(pair.slice(0, eq));
          else jar.set(pair.slice(0, eq), value);
        }
        const location = res.headers.get('location');
        if (res.status < 300 || res.status >= 400 || !location)
          throw new Error(`the provider answered ${res.status} at ${url.pathname}: ${(await res.text()).slice(0, 500)}`);
        await res.body?.cancel();
        url = new URL(location, url);
      }
      throw new Error('too many redirects at the provider');
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };

  /** The provider's login and consent, decided by the test: `signInAs` signs in, with its `amr`. */
  async function interact(p: Provider, req: http.IncomingMessage, res: http.ServerResponse) {
    const details = await p.interactionDetails(req, res);
    const who = idp.signInAs;
    if (!who) {
      await p.interactionFinished(req, res, { error: 'access_denied', error_description: 'the person cancelled' }, { mergeWithLastSubmission: false });
      return;
    }
    people.set(who.sub, who);
    const grant = new p.Grant({ accountId: who.sub, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const login = { accountId: who.sub, remember: false, ...(who.amr ? { amr: who.amr } : {}) };
    await p.interactionFinished(req, res, { login, consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: false });
  }

  return idp;
}
