/**
 * Issue 2 §6: `POST /v1/ingest/webinar/{eventId}` through real HTTP, real Redis and a real
 * database (PGlite and Postgres). Every record is kept unaltered with the time received, its
 * source and the client address (R-ATT-1); 202 only after COMMIT; a redelivery is acknowledged
 * and stored once; bad input is a problem+json with a stable code and stores nothing; Redis or
 * the store down → 503 with Retry-After, and nothing is lost once they are back.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTANT_MESSAGE } from '../../src/schemas/common.ts';
import { backendsOf, POSTGRES_URL } from '../support/backends.ts';
import { PrivateRedis, TcpProxy } from '../support/faults.ts';
import { createCpoOrganiser, pastWebinar, romeAfternoon } from '../support/fixtures.ts';
import { eventually, startHarness, type ApiResponse, type Harness } from '../support/harness.ts';

const MIN = 60_000;
/** Small enough that an oversize body is cheap to send, large enough for 1,001 records. */
const MAX_BODY_BYTES = 256 * 1024;

type Keys = Awaited<ReturnType<typeof createCpoOrganiser>>;

/** `ms` written with a fixed offset (e.g. "+01:00"), as a platform in Rome would send it. */
function withOffset(ms: number, offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return new Date(ms + offsetMinutes * MIN).toISOString().replace(/\.\d{3}Z$/, '') + sign + hhmm;
}

function rec(
  id: string,
  at: number,
  type: 'join' | 'leave' | 'meeting-end' = 'join',
  participant: Record<string, unknown> = { email: 'persona@studio.example.it' },
) {
  return type === 'meeting-end' ? { id, type, at: new Date(at).toISOString() } : { id, type, at: new Date(at).toISOString(), participant };
}

function expectProblem(res: ApiResponse, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code });
  expect(typeof res.body.title).toBe('string');
}

async function storedCounts(h: Harness) {
  const { rows } = await h.rt.db.query<{ records: number; deliveries: number }>(
    'SELECT (SELECT count(*)::int FROM tracking_records) AS records, (SELECT count(*)::int FROM deliveries) AS deliveries',
  );
  return rows[0]!;
}

async function setUpOrganiser(h: Harness, province: string, start: number) {
  const keys = await createCpoOrganiser(h, province);
  const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(start, 3, { cpoProvince: province }) });
  expect(ev.status, ev.text).toBe(201);
  return { keys, eventId: ev.body.id as string };
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`webinar ingest on ${backend}`, () => {
    let h: Harness;
    let a: { keys: Keys; eventId: string };
    let b: { keys: Keys; eventId: string };
    const start = romeAfternoon(3);
    const post = (eventId: string, key: string, body: unknown) => h.api('POST', `/v1/ingest/webinar/${eventId}`, { key, body });

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, env: { MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
      a = await setUpOrganiser(h, 'MI', start);
      b = await setUpOrganiser(h, 'TO', start);
    });

    afterAll(async () => {
      await h?.close();
    });

    it('answers 202 after COMMIT and keeps every record unaltered with time received, source and client address (R-ATT-1)', async () => {
      // Hand-written bytes: indentation, an escaped and a literal non-ASCII letter, an e-mail in
      // mixed case, an instant with a +01:00 offset, and fields the schema does not know.
      const text = [
        '{',
        '  "records": [',
        `    { "id": "rec-1", "type": "join", "at": "${withOffset(start + 2 * MIN, 60)}",`,
        '      "participant": { "registrantId": "R-1", "email": "Mario.Bianchi@Studio.Example.IT", "name": "Niccol\\u00f2 Bianchi", "connectionId": "conn-1", "device": "desktop" },',
        '      "platformExtra": { "os": "Windows", "version": 3 } },',
        `    { "id": "rec-2", "type": "leave", "at": "${new Date(start + 90 * MIN).toISOString()}", "participant": { "registrantId": "R-1", "name": "Niccolò Bianchi", "connectionId": "conn-1" } },`,
        `    { "id": "rec-3", "type": "meeting-end", "at": "${new Date(start + 180 * MIN).toISOString()}" }`,
        '  ]',
        '}',
        '',
      ].join('\n');
      const sent = JSON.parse(text).records as Array<Record<string, any>>;
      expect(sent[0]!.participant.name).toBe('Niccolò Bianchi'); // the bytes carry it escaped
      const bytes = Buffer.from(text, 'utf8');

      const t0 = Date.now();
      const res = await h.api('POST', `/v1/ingest/webinar/${a.eventId}`, {
        key: a.keys.platform,
        raw: bytes,
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'PiattaformaWebinar/2.1', 'x-request-id': 'req-0001' },
      });
      const t1 = Date.now();
      expect(res.status, res.text).toBe(202);
      expect(res.body).toEqual({ accepted: 3, duplicates: 0, counted: true });

      // Committed: another session sees the rows the moment the 202 is in (Postgres: a new connection).
      let other: { query: (t: string, p?: unknown[]) => Promise<{ rows: any[] }>; end: () => Promise<void> } = {
        query: (t, p) => h.rt.db.query(t, p),
        end: async () => {},
      };
      if (backend === 'postgres') {
        const c = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${h.schema}` });
        await c.connect();
        other = { query: (t, p) => c.query(t, p), end: () => c.end() };
      }
      try {
        const rows = (
          await other.query(
            `SELECT source, source_record_id, kind, occurred_at, registrant_id, email, display_name, connection_id, raw, delivery_id, received_at, client_addr
             FROM tracking_records WHERE event_id = $1 ORDER BY source_record_id`,
            [a.eventId],
          )
        ).rows;
        expect(rows.map((r) => r.source_record_id)).toEqual(['rec-1', 'rec-2', 'rec-3']);
        const deliveryId = rows[0].delivery_id;
        const d = (await other.query('SELECT source, received_at, client_addr, headers, body FROM deliveries WHERE id = $1', [deliveryId])).rows[0];
        // The delivery, byte for byte, with what came with it.
        expect(Buffer.compare(Buffer.from(d.body), bytes)).toBe(0);
        expect(d.source).toBe(`api:${a.keys.organiserId}`);
        expect(d.client_addr).toBe('127.0.0.1');
        expect(d.headers).toMatchObject({
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'PiattaformaWebinar/2.1',
          'x-request-id': 'req-0001',
        });
        const received = new Date(d.received_at).getTime();
        expect(received).toBeGreaterThanOrEqual(t0);
        expect(received).toBeLessThanOrEqual(t1);
        for (const [i, r] of rows.entries()) {
          expect(r.delivery_id).toBe(deliveryId);
          expect(r.source).toBe(`api:${a.keys.organiserId}`);
          expect(r.client_addr).toBe('127.0.0.1');
          expect(new Date(r.received_at).getTime()).toBe(received);
          expect(new Date(r.occurred_at).getTime()).toBe(Date.parse(sent[i]!.at));
          expect(r.kind).toBe(sent[i]!.type);
          // The record exactly as the platform sent it, unknown fields and original case included.
          expect(r.raw).toEqual(sent[i]);
        }
        expect(rows[0]).toMatchObject({
          registrant_id: 'R-1',
          email: 'mario.bianchi@studio.example.it',
          display_name: 'Niccolò Bianchi',
          connection_id: 'conn-1',
        });
        expect(new Date(rows[0].occurred_at).toISOString()).toBe(new Date(start + 2 * MIN).toISOString());
      } finally {
        await other.end();
      }
    });

    it('acknowledges a redelivery (same source and platform id) and stores it once; each delivery is kept', async () => {
      const r4 = rec('rec-4', start + 5 * MIN, 'join', { email: 'dup@studio.example.it', connectionId: 'c4' });
      const r5 = rec('rec-5', start + 50 * MIN, 'leave', { email: 'dup@studio.example.it', connectionId: 'c4' });
      const r6 = rec('rec-6', start + 60 * MIN, 'join', { email: 'dup@studio.example.it', connectionId: 'c6' });
      const before = await storedCounts(h);
      const first = await post(a.eventId, a.keys.platform, { records: [r4, r5] });
      expect(first.status, first.text).toBe(202);
      expect(first.body).toEqual({ accepted: 2, duplicates: 0, counted: true });
      const second = await post(a.eventId, a.keys.platform, { records: [r4, r5, r6] });
      expect(second.status, second.text).toBe(202);
      expect(second.body).toEqual({ accepted: 1, duplicates: 2, counted: true });
      const third = await post(a.eventId, a.keys.platform, { records: [r6, r5, r4] });
      expect(third.status, third.text).toBe(202);
      expect(third.body).toEqual({ accepted: 0, duplicates: 3, counted: true });
      // The same record twice in one batch.
      const r7 = rec('rec-7', start + 70 * MIN, 'leave', { email: 'dup@studio.example.it', connectionId: 'c6' });
      const inBatch = await post(a.eventId, a.keys.platform, { records: [r7, r7] });
      expect(inBatch.status, inBatch.text).toBe(202);
      expect(inBatch.body).toEqual({ accepted: 1, duplicates: 1, counted: true });

      const { rows } = await h.rt.db.query<{ id: string; n: number }>(
        "SELECT source_record_id AS id, count(*)::int AS n FROM tracking_records WHERE event_id = $1 AND source_record_id IN ('rec-4','rec-5','rec-6','rec-7') GROUP BY 1 ORDER BY 1",
        [a.eventId],
      );
      expect(rows).toEqual([
        { id: 'rec-4', n: 1 },
        { id: 'rec-5', n: 1 },
        { id: 'rec-6', n: 1 },
        { id: 'rec-7', n: 1 },
      ]);
      expect(await storedCounts(h)).toEqual({ records: before.records + 4, deliveries: before.deliveries + 4 });
    });

    it("the same platform id from another organiser's source is not a duplicate", async () => {
      const r4b = rec('rec-4', start + 5 * MIN, 'join', { email: 'other@studio.example.it' });
      const res = await post(b.eventId, b.keys.platform, { records: [r4b] });
      expect(res.status, res.text).toBe(202);
      expect(res.body).toEqual({ accepted: 1, duplicates: 0, counted: true });
      const { rows } = await h.rt.db.query<{ event_id: string; source: string }>(
        "SELECT event_id, source FROM tracking_records WHERE source_record_id = 'rec-4'",
        [],
      );
      expect(rows).toHaveLength(2);
      expect(rows).toEqual(
        expect.arrayContaining([
          { event_id: a.eventId, source: `api:${a.keys.organiserId}` },
          { event_id: b.eventId, source: `api:${b.keys.organiserId}` },
        ]),
      );
    });

    it('accepts a batch of exactly 1,000 records and an instant within the clock skew', async () => {
      const batch = Array.from({ length: 1000 }, (_, i) =>
        rec(`bulk-${i}`, start + (i % 180) * MIN, i % 2 ? 'leave' : 'join', { email: `p${i % 50}@x.it`, connectionId: `b${i >> 1}` }),
      );
      const res = await post(a.eventId, a.keys.platform, { records: batch });
      expect(res.status, res.text).toBe(202);
      expect(res.body).toEqual({ accepted: 1000, duplicates: 0, counted: true });
      const skew = await post(a.eventId, a.keys.platform, { records: [rec('near-now', Date.now() + 60_000)] });
      expect(skew.status, skew.text).toBe(202);
      expect(skew.body).toEqual({ accepted: 1, duplicates: 0, counted: true });
    });

    describe('bad input: problem+json with a stable code, and nothing stored', () => {
      const good = () => rec(`good-${crypto.randomUUID()}`, start + 10 * MIN);
      async function rejected(send: () => Promise<ApiResponse>, status: number, code: string) {
        const before = await storedCounts(h);
        const res = await send();
        expectProblem(res, status, code);
        expect(await storedCounts(h)).toEqual(before);
        return res;
      }
      /** `key: null` sends no Authorization header of its own. */
      const raw = (
        text: string | Uint8Array,
        headers: Record<string, string> = { 'content-type': 'application/json' },
        eventId = a.eventId,
        key: string | null = a.keys.platform,
      ) => h.api('POST', `/v1/ingest/webinar/${eventId}`, { ...(key ? { key } : {}), raw: text, headers });

      it('malformed JSON → 400 malformed-json', async () => {
        await rejected(() => raw(`{"records": [${JSON.stringify(good())},`), 400, 'malformed-json');
        await rejected(() => raw(''), 400, 'malformed-json');
        // Not UTF-8: the bytes could not be stored as the text they claim to be.
        await rejected(
          () => raw(Buffer.concat([Buffer.from('{"records":[{"id":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","type":"join"}]}')])),
          400,
          'malformed-json',
        );
      });

      it('fields of the wrong type → 400 invalid-body naming the paths; one bad record rejects the whole batch', async () => {
        const res = await rejected(
          () => post(a.eventId, a.keys.platform, { records: [good(), { id: 42, type: 'join', at: 1773151513, participant: { email: 7 } }] }),
          400,
          'invalid-body',
        );
        const paths = (res.body.errors as Array<{ path: string }>).map((e) => e.path);
        expect(paths).toEqual(expect.arrayContaining(['records.1.id', 'records.1.at']));
        await rejected(() => post(a.eventId, a.keys.platform, { records: 'not a list' }), 400, 'invalid-body');
        await rejected(() => post(a.eventId, a.keys.platform, [good()]), 400, 'invalid-body');
        await rejected(() => post(a.eventId, a.keys.platform, { records: [{ ...good(), type: 'enter' }] }), 400, 'invalid-body');
        // A join must say who (registrant id, platform user id or e-mail; R-ATT-7).
        await rejected(
          () => post(a.eventId, a.keys.platform, { records: [{ ...good(), participant: { name: 'Anonimo', connectionId: 'x' } }] }),
          400,
          'invalid-body',
        );
        await rejected(() => post(a.eventId, a.keys.platform, { records: [] }), 400, 'invalid-body');
      });

      it('an instant without offset → 400 invalid-body (R-CAL-2: instants are unambiguous)', async () => {
        const res = await rejected(
          () => post(a.eventId, a.keys.platform, { records: [good(), { ...good(), at: '2026-11-20T14:05:00' }] }),
          400,
          'invalid-body',
        );
        // The message says what is missing, not zod's bare "Invalid ISO datetime".
        expect(res.body.errors).toEqual([{ path: 'records.1.at', message: INSTANT_MESSAGE }]);
        expect(INSTANT_MESSAGE).toMatch(/with offset, e\.g\. 2026-03-01T14:00:00\+01:00/);
        const dmy = await rejected(() => post(a.eventId, a.keys.platform, { records: [{ ...good(), at: '20/11/2026 14:05' }] }), 400, 'invalid-body');
        expect(dmy.body.errors).toEqual([{ path: 'records.0.at', message: INSTANT_MESSAGE }]);
        // The same shared schema everywhere an instant is taken: an event's start without offset.
        const ev = await h.api('POST', '/v1/events', {
          key: a.keys.organiser,
          body: { ...pastWebinar(start, 3), start: '2026-11-20T14:00:00' },
        });
        expectProblem(ev, 400, 'invalid-body');
        expect(ev.body.errors).toContainEqual({ path: 'start', message: INSTANT_MESSAGE });
        expect(ev.text).not.toContain('Invalid ISO datetime');
      });

      it('a far-future instant → 422 instant-in-future', async () => {
        const res = await rejected(
          () => post(a.eventId, a.keys.platform, { records: [good(), rec('future', Date.now() + 24 * 3600_000)] }),
          422,
          'instant-in-future',
        );
        expect(res.body.errors).toEqual([{ path: 'records.1.at', message: 'in the future' }]);
        await rejected(() => post(a.eventId, a.keys.platform, { records: [rec('future-2', Date.now() + 10 * MIN)] }), 422, 'instant-in-future');
      });

      it('an oversize body → 413 body-too-large, declared or streamed', async () => {
        const pad = 'x'.repeat(MAX_BODY_BYTES);
        const text = JSON.stringify({ records: [{ ...good(), participant: { email: 'a@b.it', name: pad } }] });
        await rejected(() => raw(text), 413, 'body-too-large');
        // Chunked, no Content-Length: the limit is enforced while reading.
        await rejected(
          async () => {
            const bytes = Buffer.from(text);
            const body = new ReadableStream<Uint8Array>({
              start(c) {
                for (let i = 0; i < bytes.length; i += 16 * 1024) c.enqueue(bytes.subarray(i, i + 16 * 1024));
                c.close();
              },
            });
            const res = await fetch(`${h.url}/v1/ingest/webinar/${a.eventId}`, {
              method: 'POST',
              headers: { authorization: `Bearer ${a.keys.platform}`, 'content-type': 'application/json' },
              body,
              duplex: 'half',
            } as RequestInit & { duplex: 'half' });
            const t = await res.text();
            return { status: res.status, headers: res.headers, body: JSON.parse(t), text: t };
          },
          413,
          'body-too-large',
        );
      });

      it('a content type other than JSON → 415 unsupported-media-type', async () => {
        const body = JSON.stringify({ records: [good()] });
        await rejected(() => raw(body, { 'content-type': 'text/plain' }), 415, 'unsupported-media-type');
        await rejected(() => raw(body, { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported-media-type');
        await rejected(() => raw(body, {}), 415, 'unsupported-media-type');
      });

      it('more than 1,000 records → 400 invalid-body', async () => {
        const batch = Array.from({ length: 1001 }, (_, i) => rec(`over-${i}`, start + (i % 180) * MIN));
        const text = JSON.stringify({ records: batch });
        expect(text.length).toBeLessThan(MAX_BODY_BYTES); // rejected for the count, not the size
        const res = await rejected(() => raw(text), 400, 'invalid-body');
        expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('records');
      });

      it('an unknown event → 404 event-not-found', async () => {
        await rejected(() => post(crypto.randomUUID(), a.keys.platform, { records: [good()] }), 404, 'event-not-found');
        await rejected(() => post('not-an-event-id', a.keys.platform, { records: [good()] }), 404, 'event-not-found');
      });

      it("another organiser's event → the same 404 as an event that does not exist", async () => {
        const unknown = await rejected(() => post(crypto.randomUUID(), b.keys.platform, { records: [good()] }), 404, 'event-not-found');
        const foreign = await rejected(() => post(a.eventId, b.keys.platform, { records: [good()] }), 404, 'event-not-found');
        expect(foreign.body).toEqual(unknown.body);
        const foreignOrganiser = await rejected(() => post(a.eventId, b.keys.organiser, { records: [good()] }), 404, 'event-not-found');
        expect(foreignOrganiser.body).toEqual(unknown.body);
      });

      it('no key or an unknown key → 401 unauthorized', async () => {
        const body = JSON.stringify({ records: [good()] });
        await rejected(() => raw(body, { 'content-type': 'application/json' }, a.eventId, null), 401, 'unauthorized');
        await rejected(
          () => raw(body, { 'content-type': 'application/json' }, a.eventId, `cdl_platform_${crypto.randomBytes(32).toString('base64url')}`),
          401,
          'unauthorized',
        );
        await rejected(
          () => raw(body, { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, a.eventId, null),
          401,
          'unauthorized',
        );
      });

      it('a key of another role → 403 forbidden', async () => {
        const body = { records: [good()] };
        await rejected(() => post(a.eventId, a.keys.cpo, body), 403, 'forbidden');
        await rejected(() => post(a.eventId, a.keys.cn, body), 403, 'forbidden');
        await rejected(async () => post(a.eventId, await h.key('admin'), body), 403, 'forbidden');
      });
    });
  });

  describe(`webinar ingest on ${backend} with Redis down`, () => {
    let redis: PrivateRedis;
    let h: Harness;
    let org: { keys: Keys; eventId: string };
    const start = romeAfternoon(3);
    const healthRedis = async () => (await h.api('GET', '/healthz')).body?.redis as boolean | undefined;

    beforeAll(async () => {
      redis = await PrivateRedis.start();
      h = await startHarness(backend, { worker: false, env: { REDIS_URL: redis.url } });
      org = await setUpOrganiser(h, 'MI', start);
    });

    afterAll(async () => {
      try {
        if (redis && !redis.running) await redis.restart(); // the runtime closes its queues cleanly against a live server
        await h?.close();
      } finally {
        await redis?.kill();
      }
    });

    it('answers 503 with Retry-After and stores nothing while Redis is down; accepts the retry once it is back', async () => {
      const ok = await h.api('POST', `/v1/ingest/webinar/${org.eventId}`, { key: org.keys.platform, body: { records: [rec('before', start + MIN)] } });
      expect(ok.status, ok.text).toBe(202);
      expect(ok.body).toEqual({ accepted: 1, duplicates: 0, counted: true });

      await redis.kill();
      await eventually(async () => (await healthRedis()) === false, 10_000, 50);
      const before = await storedCounts(h);
      const batch = { records: [rec('during-1', start + 2 * MIN), rec('during-2', start + 3 * MIN, 'leave')] };
      const down = await h.api('POST', `/v1/ingest/webinar/${org.eventId}`, { key: org.keys.platform, body: batch });
      expectProblem(down, 503, 'service-unavailable');
      expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await storedCounts(h)).toEqual(before); // nothing acknowledged, nothing half-stored

      await redis.restart();
      await eventually(async () => (await healthRedis()) === true, 15_000, 100);
      const retry = await h.api('POST', `/v1/ingest/webinar/${org.eventId}`, { key: org.keys.platform, body: batch });
      expect(retry.status, retry.text).toBe(202);
      expect(retry.body).toEqual({ accepted: 2, duplicates: 0, counted: true });
      const { rows } = await h.rt.db.query<{ id: string }>('SELECT source_record_id AS id FROM tracking_records WHERE event_id = $1 ORDER BY id', [
        org.eventId,
      ]);
      expect(rows.map((r) => r.id)).toEqual(['before', 'during-1', 'during-2']);
      // The restarted server has no data: the derivation was asked for again after recovery.
      const jobs = await h.rt.deps.attendance.queue.getJobs(['delayed', 'waiting', 'prioritized']);
      expect(jobs.filter((j) => j?.name === 'derive').map((j) => j!.data.eventId)).toEqual([org.eventId]);
    });
  });

  if (backend === 'postgres') {
    describe('webinar ingest on postgres with the store down', () => {
      let proxy: TcpProxy;
      let h: Harness;
      let org: { keys: Keys; eventId: string };
      /** Errors nobody handled while the store was cut off (a crashed gateway in production). */
      const uncaught: unknown[] = [];
      const onUncaught = (err: unknown) => uncaught.push(err);
      const start = romeAfternoon(3);
      const send = (id: string) => h.api('POST', `/v1/ingest/webinar/${org.eventId}`, { key: org.keys.platform, body: { records: [rec(id, start + MIN)] } });
      /** Lets the pool see its idle connections die, so the next request has to open a new one. */
      const settle = () => new Promise((r) => setTimeout(r, 300));

      beforeAll(async () => {
        const target = new URL(POSTGRES_URL);
        proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
        const viaProxy = new URL(POSTGRES_URL);
        viaProxy.host = `127.0.0.1:${proxy.port}`;
        h = await startHarness(backend, { worker: false, env: { DATABASE_URL: viaProxy.toString() } });
        org = await setUpOrganiser(h, 'MI', start);
        process.on('uncaughtException', onUncaught);
      });

      afterAll(async () => {
        process.off('uncaughtException', onUncaught);
        try {
          await proxy?.restore();
          await h?.close();
        } finally {
          await proxy?.close();
        }
      });

      it('answers 503 with Retry-After at once when Postgres refuses connections, and accepts the retry once it is back', async () => {
        const ok = await send('s-1');
        expect(ok.status, ok.text).toBe(202);

        await proxy.refuse();
        await settle();
        const down = await send('s-2');
        expectProblem(down, 503, 'service-unavailable');
        expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);

        await proxy.restore();
        const retry = await send('s-2');
        expect(retry.status, retry.text).toBe(202);
        expect(retry.body).toEqual({ accepted: 1, duplicates: 0, counted: true }); // the 503 stored nothing, the retry lost nothing
        expect(uncaught).toEqual([]);
      });

      /**
       * Holds the next statement touching `table` (another session locks it), runs `request`, cuts
       * the connections while the statement waits, then lets the lock go. Returns the answer.
       */
      async function cutWhileWaiting(table: string, request: () => Promise<ApiResponse>): Promise<ApiResponse> {
        const admin = new pg.Client({ connectionString: POSTGRES_URL });
        await admin.connect();
        try {
          await admin.query('BEGIN');
          await admin.query(`LOCK TABLE ${h.schema}.${table} IN ACCESS EXCLUSIVE MODE`);
          const pending = request();
          await eventually(
            async () => {
              const { rows } = await admin.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = '${h.schema}.${table}'::regclass`,
              );
              return rows[0]!.n > 0;
            },
            10_000,
            20,
          );
          await proxy.refuse(); // the gateway's connection dies while its statement waits
          return await pending;
        } finally {
          await admin.query('ROLLBACK').catch(() => {});
          await admin.end();
        }
      }

      it('a connection lost while the records are being written → 503; the retry stores them exactly once, and the gateway keeps running', async () => {
        const down = await cutWhileWaiting('deliveries', () => send('s-3'));
        expectProblem(down, 503, 'service-unavailable');
        expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
        await settle();
        expect(uncaught).toEqual([]);

        await proxy.restore();
        // Whether the statement cut off committed is unknowable to the gateway (hence 503, never
        // 2xx); the platform's retry settles it: stored once, never lost, never doubled.
        const retry = await send('s-3');
        expect(retry.status, retry.text).toBe(202);
        expect(retry.body.accepted + retry.body.duplicates).toBe(1);
        const { rows } = await h.rt.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM tracking_records WHERE event_id = $1 AND source_record_id = 's-3'",
          [org.eventId],
        );
        expect(rows[0]!.n).toBe(1);
        expect((await h.api('GET', '/healthz')).body).toEqual({ ok: true, db: true, redis: true });
      });

      it('a connection lost inside a transaction (a tolerance change, R-ATT-2) → 503, nothing committed, and the gateway keeps running', async () => {
        const put = () =>
          h.api('PUT', `/v1/events/${org.eventId}/tolerance`, { key: org.keys.cpo, body: { minutes: 45, reason: 'Delibera CPO: problemi di connessione' } });
        const down = await cutWhileWaiting('tolerance_changes', put);
        expectProblem(down, 503, 'service-unavailable');
        expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
        await settle();
        expect(uncaught).toEqual([]);

        await proxy.restore();
        const ev = await h.api('GET', `/v1/events/${org.eventId}`, { key: org.keys.cpo });
        expect(ev.status, ev.text).toBe(200);
        expect(ev.body.toleranceMinutes).toBe(30); // the UPDATE before the cut was rolled back with its transaction
        const retry = await put();
        expect(retry.status, retry.text).toBe(200);
        expect(retry.body).toMatchObject({ oldMinutes: 30, minutes: 45 });
      });

      it('answers 503 with Retry-After within the connection timeout when Postgres does not answer at all', async () => {
        await proxy.blackhole();
        await settle();
        // The connect timeout (5 s) ends the wait; how long it takes is for bench/, not a test.
        const down = await send('s-4');
        expectProblem(down, 503, 'service-unavailable');
        expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);

        await proxy.restore();
        const retry = await send('s-4');
        expect(retry.status, retry.text).toBe(202);
        expect(retry.body).toEqual({ accepted: 1, duplicates: 0, counted: true });
        const { rows } = await h.rt.db.query<{ id: string }>('SELECT source_record_id AS id FROM tracking_records WHERE event_id = $1 ORDER BY id', [
          org.eventId,
        ]);
        expect(rows.map((r) => r.id)).toEqual(['s-1', 's-2', 's-3', 's-4']); // each once
        expect(uncaught).toEqual([]);
      });
    });
  }
}
