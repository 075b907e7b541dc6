/**
 * Registry API through HTTP on every backend (issue 2 §4–5): keys per role and the 401/403/404
 * rules, organiser kinds (R-EVT-2), members and codice fiscale errors (R-TPL-3), CSV import,
 * event validation (R-EVT-1/2/3/4, R-CAL-6, R-ATT-2), accreditation with silence as consent
 * (R-EVT-3), webinar registrations (R-EVT-4, R-ATT-7).
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { codiceFiscale, questionPool } from '../support/fixtures.ts';
import { startHarness, type ApiResponse, type Harness } from '../support/harness.ts';

const H = 3_600_000;

/** 14:00 Rome, `days` calendar days from today (negative: past). */
function romeAt(days: number, hour = 14): number {
  return DateTime.now().setZone('Europe/Rome').plus({ days }).set({ hour, minute: 0, second: 0, millisecond: 0 }).toMillis();
}
const iso = (ms: number) => new Date(ms).toISOString();

/** A valid event of `hours` hours from `start`; first hour deontology. */
function eventBody(start: number, hours: number, extra: Record<string, unknown> = {}) {
  return {
    title: 'Novità in materia di lavoro',
    cpoProvince: 'MI',
    mode: 'webinar',
    speakers: ['Relatore Uno'],
    topics: [
      { title: 'Deontologia', start: iso(start), end: iso(start + H), deontology: true },
      { title: 'Contratti', start: iso(start + H), end: iso(start + hours * H), deontology: false },
    ],
    start: iso(start),
    end: iso(start + hours * H),
    credits: hours,
    ...extra,
  };
}

/** A codice fiscale with a wrong check letter. */
function wrongCheck(cf: string): string {
  const last = cf[15]!;
  return cf.slice(0, 15) + (last === 'A' ? 'B' : 'A');
}

const problemCode = (r: ApiResponse) => r.body?.code;

for (const backend of backendsOf(import.meta.url)) {
  describe(`registry on ${backend}`, () => {
    let h: Harness;
    let cn: string, admin: string, cpoMI: string, cpoRM: string;
    /** Organisers by kind; `a` is the MI CPO. */
    const org: Record<string, { id: string; key: string; platform: string }> = {};
    let cfN = 5000;
    const nextCf = () => codiceFiscale(++cfN);

    async function createOrganiser(body: Record<string, unknown>) {
      const r = await h.api('POST', '/v1/organisers', { key: cn, body });
      expect(r.status, r.text).toBe(201);
      return { id: r.body.id as string, key: await h.key('organiser', r.body.id), platform: await h.key('platform', r.body.id) };
    }

    async function createMember(province: string, over: Record<string, unknown> = {}) {
      const cf = nextCf();
      const r = await h.api('POST', '/v1/members', {
        key: cn,
        body: {
          codiceFiscale: cf,
          surname: 'Rossi',
          givenName: 'Maria',
          province,
          registerNumber: `R${cfN}`,
          birthDate: '1980-05-01',
          registrationDate: '2010-01-15',
          email: `m${cfN}@studio.example.it`,
          ...over,
        },
      });
      expect(r.status, r.text).toBe(201);
      return r.body as { id: string; codiceFiscale: string; email: string; province: string };
    }

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false });
      [cn, admin, cpoMI, cpoRM] = await Promise.all([h.key('cn'), h.key('admin'), h.key('cpo', 'MI'), h.key('cpo', 'RM')]);
      org.a = await createOrganiser({ kind: 'a', name: 'CPO Milano', province: 'mi' });
      org.b = await createOrganiser({ kind: 'b', name: 'Fondazione Studi' });
      org.c = await createOrganiser({ kind: 'c', name: 'ENPACL' });
      org.d = await createOrganiser({ kind: 'd', name: 'Università degli Studi' });
      const today = DateTime.now().setZone('Europe/Rome');
      org.e = await createOrganiser({
        kind: 'e',
        name: 'Associazione Formazione',
        authorisationNumber: 'CN-2025-042',
        authorisedFrom: today.minus({ years: 1 }).toISODate(),
        authorisedUntil: today.plus({ years: 1 }).toISODate(),
        allowedModes: ['webinar', 'in-person'],
        allowedSubjects: ['Diritto del lavoro'],
      });
      org.eExpired = await createOrganiser({
        kind: 'e',
        name: 'Associazione Scaduta',
        authorisationNumber: 'CN-2020-001',
        authorisedFrom: '2020-01-01',
        authorisedUntil: today.minus({ days: 1 }).toISODate(),
        allowedModes: ['webinar'],
      });
    });

    afterAll(async () => {
      await h?.close();
    });

    // -----------------------------------------------------------------------------------------
    describe('keys and roles', () => {
      it('401 without a key or with an unknown one, as problem+json', async () => {
        const none = await h.api('GET', `/v1/organisers/${org.b!.id}`);
        expect(none.status).toBe(401);
        expect(none.headers.get('content-type')).toContain('application/problem+json');
        expect(problemCode(none)).toBe('unauthorized');
        const bogus = await h.api('GET', '/v1/events', { key: 'cdl_cn_not-a-key' });
        expect(bogus.status).toBe(401);
      });

      it('403 for a role the route does not admit', async () => {
        const r = await h.api('POST', '/v1/organisers', { key: cpoMI, body: { kind: 'b', name: 'X' } });
        expect(r.status).toBe(403);
        expect(problemCode(r)).toBe('forbidden');
        expect((await h.api('POST', '/v1/members', { key: org.b!.key, body: {} })).status).toBe(403);
        expect((await h.api('POST', '/v1/events', { key: cn, body: eventBody(romeAt(40), 2) })).status).toBe(403);
        expect((await h.api('GET', '/v1/members?codiceFiscale=X', { key: org.b!.platform })).status).toBe(403);
      });
    });

    // -----------------------------------------------------------------------------------------
    describe('organisers (R-EVT-2)', () => {
      it('stores each kind with its own fields; admin may create too', async () => {
        const a = await h.api('GET', `/v1/organisers/${org.a!.id}`, { key: cn });
        expect(a.status).toBe(200);
        expect(a.body).toMatchObject({ kind: 'a', province: 'MI', authorisationNumber: null, allowedModes: [] });
        const e = await h.api('GET', `/v1/organisers/${org.e!.id}`, { key: admin });
        expect(e.body).toMatchObject({
          kind: 'e',
          authorisationNumber: 'CN-2025-042',
          allowedModes: ['webinar', 'in-person'],
          allowedSubjects: ['Diritto del lavoro'],
        });
        expect(e.body.authorisedFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        const byAdmin = await h.api('POST', '/v1/organisers', { key: admin, body: { kind: 'c', name: 'Fondazione ENPACL' } });
        expect(byAdmin.status).toBe(201);
      });

      it('refuses incomplete or inconsistent organisers', async () => {
        const noProvince = await h.api('POST', '/v1/organisers', { key: cn, body: { kind: 'a', name: 'CPO' } });
        expect(noProvince.status).toBe(400);
        expect(problemCode(noProvince)).toBe('invalid-body');
        const unknown = await h.api('POST', '/v1/organisers', { key: cn, body: { kind: 'a', name: 'CPO', province: 'CI' } });
        expect(unknown.status).toBe(422);
        expect(problemCode(unknown)).toBe('unknown-province');
        const eMissing = await h.api('POST', '/v1/organisers', { key: cn, body: { kind: 'e', name: 'Assoc' } });
        expect(eMissing.status).toBe(400);
        const eBackwards = await h.api('POST', '/v1/organisers', {
          key: cn,
          body: { kind: 'e', name: 'A', authorisationNumber: 'N', authorisedFrom: '2026-02-01', authorisedUntil: '2026-01-01', allowedModes: ['webinar'] },
        });
        expect(eBackwards.status).toBe(400);
        expect(eBackwards.body.errors.map((x: { path: string }) => x.path)).toContain('authorisedUntil');
        const badKind = await h.api('POST', '/v1/organisers', { key: cn, body: { kind: 'f', name: 'X' } });
        expect(badKind.status).toBe(400);
      });

      it('an organiser (or its platform key) sees itself only; others get 404', async () => {
        expect((await h.api('GET', `/v1/organisers/${org.b!.id}`, { key: org.b!.key })).status).toBe(200);
        expect((await h.api('GET', `/v1/organisers/${org.b!.id}`, { key: org.b!.platform })).status).toBe(200);
        expect((await h.api('GET', `/v1/organisers/${org.b!.id}`, { key: cpoRM })).status).toBe(200);
        const other = await h.api('GET', `/v1/organisers/${org.b!.id}`, { key: org.c!.key });
        expect(other.status).toBe(404);
        expect(problemCode(other)).toBe('organiser-not-found');
        expect((await h.api('GET', `/v1/organisers/${crypto.randomUUID()}`, { key: cn })).status).toBe(404);
      });

      it('connects Zoom: webhook URL returned, secret stored and never returned', async () => {
        const r = await h.api('POST', `/v1/organisers/${org.b!.id}/connections`, {
          key: org.b!.key,
          body: { platform: 'zoom', secretToken: 'zoom-secret-123' },
        });
        expect(r.status, r.text).toBe(201);
        expect(r.body.platform).toBe('zoom');
        expect(r.body.webhookUrl).toBe(`${h.url}/v1/webhooks/zoom/${r.body.id}`);
        expect(r.text).not.toContain('zoom-secret-123');
        const stored = await h.rt.db.query<{ secret: string; organiser_id: string }>('SELECT secret, organiser_id FROM platform_connections WHERE id = $1', [
          r.body.id,
        ]);
        expect(stored.rows[0]).toEqual({ secret: 'zoom-secret-123', organiser_id: org.b!.id });

        const other = await h.api('POST', `/v1/organisers/${org.b!.id}/connections`, { key: org.c!.key, body: { platform: 'zoom', secretToken: 's' } });
        expect(other.status).toBe(404);
        expect((await h.api('POST', `/v1/organisers/${org.b!.id}/connections`, { key: cn, body: { platform: 'zoom', secretToken: 's' } })).status).toBe(403);
        expect(
          (await h.api('POST', `/v1/organisers/${org.b!.id}/connections`, { key: org.b!.key, body: { platform: 'teams', secretToken: 's' } })).status,
        ).toBe(400);
      });
    });

    // -----------------------------------------------------------------------------------------
    describe('members', () => {
      const body = (over: Record<string, unknown> = {}) => ({
        codiceFiscale: nextCf(),
        surname: 'Bianchi',
        givenName: 'Luca',
        province: 'MI',
        registerNumber: `M${cfN}`,
        birthDate: '1975-02-03',
        registrationDate: '2001-06-30',
        ...over,
      });

      it('a CPO registers members of its province; codice fiscale and province stored upper case', async () => {
        const b = body({ province: 'mi', email: 'Luca.Bianchi@Example.IT' });
        const r = await h.api('POST', '/v1/members', { key: cpoMI, body: { ...b, codiceFiscale: b.codiceFiscale.toLowerCase() } });
        expect(r.status, r.text).toBe(201);
        expect(r.body).toMatchObject({
          codiceFiscale: b.codiceFiscale,
          province: 'MI',
          email: 'luca.bianchi@example.it',
          birthDate: '1975-02-03',
          registrationDate: '2001-06-30',
        });

        const got = await h.api('GET', `/v1/members/${r.body.id}`, { key: cpoMI });
        expect(got.status).toBe(200);
        expect(got.body.codiceFiscale).toBe(b.codiceFiscale);
        const byCf = await h.api('GET', `/v1/members?codiceFiscale=${b.codiceFiscale.toLowerCase()}`, { key: cn });
        expect(byCf.status).toBe(200);
        expect(byCf.body.id).toBe(r.body.id);

        // Another province's CPO: not visible.
        const hidden = await h.api('GET', `/v1/members/${r.body.id}`, { key: cpoRM });
        expect(hidden.status).toBe(404);
        expect(problemCode(hidden)).toBe('member-not-found');
        expect((await h.api('GET', `/v1/members?codiceFiscale=${b.codiceFiscale}`, { key: cpoRM })).status).toBe(404);
        expect((await h.api('GET', `/v1/members/${crypto.randomUUID()}`, { key: cn })).status).toBe(404);
      });

      it('403 when a CPO registers a member of another province', async () => {
        const r = await h.api('POST', '/v1/members', { key: cpoRM, body: body() });
        expect(r.status).toBe(403);
        expect(problemCode(r)).toBe('forbidden');
      });

      it('codice fiscale errors (R-TPL-3): check letter, length, character class', async () => {
        const check = await h.api('POST', '/v1/members', { key: cn, body: body({ codiceFiscale: wrongCheck(codiceFiscale(9999)) }) });
        expect(check.status).toBe(422);
        expect(check.body).toMatchObject({ code: 'invalid-codice-fiscale', reason: 'check-letter' });
        const length = await h.api('POST', '/v1/members', { key: cn, body: body({ codiceFiscale: 'RSSMRA85T10A562' }) });
        expect(length.body).toMatchObject({ code: 'invalid-codice-fiscale', reason: 'length' });
        const cls = await h.api('POST', '/v1/members', { key: cn, body: body({ codiceFiscale: '1SSMRA85T10A562S' }) });
        expect(cls.body).toMatchObject({ code: 'invalid-codice-fiscale', reason: 'character-class' });
        // The value itself is never echoed back (personal data).
        expect(check.text).not.toContain(wrongCheck(codiceFiscale(9999)));
        const q = await h.api('GET', '/v1/members?codiceFiscale=NOTACODE', { key: cn });
        expect(q.status).toBe(422);
      });

      it('unknown province, duplicates and register number conflicts', async () => {
        const unknown = await h.api('POST', '/v1/members', { key: cn, body: body({ province: 'CI' }) });
        expect(unknown.status).toBe(422);
        expect(problemCode(unknown)).toBe('unknown-province');

        const b = body();
        expect((await h.api('POST', '/v1/members', { key: cn, body: b })).status).toBe(201);
        const dup = await h.api('POST', '/v1/members', { key: cn, body: { ...b, registerNumber: 'other' } });
        expect(dup.status).toBe(409);
        expect(problemCode(dup)).toBe('member-exists');
        const taken = await h.api('POST', '/v1/members', { key: cn, body: body({ registerNumber: b.registerNumber }) });
        expect(taken.status).toBe(409);
        expect(problemCode(taken)).toBe('register-number-taken');
        const badDates = await h.api('POST', '/v1/members', { key: cn, body: body({ birthDate: '2001-01-01', registrationDate: '2000-01-01' }) });
        expect(badDates.status).toBe(400);
        expect(problemCode(badDates)).toBe('invalid-body');
      });
    });

    // -----------------------------------------------------------------------------------------
    describe('CSV import', () => {
      const cfs = Array.from({ length: 13 }, () => nextCf());
      const header = 'codice_fiscale;cognome;nome;provincia;numero_iscrizione;data_nascita;data_iscrizione;email;note';
      // Line numbers in the comments: the header is line 1.
      const lines = [
        header, // 1
        `${cfs[0]};Rossi;Mario;MI;CSV1;10/12/1985;01/02/2012;mario.rossi@example.it;`, // 2 ok (dd/mm/yyyy)
        `${cfs[1]!.toLowerCase()};Verdi;Anna;mi;CSV2;1990-03-04;2015-09-01;;`, // 3 ok (ISO, lower case)
        `${wrongCheck(cfs[2]!)};Neri;Paolo;MI;CSV3;1980-01-01;2005-01-01;;`, // 4 check letter
        `${cfs[3]};Gialli;Sara;ZZ;CSV4;1980-01-01;2005-01-01;;`, // 5 unknown province
        `${cfs[4]};;Luigi;MI;CSV5;1980-01-01;2005-01-01;;`, // 6 missing surname
        `${cfs[5]};Blu;Carla;MI;CSV6;31/02/1980;2005-01-01;;`, // 7 no 31 February
        `${cfs[6]};"=HYPERLINK(""http://evil.example"";""clic"")";Eva;MI;CSV7;1980-01-01;2005-01-01;;"una nota`, // 8 formula-like surname, note spans lines
        `su due righe"`, // 9
        ';;;;;;;;', // 10 a row of empty cells, as spreadsheets export blank lines: skipped
        `${cfs[0]};Rossi;Mario;MI;CSV1;10/12/1985;01/02/2012;;`, // 11 same codice fiscale as line 2
        `${cfs[7]};Viola;Ugo;MI;CSV1;1980-01-01;2005-01-01;;`, // 12 register number of line 2
        `${cfs[8]};Rosa;Ida;RM;CSV9;1980-01-01;2005-01-01;;`, // 13 ok for cn; other province for the MI CPO
        `${cfs[9]};Grigi;Ada;MI;CSV10;1980-01-01;2005-01-01;not-an-email;`, // 14 bad e-mail
        '', // 15 empty line
        `${cfs[10]};"Neri ";  Ugo ;mi;CSV11;1/2/1970;2000-01-01;;"a"b`, // 16 ok: cells trimmed, d/m/yyyy, stray quote in an ignored column
      ];
      const csv = lines.join('\r\n') + '\r\n';
      const post = (text: string | Uint8Array, key: string, type = 'text/csv; charset=utf-8') =>
        h.api('POST', '/v1/members/import', { key, raw: text, headers: { 'content-type': type } });

      it('imports good rows and lists bad ones by line number and code', async () => {
        const r = await post(csv, cn);
        expect(r.status, r.text).toBe(200);
        expect(r.body.created).toBe(5);
        expect(r.body.updated).toBe(0);
        expect(r.body.rejected.map((x: { row: number; code: string }) => [x.row, x.code])).toEqual([
          [4, 'invalid-codice-fiscale'],
          [5, 'unknown-province'],
          [6, 'missing-field'],
          [7, 'invalid-date'],
          [11, 'duplicate-in-file'],
          [12, 'register-number-taken'],
          [14, 'invalid-email'],
        ]);
        // Messages carry no personal data.
        for (const x of r.body.rejected) expect(x.message).not.toMatch(/Neri|Gialli|Viola|Grigi|not-an-email/);

        const m0 = await h.api('GET', `/v1/members?codiceFiscale=${cfs[0]}`, { key: cn });
        expect(m0.body).toMatchObject({
          surname: 'Rossi',
          givenName: 'Mario',
          province: 'MI',
          registerNumber: 'CSV1',
          birthDate: '1985-12-10',
          registrationDate: '2012-02-01',
          email: 'mario.rossi@example.it',
        });
        const m1 = await h.api('GET', `/v1/members?codiceFiscale=${cfs[1]}`, { key: cn });
        expect(m1.body).toMatchObject({ codiceFiscale: cfs[1], province: 'MI', email: null });
        // A formula-looking surname is data, stored exactly as written.
        const m6 = await h.api('GET', `/v1/members?codiceFiscale=${cfs[6]}`, { key: cn });
        expect(m6.body.surname).toBe('=HYPERLINK("http://evil.example";"clic")');
        const m10 = await h.api('GET', `/v1/members?codiceFiscale=${cfs[10]}`, { key: cn });
        expect(m10.body).toMatchObject({ surname: 'Neri', givenName: 'Ugo', province: 'MI', birthDate: '1970-02-01' });
      });

      it('re-importing the same file changes nothing; a changed row is an update', async () => {
        const again = await post(csv, cn);
        expect(again.status).toBe(200);
        expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 5 });
        expect(again.body.rejected).toHaveLength(7);
        const count = await h.rt.db.query<{ n: number }>("SELECT count(*)::int AS n FROM members WHERE register_number LIKE 'CSV%'");
        expect(count.rows[0]!.n).toBe(5);

        const changed = csv.replace('Verdi;Anna', 'Verdi;Anna Maria');
        const upd = await post(changed, cn);
        expect(upd.body).toMatchObject({ created: 0, updated: 1, unchanged: 4 });
        const m1 = await h.api('GET', `/v1/members?codiceFiscale=${cfs[1]}`, { key: cn });
        expect(m1.body.givenName).toBe('Anna Maria');
      });

      it('a CPO imports its own province only (province-not-allowed row by row)', async () => {
        const text = [
          'codice_fiscale,surname,given_name,province,register_number,birth_date,registration_date',
          `${cfs[11]},Ferri,Olga,MI,CPO1,1970-07-07,1999-09-09`,
          `${cfs[12]},Conti,Rino,RM,CPO2,1970-07-07,1999-09-09`,
          `${cfs[8]},Rosa,Ida,MI,CSV9,1980-01-01,2005-01-01`, // exists in RM: moving members is not a CPO's import
        ].join('\n');
        const r = await post(text, cpoMI);
        expect(r.status, r.text).toBe(200);
        expect(r.body.created).toBe(1);
        expect(r.body.rejected).toEqual([
          { row: 3, code: 'province-not-allowed', message: expect.any(String) },
          { row: 4, code: 'province-not-allowed', message: expect.any(String) },
        ]);
        const rosa = await h.api('GET', `/v1/members?codiceFiscale=${cfs[8]}`, { key: cn });
        expect(rosa.body.province).toBe('RM');
      });

      it('refuses files it cannot read, with a stable code', async () => {
        const latin1 = Buffer.from(`${header}\n${nextCf()};Citt\xe0;Nome;MI;L1;1980-01-01;2005-01-01;;`, 'latin1');
        const enc = await post(latin1, cn);
        expect(enc.status).toBe(422);
        expect(problemCode(enc)).toBe('invalid-encoding');

        const missing = await post('codice_fiscale;cognome;nome\nX;Y;Z\n', cn);
        expect(missing.status).toBe(422);
        expect(missing.body).toMatchObject({ code: 'missing-columns' });
        expect(missing.body.missing).toEqual(['provincia', 'numero_iscrizione', 'data_nascita', 'data_iscrizione']);

        const json = await h.api('POST', '/v1/members/import', { key: cn, body: { csv } });
        expect(json.status).toBe(415);
        expect(problemCode(json)).toBe('unsupported-media-type');

        const big = await post(header + '\n' + 'x'.repeat(2 * 1024 * 1024), cn);
        expect(big.status).toBe(413);
        expect(problemCode(big)).toBe('body-too-large');

        const many = await post([header, ...Array.from({ length: 20_001 }, () => ';;;;;;;;')].join('\n'), cn);
        expect(many.status).toBe(413);
        expect(problemCode(many)).toBe('too-many-rows');

        const unclosed = await post(`${header}\n${nextCf()};"Aperta;Nome;MI;U1;1980-01-01;2005-01-01;;\n`, cn);
        expect(unclosed.status).toBe(200);
        expect(unclosed.body.rejected).toEqual([{ row: 2, code: 'malformed-row', message: expect.any(String) }]);

        expect((await post(csv, org.b!.key)).status).toBe(403);
      });
    });

    // -----------------------------------------------------------------------------------------
    describe('events', () => {
      it('a self-accrediting organiser creates an event: approved at once, tolerance 30 by default', async () => {
        const start = romeAt(5);
        const r = await h.api('POST', '/v1/events', { key: org.b!.key, body: eventBody(start, 3, { fractionable: false }) });
        expect(r.status, r.text).toBe(201);
        expect(r.body).toMatchObject({
          organiserId: org.b!.id,
          cpoProvince: 'MI',
          mode: 'webinar',
          credits: 3,
          toleranceMinutes: 30,
          regionWide: false,
          fractions: null,
          platform: null,
          closedAt: null,
          accreditation: { status: 'approved', reference: null, deadline: null, bySilence: false },
        });
        expect(r.body.start).toBe(iso(start));
        expect(r.body.topics).toHaveLength(2);
      });

      it('422 invalid-event lists every violation with its code (R-EVT-1, R-CAL-6, R-ATT-2/5, R-EVT-4)', async () => {
        const start = romeAt(10);
        const body = eventBody(start, 2, {
          credits: 3, // R-CAL-6: 2 hours
          mode: 'in-person',
          venueProvince: 'MI',
          regionWide: true, // R-EVT-4
          toleranceMinutes: 45, // R-ATT-2
          topics: [
            { title: 'A', start: iso(start), end: iso(start + 1.5 * H), deontology: true },
            { title: 'B', start: iso(start + H), end: iso(start + 2 * H), deontology: false }, // overlap
          ],
          fractionable: true,
          fractions: [
            { start: iso(start), end: iso(start + H), credits: 1 },
            { start: iso(start + 1.5 * H), end: iso(start + 2 * H), credits: 0 }, // gap
          ],
        });
        const r = await h.api('POST', '/v1/events', { key: org.b!.key, body });
        expect(r.status).toBe(422);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(r.body.code).toBe('invalid-event');
        const codes = r.body.errors.map((e: { code: string }) => e.code).sort();
        expect(codes).toEqual(
          [
            'credits-exceed-hours',
            'fraction-credits-mismatch',
            'fractions-not-contiguous',
            'region-wide-not-webinar',
            'tolerance-out-of-range',
            'topics-overlap',
          ].sort(),
        );
        for (const e of r.body.errors) expect(e).toEqual({ code: expect.any(String), path: expect.any(String), message: expect.stringMatching(/R-/) });

        const reversed = await h.api('POST', '/v1/events', { key: org.b!.key, body: eventBody(start, 2, { end: iso(start) }) });
        expect(reversed.body.errors.map((e: { code: string }) => e.code)).toContain('end-not-after-start');
        const noFractions = await h.api('POST', '/v1/events', { key: org.b!.key, body: eventBody(start, 2, { fractionable: true }) });
        expect(noFractions.body.errors.map((e: { code: string }) => e.code)).toEqual(['fractions-required']);
      });

      it('R-EVT-2: a CPO organiser accredits in its own province only', async () => {
        const r = await h.api('POST', '/v1/events', { key: org.a!.key, body: eventBody(romeAt(3), 2, { cpoProvince: 'BG' }) });
        expect(r.status).toBe(422);
        expect(r.body.errors).toEqual([expect.objectContaining({ code: 'cpo-province-mismatch', path: 'cpoProvince' })]);
        expect((await h.api('POST', '/v1/events', { key: org.a!.key, body: eventBody(romeAt(3), 2) })).status).toBe(201);
      });

      it('R-EVT-2: a kind e organiser only for its modes and while authorised', async () => {
        const podcast = await h.api('POST', '/v1/events', { key: org.e!.key, body: eventBody(romeAt(30), 2, { mode: 'podcast' }) });
        expect(podcast.body.errors.map((e: { code: string }) => e.code)).toEqual(['mode-not-authorised']);
        const expired = await h.api('POST', '/v1/events', { key: org.eExpired!.key, body: eventBody(romeAt(30), 2) });
        expect(expired.body.errors.map((e: { code: string }) => e.code)).toEqual(['authorisation-not-valid']);
      });

      it('R-EVT-3: kinds d and e request accreditation at least 20 days ahead', async () => {
        const late = await h.api('POST', '/v1/events', { key: org.d!.key, body: eventBody(romeAt(19), 2) });
        expect(late.status).toBe(422);
        expect(late.body.errors.map((e: { code: string }) => e.code)).toEqual(['accreditation-too-late']);
        const lateE = await h.api('POST', '/v1/events', { key: org.e!.key, body: eventBody(romeAt(10), 2) });
        expect(lateE.body.errors.map((e: { code: string }) => e.code)).toEqual(['accreditation-too-late']);

        const ok = await h.api('POST', '/v1/events', { key: org.d!.key, body: eventBody(romeAt(20, 9), 2) });
        expect(ok.status, ok.text).toBe(201);
        expect(ok.body.accreditation).toMatchObject({ status: 'requested', decidedAt: null, bySilence: false });
        // R-CAL-3: 23:59:59.999 Rome of the 10th day after the request.
        const deadline = DateTime.fromISO(ok.body.accreditation.deadline).setZone('Europe/Rome');
        expect(deadline.toFormat('HH:mm:ss.SSS')).toBe('23:59:59.999');
        expect(deadline.startOf('day').diff(DateTime.fromISO(ok.body.accreditation.requestedAt).setZone('Europe/Rome').startOf('day'), 'days').days).toBe(10);
      });

      it('schema errors are 400 invalid-body; a platform meeting id is unique per organiser', async () => {
        const bad = await h.api('POST', '/v1/events', { key: org.b!.key, body: eventBody(romeAt(5), 2, { mode: 'radio' }) });
        expect(bad.status).toBe(400);
        expect(problemCode(bad)).toBe('invalid-body');
        const noOffset = await h.api('POST', '/v1/events', { key: org.b!.key, body: eventBody(romeAt(5), 2, { start: '2026-05-01T10:00:00' }) });
        expect(noOffset.status).toBe(400);

        const withZoom = eventBody(romeAt(6), 2, { platform: { name: 'zoom', meetingId: '987654321' } });
        const first = await h.api('POST', '/v1/events', { key: org.b!.key, body: withZoom });
        expect(first.status).toBe(201);
        expect(first.body.platform).toEqual({ name: 'zoom', meetingId: '987654321' });
        const second = await h.api('POST', '/v1/events', { key: org.b!.key, body: withZoom });
        expect(second.status).toBe(409);
        expect(problemCode(second)).toBe('platform-meeting-exists');
        // Another organiser may use the same id on its own account.
        expect((await h.api('POST', '/v1/events', { key: org.c!.key, body: withZoom })).status).toBe(201);
      });

      it('visibility: owner and its platform key, the accrediting CPO, cn, admin; anyone else 404', async () => {
        const r = await h.api('POST', '/v1/events', { key: org.c!.key, body: eventBody(romeAt(7), 2) });
        const id = r.body.id;
        for (const key of [org.c!.key, org.c!.platform, cpoMI, cn, admin]) {
          const g = await h.api('GET', `/v1/events/${id}`, { key });
          expect(g.status).toBe(200);
          expect(g.body.id).toBe(id);
        }
        for (const key of [org.b!.key, org.b!.platform, cpoRM]) {
          const g = await h.api('GET', `/v1/events/${id}`, { key });
          expect(g.status).toBe(404);
          expect(problemCode(g)).toBe('event-not-found');
        }
        expect((await h.api('GET', `/v1/events/${crypto.randomUUID()}`, { key: cn })).status).toBe(404);
      });

      it('lists: organisers their own, a CPO what it accredits, cn everything; pages by cursor', async () => {
        const own = await h.api('GET', '/v1/events?limit=200', { key: org.c!.key });
        expect(own.status).toBe(200);
        expect(own.body.items.length).toBeGreaterThan(0);
        expect(own.body.items.every((e: { organiserId: string }) => e.organiserId === org.c!.id)).toBe(true);
        const rm = await h.api('GET', '/v1/events', { key: cpoRM });
        expect(rm.body.items).toEqual([]);
        const mi = await h.api('GET', '/v1/events?limit=200', { key: cpoMI });
        const all = await h.api('GET', '/v1/events?limit=200', { key: cn });
        expect(mi.body.items.length).toBe(all.body.items.length); // every event so far is accredited by MI

        const seen: string[] = [];
        let after: string | null = null;
        do {
          const page: ApiResponse = await h.api('GET', `/v1/events?limit=2${after ? `&after=${after}` : ''}`, { key: cn });
          expect(page.status).toBe(200);
          expect(page.body.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.body.items.map((e: { id: string }) => e.id));
          after = page.body.next;
        } while (after);
        expect(seen).toEqual(all.body.items.map((e: { id: string }) => e.id));
        expect(new Set(seen).size).toBe(seen.length);
        const starts = all.body.items.map((e: { start: string }) => Date.parse(e.start));
        expect([...starts].sort((a, b) => a - b)).toEqual(starts);

        expect((await h.api('GET', '/v1/events?after=garbage', { key: cn })).status).toBe(400);
        expect((await h.api('GET', '/v1/events?limit=1000', { key: cn })).status).toBe(400);
      });
    });

    // -----------------------------------------------------------------------------------------
    describe('accreditation (R-EVT-3)', () => {
      let requested: string;
      beforeAll(async () => {
        const r = await h.api('POST', '/v1/events', { key: org.d!.key, body: eventBody(romeAt(25), 3) });
        expect(r.status, r.text).toBe(201);
        requested = r.body.id;
      });

      it('only the accrediting CPO or the CN decides', async () => {
        const body = { decision: 'approve', reference: 'Prot. 123/2026' };
        expect((await h.api('POST', `/v1/events/${requested}/accreditation`, { key: org.d!.key, body })).status).toBe(403);
        expect((await h.api('POST', `/v1/events/${requested}/accreditation`, { key: admin, body })).status).toBe(403);
        const rm = await h.api('POST', `/v1/events/${requested}/accreditation`, { key: cpoRM, body });
        expect(rm.status).toBe(404);
        const bad = await h.api('POST', `/v1/events/${requested}/accreditation`, { key: cpoMI, body: { decision: 'maybe', reference: 'x' } });
        expect(bad.status).toBe(400);
      });

      it('approve, idempotent repeat, then no change of mind', async () => {
        const body = { decision: 'approve', reference: 'Prot. 123/2026' };
        const ok = await h.api('POST', `/v1/events/${requested}/accreditation`, { key: cpoMI, body });
        expect(ok.status, ok.text).toBe(200);
        expect(ok.body.accreditation).toMatchObject({ status: 'approved', reference: 'Prot. 123/2026', bySilence: false });
        expect(ok.body.accreditation.decidedAt).toEqual(expect.any(String));
        const again = await h.api('POST', `/v1/events/${requested}/accreditation`, { key: cpoMI, body });
        expect(again.status).toBe(200);
        expect(again.body.accreditation.decidedAt).toBe(ok.body.accreditation.decidedAt);
        const flip = await h.api('POST', `/v1/events/${requested}/accreditation`, { key: cn, body: { decision: 'reject', reference: 'Prot. 124/2026' } });
        expect(flip.status).toBe(409);
        expect(problemCode(flip)).toBe('accreditation-already-decided');
      });

      it('the CN may reject; a self-accredited event has nothing to decide', async () => {
        const r = await h.api('POST', '/v1/events', { key: org.e!.key, body: eventBody(romeAt(30), 2, { questions: questionPool() }) });
        expect(r.status, r.text).toBe(201);
        const rej = await h.api('POST', `/v1/events/${r.body.id}/accreditation`, { key: cn, body: { decision: 'reject', reference: 'Delibera CN 7' } });
        expect(rej.status).toBe(200);
        expect(rej.body.accreditation.status).toBe('rejected');
        const self = await h.api('POST', '/v1/events', { key: org.a!.key, body: eventBody(romeAt(4), 2) });
        const none = await h.api('POST', `/v1/events/${self.body.id}/accreditation`, { key: cpoMI, body: { decision: 'reject', reference: 'x' } });
        expect(none.status).toBe(409);
      });

      it('silence for 10 days means consent; a late answer is refused', async () => {
        const r = await h.api('POST', '/v1/events', { key: org.d!.key, body: eventBody(romeAt(40), 2) });
        const id = r.body.id;
        // The request was made 11 days ago (the clock of the gateway cannot be moved from here).
        await h.rt.db.query("UPDATE events SET accreditation_requested_at = accreditation_requested_at - interval '11 days' WHERE id = $1", [id]);
        const g = await h.api('GET', `/v1/events/${id}`, { key: org.d!.key });
        expect(g.body.accreditation).toMatchObject({ status: 'approved', bySilence: true, decidedAt: null });
        const lateAnswer = await h.api('POST', `/v1/events/${id}/accreditation`, { key: cpoMI, body: { decision: 'reject', reference: 'tardi' } });
        expect(lateAnswer.status).toBe(409);
        expect(problemCode(lateAnswer)).toBe('accreditation-deadline-passed');
        // Nine days ago: still the CPO's to decide.
        await h.rt.db.query("UPDATE events SET accreditation_requested_at = now() - interval '9 days' WHERE id = $1", [id]);
        expect((await h.api('GET', `/v1/events/${id}`, { key: cn })).body.accreditation).toMatchObject({ status: 'requested', bySilence: false });
      });
    });

    // -----------------------------------------------------------------------------------------
    describe('registrations (R-EVT-4, R-ATT-7)', () => {
      let webinar: string;
      let mi1: { id: string; codiceFiscale: string; email: string };
      let mi2: { id: string; codiceFiscale: string; email: string };
      let bg: { id: string; codiceFiscale: string; email: string };
      let rm: { id: string; codiceFiscale: string; email: string };

      beforeAll(async () => {
        mi1 = await createMember('MI');
        mi2 = await createMember('MI');
        bg = await createMember('BG');
        rm = await createMember('RM');
        const r = await h.api('POST', '/v1/events', { key: org.b!.key, body: eventBody(romeAt(8), 2) });
        expect(r.status, r.text).toBe(201);
        webinar = r.body.id;
      });

      const register = (eventId: string, key: string, registrations: unknown[]) =>
        h.api('POST', `/v1/events/${eventId}/registrations`, { key, body: { registrations } });

      it('registers by member id or codice fiscale, rejecting bad rows by index', async () => {
        const r = await register(webinar, org.b!.key, [
          { memberId: mi1.id, registrantId: 'zr-1', email: 'M1@Example.it' },
          { codiceFiscale: mi2.codiceFiscale.toLowerCase(), registrantId: 'zr-2' },
          { memberId: crypto.randomUUID(), registrantId: 'zr-x' },
          { codiceFiscale: wrongCheck(mi2.codiceFiscale) },
          { memberId: mi1.id, registrantId: 'zr-1b' },
          { memberId: bg.id, registrantId: 'zr-1' },
          { memberId: rm.id, email: 'm1@example.it' },
          { memberId: bg.id, email: bg.email },
        ]);
        expect(r.status, r.text).toBe(200);
        expect(r.body.registered).toBe(3);
        expect(r.body.rejected).toEqual([
          { index: 2, code: 'member-not-found' },
          { index: 3, code: 'invalid-codice-fiscale' },
          { index: 4, code: 'duplicate-in-batch' },
          { index: 5, code: 'registrant-id-taken' },
          { index: 6, code: 'email-taken' },
        ]);
        // BG is outside an MI webinar that is not region-wide (R-EVT-4): registered, flagged.
        expect(r.body.outsideAudience).toEqual([{ index: 7 }]);

        const list = await h.api('GET', `/v1/events/${webinar}/registrations`, { key: org.b!.key });
        expect(list.status).toBe(200);
        const byMember = Object.fromEntries(list.body.items.map((x: { memberId: string }) => [x.memberId, x]));
        expect(Object.keys(byMember).sort()).toEqual([mi1.id, mi2.id, bg.id].sort());
        expect(byMember[mi1.id]).toMatchObject({ registrantId: 'zr-1', email: 'm1@example.it', inAudience: true, province: 'MI' });
        expect(byMember[bg.id]).toMatchObject({ registrantId: null, inAudience: false });
      });

      it('is idempotent: registering again updates the identifiers given and keeps the others', async () => {
        const r = await register(webinar, org.b!.platform, [
          { memberId: mi1.id, registrantId: 'zr-1-new' },
          { memberId: mi2.id, registrantId: 'zr-2' },
        ]);
        expect(r.status).toBe(200);
        expect(r.body).toEqual({ registered: 2, rejected: [], outsideAudience: [] });
        const rows = await h.rt.db.query<{ member_id: string; registrant_id: string; email: string | null }>(
          'SELECT member_id, registrant_id, email FROM registrations WHERE event_id = $1 ORDER BY registrant_id',
          [webinar],
        );
        expect(rows.rows).toHaveLength(3);
        expect(rows.rows.find((x) => x.member_id === mi1.id)).toMatchObject({ registrant_id: 'zr-1-new', email: 'm1@example.it' });
        // The freed registrant id can now go to someone else.
        const reuse = await register(webinar, org.b!.key, [{ memberId: rm.id, registrantId: 'zr-1' }]);
        expect(reuse.body).toMatchObject({ registered: 1, rejected: [], outsideAudience: [{ index: 0 }] });
      });

      it('a region-wide webinar admits the whole region (R-EVT-4)', async () => {
        const r = await h.api('POST', '/v1/events', { key: org.b!.key, body: eventBody(romeAt(9), 2, { regionWide: true }) });
        const out = await register(r.body.id, org.b!.key, [{ memberId: mi1.id }, { memberId: bg.id }, { memberId: rm.id }]);
        expect(out.body.outsideAudience).toEqual([{ index: 2 }]);
      });

      it('in-person events accept registrations without audience flags', async () => {
        const r = await h.api('POST', '/v1/events', { key: org.b!.key, body: eventBody(romeAt(9), 2, { mode: 'in-person', venueProvince: 'MI' }) });
        const out = await register(r.body.id, org.b!.key, [{ memberId: rm.id }]);
        expect(out.body).toEqual({ registered: 1, rejected: [], outsideAudience: [] });
      });

      it('only the owner registers; the accrediting CPO may read; others get 404', async () => {
        const other = await register(webinar, org.c!.key, [{ memberId: mi1.id }]);
        expect(other.status).toBe(404);
        expect(problemCode(other)).toBe('event-not-found');
        expect((await register(webinar, cpoMI, [{ memberId: mi1.id }])).status).toBe(403);
        expect((await h.api('GET', `/v1/events/${webinar}/registrations`, { key: cpoMI })).status).toBe(200);
        expect((await h.api('GET', `/v1/events/${webinar}/registrations`, { key: cpoRM })).status).toBe(404);
        expect((await h.api('GET', `/v1/events/${webinar}/registrations`, { key: org.c!.platform })).status).toBe(404);
      });

      it('limits: 1..5,000 rows, one of memberId/codiceFiscale; no changes once the course is closed (R-EVT-7)', async () => {
        expect((await register(webinar, org.b!.key, [])).status).toBe(400);
        const tooMany = Array.from({ length: 5001 }, () => ({ memberId: mi1.id }));
        expect((await register(webinar, org.b!.key, tooMany)).status).toBe(400);
        const both = await register(webinar, org.b!.key, [{ memberId: mi1.id, codiceFiscale: mi1.codiceFiscale }]);
        expect(both.status).toBe(400);
        expect(problemCode(both)).toBe('invalid-body');

        const r = await h.api('POST', '/v1/events', { key: org.b!.key, body: eventBody(romeAt(-2), 2) });
        await h.rt.db.query("UPDATE events SET closed_at = now(), closed_by = 'test' WHERE id = $1", [r.body.id]);
        const closed = await register(r.body.id, org.b!.key, [{ memberId: mi1.id }]);
        expect(closed.status).toBe(409);
        expect(problemCode(closed)).toBe('event-closed');
      });
    });

    // -----------------------------------------------------------------------------------------
    it('every registry route is in the OpenAPI document', async () => {
      const doc = await h.api('GET', '/openapi.json');
      expect(doc.status).toBe(200);
      const paths = doc.body.paths as Record<string, Record<string, unknown>>;
      const expected: Array<[string, string]> = [
        ['/v1/organisers', 'post'],
        ['/v1/organisers/{id}', 'get'],
        ['/v1/organisers/{id}/connections', 'post'],
        ['/v1/members', 'post'],
        ['/v1/members', 'get'],
        ['/v1/members/{id}', 'get'],
        ['/v1/members/import', 'post'],
        ['/v1/events', 'post'],
        ['/v1/events', 'get'],
        ['/v1/events/{id}', 'get'],
        ['/v1/events/{id}/accreditation', 'post'],
        ['/v1/events/{id}/registrations', 'post'],
        ['/v1/events/{id}/registrations', 'get'],
      ];
      for (const [p, m] of expected) expect(paths[p]?.[m], `${m} ${p}`).toBeDefined();
      expect(Object.keys((paths['/v1/members/import']!.post as { requestBody: { content: object } }).requestBody.content)).toEqual([
        'text/csv',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      ]);
      expect(doc.body.components.schemas.Event).toBeDefined();
    });
  });
}
