/**
 * Issue 14, "Found when tried as a new user would": without `SMTP_URL` (the embedded default) a
 * questionnaire's link mail waits in the outbox. The organiser (or the accrediting CPO) copies a
 * fresh link to hand over, whose 10 days start at its first opening (R-QST-2), or sends the mail
 * again once the address is right; the API and the console do it through the same operation.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { signedInStaff, textOf } from '../support/console-client.ts';
import { createKindEOrganiser, createMembers, kindEWebinar, questionPool, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';

const DAY = 24 * 3600_000;

for (const backend of backendsOf(import.meta.url)) {
  describe(`handing a questionnaire link over on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createKindEOrganiser>>;
    let members: CreatedMember[];
    let eventId: string;
    let offset = -40 * DAY;
    const now = () => Date.now() + offset;
    const start = DateTime.now().setZone('Europe/Rome').minus({ days: 2 }).set({ hour: 15, minute: 0, second: 0, millisecond: 0 }).toMillis();
    const end = start + 2 * 3600_000;
    let questionnaires: Array<{ id: string; memberId: string; mail: string }> = [];

    beforeAll(async () => {
      h = await startHarness(backend, { now, env: { PUBLIC_URL: 'http://gateway.test' } });
      const today = DateTime.now().setZone('Europe/Rome');
      keys = await createKindEOrganiser(h, 'MI', { from: today.minus({ years: 1 }).toISODate()!, until: today.plus({ years: 1 }).toISODate()! });
      members = await createMembers(h, keys.cn, ['MI', 'MI'], 900);
      // The second member has no address anywhere: the register's is removed, the registration gives none.
      await h.rt.db.query('UPDATE members SET email = NULL WHERE id = $1', [members[1]!.id]);
      const created = await h.api('POST', '/v1/events', { key: keys.organiser, body: { ...kindEWebinar(start, end), questions: questionPool(30) } });
      expect(created.status, created.text).toBe(201);
      eventId = created.body.id;
      offset = -39 * DAY;
      expect(
        (await h.api('POST', `/v1/events/${eventId}/accreditation`, { key: keys.cpo, body: { decision: 'approve', reference: 'Delibera 3/2026' } })).status,
      ).toBe(200);
      offset = 0;
      const regs = members.map((m) => ({ memberId: m.id, registrantId: `r-${m.id}` }));
      expect((await h.api('POST', `/v1/events/${eventId}/registrations`, { key: keys.organiser, body: { registrations: regs } })).status).toBe(200);
      const records = members.flatMap((m, i) => [
        { id: `${i}-j`, type: 'join', at: new Date(start).toISOString(), participant: { registrantId: `r-${m.id}` } },
        { id: `${i}-l`, type: 'leave', at: new Date(end).toISOString(), participant: { registrantId: `r-${m.id}` } },
      ]);
      expect((await h.api('POST', `/v1/ingest/webinar/${eventId}`, { key: keys.platform, body: { records } })).status).toBe(202);
      expect((await h.api('POST', `/v1/events/${eventId}/close`, { key: keys.organiser })).status).toBe(200);
      questionnaires = await eventually(async () => {
        const res = await h.api('GET', `/v1/events/${eventId}/questionnaires`, { key: keys.organiser });
        return res.body?.items?.length === 2 ? res.body.items : null;
      });
    }, 60_000);
    afterAll(async () => h?.close());

    const of = (m: number) => questionnaires.find((q) => q.memberId === members[m]!.id)!;

    it('copies a fresh link; the member opens it and the 10 days start then (R-QST-2)', async () => {
      const q = of(0);
      const before = await h.rt.db.query<{ sent_at: Date | null }>('SELECT sent_at FROM questionnaires WHERE id = $1', [q.id]);
      expect(before.rows[0]!.sent_at).toBeNull(); // no SMTP: the mail never left
      const res = await h.api('POST', `/v1/questionnaires/${q.id}/link`, { key: keys.organiser });
      expect(res.status, res.text).toBe(200);
      expect(res.body.url).toMatch(/^http:\/\/gateway\.test\/q\/ey/);
      const page = await fetch(`${h.url}${new URL(res.body.url).pathname}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Questionario');
      const after = await h.rt.db.query<{ sent_at: Date | null; deadline_at: Date | null }>('SELECT sent_at, deadline_at FROM questionnaires WHERE id = $1', [
        q.id,
      ]);
      expect(after.rows[0]!.sent_at).not.toBeNull();
      expect(after.rows[0]!.deadline_at).not.toBeNull();
    });

    it('sends the mail again to a given address, refuses without one, and not once it was sent', async () => {
      const q = of(1);
      const none = await h.api('POST', `/v1/questionnaires/${q.id}/resend`, { key: keys.organiser, body: {} });
      expect(none.status).toBe(422);
      expect(none.body.code).toBe('no-address');
      const given = await h.api('POST', `/v1/questionnaires/${q.id}/resend`, { key: keys.cpo, body: { email: 'giusto@studio.example.it' } });
      expect(given.status, given.text).toBe(200);
      expect(given.body).toEqual({ outboxId: expect.any(Number), queued: false });
      const row = await h.rt.db.query<{ recipient: string; attempts: number }>('SELECT recipient, attempts FROM outbox WHERE id = $1', [given.body.outboxId]);
      expect(row.rows[0]).toEqual({ recipient: 'giusto@studio.example.it', attempts: 0 });
      await h.rt.db.query('UPDATE outbox SET sent_at = now() WHERE id = $1', [given.body.outboxId]);
      const again = await h.api('POST', `/v1/questionnaires/${q.id}/resend`, { key: keys.organiser, body: {} });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('mail-already-sent');
    });

    it('is for the organiser and the accrediting CPO only', async () => {
      const q = of(0);
      expect((await h.api('POST', `/v1/questionnaires/${q.id}/link`, { key: keys.platform })).status).toBe(403);
      expect((await h.api('POST', `/v1/questionnaires/${q.id}/link`, { key: keys.cn })).status).toBe(403);
      expect((await h.api('POST', `/v1/questionnaires/${q.id}/link`, { key: await h.key('cpo', 'RM') })).status).toBe(404);
    });

    it('the console shows the same operations to the provider’s office: the link to copy, the mail to send again', async () => {
      const person = await signedInStaff(h, 'organiser', keys.organiserId);
      const page = await person.client.get(`/console/eventi/${eventId}/questionario`);
      expect(page.status).toBe(200);
      const q = of(0);
      const link = await person.client.post(`/console/eventi/${eventId}/questionario/${q.id}/link`);
      expect(link.status).toBe(200);
      expect(link.html).toMatch(/http:\/\/gateway\.test\/q\/ey[A-Za-z0-9._-]+/);
      expect(textOf(link.html)).toContain('Link personale');
    });
  });
}
