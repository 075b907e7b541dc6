/**
 * Issue 15, the CN's national console through HTTP: every CPO's verification of a biennium with
 * the events it organised by mode (R-VER-7, art. 26 c.4), a province that has not run it marked
 * late, the national totals and the CSV of the same table; a council's list of the events it
 * accredits with its queue of requests. A CPO officer may not open the national view.
 */
import crypto from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { signedInStaff, textOf } from '../support/console-client.ts';
import { createCpoOrganiser, createMembers, pastWebinar } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const at = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Rome' }).toMillis();

for (const backend of backendsOf(import.meta.url)) {
  describe(`the CN's national view on ${backend}`, () => {
    let h: Harness;
    const clock = at('2027-03-05T10:00');
    const now = () => clock;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, now });
      keys = await createCpoOrganiser(h, 'MI');
      await createMembers(h, keys.cn, ['MI', 'MI', 'RM'], 700);
      for (const [iso, mode] of [
        ['2025-11-10T15:00', 'webinar'],
        ['2026-04-10T15:00', 'in-person'],
        ['2026-06-10T15:00', 'in-person'],
        ['2027-01-15T15:00', 'in-person'], // after the biennium: not counted
      ] as const) {
        const res = await h.api('POST', '/v1/events', {
          key: keys.organiser,
          body: { ...pastWebinar(at(iso), 2), mode, title: `Evento del ${iso.slice(0, 10)}` },
        });
        expect(res.status, res.text).toBe(201);
      }
      const run = await h.api('POST', '/v1/provinces/MI/verifications', { key: keys.cpo, body: { biennium: 2025, phase: 'february' } });
      expect(run.status, run.text).toBe(200);
    });
    afterAll(async () => h?.close());

    it('lists every CPO: Milan with its verification and events by mode, Rome not run; totals and CSV', async () => {
      const cn = await signedInStaff(h, 'cn', null, { now });
      const page = await cn.client.get('/console/nazionale?biennio=2025');
      expect(page.status).toBe(200);
      const text = textOf(page.html);
      expect(text).toContain('Quadro nazionale del biennio 2025–2026');
      expect(text).toContain('Province con la verifica eseguita: 1 di 2 (1 non eseguita)');
      expect(text).toContain('Milano');
      expect(text).toContain('Versione 1, eseguita il 5 marzo 2027');
      // Two members of Milan, neither with a credit: none in order.
      expect(text).toContain('0 di 2 (0%)');
      expect(text).toContain('3 (2 in presenza, 1 webinar)');
      expect(text).toContain('Roma');
      expect(text).toContain('Non eseguita');
      // The item of the menu is marked on the national view and on a province's verification.
      expect(page.html).toMatch(/<a href="\/console\/nazionale" aria-current="page">Verifica<\/a>/);
      const province = await cn.client.get('/console/verifiche?provincia=MI&biennio=2025');
      expect(province.html).toMatch(/<a href="\/console\/nazionale" aria-current="page">Verifica<\/a>/);

      const csv = await cn.client.get('/console/nazionale/esporta.csv?biennio=2025');
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-disposition')).toContain('quadro-nazionale_2025-2026.csv');
      const lines = csv.html
        .replace(/^\uFEFF/, '')
        .trim()
        .split(/\r?\n/);
      expect(lines[0]).toBe(
        'Sigla;Consiglio provinciale;Versione febbraio;Versione giugno;Eseguita il;Iscritti;Soggetti all’obbligo;In regola;In regola (%);Riduzioni;Debiti;Eventi organizzati;Per modalità;Eventi accreditati',
      );
      expect(lines).toHaveLength(3);
      expect(lines[1]).toMatch(/^MI;Milano;1;;2027-03-05T09:00:00\.000Z;2;2;0;0;0;—;3;2 in presenza, 1 webinar;3$/);
      expect(lines[2]).toBe('RM;Roma;;;;1;;;;;;0;—;0');
    });

    it('a CPO officer reads its own province on Verifica, not the national view; its events list shows what it accredits', async () => {
      const officer = await signedInStaff(h, 'cpo', 'MI', { now });
      expect((await officer.client.get('/console/nazionale')).status).toBe(403);
      expect((await officer.client.get('/console/nazionale/esporta.csv')).status).toBe(403);
      const events = await officer.client.get('/console/eventi');
      expect(events.status).toBe(200);
      const text = textOf(events.html);
      expect(text).toContain('Richieste di accreditamento da decidere: 0');
      expect(text).toContain('Evento del 2026-04-10');
      // A council's event leads to its attendance page, not to the organiser's.
      expect(events.html).toMatch(/href="\/console\/eventi\/[0-9a-f-]{36}\/presenze"/);
      expect(events.html).not.toContain('/console/eventi/nuovo');
      const rome = await signedInStaff(h, 'cpo', 'RM', { now });
      expect(textOf((await rome.client.get('/console/eventi')).html)).not.toContain('Evento del 2026-04-10');
    });

    it('the home page counts what waits for the council, with the first deadlines', async () => {
      const [member] = await createMembers(h, keys.cn, ['MI'], 720);
      await h.rt.db.query(
        `INSERT INTO debt_requests (id, member_id, province, biennium, total, deontology, filed_on, filed_at, status)
         VALUES ($1, $2, 'MI', 2025, 5, 0, '2027-02-10', now(), 'filed')`,
        [crypto.randomUUID(), member!.id],
      );
      await h.rt.db.query(
        `INSERT INTO reduction_requests (id, member_id, province, biennium, cause, input, computed, filed_on, filed_at, filing, status, decision_deadline, updated_at)
         VALUES ($1, $2, 'MI', 2025, 'illness', '{"from":"2026-03-01","to":"2026-05-31"}', '{}', '2027-03-01', now(), '{}', 'filed', '2027-03-31', now())`,
        [crypto.randomUUID(), member!.id],
      );
      const officer = await signedInStaff(h, 'cpo', 'MI', { now });
      const home = textOf((await officer.client.get('/console')).html);
      expect(home).toMatch(/Richieste di accreditamento\s*: nessuna/);
      expect(home).toMatch(/Richieste di debito formativo\s*: 1/);
      expect(home).toMatch(/Richieste di riduzione\s*: 1 \(la prima da decidere entro il 31 marzo 2027\)/);
      expect(home).not.toContain('Avvisi sulle deroghe');
      const rome = textOf((await (await signedInStaff(h, 'cpo', 'RM', { now })).client.get('/console')).html);
      expect(rome).toMatch(/Richieste di debito formativo\s*: nessuna/);
      const cn = textOf((await (await signedInStaff(h, 'cn', null, { now })).client.get('/console')).html);
      expect(cn).toMatch(/Richieste di debito formativo\s*: 1/);
      expect(cn).toMatch(/Avvisi sulle deroghe da leggere\s*: nessuno/);
    });
  });
}
