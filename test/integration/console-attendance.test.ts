/**
 * Issue 14, the provider's console for one event's attendance, through HTTP with a signed-in
 * organiser: ingest-derived outcomes with their Italian explanations, a correction recorded with
 * the person as author (R-ACC-7, R-ATT-6) and shown with the person's name, both workbook layouts
 * and the blank template downloaded (R-TPL-1, R-TPL-2), a filled file with one bad row uploaded
 * as a browser form (R-TPL-3), closing the course (R-EVT-7), another organiser's event is 404,
 * and the course page's SCORM package upload with its compliance report (R-ELN-5).
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { textOf, signedInStaff, type StaffPerson } from '../support/console-client.ts';
import { createCpoOrganiser, createMembers, pastWebinar, romeAfternoon, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { elearningEvent, scormFixtureZip } from '../support/scorm.ts';
import { parseWorkbook, sheetCells } from '../support/xlsx.ts';

const MIN = 60_000;

for (const backend of backendsOf(import.meta.url)) {
  describe(`the provider's console for an event's attendance on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let other: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let members: CreatedMember[];
    let person: StaffPerson;
    let eventId: string;
    const start = romeAfternoon(3);
    const rome = (minutes: number) => DateTime.fromMillis(start + minutes * MIN, { zone: 'Europe/Rome' });
    const base = () => `/console/eventi/${eventId}/presenze`;

    /** What a browser sends for a GET with the session cookie, bytes kept. */
    async function download(path: string) {
      const res = await fetch(h.url + path, { headers: { cookie: `cdl_console=${person.client.cookie('cdl_console')}` } });
      return { status: res.status, headers: res.headers, buf: Buffer.from(await res.arrayBuffer()) };
    }
    /** A browser form with a file (`multipart/form-data`), with the session cookie and the page's origin. */
    async function postFile(
      who: StaffPerson,
      path: string,
      file: { name: string; type: string; bytes: Uint8Array | string },
      fields: Record<string, string> = {},
    ) {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.set(k, v);
      form.set('file', new Blob([file.bytes as BlobPart], { type: file.type }), file.name);
      const res = await fetch(h.url + path, {
        method: 'POST',
        body: form,
        headers: { cookie: `cdl_console=${who.client.cookie('cdl_console')}`, origin: h.url },
        redirect: 'manual',
      });
      return { status: res.status, html: await res.text() };
    }
    const outcomeOf = async (memberId: string) => {
      const res = await h.api('GET', `/v1/events/${eventId}/outcomes?limit=100`, { key: keys.organiser });
      return (res.body.outcomes as any[]).find((o) => o.memberId === memberId);
    };

    beforeAll(async () => {
      h = await startHarness(backend);
      keys = await createCpoOrganiser(h, 'MI');
      other = await createCpoOrganiser(h, 'BG');
      members = await createMembers(h, keys.cn, Array(4).fill('MI'), 700);
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(start, 3) });
      expect(ev.status, ev.text).toBe(201);
      eventId = ev.body.id;
      const reg = await h.api('POST', `/v1/events/${eventId}/registrations`, {
        key: keys.organiser,
        body: { registrations: members.map((m) => ({ memberId: m.id, email: m.email })) },
      });
      expect(reg.body.registered, reg.text).toBe(4);
      // The platform: member 0 throughout, member 1 joins and never leaves, a guest nobody registered.
      const at = (m: number) => new Date(start + m * MIN).toISOString();
      const records = [
        { id: 'a-j', type: 'join', at: at(0), participant: { email: members[0]!.email, connectionId: 'c0' } },
        { id: 'a-l', type: 'leave', at: at(180), participant: { email: members[0]!.email, connectionId: 'c0' } },
        { id: 'b-j', type: 'join', at: at(0), participant: { email: members[1]!.email, connectionId: 'c1' } },
        { id: 'g-j', type: 'join', at: at(5), participant: { email: 'ospite@altrove.example.it', name: 'Ospite Esterno', connectionId: 'c9' } },
        { id: 'g-l', type: 'leave', at: at(90), participant: { email: 'ospite@altrove.example.it', name: 'Ospite Esterno', connectionId: 'c9' } },
      ];
      const res = await h.api('POST', `/v1/ingest/webinar/${eventId}`, { key: keys.platform, body: { records } });
      expect(res.status, res.text).toBe(202);
      person = await signedInStaff(h, 'organiser', keys.organiserId, { name: 'Giulia Bianchi' });
      await eventually(async () => (await outcomeOf(members[1]!.id))?.status === 'incomplete');
    });

    afterAll(async () => {
      await h?.close();
    });

    it('shows every outcome with its Italian explanation, counts, incomplete and unmatched participants', async () => {
      const page = await person.client.get(base());
      expect(page.status).toBe(200);
      const text = textOf(page.html);
      expect(text).toContain('Cognome700 Nome700');
      expect(text).toContain('Crediti riconosciuti');
      expect(text).toContain('Assenza entro la tolleranza');
      expect(text).toContain('Presenza incompleta');
      expect(text).toContain('Ingresso senza uscita registrata');
      expect(text).toContain('Partecipanti non abbinati');
      expect(text).toContain('Ospite Esterno');
      expect(text).toContain('Nessuna iscrizione corrisponde ai dati della piattaforma');
      expect(text).toMatch(/Crediti riconosciuti: 1/);
      expect(text).toMatch(/Presenza incompleta: 1/);
      expect(text).toContain('Primo calcolo degli esiti'.toLowerCase());
      // A filter is a page of its own.
      const only = textOf((await person.client.get(`${base()}?stato=incomplete`)).html);
      expect(only).toContain('Esiti: Presenza incompleta');
      expect(only).toContain('Cognome701 Nome701');
      expect(only).not.toContain('Assenza entro la tolleranza');
    });

    it('a correction is recorded with the person as author and shown with their name (R-ATT-6, R-ACC-7)', async () => {
      const m = members[1]!;
      const form = await person.client.get(`${base()}/correzione?membro=${m.id}`);
      expect(form.status).toBe(200);
      expect(textOf(form.html)).toContain('Correzione delle presenze');
      // The reason is required.
      const missing = await person.client.post(`${base()}/correzioni`, {
        memberId: m.id,
        type: 'leave',
        date: rome(0).toISODate()!,
        time: '17:00',
        reason: '',
      });
      expect(missing.status).toBe(422);
      expect(textOf(missing.html)).toContain('Scriva il motivo della correzione');
      const reason = 'Uscita comunicata via e-mail dal partecipante';
      const sent = await person.client.post(`${base()}/correzioni`, {
        memberId: m.id,
        type: 'leave',
        date: rome(180).toISODate()!,
        time: rome(180).toFormat('HH:mm'),
        reason,
      });
      expect(sent.status, sent.html.slice(0, 500)).toBe(303);
      expect(sent.location).toBe(`${base()}?esito=correzione#correzioni`);
      const { rows } = await h.rt.db.query<{ author: string; reason: string; member_id: string; kind: string; occurred_at: Date }>(
        "SELECT author, reason, member_id, kind, occurred_at FROM tracking_records WHERE event_id = $1 AND source = 'correction'",
        [eventId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ author: `organiser:user:${person.userId}`, reason, member_id: m.id, kind: 'leave' });
      expect(rows[0]!.occurred_at.getTime()).toBe(start + 180 * MIN);
      const d = await h.rt.db.query<{ headers: Record<string, string> }>("SELECT headers FROM deliveries WHERE source = 'correction' ORDER BY id DESC LIMIT 1");
      expect(d.rows[0]!.headers).toMatchObject({ author: `user:${person.userId}`, role: 'organiser' });
      await eventually(async () => (await outcomeOf(m.id))?.status === 'credited');
      const text = textOf((await person.client.get(`${base()}?esito=correzione`)).html);
      expect(text).toContain('Correzione registrata');
      expect(text).toMatch(/Correzioni \(1\)/);
      expect(text).toContain('Giulia Bianchi');
      expect(text).toContain(reason);
      expect(text).toContain('1 correzioni dell’ente');
    });

    it('downloads both workbook layouts and the blank template, streamed with an Italian file name', async () => {
      const intervals = await download(`${base()}.xlsx?layout=intervals`);
      expect(intervals.status).toBe(200);
      expect(intervals.headers.get('content-disposition')).toMatch(/^attachment; filename="presenze_\d{4}-\d{2}-\d{2}_novita-in-materia-di-lavoro\.xlsx"$/);
      const rowsI = sheetCells(parseWorkbook(intervals.buf), 'Presenze');
      expect(rowsI.length).toBeGreaterThan(2);
      const participants = await download(`${base()}.xlsx?layout=participants`);
      expect(participants.status).toBe(200);
      expect(participants.headers.get('content-disposition')).toContain('presenze-partecipanti_');
      const header = sheetCells(parseWorkbook(participants.buf), 'Presenze')[0]!.map((c) => c?.v);
      expect(header).toContain('Minuti di presenza');
      const blank = await download(`${base()}.xlsx?blank=true`);
      expect(blank.status).toBe(200);
      expect(blank.headers.get('content-disposition')).toContain('modello-presenze_');
      const cf = sheetCells(parseWorkbook(blank.buf), 'Presenze')
        .slice(1)
        .map((r) => String(r[3]?.v ?? ''));
      expect(cf).toEqual(expect.arrayContaining(members.map((m) => m.codiceFiscale)));
    });

    it('uploads a filled file as a browser form: the accepted rows and the bad row with its line (R-TPL-3)', async () => {
      const day = rome(0).toFormat('dd/MM/yyyy');
      const csv = [
        'Codice fiscale;Data evento;Ora di ingresso;Ora di uscita',
        `${members[2]!.codiceFiscale};${day};${rome(0).toFormat('HH:mm')};${rome(180).toFormat('HH:mm')}`,
        `${members[3]!.codiceFiscale};${day};${rome(120).toFormat('HH:mm')};${rome(60).toFormat('HH:mm')}`,
      ].join('\n');
      const res = await postFile(person, `${base()}/file`, { name: 'presenze compilate.csv', type: 'text/csv', bytes: csv }, { presence: 'online' });
      expect(res.status, res.html.slice(0, 500)).toBe(200);
      const text = textOf(res.html);
      expect(text).toContain('Righe accettate: 1');
      expect(text).toContain('Righe rifiutate (1)');
      expect(text).toMatch(/Riga 3 L’ora di uscita è precedente all’ora di ingresso/);
      expect(text).toContain('presenze compilate.csv');
      const { rows } = await h.rt.db.query<{ author: string }>("SELECT DISTINCT author FROM tracking_records WHERE event_id = $1 AND source = 'upload'", [
        eventId,
      ]);
      expect(rows.map((r) => r.author)).toEqual([`organiser:user:${person.userId}`]);
      // Nothing valid: nothing stored, the rows still reported.
      const bad = await postFile(person, `${base()}/file`, {
        name: 'x.csv',
        type: 'text/csv',
        bytes: csv
          .split('\n')
          .filter((_, i) => i !== 1)
          .join('\n'),
      });
      expect(bad.status).toBe(422);
      expect(textOf(bad.html)).toContain('Nessuna riga del file può essere accettata');
      expect(textOf(bad.html)).toContain('Riga 2');
      // Larger than the console's 32 KiB form limit: the upload's own limit applies.
      const big = `${csv}\n${'x;;;\n'.repeat(10_000)}`;
      expect(big.length).toBeGreaterThan(32 * 1024);
      const large = await postFile(person, `${base()}/file`, { name: 'grande.csv', type: 'text/csv', bytes: big });
      expect([200, 422]).toContain(large.status);
      expect(textOf(large.html)).toContain('Esito del caricamento');
    });

    it("another organiser's event is the same 404 as an unknown one", async () => {
      const stranger = await signedInStaff(h, 'organiser', other.organiserId);
      for (const path of [base(), `${base()}.xlsx`, `/console/eventi/${eventId}/corso`, '/console/eventi/00000000-0000-4000-8000-000000000000/presenze']) {
        const page = await stranger.client.get(path);
        expect(page.status, path).toBe(404);
        expect(textOf(page.html)).toContain('Evento non trovato');
      }
      const up = await postFile(stranger, `${base()}/file`, { name: 'a.csv', type: 'text/csv', bytes: 'x' });
      expect(up.status).toBe(404);
      const corr = await stranger.client.post(`${base()}/correzioni`, {
        memberId: members[0]!.id,
        type: 'leave',
        date: '2026-01-01',
        time: '10:00',
        reason: 'prova',
      });
      expect(corr.status).toBe(404);
    });

    it('closes the course after a confirmation (R-EVT-7); the organiser can no longer change attendance', async () => {
      const confirm = await person.client.get(`${base()}/chiudi`);
      expect(confirm.status).toBe(200);
      expect(textOf(confirm.html)).toContain('Chiudere il corso?');
      const closed = await person.client.post(`${base()}/chiudi`);
      expect(closed.status).toBe(303);
      expect(closed.location).toBe(`${base()}?esito=chiuso`);
      const { rows } = await h.rt.db.query<{ closed_at: Date | null; closed_by: string }>('SELECT closed_at, closed_by FROM events WHERE id = $1', [eventId]);
      expect(rows[0]!.closed_at).not.toBeNull();
      expect(rows[0]!.closed_by).toBe(`user:${person.userId}`);
      const text = textOf((await person.client.get(`${base()}?esito=chiuso`)).html);
      expect(text).toContain('Corso chiuso');
      expect(text).toContain('Il corso è chiuso.');
      expect(text).not.toContain('Carica il file delle presenze compilato');
      const again = await person.client.post(`${base()}/chiudi`);
      expect(again.status).toBe(409);
      const late = await postFile(person, `${base()}/file`, { name: 'a.csv', type: 'text/csv', bytes: 'x' });
      expect(late.status).toBe(409);
      expect(textOf(late.html)).toContain('Il corso è chiuso');
    });

    it('the course page uploads a SCORM package and shows the compliance report (R-ELN-5)', async () => {
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: elearningEvent(Date.now() - 3600_000, 'Sicurezza in azienda') });
      expect(ev.status, ev.text).toBe(201);
      const course = `/console/eventi/${ev.body.id}/corso`;
      const before = await person.client.get(course);
      expect(before.status).toBe(200);
      expect(textOf(before.html)).toContain('Nessun pacchetto caricato');
      const res = await postFile(person, `${course}/pacchetto`, { name: 'corso.zip', type: 'application/zip', bytes: scormFixtureZip('scorm12') });
      expect(res.status, res.html.slice(0, 500)).toBe(201);
      const text = textOf(res.html);
      expect(text).toContain('caricato: SCORM 1.2');
      expect(text).toContain('Verifica di conformità');
      expect(text).toContain('Pacchetto SCORM 1.2, SCORM 2004 o cmi5 con almeno un’unità didattica');
      expect(text).toContain('Verificato sul pacchetto');
      const { rows } = await h.rt.db.query<{ uploaded_by: string }>('SELECT uploaded_by FROM scorm_packages WHERE event_id = $1', [ev.body.id]);
      expect(rows.map((r) => r.uploaded_by)).toEqual([`organiser:user:${person.userId}`]);
      // Not a zip: refused in Italian, the package kept.
      const bad = await postFile(person, `${course}/pacchetto`, { name: 'a.zip', type: 'application/zip', bytes: 'not a zip' });
      expect(bad.status).toBe(422);
      expect(textOf(bad.html)).toContain('Il pacchetto SCORM deve essere un file .zip');
      // Enrolled members are listed with their progress, in the console and the API alike.
      const enrol = await h.api('POST', `/v1/events/${ev.body.id}/enrolments`, { key: keys.organiser, body: { memberIds: [members[0]!.id] } });
      expect(enrol.status, enrol.text).toBe(200);
      const listed = await h.api('GET', `/v1/events/${ev.body.id}/enrolments`, { key: keys.cpo });
      expect(listed.status, listed.text).toBe(200);
      expect(listed.body).toMatchObject({ total: 1, enrolments: [{ memberId: members[0]!.id, surname: 'Cognome700', outcome: null }] });
      const withEnrolment = textOf((await person.client.get(course)).html);
      expect(withEnrolment).toContain('Iscritti al corso (1)');
      expect(withEnrolment).toContain('Cognome700 Nome700');
      expect(withEnrolment).toContain('non risulta ancora iniziato');
      const launch = await person.client.post(`${course}/iscritti/${members[0]!.id}/avvio`);
      expect(launch.status).toBe(200);
      expect(launch.html).toMatch(/value="http:\/\/127\.0\.0\.1:\d+\/lms\/play\/[^"]+"/);
      // Once members are enrolled the package cannot be replaced.
      const notZip = await postFile(person, `${course}/pacchetto`, { name: 'a.zip', type: 'application/zip', bytes: 'not a zip' });
      expect(notZip.status).toBe(409);
      expect(textOf(notZip.html)).toContain('il pacchetto che seguono non può più essere sostituito');
      // A webinar has no course page.
      expect((await person.client.get(`/console/eventi/${eventId}/corso`)).status).toBe(404);
    });

    it('the course page takes the declaration (R-ELN-5) and enrols the event’s registered members, through the API’s operations', async () => {
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: elearningEvent(Date.now() - 3600_000, 'Privacy e lavoro') });
      const course = `/console/eventi/${ev.body.id}/corso`;
      expect((await postFile(person, `${course}/pacchetto`, { name: 'corso.zip', type: 'application/zip', bytes: scormFixtureZip('scorm12') })).status).toBe(
        201,
      );
      const page = await person.client.get(course);
      expect(textOf(page.html)).toContain('Dichiarazione del corso');
      const scos = [...page.html.matchAll(/name="(module-\d+-sco)" value="([^"]+)"/g)].map((m) => [m[1]!, m[2]!] as const);
      expect(scos.map(([, v]) => v)).toEqual(['ITEM-1', 'ITEM-2', 'ITEM-TEST']);
      const form: Record<string, string> = {
        nominalMinutes: '40',
        masteryScore: '75',
        bankQuestions: '32',
        questionsPerAttempt: '16',
        randomDraw: 'on',
        retryDifferentQuestions: 'on',
        accessWindowMonths: '6',
      };
      scos.forEach(([k, v], i) => {
        form[k] = v;
        form[k.replace('-sco', '-minutes')] = i === 2 ? '10' : '15';
      });
      const bad = await person.client.post(`${course}/dichiarazione`, { ...form, masteryScore: '' });
      expect(bad.status).toBe(422);
      expect(textOf(bad.html)).toContain('soglia di superamento');
      const saved = await person.client.post(`${course}/dichiarazione`, form);
      expect(saved.status, textOf(saved.html).slice(0, 300)).toBe(303);
      const decl = await h.api('GET', `/v1/events/${ev.body.id}/elearning/compliance`, { key: keys.organiser });
      expect(decl.body.declaration).toMatchObject({
        nominalMinutes: 40,
        masteryScore: 75,
        accessWindowMonths: 6,
        finalTest: { bankQuestions: 32, randomDraw: true },
      });
      expect(decl.body.compliant).toBe(true);
      // Registrations to the event become enrolments in one step.
      const regs = members.slice(0, 2).map((m) => ({ memberId: m.id }));
      expect((await h.api('POST', `/v1/events/${ev.body.id}/registrations`, { key: keys.organiser, body: { registrations: regs } })).status).toBe(200);
      const enrolled = await person.client.post(`${course}/abilita-iscritti`);
      expect(enrolled.status).toBe(200);
      expect(textOf(enrolled.html)).toContain('Iscritti al corso (2)');
      const listed = await h.api('GET', `/v1/events/${ev.body.id}/enrolments`, { key: keys.organiser });
      expect(listed.body.total).toBe(2);
    });
  });
}
