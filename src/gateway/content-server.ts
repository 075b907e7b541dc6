/**
 * @module The content server (R-ISO-1 … R-ISO-4): a Hono app of its own, listening on its own
 * origin (`CONTENT_URL`; on the embedded default the second port under the other loopback name),
 * that serves course packages and nothing of the gateway. Every path carries a content
 * capability (R-ISO-2) naming one launch:
 *
 *   GET  /run/{capability}       the content runner (R-ISO-3), framed by the player only
 *   GET  /c/{capability}/{path}  a file of the enrolment's current package, framed by the runner only
 *   POST /commit/{capability}    the launch's commits (the gateway's commit operation, R-ELN-1); a
 *                                review's are counted, never kept (`services/elearning/review.ts`)
 *   GET  /assets/{file}          scorm-again's builds and the runner's script
 *   /x/…, /cmi5/…                cmi5 AUs, their fetch URL and LRS (`cmi5-lrs.ts`, issue 16)
 *
 * The capability opens no gateway route, and the gateway answers none of these. Nothing here
 * sets or reads a cookie.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { runnerPage } from '../pages/content-runner.tsx';
import { anyContentLaunch } from '../services/elearning/content.ts';
import { courseVersion, packageFileOf } from '../services/elearning/player.ts';
import { receiveReviewCommit, reviewFileOf, reviewVersion } from '../services/elearning/review.ts';
import { ServiceError } from '../services/errors.ts';
import { addCmi5ContentRoutes } from './cmi5-lrs.ts';
import type { Deps } from './deps.ts';
import { packageFileResponse } from './package-file.ts';
import { commitHandler } from './scorm-commit.ts';

const require = createRequire(import.meta.url);
const JS = 'text/javascript; charset=utf-8';
const ASSETS: Record<string, { file: string; type: string }> = {
  'scorm12.min.js': { file: require.resolve('scorm-again/scorm12/min'), type: JS },
  'scorm2004.min.js': { file: require.resolve('scorm-again/scorm2004/min'), type: JS },
  'content-runner.js': { file: fileURLToPath(new URL('../pages/assets/content-runner.js', import.meta.url)), type: JS },
  'runner.css': { file: fileURLToPath(new URL('../pages/assets/content-runner.css', import.meta.url)), type: 'text/css; charset=utf-8' },
};
const cache = new Map<string, Buffer>();
function asset(name: string): Buffer | null {
  const a = ASSETS[name];
  if (!a) return null;
  let b = cache.get(name);
  if (!b) cache.set(name, (b = fs.readFileSync(a.file)));
  return b;
}

/** Autocommit interval of the runner, seconds (the usual 30). */
export const RUNNER_AUTOCOMMIT_SECONDS = 30;

/**
 * The content server's app. `playerOrigin()`: the gateway's public origin, the only one that may
 * frame the runner; `contentOrigin()`: this server's public origin.
 */
export function contentApp(deps: Deps, origins: { player: () => string; content: () => string }) {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cross-Origin-Resource-Policy', 'same-site');
  });

  // A member's launch, or a module opened in a council's review (never counted).
  const launchOf = async (c: Context) => {
    try {
      return await anyContentLaunch(deps.links, c.req.param('capability') ?? '', deps.now());
    } catch (err) {
      if (err instanceof ServiceError) return null;
      throw err;
    }
  };

  app.get('/assets/:name', (c) => {
    const body = asset(c.req.param('name'));
    if (!body) return c.notFound();
    c.header('Content-Type', ASSETS[c.req.param('name')]!.type);
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(new Uint8Array(body));
  });

  app.get('/run/:capability', async (c) => {
    c.header('Cache-Control', 'no-store');
    const launch = await launchOf(c);
    const version = !launch
      ? null
      : launch.kind === 'review'
        ? await reviewVersion(deps, launch.launch.reviewId)
        : await courseVersion(deps, launch.launch.enrolmentId);
    if (!launch || !version) return c.text('Link del corso non valido o scaduto.', 404);
    const base = origins.content();
    // A JWT: URL-safe characters only.
    const cap = c.req.param('capability');
    // R-ISO-3: only the player frames the runner; the runner's own scripts only.
    c.header(
      'Content-Security-Policy',
      `default-src 'none'; script-src ${base}; style-src ${base}; frame-src ${base}; connect-src ${base}; frame-ancestors ${origins.player()}; base-uri 'none'; form-action 'none'`,
    );
    return c.html(
      runnerPage({
        playerOrigin: origins.player(),
        version,
        contentBase: `${base}/c/${cap}/`,
        commitUrl: `${base}/commit/${cap}`,
        autocommitSeconds: RUNNER_AUTOCOMMIT_SECONDS,
        scripts: [`${base}/assets/${version === '1.2' ? 'scorm12.min.js' : 'scorm2004.min.js'}`, `${base}/assets/content-runner.js`],
        stylesheet: `${base}/assets/runner.css`,
      }),
    );
  });

  app.get('/c/:capability/*', async (c) => {
    const launch = await launchOf(c);
    if (!launch) return c.text('Link del corso non valido o scaduto.', 404);
    const prefix = `/c/${c.req.param('capability')}/`;
    const path = c.req.path.slice(prefix.length);
    const f = launch.kind === 'review' ? await reviewFileOf(deps, launch.launch.reviewId, path) : await packageFileOf(deps, launch.launch.enrolmentId, path);
    return packageFileResponse(c, f, origins.player());
  });

  app.post(
    '/commit/:capability',
    commitHandler(deps, async (c, receivedAt) => {
      const l = await anyContentLaunch(deps.links, c.req.param('capability') ?? '', receivedAt.getTime());
      if (l.kind === 'review') {
        // A review's commit is counted, not kept: it is no evidence of attendance.
        await receiveReviewCommit(deps, l.launch.reviewId, l.launch.session);
        return c.json({ result: true, errorCode: 0, review: true }, 200);
      }
      return { enrolmentId: l.launch.enrolmentId, sco: l.launch.sco, session: l.launch.session };
    }),
  );

  // cmi5 AUs, their fetch URL and LRS (issue 16, `cmi5-lrs.ts`).
  addCmi5ContentRoutes(app, deps, origins);

  app.notFound((c) => c.text('Non trovato', 404));
  return app;
}
