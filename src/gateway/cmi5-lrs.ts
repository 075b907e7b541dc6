/**
 * @module cmi5 over HTTP (issue 16). On the gateway, the launch, under the member's launch token
 * (purpose `scorm`):
 *
 *   POST /lms/cmi5/launch/{token}?au=<AU id>   launches one AU (cmi5 §8) and answers its URL
 *
 * On the content origin (R-ISO-1), under the launch's content capability (purpose `cmi5-content`,
 * R-ISO-2) or the auth token it yields:
 *
 *   GET  /x/{capability}/{path}                  the AU's files (the package's)
 *   POST /cmi5/fetch/{capability}                the auth token, once (cmi5 §8.2)
 *   GET  /cmi5/lrs/about                         xAPI about
 *   POST|PUT|GET /cmi5/lrs/statements            statements (cmi5 §9 rules: 403 + code when rejected)
 *   GET|PUT|POST|DELETE /cmi5/lrs/activities/state   state documents (LMS.LaunchData read-only, §10)
 *   GET|PUT /cmi5/lrs/agents/profile             learner preferences (§11): none kept; PUT answered 403
 *
 * The LRS is same-origin with the AU (no CORS): an AU is a package file served here, never an
 * external URL (`cmi5-external-au`). Every LRS answer carries `X-Experience-API-Version`.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import { linkClosedPage } from '../pages/dashboard.tsx';
import { playerPage } from '../pages/player.tsx';
import { PlayerTokenParam } from '../schemas/scorm.ts';
import {
  cmi5CapabilitySession,
  fetchAuthToken,
  LEARNER_PREFERENCES,
  launchAu,
  ownWindowAus,
  lrsSession,
  readState,
  readStatements,
  receiveStatements,
  writeState,
  type StateQuery,
} from '../services/elearning/cmi5.ts';
import { packageFileOf, playerPageData } from '../services/elearning/player.ts';
import { ServiceError } from '../services/errors.ts';
import type { Deps } from './deps.ts';
import { clientAddr, readJsonBody } from './http.ts';
import { packageFileResponse } from './package-file.ts';
import { router } from './router.ts';
import { launchError, playerCsp } from './scorm-player.ts';
import { isUnavailable } from './unavailable.ts';

const XAPI_VERSION = '1.0.3';

const PLAYER_JS = fileURLToPath(new URL('../pages/assets/cmi5-player.js', import.meta.url));
let playerJs: Buffer | null = null;

/** The gateway's side of a cmi5 course: its player page and the launch of an AU. */
export function cmi5LaunchRoutes(deps: Deps) {
  const app = router();
  const base = (c: Context) => (deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, '');

  app.get('/lms/cmi5/assets/cmi5-player.js', (c) => {
    playerJs ??= fs.readFileSync(PLAYER_JS);
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(new Uint8Array(playerJs));
  });

  // The reference player's page over a cmi5 course: the AUs with their moveOn met or not, the frame an AnyWindow AU plays in.
  app.get('/lms/cmi5/play/:token', async (c) => {
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
    const p = PlayerTokenParam.safeParse(c.req.param());
    const check = p.success ? await deps.links.verify('scorm', p.data.token, deps.now()) : ({ ok: false, reason: 'invalid' } as const);
    if (!check.ok)
      return c.html(
        linkClosedPage(check.reason === 'expired' ? { kind: 'expired', expiredAt: check.expiresAt } : { kind: 'invalid' }),
        check.reason === 'expired' ? 410 : 404,
      );
    const [page, ownWindow] = await Promise.all([playerPageData(deps, check.subject), ownWindowAus(deps, check.subject)]);
    if (!page || !ownWindow) return c.html(linkClosedPage({ kind: 'invalid' }), 404);
    const b = base(c);
    const content = deps.contentOrigin?.() ?? '';
    // R-ISO-1: the one frame this page may hold is the content origin's.
    if (content) c.header('Content-Security-Policy', playerCsp(content));
    const token = p.success ? p.data.token : '';
    const config = {
      version: 'cmi5' as const,
      launchUrl: `${b}/lms/cmi5/launch/${token}`,
      contentOrigin: content,
      ownWindow,
    };
    return c.html(
      playerPage({
        ...page,
        attestationUrl: page.outcome?.status === 'credited' ? `${b}/lms/attestation/${token}` : null,
        config,
        scripts: [`${b}/lms/cmi5/assets/cmi5-player.js`],
        expiresAt: check.expiresAt,
      }),
    );
  });

  app.use('/lms/cmi5/launch/*', cors({ origin: '*', allowMethods: ['POST'], allowHeaders: ['Content-Type'], maxAge: 86400 }));
  app.post('/lms/cmi5/launch/:token', async (c) => {
    const p = PlayerTokenParam.safeParse(c.req.param());
    const check = p.success ? await deps.links.verify('scorm', p.data.token, deps.now()) : ({ ok: false, reason: 'invalid' } as const);
    if (!check.ok) return launchError(c, 401, check.reason === 'expired' ? 'launch-expired' : 'invalid-token', 'Ask the organiser for a new launch link');
    const content = deps.contentOrigin?.() ?? null;
    if (!content) return launchError(c, 503, 'content-unavailable', 'No content server runs with this gateway');
    try {
      const l = await launchAu(deps, check.subject, c.req.query('au') ?? null, {
        gatewayOrigin: base(c),
        contentOrigin: content,
        expiresAt: check.expiresAt,
        clientAddr: clientAddr(c),
        userAgent: c.req.header('user-agent') ?? null,
      });
      return c.json(
        {
          session: l.sessionId,
          registration: l.registration,
          au: l.au.id,
          activityId: l.activityId,
          launchMethod: l.au.launchMethod,
          launchedAt: l.launchedAt.toISOString(),
          url: l.url,
          abandoned: l.abandoned,
        },
        201,
      );
    } catch (err) {
      if (err instanceof ServiceError) return launchError(c, err.status, err.code, err.detail ?? err.code);
      throw err;
    }
  });
  return app;
}

/** The content origin's cmi5 routes, added to its app (`content-server.ts`). */
export function addCmi5ContentRoutes(app: Hono, deps: Deps, origins: { player: () => string }) {
  app.get('/x/:capability/*', async (c) => {
    let s;
    try {
      s = await cmi5CapabilitySession(deps.links, c.req.param('capability') ?? '', deps.now());
    } catch (err) {
      if (err instanceof ServiceError) return c.text('Link del corso non valido o scaduto.', 404);
      throw err;
    }
    const prefix = `/x/${c.req.param('capability')}/`;
    const f = await packageFileOf(deps, s.enrolmentId, c.req.path.slice(prefix.length));
    // R-ISO-3: an AU page runs in its own window or is framed by the player (AnyWindow), never elsewhere.
    return packageFileResponse(c, f, origins.player());
  });

  // §8.2.1: 200 and application/json, including the errors of §8.2.3.
  app.post('/cmi5/fetch/:capability', async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      return c.json(await fetchAuthToken(deps, c.req.param('capability') ?? ''), 200);
    } catch (err) {
      deps.log.error({ err }, 'cmi5 fetch failed');
      return c.json({ 'error-code': '3', 'error-text': 'The LMS cannot answer now.' }, 200);
    }
  });

  app.get('/cmi5/lrs/about', (c) => {
    c.header('X-Experience-API-Version', XAPI_VERSION);
    return c.json({ version: [XAPI_VERSION] });
  });

  /** The LRS session of a request (auth token, xAPI version header), or the refusal. */
  const lrs = async (c: Context) => {
    c.header('X-Experience-API-Version', XAPI_VERSION);
    c.header('Cache-Control', 'no-store');
    const session = await lrsSession(deps, c.req.header('authorization'));
    if (!session) return launchError(c, 401, 'invalid-token', 'Send the auth token of the fetch URL: Authorization: Basic <auth-token> (cmi5 §8.2)');
    if (!/^1\.0(\.\d+)?$/u.test(c.req.header('x-experience-api-version') ?? ''))
      return launchError(c, 400, 'invalid-query', 'X-Experience-API-Version: 1.0.x is required (xAPI)');
    return session;
  };
  const guarded = (h: (c: Context, s: Exclude<Awaited<ReturnType<typeof lrsSession>>, null>) => Promise<Response>) => async (c: Context) => {
    try {
      const s = await lrs(c);
      if (s instanceof Response) return s;
      return await h(c, s);
    } catch (err) {
      if (err instanceof ServiceError) return launchError(c, err.status, err.code, err.detail ?? err.code);
      // A deadlock or serialisation failure rolled the statements back whole: the AU may send them again.
      const pg = (err as { code?: unknown } | null)?.code;
      if (isUnavailable(err) || pg === '40P01' || pg === '40001') return launchError(c, 503, 'service-unavailable', 'Retry later');
      deps.log.error({ err }, 'cmi5 lrs failed');
      return launchError(c, 500, 'internal-error', 'Internal error');
    }
  };

  const statements = (method: 'post' | 'put') =>
    guarded(async (c, s) => {
      const statementId = method === 'put' ? (c.req.query('statementId') ?? '') : null;
      if (method === 'put' && !statementId) return launchError(c, 400, 'invalid-query', 'PUT needs ?statementId=');
      const body = await readJsonBody(c, deps.config.SCORM_COMMIT_MAX_BYTES, ['application/json']);
      const a = await receiveStatements(deps, s, {
        body,
        receivedAt: new Date(deps.now()),
        clientAddr: clientAddr(c),
        userAgent: c.req.header('user-agent') ?? null,
        statementId,
      });
      if (!a.ok)
        return launchError(c, a.status, a.code, a.detail, {
          ...(a.section ? { section: a.section } : {}),
          ...(a.index !== undefined ? { index: a.index } : {}),
        });
      return method === 'put' ? c.body(null, 204) : c.json(a.ids, 200);
    });
  app.post('/cmi5/lrs/statements', statements('post'));
  app.put('/cmi5/lrs/statements', statements('put'));
  app.get(
    '/cmi5/lrs/statements',
    guarded(async (c, s) => {
      const id = c.req.query('statementId') ?? null;
      const out = await readStatements(deps, s, id);
      if (out === null) return launchError(c, 404, 'not-found', 'No such statement');
      return c.json(out as object, 200);
    }),
  );

  const stateQuery = (c: Context): StateQuery => ({
    activityId: c.req.query('activityId'),
    agent: c.req.query('agent'),
    registration: c.req.query('registration'),
    stateId: c.req.query('stateId'),
  });
  app.get(
    '/cmi5/lrs/activities/state',
    guarded(async (c, s) => {
      const a = await readState(deps, s, stateQuery(c));
      if (!a.ok) return launchError(c, a.status, a.code, a.detail);
      if (!a.document) return c.body(null, 204);
      return c.body(new Uint8Array(a.document), 200, { 'content-type': a.contentType });
    }),
  );
  for (const op of ['put', 'post', 'delete'] as const) {
    app[op](
      '/cmi5/lrs/activities/state',
      guarded(async (c, s) => {
        const body =
          op === 'delete'
            ? null
            : {
                contentType: (c.req.header('content-type') ?? 'application/octet-stream').split(';')[0]!.trim(),
                bytes: await readJsonBody(c, deps.config.SCORM_COMMIT_MAX_BYTES, ['application/json', 'text/plain', 'application/octet-stream']),
              };
        const a = await writeState(deps, s, stateQuery(c), op, body);
        if (!a.ok) return launchError(c, a.status, a.code, a.detail);
        return c.body(null, 204);
      }),
    );
  }
  // §11: the AU reads cmi5LearnerPreferences at start; the LMS keeps none, and "MAY choose to ignore … by returning 403".
  app.get(
    '/cmi5/lrs/agents/profile',
    guarded(async (c) =>
      launchError(c, 404, 'not-found', c.req.query('profileId') === LEARNER_PREFERENCES ? 'No learner preferences are kept' : 'No such profile'),
    ),
  );
  app.put(
    '/cmi5/lrs/agents/profile',
    guarded(async (c) => launchError(c, 403, 'forbidden', 'Learner preferences are not kept (cmi5 §11: the AU does not treat this as an error)')),
  );
}
