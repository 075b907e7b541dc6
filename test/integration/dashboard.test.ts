/**
 * The member dashboard through HTTP on both databases (deliverable 7): a member with credits (one
 * webinar through the attendance pipeline, others stored as credit records of real events), a
 * dashboard link issued by the CPO, the page's totals and the Italian reasons of what did not count
 * (R-FAD-5, R-QST-1, R-ART9-3); an art. 9 declaration with a PDF, a refused file, a reduction
 * previewed then filed and taken through the CPO's procedure (R-RED-7), a debt request after the
 * biennium (R-DEBT-2), each seen on the page and in the council APIs; an expired link; a
 * member who cannot touch another member's request through their own link; a deontology gap that
 * opens the debt form though the total is reached; stored file names cleaned and typed by content;
 * requests listed newest first; and posts refused before their body is read (bad link, no length).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { codiceFiscale, createCpoOrganiser, createMembers, pastWebinar, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';

const ROME = 'Europe/Rome';
const rome = (local: string) => DateTime.fromISO(local, { zone: ROME }).toMillis();
/** The product's "today" when the test starts: the second year of the 2025–2026 biennium. */
const T1 = rome('2026-11-23T12:00');
/** After the biennium, inside the debt request window (R-DEBT-2). */
const T2 = rome('2027-01-15T12:00');

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const ZIP = Buffer.from('PK\u0003\u0004 not a pdf at all');

/** The page as text: tags dropped, entities of the escaped values decoded, spaces collapsed. */
function text(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** What a raw post answered before its body was finished (or `null` when nothing came in time). */
interface EarlyAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  html: string;
}

/**
 * Starts a post whose body never ends (chunked unless `headers` gives a length) and waits for the
 * answer: a server that reads the body first never answers; one that refuses first answers at once.
 */
function unfinishedPost(url: string, headers: Record<string, string>, chunk: string, waitMs = 5000): Promise<EarlyAnswer | null> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(null);
    }, waitMs);
    req.on('response', (res) => {
      let html = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (html += d));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, html });
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.flushHeaders();
    req.write(chunk);
  });
}

/** The text of the table row or request card whose text contains `needle`. */
function rowOf(html: string, needle: string): string {
  const found = [...html.matchAll(/<tr>[\s\S]*?<\/tr>|<article[\s\S]*?<\/article>/g)].map((m) => text(m[0])).find((r) => r.includes(needle));
  if (!found) throw new Error(`no row with ${needle}`);
  return found;
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`member dashboard on ${backend}`, { timeout: 120_000 }, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let a: CreatedMember;
    let b: CreatedMember;
    let tokenA: string;
    let tokenB: string;
    let reductionId: string;
    let art9Id: string;
    const titles = {
      pipeline: 'Webinar sul nuovo CCNL',
      w1: 'Webinar paghe 2025',
      w2: 'Webinar previdenza 2026',
      inPerson: 'Seminario in sede',
      pending: 'Webinar con questionario',
      absent: 'Webinar sulla sicurezza',
    };
    let offset = T1 - Date.now();
    const now = () => Date.now() + offset;

    const get = async (path: string) => {
      const res = await fetch(h.url + path, { redirect: 'manual' });
      return { status: res.status, headers: res.headers, html: await res.text() };
    };
    const post = async (
      path: string,
      fields: Record<string, string>,
      files: Array<[string, Buffer, string, string]> = [],
      headers: Record<string, string> = {},
    ) => {
      let body: FormData | URLSearchParams;
      if (files.length) {
        const fd = new FormData();
        for (const [k, v] of Object.entries(fields)) fd.append(k, v);
        for (const [field, bytes, name, type] of files) fd.append(field, new File([new Uint8Array(bytes)], name, { type }));
        body = fd;
      } else body = new URLSearchParams(fields);
      const res = await fetch(h.url + path, { method: 'POST', body, redirect: 'manual', headers });
      return { status: res.status, headers: res.headers, html: await res.text() };
    };
    const dashboardLink = async (memberId: string) => {
      const res = await h.api('POST', `/v1/members/${memberId}/dashboard-link`, { key: keys.cpo });
      expect(res.status, res.text).toBe(201);
      return new URL(res.body.url).pathname.replace(/^\/m\//, '');
    };
    const createEvent = async (title: string, startLocal: string, hours: number, extra: Record<string, unknown> = {}) => {
      const res = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(rome(startLocal), hours, { title, ...extra }) });
      expect(res.status, res.text).toBe(201);
      return res.body.id as string;
    };
    const credit = async (eventId: string, year: number, credits: number, deontology: number, mode: string, status = 'granted', memberId = a.id) => {
      await h.rt.db.query(
        `INSERT INTO credit_records (member_id, event_id, fraction, credits, deontology_credits, mode, year, status, derived_at)
         VALUES ($1, $2, 0, $3, $4, $5, $6, $7, now())`,
        [memberId, eventId, credits, deontology, mode, year, status],
      );
    };

    beforeAll(async () => {
      h = await startHarness(backend, { now });
      keys = await createCpoOrganiser(h, 'MI');
      const created = await createMembers(h, keys.cn, ['MI', 'MI'], 700);
      a = created[0]!;
      b = created[1]!;

      // One credit through the pipeline: a 3-hour webinar three days before "today", first hour deontology.
      const start = rome('2026-11-20T14:00');
      const ev = await createEvent(titles.pipeline, '2026-11-20T14:00', 3);
      const reg = await h.api('POST', `/v1/events/${ev}/registrations`, {
        key: keys.organiser,
        body: { registrations: [{ memberId: a.id, registrantId: 'reg-a' }] },
      });
      expect(reg.status, reg.text).toBe(200);
      const records = [
        { id: 'a-j', type: 'join', at: new Date(start).toISOString(), participant: { registrantId: 'reg-a' } },
        { id: 'a-l', type: 'leave', at: new Date(start + 3 * 3600_000).toISOString(), participant: { registrantId: 'reg-a' } },
      ];
      const ing = await h.api('POST', `/v1/ingest/webinar/${ev}`, { key: keys.platform, body: { records } });
      expect(ing.status, ing.text).toBe(202);
      expect((await h.api('POST', `/v1/events/${ev}/close`, { key: keys.organiser })).status).toBe(200);
      await eventually(async () => {
        const c = await h.api('GET', `/v1/members/${a.id}/credits`, { key: keys.cn });
        return c.body?.credits?.find((x: any) => x.eventId === ev && x.status === 'granted');
      });

      // A webinar attended without credit: away 50 minutes in the middle, beyond the 30 of tolerance (R-ATT-3, R-ATT-4).
      const startAbsent = rome('2026-11-18T14:00');
      const evAbsent = await createEvent(titles.absent, '2026-11-18T14:00', 3);
      const regAbsent = await h.api('POST', `/v1/events/${evAbsent}/registrations`, {
        key: keys.organiser,
        body: { registrations: [{ memberId: a.id, registrantId: 'reg-a2' }] },
      });
      expect(regAbsent.status, regAbsent.text).toBe(200);
      const at = (minutes: number) => new Date(startAbsent + minutes * 60_000).toISOString();
      const away = [
        { id: 'b-j1', type: 'join', at: at(0), participant: { registrantId: 'reg-a2', connectionId: 'c1' } },
        { id: 'b-l1', type: 'leave', at: at(60), participant: { registrantId: 'reg-a2', connectionId: 'c1' } },
        { id: 'b-j2', type: 'join', at: at(110), participant: { registrantId: 'reg-a2', connectionId: 'c2' } },
        { id: 'b-l2', type: 'leave', at: at(180), participant: { registrantId: 'reg-a2', connectionId: 'c2' } },
      ];
      const ingAbsent = await h.api('POST', `/v1/ingest/webinar/${evAbsent}`, { key: keys.platform, body: { records: away } });
      expect(ingAbsent.status, ingAbsent.text).toBe(202);
      await eventually(async () => {
        const o = await h.api('GET', `/v1/events/${evAbsent}/outcomes`, { key: keys.organiser });
        return o.body?.outcomes?.find((x: any) => x.memberId === a.id && x.status === 'not-qualified' && x.absentMinutes === 50);
      });

      // The rest as credit records of real events: two long webinars (the distance cap binds), an
      // in-person seminar, and a webinar whose questionnaire is still to answer (pending, R-QST-1).
      await credit(await createEvent(titles.w1, '2025-05-10T09:00', 10), 2025, 10, 1, 'webinar');
      await credit(await createEvent(titles.inPerson, '2025-06-12T09:00', 4, { mode: 'in-person', venueProvince: 'MI' }), 2025, 4, 1, 'in-person');
      await credit(await createEvent(titles.w2, '2026-03-10T09:00', 10), 2026, 10, 1, 'webinar');
      const pendingEvent = await createEvent(titles.pending, '2026-10-05T09:00', 2);
      await credit(pendingEvent, 2026, 2, 0, 'webinar', 'pending');
      await h.rt.db.query(`INSERT INTO questionnaires (id, event_id, member_id, created_at_dispatch, status) VALUES ($1, $2, $3, now(), 'open')`, [
        crypto.randomUUID(),
        pendingEvent,
        a.id,
      ]);

      tokenA = await dashboardLink(a.id);
      tokenB = await dashboardLink(b.id);
    }, 120_000);

    afterAll(async () => {
      await h?.close();
    });

    it('shows the totals, the yearly objectives, each credit and why part of it did not count', async () => {
      const res = await get(`/m/${tokenA}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const t = text(res.html);
      expect(t).toContain(`Nome700 Cognome700`);
      expect(t).toContain('Biennio 2025–2026');
      expect(t).toContain('In corso');
      // 4 in person + 20 of the 23 distance credits (R-FAD-2: 40% of 50); deontology 1 + 3.
      expect(t).toMatch(/24\/50 Crediti totali/);
      expect(t).toMatch(/4\/6 Crediti deontologici/);
      expect(t).toMatch(/0\/30 Crediti altre attività formative/);
      expect(t).toMatch(/20\/20 Crediti formazione a distanza/);
      expect(t).toContain('Crediti ancora mancanti: 26 in totale; 2 deontologici.');
      // R-OBL-2: suggestions, per year.
      // 2025 is over: not reached; 2026 is still running: not reached yet.
      expect(t).toMatch(/2025 \(1° anno\) 14\/10 2\/3 Non raggiunto/);
      expect(t).toMatch(/2026 \(2° anno\) 10\/10 2\/3 Non ancora raggiunto/);
      // R-FAD-5: deontology first, then oldest first: the newest webinars lose what is over the cap.
      expect(rowOf(res.html, titles.w2)).toContain('1 credito non conteggiato: oltre il limite della formazione a distanza (40% dell’obbligo)');
      expect(rowOf(res.html, titles.pipeline)).toMatch(/Webinar .* 3 1 1$/);
      expect(rowOf(res.html, titles.pipeline)).toContain('2 crediti non conteggiati: oltre il limite della formazione a distanza');
      // Granted event credits link their attendance certificate (R-DOC-7); pending ones do not.
      expect(rowOf(res.html, titles.w1)).toMatch(/Webinar Scarica l’attestato \(PDF\) 10 10 1$/);
      expect(rowOf(res.html, titles.inPerson)).toMatch(/In presenza Scarica l’attestato \(PDF\) 4 4 1$/);
      expect(rowOf(res.html, titles.pending)).toContain('2 crediti non conteggiati: in attesa del superamento del questionario di verifica');
      expect(rowOf(res.html, titles.pending)).not.toContain('Scarica l’attestato');
      // Attended without credit: listed, nothing recorded, with the outcome's reason in Italian (R-ATT-9).
      expect(rowOf(res.html, titles.absent)).toBe(
        `18 novembre 2026 ${titles.absent} Webinar Crediti non riconosciuti: Assenza oltre la tolleranza (50 minuti di assenza, tolleranza 30 minuti) 0 0 0`,
      );
      // In date order among the credited ones: just before the pipeline webinar of 20 November.
      expect(res.html.indexOf(titles.absent)).toBeLessThan(res.html.indexOf(titles.pipeline));
      expect(res.html.indexOf(titles.absent)).toBeGreaterThan(res.html.indexOf(titles.pending));
      // The pending questionnaire with a fresh signed link to it.
      const link = /href="\/q\/([^"]+)"/.exec(res.html)?.[1];
      expect(link).toBeTruthy();
      const check = await h.rt.deps.links.verify('questionnaire', decodeURIComponent(link!), now());
      expect(check.ok).toBe(true);
      expect(t).toContain(`Compili il questionario: ${titles.pending}`);
      // Debt: the biennium is running, the rule is explained.
      expect(t).toContain('la richiesta di recupero, se servirà, si presenta dopo la sua fine');
      expect(res.html).not.toContain('name="total"');
    });

    it('says why the obligation or the distance cap differ: pro-rating of a new member, a raised percentage', async () => {
      // Registered on 15 March 2025: the obligation starts in April, 21 months of 24 → 44 / 5 (R-OBL-3).
      const created = await h.api('POST', '/v1/members', {
        key: keys.cn,
        body: {
          codiceFiscale: codiceFiscale(9001),
          surname: 'Rossi',
          givenName: 'Maria',
          province: 'MI',
          registerNumber: '9001',
          birthDate: '1990-01-01',
          registrationDate: '2025-03-15',
        },
      });
      expect(created.status, created.text).toBe(201);
      // A personal grant: 60% for parenthood (R-FAD-3).
      const grant = await h.api('POST', '/v1/distance-grants', {
        key: keys.cpo,
        body: {
          scope: 'member',
          ground: 'parenthood',
          pct: 60,
          memberIds: [created.body.id],
          deliberation: 'Delibera CPO MI 12/2026',
          validFrom: '2026-01-01',
          validUntil: '2026-12-31',
        },
      });
      expect(grant.status, grant.text).toBe(201);
      const t = text((await get(`/m/${await dashboardLink(created.body.id)}`)).html);
      expect(t).toContain('Maria Rossi');
      expect(t).toMatch(/0\/44 Crediti totali/);
      expect(t).toMatch(/0\/5 Crediti deontologici/);
      expect(t).toContain('Obbligo riproporzionato per l’iscrizione all’Albo del 15 marzo 2025: 21 mesi su 24, quindi 44 crediti di cui 5 deontologici.');
      // round(60% × 44) = 26.4 → 26.
      expect(t).toMatch(/0\/26 Crediti formazione a distanza/);
      expect(t).toContain(
        'conta al massimo il 60% dell’obbligo, cioè 26 crediti; percentuale elevata dal 40% al 60% (concessa personalmente, delibera Delibera CPO MI 12/2026, valida dal 1° gennaio 2026 al 31 dicembre 2026)',
      );
    });

    it('files an art. 9 declaration with a PDF: on the page as pending validation and in the council API', async () => {
      const res = await post(
        `/m/${tokenA}/art9`,
        { activity: 'a', quantity: '3', date: '2026-10-01', description: 'Relazione al convegno <b>provinciale</b>' },
        [['attestation', PDF, 'attestato.pdf', 'application/pdf']],
      );
      expect(res.status, res.html).toBe(303);
      expect(res.headers.get('location')).toBe(`/m/${tokenA}?esito=art9-filed#esito`);
      const page = await get(res.headers.get('location')!.replace(/#.*/, ''));
      const t = text(page.html);
      expect(t).toContain('Dichiarazione inviata');
      // Escaped, never markup.
      expect(page.html).toContain('Relazione al convegno &lt;b&gt;provinciale&lt;/b&gt;');
      expect(rowOf(page.html, 'Relazione al convegno')).toContain('6 crediti non conteggiati: in attesa di convalida da parte del Consiglio provinciale');
      expect(t).toContain('In attesa di convalida');
      const list = await h.api('GET', `/v1/art9-declarations?memberId=${a.id}`, { key: keys.cpo });
      expect(list.status).toBe(200);
      expect(list.body.declarations).toHaveLength(1);
      expect(list.body.declarations[0]).toMatchObject({
        activity: 'a',
        quantity: 3,
        activityDate: '2026-10-01',
        status: 'submitted',
        document: { name: 'attestato.pdf', contentType: 'application/pdf', size: PDF.length },
      });
      art9Id = list.body.declarations[0].id;
    });

    it('refuses a file that is not a PDF, PNG or JPEG by its content, whatever it claims to be', async () => {
      for (const [bytes, name, type] of [
        [ZIP, 'attestato.pdf', 'application/pdf'],
        [Buffer.from('solo testo'), 'nota.txt', 'text/plain'],
      ] as const) {
        const res = await post(`/m/${tokenA}/art9`, { activity: 'b', quantity: '2', date: '2026-09-01', description: 'Docenza' }, [
          ['attestation', bytes, name, type],
        ]);
        expect(res.status).toBe(422);
        expect(res.headers.get('content-type')).toMatch(/text\/html/);
        expect(text(res.html)).toContain('Sono ammessi solo file PDF, PNG o JPEG');
        expect(res.html).toContain('>Docenza</textarea>'); // what was typed comes back
      }
      const six = Array.from({ length: 6 }, (_, i): [string, Buffer, string, string] => ['attestation', PDF, `a${i}.pdf`, 'application/pdf']);
      const many = await post(`/m/${tokenA}/art9`, { activity: 'b', quantity: '2', date: '2026-09-01', description: 'Docenza' }, six);
      expect(many.status).toBe(422);
      expect(text(many.html)).toContain('al massimo 5 file');
      const list = await h.api('GET', `/v1/art9-declarations?memberId=${a.id}`, { key: keys.cpo });
      expect(list.body.declarations).toHaveLength(1);
    });

    it('stores a file under a cleaned name with the extension of its detected type, and lists the newest request first', async () => {
      const first = await post(`/m/${tokenB}/art9`, { activity: 'a', quantity: '1', date: '2026-09-01', description: 'Prima relazione' }, [
        ['attestation', PDF, 'prima.pdf', 'application/pdf'],
      ]);
      expect(first.status, first.html).toBe(303);
      offset += 60_000; // filed a minute later: the order does not hang on ids
      // A right-to-left override makes "x‮fdp.bat" look like "xtab.pdf"; the bytes are a PDF.
      const second = await post(`/m/${tokenB}/art9`, { activity: 'a', quantity: '2', date: '2026-10-01', description: 'Seconda relazione' }, [
        ['attestation', PDF, 'x\u202Efdp.bat', 'application/x-msdownload'],
      ]);
      expect(second.status, second.html).toBe(303);
      const list = await h.api('GET', `/v1/art9-declarations?memberId=${b.id}`, { key: keys.cpo });
      expect(list.body.declarations.map((d: any) => d.quantity)).toEqual([2, 1]); // newest first
      const stored = list.body.declarations[0].document;
      expect(stored).toMatchObject({ name: 'xfdp.pdf', contentType: 'application/pdf' });
      expect(stored.name).not.toContain('\u202E');
      expect(list.body.declarations[1].document.name).toBe('prima.pdf');
      // The dashboard's list of requests shows them newest first too (the credits table goes by activity date).
      const html = (await get(`/m/${tokenB}`)).html;
      const requests = html.slice(html.indexOf('id="richieste-art9"'), html.indexOf('id="richieste-debito"'));
      expect(requests.indexOf('Seconda relazione')).toBeGreaterThan(-1);
      expect(requests.indexOf('Seconda relazione')).toBeLessThan(requests.indexOf('Prima relazione'));
    });

    it('previews a reduction without filing it, then files it with a document', async () => {
      const fields = { biennio: '2025', causa: 'illness', from: '2026-03-01', to: '2026-05-31' };
      const preview = await post(`/m/${tokenA}/reduction/preview`, fields);
      expect(preview.status).toBe(200);
      const t = text(preview.html);
      // R-RED-2/4: 3 months → 6.25 → 6; 12% → 1 deontology; the obligation would be 44 / 5.
      expect(t).toContain('Riduzione calcolata: 6 crediti (1 deontologico, 5 ordinari)');
      expect(t).toMatch(/l’obbligo del biennio diventerebbe di 44 crediti ?, di cui 5 deontologici/);
      expect(preview.html).toContain('value="2026-03-01"');
      expect((await h.api('GET', `/v1/reduction-requests?memberId=${a.id}`, { key: keys.cpo })).body.requests).toHaveLength(0);

      const short = await post(`/m/${tokenA}/reduction/preview`, { ...fields, to: '2026-03-20' });
      expect(text(short.html)).toContain('inferiore a 30 giorni');

      const noDocs = await post(`/m/${tokenA}/reduction`, fields);
      expect(noDocs.status).toBe(422);
      expect(text(noDocs.html)).toContain('Alleghi almeno un documento');

      const filed = await post(`/m/${tokenA}/reduction`, fields, [['documents', PDF, 'certificato.pdf', 'application/pdf']]);
      expect(filed.status, filed.html).toBe(303);
      expect(filed.headers.get('location')).toBe(`/m/${tokenA}?esito=reduction-filed#esito`);
      const list = await h.api('GET', `/v1/reduction-requests?memberId=${a.id}`, { key: keys.cpo });
      expect(list.body.requests).toHaveLength(1);
      expect(list.body.requests[0]).toMatchObject({ cause: 'illness', biennium: 2025, status: 'filed', computed: { reduction: 6, deontology: 1 } });
      expect(list.body.requests[0].documents).toEqual([expect.objectContaining({ name: 'certificato.pdf', contentType: 'application/pdf', stage: 'filing' })]);
      reductionId = list.body.requests[0].id;
      const page = text((await get(`/m/${tokenA}?esito=reduction-filed`)).html);
      expect(page).toContain('Richiesta di riduzione dell’obbligo inviata');
      expect(page).toMatch(/Malattia — biennio 2025–2026 Stato Presentata/);
      expect(page).toContain('Riduzione calcolata 6 crediti, di cui 1 deontologico');
    });

    it('follows the procedure on the page; another member’s link cannot integrate or appeal the request', async () => {
      const ack = await h.api('POST', `/v1/reduction-requests/${reductionId}/acknowledge`, {
        key: keys.cpo,
        body: { protocolNumber: 'PROT-2026/15', officer: 'Dott.ssa Rossi' },
      });
      expect(ack.status, ack.text).toBe(200);
      const pre = await h.api('POST', `/v1/reduction-requests/${reductionId}/pre-denial`, { key: keys.cpo, body: { reasons: 'Manca il certificato medico' } });
      expect(pre.status, pre.text).toBe(200);
      const page = await get(`/m/${tokenA}`);
      const card = rowOf(page.html, 'Malattia — biennio');
      expect(card).toContain('Protocollo n. PROT-2026/15');
      expect(card).toContain('Responsabile Dott.ssa Rossi');
      expect(card).toContain('Motivi del preavviso Manca il certificato medico');
      expect(card).toContain('Integrazione entro 3 dicembre 2026');
      expect(page.html).toContain(`action="/m/${tokenA}/reductions/${reductionId}/integration#riduzione-${reductionId}"`);

      // Member B, with their own valid link, aims at A's request.
      const other = await post(`/m/${tokenB}/reductions/${reductionId}/integration`, { note: 'non mia' }, [['documents', PDF, 'x.pdf', 'application/pdf']]);
      expect(other.status).toBe(404);
      expect(text(other.html)).toContain('La richiesta indicata non è tra le sue.');
      expect(text(other.html)).toContain('Nome701 Cognome701');
      const otherAppeal = await post(`/m/${tokenB}/reductions/${reductionId}/appeal`, { text: 'ricorso' });
      expect(otherAppeal.status).toBe(404);
      let r = (await h.api('GET', `/v1/reduction-requests/${reductionId}`, { key: keys.cpo })).body;
      expect(r.status).toBe('pre-denied');
      expect(r.documents).toHaveLength(1);

      // A integrates.
      const integrated = await post(`/m/${tokenA}/reductions/${reductionId}/integration`, { note: 'Allego il certificato' }, [
        ['documents', PDF, 'certificato-medico.pdf', 'application/pdf'],
      ]);
      expect(integrated.status, integrated.html).toBe(303);
      expect(integrated.headers.get('location')).toContain('esito=integration-filed');
      r = (await h.api('GET', `/v1/reduction-requests/${reductionId}`, { key: keys.cpo })).body;
      expect(r.status).toBe('integrated');
      expect(r.documents.map((d: any) => d.stage)).toEqual(['filing', 'integration']);

      // Approved: the obligation of the biennium drops to 44 / 5 on the page (R-OBL-6).
      const approved = await h.api('POST', `/v1/reduction-requests/${reductionId}/decision`, { key: keys.cpo, body: { decision: 'approve' } });
      expect(approved.status, approved.text).toBe(200);
      const after = text((await get(`/m/${tokenA}`)).html);
      expect(after).toMatch(/22\/44 Crediti totali/); // 4 in person + 18 distance (40% of 44)
      expect(after).toMatch(/4\/5 Crediti deontologici/);
      expect(after).toContain('Riduzione per malattia: −6 crediti (di cui 1 deontologico), accolta dal Consiglio provinciale.');
      expect(after).toMatch(/18\/18 Crediti formazione a distanza/);

      // B still cannot appeal it; A can, once.
      expect((await post(`/m/${tokenB}/reductions/${reductionId}/appeal`, { text: 'ricorso' })).status).toBe(404);
      const appeal = await post(`/m/${tokenA}/reductions/${reductionId}/appeal`, { text: 'Chiedo il riesame della riduzione' });
      expect(appeal.status, appeal.html).toBe(303);
      expect((await h.api('GET', `/v1/reduction-requests/${reductionId}`, { key: keys.cpo })).body.status).toBe('appealed');
      const again = await post(`/m/${tokenA}/reductions/${reductionId}/appeal`, { text: 'di nuovo' });
      expect(again.status).toBe(422);
      expect(text(again.html)).toContain('questa operazione non è possibile');
    });

    it('counts the art. 9 activity once the CPO validates it', async () => {
      const v = await h.api('POST', `/v1/art9-declarations/${art9Id}/decision`, { key: keys.cpo, body: { decision: 'validate' } });
      expect(v.status, v.text).toBe(200);
      const t = text((await get(`/m/${tokenA}`)).html);
      expect(t).toMatch(/6\/30 Crediti altre attività formative/);
      // 4 in person + 18 distance (40% of 44) + 6 art. 9.
      expect(t).toMatch(/28\/44 Crediti totali/);
    });

    it('after the biennium: the old link has expired; with a new one the member files a debt request', async () => {
      offset = T2 - Date.now();
      const expired = await get(`/m/${tokenA}`);
      expect(expired.status).toBe(410);
      expect(text(expired.html)).toContain('Link scaduto');
      expect(text(expired.html)).toContain('Chieda un nuovo link al suo Consiglio provinciale');
      const expiredPost = await post(`/m/${tokenA}/debt`, { biennio: '2025', total: '3', deontology: '0' });
      expect(expiredPost.status).toBe(410);
      const invalid = await get(`/m/${tokenA.slice(0, -4)}AAAA`);
      expect(invalid.status).toBe(404);
      expect(text(invalid.html)).toContain('Link non valido');

      tokenA = await dashboardLink(a.id);
      const current = text((await get(`/m/${tokenA}`)).html);
      expect(current).toContain('Biennio 2027–2028');
      // 44 − 28 = 16 missing, 5 − 4 = 1 deontology.
      expect(current).toContain('Il biennio 2025–2026 si è chiuso con 16 crediti mancanti (1 deontologico)');
      const old = await get(`/m/${tokenA}?biennio=2025`);
      const ot = text(old.html);
      expect(ot).toContain('Non in regola');
      expect(ot).toContain('Si possono recuperare al massimo 12 crediti');
      expect(old.html).toContain('name="total"');

      const tooMany = await post(`/m/${tokenA}/debt`, { biennio: '2025', total: '13', deontology: '1' });
      expect(tooMany.status).toBe(422);
      expect(text(tooMany.html)).toContain('supera il massimo recuperabile');
      const filed = await post(`/m/${tokenA}/debt`, { biennio: '2025', total: '12', deontology: '1' });
      expect(filed.status, filed.html).toBe(303);
      expect(filed.headers.get('location')).toBe(`/m/${tokenA}?biennio=2025&esito=debt-filed#esito`);
      const page = text((await get(`/m/${tokenA}?biennio=2025&esito=debt-filed`)).html);
      expect(page).toContain('Richiesta di recupero inviata al Consiglio provinciale.');
      expect(page).toContain('Richiesta del 15 gennaio 2027: 12 crediti, di cui 1 deontologico — In attesa di decisione.');
      const list = await h.api('GET', `/v1/debt-requests?memberId=${a.id}`, { key: keys.cpo });
      expect(list.body.requests).toEqual([expect.objectContaining({ biennium: 2025, total: 12, deontology: 1, status: 'filed', filedOn: '2027-01-15' })]);
      // A reload of the redirect target files nothing; a second post is refused.
      const twice = await post(`/m/${tokenA}/debt`, { biennio: '2025', total: '12', deontology: '1' });
      expect(twice.status).toBe(422);
      expect((await h.api('GET', `/v1/debt-requests?memberId=${a.id}`, { key: keys.cpo })).body.requests).toHaveLength(1);
      expect(text((await get(`/m/${tokenA}`)).html)).toContain('La richiesta di recupero dei crediti del biennio 2025–2026 è in attesa di decisione');
    });

    it('answers every failure with an Italian page, never problem+json', async () => {
      const cross = await post(`/m/${tokenA}/debt`, { biennio: '2025', total: '1', deontology: '0' }, [], { 'sec-fetch-site': 'cross-site' });
      expect(cross.status).toBe(403);
      expect(cross.headers.get('content-type')).toMatch(/text\/html/);
      const nowhere = await post(`/m/${tokenA}/nowhere`, {});
      expect(nowhere.status).toBe(404);
      expect(nowhere.headers.get('content-type')).toMatch(/text\/html/);
      // Forms without files say the form is too long, not that files are too large.
      for (const path of [`/m/${tokenA}/debt`, `/m/${tokenA}/reductions/${reductionId}/appeal`]) {
        const huge = await fetch(`${h.url}${path}`, {
          method: 'POST',
          body: 'x='.padEnd(70_000, 'y'),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        expect(huge.status).toBe(413);
        const t = text(await huge.text());
        expect(t).toContain('Il modulo inviato è troppo lungo');
        expect(t).not.toContain('File troppo grandi');
      }
      const formGet = await get(`/m/${tokenA}/art9`);
      expect(formGet.status).toBe(303);
      expect(formGet.headers.get('location')).toBe(`/m/${tokenA}`);
    });

    it('checks the link before reading a post’s body; a post with files must say its length', async () => {
      const multipart = { 'content-type': 'multipart/form-data; boundary=x' };
      const chunk = '--x\r\nContent-Disposition: form-data; name="note"\r\n\r\n' + 'y'.repeat(64 * 1024);
      const expiredToken = await h.rt.deps.links.sign('dashboard', a.id, new Date(now() - 60_000));
      // A garbage or expired link: the Italian page at once, while the body is still coming.
      for (const [token, path, status, words] of [
        ['garbage', 'art9', 404, 'Link non valido'],
        ['garbage', 'debt', 404, 'Link non valido'],
        ['garbage', `reductions/${reductionId}/integration`, 404, 'Link non valido'],
        [expiredToken, 'reduction', 410, 'Link scaduto'],
        [expiredToken, `reductions/${reductionId}/appeal`, 410, 'Link scaduto'],
      ] as const) {
        const res = await unfinishedPost(`${h.url}/m/${encodeURIComponent(token)}/${path}`, multipart, chunk);
        expect(res, `${token} ${path}`).not.toBeNull();
        expect(res!.status).toBe(status);
        expect(res!.headers['content-type']).toMatch(/text\/html/);
        expect(text(res!.html)).toContain(words);
      }
      // A valid link, files without a declared length (chunked): 411, nothing read.
      for (const path of ['art9', 'reduction', 'reduction/preview', `reductions/${reductionId}/integration`]) {
        const res = await unfinishedPost(`${h.url}/m/${tokenA}/${path}`, multipart, chunk);
        expect(res, path).not.toBeNull();
        expect(res!.status).toBe(411);
        expect(res!.headers['content-type']).toMatch(/text\/html/);
        expect(text(res!.html)).toContain('La richiesta non indica la sua dimensione');
      }
      // A declared length over the limit: refused on the header alone.
      const big = await unfinishedPost(`${h.url}/m/${tokenA}/art9`, { ...multipart, 'content-length': String(30 * 1024 * 1024) }, chunk);
      expect(big).not.toBeNull();
      expect(big!.status).toBe(413);
      expect(text(big!.html)).toContain('File troppo grandi');
      // Nothing was filed.
      expect((await h.api('GET', `/v1/art9-declarations?memberId=${a.id}`, { key: keys.cpo })).body.declarations).toHaveLength(1);
    });

    it('offers the debt form for a deontology gap even when the total is reached', async () => {
      // 52/50 in total but 4/6 deontology: 2 credits missing, both deontological (R-DEBT-1).
      const [c] = await createMembers(h, keys.cn, ['MI'], 720);
      await credit(
        await createEvent('Convegno regionale 2025', '2025-04-10T09:00', 8, { mode: 'in-person', venueProvince: 'MI' }),
        2025,
        26,
        2,
        'in-person',
        'granted',
        c!.id,
      );
      await credit(
        await createEvent('Convegno regionale 2026', '2026-04-10T09:00', 8, { mode: 'in-person', venueProvince: 'MI' }),
        2026,
        26,
        2,
        'in-person',
        'granted',
        c!.id,
      );
      const token = await dashboardLink(c!.id);
      const current = text((await get(`/m/${token}`)).html);
      expect(current).toContain('Il biennio 2025–2026 si è chiuso con 2 crediti mancanti (2 deontologici)');
      const old = await get(`/m/${token}?biennio=2025`);
      const t = text(old.html);
      expect(t).toMatch(/52\/50 Crediti totali/);
      expect(t).toMatch(/4\/6 Crediti deontologici/);
      expect(t).toContain('Mancano 2 crediti, di cui 2 deontologici.');
      expect(old.html).toContain('name="total"');
      expect(old.html).toMatch(/name="total"[^>]*value="2"/);
      expect(old.html).toMatch(/name="deontology"[^>]*value="2"/);
      const filed = await post(`/m/${token}/debt`, { biennio: '2025', total: '2', deontology: '2' });
      expect(filed.status, filed.html).toBe(303);
      const list = await h.api('GET', `/v1/debt-requests?memberId=${c!.id}`, { key: keys.cpo });
      expect(list.body.requests).toEqual([expect.objectContaining({ biennium: 2025, total: 2, deontology: 2, status: 'filed' })]);
    });
  });
}
