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
import { playerPage, reviewClosedPage } from '../pages/player.tsx';
import { LaunchQuery, PlayerTokenParam } from '../schemas/scorm.ts';
import { contentCapability, reviewContentCapability } from '../services/elearning/content.ts';
import { launchSco, playerPageData, type ScoLaunch } from '../services/elearning/player.ts';
import { launchReviewSco, REVIEW_TTL_MS, reviewOf, reviewPageData } from '../services/elearning/review.ts';
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

/** A refusal of the player's routes as problem+json (503 with Retry-After); the cmi5 routes answer the same way. */
export function launchError(c: Context, status: ContentfulStatusCode, code: string, detail: string, extra?: Record<string, unknown>) {
  if (status === 503) c.header('Retry-After', '5');
  return c.json({ type: 'about:blank', title: code, status, code, detail, ...extra }, status, { 'content-type': 'application/problem+json' });
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
    if (page.version === 'cmi5') return c.redirect(`${base(c)}/lms/cmi5/play/${token}`, 303);
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

  /** A launch's common steps: a content server runs, the query's SCO, the client, the service's refusals as problems. */
  const launchThrough = async (
    c: Context,
    run: (sco: string | null, client: { clientAddr: string | null; userAgent: string | null }) => Promise<ScoLaunch>,
  ): Promise<{ content: string; launch: ScoLaunch } | Response> => {
    const content = deps.contentOrigin?.() ?? null;
    if (!content) return launchError(c, 503, 'content-unavailable', 'No content server runs with this gateway');
    const query = LaunchQuery.safeParse(c.req.query());
    try {
      return {
        content,
        launch: await run(query.success ? query.data.sco : null, { clientAddr: clientAddr(c), userAgent: c.req.header('user-agent') ?? null }),
      };
    } catch (err) {
      if (err instanceof ServiceError) return launchError(c, err.status, err.code, err.detail ?? err.code, err.extra);
      throw err;
    }
  };

  app.use('/lms/launch/*', cors({ origin: '*', allowMethods: ['POST'], allowHeaders: ['Content-Type'], maxAge: 86400 }));
  app.post('/lms/launch/:token', async (c) => {
    const { token, check } = await verify(c);
    if (!check.ok) return launchError(c, 401, check.reason === 'expired' ? 'launch-expired' : 'invalid-token', 'Ask the organiser for a new launch link');
    const started = await launchThrough(c, (sco, client) => launchSco(deps, check.subject, sco, client));
    if (started instanceof Response) return started;
    const { content, launch } = started;
    const b = base(c);
    const capability = await contentCapability(
      deps.links,
      { enrolmentId: check.subject, sco: launch.sco.identifier, session: launch.session },
      check.expiresAt,
    );
    return c.json(
      {
        ...launchAnswer(content, capability, launch),
        commitUrl: `${b}/lms/commit/${token}?sco=${encodeURIComponent(launch.sco.identifier)}&session=${launch.session}`,
      },
      201,
    );
  });

  // A council's review (issue 16): the same player on a link of purpose `scorm-review`, every
  // module in browse mode and no-credit, nothing counted (`services/elearning/review.ts`).
  app.get('/lms/review/:token', async (c) => {
    noReferrer(c);
    c.header('Cache-Control', 'no-store');
    const token = c.req.param('token');
    let review;
    try {
      review = await reviewOf(deps, token, deps.now());
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      const expired = err.code === 'launch-expired';
      return c.html(reviewClosedPage({ expired, validHours: REVIEW_TTL_MS / 3600_000 }), expired ? 410 : 404);
    }
    const page = await reviewPageData(deps, review.reviewId);
    if (!page) return c.html(reviewClosedPage({ expired: false, validHours: REVIEW_TTL_MS / 3600_000 }), 404);
    const b = base(c);
    const content = deps.contentOrigin?.() ?? null;
    if (content) c.header('Content-Security-Policy', playerCsp(content));
    return c.html(
      playerPage({
        ...page,
        review: true,
        attestationUrl: null,
        config: { version: page.version, launchUrl: `${b}/lms/review/${token}/launch`, contentOrigin: content ?? '', review: true },
        scripts: [`${b}/lms/assets/scorm-player.js`],
        expiresAt: review.expiresAt,
      }),
    );
  });

  app.post('/lms/review/:token/launch', async (c) => {
    let review;
    try {
      review = await reviewOf(deps, c.req.param('token'), deps.now());
    } catch (err) {
      if (err instanceof ServiceError) return launchError(c, err.status, err.code, 'Open a new review from the console');
      throw err;
    }
    const started = await launchThrough(c, (sco, client) => launchReviewSco(deps, review.reviewId, sco, client));
    if (started instanceof Response) return started;
    const { content, launch } = started;
    const capability = await reviewContentCapability(
      deps.links,
      { reviewId: review.reviewId, sco: launch.sco.identifier, session: launch.session },
      review.expiresAt,
    );
    return c.json(launchAnswer(content, capability, launch), 201);
  });

  return app;
}

/** Where a launched module runs: the runner and the module on the content origin under `capability`, and its run-time state. */
function launchAnswer(content: string, capability: string, launch: ScoLaunch) {
  const path = contentPath(launch.sco);
  return {
    session: launch.session,
    launchedAt: launch.launchedAt.toISOString(),
    sco: launch.sco.identifier,
    runnerUrl: `${content}/run/${capability}`,
    contentPath: path,
    contentUrl: `${content}/c/${capability}/${path}`,
    cmi: launch.cmi,
  };
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
