/**
 * @module Zoom webhooks: `POST /v1/webhooks/zoom/{connectionId}` (issue 2 §7;
 * `services/ingest/zoom.ts`).
 *
 * The signature is checked over the raw bytes before anything else, including the URL
 * validation challenge (whose answer is itself an HMAC under the same secret). Each accepted
 * delivery is stored byte for byte with its signature headers and the verification result, so an
 * auditor can re-verify it; Zoom's retries are acknowledged as duplicates.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { Problem } from '../schemas/common.ts';
import { ServiceError } from '../services/errors.ts';
import { receiveZoomDelivery, zoomConnectionFor } from '../services/ingest/zoom.ts';
import type { Deps } from './deps.ts';
import { clientAddr, pickHeaders, readJsonBody } from './http.ts';
import { router } from './router.ts';

const SIGNED_HEADERS = ['x-zm-signature', 'x-zm-request-timestamp', 'x-zm-trackingid', 'content-type', 'user-agent'];

const route = createRoute({
  method: 'post',
  path: '/v1/webhooks/zoom/{connectionId}',
  summary: 'Zoom webhook endpoint (participant joined/left, webinar ended, URL validation)',
  description:
    "Signed with the connection's Zoom secret token (`x-zm-signature`, `x-zm-request-timestamp`, at most 5 minutes old). The webinar id maps to the event registered with `platform: {name: 'zoom', meetingId}`.",
  tags: ['ingest'],
  request: { params: z.object({ connectionId: z.uuid() }) },
  responses: {
    200: { description: 'Stored, acknowledged, or the URL validation answer' },
    400: { description: 'Not a Zoom notification', content: { 'application/problem+json': { schema: Problem } } },
    401: { description: 'Bad signature', content: { 'application/problem+json': { schema: Problem } } },
    404: { description: 'Unknown connection', content: { 'application/problem+json': { schema: Problem } } },
    503: { description: 'Store or queue unavailable; Zoom retries', content: { 'application/problem+json': { schema: Problem } } },
  },
});

/** Built once: a zod schema per request costs more than the check itself. */
const CONNECTION_ID = z.uuid();

export function zoomRoutes(deps: Deps) {
  const app = router();
  app.openAPIRegistry.registerPath(route);
  app.post('/v1/webhooks/zoom/:connectionId', async (c) => {
    const connectionId = c.req.param('connectionId');
    if (!CONNECTION_ID.safeParse(connectionId).success) throw new ServiceError('not-found', 'Unknown Zoom connection');
    const conn = await zoomConnectionFor(deps, connectionId);
    const raw = await readJsonBody(c, deps.config.MAX_BODY_BYTES);
    const answer = await receiveZoomDelivery(deps, conn, {
      body: raw,
      timestamp: c.req.header('x-zm-request-timestamp'),
      signature: c.req.header('x-zm-signature'),
      clientAddr: clientAddr(c),
      headers: pickHeaders(c, SIGNED_HEADERS),
    });
    switch (answer.kind) {
      case 'url-validation':
        return c.json(answer.answer);
      case 'ignored':
        return c.json({ ignored: answer.event });
      case 'unmatched-webinar':
        return c.json({ accepted: 0, duplicates: 0, unmatchedWebinar: answer.webinarId });
      case 'stored':
        return c.json({ accepted: answer.accepted, duplicates: answer.duplicates, unidentifiable: answer.unidentifiable });
    }
  });
  return app;
}
