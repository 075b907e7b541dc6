/**
 * Issue 15's certificates through HTTP on a real database and Redis:
 *
 * - the attendance certificate of a webinar and an in-person event (art. 23 c.2, R-DOC-7): outcomes
 *   derived by the worker from ingested joins and leaves (and corrections, in person); the PDF from
 *   the API, the member's dashboard and the provider's console is one document whose code opens
 *   /verify with the same facts and digest; refused until credited and granted, 404 for others;
 * - the compliance certificate (R-DOC-8): after the CPO's verification of the biennium (February
 *   and the June re-check), issued for members in order and refused for a short one, from the API,
 *   the dashboard and the CPO console; a new verification version supersedes it, and the CPO that
 *   issued it revokes it.
 */
import crypto from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { italianDate } from '../../src/domain/attestation.ts';
import { articledDate } from '../../src/domain/italian-dates.ts';
import { bienniumOf, yearOf } from '../../src/domain/calendar.ts';
import { backendsOf } from '../support/backends.ts';
import { signedInStaff, textOf } from '../support/console-client.ts';
import { createCpoOrganiser, createMembers, pastWebinar, romeAfternoon, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { pdfText } from '../support/pdf-text.ts';

const MIN = 60_000;
const CODE_RE = /Codice di verifica: ((?:[A-Z2-7]{4}-){7}[A-Z2-7]{4})/;
const DIGEST_RE = /Impronta dei contenuti \(SHA-256\): ((?:[0-9a-f]{8} ){7}[0-9a-f]{8})/;
const norm = (s: string) => s.replace(/\s+/g, ' ');

/** A GET answered as bytes (h.api reads text, which would mangle a PDF). */
async function fetchBytes(h: Harness, path: string, key?: string) {
  const res = await fetch(h.url + path, { headers: key ? { authorization: `Bearer ${key}` } : {}, redirect: 'manual' });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: new TextDecoder().decode(bytes) };
}

/** The console's session cookie of a signed-in person, to download a file outside the text-reading client. */
function sessionCookie(client: { cookie(name: string): string | undefined }): string {
  return `cdl_console=${client.cookie('cdl_console') ?? ''}`;
}

async function dashboardToken(h: Harness, member: CreatedMember, key: string): Promise<string> {
  const res = await h.api('POST', `/v1/members/${member.id}/dashboard-link`, { key });
  expect(res.status, res.text).toBe(201);
  return new URL(res.body.url).pathname.replace(/^\/m\//, '');
}

/** The code and digest a PDF prints, and the verification page they open. */
async function verified(h: Harness, pdf: Uint8Array) {
  const text = norm(await pdfText(pdf));
  const code = CODE_RE.exec(text)?.[1] ?? '';
  const digest = DIGEST_RE.exec(text)?.[1] ?? '';
  expect(code, text).not.toBe('');
  expect(text.replace(/\s+/g, '')).toContain(`${h.url}/verify/${code}`);
  const page = await fetch(`${h.url}/verify/${code}`);
  return { text, code, digest, page: { status: page.status, html: await page.text() } };
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`attendance certificates of webinar and in-person events on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let other: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let admin: string;
    let members: CreatedMember[];
    let webinar: string;
    let inPerson: string;
    let apiPdf: Uint8Array;
    const start = romeAfternoon(3); // 14:00 Rome, three days ago
    const apiPath = (event: string, member: string) => `/v1/events/${event}/enrolments/${member}/attestation`;
    const outcomeOf = async (event: string, member: CreatedMember) => {
      const res = await h.api('GET', `/v1/events/${event}/outcomes`, { key: keys.organiser });
      return (res.body?.outcomes ?? []).find((o: { memberId: string | null }) => o.memberId === member.id) as { status: string } | undefined;
    };

    beforeAll(async () => {
      h = await startHarness(backend);
      keys = await createCpoOrganiser(h, 'MI');
      other = await createCpoOrganiser(h, 'BG');
      admin = await h.key('admin');
      members = await createMembers(h, keys.cn, ['MI', 'MI', 'MI', 'MI'], 2100);
      const ev = await h.api('POST', '/v1/events', {
        key: keys.organiser,
        body: pastWebinar(start, 3, { title: 'Webinar sulle novità del lavoro', platform: { name: 'zoom', meetingId: '81234567890' } }),
      });
      expect(ev.status, ev.text).toBe(201);
      webinar = ev.body.id;
      const regs = members.slice(0, 3).map((m, i) => ({ memberId: m.id, registrantId: `reg-${i}` }));
      const r = await h.api('POST', `/v1/events/${webinar}/registrations`, { key: keys.organiser, body: { registrations: regs } });
      expect(r.status, r.text).toBe(200);
      // Member 0 is there throughout; member 1 leaves after an hour; member 2 never joins; member 3 is not registered.
      const record = (id: string, type: string, at: number, reg: string) => ({
        id,
        type,
        at: new Date(at).toISOString(),
        participant: { registrantId: reg, connectionId: `c-${id}`, name: 'Partecipante' },
      });
      const records = [
        record('a', 'join', start - 2 * MIN, 'reg-0'),
        record('b', 'leave', start + 181 * MIN, 'reg-0'),
        record('c', 'join', start, 'reg-1'),
        record('d', 'leave', start + 60 * MIN, 'reg-1'),
      ];
      const ingest = await h.api('POST', `/v1/ingest/webinar/${webinar}`, { key: keys.platform, body: { records } });
      expect(ingest.status, ingest.text).toBe(202);
      await eventually(async () => (await outcomeOf(webinar, members[0]!))?.status === 'credited' && (await outcomeOf(webinar, members[1]!)));

      // In person: registered, present through the organiser's corrections (R-ATT-6), in Milan.
      const ip = await h.api('POST', '/v1/events', {
        key: keys.organiser,
        body: pastWebinar(start + 24 * 3600_000, 2, { mode: 'in-person', venueProvince: 'MI', title: 'Seminario in presenza' }),
      });
      expect(ip.status, ip.text).toBe(201);
      inPerson = ip.body.id;
      const reg = await h.api('POST', `/v1/events/${inPerson}/registrations`, { key: keys.organiser, body: { registrations: [{ memberId: members[0]!.id }] } });
      expect(reg.status, reg.text).toBe(200);
      const s = start + 24 * 3600_000;
      const corr = await h.api('POST', `/v1/events/${inPerson}/corrections`, {
        key: keys.organiser,
        body: {
          corrections: [
            { memberId: members[0]!.id, type: 'join', at: new Date(s).toISOString(), reason: 'Registro firme in aula' },
            { memberId: members[0]!.id, type: 'leave', at: new Date(s + 120 * MIN).toISOString(), reason: 'Registro firme in aula' },
          ],
        },
      });
      expect(corr.status, corr.text).toBeLessThan(300);
      await eventually(async () => (await outcomeOf(inPerson, members[0]!))?.status === 'credited');
    });
    afterAll(async () => h?.close());

    it('a credited webinar member: the organiser downloads the PDF with every field, read back from the file', async () => {
      const m = members[0]!;
      const res = await fetchBytes(h, apiPath(webinar, m.id), keys.organiser);
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="attestato-att-\d{4}-[0-9a-f]{16}\.pdf"$/);
      apiPdf = res.bytes;
      const text = norm(await pdfText(res.bytes));
      const { rows } = await h.rt.db.query<{ derived_at: Date }>('SELECT derived_at FROM credit_records WHERE event_id = $1 AND member_id = $2', [
        webinar,
        m.id,
      ]);
      for (const expected of [
        'Attestato di partecipazione',
        'Webinar – art. 23, comma 2, del Regolamento',
        'Nome2100 Cognome2100',
        `codice fiscale ${m.codiceFiscale}`,
        'iscrizione n. 3100 all’Albo dei Consulenti del Lavoro della provincia di Milano',
        '«Webinar sulle novità del lavoro» (webinar)',
        'Luogo Webinar sulla piattaforma Zoom',
        `Data dell’evento ${italianDate(start)}, dalle 14:00 alle 17:00`,
        'Durata dell’evento 3 h',
        'Presenza riconosciuta 3 h',
        'Ente organizzatore CPO MI',
        'Ente accreditante Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di Milano',
        'Materia Deontologia professionale; Contratti di lavoro',
        // As the derivation recorded them: 3 credits, the first hour of deontology.
        'Crediti formativi 3 crediti formativi, di cui 1 in materia di ordinamento professionale e codice deontologico',
        `Anno formativo ${yearOf(start)}`,
        `Rilasciato ${articledDate('il', rows[0]!.derived_at.getTime())}`,
        'Il legale rappresentante dell’ente organizzatore',
      ]) {
        expect(text).toContain(expected);
      }
    });

    it('its code opens /verify with the same facts and digest; the CPO, cn and admin get the same bytes', async () => {
      const v = await verified(h, apiPdf);
      expect(v.page.status).toBe(200);
      const page = textOf(v.page.html);
      expect(page).toContain('Valida');
      expect(page).toContain('Attestato di partecipazione a un evento formativo (webinar, videoconferenza o in presenza)');
      expect(page).toContain('Webinar sulle novità del lavoro');
      expect(page).toContain('Webinar sulla piattaforma Zoom');
      expect(page).toContain(`${italianDate(start)}, dalle 14:00 alle 17:00`);
      expect(page).toContain('Presenza riconosciuta 3 h');
      expect(page).toContain('Nome2100 Cognome2100');
      expect(page).not.toContain(members[0]!.codiceFiscale);
      expect(page).toContain(v.digest);
      for (const key of [keys.cpo, keys.cn, admin]) {
        const res = await fetchBytes(h, apiPath(webinar, members[0]!.id), key);
        expect(res.status).toBe(200);
        expect(Buffer.from(res.bytes).equals(Buffer.from(apiPdf))).toBe(true);
      }
      const { rows } = await h.rt.db.query<{ n: number }>("SELECT count(*)::int AS n FROM issued_documents WHERE kind = 'attendance-certificate'");
      expect(rows[0]!.n).toBe(1);
    });

    it('not credited: 409 with the reason; not a participant: 404; another organiser or CPO: 404', async () => {
      const short = await h.api('GET', apiPath(webinar, members[1]!.id), { key: keys.organiser });
      expect(short.status).toBe(409);
      expect(short.body).toMatchObject({
        code: 'attestation-not-available',
        reason: 'absence-over-tolerance',
        outcomeStatus: 'not-qualified',
        rule: 'R-ATT-4',
      }); // unfractionable: all or nothing
      const absent = await h.api('GET', apiPath(webinar, members[2]!.id), { key: keys.organiser });
      expect([absent.status, absent.body.code, absent.body.outcomeStatus]).toEqual([409, 'attestation-not-available', 'not-qualified']);
      const stranger = await h.api('GET', apiPath(webinar, members[3]!.id), { key: keys.organiser });
      expect([stranger.status, stranger.body.code]).toEqual([404, 'participant-not-found']);
      for (const key of [other.organiser, other.cpo]) {
        const res = await h.api('GET', apiPath(webinar, members[0]!.id), { key });
        expect([res.status, res.body.code]).toEqual([404, 'event-not-found']);
      }
      expect((await h.api('GET', apiPath(webinar, members[0]!.id), { key: keys.platform })).status).toBe(403);
    });

    it('credits waiting for the questionnaire: 409 under R-QST-1 until they are granted', async () => {
      // A kind-e webinar's outcome as the derivation stores it (R-QST-1): credited, its credits pending.
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(start - 24 * 3600_000, 2, { title: 'Webinar con questionario' }) });
      const event = ev.body.id as string;
      const m = members[0]!;
      const explanation = (creditStatus: string) => ({
        reason: 'qualified',
        rule: 'R-ATT-3',
        questionnaire: { creditStatus, code: creditStatus === 'pending' ? 'questionnaire-required' : null, rule: 'R-QST-1' },
      });
      await h.rt.db.query(
        `INSERT INTO attendance_outcomes (event_id, participant_key, member_id, status, covered_minutes, absent_minutes, tolerance_minutes, credits, explanation, derived_at)
         VALUES ($1, $2, $3, 'credited', 120, 0, 30, 2, $4::jsonb, now())`,
        [event, `member:${m.id}`, m.id, JSON.stringify(explanation('pending'))],
      );
      await h.rt.db.query(
        `INSERT INTO credit_records (member_id, event_id, fraction, credits, deontology_credits, mode, year, status, derived_at)
         VALUES ($1, $2, 0, 2, 1, 'webinar', $3, 'pending', now())`,
        [m.id, event, yearOf(start)],
      );
      const pending = await h.api('GET', apiPath(event, m.id), { key: keys.organiser });
      expect(pending.body).toMatchObject({ code: 'attestation-not-available', reason: 'questionnaire-required', outcomeStatus: 'credited', rule: 'R-QST-1' });
      await h.rt.db.query("UPDATE credit_records SET status = 'granted' WHERE event_id = $1", [event]);
      await h.rt.db.query('UPDATE attendance_outcomes SET explanation = $2::jsonb WHERE event_id = $1', [event, JSON.stringify(explanation('granted'))]);
      const granted = await fetchBytes(h, apiPath(event, m.id), keys.organiser);
      expect(granted.status, granted.text).toBe(200);
      // No platform on this event: the place says webinar without naming one.
      expect(norm(await pdfText(granted.bytes))).toContain('Luogo Webinar (formazione a distanza in diretta)');
    });

    it('an in-person event: the place is the venue province, presence from the organiser’s sheet', async () => {
      const res = await fetchBytes(h, apiPath(inPerson, members[0]!.id), keys.organiser);
      expect(res.status, res.text).toBe(200);
      const v = await verified(h, res.bytes);
      expect(v.text).toContain('Evento in presenza – art. 23, comma 2, del Regolamento');
      expect(v.text).toContain('Luogo In presenza, provincia di Milano');
      expect(v.text).toContain('«Seminario in presenza» (in presenza)');
      expect(v.text).toContain('Crediti formativi 2 crediti formativi, di cui 1 in materia');
      expect(textOf(v.page.html)).toContain('In presenza, provincia di Milano');
    });

    it('the member’s dashboard links the certificate and serves the same document; the refused one says why in Italian', async () => {
      const token = await dashboardToken(h, members[0]!, keys.cpo);
      const page = await fetchBytes(h, `/m/${token}?biennio=${bienniumOf(yearOf(start))}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`href="/m/${token}/attestato/${webinar}"`);
      expect(page.text).toContain(`href="/m/${token}/attestato/${inPerson}"`);
      const res = await fetchBytes(h, `/m/${token}/attestato/${webinar}`);
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(Buffer.from(res.bytes).equals(Buffer.from(apiPdf))).toBe(true);

      const token1 = await dashboardToken(h, members[1]!, keys.cpo);
      const refused = await fetchBytes(h, `/m/${token1}/attestato/${webinar}`);
      expect(refused.status).toBe(409);
      expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
      expect(textOf(refused.text)).toContain('L’assenza registrata supera la tolleranza ammessa');
      expect((await fetchBytes(h, `/m/${token1}`)).text).not.toContain(`/attestato/${webinar}`);
      const token3 = await dashboardToken(h, members[3]!, keys.cpo);
      const none = await fetchBytes(h, `/m/${token3}/attestato/${webinar}`);
      expect([none.status, textOf(none.text).includes('Attestato non trovato')]).toEqual([404, true]);
    });

    it('the provider’s console: Presenze offers the download of a credited participant only, the same document', async () => {
      const office = await signedInStaff(h, 'organiser', keys.organiserId);
      const page = await office.client.get(`/console/eventi/${webinar}/presenze`);
      expect(page.status).toBe(200);
      expect(page.html).toContain(`/console/eventi/${webinar}/presenze/attestato/${members[0]!.id}`);
      expect(page.html).not.toContain(`/presenze/attestato/${members[1]!.id}`);
      const pdf = await fetch(`${h.url}/console/eventi/${webinar}/presenze/attestato/${members[0]!.id}`, { headers: { cookie: sessionCookie(office.client) } });
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await pdf.arrayBuffer()).equals(Buffer.from(apiPdf))).toBe(true);
      const refused = await office.client.get(`/console/eventi/${webinar}/presenze/attestato/${members[1]!.id}`);
      expect(refused.status).toBe(409);
      expect(textOf(refused.html)).toContain('L’attestato sarà disponibile quando');
      // Another organiser's office: the event does not exist for it.
      const stranger = await signedInStaff(h, 'organiser', other.organiserId);
      expect((await stranger.client.get(`/console/eventi/${webinar}/presenze/attestato/${members[0]!.id}`)).status).toBe(404);
    });

    it('is documented in the OpenAPI document', async () => {
      const doc = await h.api('GET', '/openapi.json');
      const api = doc.body.paths['/v1/events/{id}/enrolments/{memberId}/attestation'];
      expect(Object.keys(api.get.responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
      expect(api.get.description).toContain('attendance certificate');
      const cert = doc.body.paths['/v1/members/{id}/compliance-certificate'];
      expect(Object.keys(cert.get.responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
      expect(cert.get.responses['200'].content['application/pdf']).toBeDefined();
    });
  });
}

const ROME = 'Europe/Rome';
const at = (iso: string) => DateTime.fromISO(iso, { zone: ROME }).toMillis();

for (const backend of backendsOf(import.meta.url)) {
  describe(`the compliance certificate on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let bgCpo: string;
    let admin: string;
    let compliant: CreatedMember;
    let short: CreatedMember;
    let settles: CreatedMember;
    let bergamo: CreatedMember;
    let apiPdf: Uint8Array;
    let code = '';
    const events: Record<string, string> = {};
    // After 30 June 2027: both phases of biennium 2025–26 have run.
    const clock = at('2027-07-05T10:00');
    const path = (m: CreatedMember, biennium: number | string = 2025) => `/v1/members/${m.id}/compliance-certificate?biennium=${biennium}`;
    const run = (phase: 'february' | 'june') => h.api('POST', '/v1/provinces/MI/verifications', { key: keys.cpo, body: { biennium: 2025, phase } });
    async function credit(member: CreatedMember, eventId: string, year: number, credits: number, deontology: number) {
      await h.rt.db.query(
        `INSERT INTO credit_records (member_id, event_id, fraction, credits, deontology_credits, mode, year, status, derived_at)
         VALUES ($1, $2, 0, $3, $4, 'in-person', $5, 'granted', now())`,
        [member.id, eventId, credits, deontology, year],
      );
    }

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, now: () => clock });
      keys = await createCpoOrganiser(h, 'MI');
      bgCpo = await h.key('cpo', 'BG');
      admin = await h.key('admin');
      [compliant, short, settles, bergamo] = (await createMembers(h, keys.cn, ['MI', 'MI', 'MI', 'BG'], 2200)) as [
        CreatedMember,
        CreatedMember,
        CreatedMember,
        CreatedMember,
      ];
      for (const iso of ['2025-05-10T15:00', '2026-05-10T15:00', '2026-09-10T15:00', '2027-03-15T15:00']) {
        const res = await h.api('POST', '/v1/events', { key: keys.organiser, body: { ...pastWebinar(at(iso), 2), mode: 'in-person', title: `evento ${iso}` } });
        expect(res.status, res.text).toBe(201);
        events[iso.slice(0, 10)] = res.body.id;
      }
      await credit(compliant, events['2025-05-10']!, 2025, 30, 6);
      await credit(compliant, events['2026-05-10']!, 2026, 20, 0);
      await credit(short, events['2025-05-10']!, 2025, 40, 2);
      await credit(settles, events['2025-05-10']!, 2025, 40, 6);
      await h.rt.db.query(
        `INSERT INTO debt_requests (id, member_id, province, biennium, total, deontology, filed_on, filed_at, status, decided_at, decided_by)
         VALUES ($1, $2, 'MI', 2025, 10, 0, '2027-01-20', now(), 'accepted', now(), 'cpo:test')`,
        [crypto.randomUUID(), settles.id],
      );
      await credit(settles, events['2027-03-15']!, 2027, 10, 0);
    });
    afterAll(async () => h?.close());

    it('before the verification runs: 404 verification-not-found', async () => {
      const res = await h.api('GET', path(compliant), { key: keys.cpo });
      expect([res.status, res.body.code]).toEqual([404, 'verification-not-found']);
      const run1 = await run('february');
      expect(run1.status, run1.text).toBe(200);
      const run2 = await run('june');
      expect(run2.status, run2.text).toBe(200);
    });

    it('a compliant member: the CPO downloads the certificate; its code opens /verify with the same facts and digest', async () => {
      const res = await fetchBytes(h, path(compliant), keys.cpo);
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="certificato-crt-2025-mi-[0-9a-f]{16}\.pdf"$/);
      apiPdf = res.bytes;
      const v = await verified(h, res.bytes);
      code = v.code;
      const runAt = articledDate('il', clock);
      for (const expected of [
        'Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di Milano',
        'Certificato di assolvimento dell’obbligo formativo',
        'Nome2200 Cognome2200',
        `codice fiscale ${compliant.codiceFiscale}`,
        'ha assolto l’obbligo di formazione continua del biennio 2025–2026',
        'Situazione In regola: obbligo formativo del biennio assolto',
        'Obbligo formativo del biennio 50 crediti formativi, di cui 6',
        'Crediti formativi riconosciuti 50 crediti formativi, di cui 6',
        `verifica al 28 febbraio 2027 (versione 1, eseguita ${runAt})`,
        `Rilasciato ${runAt}`,
        'Per il Consiglio Provinciale dell’Ordine, il Presidente',
      ]) {
        expect(v.text).toContain(expected);
      }
      const page = textOf(v.page.html);
      expect(page).toContain('Certificato di assolvimento dell’obbligo di formazione continua');
      expect(page).toContain('Valida');
      expect(page).toContain('Biennio formativo 2025–2026');
      expect(page).toContain('versione 1');
      expect(page).toContain(v.digest);
      expect(page).not.toContain(compliant.codiceFiscale);
      for (const key of [keys.cn, admin]) {
        const again = await fetchBytes(h, path(compliant), key);
        expect(Buffer.from(again.bytes).equals(Buffer.from(apiPdf))).toBe(true);
      }
    });

    it('a debt settled by 30 June: the June re-check’s row, both verifications named', async () => {
      const res = await fetchBytes(h, path(settles), keys.cpo);
      expect(res.status, res.text).toBe(200);
      const text = norm(await pdfText(res.bytes));
      expect(text).toContain('con il recupero del debito formativo entro il 30 giugno');
      expect(text).toContain('verifica del recupero del debito al 30 giugno 2027 (versione 1');
    });

    it('refused: a short member (409 with the status), another province, a bad biennium, the wrong roles', async () => {
      const res = await h.api('GET', path(short), { key: keys.cpo });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'not-compliant', status: 'short' });
      expect((await h.api('GET', path(compliant), { key: bgCpo })).body.code).toBe('member-not-found');
      // Bergamo has not verified the biennium.
      expect((await h.api('GET', path(bergamo), { key: bgCpo })).body.code).toBe('verification-not-found');
      expect((await h.api('GET', path(compliant, 2026), { key: keys.cpo })).body.code).toBe('invalid-query');
      expect((await h.api('GET', path(compliant), { key: keys.organiser })).status).toBe(403);
      expect((await h.api('GET', path(compliant))).status).toBe(401);
    });

    it('the member’s dashboard links it when in order and serves the same document; a short member gets none', async () => {
      const token = await dashboardToken(h, compliant, keys.cpo);
      const page = await fetchBytes(h, `/m/${token}?biennio=2025`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`href="/m/${token}/certificato/2025"`);
      const res = await fetchBytes(h, `/m/${token}/certificato/2025`);
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('x-robots-tag')).toBe('noindex');
      expect(Buffer.from(res.bytes).equals(Buffer.from(apiPdf))).toBe(true);

      const tokenShort = await dashboardToken(h, short, keys.cpo);
      expect((await fetchBytes(h, `/m/${tokenShort}?biennio=2025`)).text).not.toContain('/certificato/2025');
      const refused = await fetchBytes(h, `/m/${tokenShort}/certificato/2025`);
      expect(refused.status).toBe(409);
      expect(textOf(refused.text)).toContain('l’obbligo formativo del biennio non risulta assolto');
      expect((await fetchBytes(h, `/m/${token}/certificato/2027`)).status).toBe(404);
      expect((await fetchBytes(h, `/m/garbage/certificato/2025`)).status).toBe(404);
    });

    it('the CPO console’s members page: a download for members in order, the reason for the others', async () => {
      const officer = await signedInStaff(h, 'cpo', 'MI', { now: () => clock });
      const page = await officer.client.get('/console/iscritti?biennio=2025');
      expect(page.status).toBe(200);
      expect(page.html).toContain(`/console/iscritti/${compliant.id}/certificato?biennio=2025`);
      expect(page.html).not.toContain(`/console/iscritti/${short.id}/certificato`);
      expect(textOf(page.html)).toContain('Non rilasciabile: Non in regola');
      const res = await fetch(`${h.url}/console/iscritti/${compliant.id}/certificato?biennio=2025`, {
        headers: { cookie: sessionCookie(officer.client) },
      });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(apiPdf))).toBe(true);
      const refused = await officer.client.get(`/console/iscritti/${short.id}/certificato?biennio=2025`);
      expect(refused.status).toBe(409);
      expect(textOf(refused.html)).toContain('non risulta in regola');
      // Before any verification of 2023–24, no column at all.
      expect(textOf((await officer.client.get('/console/iscritti?biennio=2023')).html)).not.toContain('Scarica il certificato');
    });

    it('a new verification version supersedes it; the CPO that issued it revokes it, another cannot', async () => {
      // A record arriving later for a date before 28 February: a new February version (R-VER-3, R-VER-5).
      await credit(compliant, events['2026-09-10']!, 2026, 4, 0);
      const again = await run('february');
      expect(again.body).toMatchObject({ changed: true, snapshot: { version: 2 } });
      const res = await fetchBytes(h, path(compliant), keys.cpo);
      const v = await verified(h, res.bytes);
      expect(v.code).not.toBe(code);
      expect(v.text).toContain('Crediti formativi riconosciuti 54 crediti formativi');
      expect(v.text).toContain('versione 2');
      expect(textOf(await fetch(`${h.url}/verify/${code}`).then((r) => r.text()))).toContain('Sostituita');

      const revokePath = `/v1/documents/${v.code}/revoke`;
      for (const key of [bgCpo, keys.organiser]) {
        const refused = await h.api('POST', revokePath, { key, body: { reason: 'Errore' } });
        expect([refused.status, refused.body.code]).toEqual([404, 'document-not-found']);
      }
      const revoked = await h.api('POST', revokePath, { key: keys.cpo, body: { reason: 'Rilasciato per errore materiale' } });
      expect(revoked.status, revoked.text).toBe(200);
      expect(revoked.body.status).toBe('revoked');
      const shown = textOf(await fetch(`${h.url}/verify/${v.code}`).then((r) => r.text()));
      expect(shown).toContain('Revocata');
      expect(shown).toContain('dal Consiglio Provinciale dell’Ordine');
      expect(shown).toContain('Rilasciato per errore materiale');
      // Asking again gives back the revoked document (R-DOC-5): a revocation is not undone.
      const after = await verified(h, (await fetchBytes(h, path(compliant), keys.cpo)).bytes);
      expect(after.code).toBe(v.code);
    });
  });
}
