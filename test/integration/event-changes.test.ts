/**
 * Issue 14, "create and edit within the rules": an organiser changes an event until it starts and
 * while the CPO has not decided on it (R-CHG-1), with the same rules as a new event (R-EVT-1,
 * R-EVT-2, R-EVT-3 as of the original request), through `PUT /v1/events/{id}` and the console.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { signedInStaff, textOf } from '../support/console-client.ts';
import { createKindEOrganiser, kindEWebinar, pastWebinar, questionPool } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const DAY = 24 * 3600_000;
const HOUR = 3600_000;

for (const backend of backendsOf(import.meta.url)) {
  describe(`changing an event on ${backend}`, () => {
    let h: Harness;
    let offset = 0;
    const now = () => Date.now() + offset;
    let cn: string;
    let selfOrg: { id: string; key: string };
    const inAMonth = DateTime.now().setZone('Europe/Rome').plus({ days: 30 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 }).toMillis();

    beforeAll(async () => {
      h = await startHarness(backend, { now, worker: false });
      cn = await h.key('cn');
      const org = await h.api('POST', '/v1/organisers', { key: cn, body: { kind: 'b', name: 'Fondazione Studi' } });
      selfOrg = { id: org.body.id, key: await h.key('organiser', org.body.id) };
    });
    afterAll(async () => h?.close());

    it('changes an event accredited by right until it starts; the rules of a new event apply', async () => {
      const created = await h.api('POST', '/v1/events', { key: selfOrg.key, body: pastWebinar(inAMonth, 2, { title: 'Prima versione' }) });
      expect(created.status, created.text).toBe(201);
      const id = created.body.id;
      const moved = pastWebinar(inAMonth + DAY, 3, { title: 'Seconda versione', credits: 3 });
      const res = await h.api('PUT', `/v1/events/${id}`, { key: selfOrg.key, body: moved });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ id, title: 'Seconda versione', credits: 3, start: new Date(inAMonth + DAY).toISOString() });
      expect((await h.api('GET', `/v1/events/${id}`, { key: selfOrg.key })).body.topics).toHaveLength(2);
      // The same rules as a new event: credits beyond the hours are refused (R-CAL-6).
      const tooMany = await h.api('PUT', `/v1/events/${id}`, { key: selfOrg.key, body: { ...moved, credits: 9 } });
      expect(tooMany.status).toBe(422);
      expect(tooMany.body.errors.map((e: { code: string }) => e.code)).toContain('credits-exceed-hours');
      // Not into the past, not to another CPO, not by someone else.
      expect((await h.api('PUT', `/v1/events/${id}`, { key: selfOrg.key, body: pastWebinar(Date.now() - DAY, 2) })).body.errors[0].code).toBe('start-in-past');
      const otherCpo = await h.api('PUT', `/v1/events/${id}`, { key: selfOrg.key, body: { ...moved, cpoProvince: 'RM' } });
      expect(otherCpo.status).toBe(409);
      expect(otherCpo.body.code).toBe('event-not-editable');
      const stranger = await h.api('POST', '/v1/organisers', { key: cn, body: { kind: 'b', name: 'Altro ente' } });
      expect((await h.api('PUT', `/v1/events/${id}`, { key: await h.key('organiser', stranger.body.id), body: moved })).status).toBe(404);
      // Once it has started: no more changes.
      offset = inAMonth + DAY + HOUR - Date.now();
      const late = await h.api('PUT', `/v1/events/${id}`, { key: selfOrg.key, body: moved });
      expect(late.status).toBe(409);
      expect(late.body).toMatchObject({ code: 'event-not-editable', reason: 'event-started' });
      offset = 0;
    });

    it('changes a kind-e webinar while the CPO has not decided; after the decision it stays as accredited (R-EVT-3)', async () => {
      const today = DateTime.now().setZone('Europe/Rome');
      const keys = await createKindEOrganiser(h, 'MI', { from: today.minus({ years: 1 }).toISODate()!, until: today.plus({ years: 1 }).toISODate()! });
      const body = { ...kindEWebinar(inAMonth, inAMonth + 2 * HOUR), questions: questionPool(30) };
      const created = await h.api('POST', '/v1/events', { key: keys.organiser, body });
      expect(created.status, created.text).toBe(201);
      const id = created.body.id;
      const { questions: _q, ...change } = { ...body, title: 'Titolo corretto' };
      expect((await h.api('PUT', `/v1/events/${id}`, { key: keys.organiser, body: change })).body.title).toBe('Titolo corretto');
      // The pool has its own route.
      expect((await h.api('PUT', `/v1/events/${id}`, { key: keys.organiser, body: { ...change, questions: questionPool(30) } })).body.code).toBe(
        'questionnaire-not-applicable',
      );
      // Moving it closer than the 20 days' notice of the original request is refused (R-EVT-3).
      const tooSoon = kindEWebinar(Date.now() + 5 * DAY, Date.now() + 5 * DAY + 2 * HOUR);
      const soon = await h.api('PUT', `/v1/events/${id}`, { key: keys.organiser, body: { ...tooSoon, platform: change.platform } });
      expect(soon.status).toBe(422);
      expect(soon.body.errors.map((e: { code: string }) => e.code)).toContain('accreditation-too-late');
      expect(
        (await h.api('POST', `/v1/events/${id}/accreditation`, { key: keys.cpo, body: { decision: 'approve', reference: 'Delibera 9/2026' } })).status,
      ).toBe(200);
      const after = await h.api('PUT', `/v1/events/${id}`, { key: keys.organiser, body: { ...change, title: 'Dopo la delibera' } });
      expect(after.status).toBe(409);
      expect(after.body).toMatchObject({ code: 'event-not-editable', reason: 'accreditation-decided' });
    });

    it('the console edits an event with the form of a new one, prefilled, through the same operation', async () => {
      const created = await h.api('POST', '/v1/events', { key: selfOrg.key, body: pastWebinar(inAMonth + 2 * DAY, 2, { title: 'Da modificare' }) });
      const id = created.body.id;
      const person = await signedInStaff(h, 'organiser', selfOrg.id, { now });
      const form = await person.client.get(`/console/eventi/${id}/modifica`);
      expect(form.status).toBe(200);
      expect(form.html).toContain('value="Da modificare"');
      const values = Object.fromEntries(
        [...form.html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [
          m[1]!,
          m[2]!
            .replace(/&amp;/g, '&')
            .replace(/&#39;/g, "'")
            .replace(/&quot;/g, '"'),
        ]),
      );
      for (const m of form.html.matchAll(/<select[^>]*name="([^"]+)"[\s\S]*?<option value="([^"]*)" selected/g)) values[m[1]!] = m[2]!;
      const checked = [...form.html.matchAll(/<input[^>]*type="checkbox"[^>]*name="([^"]+)"[^>]*checked/g)].map((m) => m[1]!);
      for (const c of checked) values[c] = 'on';
      const speakers = /<textarea[^>]*name="speakers"[^>]*>([\s\S]*?)<\/textarea>/.exec(form.html)?.[1] ?? '';
      const saved = await person.client.post(`/console/eventi/${id}/modifica`, { ...values, speakers, title: 'Modificato dalla segreteria' });
      expect(saved.status, textOf(saved.html).slice(0, 400)).toBe(303);
      expect(saved.location).toBe(`/console/eventi/${id}?esito=modificato`);
      expect((await h.api('GET', `/v1/events/${id}`, { key: selfOrg.key })).body.title).toBe('Modificato dalla segreteria');
      const page = await person.client.get(`/console/eventi/${id}?esito=modificato`);
      expect(textOf(page.html)).toContain('Evento modificato');
    });
  });
}
