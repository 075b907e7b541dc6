/**
 * Issue 15, the council's console (first part): a CPO officer sees the accreditation requests of
 * the province with the days left before silence means consent (R-EVT-3) and decides one in the
 * page, through the API's operation; another province's officer sees none of them.
 */
import crypto from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { signedInStaff, textOf } from '../support/console-client.ts';
import { createCpoOrganiser, createKindEOrganiser, createMembers, kindEWebinar, pastWebinar, questionPool, romeAfternoon } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const DAY = 24 * 3600_000;

for (const backend of backendsOf(import.meta.url)) {
  describe(`the council's accreditation queue on ${backend}`, () => {
    let h: Harness;
    let eventId: string;
    let keys: Awaited<ReturnType<typeof createKindEOrganiser>>;

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false });
      const today = DateTime.now().setZone('Europe/Rome');
      keys = await createKindEOrganiser(h, 'MI', { from: today.minus({ years: 1 }).toISODate()!, until: today.plus({ years: 1 }).toISODate()! });
      const start = Date.now() + 30 * DAY;
      const created = await h.api('POST', '/v1/events', {
        key: keys.organiser,
        body: { ...kindEWebinar(start, start + 2 * 3600_000), questions: questionPool(30) },
      });
      expect(created.status, created.text).toBe(201);
      eventId = created.body.id;
    });
    afterAll(async () => h?.close());

    it('lists the request with its deadline and decides it with the deliberation’s reference', async () => {
      const officer = await signedInStaff(h, 'cpo', 'MI');
      const page = await officer.client.get('/console/accreditamenti');
      expect(page.status).toBe(200);
      const text = textOf(page.html);
      expect(text).toContain('Aggiornamento sul diritto del lavoro');
      expect(text).toContain('Formazione Lavoro Srl');
      // Requested today: the CPO's 10 days end on the 10th calendar day (R-EVT-3, R-CAL-3).
      expect(text).toContain('(mancano 10 giorni)');
      const missing = await officer.client.post(`/console/accreditamenti/${eventId}`, { decision: 'approve', reference: '' });
      expect(missing.status).toBe(422);
      expect(textOf(missing.html)).toContain('riferimento della delibera');
      const done = await officer.client.post(`/console/accreditamenti/${eventId}`, { decision: 'approve', reference: 'Delibera 14/2026' });
      expect(done.location).toBe('/console/accreditamenti?esito=deciso');
      const ev = await h.api('GET', `/v1/events/${eventId}`, { key: keys.organiser });
      expect(ev.body.accreditation).toMatchObject({ status: 'approved', reference: 'Delibera 14/2026' });
      expect(textOf((await officer.client.get('/console/accreditamenti?esito=deciso')).html)).toContain('Nessuna richiesta in attesa');
      const again = await officer.client.post(`/console/accreditamenti/${eventId}`, { decision: 'reject', reference: 'Delibera 15/2026' });
      expect(again.status).toBe(409);
    });

    it('another province’s officer sees none of them; a provider’s office has no such page', async () => {
      const start = Date.now() + 31 * DAY;
      const other = await h.api('POST', '/v1/events', {
        key: keys.organiser,
        body: { ...kindEWebinar(start, start + 2 * 3600_000), questions: questionPool(30) },
      });
      expect(other.status).toBe(201);
      const rome = await signedInStaff(h, 'cpo', 'RM');
      expect(textOf((await rome.client.get('/console/accreditamenti')).html)).toContain('Nessuna richiesta in attesa');
      expect((await rome.client.post(`/console/accreditamenti/${other.body.id}`, { decision: 'approve', reference: 'X' })).status).toBe(404);
      const office = await signedInStaff(h, 'organiser', keys.organiserId);
      expect((await office.client.get('/console/accreditamenti')).status).toBe(403);
    });
  });
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`the province's members in the council's console on ${backend}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, { worker: false });
    });
    afterAll(async () => h?.close());

    it('lists the province’s balances with a status filter, finds a member by codice fiscale, and hands over the dashboard link', async () => {
      const cn = await h.key('cn');
      const members = await createMembers(h, cn, ['MI', 'MI', 'RM'], 300);
      const officer = await signedInStaff(h, 'cpo', 'MI');
      const list = textOf((await officer.client.get('/console/iscritti')).html);
      expect(list).toContain('Cognome300 Nome300');
      expect(list).toContain('Cognome301 Nome301');
      expect(list).not.toContain('Cognome302'); // Roma's member
      expect(list).toContain('0 di 50');
      const compliantOnly = textOf((await officer.client.get('/console/iscritti?stato=compliant')).html);
      expect(compliantOnly).toContain('Nessun iscritto corrisponde');
      const found = textOf((await officer.client.get(`/console/iscritti?cf=${members[1]!.codiceFiscale}`)).html);
      expect(found).toContain('Cognome301 Nome301');
      expect(found).not.toContain('Cognome300');
      const elsewhere = textOf((await officer.client.get(`/console/iscritti?cf=${members[2]!.codiceFiscale}`)).html);
      expect(elsewhere).toContain('Nessun iscritto della provincia con questo codice fiscale');
      const link = await officer.client.post(`/console/iscritti/${members[0]!.id}/cruscotto`);
      expect(link.status).toBe(200);
      const url = /<code>(http[^<]+\/m\/[^<]+)<\/code>/.exec(link.html)?.[1];
      expect(url).toBeTruthy();
      expect((await fetch(`${h.url}${new URL(url!).pathname}`)).status).toBe(200);
      expect((await officer.client.post(`/console/iscritti/${members[2]!.id}/cruscotto`)).status).toBe(404);
    });
  });
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`the council raises a tolerance in the console on ${backend}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, { worker: false });
    });
    afterAll(async () => h?.close());

    it('from the day after the event, with a reason, recorded as the officer (R-ATT-2, R-ACC-7)', async () => {
      const keys = await createCpoOrganiser(h, 'MI');
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(romeAfternoon(3), 2) });
      expect(ev.status, ev.text).toBe(201);
      const officer = await signedInStaff(h, 'cpo', 'MI');
      const page = await officer.client.get(`/console/eventi/${ev.body.id}/presenze`);
      expect(page.status).toBe(200);
      expect(textOf(page.html)).toContain('Tolleranza attuale');
      const bad = await officer.client.post(`/console/eventi/${ev.body.id}/presenze/tolleranza`, { minutes: '90', reason: 'connessione instabile' });
      expect(bad.location).toContain('errore=tolleranza');
      const ok = await officer.client.post(`/console/eventi/${ev.body.id}/presenze/tolleranza`, {
        minutes: '45',
        reason: 'Problemi di connessione della piattaforma',
      });
      expect(ok.location).toBe(`/console/eventi/${ev.body.id}/presenze?esito=tolleranza`);
      expect((await h.api('GET', `/v1/events/${ev.body.id}`, { key: keys.organiser })).body.toleranceMinutes).toBe(45);
      const { rows } = await h.rt.db.query<{ changed_by: string }>('SELECT changed_by FROM tolerance_changes WHERE event_id = $1', [ev.body.id]);
      expect(rows.map((r) => r.changed_by)).toEqual([`cpo:user:${officer.userId}`]);
      // The provider's office sees the page without the council's form.
      const office = await signedInStaff(h, 'organiser', keys.organiserId);
      expect(textOf((await office.client.get(`/console/eventi/${ev.body.id}/presenze`)).html)).not.toContain('Tolleranza attuale');
    });
  });
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`members' requests in the council's console on ${backend}`, () => {
    let h: Harness;
    const clock = DateTime.fromISO('2027-02-10T12:00', { zone: 'Europe/Rome' }).toMillis();
    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, now: () => clock });
    });
    afterAll(async () => h?.close());

    it('validates an art. 9 declaration (with its attestation) and decides a debt request; a rejection needs its reason (R-ART9-3, R-DEBT-2, R-ACC-7)', async () => {
      const cn = await h.key('cn');
      const [member] = await createMembers(h, cn, ['MI'], 400);
      const link = (await h.api('POST', `/v1/members/${member!.id}/dashboard-link`, { key: await h.key('cpo', 'MI') })).body.url as string;
      const form = new FormData();
      for (const [k, v] of Object.entries({ activity: 'a', quantity: '3', date: '2027-02-01', description: 'Relazione al convegno ANCL' })) form.append(k, v);
      form.append('attestation', new Blob([new Uint8Array(Buffer.from('%PDF-1.4\n%%EOF\n'))], { type: 'application/pdf' }), 'attestato.pdf');
      const filed = await fetch(`${h.url}${new URL(link).pathname}/art9`, { method: 'POST', body: form, redirect: 'manual' });
      expect(filed.status).toBe(303);
      const debtId = crypto.randomUUID();
      await h.rt.db.query(
        "INSERT INTO debt_requests (id, member_id, province, biennium, total, deontology, filed_on, filed_at, status) VALUES ($1, $2, 'MI', 2025, 6, 0, '2027-02-05', now(), 'filed')",
        [debtId, member!.id],
      );
      const officer = await signedInStaff(h, 'cpo', 'MI', { now: () => clock });
      const page = await officer.client.get('/console/richieste');
      const text = textOf(page.html);
      expect(text).toContain('Relazione al convegno ANCL');
      expect(text).toContain('Cognome400 Nome400');
      expect(text).toContain('6, di cui 0 di deontologia');
      const art9Id = /\/console\/richieste\/art9\/([0-9a-f-]{36})\/attestato/.exec(page.html)![1]!;
      const pdf = await officer.client.get(`/console/richieste/art9/${art9Id}/attestato`);
      expect(pdf.status).toBe(200);
      expect(pdf.html.startsWith('%PDF')).toBe(true);
      const noReason = await officer.client.post(`/console/richieste/debito/${debtId}`, { decision: 'reject', reason: '' });
      expect(noReason.status).toBe(422);
      expect((await officer.client.post(`/console/richieste/art9/${art9Id}`, { decision: 'validate', reason: '' })).location).toBe(
        '/console/richieste?esito=deciso',
      );
      expect((await officer.client.post(`/console/richieste/debito/${debtId}`, { decision: 'accept', reason: '' })).location).toBe(
        '/console/richieste?esito=deciso',
      );
      const decided = await h.rt.db.query<{ decided_by: string }>(
        'SELECT decided_by FROM art9_declarations WHERE id = $1 UNION ALL SELECT decided_by FROM debt_requests WHERE id = $2',
        [art9Id, debtId],
      );
      expect(decided.rows.map((r) => r.decided_by)).toEqual([`cpo:user:${officer.userId}`, `cpo:user:${officer.userId}`]);
      expect(textOf((await officer.client.get('/console/richieste')).html)).toContain('Nessuna dichiarazione in attesa');
    });
  });
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`reduction requests in the council's console on ${backend}`, () => {
    let h: Harness;
    const clock = DateTime.fromISO('2027-04-15T12:00', { zone: 'Europe/Rome' }).toMillis();
    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, now: () => clock });
    });
    afterAll(async () => h?.close());

    it('takes a request through protocol and approval, offering only the steps R-RED-7 allows', async () => {
      const cn = await h.key('cn');
      const [member] = await createMembers(h, cn, ['MI'], 450);
      const link = (await h.api('POST', `/v1/members/${member!.id}/dashboard-link`, { key: await h.key('cpo', 'MI') })).body.url as string;
      const form = new FormData();
      for (const [k, v] of Object.entries({ biennio: '2027', causa: 'illness', from: '2027-01-10', to: '2027-03-10' })) form.append(k, v);
      form.append('documents', new Blob([new Uint8Array(Buffer.from('%PDF-1.4\n%%EOF\n'))], { type: 'application/pdf' }), 'certificato.pdf');
      const filed = await fetch(`${h.url}${new URL(link).pathname}/reduction`, { method: 'POST', body: form, redirect: 'manual' });
      expect(filed.status).toBe(303);
      const officer = await signedInStaff(h, 'cpo', 'MI', { now: () => clock });
      const page = await officer.client.get('/console/riduzioni');
      const id = /\/console\/riduzioni\/([0-9a-f-]{36})\/protocollo/.exec(page.html)?.[1];
      expect(id).toBeTruthy();
      expect(page.html).not.toContain(`/console/riduzioni/${id}/decisione`); // no decision before the protocol
      expect(textOf(page.html)).toContain('Cognome450 Nome450');
      const doc = /\/console\/riduzioni\/[0-9a-f-]{36}\/documenti\/([0-9a-f-]{36})/.exec(page.html)![1]!;
      expect((await officer.client.get(`/console/riduzioni/${id}/documenti/${doc}`)).status).toBe(200);
      expect((await officer.client.post(`/console/riduzioni/${id}/protocollo`, { protocolNumber: 'PROT-2027-88', officer: 'Giulia Ferri' })).location).toBe(
        '/console/riduzioni?esito=fatto',
      );
      const next = await officer.client.get('/console/riduzioni');
      expect(next.html).toContain(`/console/riduzioni/${id}/decisione`);
      expect(next.html).not.toContain(`/console/riduzioni/${id}/protocollo`);
      expect((await officer.client.post(`/console/riduzioni/${id}/decisione`, { decision: 'deny', reasons: '' })).status).toBe(422);
      expect((await officer.client.post(`/console/riduzioni/${id}/decisione`, { decision: 'approve', reasons: '' })).location).toBe(
        '/console/riduzioni?esito=fatto',
      );
      const r = await h.api('GET', `/v1/reduction-requests/${id}`, { key: cn });
      expect(r.body).toMatchObject({ status: 'approved', protocolNumber: 'PROT-2027-88' });
      expect(r.body.steps.map((s: { actor: string }) => s.actor).slice(1)).toEqual([`cpo:user:${officer.userId}`, `cpo:user:${officer.userId}`]);
      expect(textOf((await officer.client.get('/console/riduzioni')).html)).toContain('Nessuna richiesta aperta');
    });
  });
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`the province's policy in the council's console on ${backend}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, { worker: false });
    });
    afterAll(async () => h?.close());

    it('shows the national profile, applies another with a reason, and names the officer in the history (R-POL-1, R-POL-2)', async () => {
      const officer = await signedInStaff(h, 'cpo', 'RC', { name: 'Anna Calabrò' });
      const before = textOf((await officer.client.get('/console/regole')).html);
      expect(before).toContain('Profilo in vigore: Nazionale');
      expect(before).toContain('Nessun cambio registrato');
      expect((await officer.client.post('/console/regole', { profile: 'RC', reason: '' })).status).toBe(422);
      expect((await officer.client.post('/console/regole', { profile: 'RC', reason: 'Delibera 3/2027' })).location).toBe('/console/regole?esito=cambiato');
      const after = textOf((await officer.client.get('/console/regole')).html);
      expect(after).toContain('Profilo in vigore: Reggio Calabria');
      expect(after).toContain('Giorni per decidere una riduzione 30');
      expect(after).toContain('Delibera 3/2027');
      expect(after).toContain('Anna Calabrò');
      const api = await h.api('GET', '/v1/provinces/RC/policy', { key: await h.key('cn') });
      expect(api.body).toMatchObject({ profile: 'RC', changedBy: `cpo:user:${officer.userId}` });
      // The CN reads any province and changes none here.
      const cn = await signedInStaff(h, 'cn');
      expect(textOf((await cn.client.get('/console/regole?provincia=RC')).html)).toContain('Reggio Calabria');
      expect((await cn.client.post('/console/regole', { profile: 'BA', reason: 'x' })).status).toBe(403);
    });
  });
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`distance grants in the council's console on ${backend}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, { worker: false });
    });
    afterAll(async () => h?.close());

    it('a CPO grants 60% for parenthood by codice fiscale, the CN sees the alert, the CPO revokes it with a reason (R-FAD-3)', async () => {
      const cn = await h.key('cn');
      const [member] = await createMembers(h, cn, ['MI'], 500);
      const officer = await signedInStaff(h, 'cpo', 'MI', { name: 'Giulia Ferri' });
      const year = DateTime.now().setZone('Europe/Rome').year;
      const fields = {
        ground: 'parenthood',
        pct: '60',
        cf: member!.codiceFiscale,
        deliberation: 'Delibera 7',
        cnOpinion: '',
        validFrom: `${year}-01-01`,
        validUntil: `${year}-12-31`,
      };
      const tooMuch = await officer.client.post('/console/deroghe', { ...fields, pct: '80' });
      expect(tooMuch.status).toBe(422);
      expect(textOf(tooMuch.html)).toContain('non rispetta le regole');
      expect((await officer.client.post('/console/deroghe', fields)).location).toBe('/console/deroghe?esito=concessa');
      const list = textOf((await officer.client.get('/console/deroghe')).html);
      expect(list).toContain('Figlio di età inferiore a un anno');
      expect(list).toContain('60%');
      expect(list).toContain('Giulia Ferri');
      const balance = await h.api('GET', `/v1/members/${member!.id}/balance`, { key: cn });
      expect(balance.body.distance.pct).toBe(60);
      const cnPerson = await signedInStaff(h, 'cn');
      const cnPage = await cnPerson.client.get('/console/deroghe');
      const alertId = /\/console\/deroghe\/avvisi\/(\d+)/.exec(cnPage.html)?.[1];
      expect(alertId).toBeTruthy();
      expect((await cnPerson.client.post(`/console/deroghe/avvisi/${alertId}`)).location).toBe('/console/deroghe?esito=visto');
      const grantId = /\/console\/deroghe\/([0-9a-f-]{36})\/revoca/.exec((await officer.client.get('/console/deroghe')).html)![1]!;
      expect((await officer.client.post(`/console/deroghe/${grantId}/revoca`, { reason: '' })).status).toBe(422);
      expect((await officer.client.post(`/console/deroghe/${grantId}/revoca`, { reason: 'Concessa per errore' })).location).toBe(
        '/console/deroghe?esito=revocata',
      );
      expect((await h.api('GET', `/v1/members/${member!.id}/balance`, { key: cn })).body.distance.pct).toBe(40);
    });
  });
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`the verification in the council's console on ${backend}`, () => {
    let h: Harness;
    const clock = DateTime.fromISO('2027-02-20T10:00', { zone: 'Europe/Rome' }).toMillis();
    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, now: () => clock });
    });
    afterAll(async () => h?.close());

    it('runs the February phase, a second run changes nothing, and the CSV lists every member (R-VER-1, R-VER-5)', async () => {
      const cn = await h.key('cn');
      const members = await createMembers(h, cn, ['MI', 'MI'], 600);
      const officer = await signedInStaff(h, 'cpo', 'MI', { now: () => clock });
      const before = textOf((await officer.client.get('/console/verifiche')).html);
      expect(before).toContain('Verifica del biennio 2025–2026');
      expect(before).toContain('non è ancora stata eseguita');
      const first = textOf((await officer.client.post('/console/verifiche?biennio=2025&fase=february')).html);
      expect(first).toContain('Nuova versione 1');
      expect(first).toContain('Cognome600 Nome600');
      expect(first).toContain('Non in regola');
      const second = textOf((await officer.client.post('/console/verifiche?biennio=2025&fase=february')).html);
      expect(second).toContain('Nulla è cambiato dalla versione 1');
      const csv = await officer.client.get('/console/verifiche/esporta.csv?biennio=2025&fase=february');
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const lines = csv.html
        .replace(/^\uFEFF/, '')
        .trim()
        .split(/\r?\n/);
      expect(lines[0]).toBe('Codice fiscale;Cognome;Nome;Situazione;Crediti;Di cui deontologia;Obbligo;Mancano;Mancano di deontologia');
      expect(lines).toHaveLength(3);
      expect(lines.some((l) => l.startsWith(`${members[1]!.codiceFiscale};Cognome601;Nome601;Non in regola;0;`))).toBe(true);
      // June runs only after 30 June.
      expect((await officer.client.post('/console/verifiche?biennio=2025&fase=june')).status).toBe(409);
    });
  });
}
