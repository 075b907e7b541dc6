/**
 * @module A person's browser, reduced to what the console tests need: a cookie jar, forms posted
 * as `application/x-www-form-urlencoded` with the `Origin` a browser sends, redirects not followed
 * (tests assert where each step leads), and the Italian page text.
 */
export interface Page {
  status: number;
  location: string | null;
  html: string;
  headers: Headers;
}

export class ConsoleClient {
  private readonly cookies = new Map<string, string>();
  /** Every Set-Cookie header received, for assertions on the cookie's attributes. */
  readonly setCookies: string[] = [];

  constructor(
    private readonly base: string,
    private readonly origin: string | null = base,
  ) {}

  get(path: string): Promise<Page> {
    return this.send('GET', path);
  }

  /** A download: the body as bytes (a spreadsheet, a PDF), with the same cookies. */
  async download(path: string): Promise<{ status: number; location: string | null; headers: Headers; bytes: Buffer }> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(this.base + path, { headers, redirect: 'manual' });
    return { status: res.status, location: res.headers.get('location'), headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  post(path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Page> {
    return this.send('POST', path, new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded', ...headers });
  }

  /** A form with files, as `multipart/form-data` (the browser's `enctype`), with the same cookies and `Origin`. */
  upload(path: string, form: FormData): Promise<Page> {
    return this.send('POST', path, form);
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  private async send(method: string, path: string, body?: string | FormData, extra: Record<string, string> = {}): Promise<Page> {
    const headers: Record<string, string> = { ...extra };
    if (method !== 'GET' && this.origin && !('origin' in headers)) headers.origin = this.origin;
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    for (const sc of res.headers.getSetCookie()) {
      this.setCookies.push(sc);
      const [pair] = sc.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (!value || /max-age=0/i.test(sc)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), html: await res.text(), headers: res.headers };
  }
}

/** The text of a page without its markup, whitespace folded (for assertions on what a person reads). */
export function textOf(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The code an authenticator app shows for `seed` (base32) at `at`. */
export async function totpCode(seed: string, at: number): Promise<string> {
  const { Secret, TOTP } = await import('otpauth');
  return new TOTP({ secret: Secret.fromBase32(seed), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: at });
}

/** The seed printed on the TOTP enrolment page. */
export function seedOnPage(html: string): string {
  const m = /Chiave da inserire a mano: <code>([A-Z2-7 ]+)<\/code>/.exec(html);
  if (!m) throw new Error('no TOTP seed on the page');
  return m[1]!.replace(/ /g, '');
}

export interface StaffPerson {
  client: ConsoleClient;
  userId: string;
  email: string;
  password: string;
  /** The TOTP seed, for roles that enrolled one. */
  seed: string | null;
}

let people = 0;

/**
 * A signed-in person of `role` (and `subject`), as the console sees one: invited, password set
 * from the link, TOTP enrolled where the role requires it (R-ACC-2). `now` is the product's clock.
 */
export async function signedInStaff(
  h: { url: string; rt: { deps: import('../../src/runtime.ts').Deps } },
  role: 'organiser' | 'cpo' | 'cn' | 'admin',
  subject: string | null = null,
  opts: { now?: () => number; name?: string } = {},
): Promise<StaffPerson> {
  const { inviteStaff } = await import('../../src/services/staff/accounts.ts');
  const now = opts.now ?? Date.now;
  const email = `persona${++people}-${Math.random().toString(36).slice(2, 8)}@example.it`;
  const password = 'una frase lunga da segreteria';
  const invited = await inviteStaff(h.rt.deps, 'operator', { email, displayName: opts.name ?? `Persona ${people}`, role, subject, origin: h.url });
  const client = new ConsoleClient(h.url);
  const set = await client.post(new URL(invited.link).pathname, { password, confirm: password });
  if (set.status !== 303) throw new Error(`password not set: ${set.status}`);
  let seed: string | null = null;
  if (set.location === '/console/sicurezza/totp') {
    seed = seedOnPage((await client.get('/console/sicurezza/totp')).html);
    const done = await client.post('/console/sicurezza/totp', { code: await totpCode(seed, now()) });
    if (done.status !== 200) throw new Error(`TOTP not enrolled: ${done.status}`);
  }
  return { client, userId: invited.account.id, email, password, seed };
}
