/**
 * @module Generic webinar ingest: `POST /v1/ingest/webinar/{eventId}` (R-ATT-1, issue 2 §6;
 * `services/ingest/webinar.ts`).
 *
 * The body is read raw (it is evidence), parsed and validated by hand so that every failure is
 * a problem+json with a stable code, then stored and acknowledged only after COMMIT.
 */
import { createRoute } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { IngestBatch, IngestResult, type WebinarRecord } from '../schemas/ingest.ts';
import { Problem } from '../schemas/common.ts';
import { ingestWebinarBatch } from '../services/ingest/webinar.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { ServiceError } from '../services/errors.ts';
import { clientAddr, parseJson, pickHeaders, readJsonBody } from './http.ts';
import { router, SECURITY } from './router.ts';
import { zodErrors } from './problem.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/ingest/webinar/{eventId}',
  summary: 'Post a batch of webinar joins, leaves and meeting-end signals',
  description:
    'Up to 1,000 records. Answered 202 only after every record is committed; a record already stored (same source and id) is acknowledged as a duplicate. 503 with Retry-After when the store or the queue is unavailable: retry, nothing is lost or doubled. ' +
    'After the course is closed (R-EVT-7) records are still stored as evidence, but they do not count: the answer says `counted: false` with `notice: "event-closed"`.',
  tags: ['ingest'],
  security: SECURITY,
  request: {
    params: z.object({ eventId: z.uuid() }),
    body: { content: { 'application/json': { schema: IngestBatch } }, required: true },
  },
  responses: {
    202: { description: 'Stored (`counted` says whether the records count, R-EVT-7)', content: { 'application/json': { schema: IngestResult } } },
    400: { description: 'Malformed or invalid body', content: { 'application/problem+json': { schema: Problem } } },
    404: { description: 'Unknown event', content: { 'application/problem+json': { schema: Problem } } },
    413: { description: 'Body too large', content: { 'application/problem+json': { schema: Problem } } },
    415: { description: 'Not JSON', content: { 'application/problem+json': { schema: Problem } } },
    422: { description: 'An instant in the future', content: { 'application/problem+json': { schema: Problem } } },
    503: { description: 'Store or queue unavailable; retry', content: { 'application/problem+json': { schema: Problem } } },
  },
});

/** Built once: a zod schema per request costs more than the check itself. */
const EVENT_ID = z.uuid();

export function ingestRoutes(deps: Deps) {
  const app = router();
  // Documented from the zod schemas; handled by hand below (raw body, custom errors).
  app.openAPIRegistry.registerPath(route);
  app.post('/v1/ingest/webinar/:eventId', requireRole(deps.resolveKey, 'platform', 'organiser'), async (c) => {
    const eventId = c.req.param('eventId');
    if (!EVENT_ID.safeParse(eventId).success) throw new ServiceError('event-not-found');
    const raw = await readJsonBody(c, deps.config.MAX_BODY_BYTES);
    const json = parseJson(raw);
    const parsed = IngestBatch.safeParse(json);
    if (!parsed.success) throw new ServiceError('invalid-body', undefined, { errors: zodErrors(parsed.error.issues) });
    const result = await ingestWebinarBatch(deps, c.get('principal'), eventId, {
      // R-ATT-1: each record is kept as sent. zod strips the fields it does not know, so store
      // the sent object (the schema has no transforms: the validated fields are the same values).
      records: (json as { records: WebinarRecord[] }).records,
      body: raw,
      clientAddr: clientAddr(c),
      headers: pickHeaders(c, ['content-type', 'user-agent', 'x-request-id']),
    });
    return c.json(result, 202);
  });
  return app;
}
