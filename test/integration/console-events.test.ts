/**
 * Issue 14, "The provider's console", events: through HTTP as an organiser's staff would use it.
 * The list says each event's status in words (the CPO's countdown to consent by silence,
 * R-EVT-3); a webinar is created with the form (Rome date-times), a refused one says why in
 * Italian at its field; a kind-e webinar is created with its 30 questions from a spreadsheet, and
 * a pool that breaks R-QST-3 is refused naming the file's line; registrations are imported with
 * a row report; the Zoom connection shows its webhook URL and secret once; another organiser's
 * event is a 404.
 */
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { signedInStaff, textOf, type StaffPerson } from '../support/console-client.ts';
import { codiceFiscale, createKindEOrganiser, createMembers, kindEWebinar, pastWebinar, questionPool, type CreatedMember } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const rome = (local: string) => DateTime.fromISO(local, { zone: 'Europe/Rome' }).toMillis();
const NOW = rome('2026-12-07T10:00');
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** A CSV of questions in the documented columns (Domanda, Risposta 1..6, Risposta corretta). */
function poolCsv(questions: ReturnType<typeof questionPool>): string {
  const head = ['Domanda', 'Risposta 1', 'Risposta 2', 'Risposta 3', 'Risposta 4', 'Risposta 5', 'Risposta 6', 'Risposta corretta'];
  const lines = questions.map((q) => [q.text, ...Array.from({ length: 6 }, (_, j) => q.options[j] ?? ''), String(q.correct + 1)].join(';'));
  return `${[head.join(';'), ...lines].join('\n')}\n`;
}

/** The same questions as a workbook: a title row above the headers, the right answer as a number cell. */
async function poolXlsx(questions: ReturnType<typeof questionPool>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Domande');
  ws.addRow(['Domande del questionario']);
  ws.addRow(['Domanda', 'Risposta 1', 'Risposta 2', 'Risposta 3', 'Risposta 4', 'Risposta 5', 'Risposta 6', 'Risposta corretta']);
  for (const q of questions) ws.addRow([q.text, ...Array.from({ length: 6 }, (_, j) => q.options[j] ?? null), q.correct + 1]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const form = (fields: Record<string, string>, files: Record<string, { name: string; body: string | Buffer }> = {}) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const [k, v] of Object.entries(files))
    f.append(k, new Blob([typeof v.body === 'string' ? v.body : new Uint8Array(v.body)], { type: v.name.endsWith('.xlsx') ? XLSX_TYPE : 'text/csv' }), v.name);
  return f;
};

const webinarFields = (extra: Record<string, string> = {}) => ({
  title: 'Le novità della legge di bilancio',
  mode: 'webinar',
  cpoProvince: 'MI',
  venueProvince: '',
  speakers: 'Relatrice Una\nRelatore Due',
  start: '2026-12-20T14:00',
  end: '2026-12-20T16:00',
  credits: '2',
  toleranceMinutes: '20',
  'topic-1-title': 'Legge di bilancio',
  'topic-1-deontology': 'on',
  platformName: 'zoom',
  platformMeetingId: `zoom-${Math.random().toString(36).slice(2, 10)}`,
  ...extra,
});

for (const backend of backendsOf(import.meta.url)) {
  describe(`provider's console: events on ${backend}`, () => {
    let h: Harness;
    let cn: string;
    let orgB: { id: string; key: string };
    let orgE: Awaited<ReturnType<typeof createKindEOrganiser>>;
    let staffB: StaffPerson;
    let staffE: StaffPerson;
    let members: CreatedMember[];
    const now = () => NOW;

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, now });
      cn = await h.key('cn');
      const res = await h.api('POST', '/v1/organisers', { key: cn, body: { kind: 'b', name: 'Fondazione Studi' } });
      expect(res.status, res.text).toBe(201);
      orgB = { id: res.body.id, key: await h.key('organiser', res.body.id) };
      orgE = await createKindEOrganiser(h, 'MI', { from: '2026-01-01', until: '2027-12-31' });
      staffB = await signedInStaff(h, 'organiser', orgB.id, { now, name: 'Paola Fondazione' });
      staffE = await signedInStaff(h, 'organiser', orgE.organiserId, { now, name: 'Marco Formazione' });
      members = await createMembers(h, cn, ['MI', 'MI', 'RM'], 700);
    });
    afterAll(async () => h?.close());

    it('lists the events with their status in words: requested with the countdown, rejected, upcoming, live, ended, closed', async () => {
      const make = async (key: string, body: Record<string, unknown>) => {
        const r = await h.api('POST', '/v1/events', { key, body });
        expect(r.status, r.text).toBe(201);
        return r.body.id as string;
      };
      await make(orgB.key, pastWebinar(NOW - 5 * DAY, 2, { title: 'Webinar concluso' }));
      const closed = await make(orgB.key, pastWebinar(NOW - 6 * DAY, 2, { title: 'Webinar chiuso' }));
      expect((await h.api('POST', `/v1/events/${closed}/close`, { key: orgB.key })).status).toBe(200);
      await make(orgB.key, pastWebinar(NOW - HOUR, 2, { title: 'Webinar in corso' }));
      await make(orgB.key, pastWebinar(NOW + 5 * DAY, 2, { title: 'Webinar in programma' }));
      const start = rome('2027-01-20T14:00');
      await make(orgE.organiser, { ...kindEWebinar(start, start + 2 * HOUR), title: 'Webinar richiesto', questions: questionPool() });
      const rejected = await make(orgE.organiser, {
        ...kindEWebinar(start + DAY, start + DAY + 2 * HOUR),
        title: 'Webinar respinto',
        questions: questionPool(30, 'R'),
      });
      const d = await h.api('POST', `/v1/events/${rejected}/accreditation`, { key: orgE.cpo, body: { decision: 'reject', reference: 'Delibera 12/2026' } });
      expect(d.status, d.text).toBe(200);

      const list = await staffB.client.get('/console/eventi');
      expect(list.status).toBe(200);
      const text = textOf(list.html);
      expect(text).toContain('Webinar concluso');
      expect(text).toContain('Webinar concluso 2 dicembre 2026, 10:00–12:00 Webinar 2 Concluso');
      expect(list.html).toMatch(/Webinar chiuso[\s\S]*?data-status="closed">\s*<strong>Chiuso/);
      expect(list.html).toMatch(/Webinar in corso[\s\S]*?data-status="live">\s*<strong>In corso/);
      expect(list.html).toMatch(/Webinar in programma[\s\S]*?data-status="upcoming">\s*<strong>In programma/);
      expect(text).not.toContain('Webinar richiesto');

      const listE = textOf((await staffE.client.get('/console/eventi')).html);
      expect(listE).toContain('Webinar richiesto 20 gennaio 2027, 14:00–16:00 Webinar 2 Accreditamento richiesto');
      expect(listE).toContain('il CPO ha ancora 10 giorni per rispondere; assenso per silenzio dal 18 dicembre 2026');
      expect(listE).toContain('Webinar respinto');
      expect(listE).toContain('Accreditamento respinto (Delibera Delibera 12/2026)');
    });

    it('creates a webinar with the form: Rome date-times become instants, the page shows it; a rule it breaks is said in Italian at its field', async () => {
      const bad = await staffB.client.upload('/console/eventi/nuovo', form(webinarFields({ credits: '3' })));
      expect(bad.status).toBe(422);
      expect(textOf(bad.html)).toContain('I crediti non possono superare le ore intere dell’evento');
      expect(bad.html).toMatch(/<a href="#credits">I crediti non possono superare/);
      expect(bad.html).toContain('id="credits-error"');
      expect(bad.html).toContain('value="Le novità della legge di bilancio"');

      const badDate = await staffB.client.upload('/console/eventi/nuovo', form(webinarFields({ start: 'domani alle 14' })));
      expect(badDate.status).toBe(422);
      expect(badDate.html).toMatch(/<a href="#start">Indichi data e ora/);

      const fields = webinarFields();
      const ok = await staffB.client.upload('/console/eventi/nuovo', form(fields));
      expect(ok.status, textOf(ok.html)).toBe(303);
      const id = /^\/console\/eventi\/([0-9a-f-]{36})\?esito=creato$/.exec(ok.location ?? '')?.[1];
      expect(id).toBeTruthy();
      const api = await h.api('GET', `/v1/events/${id}`, { key: orgB.key });
      expect(api.body.start).toBe('2026-12-20T13:00:00.000Z');
      expect(api.body.end).toBe('2026-12-20T15:00:00.000Z');
      expect(api.body.toleranceMinutes).toBe(20);
      expect(api.body.speakers).toEqual(['Relatrice Una', 'Relatore Due']);
      expect(api.body.topics).toEqual([{ title: 'Legge di bilancio', start: api.body.start, end: api.body.end, deontology: true }]);
      expect(api.body.platform).toEqual({ name: 'zoom', meetingId: fields.platformMeetingId });
      const page = await staffB.client.get(ok.location!);
      const text = textOf(page.html);
      expect(text).toContain('Evento creato.');
      expect(text).toContain('Stato: In programma (Accreditato)');
      expect(text).toContain('20 dicembre 2026, 14:00–16:00');
      expect(page.html).toContain(`href="/console/eventi/${id}/presenze"`);
      expect(page.html).toContain(`href="/console/eventi/${id}/iscrizioni"`);
      // An event accredited by right changes until it starts (R-CHG-1).
      expect(page.html).toContain(`href="/console/eventi/${id}/modifica"`);

      const again = await staffB.client.upload('/console/eventi/nuovo', form(fields));
      expect(again.status).toBe(409);
      expect(textOf(again.html)).toContain('Un altro evento dell’ente usa già questo ID della riunione');
    });

    it('a kind-e webinar needs its 30 questions: refused without, refused with a bad file (naming the line), created with a good spreadsheet', async () => {
      const fields = webinarFields({ title: 'Webinar con questionario', start: '2027-01-15T14:00', end: '2027-01-15T16:00' });
      const page = await staffE.client.get('/console/eventi/nuovo');
      expect(textOf(page.html)).toContain('Importa le domande da un file (.xlsx o CSV)');
      const template = await staffE.client.get('/console/eventi/modello-domande.csv');
      expect(template.headers.get('content-disposition')).toContain('modello-domande.csv');
      expect(template.html).toContain('Domanda;Risposta 1;Risposta 2;Risposta 3;Risposta 4;Risposta 5;Risposta 6;Risposta corretta');

      const none = await staffE.client.upload('/console/eventi/nuovo', form(fields));
      expect(none.status).toBe(422);
      expect(textOf(none.html)).toContain('servono le 30 domande del questionario');

      const broken = questionPool(29);
      broken[2] = { ...broken[2]!, options: ['Uguale', 'uguale', 'Altra'] };
      const bad = await staffE.client.upload('/console/eventi/nuovo', form(fields, { questionsFile: { name: 'domande.csv', body: poolCsv(broken) } }));
      expect(bad.status).toBe(422);
      const badText = textOf(bad.html);
      expect(badText).toContain('Le domande del questionario non rispettano le regole (R-QST-3)');
      expect(badText).toContain('Le domande devono essere esattamente 30 (R-QST-3).');
      expect(badText).toContain('Domanda 3 (riga 4 del file): due risposte sono uguali.');

      const ok = await staffE.client.upload(
        '/console/eventi/nuovo',
        form(fields, { questionsFile: { name: 'domande.csv', body: poolCsv(questionPool(30, 'K')) } }),
      );
      expect(ok.status, textOf(ok.html)).toBe(303);
      expect(ok.location).toMatch(/esito=creato-richiesta$/);
      const eventUrl = ok.location!.split('?')[0]!;
      const ev = textOf((await staffE.client.get(ok.location!)).html);
      expect(ev).toContain('Evento creato e accreditamento richiesto al CPO.');
      expect(ev).toContain('Domande del questionario (30 di 30)');
      const pool = await staffE.client.get(`${eventUrl}/domande`);
      expect(textOf(pool.html)).toContain('Domande attuali (30)');
      expect(textOf(pool.html)).toContain('K07 Quale norma disciplina il caso numero 7?');

      // Replaced while the accreditation is requested: from a workbook, then through the plain form.
      const fromXlsx = await staffE.client.upload(
        `${eventUrl}/domande`,
        form({}, { questionsFile: { name: 'domande.xlsx', body: await poolXlsx(questionPool(30, 'W')) } }),
      );
      expect(fromXlsx.status, textOf(fromXlsx.html)).toBe(303);
      expect(textOf((await staffE.client.get(fromXlsx.location!)).html)).toContain('W07 Quale norma disciplina il caso numero 7?');
      const emptyPost = await staffE.client.upload(`${eventUrl}/domande`, form({}));
      expect(emptyPost.status).toBe(422);
      expect(textOf(emptyPost.html)).toContain('Importi le 30 domande da un foglio di calcolo oppure le scriva nel modulo.');
      const typed: Record<string, string> = {};
      questionPool(30, 'T').forEach((q, i) => {
        typed[`q-${i + 1}-text`] = q.text;
        typed[`q-${i + 1}-options`] = q.options.join('\n');
        typed[`q-${i + 1}-correct`] = String(q.correct + 1);
      });
      const refused = await staffE.client.upload(`${eventUrl}/domande`, form({ ...typed, 'q-5-correct': '9' }));
      expect(refused.status).toBe(422);
      expect(textOf(refused.html)).toContain('Domanda 5: la risposta corretta deve essere il numero di una delle risposte date.');
      expect(refused.html).toContain('href="#q-5-correct"');
      const replaced = await staffE.client.upload(`${eventUrl}/domande`, form(typed));
      expect(replaced.status).toBe(303);
      const after = textOf((await staffE.client.get(replaced.location!)).html);
      expect(after).toContain('Domande del questionario sostituite.');
      expect(after).toContain('T07 Quale norma disciplina il caso numero 7?');
      expect(after).not.toContain('K07');
    });

    it('imports registrations from a CSV: the accepted count and each refused row by its line, then the list', async () => {
      const start = NOW + 3 * DAY;
      const created = await h.api('POST', '/v1/events', { key: orgB.key, body: pastWebinar(start, 2, { title: 'Webinar con iscrizioni' }) });
      const base = `/console/eventi/${created.body.id}/iscrizioni`;
      const template = await staffB.client.get(`${base}/modello.csv`);
      expect(template.html).toContain('Codice fiscale;E-mail;ID iscritto piattaforma');
      const csv = [
        'Codice fiscale;E-mail;ID iscritto piattaforma',
        `${members[0]!.codiceFiscale};Persona.Uno@Studio.example.it;reg-1`,
        'RSSMRA85T10A562X;;',
        `${codiceFiscale(99_001)};;`,
        `${members[1]!.codiceFiscale};non-una-mail;`,
        `${members[2]!.codiceFiscale};;reg-3`,
        '',
      ].join('\n');
      const res = await staffB.client.upload(base, form({}, { file: { name: 'iscrizioni.csv', body: csv } }));
      expect(res.status).toBe(200);
      const text = textOf(res.html);
      expect(text).toMatch(/Iscrizioni registrate: 2 ?\. Righe scartate: 3 ?\./);
      expect(text).toContain('Riga 3: codice fiscale non valido.');
      expect(text).toContain('Riga 4: nessun iscritto all’Albo con questo codice fiscale.');
      expect(text).toContain('Riga 5: e-mail non valida.');
      expect(text).toContain('Registrati ma fuori dal pubblico del webinar (non riceveranno crediti, R-EVT-4): righe 6.');
      expect(text).toContain('Iscritti (2)');
      expect(text).toContain('persona.uno@studio.example.it');
      const api = await h.api('GET', `/v1/events/${created.body.id}/registrations`, { key: orgB.key });
      expect(api.body.items.map((r: { registrantId: string }) => r.registrantId).sort()).toEqual(['reg-1', 'reg-3']);

      const noFile = await staffB.client.upload(base, form({}));
      expect(noFile.status).toBe(422);
      expect(textOf(noFile.html)).toContain('Scelga un file da importare.');
      const noHeader = await staffB.client.upload(base, form({}, { file: { name: 'x.csv', body: 'a;b\n1;2\n' } }));
      expect(noHeader.status).toBe(422);
      expect(textOf(noHeader.html)).toContain('Il file non ha le colonne richieste');
    });

    it('connects Zoom: the webhook URL and the secret are shown once, never again', async () => {
      const secret = 'zoom-secret-token-0123456789';
      const res = await staffB.client.post('/console/piattaforme', { secretToken: secret });
      expect(res.status).toBe(200);
      const text = textOf(res.html);
      expect(text).toContain('Copi ora questi dati: non saranno più mostrati.');
      const url = /<code>(http[^<]+\/v1\/webhooks\/zoom\/[0-9a-f-]{36})<\/code>/.exec(res.html)?.[1];
      expect(url).toBeTruthy();
      expect(res.html).toContain(`<code>${secret}</code>`);
      const again = await staffB.client.get('/console/piattaforme');
      expect(again.html).not.toContain(secret);
      expect(again.html).not.toContain(url!);
      expect(textOf(again.html)).toMatch(/Zoom, creato (?:il (?:1°|\d{1,2})|l’(?:8|11)) \p{L}+ \d{4} alle \d{2}:\d{2}/u);
      const { rows } = await h.rt.db.query<{ organiser_id: string }>('SELECT organiser_id FROM platform_connections WHERE id = $1', [url!.split('/').pop()]);
      expect(rows[0]?.organiser_id).toBe(orgB.id);
      const empty = await staffB.client.post('/console/piattaforme', { secretToken: ' ' });
      expect(empty.status).toBe(422);
      expect(textOf(empty.html)).toContain('Questo campo è obbligatorio.');
    });

    it('another organiser’s event, a missing one and a malformed id are the same 404; other roles may not open the pages', async () => {
      const other = await h.api('POST', '/v1/events', { key: orgB.key, body: pastWebinar(NOW + 9 * DAY, 2, { title: 'Evento di un altro ente' }) });
      for (const path of [`/console/eventi/${other.body.id}`, `/console/eventi/${other.body.id}/iscrizioni`, `/console/eventi/${other.body.id}/domande`]) {
        const r = await staffE.client.get(path);
        expect(r.status, path).toBe(404);
        expect(textOf(r.html)).toContain('Evento non trovato');
      }
      const post = await staffE.client.upload(`/console/eventi/${other.body.id}/iscrizioni`, form({}, { file: { name: 'a.csv', body: 'Codice fiscale\n' } }));
      expect(post.status).toBe(404);
      expect((await staffE.client.get('/console/eventi/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await staffE.client.get('/console/eventi/not-an-id')).status).toBe(404);
      const cpo = await signedInStaff(h, 'cpo', 'MI', { now });
      // A CPO reads the list of what it accredits (national-console.test.ts), never the organiser's pages or forms.
      expect((await cpo.client.get('/console/eventi/nuovo')).status).toBe(403);
      expect((await cpo.client.get(`/console/eventi/${other.body.id}`)).status).toBe(403);
    });

    it('refuses a cross-site form and keeps ordinary forms within 32 KiB while uploads get their own limit', async () => {
      const forged = await staffB.client.post('/console/piattaforme', { secretToken: 'x' }, { origin: 'https://evil.example' });
      expect(forged.status).toBe(403);
      const big = await staffB.client.post('/console/piattaforme', { secretToken: 'x'.repeat(40 * 1024) });
      expect(big.status).toBe(413);
      const bigUpload = await staffB.client.upload(
        `/console/eventi/${(await h.api('GET', '/v1/events', { key: orgB.key })).body.items[0].id}/iscrizioni`,
        form({}, { file: { name: 'i.csv', body: `Codice fiscale\n${'RSSMRA85T10A562S\n'.repeat(3000)}` } }),
      );
      expect(bigUpload.status).not.toBe(413);
    });
  });
}
