/**
 * @module The reference SCORM player and the launch endpoint (issue 6 §2), outside `/v1`, the
 * launch token (purpose `scorm`, subject the enrolment) in every path:
 *
 * - `GET /lms/play/{token}`: the Italian player page (`src/pages/player.tsx`);
 * - `POST /lms/launch/{token}?sco=<identifier>`: registers a launch of one SCO. The server draws
 *   the session id and records when (R-ELN-3: observed time starts here; a commit of a session
 *   never launched proves nothing) and answers the commit URL with `sco` and `session` filled in,
 *   the run-time state to load before `Initialize` (the learner, and the SCO's last state to
 *   resume from), and where the module runs: the content runner's address on the content origin
 *   and the module's path, both under a content capability of this launch (R-ISO-1, R-ISO-2).
 *   CORS open: providers' own scorm-again pages call it the same way (with `commitUrl`);
 * - `GET /lms/assets/{file}`: the player's script.
 *
 * Package content is the organiser's HTML and script: it never runs on the gateway's origin, where
 * the console's session cookie lives and the member's launch token opens the attestation. The
 * player frames the runner on the content origin and hands it the launch by `postMessage` to that
 * origin only; the module reaches the run-time API in the runner, same-origin with it.
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
import { contentCapability } from '../services/elearning/content.ts';
import { launchSco, playerPageData } from '../services/elearning/player.ts';
import { ServiceError } from '../services/errors.ts';
import type { Deps } from './deps.ts';
import { clientAddr } from './http.ts';
import { router } from './router.ts';

const require = createRequire(import.meta.url);

/** The player page's script, read once (scorm-again runs in the content runner, R-ISO-3). */
const ASSETS: Record<string, { file: string; type: string }> = {
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
    // A cmi5 course has its own player (issue 16, `cmi5-lrs.ts`).
    if ((page.version as string) === 'cmi5') return c.redirect(`${base(c)}/lms/cmi5/play/${token}`, 303);
    const b = base(c);
    const content = deps.contentOrigin?.() ?? null;
    // R-ISO-1: the one frame this page may hold is the content origin's runner.
    if (content) c.header('Content-Security-Policy', playerCsp(content));
    return c.html(
      playerPage({
        ...page,
        attestationUrl: page.outcome?.status === 'credited' ? `${b}/lms/attestation/${token}` : null,
        config: { version: page.version, launchUrl: `${b}/lms/launch/${token}`, contentOrigin: content ?? '' },
        scripts: [`${b}/lms/assets/scorm-player.js`],
        expiresAt: check.expiresAt,
      }),
    );
  });

  app.use('/lms/launch/*', cors({ origin: '*', allowMethods: ['POST'], allowHeaders: ['Content-Type'], maxAge: 86400 }));
  app.post('/lms/launch/:token', async (c) => {
    const { token, check } = await verify(c);
    if (!check.ok) return launchError(c, 401, check.reason === 'expired' ? 'launch-expired' : 'invalid-token', 'Ask the organiser for a new launch link');
    const content = deps.contentOrigin?.() ?? null;
    if (!content) return launchError(c, 503, 'content-unavailable', 'No content server runs with this gateway');
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
    const capability = await contentCapability(
      deps.links,
      { enrolmentId: check.subject, sco: launch.sco.identifier, session: launch.session },
      check.expiresAt,
    );
    const path = contentPath(launch.sco);
    return c.json(
      {
        session: launch.session,
        launchedAt: launch.launchedAt.toISOString(),
        sco: launch.sco.identifier,
        commitUrl: `${b}/lms/commit/${token}?sco=${encodeURIComponent(launch.sco.identifier)}&session=${launch.session}`,
        runnerUrl: `${content}/run/${capability}`,
        contentPath: path,
        contentUrl: `${content}/c/${capability}/${path}`,
        cmi: launch.cmi,
      },
      201,
    );
  });

  return app;
}

/** The SCO's launch file, each segment URL-encoded, with the manifest's parameters as they are. */
function contentPath(sco: { launch: string; href: string }): string {
  const q = sco.href.indexOf('?');
  return sco.launch.split('/').map(encodeURIComponent).join('/') + (q >= 0 ? sco.href.slice(q) : '');
}

/**
 * The player page's policy (R-ISO-1): its own scripts, styles inline (the layout's sheet), its
 * calls to this origin, and one kind of frame, the content origin's runner; framed by no one.
 */
export function playerCsp(contentOrigin: string): string {
  return `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-src ${contentOrigin}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'`;
}
