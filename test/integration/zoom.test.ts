/**
 * Issue 2 §7: the Zoom webhook `POST /v1/webhooks/zoom/{connectionId}` through real HTTP, real
 * Redis, a real database (PGlite and Postgres) and the derivation worker. Signature over the raw
 * bytes (`v0:{timestamp}:{body}`, HMAC-SHA256 hex with the connection's secret token), a 5-minute
 * replay window, the URL validation challenge, joined/left/ended mapped onto the event linked by
 * webinar id and kept with their signature for an auditor (R-ATT-1), Zoom's retries stored once,
 * people matched on registrant id / e-mail and never on the per-connection `user_id` (R-ATT-7),
 * and outcomes that do not depend on the order Zoom delivers in (R-ATT-3, R-ATT-6).
 */
import { createHmac } from 'node:crypto';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyZoomSignature } from '../../adapters/webinar/zoom.ts';
import { backendsOf } from '../support/backends.ts';
import { createCpoOrganiser, createMembers, pastWebinar, romeAfternoon, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type ApiResponse, type Harness } from '../support/harness.ts';

const MIN = 60_000;
const SECRET = 'zm-secret-token-7f3a9c1e5b';
const FIXTURE_WEBINAR = '81234567890';
const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/zoom/${name}.json`, import.meta.url));

/** Independent reference for Zoom's signature: HMAC-SHA256 over `v0:{ts}:` + the raw bytes, hex. */
function sign(body: Uint8Array, ts: string, secret = SECRET): string {
  return `v0=${createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from(`v0:${ts}:`, 'utf8'), body]))
    .digest('hex')}`;
}

/** Zoom writes instants as `2026-03-10T14:05:13Z`. */
const zoomTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function expectProblem(res: ApiResponse, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code });
}

interface ZoomPerson {
  user_id: string;
  user_name: string;
  registrant_id?: string;
  email?: string;
  participant_user_id?: string;
  participant_uuid?: string;
}

interface Webinar {
  id: string;
  uuid: string;
  start: number;
}

/** A participant notification shaped like Zoom's documented `webinar.participant_joined/left`. */
function participantNotification(kind: 'joined' | 'left', w: Webinar, p: ZoomPerson, at: number): string {
  const participant: Record<string, unknown> = {
    customer_key: '',
    email: p.email ?? '',
    id: p.participant_user_id ?? '',
    [kind === 'joined' ? 'join_time' : 'leave_time']: zoomTime(at),
    ...(kind === 'left' ? { leave_reason: 'left the webinar. Reason : left the meeting' } : {}),
    participant_user_id: p.participant_user_id ?? '',
    participant_uuid: p.participant_uuid ?? '',
    phone_number: '',
    registrant_id: p.registrant_id ?? '',
    user_id: p.user_id,
    user_name: p.user_name,
  };
  return JSON.stringify({
    event: `webinar.participant_${kind}`,
    event_ts: at + 317,
    payload: {
      account_id: 'o8KK_AAACq6BBEyA70CA',
      object: {
        duration: 120,
        host_id: 'uLoRgfbbTayCX6r2Q_qQsQ',
        id: w.id,
        participant,
        start_time: zoomTime(w.start),
        timezone: 'Europe/Rome',
        topic: 'Aggiornamento CCNL 2026',
        type: 5,
        uuid: w.uuid,
      },
    },
  });
}

function endedNotification(w: Webinar, at: number): string {
  return JSON.stringify({
    event: 'webinar.ended',
    event_ts: at + 1200,
    payload: {
      account_id: 'o8KK_AAACq6BBEyA70CA',
      object: {
        duration: 120,
        end_time: zoomTime(at),
        host_id: 'uLoRgfbbTayCX6r2Q_qQsQ',
        id: w.id,
        start_time: zoomTime(w.start),
        timezone: 'Europe/Rome',
        topic: 'Aggiornamento CCNL 2026',
        type: 5,
        uuid: w.uuid,
      },
    },
  });
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`Zoom webhook on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let conn: { id: string; webhookUrl: string; text: string };
    let fixtureEventId: string;
    const start = romeAfternoon(3);

    async function deliver(body: string | Buffer, o: { ts?: number | string; secret?: string; signature?: string | null; connectionId?: string } = {}) {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      const ts = String(o.ts ?? Math.floor(Date.now() / 1000));
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Zoom Marketplace/1.0a',
        'x-zm-request-timestamp': ts,
        'x-zm-trackingid': `v=2.0&s=${crypto.randomUUID()}`,
      };
      if (o.signature !== null) headers['x-zm-signature'] = o.signature ?? sign(bytes, ts, o.secret);
      const res = await h.api('POST', `/v1/webhooks/zoom/${o.connectionId ?? conn.id}`, { raw: bytes, headers });
      return { ...res, ts, sent: headers };
    }

    async function counts(eventId?: string) {
      const { rows } = await h.rt.db.query<{ records: number; deliveries: number }>(
        'SELECT (SELECT count(*)::int FROM tracking_records WHERE $1::uuid IS NULL OR event_id = $1::uuid) AS records, (SELECT count(*)::int FROM deliveries) AS deliveries',
        [eventId ?? null],
      );
      return rows[0]!;
    }

    async function createZoomEvent(meetingId: string, organiserKey = keys.organiser, extra: Record<string, unknown> = {}) {
      const ev = await h.api('POST', '/v1/events', { key: organiserKey, body: pastWebinar(start, 2, { platform: { name: 'zoom', meetingId }, ...extra }) });
      expect(ev.status, ev.text).toBe(201);
      return ev.body.id as string;
    }

    beforeAll(async () => {
      h = await startHarness(backend);
      keys = await createCpoOrganiser(h, 'MI');
      const c = await h.api('POST', `/v1/organisers/${keys.organiserId}/connections`, { key: keys.organiser, body: { platform: 'zoom', secretToken: SECRET } });
      expect(c.status, c.text).toBe(201);
      conn = { id: c.body.id, webhookUrl: c.body.webhookUrl, text: c.text };
      fixtureEventId = await createZoomEvent(FIXTURE_WEBINAR);
    });

    afterAll(async () => {
      await h?.close();
    });

    it('the organiser connects Zoom through the registry API and gets the webhook URL; the secret is never returned', async () => {
      expect(conn.webhookUrl).toBe(`${h.url}/v1/webhooks/zoom/${conn.id}`);
      expect(conn.text).not.toContain(SECRET);
      // Only the organiser itself may connect a platform.
      const other = await h.api('POST', `/v1/organisers/${keys.organiserId}/connections`, { key: keys.platform, body: { platform: 'zoom', secretToken: 'x' } });
      expect(other.status).toBe(403);
    });

    it('endpoint.url_validation → {plainToken, encryptedToken = HMAC-SHA256(secret, plainToken) hex}, only when signed', async () => {
      const before = await counts();
      const res = await deliver(fixture('url_validation'));
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({
        plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
        encryptedToken: createHmac('sha256', SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
      });
      const forged = await deliver(fixture('url_validation'), { secret: 'not-the-secret' });
      expectProblem(forged, 401, 'signature-mismatch');
      expect(forged.text).not.toContain('encryptedToken');
      expect(await counts()).toEqual(before);
    });

    it('a signed participant_joined becomes a join of the event linked by webinar id, kept with raw bytes, signature headers and verification (R-ATT-1)', async () => {
      const body = fixture('participant_joined');
      const t0 = Date.now();
      const res = await deliver(body);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ accepted: 1, duplicates: 0, unidentifiable: 0 });

      const { rows } = await h.rt.db.query<any>(
        `SELECT t.event_id, t.source, t.kind, t.occurred_at, t.registrant_id, t.participant_user_id, t.email, t.connection_id, t.display_name,
                t.received_at, t.client_addr, d.body, d.headers, d.verification, d.client_addr AS d_addr, d.received_at AS d_received
         FROM tracking_records t JOIN deliveries d ON d.id = t.delivery_id WHERE t.event_id = $1`,
        [fixtureEventId],
      );
      expect(rows).toHaveLength(1);
      const r = rows[0];
      expect(r).toMatchObject({
        event_id: fixtureEventId,
        source: `zoom:${conn.id}`,
        kind: 'join',
        registrant_id: 'U0BBBBBBBBBBfrUz1Q',
        participant_user_id: 'iFxeBPYun6SAiWUzBcEkX',
        email: 'maria.rossi@example.it',
        connection_id: '16782040',
        display_name: 'Maria Rossi',
        client_addr: '127.0.0.1',
        d_addr: '127.0.0.1',
      });
      expect(new Date(r.occurred_at).toISOString()).toBe('2026-03-10T14:05:13.000Z');
      expect(new Date(r.received_at).getTime()).toBeGreaterThanOrEqual(t0);
      expect(new Date(r.received_at).getTime()).toBeLessThanOrEqual(Date.now());
      // Byte for byte, with what an auditor needs to re-verify it.
      expect(Buffer.compare(Buffer.from(r.body), body)).toBe(0);
      expect(r.headers).toMatchObject({
        'x-zm-signature': res.sent['x-zm-signature'],
        'x-zm-request-timestamp': res.ts,
        'x-zm-trackingid': res.sent['x-zm-trackingid'],
        'content-type': 'application/json; charset=utf-8',
      });
      expect(r.verification).toMatchObject({ scheme: 'zoom-v0-hmac-sha256', ok: true });
      const stored = Buffer.from(r.body);
      expect(sign(stored, r.headers['x-zm-request-timestamp'])).toBe(r.headers['x-zm-signature']);
      expect(
        verifyZoomSignature({
          rawBody: stored,
          timestamp: r.headers['x-zm-request-timestamp'],
          signature: r.headers['x-zm-signature'],
          secretToken: SECRET,
          now: Number(res.ts) * 1000,
        }),
      ).toEqual({ ok: true });
    });

    it("Zoom's retry of the same notification is acknowledged and stored once; the delivery itself is kept", async () => {
      const before = await counts(fixtureEventId);
      const again = await deliver(fixture('participant_joined')); // a retry: same body, new timestamp and signature
      expect(again.status, again.text).toBe(200);
      expect(again.body).toEqual({ accepted: 0, duplicates: 1, unidentifiable: 0 });
      const third = await deliver(fixture('participant_joined'));
      expect(third.body).toEqual({ accepted: 0, duplicates: 1, unidentifiable: 0 });
      expect(await counts(fixtureEventId)).toEqual({ records: before.records, deliveries: before.deliveries + 2 });
    });

    it('participant_left, a rejoin with a new user_id, and webinar.ended map onto leave, join and meeting-end records', async () => {
      for (const name of ['participant_left', 'participant_rejoined', 'webinar_ended', 'webinar_ended_no_end_time']) {
        const res = await deliver(fixture(name));
        expect(res.status, `${name}: ${res.text}`).toBe(200);
        expect(res.body).toMatchObject({ accepted: 1, duplicates: 0 });
      }
      const { rows } = await h.rt.db.query<any>(
        'SELECT kind, occurred_at, registrant_id, connection_id, display_name FROM tracking_records WHERE event_id = $1 ORDER BY occurred_at, kind',
        [fixtureEventId],
      );
      expect(rows.map((r) => ({ ...r, occurred_at: new Date(r.occurred_at).toISOString() }))).toEqual([
        { kind: 'join', occurred_at: '2026-03-10T14:05:13.000Z', registrant_id: 'U0BBBBBBBBBBfrUz1Q', connection_id: '16782040', display_name: 'Maria Rossi' },
        { kind: 'leave', occurred_at: '2026-03-10T14:45:09.000Z', registrant_id: 'U0BBBBBBBBBBfrUz1Q', connection_id: '16782040', display_name: 'Maria Rossi' },
        { kind: 'join', occurred_at: '2026-03-10T14:47:07.000Z', registrant_id: 'U0BBBBBBBBBBfrUz1Q', connection_id: '16786177', display_name: 'Maria Rossi' },
        { kind: 'meeting-end', occurred_at: '2026-03-10T16:00:14.000Z', registrant_id: null, connection_id: null, display_name: null },
        // No end_time and a numeric webinar id: the instant falls back to event_ts, the id still links the event.
        { kind: 'meeting-end', occurred_at: '2026-03-10T16:00:15.310Z', registrant_id: null, connection_id: null, display_name: null },
      ]);
    });

    it('a bad signature → 401 and nothing stored', async () => {
      const before = await counts();
      const body = fixture('participant_left');
      const tampered = Buffer.from(body.toString('utf8').replace('14:45:09', '15:59:09'));
      expectProblem(await deliver(body, { secret: 'another-app-secret' }), 401, 'signature-mismatch');
      const ts = String(Math.floor(Date.now() / 1000));
      expectProblem(await deliver(tampered, { ts, signature: sign(body, ts) }), 401, 'signature-mismatch');
      expectProblem(await deliver(body, { signature: 'v0=' + '0'.repeat(64) }), 401, 'signature-mismatch');
      expectProblem(await deliver(body, { signature: sign(body, ts).slice(3), ts }), 401, 'signature-mismatch'); // without "v0="
      expectProblem(await deliver(body, { signature: null }), 401, 'signature-missing');
      // Signed over a re-serialisation instead of the bytes received: not the same message.
      const reserialised = JSON.stringify(JSON.parse(body.toString('utf8')));
      expectProblem(await deliver(body, { ts, signature: sign(Buffer.from(reserialised), ts) }), 401, 'signature-mismatch');
      expect(await counts()).toEqual(before);
    });

    it('a timestamp older than 5 minutes (or from the future, or not a number) → 401 and nothing stored', async () => {
      const before = await counts();
      const now = Math.floor(Date.now() / 1000);
      const body = Buffer.from(
        participantNotification(
          'joined',
          { id: FIXTURE_WEBINAR, uuid: 'czLF6FFFoQOKgAB99DlDb9g==', start },
          { user_id: '16799999', user_name: 'Replay', registrant_id: 'REPLAY-1' },
          start + 5 * MIN,
        ),
      );
      expectProblem(await deliver(body, { ts: now - 301 }), 401, 'signature-timestamp-stale');
      expectProblem(await deliver(body, { ts: now - 3600 }), 401, 'signature-timestamp-stale');
      expectProblem(await deliver(body, { ts: now + 600 }), 401, 'signature-timestamp-stale');
      expectProblem(await deliver(body, { ts: `${now}.0` }), 401, 'signature-timestamp-stale');
      expect(await counts()).toEqual(before);
      // Four minutes old is inside the window.
      const fresh = await deliver(body, { ts: now - 240 });
      expect(fresh.status, fresh.text).toBe(200);
      expect(fresh.body).toMatchObject({ accepted: 1 });
    });

    it('unknown connection → 404; ignored events, unidentifiable people and webinars of no event store no records', async () => {
      const before = await counts();
      expectProblem(await deliver(fixture('participant_joined'), { connectionId: crypto.randomUUID() }), 404, 'not-found');
      expect(await counts()).toEqual(before);

      const started = await deliver(fixture('webinar_started'));
      expect(started.status, started.text).toBe(200);
      expect(started.body).toEqual({ ignored: 'webinar.started' });

      const anonymous = await deliver(fixture('participant_joined_anonymous'));
      expect(anonymous.status, anonymous.text).toBe(200);
      expect(anonymous.body).toEqual({ accepted: 0, duplicates: 0, unidentifiable: 1 });

      // A webinar no event is linked to: the delivery is kept for replay, no record is made.
      const w = { id: '89999999999', uuid: 'nXJ1bm9fZXZlbnQ=', start };
      const orphan = await deliver(participantNotification('joined', w, { user_id: '1', user_name: 'X', registrant_id: 'R-X' }, start + MIN));
      expect(orphan.status, orphan.text).toBe(200);
      expect(orphan.body).toEqual({ accepted: 0, duplicates: 0, unmatchedWebinar: '89999999999' });

      // Another organiser's webinar cannot be reached through this organiser's connection.
      const other = await createCpoOrganiser(h, 'TO');
      const otherEvent = await createZoomEvent('87777777777', other.organiser, { cpoProvince: 'TO' });
      const cross = await deliver(
        participantNotification('joined', { id: '87777777777', uuid: 'b3RoZXI=', start }, { user_id: '2', user_name: 'Y', registrant_id: 'R-Y' }, start + MIN),
      );
      expect(cross.body).toEqual({ accepted: 0, duplicates: 0, unmatchedWebinar: '87777777777' });
      expect((await counts(otherEvent)).records).toBe(0);

      const after = await counts();
      expect(after.records).toBe(before.records);
      expect(after.deliveries).toBe(before.deliveries + 3); // anonymous, orphan and cross are kept as deliveries

      // Not a Zoom envelope, though correctly signed.
      expectProblem(await deliver('{"hello": "world"}'), 400, 'invalid-body');
      expectProblem(await deliver('{"event": "webinar.participant_joined", '), 400, 'invalid-body');
    });

    it('a realistic session delivered in two different orders gives identical outcomes; rejoins are matched on registrant_id, not user_id (R-ATT-3, R-ATT-6, R-ATT-7)', async () => {
      const members = await createMembers(h, keys.cn, ['MI', 'MI', 'MI'], 700);
      const [maria, luca, giulia] = members as [CreatedMember, CreatedMember, CreatedMember];
      const webinars: Record<'A' | 'B', Webinar & { eventId: string }> = {
        A: { id: '85000000001', uuid: 'QUFBQUFBQUFBQUFBQUFBQQ==', start, eventId: '' },
        B: { id: '85000000002', uuid: 'QkJCQkJCQkJCQkJCQkJCQg==', start, eventId: '' },
      };
      for (const tag of ['A', 'B'] as const) {
        const w = webinars[tag];
        w.eventId = await createZoomEvent(w.id);
        const reg = await h.api('POST', `/v1/events/${w.eventId}/registrations`, {
          key: keys.organiser,
          body: {
            registrations: [
              { memberId: maria.id, registrantId: `reg${tag}-maria` },
              { memberId: luca.id, email: luca.email },
              { memberId: giulia.id, registrantId: `reg${tag}-giulia` },
            ],
          },
        });
        expect(reg.status, reg.text).toBe(200);
        expect(reg.body.registered).toBe(3);
      }

      /** The session, the same for both webinars (only the webinar and its registrant ids differ). */
      function session(tag: 'A' | 'B') {
        const w = webinars[tag];
        const at = (m: number) => start + m * MIN;
        // Maria: the in-meeting user_id (and her display name) change when she rejoins from her
        // phone, which reports neither e-mail nor participant_user_id: only registrant_id ties the two.
        const maria1: ZoomPerson = {
          user_id: '16782040',
          user_name: 'Maria Rossi',
          registrant_id: `reg${tag}-maria`,
          email: 'maria.rossi@example.it',
          participant_user_id: 'iFxeBPYun6SAiWUzBcEkX',
        };
        const maria2: ZoomPerson = { user_id: '16786177', user_name: 'Maria Rossi (iPhone)', registrant_id: `reg${tag}-maria` };
        // Luca: no registrant id; known by e-mail (in another case); never leaves: closed by webinar.ended (R-ATT-6).
        const lucaP: ZoomPerson = { user_id: '16790010', user_name: 'Luca Verdi', email: luca.email.toUpperCase(), participant_user_id: 'luca-zoom-uid' };
        const giuliaP: ZoomPerson = { user_id: '16790020', user_name: 'Giulia Neri', registrant_id: `reg${tag}-giulia` };
        const guest: ZoomPerson = { user_id: '16790030', user_name: 'Ospite', participant_uuid: '7D0C5E9A-1B2F-4E3D-8C7B-6A5F4E3D2C1B' };
        return {
          lucaJoin: participantNotification('joined', w, lucaP, at(1)),
          mariaJoin1: participantNotification('joined', w, maria1, at(2)),
          guestJoin: participantNotification('joined', w, guest, at(10)),
          guestLeave: participantNotification('left', w, guest, at(20)),
          mariaLeave1: participantNotification('left', w, maria1, at(45)),
          mariaJoin2: participantNotification('joined', w, maria2, at(47)),
          giuliaJoin: participantNotification('joined', w, giuliaP, at(50)),
          mariaLeave2: participantNotification('left', w, maria2, at(118)),
          giuliaLeave: participantNotification('left', w, giuliaP, at(120)),
          ended: endedNotification(w, at(120) + 14_000),
        };
      }
      type Step = keyof ReturnType<typeof session>;
      // A: as it happened, with one immediate Zoom retry.
      const orderA: Step[] = [
        'lucaJoin',
        'mariaJoin1',
        'guestJoin',
        'guestLeave',
        'mariaLeave1',
        'mariaLeave1',
        'mariaJoin2',
        'giuliaJoin',
        'mariaLeave2',
        'giuliaLeave',
        'ended',
      ];
      // B: scrambled; the end first, and the retried first `left` arrives after the newer `joined`.
      const orderB: Step[] = [
        'ended',
        'mariaLeave2',
        'giuliaLeave',
        'mariaJoin2',
        'mariaLeave1',
        'guestLeave',
        'giuliaJoin',
        'lucaJoin',
        'guestJoin',
        'mariaJoin1',
        'mariaLeave1',
      ];
      expect([...orderA].sort()).toEqual([...orderB].sort());

      for (const [tag, order] of [
        ['A', orderA],
        ['B', orderB],
      ] as const) {
        const s = session(tag);
        let accepted = 0;
        let duplicates = 0;
        for (const step of order) {
          const res = await deliver(s[step]);
          expect(res.status, `${tag} ${step}: ${res.text}`).toBe(200);
          accepted += res.body.accepted;
          duplicates += res.body.duplicates;
        }
        expect({ tag, accepted, duplicates }).toEqual({ tag, accepted: 10, duplicates: 1 });
        expect((await counts(webinars[tag].eventId)).records).toBe(10);
      }

      const outcomes: Record<'A' | 'B', any> = { A: null, B: null };
      for (const tag of ['A', 'B'] as const) {
        const closed = await h.api('POST', `/v1/events/${webinars[tag].eventId}/close`, { key: keys.organiser });
        expect(closed.status, closed.text).toBe(200);
      }
      for (const tag of ['A', 'B'] as const) outcomes[tag] = await waitForDerivation(h, keys.organiser, webinars[tag].eventId, (d) => /closed/.test(d.cause));

      const comparable = (page: any) => ({
        summary: page.summary,
        outcomes: [...page.outcomes].map(({ derivedAt: _, ...o }: any) => o).sort((x: any, y: any) => (x.participantKey < y.participantKey ? -1 : 1)),
      });
      expect(comparable(outcomes.B)).toEqual(comparable(outcomes.A));

      const list = outcomes.A.outcomes as any[];
      expect(list).toHaveLength(4); // Maria once (not once per user_id), Luca, Giulia, the guest
      const of = (id: string) => list.filter((o) => o.memberId === id);
      expect(of(maria.id)).toHaveLength(1);
      expect(of(maria.id)[0]).toMatchObject({
        participantKey: `member:${maria.id}`,
        status: 'credited',
        coveredMinutes: 114,
        absentMinutes: 6,
        toleranceMinutes: 30,
        credits: 2,
      });
      expect(of(maria.id)[0].explanation.identity).toMatchObject({ displayName: 'Maria Rossi', conflictingMembers: [] }); // the name she joined with first
      expect(of(maria.id)[0].explanation.identity.matchedBy).toContain('registrant-id');
      expect(of(maria.id)[0].explanation.presence).toEqual([
        { start: new Date(start + 2 * MIN).toISOString(), end: new Date(start + 45 * MIN).toISOString() },
        { start: new Date(start + 47 * MIN).toISOString(), end: new Date(start + 118 * MIN).toISOString() },
      ]);
      expect(of(luca.id)[0]).toMatchObject({ status: 'credited', coveredMinutes: 119, absentMinutes: 1, credits: 2 });
      expect(of(luca.id)[0].explanation.identity.matchedBy).toEqual(['email']);
      expect(of(luca.id)[0].explanation.attendance.closedByMeetingEnd).toBeTruthy();
      expect(of(giulia.id)[0]).toMatchObject({ status: 'not-qualified', absentMinutes: 50, credits: 0 });
      expect(list.filter((o) => o.memberId === null)).toEqual([expect.objectContaining({ status: 'unmatched', credits: 0 })]);

      // Maria's credit records: one per webinar, both granted, the first hour deontology.
      const cr = await h.api('GET', `/v1/members/${maria.id}/credits`, { key: keys.cn });
      expect(cr.status, cr.text).toBe(200);
      expect(
        cr.body.credits
          .map((c: any) => ({ eventId: c.eventId, credits: c.credits, deontologyCredits: c.deontologyCredits, status: c.status, mode: c.mode }))
          .sort((x: any, y: any) => (x.eventId < y.eventId ? -1 : 1)),
      ).toEqual(
        [webinars.A.eventId, webinars.B.eventId].sort().map((eventId) => ({ eventId, credits: 2, deontologyCredits: 1, status: 'granted', mode: 'webinar' })),
      );
    });
  });
}

async function waitForDerivation(h: Harness, key: string, eventId: string, until: (d: { cause: string }) => boolean) {
  return eventually(async () => {
    const res = await h.api('GET', `/v1/events/${eventId}/outcomes?limit=5000`, { key });
    if (res.status !== 200 || !res.body.lastDerivation) return null;
    const derivations = await h.rt.db.query<{ cause: string }>('SELECT cause FROM derivations WHERE event_id = $1 ORDER BY id', [eventId]);
    if (!derivations.rows.some(until)) return null;
    // The sweep scheduler always keeps one delayed job: only derive jobs count as pending.
    const pending = await h.rt.deps.attendance.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
    if (pending.some((j) => j?.name === 'derive')) return null;
    const again = await h.api('GET', `/v1/events/${eventId}/outcomes?limit=5000`, { key });
    return again.body;
  });
}
