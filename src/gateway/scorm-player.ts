/**
 * @module The reference SCORM player and the launch endpoint (issue 6 §2), outside `/v1`, the
 * launch token (purpose `scorm`, subject the enrolment) in every path:
 *
 * - `GET /lms/play/{token}`: the Italian player page (`src/pages/player.tsx`);
 * - `POST /lms/launch/{token}?sco=<identifier>`: registers a launch of one SCO. The server draws
 *   the session id and records when (R-ELN-3: observed time starts here; a commit of a session
 *   never launched proves nothing) and answers the commit URL with `sco` and `session` filled in,
 *   the content URL, and the run-time state to load into scorm-again before `Initialize` (the
 *   learner, and the SCO's last state to resume from). CORS open: providers' own scorm-again
 *   pages call it the same way;
 * - `GET /lms/content/{token}/{path}`: a file of the course's current package, as the zip guard
 *   stored it (the token in the path keeps the package's relative links working);
 * - `GET /lms/assets/{file}`: scorm-again's builds (from the installed package) and the
 *   player's script.
 *
 * Package content is the organiser's HTML and script, served on the gateway's origin because a
 * SCO reaches the runtime through `window.parent`: nothing on that origin relies on cookies (API
 * keys are headers, member pages take signed links), and every response says `no-referrer` so
 * the token in the URL does not leak to third parties the content links to.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { LinkCheck } from '../member-links.ts';
import { linkClosedPage } from '../pages/dashboard.tsx';
import { playerPage } from '../pages/player.tsx';
import { LaunchQuery, PlayerTokenParam } from '../schemas/scorm.ts';
import { launchSco, packageFileOf, playerPageData } from '../services/elearning/player.ts';
import { ServiceError } from '../services/errors.ts';
import type { Deps } from './deps.ts';
import { clientAddr } from './http.ts';
import { router } from './router.ts';

const require = createRequire(import.meta.url);

/** Scripts the player pages load, read once: scorm-again's classic builds and ours. */
const ASSETS: Record<string, { file: string; type: string }> = {
  'scorm12.min.js': { file: require.resolve('scorm-again/scorm12/min'), type: 'text/javascript; charset=utf-8' },
  'scorm2004.min.js': { file: require.resolve('scorm-again/scorm2004/min'), type: 'text/javascript; charset=utf-8' },
  'scorm-player.js': { file: fileURLToPath(new URL('../pages/assets/scorm-player.js', import.meta.url)), type: 'text/javascript; charset=utf-8' },
};
const assetCache = new Map<string, Buffer>();
function asset(name: string): Buffer | null {
  const a = ASSETS[name];
  if (!a) return null;
  let b = assetCache.get(name);
  if (!b) {
    b = fs.readFileSync(a.file);
    assetCache.set(name, b);
  }
  return b;
}

/** Autocommit interval of the reference player, seconds (the usual 30). */
export const PLAYER_AUTOCOMMIT_SECONDS = 30;

function launchError(c: Context, status: ContentfulStatusCode, code: string, detail: string) {
  if (status === 503) c.header('Retry-After', '5');
  return c.json({ type: 'about:blank', title: code, status, code, detail }, status, { 'content-type': 'application/problem+json' });
}

export function scormPlayerRoutes(deps: Deps) {
  const app = router();
  const base = (c: Context) => (deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, '');
  /** The path's launch token, and what the member links say of it. */
  const verify = async (c: Context): Promise<{ token: string; check: LinkCheck }> => {
    const p = PlayerTokenParam.safeParse(c.req.param());
    if (!p.success) return { token: '', check: { ok: false, reason: 'invalid' } };
    return { token: p.data.token, check: await deps.links.verify('scorm', p.data.token, deps.now()) };
  };
  const noReferrer = (c: Context) => c.header('Referrer-Policy', 'no-referrer');

  app.get('/lms/assets/:name', (c) => {
    const body = asset(c.req.param('name'));
    if (!body) return c.notFound();
    c.header('Content-Type', ASSETS[c.req.param('name')]!.type);
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(new Uint8Array(body));
  });

  app.get('/lms/play/:token', async (c) => {
    noReferrer(c);
    c.header('Cache-Control', 'no-store');
    const { token, check } = await verify(c);
    if (!check.ok)
      return c.html(
        linkClosedPage(check.reason === 'expired' ? { kind: 'expired', expiredAt: check.expiresAt } : { kind: 'invalid' }),
        check.reason === 'expired' ? 410 : 404,
      );
    const page = await playerPageData(deps, check.subject);
    if (!page) return c.html(linkClosedPage({ kind: 'invalid' }), 404);
    const b = base(c);
    return c.html(
      playerPage({
        ...page,
        attestationUrl: page.outcome?.status === 'credited' ? `${b}/lms/attestation/${token}` : null,
        config: { version: page.version, launchUrl: `${b}/lms/launch/${token}`, autocommitSeconds: PLAYER_AUTOCOMMIT_SECONDS },
        scripts: [`${b}/lms/assets/${page.version === '1.2' ? 'scorm12.min.js' : 'scorm2004.min.js'}`, `${b}/lms/assets/scorm-player.js`],
        expiresAt: check.expiresAt,
      }),
    );
  });

  app.use('/lms/launch/*', cors({ origin: '*', allowMethods: ['POST'], allowHeaders: ['Content-Type'], maxAge: 86400 }));
  app.post('/lms/launch/:token', async (c) => {
    const { token, check } = await verify(c);
    if (!check.ok) return launchError(c, 401, check.reason === 'expired' ? 'launch-expired' : 'invalid-token', 'Ask the organiser for a new launch link');
    const query = LaunchQuery.safeParse(c.req.query());
    let launch;
    try {
      launch = await launchSco(deps, check.subject, query.success ? query.data.sco : null, {
        clientAddr: clientAddr(c),
        userAgent: c.req.header('user-agent') ?? null,
      });
    } catch (err) {
      if (err instanceof ServiceError) return launchError(c, err.status, err.code, err.detail ?? err.code);
      throw err;
    }
    const b = base(c);
    return c.json(
      {
        session: launch.session,
        launchedAt: launch.launchedAt.toISOString(),
        sco: launch.sco.identifier,
        commitUrl: `${b}/lms/commit/${token}?sco=${encodeURIComponent(launch.sco.identifier)}&session=${launch.session}`,
        contentUrl: `${b}/lms/content/${token}/${contentPath(launch.sco)}`,
        cmi: launch.cmi,
      },
      201,
    );
  });

  app.get('/lms/content/:token/*', async (c) => {
    noReferrer(c);
    const { token, check } = await verify(c);
    if (!check.ok) return c.text(check.reason === 'expired' ? 'Link scaduto' : 'Link non valido', check.reason === 'expired' ? 410 : 404);
    const f = await packageFileOf(deps, check.subject, c.req.path.slice(`/lms/content/${token}/`.length));
    if (f.kind === 'no-course') return c.text('Corso non disponibile', 404);
    if (f.kind === 'bad-path') return c.text('Percorso non valido', 400);
    if (f.kind === 'not-found') return c.text('File non trovato', 404);
    c.header('Content-Type', f.contentType);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'private, max-age=600');
    return c.body(new Uint8Array(f.content));
  });

  return app;
}

/** The SCO's launch file, each segment URL-encoded, with the manifest's parameters as they are. */
function contentPath(sco: { launch: string; href: string }): string {
  const q = sco.href.indexOf('?');
  return sco.launch.split('/').map(encodeURIComponent).join('/') + (q >= 0 ? sco.href.slice(q) : '');
}
