/**
 * Issue 15 (R-DOC-1 … R-DOC-6) through HTTP: the e-learning attestation carries a verification code,
 * the public page /verify/{code} shows what it certifies and whether it is valid, revoked or
 * superseded, and the facts' digest printed on the PDF is the page's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeHash, parseCode } from '../../src/domain/documents.ts';
import { backendsOf } from '../support/backends.ts';
import type { CreatedMember } from '../support/fixtures.ts';
import { attestationCourses, type AttestationCourses } from '../support/attestation-courses.ts';
import type { Harness } from '../support/harness.ts';
import { pdfText } from '../support/pdf-text.ts';

const norm = (s: string) => s.replace(/\s+/g, ' ');

for (const backend of backendsOf(import.meta.url)) {
  describe(`verifiable documents (issue 15) on ${backend}`, () => {
    let f: AttestationCourses;
    let h: Harness;
    let keys: AttestationCourses['keys'];
    let other: AttestationCourses['keys'];
    let admin: string;
    let course: string; // e-learning, declared, 2 credits (1 h deontology)
    let members: CreatedMember[];
    let enrolments: Map<string, string>; // `${event}/${member}` → enrolment id
    const get = (path: string, key?: string) => f.get(path, key);
    const apiPath = (event: string, member: string) => `/v1/events/${event}/enrolments/${member}/attestation`;

    beforeAll(async () => {
      f = await attestationCourses(backend);
      ({ h, keys, other, admin, course, members, enrolments } = f);
    });

    afterAll(async () => {
      await h?.close();
    });

    const CODE_RE = /Codice di verifica: ((?:[A-Z2-7]{4}-){7}[A-Z2-7]{4})/;
    const DIGEST_RE = /Impronta dei contenuti \(SHA-256\): ((?:[0-9a-f]{8} ){7}[0-9a-f]{8})/;
    const page = async (path: string) => {
      const res = await fetch(h.url + path, { redirect: 'manual' });
      return { status: res.status, headers: res.headers, text: await res.text() };
    };
    let code = '';
    let digest = '';

    it('downloading the attestation twice gives the same code; the PDF prints code, address and digest', async () => {
      const m = members[0]!;
      const a = await get(apiPath(course, m.id), keys.organiser);
      expect(a.status, a.text).toBe(200);
      const b = await get(apiPath(course, m.id), keys.cn);
      expect(Buffer.from(b.bytes).equals(Buffer.from(a.bytes))).toBe(true);
      const text = norm(await pdfText(a.bytes));
      code = CODE_RE.exec(text)?.[1] ?? '';
      digest = DIGEST_RE.exec(text)?.[1] ?? '';
      expect(code, text).not.toBe('');
      expect(digest, text).not.toBe('');
      expect(text.replace(/\s+/g, '')).toContain(`${h.url}/verify/${code}`); // the address may wrap
      // The member's door holds the same document.
      const res = await h.api('POST', `/v1/members/${m.id}/dashboard-link`, { key: keys.cpo });
      const token = new URL(res.body.url).pathname.replace(/^\/m\//, '');
      const fromMember = await get(`/m/${token}/attestato/${course}`);
      expect(CODE_RE.exec(norm(await pdfText(fromMember.bytes)))?.[1]).toBe(code);
    });

    it('the verification page shows the facts, "Valida" and the same digest; private headers', async () => {
      const m = members[0]!;
      const res = await page(`/verify/${code}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.text).toContain('noindex');
      expect(res.text).not.toContain('<script');
      expect(res.text).toContain('Valida');
      expect(res.text).toContain('Nome950 Cognome950');
      expect(res.text).toContain(`${m.codiceFiscale.slice(0, 6)}•••••••••${m.codiceFiscale.slice(-1)}`);
      expect(res.text).not.toContain(m.codiceFiscale);
      expect(res.text).toContain('Lavoro agile: più diritti – meno oneri');
      expect(res.text).toContain('Attestato di partecipazione a un corso di formazione a distanza');
      expect(res.text).toContain(digest);
      // Typed in lower case with spaces, through the form.
      const typed = await page(`/verify?codice=${encodeURIComponent(code.toLowerCase().replaceAll('-', ' '))}`);
      expect([typed.status, typed.headers.get('location')]).toEqual([303, `/verify/${code}`]);
      expect((await page('/verify')).text).toContain('name="codice"');
    });

    it('an unknown and a malformed code get the same 404 page', async () => {
      const unknown = await page(`/verify/${'A'.repeat(32)}`);
      const malformed = await page('/verify/not-a-code');
      expect(unknown.status).toBe(404);
      expect(malformed.status).toBe(404);
      expect(malformed.text).toBe(unknown.text);
    });

    it('the table stores no plain code, only its SHA-256', async () => {
      const plain = parseCode(code)!;
      const { rows } = await h.rt.db.query<Record<string, unknown>>('SELECT * FROM issued_documents');
      expect(JSON.stringify(rows)).not.toContain(plain);
      expect(rows.map((r) => r.code_hash)).toContain(codeHash(plain));
    });

    it('corrected facts supersede the document: the old code says "Sostituita", the new one "Valida"', async () => {
      const m = members[0]!;
      await h.rt.db.query('UPDATE elearning_outcomes SET credits = 1 WHERE enrolment_id = $1', [enrolments.get(`${course}/${m.id}`)]);
      const again = await get(apiPath(course, m.id), keys.organiser);
      const newCode = CODE_RE.exec(norm(await pdfText(again.bytes)))?.[1] ?? '';
      expect(newCode).not.toBe('');
      expect(newCode).not.toBe(code);
      expect((await page(`/verify/${code}`)).text).toContain('Sostituita');
      expect((await page(`/verify/${newCode}`)).text).toContain('Valida');
      code = newCode;
    });

    it('revoking: another organiser and a CPO cannot (404), the issuer can; the page says "Revocata" and why', async () => {
      const path = `/v1/documents/${code}/revoke`;
      const foreign = await h.api('POST', path, { key: other.organiser, body: { reason: 'Errore materiale' } });
      expect([foreign.status, foreign.body.code]).toEqual([404, 'document-not-found']);
      // A CPO revokes only what it issued (R-DOC-6, R-DOC-8): an organiser's attestation is not there for it.
      const cpo = await h.api('POST', path, { key: keys.cpo, body: { reason: 'Errore materiale' } });
      expect([cpo.status, cpo.body.code]).toEqual([404, 'document-not-found']);
      const res = await h.api('POST', path, { key: keys.organiser, body: { reason: 'Errore materiale nei crediti' } });
      expect(res.status, res.text).toBe(200);
      expect(res.body.status).toBe('revoked');
      const shown = await page(`/verify/${code}`);
      expect(shown.text).toContain('Revocata');
      expect(shown.text).toContain('Errore materiale nei crediti');
      const unknown = await h.api('POST', `/v1/documents/${'A'.repeat(32)}/revoke`, { key: admin, body: { reason: 'Errore' } });
      expect([unknown.status, unknown.body.code]).toEqual([404, 'document-not-found']);
    });
  });
}
