/**
 * @module The SCORM commit endpoint: `POST /lms/commit/{token}?sco=<identifier>&session=<id>`
 * (issue 6 §3, R-ELN-1), scorm-again's `lmsCommitUrl`.
 *
 * Outside `/v1`: no API key (the launch token in the path authenticates, as scorm-again's
 * `sendBeacon` on Finish/Terminate sends no headers), no CSRF check, CORS open (no credentials)
 * for providers' own player pages. Bodies: `application/json` (scorm-again's synchronous XHR)
 * and `text/plain` (its beacon), at most `SCORM_COMMIT_MAX_BYTES`, read with the limit while they
 * stream. Every commit that reaches a known enrolment and SCO is stored unaltered first, with the
 * time received, client address and user agent; then validated (stored and flagged when invalid).
 *
 * Answers are in the shape scorm-again's default `responseHandler` reads: `{"result": true,
 * "errorCode": 0}` once stored, `{"result": false, "errorCode": 101}` with a non-2xx status
 * otherwise, plus a stable `code` (and `valid`/`errors` when stored) for people reading them.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Deps } from './deps.ts';
import { clientAddr, readJsonBody } from './http.ts';
import { commitTargetOf, launchEnrolment, storeCommit } from '../services/elearning/commit.ts';
import { ServiceError } from '../services/errors.ts';
import { router } from './router.ts';
import { isUnavailable } from './unavailable.ts';

/** Content types accepted: scorm-again's XHR (`application/json;charset=UTF-8`) and beacon (`text/plain;charset=UTF-8`). */
const COMMIT_TYPES = ['application/json', 'text/plain'];
/** `session=`: an id the player draws per SCO load. */
const SESSION_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** The commit URL's query as the handler reads it (the route's own `query` is what the OpenAPI document shows). */
const CommitQuery = z.object({ sco: z.string().min(1), session: z.string().regex(SESSION_ID).optional() });

const CommitAnswer = z.object({
  result: z.boolean(),
  errorCode: z.number().int(),
  code: z.string().optional(),
  commitId: z.number().int().optional(),
  valid: z.boolean().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
const answer = (description: string) => ({ description, content: { 'application/json': { schema: CommitAnswer } } });

const route = createRoute({
  method: 'post',
  path: '/lms/commit/{token}',
  summary: 'Receive a scorm-again commit (SCORM 1.2 or 2004, `dataCommitFormat: "json"`)',
  description: [
    "No API key: the launch token (`POST /v1/events/{id}/enrolments/{memberId}/launch`) is in the path. Query: `sco` (required, a SCO identifier of the course package), `session` (optional, the player's id for this load of the SCO, `[A-Za-z0-9._:-]{1,64}`).",
    'Body: the commit JSON as `application/json` or `text/plain` (sendBeacon), ≤ `SCORM_COMMIT_MAX_BYTES` (256 KiB).',
    'Stored unaltered with the time received, client address and user agent before the answer. CMI values are then checked (status vocabularies, session_time formats, score ranges): an invalid commit is stored, flagged, and still answered `result: true` with `valid: false` and `errors`.',
    'Codes: `invalid-token`, `launch-expired` (401), `unknown-sco`, `invalid-session` (400/404), `body-too-large` (413), `unsupported-media-type` (415), `service-unavailable` (503, retry).',
  ].join(' '),
  tags: ['e-learning'],
  request: { params: z.object({ token: z.string() }), query: z.object({ sco: z.string(), session: z.string().optional() }) },
  responses: {
    200: answer('Stored: `{"result": true, "errorCode": 0}`'),
    400: answer('Missing `sco` or a bad `session`'),
    401: answer('Bad or expired launch token'),
    404: answer('Unknown SCO or no current package'),
    413: answer('Body too large'),
    415: answer('Neither JSON nor text/plain'),
    503: answer('Store unavailable; retry'),
  },
});

function refuse(c: Context, status: ContentfulStatusCode, code: string, detail?: string) {
  if (status === 503) c.header('Retry-After', '5');
  return c.json({ result: false, errorCode: 101, code, ...(detail ? { detail } : {}) }, status);
}

/** Which launch a commit request is of: the enrolment, the SCO and the session, or a refusal (thrown `ServiceError`). */
export type CommitLocator = (c: Context, receivedAt: Date) => Promise<{ enrolmentId: string; sco: string; session: string | null } | Response>;

/**
 * Stores one commit (R-ELN-1) of the launch `locate` names: the gateway's route reads it from the
 * launch token and the query, the content server's from its content capability (R-ISO-2). One
 * code path for both.
 */
export function commitHandler(deps: Deps, locate: CommitLocator) {
  return async (c: Context) => {
    try {
      const receivedAt = new Date(deps.now());
      const where = await locate(c, receivedAt);
      if (where instanceof Response) return where;
      const target = await commitTargetOf(deps, where.enrolmentId, where.sco);
      const body = await readJsonBody(c, deps.config.SCORM_COMMIT_MAX_BYTES, COMMIT_TYPES);
      const { commitId, valid, errors } = await storeCommit(deps, target, {
        scoIdentifier: where.sco,
        sessionId: where.session,
        receivedAt,
        clientAddr: clientAddr(c),
        userAgent: c.req.header('user-agent') ?? null,
        contentType: c.req.header('content-type') ?? null,
        body,
      });
      return c.json({ result: true, errorCode: 0, commitId, valid, ...(valid ? {} : { errors }) }, 200);
    } catch (err) {
      if (err instanceof ServiceError) return refuse(c, err.status, err.code, err.detail);
      if (isUnavailable(err)) {
        deps.log.warn({ err: String(err) }, 'scorm commit: store unavailable');
        return refuse(c, 503, 'service-unavailable');
      }
      deps.log.error({ err }, 'scorm commit failed');
      return refuse(c, 500, 'internal-error');
    }
  };
}

export function scormCommitRoutes(deps: Deps) {
  const app = router();
  app.openAPIRegistry.registerPath(route);
  app.use('/lms/commit/*', cors({ origin: '*', allowMethods: ['POST'], allowHeaders: ['Content-Type'], maxAge: 86400 }));
  app.post(
    '/lms/commit/:token',
    commitHandler(deps, async (c, receivedAt) => {
      const enrolmentId = await launchEnrolment(deps, c.req.param('token') ?? '', receivedAt.getTime());
      const query = CommitQuery.safeParse(c.req.query());
      if (!query.success) {
        if (query.error.issues.some((i) => i.path[0] === 'sco')) return refuse(c, 400, 'unknown-sco', 'Add ?sco=<SCO identifier> to the commit URL');
        return refuse(c, 400, 'invalid-session', 'session: 1 to 64 of A-Z a-z 0-9 . _ : -');
      }
      return { enrolmentId, sco: query.data.sco, session: query.data.session ?? null };
    }),
  );
  return app;
}
