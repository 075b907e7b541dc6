/**
 * Issue 3, deliverable 3 through HTTP: a platform's attendance report uploaded as evidence,
 * stored once however often it is uploaded, and derived into credits via the registration (R-ATT-7).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { createCpoOrganiser, createMembers, pastWebinar, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';

const zoomReport = fs.readFileSync(new URL('../fixtures/reports/zoom/participants-report.json', import.meta.url));
// Maria Rossi's registrant id in the fixture: two connections, 13:59:01–14:47:30Z and 15:05:50–16:00:12Z.
const MARIA = 'U0BBBBBBBBBBfrUz1Q';

for (const backend of backendsOf(import.meta.url)) {
  describe(`platform reports on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let member: CreatedMember;
    let eventId: string;
    const counts = async () =>
      (await h.rt.db.query<{ r: number; d: number }>('SELECT (SELECT count(*)::int FROM tracking_records) AS r, (SELECT count(*)::int FROM deliveries) AS d'))
        .rows[0]!;

    beforeAll(async () => {
      h = await startHarness(backend);
      keys = await createCpoOrganiser(h, 'MI');
      member = (await createMembers(h, keys.cn, ['MI']))[0]!;
      // 15:00–17:00 Rome on 10 March 2026 (14:00–16:00Z), the webinar of the Zoom fixture.
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(Date.UTC(2026, 2, 10, 14, 0), 2) });
      expect(ev.status, ev.text).toBe(201);
      eventId = ev.body.id;
      const reg = await h.api('POST', `/v1/events/${eventId}/registrations`, {
        key: keys.organiser,
        body: { registrations: [{ memberId: member.id, registrantId: MARIA }] },
      });
      expect(reg.status, reg.text).toBe(200);
    });
    afterAll(async () => h?.close());

    it('stores a Zoom participants report once and credits the registered member from it', async () => {
      // March is more than 30 days ago: the organiser's window has passed (R-EVT-7), the CPO uploads.
      const post = () =>
        h.api('POST', `/v1/events/${eventId}/platform-reports/zoom-api`, { key: keys.cpo, raw: zoomReport, headers: { 'content-type': 'application/json' } });
      const first = await post();
      expect(first.status, first.text).toBe(202);
      expect(first.body.accepted).toBeGreaterThan(0);
      expect(first.body.duplicates).toBe(0);
      const stored = await h.rt.db.query<{ n: number; source: string }>(
        'SELECT count(*)::int AS n, min(source) AS source FROM tracking_records WHERE event_id = $1',
        [eventId],
      );
      expect(stored.rows[0]).toEqual({ n: first.body.accepted, source: 'report:zoom-api' });
      const before = await counts();
      const again = await post();
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ accepted: 0, duplicates: first.body.accepted });
      expect((await counts()).r).toBe(before.r);

      const outcome = await eventually(async () => {
        const res = await h.api('GET', `/v1/events/${eventId}/outcomes`, { key: keys.organiser });
        return res.body?.outcomes?.find((x: any) => x.memberId === member.id && x.status === 'credited') ?? null;
      });
      // Covered 14:00–14:47:30 and 15:05:50–16:00: absent 18 min 20 s → 19 whole minutes ≤ 30 (R-ATT-3/4).
      expect(outcome).toMatchObject({ status: 'credited', absentMinutes: 19, credits: 2 });
    });

    it('takes the same report as a browser form (multipart/form-data, field `file`): read alike, so nothing new is stored', async () => {
      const raw = await h.api('POST', `/v1/events/${eventId}/platform-reports/zoom-api`, {
        key: keys.cpo,
        raw: zoomReport,
        headers: { 'content-type': 'application/json' },
      });
      expect(raw.status, raw.text).toBe(200);
      const before = await counts();
      const fd = new FormData();
      fd.append('file', new Blob([zoomReport], { type: 'application/json' }), 'participants.json');
      const res = await fetch(`${h.url}/v1/events/${eventId}/platform-reports/zoom-api`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.cpo}` },
        body: fd,
      });
      const body = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body).toEqual(raw.body);
      // No new record; the upload itself is kept as a delivery (the file's bytes, not the form's), as every upload is.
      expect(await counts()).toEqual({ r: before.r, d: before.d + 1 });
      const d = await h.rt.db.query<{ body: Buffer; headers: Record<string, string> }>('SELECT body, headers FROM deliveries ORDER BY id DESC LIMIT 1');
      expect(Buffer.from(d.rows[0]!.body).equals(zoomReport)).toBe(true);
      expect(d.rows[0]!.headers).toMatchObject({
        'content-type': 'application/json',
        'content-disposition': expect.stringContaining('filename="participants.json"'),
      });
      const empty = new FormData();
      empty.append('note', 'no file');
      const refused = await fetch(`${h.url}/v1/events/${eventId}/platform-reports/zoom-api`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.cpo}` },
        body: empty,
      });
      expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([400, 'invalid-form']);
      const doc = await h.api('GET', '/openapi.json');
      expect(Object.keys(doc.body.paths['/v1/events/{id}/platform-reports/{format}'].post.requestBody.content)).toEqual([
        'application/octet-stream',
        'multipart/form-data',
      ]);
    });

    it('refuses unrecognisable files, unknown formats and other organisers, storing nothing', async () => {
      const before = await counts();
      const notJson = await h.api('POST', `/v1/events/${eventId}/platform-reports/goto-api`, {
        key: keys.cpo,
        raw: 'not json',
        headers: { 'content-type': 'application/json' },
      });
      expect(notJson).toMatchObject({ status: 422, body: { code: 'report-not-json' } });
      expect(notJson.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const wrongShape = await h.api('POST', `/v1/events/${eventId}/platform-reports/webex-api`, {
        key: keys.cpo,
        raw: '{"foo": []}',
        headers: { 'content-type': 'application/json' },
      });
      expect(wrongShape).toMatchObject({ status: 422, body: { code: 'report-shape-unrecognised' } });
      const unknown = await h.api('POST', `/v1/events/${eventId}/platform-reports/skype`, {
        key: keys.cpo,
        raw: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(unknown).toMatchObject({ status: 404, body: { code: 'unknown-report-format' } });
      const closed = await h.api('POST', `/v1/events/${eventId}/platform-reports/zoom-api`, {
        key: keys.organiser,
        raw: zoomReport,
        headers: { 'content-type': 'application/json' },
      });
      expect(closed).toMatchObject({ status: 409, body: { code: 'event-closed' } });
      const other = await createCpoOrganiser(h, 'RM');
      const foreign = await h.api('POST', `/v1/events/${eventId}/platform-reports/zoom-api`, {
        key: other.organiser,
        raw: zoomReport,
        headers: { 'content-type': 'application/json' },
      });
      expect(foreign).toMatchObject({ status: 404, body: { code: 'event-not-found' } });
      expect(await counts()).toEqual(before);
    });
  });
}
