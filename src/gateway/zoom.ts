/**
 * @module Zoom webhooks: `POST /v1/webhooks/zoom/{connectionId}` (issue 2 §7).
 *
 * The signature is checked over the raw bytes before anything else, including the URL
 * validation challenge (whose answer is itself an HMAC under the same secret). Each accepted
 * delivery is stored byte for byte with its signature headers and the verification result, so an
 * auditor can re-verify it; Zoom's retries are acknowledged as duplicates.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { mapZoomEvent, urlValidationResponse, verifyZoomSignature, ZoomPayloadError } from '../../adapters/webinar/zoom.ts';
import { Problem } from '../schemas/common.ts';
import { storeEvidence } from '../store/evidence.ts';
import type { Deps } from './deps.ts';
import { clientAddr, pickHeaders, readJsonBody } from './http.ts';
import { ServiceError } from '../services/errors.ts';
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

export function zoomRoutes(deps: Deps) {
  const app = router();
  app.openAPIRegistry.registerPath(route);
  app.post('/v1/webhooks/zoom/:connectionId', async (c) => {
    const connectionId = c.req.param('connectionId');
    const conn = z.uuid().safeParse(connectionId).success
      ? (await deps.db.query<{ organiser_id: string; secret: string }>("SELECT organiser_id, secret FROM platform_connections WHERE id = $1 AND platform = 'zoom'", [connectionId])).rows[0]
      : undefined;
    if (!conn) throw new ServiceError('not-found', 'Unknown Zoom connection');
    const raw = await readJsonBody(c, deps.config.MAX_BODY_BYTES);
    const now = deps.now();
    const verification = verifyZoomSignature({
      rawBody: raw,
      timestamp: c.req.header('x-zm-request-timestamp'),
      signature: c.req.header('x-zm-signature'),
      secretToken: conn.secret,
      now,
    });
    if (!verification.ok) throw new ServiceError(verification.code);

    let mapped;
    try {
      mapped = mapZoomEvent(raw);
    } catch (err) {
      if (err instanceof ZoomPayloadError) throw new ServiceError('invalid-body', err.message, { errors: err.issues.map((m) => ({ message: m })) });
      throw err;
    }
    if (mapped.kind === 'url-validation') return c.json(urlValidationResponse(mapped.plainToken, conn.secret));
    if (mapped.kind === 'ignored') return c.json({ ignored: mapped.event });
    if (!deps.redisReady()) throw new ServiceError('service-unavailable', 'The queue is unavailable');

    const { rows } = await deps.db.query<{ id: string }>(
      "SELECT id FROM events WHERE organiser_id = $1 AND platform = 'zoom' AND platform_meeting_id = $2",
      [conn.organiser_id, mapped.webinarId],
    );
    const eventId = rows[0]?.id ?? null;
    // A webinar with no event yet is still kept (delivery only): answering 4xx would make Zoom
    // stop sending, and the raw delivery can be replayed once the event is registered.
    const result = await storeEvidence(
      deps.db,
      eventId,
      {
        source: `zoom:${connectionId}`,
        receivedAt: new Date(now),
        clientAddr: clientAddr(c),
        headers: pickHeaders(c, SIGNED_HEADERS),
        body: raw,
        verification: { scheme: 'zoom-v0-hmac-sha256', ok: true, checkedAt: new Date(now).toISOString() },
      },
      mapped.records.map((record) => ({ record })),
    );
    if (mapped.unidentifiable.length) deps.log.warn({ eventId, count: mapped.unidentifiable.length }, 'zoom participants without a stable identifier');
    if (!eventId) {
      deps.log.warn({ webinarId: mapped.webinarId, deliveryId: result.deliveryId }, 'zoom webinar with no event');
      return c.json({ accepted: 0, duplicates: 0, unmatchedWebinar: mapped.webinarId });
    }
    await deps.attendance.requestDerivation(eventId, 'evidence').catch(() => {
      throw new ServiceError('service-unavailable', 'Stored, but the derivation could not be queued');
    });
    return c.json({ accepted: result.accepted, duplicates: result.duplicates, unidentifiable: mapped.unidentifiable.length });
  });
  return app;
}
