/**
 * @module Zoom webhooks (issue 2 §7): the connection a delivery is for, its signature checked over
 * the raw bytes before anything else (the URL validation challenge included, whose answer is
 * itself an HMAC under the same secret), and each accepted delivery stored byte for byte with its
 * signature headers and the verification result, so an auditor can re-verify it (R-ATT-1).
 * Zoom's retries are acknowledged as duplicates.
 */
import { mapZoomEvent, urlValidationResponse, verifyZoomSignature, ZoomPayloadError } from '../../../adapters/webinar/zoom.ts';
import { zoomConnection, zoomEventId } from '../../store/attendance-changes.ts';
import { storeEvidence } from '../../store/evidence.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

export interface ZoomConnection {
  id: string;
  organiserId: string;
  secret: string;
}

/** The Zoom connection of a webhook URL, or `not-found`. */
export async function zoomConnectionFor(ctx: Pick<ServiceContext, 'db'>, connectionId: string): Promise<ZoomConnection> {
  const conn = await zoomConnection(ctx.db, connectionId);
  if (!conn) throw new ServiceError('not-found', 'Unknown Zoom connection');
  return { id: connectionId, ...conn };
}

export interface ZoomDelivery {
  body: Uint8Array;
  timestamp: string | undefined;
  signature: string | undefined;
  clientAddr: string | null;
  /** The signed and identifying headers, kept with the delivery. */
  headers: Record<string, string>;
}

/** What to answer Zoom: the URL validation answer, an ignored notification, or what was stored. */
export type ZoomAnswer =
  | { kind: 'url-validation'; answer: ReturnType<typeof urlValidationResponse> }
  | { kind: 'ignored'; event: string }
  | { kind: 'stored'; accepted: number; duplicates: number; unidentifiable: number }
  | { kind: 'unmatched-webinar'; webinarId: string };

/**
 * Verifies and stores one delivery. A webinar with no event yet is still kept (delivery only):
 * answering 4xx would make Zoom stop sending, and the raw delivery can be replayed once the event
 * is registered.
 */
export async function receiveZoomDelivery(
  ctx: Pick<ServiceContext, 'db' | 'attendance' | 'redisReady' | 'now' | 'log'>,
  conn: ZoomConnection,
  delivery: ZoomDelivery,
): Promise<ZoomAnswer> {
  const raw = delivery.body;
  const now = ctx.now();
  const verification = verifyZoomSignature({ rawBody: raw, timestamp: delivery.timestamp, signature: delivery.signature, secretToken: conn.secret, now });
  if (!verification.ok) throw new ServiceError(verification.code);

  let mapped;
  try {
    mapped = mapZoomEvent(raw);
  } catch (err) {
    if (err instanceof ZoomPayloadError) throw new ServiceError('invalid-body', err.message, { errors: err.issues.map((m) => ({ message: m })) });
    throw err;
  }
  if (mapped.kind === 'url-validation') return { kind: 'url-validation', answer: urlValidationResponse(mapped.plainToken, conn.secret) };
  if (mapped.kind === 'ignored') return { kind: 'ignored', event: mapped.event };
  if (!ctx.redisReady()) throw new ServiceError('service-unavailable', 'The queue is unavailable');

  const eventId = await zoomEventId(ctx.db, conn.organiserId, mapped.webinarId);
  const result = await storeEvidence(
    ctx.db,
    eventId,
    {
      source: `zoom:${conn.id}`,
      receivedAt: new Date(now),
      clientAddr: delivery.clientAddr,
      headers: delivery.headers,
      body: raw,
      verification: { scheme: 'zoom-v0-hmac-sha256', ok: true, checkedAt: new Date(now).toISOString() },
    },
    mapped.records.map((record) => ({ record })),
  );
  if (mapped.unidentifiable.length) ctx.log.warn({ eventId, count: mapped.unidentifiable.length }, 'zoom participants without a stable identifier');
  if (!eventId) {
    ctx.log.warn({ webinarId: mapped.webinarId, deliveryId: result.deliveryId }, 'zoom webinar with no event');
    return { kind: 'unmatched-webinar', webinarId: mapped.webinarId };
  }
  await ctx.attendance.requestDerivation(eventId, 'evidence').catch(() => {
    throw new ServiceError('service-unavailable', 'Stored, but the derivation could not be queued');
  });
  return { kind: 'stored', accepted: result.accepted, duplicates: result.duplicates, unidentifiable: mapped.unidentifiable.length };
}
