/** @module Zoom webinar webhooks: signature check, URL validation, and mapping onto `WebinarRecord`s (pure, Node `crypto` only). */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { Instant } from '../../src/schemas/common.ts';
import { WebinarRecord, type Participant, type RecordType } from '../../src/schemas/ingest.ts';

// ---------------------------------------------------------------------------------------------
// Signature verification
// ---------------------------------------------------------------------------------------------

/** Default replay window: 5 minutes either side of `now`. */
export const ZOOM_MAX_AGE_SECONDS = 300;

export type ZoomSignatureFailure = 'signature-missing' | 'signature-timestamp-stale' | 'signature-mismatch';
export type ZoomSignatureResult = { ok: true } | { ok: false; code: ZoomSignatureFailure };

export interface VerifyZoomSignatureInput {
  /** The request body exactly as received (never a re-serialised JSON value). */
  rawBody: Uint8Array | string;
  /** `x-zm-request-timestamp` header: Unix time in seconds. */
  timestamp: string | undefined;
  /** `x-zm-signature` header: `v0=<hex HMAC-SHA256>`. */
  signature: string | undefined;
  /** The app's webhook Secret Token. */
  secretToken: string;
  /** Current time, epoch milliseconds. */
  now: number;
  /** Accepted |now − timestamp| in seconds; default 300. */
  maxAgeSeconds?: number;
}

/** Canonical decimal seconds, no sign, no leading zeros, at most 12 digits (year ~33658). */
const TIMESTAMP_RE = /^(0|[1-9][0-9]{0,11})$/;

function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** Hex HMAC-SHA256 of `v0:{timestamp}:{rawBody}` keyed with the secret token. */
export function zoomSignatureHex(rawBody: Uint8Array | string, timestamp: string, secretToken: string): string {
  return createHmac('sha256', secretToken).update(`v0:${timestamp}:`, 'utf8').update(toBytes(rawBody)).digest('hex');
}

/**
 * Verifies Zoom's `x-zm-signature` over the raw body. Order of checks: headers present →
 * timestamp within `maxAgeSeconds` of `now` (past or future; a malformed timestamp counts as
 * stale, since it cannot be placed in the window) → constant-time comparison.
 * Throws `TypeError` when `secretToken` is empty (a configuration error, not a bad request).
 */
export function verifyZoomSignature(input: VerifyZoomSignatureInput): ZoomSignatureResult {
  const { rawBody, timestamp, signature, secretToken, now } = input;
  const maxAgeSeconds = input.maxAgeSeconds ?? ZOOM_MAX_AGE_SECONDS;
  if (typeof secretToken !== 'string' || secretToken.length === 0) {
    throw new TypeError('verifyZoomSignature: secretToken is empty');
  }
  if (!timestamp || !signature) return { ok: false, code: 'signature-missing' };

  if (!TIMESTAMP_RE.test(timestamp)) return { ok: false, code: 'signature-timestamp-stale' };
  const tsSeconds = Number(timestamp);
  if (!Number.isFinite(now) || Math.abs(now / 1000 - tsSeconds) > maxAgeSeconds) {
    return { ok: false, code: 'signature-timestamp-stale' };
  }

  const expected = Buffer.from(`v0=${zoomSignatureHex(rawBody, timestamp, secretToken)}`, 'utf8');
  const received = Buffer.from(signature, 'utf8');
  if (received.length !== expected.length) return { ok: false, code: 'signature-mismatch' };
  return timingSafeEqual(received, expected) ? { ok: true } : { ok: false, code: 'signature-mismatch' };
}

// ---------------------------------------------------------------------------------------------
// URL validation (challenge-response check)
// ---------------------------------------------------------------------------------------------

/**
 * Tokens we are willing to HMAC. The answer is HMAC(secret, plainToken), the same primitive as
 * the request signature, so a token shaped like `v0:{ts}:{body}` would turn the endpoint into a
 * signing oracle. Zoom's documented token is a short base64url string; refusing `:` (and
 * control characters, and anything long) closes the oracle without guessing Zoom's alphabet.
 */
const PLAIN_TOKEN_RE = /^[^:\u0000-\u001f\u007f]{1,256}$/;

export function isAcceptablePlainToken(plainToken: unknown): plainToken is string {
  return typeof plainToken === 'string' && PLAIN_TOKEN_RE.test(plainToken);
}

/**
 * Response body for `endpoint.url_validation`: `{ plainToken, encryptedToken }` with
 * `encryptedToken` = hex HMAC-SHA256(secretToken, plainToken). Throws `RangeError` for a token
 * that {@link isAcceptablePlainToken} refuses and `TypeError` for an empty secret.
 * Callers must verify the request signature before answering.
 */
export function urlValidationResponse(plainToken: string, secretToken: string): { plainToken: string; encryptedToken: string } {
  if (typeof secretToken !== 'string' || secretToken.length === 0) {
    throw new TypeError('urlValidationResponse: secretToken is empty');
  }
  if (!isAcceptablePlainToken(plainToken)) {
    throw new RangeError('urlValidationResponse: plainToken must be 1-256 characters without ":" or control characters');
  }
  const encryptedToken = createHmac('sha256', secretToken).update(plainToken, 'utf8').digest('hex');
  return { plainToken, encryptedToken };
}

// ---------------------------------------------------------------------------------------------
// Envelope schema (lenient: unknown fields pass through)
// ---------------------------------------------------------------------------------------------

/** Zoom ids arrive as strings or numbers depending on the event; kept as strings. */
const IdLike = z.union([z.string(), z.number()]).transform((v) => String(v));
const OptStr = z.string().nullish();

export const ZoomParticipant = z.looseObject({
  user_id: IdLike.nullish(),
  user_name: OptStr,
  id: IdLike.nullish(),
  participant_uuid: OptStr,
  participant_user_id: OptStr,
  registrant_id: OptStr,
  customer_key: OptStr,
  email: OptStr,
  phone_number: OptStr,
  join_time: OptStr,
  leave_time: OptStr,
  leave_reason: OptStr,
});
export type ZoomParticipant = z.infer<typeof ZoomParticipant>;

export const ZoomObject = z.looseObject({
  id: IdLike.nullish(),
  uuid: OptStr,
  host_id: OptStr,
  topic: OptStr,
  type: z.number().nullish(),
  start_time: OptStr,
  end_time: OptStr,
  timezone: OptStr,
  duration: z.number().nullish(),
  participant: ZoomParticipant.nullish(),
});
export type ZoomObject = z.infer<typeof ZoomObject>;

/** A Zoom webhook body: `event`, `event_ts` (epoch ms), `payload` (`object`, or `plainToken`). */
export const ZoomEnvelope = z.looseObject({
  event: z.string().min(1),
  event_ts: z.number().nullish(),
  payload: z
    .looseObject({
      account_id: OptStr,
      plainToken: z.unknown().optional(),
      object: ZoomObject.nullish(),
    })
    .nullish(),
});
export type ZoomEnvelope = z.infer<typeof ZoomEnvelope>;

// ---------------------------------------------------------------------------------------------
// Event table
// ---------------------------------------------------------------------------------------------

export interface ZoomEventSpec {
  /** Record type produced. */
  type: RecordType;
  /** Where the instant comes from: `payload.object.participant[field]` or `payload.object[field]`. */
  timeFrom: 'participant' | 'object';
  timeField: 'join_time' | 'leave_time' | 'end_time';
}

/** Zoom events that become records; every other event is acknowledged and ignored. */
export const ZOOM_EVENTS = {
  'webinar.participant_joined': { type: 'join', timeFrom: 'participant', timeField: 'join_time' },
  'webinar.participant_left': { type: 'leave', timeFrom: 'participant', timeField: 'leave_time' },
  'webinar.ended': { type: 'meeting-end', timeFrom: 'object', timeField: 'end_time' },
} as const satisfies Record<string, ZoomEventSpec>;
export type ZoomRecordEvent = keyof typeof ZOOM_EVENTS;

export const ZOOM_URL_VALIDATION_EVENT = 'endpoint.url_validation';

// ---------------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------------

/** A join/leave whose participant carries nothing stable to match a person on. */
export interface ZoomUnidentifiable {
  /** The id the record would have had. */
  id: string;
  event: ZoomRecordEvent;
  type: RecordType;
  at: string;
  /** Zoom's in-meeting `user_id` (connection only, not identity). */
  connectionId?: string;
  name?: string;
}

export type ZoomMapResult =
  | { kind: 'url-validation'; plainToken: string }
  | { kind: 'records'; webinarId: string; records: WebinarRecord[]; unidentifiable: ZoomUnidentifiable[] }
  | { kind: 'ignored'; event: string };

/** The delivery is not a usable Zoom notification; `issues` says why. */
export class ZoomPayloadError extends Error {
  readonly code = 'zoom-payload-invalid';
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ZoomPayloadError';
  }
}

const MAX_ID = 200;
const MAX_NAME = 300;
const Email = z.email().max(320);

function nonEmpty(v: string | null | undefined, max = MAX_ID): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t.length > 0 && t.length <= max ? t : undefined;
}

/** Record id: stable across retries of one notification, distinct across connections. */
export function zoomRecordId(parts: readonly string[]): string {
  const raw = ['zoom', ...parts].join(':');
  if (raw.length <= MAX_ID) return raw;
  return `zoom:sha256:${createHash('sha256').update(raw, 'utf8').digest('hex')}`;
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return body;
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ZoomPayloadError('body is not JSON');
  }
}

function pickTime(spec: ZoomEventSpec, object: ZoomObject, eventTs: number | null | undefined): string | undefined {
  const source = spec.timeFrom === 'participant' ? object.participant : object;
  const value = (source as Record<string, unknown> | null | undefined)?.[spec.timeField];
  if (typeof value === 'string' && value.length > 0) return value;
  // Fallback: `event_ts` (epoch ms), documented by Zoom as when the event occurred. Zoom marks
  // `end_time` (webinar.ended) and `leave_time` (webinar.participant_left) optional.
  if (typeof eventTs === 'number' && Number.isFinite(eventTs) && eventTs > 0) {
    const d = new Date(eventTs);
    if (!Number.isNaN(d.getTime())) return d.toISOString();
  }
  return undefined;
}

function mapParticipant(p: ZoomParticipant): Participant {
  const out: Participant = {};
  const registrantId = nonEmpty(p.registrant_id);
  const participantUserId = nonEmpty(p.participant_user_id);
  const rawEmail = nonEmpty(p.email, 320);
  const email = rawEmail && Email.safeParse(rawEmail).success ? rawEmail : undefined;
  if (registrantId) out.registrantId = registrantId;
  if (participantUserId) out.participantUserId = participantUserId;
  if (email) out.email = email;
  if (!registrantId && !participantUserId && !email) {
    // Last resort named by the brief: Zoom's participant_uuid, then participant `id`. Never user_id.
    const fallback = nonEmpty(p.participant_uuid) ?? nonEmpty(p.id);
    if (fallback) out.participantUserId = fallback;
  }
  const name = typeof p.user_name === 'string' ? Array.from(p.user_name.trim()).slice(0, MAX_NAME).join('') : '';
  if (name) out.name = name;
  const connectionId = nonEmpty(p.user_id);
  if (connectionId) out.connectionId = connectionId;
  return out;
}

function validate(candidate: unknown): WebinarRecord {
  const r = WebinarRecord.safeParse(candidate);
  if (!r.success) {
    throw new ZoomPayloadError(
      'mapped record is not a valid WebinarRecord',
      r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
  }
  return r.data;
}

/**
 * Maps one Zoom delivery. `body` is the parsed JSON, or the raw bytes/string (parsed here, so
 * the mapped value is the verified one). Only `ZOOM_EVENTS` produce records; other events come
 * back as `ignored`. A join/leave with no registrant id, participant user id, valid e-mail,
 * participant_uuid or participant id is left out of `records` and listed in `unidentifiable`.
 * Throws {@link ZoomPayloadError} when the body is not a Zoom envelope, or a mapped event lacks
 * what its record needs (webinar id, instant, participant).
 */
export function mapZoomEvent(body: unknown): ZoomMapResult {
  const parsed = ZoomEnvelope.safeParse(parseBody(body));
  if (!parsed.success) {
    throw new ZoomPayloadError(
      'not a Zoom webhook envelope',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
  }
  const env = parsed.data;

  if (env.event === ZOOM_URL_VALIDATION_EVENT) {
    const plainToken = env.payload?.plainToken;
    if (!isAcceptablePlainToken(plainToken)) {
      throw new ZoomPayloadError('endpoint.url_validation without an acceptable payload.plainToken');
    }
    return { kind: 'url-validation', plainToken };
  }

  if (!Object.hasOwn(ZOOM_EVENTS, env.event)) return { kind: 'ignored', event: env.event };
  const event = env.event as ZoomRecordEvent;
  const spec: ZoomEventSpec = ZOOM_EVENTS[event];

  const object = env.payload?.object;
  const webinarId = object?.id ?? undefined;
  if (!object || !webinarId) throw new ZoomPayloadError(`${event} without payload.object.id`);
  const instance = nonEmpty(object.uuid, 1000) ?? webinarId;

  const at = pickTime(spec, object, env.event_ts);
  if (!at) throw new ZoomPayloadError(`${event} without ${spec.timeField} or event_ts`);
  if (!Instant.safeParse(at).success) throw new ZoomPayloadError(`${event}: ${spec.timeField} is not an ISO instant with offset`, [at]);

  if (spec.timeFrom === 'object') {
    const record = validate({ id: zoomRecordId([instance, event, at]), type: spec.type, at });
    return { kind: 'records', webinarId, records: [record], unidentifiable: [] };
  }

  const p = object.participant;
  if (!p) throw new ZoomPayloadError(`${event} without payload.object.participant`);
  const participant = mapParticipant(p);
  const connectionKey = nonEmpty(p.user_id) ?? nonEmpty(p.participant_uuid) ?? nonEmpty(p.id) ?? '-';
  const id = zoomRecordId([instance, event, connectionKey, at]);

  if (!participant.registrantId && !participant.participantUserId && !participant.email) {
    const u: ZoomUnidentifiable = { id, event, type: spec.type, at };
    if (participant.connectionId) u.connectionId = participant.connectionId;
    if (participant.name) u.name = participant.name;
    return { kind: 'records', webinarId, records: [], unidentifiable: [u] };
  }
  const record = validate({ id, type: spec.type, at, participant });
  return { kind: 'records', webinarId, records: [record], unidentifiable: [] };
}
