import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ZOOM_EVENTS,
  ZoomEnvelope,
  ZoomPayloadError,
  mapZoomEvent,
  urlValidationResponse,
  verifyZoomSignature,
  zoomRecordId,
  type ZoomMapResult,
} from '../../adapters/webinar/zoom.ts';
import { WebinarRecord } from '../../src/schemas/ingest.ts';

const SECRET = 'zoom-test-secret-token';
const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/zoom/${name}.json`, import.meta.url));
const json = (name: string): unknown => JSON.parse(fixture(name).toString('utf8'));

/** Independent reference: Node's HMAC over the documented message `v0:{ts}:{body}`. */
function sign(body: Uint8Array | string, ts: string, secret = SECRET): string {
  const msg = Buffer.concat([Buffer.from(`v0:${ts}:`, 'utf8'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
  return `v0=${createHmac('sha256', secret).update(msg).digest('hex')}`;
}

function records(r: ZoomMapResult) {
  if (r.kind !== 'records') throw new Error(`expected records, got ${r.kind}`);
  return r;
}

const TS = '1773151200';
const NOW = Number(TS) * 1000;

describe('verifyZoomSignature', () => {
  const body = fixture('participant_joined');

  it('accepts a signature computed independently over the raw bytes (Buffer and string body)', () => {
    const signature = sign(body, TS);
    expect(verifyZoomSignature({ rawBody: body, timestamp: TS, signature, secretToken: SECRET, now: NOW })).toEqual({ ok: true });
    expect(verifyZoomSignature({ rawBody: body.toString('utf8'), timestamp: TS, signature, secretToken: SECRET, now: NOW })).toEqual({ ok: true });
    expect(verifyZoomSignature({ rawBody: new Uint8Array(body), timestamp: TS, signature, secretToken: SECRET, now: NOW })).toEqual({ ok: true });
  });

  it('matches a hard-coded known-good vector (derived with `openssl dgst -sha256 -hmac`)', () => {
    const rawBody = '{"event":"webinar.started","event_ts":1773151200123,"payload":{"account_id":"o8KK_AAACq6BBEyA70CA","object":{"id":"81234567890"}}}';
    const signature = 'v0=106ae684da776fedfa1a676d999798814d8232cded8a15301c0662346029f112';
    expect(sign(rawBody, TS)).toBe(signature);
    expect(verifyZoomSignature({ rawBody, timestamp: TS, signature, secretToken: SECRET, now: NOW })).toEqual({ ok: true });
    expect(verifyZoomSignature({ rawBody, timestamp: TS, signature, secretToken: 'another-secret', now: NOW })).toEqual({
      ok: false,
      code: 'signature-mismatch',
    });
  });

  it('rejects a tampered body', () => {
    const signature = sign(body, TS);
    const tampered = Buffer.from(body.toString('utf8').replace('14:05:13Z', '14:00:13Z'), 'utf8');
    expect(tampered.equals(body)).toBe(false);
    expect(verifyZoomSignature({ rawBody: tampered, timestamp: TS, signature, secretToken: SECRET, now: NOW })).toEqual({
      ok: false,
      code: 'signature-mismatch',
    });
  });

  it('rejects re-serialised JSON (same value, different whitespace)', () => {
    const signature = sign(body, TS);
    const reserialised = JSON.stringify(JSON.parse(body.toString('utf8')));
    expect(JSON.parse(reserialised)).toEqual(json('participant_joined'));
    expect(verifyZoomSignature({ rawBody: reserialised, timestamp: TS, signature, secretToken: SECRET, now: NOW })).toEqual({
      ok: false,
      code: 'signature-mismatch',
    });
  });

  it('rejects a signature bound to another timestamp, a wrong prefix, a truncated or upper-cased value', () => {
    const good = sign(body, TS);
    const base = { rawBody: body, timestamp: TS, secretToken: SECRET, now: NOW };
    expect(verifyZoomSignature({ ...base, signature: sign(body, String(Number(TS) - 1)) })).toEqual({ ok: false, code: 'signature-mismatch' });
    expect(verifyZoomSignature({ ...base, signature: good.replace('v0=', 'v1=') })).toEqual({ ok: false, code: 'signature-mismatch' });
    expect(verifyZoomSignature({ ...base, signature: good.slice(0, -1) })).toEqual({ ok: false, code: 'signature-mismatch' });
    expect(verifyZoomSignature({ ...base, signature: good.slice(3) })).toEqual({ ok: false, code: 'signature-mismatch' });
    expect(verifyZoomSignature({ ...base, signature: `v0=${good.slice(3).toUpperCase()}` })).toEqual({ ok: false, code: 'signature-mismatch' });
  });

  it('enforces the 5-minute window both ways, inclusive at 300 s', () => {
    const signature = sign(body, TS);
    const at = (now: number) => verifyZoomSignature({ rawBody: body, timestamp: TS, signature, secretToken: SECRET, now });
    expect(at(NOW + 300_000)).toEqual({ ok: true });
    expect(at(NOW - 300_000)).toEqual({ ok: true });
    expect(at(NOW + 300_001)).toEqual({ ok: false, code: 'signature-timestamp-stale' });
    expect(at(NOW - 300_001)).toEqual({ ok: false, code: 'signature-timestamp-stale' });
    expect(at(NOW + 85 * 60_000)).toEqual({ ok: false, code: 'signature-timestamp-stale' });
    expect(verifyZoomSignature({ rawBody: body, timestamp: TS, signature, secretToken: SECRET, now: NOW + 600_000, maxAgeSeconds: 900 })).toEqual({ ok: true });
  });

  it('rejects stale and far-future timestamps even when correctly signed for them', () => {
    const stale = String(Number(TS) - 3600);
    const future = String(Number(TS) + 3600);
    for (const ts of [stale, future]) {
      expect(verifyZoomSignature({ rawBody: body, timestamp: ts, signature: sign(body, ts), secretToken: SECRET, now: NOW })).toEqual({
        ok: false,
        code: 'signature-timestamp-stale',
      });
    }
  });

  it('treats a timestamp in milliseconds or a malformed one as outside the window', () => {
    for (const ts of [String(NOW), '-1773151200', '1773151200.5', ' 1773151200', '01773151200', 'abc', '9'.repeat(40)]) {
      expect(verifyZoomSignature({ rawBody: body, timestamp: ts, signature: sign(body, ts), secretToken: SECRET, now: NOW })).toEqual({
        ok: false,
        code: 'signature-timestamp-stale',
      });
    }
  });

  it('reports missing headers', () => {
    const signature = sign(body, TS);
    expect(verifyZoomSignature({ rawBody: body, timestamp: undefined, signature, secretToken: SECRET, now: NOW })).toEqual({
      ok: false,
      code: 'signature-missing',
    });
    expect(verifyZoomSignature({ rawBody: body, timestamp: TS, signature: undefined, secretToken: SECRET, now: NOW })).toEqual({
      ok: false,
      code: 'signature-missing',
    });
    expect(verifyZoomSignature({ rawBody: body, timestamp: '', signature: '', secretToken: SECRET, now: NOW })).toEqual({
      ok: false,
      code: 'signature-missing',
    });
  });

  it('refuses to run with an empty secret', () => {
    expect(() => verifyZoomSignature({ rawBody: body, timestamp: TS, signature: sign(body, TS, ''), secretToken: '', now: NOW })).toThrow(TypeError);
  });
});

describe('urlValidationResponse', () => {
  it('returns the plain token and hex HMAC-SHA256(secret, plainToken)', () => {
    const plainToken = 'qgg8vlvZRS6UYooatFL8Aw';
    const res = urlValidationResponse(plainToken, SECRET);
    expect(res).toEqual({
      plainToken,
      encryptedToken: createHmac('sha256', SECRET).update(plainToken).digest('hex'),
    });
    // Hard-coded, derived with `openssl dgst -sha256 -hmac zoom-test-secret-token`.
    expect(res.encryptedToken).toBe('189bad60d71b25fc9705f43e5883e837f2d813ec93ba913b641fbe02d931744f');
  });

  it('is not a signing oracle: a token shaped like a signed message is refused', () => {
    const forged = `v0:${TS}:{"event":"webinar.participant_joined"}`;
    expect(() => urlValidationResponse(forged, SECRET)).toThrow(RangeError);
    expect(() => urlValidationResponse('', SECRET)).toThrow(RangeError);
    expect(() => urlValidationResponse('a'.repeat(257), SECRET)).toThrow(RangeError);
    expect(() => urlValidationResponse('ok', '')).toThrow(TypeError);
    expect(() => mapZoomEvent({ event: 'endpoint.url_validation', payload: { plainToken: forged } })).toThrow(ZoomPayloadError);
  });

  it('mapZoomEvent recognises the challenge', () => {
    expect(mapZoomEvent(json('url_validation'))).toEqual({ kind: 'url-validation', plainToken: 'qgg8vlvZRS6UYooatFL8Aw' });
  });
});

describe('mapZoomEvent', () => {
  it('exposes the event table as data', () => {
    expect(Object.fromEntries(Object.entries(ZOOM_EVENTS).map(([k, v]) => [k, v.type]))).toEqual({
      'webinar.participant_joined': 'join',
      'webinar.participant_left': 'leave',
      'webinar.ended': 'meeting-end',
    });
  });

  it('maps webinar.participant_joined', () => {
    const r = records(mapZoomEvent(json('participant_joined')));
    expect(r.webinarId).toBe('81234567890');
    expect(r.unidentifiable).toEqual([]);
    expect(r.records).toEqual([
      {
        id: 'zoom:czLF6FFFoQOKgAB99DlDb9g==:webinar.participant_joined:16782040:2026-03-10T14:05:13Z',
        type: 'join',
        at: '2026-03-10T14:05:13Z',
        participant: {
          registrantId: 'U0BBBBBBBBBBfrUz1Q',
          participantUserId: 'iFxeBPYun6SAiWUzBcEkX',
          email: 'maria.rossi@example.it',
          name: 'Maria Rossi',
          connectionId: '16782040',
        },
      },
    ]);
    for (const rec of r.records) expect(WebinarRecord.safeParse(rec).success).toBe(true);
  });

  it('maps webinar.participant_left onto leave_time with the same connectionId as its join', () => {
    const r = records(mapZoomEvent(json('participant_left')));
    const [leave] = r.records;
    expect(leave).toMatchObject({ type: 'leave', at: '2026-03-10T14:45:09Z', participant: { connectionId: '16782040', registrantId: 'U0BBBBBBBBBBfrUz1Q' } });
    const [join] = records(mapZoomEvent(json('participant_joined'))).records;
    expect(leave!.participant!.connectionId).toBe(join!.participant!.connectionId);
    expect(leave!.id).not.toBe(join!.id);
  });

  it('maps webinar.ended onto end_time, and falls back to event_ts when end_time is absent', () => {
    const r = records(mapZoomEvent(json('webinar_ended')));
    expect(r.records).toEqual([{ id: 'zoom:czLF6FFFoQOKgAB99DlDb9g==:webinar.ended:2026-03-10T16:00:14Z', type: 'meeting-end', at: '2026-03-10T16:00:14Z' }]);
    const fb = records(mapZoomEvent(json('webinar_ended_no_end_time')));
    expect(fb.webinarId).toBe('81234567890'); // numeric object.id becomes a string
    expect(fb.records[0]).toMatchObject({ type: 'meeting-end', at: new Date(1773158415310).toISOString() });
  });

  it('falls back to event_ts for a participant_left without leave_time', () => {
    const body = json('participant_left') as { payload: { object: { participant: Record<string, unknown> } } };
    delete body.payload.object.participant.leave_time;
    const [rec] = records(mapZoomEvent(body)).records;
    expect(rec!.at).toBe(new Date(1773153909117).toISOString());
  });

  it('ignores unrelated events such as webinar.started', () => {
    expect(mapZoomEvent(json('webinar_started'))).toEqual({ kind: 'ignored', event: 'webinar.started' });
    expect(mapZoomEvent({ event: 'meeting.participant_joined', payload: {} })).toEqual({ kind: 'ignored', event: 'meeting.participant_joined' });
  });

  it('gives the same ids to a byte-identical retry, whatever the signature timestamp', () => {
    const raw = fixture('participant_joined');
    const retry = Buffer.from(raw);
    const t2 = String(Number(TS) + 300);
    expect(verifyZoomSignature({ rawBody: raw, timestamp: TS, signature: sign(raw, TS), secretToken: SECRET, now: NOW }).ok).toBe(true);
    expect(verifyZoomSignature({ rawBody: retry, timestamp: t2, signature: sign(retry, t2), secretToken: SECRET, now: NOW + 300_000 }).ok).toBe(true);
    expect(mapZoomEvent(retry)).toEqual(mapZoomEvent(raw));
    expect(mapZoomEvent(raw.toString('utf8'))).toEqual(mapZoomEvent(json('participant_joined')));
  });

  it('keeps ids stable when a retry differs only in event_ts or unknown fields', () => {
    const a = json('participant_left') as Record<string, unknown>;
    const b = { ...(json('participant_left') as Record<string, unknown>), event_ts: 1773153999999, extra: { x: 1 } };
    expect(records(mapZoomEvent(b)).records[0]!.id).toBe(records(mapZoomEvent(a)).records[0]!.id);
  });

  it('gives a rejoin (new user_id) a different id but the same identity', () => {
    const [first] = records(mapZoomEvent(json('participant_joined'))).records;
    const [again] = records(mapZoomEvent(json('participant_rejoined'))).records;
    expect(again!.id).not.toBe(first!.id);
    expect(again!.participant!.connectionId).toBe('16786177');
    expect(again!.participant!.connectionId).not.toBe(first!.participant!.connectionId);
    const identity = (r: WebinarRecord) => [r.participant?.registrantId, r.participant?.participantUserId, r.participant?.email];
    expect(identity(again!)).toEqual(identity(first!));
  });

  it('produces the same records whatever the arrival order (late leave after the rejoin)', () => {
    const names = ['participant_joined', 'participant_left', 'participant_rejoined', 'webinar_ended'];
    const collect = (order: string[]) => order.flatMap((n) => records(mapZoomEvent(fixture(n))).records).sort((x, y) => x.id.localeCompare(y.id));
    expect(collect(['participant_joined', 'participant_rejoined', 'webinar_ended', 'participant_left'])).toEqual(collect(names));
  });

  it('never uses user_id as registrantId, participantUserId or email', () => {
    const names = ['participant_joined', 'participant_left', 'participant_rejoined', 'participant_joined_guest'];
    for (const n of names) {
      const body = json(n) as { payload: { object: { participant: { user_id: string } } } };
      const userId = body.payload.object.participant.user_id;
      for (const rec of records(mapZoomEvent(body)).records) {
        const p = rec.participant!;
        expect([p.registrantId, p.participantUserId, p.email]).not.toContain(userId);
        expect(p.connectionId).toBe(userId);
      }
    }
    // Only user_id present: no record, reported instead.
    const only = {
      event: 'webinar.participant_joined',
      payload: { object: { id: 1, uuid: 'u', participant: { user_id: '42', join_time: '2026-03-10T14:05:13Z' } } },
    };
    const r = records(mapZoomEvent(only));
    expect(r.records).toEqual([]);
    expect(r.unidentifiable).toEqual([
      {
        id: 'zoom:u:webinar.participant_joined:42:2026-03-10T14:05:13Z',
        event: 'webinar.participant_joined',
        type: 'join',
        at: '2026-03-10T14:05:13Z',
        connectionId: '42',
      },
    ]);
  });

  it('falls back to participant_uuid when a guest has no registrant id, participant user id or email', () => {
    const [rec] = records(mapZoomEvent(json('participant_joined_guest'))).records;
    expect(rec!.participant).toEqual({ participantUserId: '7D0C5E9A-1B2F-4E3D-8C7B-6A5F4E3D2C1B', name: 'Ospite', connectionId: '16790001' });
    const body = json('participant_joined_guest') as { payload: { object: { participant: Record<string, unknown> } } };
    body.payload.object.participant.participant_uuid = '';
    body.payload.object.participant.id = 'zPartId123';
    expect(records(mapZoomEvent(body)).records[0]!.participant!.participantUserId).toBe('zPartId123');
  });

  it('lists a participant with nothing stable (invalid email, no ids) as unidentifiable', () => {
    const r = records(mapZoomEvent(json('participant_joined_anonymous')));
    expect(r.records).toEqual([]);
    expect(r.unidentifiable).toEqual([
      {
        id: 'zoom:czLF6FFFoQOKgAB99DlDb9g==:webinar.participant_joined:16790002:2026-03-10T14:12:10Z',
        event: 'webinar.participant_joined',
        type: 'join',
        at: '2026-03-10T14:12:10Z',
        connectionId: '16790002',
        name: 'iPhone di Luca',
      },
    ]);
  });

  it('drops an invalid or empty email but keeps the other identifiers', () => {
    const body = json('participant_joined') as { payload: { object: { participant: Record<string, unknown> } } };
    body.payload.object.participant.email = 'not an email';
    const p = records(mapZoomEvent(body)).records[0]!.participant!;
    expect(p.email).toBeUndefined();
    expect(p.registrantId).toBe('U0BBBBBBBBBBfrUz1Q');
  });

  it('bounds ids to 200 characters by hashing', () => {
    expect(zoomRecordId(['a', 'b'])).toBe('zoom:a:b');
    const long = zoomRecordId(['x'.repeat(300)]);
    expect(long).toMatch(/^zoom:sha256:[0-9a-f]{64}$/);
    expect(zoomRecordId(['x'.repeat(300)])).toBe(long);
    const body = json('participant_joined') as { payload: { object: { uuid: string } } };
    body.payload.object.uuid = 'U'.repeat(190);
    const [rec] = records(mapZoomEvent(body)).records;
    expect(rec!.id.length).toBeLessThanOrEqual(200);
    expect(WebinarRecord.safeParse(rec).success).toBe(true);
  });

  it('envelope schema keeps unknown fields', () => {
    const parsed = ZoomEnvelope.parse({ event: 'x', event_ts: 1, payload: { object: { id: 5, foo: 'bar' } }, extra: true });
    expect(parsed).toMatchObject({ extra: true, payload: { object: { id: '5', foo: 'bar' } } });
  });

  it('throws ZoomPayloadError on unusable deliveries', () => {
    const bad: unknown[] = [
      'not json',
      42,
      { payload: {} },
      { event: 'webinar.participant_joined', payload: { object: { uuid: 'u', participant: { user_id: '1', join_time: '2026-03-10T14:05:13Z' } } } },
      { event: 'webinar.participant_joined', payload: { object: { id: '1', uuid: 'u' } }, event_ts: 1773151513482 },
      { event: 'webinar.participant_joined', payload: { object: { id: '1', uuid: 'u', participant: { registrant_id: 'r', user_id: '1' } } } },
      {
        event: 'webinar.participant_joined',
        payload: { object: { id: '1', uuid: 'u', participant: { registrant_id: 'r', join_time: '2026-03-10 14:05:13' } } },
      },
      { event: 'endpoint.url_validation', payload: {} },
    ];
    for (const b of bad) expect(() => mapZoomEvent(b), JSON.stringify(b)).toThrow(ZoomPayloadError);
  });
});
