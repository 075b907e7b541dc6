/**
 * Issue 6 §5 (R-ELN-6, art. 23 c.2): the attestation PDF of a completed e-learning or podcast
 * enrolment through HTTP on a real database, from its three doors: the API (organiser, accrediting
 * CPO, CN, admin), the member's dashboard link and the player's launch token. The outcome rows are
 * written directly (the derivation fills them in production); the PDFs are read back with pdfjs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attestationNumber, italianDateTime } from '../../src/domain/attestation.ts';
import { articledDate } from '../../src/domain/italian-dates.ts';
import { bienniumOf, yearOf } from '../../src/domain/calendar.ts';
import { backendsOf } from '../support/backends.ts';
import type { CreatedMember } from '../support/fixtures.ts';
import { attestationCourses, type AttestationCourses } from '../support/attestation-courses.ts';
import type { Harness } from '../support/harness.ts';
import { pdfInfo, pdfText } from '../support/pdf-text.ts';

const norm = (s: string) => s.replace(/\s+/g, ' ');

for (const backend of backendsOf(import.meta.url)) {
  describe(`e-learning attestation PDF on ${backend}`, () => {
    let f: AttestationCourses;
    let h: Harness;
    let keys: AttestationCourses['keys'];
    let other: AttestationCourses['keys'];
    let admin: string;
    let course: string; // e-learning, declared, 2 credits (1 h deontology)
    let podcast: string; // podcast, not declared
    let webinar: string;
    let members: CreatedMember[];
    let eventStart: number;
    let completedAt: number;
    let enrolments: Map<string, string>; // `${event}/${member}` → enrolment id
    let organiserPdf: Uint8Array;
    const get = (path: string, key?: string) => f.get(path, key);
    const apiPath = (event: string, member: string) => `/v1/events/${event}/enrolments/${member}/attestation`;
    const dashboardToken = (member: CreatedMember, key: string) => f.dashboardToken(member, key);

    beforeAll(async () => {
      f = await attestationCourses(backend);
      ({ h, keys, other, admin, course, podcast, webinar, members, eventStart, completedAt, enrolments } = f);
    });

    afterAll(async () => {
      await h?.close();
    });

    it('the organiser downloads the PDF with every R-ELN-6 field, read back from the file', async () => {
      const m = members[0]!;
      const res = await get(apiPath(course, m.id), keys.organiser);
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      const number = attestationNumber(enrolments.get(`${course}/${m.id}`)!, completedAt);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="attestato-${number.toLowerCase()}.pdf"`);
      expect(res.headers.get('cache-control')).toBe('no-store');
      organiserPdf = res.bytes;

      const text = norm(await pdfText(res.bytes));
      const host = new URL(h.url).host;
      for (const expected of [
        'Attestato di partecipazione',
        `N. ${number}`,
        'Nome950 Cognome950',
        `codice fiscale ${m.codiceFiscale}`,
        'iscrizione n. 1950 all’Albo dei Consulenti del Lavoro della provincia di Milano',
        '«Lavoro agile: più diritti – meno oneri»',
        `Luogo Formazione a distanza (e-learning) sulla piattaforma ${host}`,
        `Data di completamento ${italianDateTime(completedAt)}`,
        'Durata 40 min (durata del corso)',
        'Tempo di fruizione riconosciuto 42 min',
        'Ente organizzatore CPO MI',
        'Ente accreditante Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di Milano',
        'Materia Deontologia professionale; Contratti di lavoro',
        'Crediti formativi 2 crediti formativi, di cui 1 in materia di ordinamento professionale e codice deontologico',
        `Rilasciato ${articledDate('il', completedAt)}`,
        'Il legale rappresentante dell’ente organizzatore',
        enrolments.get(`${course}/${m.id}`)!,
      ]) {
        expect(text).toContain(expected);
      }
      const { info } = await pdfInfo(res.bytes);
      expect(info).toMatchObject({ Title: 'Attestato di partecipazione – Lavoro agile: più diritti – meno oneri', Author: 'CPO MI' });
    });

    it('the accrediting CPO, cn and admin get the same document; anyone else does not', async () => {
      const m = members[0]!;
      for (const key of [keys.cpo, keys.cn, admin]) {
        const res = await get(apiPath(course, m.id), key);
        expect(res.status).toBe(200);
        expect(Buffer.from(res.bytes).equals(Buffer.from(organiserPdf))).toBe(true);
      }
      const stranger = await h.api('GET', apiPath(course, m.id), { key: other.organiser });
      expect([stranger.status, stranger.body.code]).toEqual([404, 'event-not-found']);
      expect(stranger.headers.get('content-type')).toBe('application/problem+json');
      const otherCpo = await h.api('GET', apiPath(course, m.id), { key: other.cpo });
      expect([otherCpo.status, otherCpo.body.code]).toEqual([404, 'event-not-found']);
      expect((await h.api('GET', apiPath(course, m.id), { key: keys.platform })).status).toBe(403);
      expect((await h.api('GET', apiPath(course, m.id))).status).toBe(401);
    });

    it('404 enrolment-not-found, 409 attestation-not-available with the reason; a webinar answers its own certificate', async () => {
      const notEnrolled = await h.api('GET', apiPath(course, members[3]!.id), { key: keys.organiser });
      expect([notEnrolled.status, notEnrolled.body.code]).toEqual([404, 'enrolment-not-found']);
      const unknownEvent = await h.api('GET', apiPath('00000000-0000-4000-8000-000000000000', members[0]!.id), { key: keys.organiser });
      expect([unknownEvent.status, unknownEvent.body.code]).toEqual([404, 'event-not-found']);
      const badId = await h.api('GET', apiPath('not-a-uuid', members[0]!.id), { key: keys.organiser });
      expect(badId.status).toBe(404);

      const inProgress = await h.api('GET', apiPath(course, members[1]!.id), { key: keys.organiser });
      expect(inProgress.status).toBe(409);
      expect(inProgress.body).toMatchObject({
        code: 'attestation-not-available',
        reason: 'final-test-not-passed',
        outcomeStatus: 'in-progress',
        rule: 'R-ELN-2',
      });
      expect(inProgress.headers.get('content-type')).toBe('application/problem+json');
      // Enrolled, never derived.
      const fresh = await h.api('GET', apiPath(course, members[2]!.id), { key: keys.organiser });
      expect([fresh.status, fresh.body.code, fresh.body.reason, fresh.body.outcomeStatus]).toEqual([409, 'attestation-not-available', 'not-derived', null]);

      // Not an e-learning course: the route answers the attendance certificate (R-DOC-7), and this member took no part.
      const w = await h.api('GET', apiPath(webinar, members[0]!.id), { key: keys.organiser });
      expect([w.status, w.body.code]).toEqual([404, 'participant-not-found']);
    });

    it('a podcast: the place says so; without a declaration the duration is the credited time', async () => {
      const res = await get(apiPath(podcast, members[0]!.id), keys.organiser);
      expect(res.status, res.text).toBe(200);
      const text = norm(await pdfText(res.bytes));
      expect(text).toContain(`Luogo Formazione a distanza (podcast) sulla piattaforma ${new URL(h.url).host}`);
      expect(text).toContain('Durata 2 h 5 min');
      expect(text).not.toContain('Tempo di fruizione riconosciuto');
      expect(text).toContain('«Podcast sulla busta paga»');
      // Another enrolment, another number.
      expect(text).toContain(`N. ${attestationNumber(enrolments.get(`${podcast}/${members[0]!.id}`)!, completedAt)}`);
    });

    it('the member downloads it from the dashboard link, which lists it for credited courses', async () => {
      const token = await dashboardToken(members[0]!, keys.cpo);
      const page = await get(`/m/${token}?biennio=${bienniumOf(yearOf(eventStart))}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`href="/m/${token}/attestato/${course}"`);
      expect(page.text).toContain('Scarica l’attestato (PDF)');

      const res = await get(`/m/${token}/attestato/${course}`);
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-robots-tag')).toBe('noindex');
      expect(Buffer.from(res.bytes).equals(Buffer.from(organiserPdf))).toBe(true);

      // Not completed yet: an Italian page with the reason, back to the dashboard.
      const token1 = await dashboardToken(members[1]!, keys.cn);
      const pending = await get(`/m/${token1}/attestato/${course}`);
      expect(pending.status).toBe(409);
      expect(pending.headers.get('content-type')).toMatch(/^text\/html/);
      expect(pending.text).toContain('Attestato non ancora disponibile');
      expect(pending.text).toContain('La verifica finale non risulta superata.');
      expect(pending.text).toContain(`href="/m/${token1}"`);
      expect((await get(`/m/${token1}`)).text).not.toContain('Scarica l’attestato');

      // Not the member's course, not a course, not an id: 404 pages.
      for (const path of [`/m/${token}/attestato/${webinar}`, `/m/${token1}/attestato/00000000-0000-4000-8000-000000000000`, `/m/${token}/attestato/xyz`]) {
        const r = await get(path);
        expect(r.status, path).toBe(404);
        expect(r.text).toContain('Attestato non trovato');
      }
      const other = await get(`/m/${await dashboardToken(members[3]!, keys.cpo)}/attestato/${course}`);
      expect(other.status).toBe(404);

      // Bad and expired links.
      const invalid = await get(`/m/garbage/attestato/${course}`);
      expect([invalid.status, invalid.text.includes('Link non valido')]).toEqual([404, true]);
      const expired = await h.rt.deps.links.sign('dashboard', members[0]!.id, new Date(Date.now() - 60_000));
      const gone = await get(`/m/${expired}/attestato/${course}`);
      expect([gone.status, gone.text.includes('Link scaduto')]).toEqual([410, true]);
      // A launch token is not a dashboard link.
      const launch = await h.api('POST', `/v1/events/${course}/enrolments/${members[0]!.id}/launch`, { key: keys.organiser });
      expect((await get(`/m/${launch.body.launchToken}/attestato/${course}`)).status).toBe(404);
    });

    it('the player links to it with the launch token; an expired one sends the member to the dashboard', async () => {
      const launch = await h.api('POST', `/v1/events/${course}/enrolments/${members[0]!.id}/launch`, { key: keys.organiser });
      expect(launch.status, launch.text).toBe(200);
      const res = await get(`/lms/attestation/${launch.body.launchToken}`);
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="attestato-fad-\d{4}-[0-9a-f]{16}\.pdf"$/);
      expect(Buffer.from(res.bytes).equals(Buffer.from(organiserPdf))).toBe(true);

      const pendingLaunch = await h.api('POST', `/v1/events/${course}/enrolments/${members[1]!.id}/launch`, { key: keys.organiser });
      const pending = await get(`/lms/attestation/${pendingLaunch.body.launchToken}`);
      expect(pending.status).toBe(409);
      expect(pending.text).toContain('La verifica finale non risulta superata.');

      const expired = await h.rt.deps.links.sign('scorm', enrolments.get(`${course}/${members[0]!.id}`)!, new Date(Date.now() - 60_000));
      const gone = await get(`/lms/attestation/${expired}`);
      expect(gone.status).toBe(410);
      expect(gone.headers.get('content-type')).toMatch(/^text\/html/);
      expect(gone.text).toContain('Link del corso scaduto');
      expect(gone.text).toContain('pagina della formazione continua');

      expect((await get('/lms/attestation/garbage')).status).toBe(404);
      const dashboard = await dashboardToken(members[0]!, keys.cpo);
      expect((await get(`/lms/attestation/${dashboard}`)).status).toBe(404);
      const unknown = await h.rt.deps.links.sign('scorm', '00000000-0000-4000-8000-000000000000', new Date(Date.now() + 60_000));
      expect((await get(`/lms/attestation/${unknown}`)).status).toBe(404);
    });

    it('is documented in the OpenAPI document', async () => {
      const doc = await h.api('GET', '/openapi.json');
      expect(doc.status).toBe(200);
      const api = doc.body.paths['/v1/events/{id}/enrolments/{memberId}/attestation'];
      expect(Object.keys(api.get.responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
      expect(api.get.responses['200'].content['application/pdf']).toBeDefined();
      expect(doc.body.paths['/lms/attestation/{token}'].get.responses['410']).toBeDefined();
    });
  });
}
