/**
 * Issue 15, the discipline referrals in the council's console (R-VER-8, R-VER-9): a CPO officer
 * reaches *Deferimenti* from the verification page, prepares the list (twice: nothing new),
 * downloads the letter (its code opens /verify) and the zip, marks the referral sent and records
 * the reply with the form fields; every step is recorded as the person, through the API's
 * operations. The CN reads the list and moves nothing; another province's officer finds nothing.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { signedInStaff, textOf, type StaffPerson } from '../support/console-client.ts';
import { createCpoOrganiser, createMembers, pastWebinar, type CreatedMember } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { pdfText } from '../support/pdf-text.ts';
import { unzip } from '../support/zip.ts';

const ROME = 'Europe/Rome';
const at = (iso: string) => DateTime.fromISO(iso, { zone: ROME }).toMillis();
const PATH = '/console/verifiche/deferimenti';

for (const backend of backendsOf(import.meta.url)) {
  describe(`discipline referrals in the council's console on ${backend}`, () => {
    let h: Harness;
    let officer: StaffPerson;
    let members: CreatedMember[];
    let referralId = '';
    const clock = at('2027-03-02T10:00');

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, now: () => clock });
      const keys = await createCpoOrganiser(h, 'MI');
      members = await createMembers(h, keys.cn, ['MI', 'MI'], 1800);
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: { ...pastWebinar(at('2025-05-10T15:00'), 2), mode: 'in-person' } });
      expect(ev.status, ev.text).toBe(201);
      for (const [m, credits, deontology] of [
        [members[0]!, 40, 2],
        [members[1]!, 50, 6],
      ] as const)
        await h.rt.db.query(
          `INSERT INTO credit_records (member_id, event_id, fraction, credits, deontology_credits, mode, year, status, derived_at)
           VALUES ($1, $2, 0, $3, $4, 'in-person', 2025, 'granted', now())`,
          [m.id, ev.body.id, credits, deontology],
        );
      officer = await signedInStaff(h, 'cpo', 'MI', { now: () => clock, name: 'Giulia Ferri' });
    });
    afterAll(async () => h?.close());

    it('from the verification page, prepares the list once; a second time creates nothing', async () => {
      const ran = await officer.client.post('/console/verifiche?biennio=2025&fase=february');
      expect(ran.status).toBe(200);
      expect(ran.html).toContain(`href="${PATH}?provincia=MI&amp;biennio=2025"`);
      const empty = await officer.client.get(`${PATH}?provincia=MI&biennio=2025`);
      expect(empty.status).toBe(200);
      expect(textOf(empty.html)).toContain('Deferimenti al Consiglio di disciplina · biennio 2025–2026 · Milano');
      expect(textOf(empty.html)).toContain('L’elenco non è ancora stato preparato');
      expect(empty.html).toContain('name="februaryVersion" value="1"');
      // The Verifica menu item stays marked on this page.
      expect(empty.html).toMatch(/<a href="\/console\/verifiche"[^>]*aria-current="page"/);

      const first = textOf((await officer.client.post(`${PATH}?biennio=2025`, { februaryVersion: '1' })).html);
      expect(first).toContain('Elenco preparato: 1 nuove segnalazioni');
      expect(first).toContain('Cognome1800 Nome1800');
      expect(first).not.toContain('Cognome1801');
      expect(first).toContain('Non in regola');
      expect(first).toContain('Da inviare');
      expect(first).toContain('da Giulia Ferri');
      const second = textOf((await officer.client.post(`${PATH}?biennio=2025`, { februaryVersion: '1' })).html);
      expect(second).toContain('Nulla è cambiato dall’ultima preparazione');
      const { rows } = await h.rt.db.query<{ id: string }>('SELECT id FROM discipline_referrals');
      expect(rows).toHaveLength(1);
      referralId = rows[0]!.id;
    });

    it('downloads the letter, whose code opens /verify, and the zip of the list', async () => {
      const pdf = await fetch(`${h.url}${PATH}/${referralId}/lettera.pdf`, { headers: { cookie: `cdl_console=${officer.client.cookie('cdl_console')}` } });
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      const text = (await pdfText(new Uint8Array(await pdf.arrayBuffer()))).replace(/\s+/g, ' ');
      expect(text).toContain('Segnalazione n. DEF-MI-2025-0001');
      const code = /Codice di verifica: ((?:[A-Z2-7]{4}-){7}[A-Z2-7]{4})/.exec(text)?.[1];
      expect(code).toBeTruthy();
      const page = await fetch(`${h.url}/verify/${code}`);
      const shown = await page.text();
      expect(page.status).toBe(200);
      expect(shown).toContain('Valida');
      expect(shown).toContain('Nome1800 Cognome1800');
      const zip = await fetch(`${h.url}${PATH}/lettere.zip?biennio=2025&stato=prepared`, {
        headers: { cookie: `cdl_console=${officer.client.cookie('cdl_console')}` },
      });
      expect(zip.headers.get('content-type')).toBe('application/zip');
      expect([...(await unzip(Buffer.from(await zip.arrayBuffer()))).keys()]).toEqual(['deferimento-def-mi-2025-0001.pdf']);
    });

    it('marks it sent and records the reply with the form fields, as the officer', async () => {
      const detail = await officer.client.get(`${PATH}/${referralId}`);
      expect(textOf(detail.html)).toContain('Segna come inviata');
      expect(detail.html).toContain('value="2027-03-02"');
      const noDate = await officer.client.post(`${PATH}/${referralId}/invio`, { on: '', protocolNumber: 'PROT-9', pecReference: '' });
      expect(noDate.status).toBe(422);
      expect(textOf(noDate.html)).toContain('Indichi la data');
      const future = await officer.client.post(`${PATH}/${referralId}/invio`, { on: '2027-03-09', protocolNumber: '', pecReference: '' });
      expect(future.status).toBe(422);
      expect(textOf(future.html)).toContain('non può precedere la lettera');
      const sent = await officer.client.post(`${PATH}/${referralId}/invio`, { on: '2027-03-02', protocolNumber: 'PROT-9', pecReference: '' });
      expect([sent.status, sent.location]).toEqual([303, `${PATH}/${referralId}?esito=inviata`]);
      const after = textOf((await officer.client.get(sent.location!)).html);
      expect(after).toContain('Invio registrato');
      expect(after).toContain('il 2 marzo 2027 da Giulia Ferri; protocollo PROT-9');
      expect(after).toContain('Registra la risposta del Consiglio di disciplina');
      const noSummary = await officer.client.post(`${PATH}/${referralId}/risposta`, { on: '2027-03-02', summary: ' ' });
      expect(noSummary.status).toBe(422);
      expect(textOf(noSummary.html)).toContain('Scriva la sintesi della risposta');
      const answered = await officer.client.post(`${PATH}/${referralId}/risposta`, { on: '2027-03-02', summary: 'Aperto il procedimento n. 3/2027' });
      expect(answered.location).toBe(`${PATH}/${referralId}?esito=risposta`);
      const done = textOf((await officer.client.get(answered.location!)).html);
      expect(done).toContain('Risposta ricevuta');
      expect(done).toContain('Aperto il procedimento n. 3/2027');
      expect(done).not.toContain('Segna come inviata');
      const { rows } = await h.rt.db.query<{ action: string; actor: string }>(
        'SELECT action, actor FROM referral_history WHERE referral_id = $1 ORDER BY seq',
        [referralId],
      );
      const me = `cpo:user:${officer.userId}`;
      expect(rows).toEqual([
        { action: 'prepared', actor: me },
        { action: 'sent', actor: me },
        { action: 'answered', actor: me },
      ]);
      const again = await officer.client.post(`${PATH}/${referralId}/risposta`, { on: '2027-03-02', summary: 'di nuovo' });
      expect(again.status).toBe(409);
      expect(textOf(again.html)).toContain('non è più in uno stato che consente questo passaggio');
    });

    it('the CN reads the list and moves nothing; another province’s officer finds nothing', async () => {
      const cn = await signedInStaff(h, 'cn', null, { now: () => clock });
      const read = textOf((await cn.client.get(`${PATH}?provincia=MI&biennio=2025`)).html);
      expect(read).toContain('Cognome1800 Nome1800');
      expect(read).not.toContain('Aggiorna l’elenco');
      expect((await cn.client.post(`${PATH}?provincia=MI&biennio=2025`, { februaryVersion: '1' })).status).toBe(403);
      const rome = await signedInStaff(h, 'cpo', 'RM', { now: () => clock });
      expect((await rome.client.get(`${PATH}/${referralId}`)).status).toBe(404);
      expect((await rome.client.get(`${PATH}/${referralId}/lettera.pdf`)).status).toBe(404);
      expect((await rome.client.post(`${PATH}/${referralId}/risposta`, { on: '2027-03-02', summary: 'x' })).status).toBe(404);
      expect(textOf((await rome.client.get(`${PATH}?biennio=2025`)).html)).not.toContain('Cognome1800');
    });
  });
}
