/**
 * Issue 15 proof, through HTTP on a real database: the referral list to the discipline council
 * (art. 28 c.2, R-VER-8, R-VER-9). A province with a compliant member, a short one, a debtor who
 * settles by 30 June, a debtor who does not and a short member whose debt request waits, yields
 * the expected list after February and after June; preparing twice creates nothing; each step is
 * recorded with who took it and refused steps say why; the letter's code opens /verify with the
 * letter's facts; a later version withdraws a prepared referral (its letter then verifies as
 * revoked) and notes a sent one; another province's officer finds nothing. Facts are seeded in
 * the store, as in the verification's suite.
 */
import crypto from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { createCpoOrganiser, createMembers, pastWebinar, type CreatedMember } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { pdfText } from '../support/pdf-text.ts';
import { unzip } from '../support/zip.ts';

const ROME = 'Europe/Rome';
const at = (iso: string) => DateTime.fromISO(iso, { zone: ROME }).toMillis();
const norm = (s: string) => s.replace(/\s+/g, ' ');
const CODE_RE = /Codice di verifica: ((?:[A-Z2-7]{4}-){7}[A-Z2-7]{4})/;
const DIGEST_RE = /Impronta dei contenuti \(SHA-256\): ((?:[0-9a-f]{8} ){7}[0-9a-f]{8})/;

for (const backend of backendsOf(import.meta.url)) {
  describe(`the discipline referral list on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let rome: string;
    let admin: string;
    let m: CreatedMember[];
    const events: Record<string, string> = {};
    let clock = at('2027-02-20T10:00');
    const ids: Record<string, string> = {}; // referral id by role of the member

    async function event(startIso: string) {
      const res = await h.api('POST', '/v1/events', {
        key: keys.organiser,
        body: { ...pastWebinar(at(startIso), 2), mode: 'in-person', title: `evento ${startIso}` },
      });
      expect(res.status, res.text).toBe(201);
      return res.body.id as string;
    }
    async function credit(member: CreatedMember, eventId: string, year: number, credits: number, deontology: number) {
      await h.rt.db.query(
        `INSERT INTO credit_records (member_id, event_id, fraction, credits, deontology_credits, mode, year, status, derived_at)
         VALUES ($1, $2, 0, $3, $4, 'in-person', $5, 'granted', now())`,
        [member.id, eventId, credits, deontology, year],
      );
    }
    async function debtRequest(member: CreatedMember, total: number, status: 'accepted' | 'filed') {
      await h.rt.db.query(
        `INSERT INTO debt_requests (id, member_id, province, biennium, total, deontology, filed_on, filed_at, status, decided_at, decided_by)
         VALUES ($1, $2, 'MI', 2025, $3, 0, '2027-02-10', now(), $4, $5, $6)`,
        [crypto.randomUUID(), member.id, total, status, status === 'accepted' ? new Date() : null, status === 'accepted' ? 'cpo:test' : null],
      );
    }
    const verify = (phase: 'february' | 'june') => h.api('POST', '/v1/provinces/MI/verifications', { key: keys.cpo, body: { biennium: 2025, phase } });
    const prepare = (body: Record<string, unknown> = {}, key = keys.cpo) =>
      h.api('POST', '/v1/provinces/MI/referrals', { key, body: { biennium: 2025, ...body } });
    const list = (query = '', key = keys.cpo) => h.api('GET', `/v1/provinces/MI/referrals/2025${query}`, { key });
    const move = (id: string, body: Record<string, unknown>, key = keys.cpo) => h.api('POST', `/v1/referrals/${id}/transitions`, { key, body });
    const bytes = async (path: string, key: string) => {
      const res = await fetch(h.url + path, { headers: { authorization: `Bearer ${key}` } });
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        disposition: res.headers.get('content-disposition'),
        bytes: Buffer.from(await res.arrayBuffer()),
      };
    };
    const page = async (path: string) => {
      const res = await fetch(h.url + path);
      return { status: res.status, text: await res.text() };
    };
    const byMember = (rows: Array<{ member: { id: string }; state: string }>) => Object.fromEntries(rows.map((r) => [r.member.id, r.state]));

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, now: () => clock });
      keys = await createCpoOrganiser(h, 'MI');
      rome = await h.key('cpo', 'RM');
      admin = await h.key('admin');
      m = await createMembers(h, keys.cn, ['MI', 'MI', 'MI', 'MI', 'MI', 'RM'], 1700);
      for (const iso of ['2025-05-10T15:00', '2026-05-10T15:00', '2026-09-10T15:00', '2026-10-10T15:00', '2027-03-15T15:00'])
        events[iso.slice(0, 10)] = await event(iso);
      const [compliant, short, settles, fails, pending, roman] = m as [
        CreatedMember,
        CreatedMember,
        CreatedMember,
        CreatedMember,
        CreatedMember,
        CreatedMember,
      ];
      await credit(compliant, events['2025-05-10']!, 2025, 30, 6);
      await credit(compliant, events['2026-05-10']!, 2026, 20, 0);
      await credit(short, events['2025-05-10']!, 2025, 40, 2);
      for (const d of [settles, fails]) {
        await credit(d, events['2025-05-10']!, 2025, 40, 6);
        await debtRequest(d, 10, 'accepted');
      }
      await credit(settles, events['2027-03-15']!, 2027, 10, 0); // settles the debt before 30 June
      await credit(pending, events['2025-05-10']!, 2025, 44, 6);
      await debtRequest(pending, 6, 'filed');
      await credit(roman, events['2025-05-10']!, 2025, 10, 0);
      ids.compliant = compliant.id;
    });
    afterAll(async () => h?.close());

    it('is prepared only once 28 February has passed, and only by the province’s CPO', async () => {
      expect((await verify('february')).status).toBe(200);
      const early = await prepare();
      expect([early.status, early.body.code]).toEqual([409, 'referrals-too-early']);
      clock = at('2027-03-02T10:00');
      const byCn = await prepare({}, keys.cn);
      expect([byCn.status, byCn.body.code]).toEqual([403, 'forbidden']);
      const other = await h.api('POST', '/v1/provinces/MI/referrals', { key: rome, body: { biennium: 2025 } });
      expect([other.status, other.body.code]).toEqual([403, 'forbidden']);
      const before = await list('', keys.cn);
      expect(before.status, before.text).toBe(200);
      expect(before.body).toMatchObject({
        list: null,
        referrals: [],
        opensAfter: '2027-02-28T22:59:59.999Z',
        available: { february: { version: 1 }, june: null },
      });
    });

    it('after February: the short member is referred; debtors and the pending debt request are held; twice creates nothing (R-VER-8)', async () => {
      const first = await prepare();
      expect(first.status, first.text).toBe(200);
      expect(first.body).toMatchObject({
        changed: true,
        previous: null,
        basis: { februaryVersion: 1, juneVersion: null },
        summary: { created: 1, withdrawn: 0, held: { debtRecovery: 2, debtRequest: 1 }, referred: 1 },
      });
      const again = await prepare({ februaryVersion: 1 });
      expect(again.body).toMatchObject({ changed: false, summary: { created: 0, refreshed: 0, withdrawn: 0, noted: 0 } });
      const l = await list();
      expect(l.body.referrals).toHaveLength(1);
      const r = l.body.referrals[0];
      expect(r).toMatchObject({
        number: 'DEF-MI-2025-0001',
        member: { id: m[1]!.id, surname: 'Cognome1701' },
        state: 'prepared',
        phase: 'february',
        version: 1,
        status: 'short',
        missing: { total: 10, deontology: 4 },
        letterOn: '2027-03-02',
        sent: null,
      });
      expect(r.preparedBy).toMatch(/^cpo:/);
      expect(l.body.list).toMatchObject({ februaryVersion: 1, juneVersion: null });
      expect(l.body.counts).toEqual({ prepared: 1, sent: 0, answered: 0, withdrawn: 0 });
      ids.short = r.id;
    });

    it('the letter (PDF) carries its code; /verify shows the same facts and digest; every download is the same file', async () => {
      const a = await bytes(`/v1/referrals/${ids.short}/letter`, keys.cpo);
      expect(a.status).toBe(200);
      expect(a.type).toBe('application/pdf');
      expect(a.disposition).toBe('attachment; filename="deferimento-def-mi-2025-0001.pdf"');
      const b = await bytes(`/v1/referrals/${ids.short}/letter`, keys.cn);
      expect(b.bytes.equals(a.bytes)).toBe(true);
      const text = norm(await pdfText(a.bytes));
      for (const s of [
        'Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di Milano',
        'Consiglio di disciplina territoriale',
        'Milano, 2 marzo 2027',
        'Nome1701 Cognome1701',
        m[1]!.codiceFiscale,
        '40 crediti, di cui 2 di deontologia',
        '10 crediti, di cui 4 di deontologia',
        'Non in regola: crediti formativi insufficienti al 28 febbraio 2027',
        'versione 1, eseguita il 20 febbraio 2027',
        'Il Presidente del Consiglio Provinciale',
      ])
        expect(text).toContain(s);
      const code = CODE_RE.exec(text)?.[1] ?? '';
      const digest = DIGEST_RE.exec(text)?.[1] ?? '';
      expect(code, text).not.toBe('');
      expect(text.replace(/\s+/g, '')).toContain(`${h.url}/verify/${code}`);
      const shown = await page(`/verify/${code}`);
      expect(shown.status).toBe(200);
      for (const s of [
        'Valida',
        'Segnalazione al Consiglio di disciplina per il mancato assolvimento dell’obbligo formativo',
        'DEF-MI-2025-0001',
        'Nome1701 Cognome1701',
        `${m[1]!.codiceFiscale.slice(0, 6)}•••••••••${m[1]!.codiceFiscale.slice(-1)}`,
        '2025–2026',
        'Non in regola: crediti formativi insufficienti al 28 febbraio 2027',
        '40 crediti di 50; deontologia: 2 di 6',
        '2 marzo 2027',
        digest,
      ])
        expect(shown.text).toContain(s);
      expect(shown.text).not.toContain(m[1]!.codiceFiscale);
      const issuer = await h.rt.db.query<{ issuer: string; subject: string }>(
        "SELECT issuer, subject FROM issued_documents WHERE kind = 'discipline-referral'",
      );
      expect(issuer.rows).toEqual([{ issuer: 'cpo:MI', subject: `referral:${ids.short}` }]);
    });

    it('moves prepared → sent → answered with who did it; refused steps say why (R-VER-9)', async () => {
      const tooEarly = await move(ids.short!, { to: 'sent', on: '2027-03-01' });
      expect([tooEarly.status, tooEarly.body.code]).toEqual([422, 'invalid-referral-date']);
      const future = await move(ids.short!, { to: 'sent', on: '2027-03-03' });
      expect([future.status, future.body.code]).toEqual([422, 'invalid-referral-date']);
      const skip = await move(ids.short!, { to: 'answered', on: '2027-03-02', summary: 'x' });
      expect([skip.status, skip.body.code, skip.body.state]).toEqual([409, 'referral-invalid-transition', 'prepared']);
      const byCn = await move(ids.short!, { to: 'sent', on: '2027-03-02' }, keys.cn);
      expect([byCn.status, byCn.body.code]).toEqual([403, 'forbidden']);
      const sent = await move(ids.short!, {
        to: 'sent',
        on: '2027-03-02',
        protocolNumber: 'PROT-2027-114',
        pecReference: 'opec210.20270302.ab12@pec.example.it',
      });
      expect(sent.status, sent.text).toBe(200);
      expect(sent.body).toMatchObject({
        state: 'sent',
        sent: { on: '2027-03-02', protocolNumber: 'PROT-2027-114', pecReference: 'opec210.20270302.ab12@pec.example.it' },
      });
      expect(sent.body.sent.by).toBe(sent.body.preparedBy);
      const twice = await move(ids.short!, { to: 'sent', on: '2027-03-02' });
      expect([twice.status, twice.body.code]).toEqual([409, 'referral-invalid-transition']);
      clock = at('2027-03-20T10:00');
      const answered = await move(ids.short!, { to: 'answered', on: '2027-03-18', summary: 'Procedimento disciplinare avviato, udienza fissata al 12 aprile' });
      expect(answered.status, answered.text).toBe(200);
      expect(answered.body.answered).toMatchObject({ on: '2027-03-18', summary: 'Procedimento disciplinare avviato, udienza fissata al 12 aprile' });
      const one = await h.api('GET', `/v1/referrals/${ids.short}`, { key: admin });
      expect(one.status, one.text).toBe(200);
      expect(one.body.history.map((s: { action: string }) => s.action)).toEqual(['prepared', 'sent', 'answered']);
      expect(new Set(one.body.history.map((s: { actor: string }) => s.actor))).toEqual(new Set([sent.body.preparedBy]));
      expect(one.body.history[1].data).toMatchObject({ on: '2027-03-02', protocolNumber: 'PROT-2027-114' });
    });

    it('another province’s officer finds none of it (404), nor reads the list (403)', async () => {
      for (const res of [
        await h.api('GET', `/v1/referrals/${ids.short}`, { key: rome }),
        await move(ids.short!, { to: 'answered', on: '2027-03-19', summary: 'x' }, rome),
        await h.api('GET', `/v1/referrals/${ids.short}/letter`, { key: rome }),
      ])
        expect([res.status, res.body.code]).toEqual([404, 'referral-not-found']);
      const l = await list('', rome);
      expect([l.status, l.body.code]).toEqual([403, 'forbidden']);
    });

    it('a newer version: the member whose debt request was rejected is referred, the sent one now in order keeps its state with a note', async () => {
      await h.rt.db.query("UPDATE debt_requests SET status = 'rejected', decided_at = now(), decided_by = 'cpo:test' WHERE member_id = $1", [m[4]!.id]);
      await credit(m[1]!, events['2026-09-10']!, 2026, 10, 4); // a late record for the short member: compliant on 28 February
      const v2 = await verify('february');
      expect(v2.body.snapshot.version).toBe(2);
      const res = await prepare();
      expect(res.body).toMatchObject({
        changed: true,
        previous: { februaryVersion: 1 },
        basis: { februaryVersion: 2 },
        summary: { created: 1, noted: 1, withdrawn: 0 },
      });
      const l = await list();
      expect(byMember(l.body.referrals)).toEqual({ [m[1]!.id]: 'answered', [m[4]!.id]: 'prepared' });
      const answered = l.body.referrals.find((r: { member: { id: string } }) => r.member.id === m[1]!.id);
      expect(answered.note).toEqual({ phase: 'february', version: 2, status: 'compliant', reason: 'in-order' });
      const fresh = l.body.referrals.find((r: { member: { id: string } }) => r.member.id === m[4]!.id);
      expect(fresh).toMatchObject({ number: 'DEF-MI-2025-0002', version: 2, missing: { total: 6, deontology: 0 } });
      ids.pending = fresh.id;
    });

    it('a letter never goes out on an outdated list; a prepared referral of a member now in order is withdrawn and its letter revoked', async () => {
      const letter = await bytes(`/v1/referrals/${ids.pending}/letter`, keys.cpo);
      const code = CODE_RE.exec(norm(await pdfText(letter.bytes)))?.[1] ?? '';
      expect((await page(`/verify/${code}`)).text).toContain('Valida');
      await credit(m[4]!, events['2026-10-10']!, 2026, 6, 0);
      expect((await verify('february')).body.snapshot.version).toBe(3);
      const outdated = await move(ids.pending!, { to: 'sent', on: '2027-03-20' });
      expect([outdated.status, outdated.body.code, outdated.body.februaryVersion]).toEqual([409, 'referral-list-outdated', 3]);
      const res = await prepare();
      expect(res.body.summary).toMatchObject({ created: 0, withdrawn: 1, referred: 0 });
      const one = await h.api('GET', `/v1/referrals/${ids.pending}`, { key: keys.cpo });
      expect(one.body).toMatchObject({ state: 'withdrawn', note: { version: 3, status: 'compliant', reason: 'in-order' } });
      expect(one.body.history.map((s: { action: string }) => s.action)).toEqual(['prepared', 'withdrawn']);
      const shown = await page(`/verify/${code}`);
      expect(shown.text).toContain('Revocata');
      expect(shown.text).toContain('dal Consiglio Provinciale dell’Ordine');
      expect(shown.text).toContain('segnalazione ritirata prima dell’invio: l’iscritto risulta in regola nella versione 3 della verifica del 28 febbraio');
      const gone = await h.api('GET', `/v1/referrals/${ids.pending}/letter`, { key: keys.cpo });
      expect([gone.status, gone.body.code]).toEqual([409, 'referral-withdrawn']);
      const moved = await move(ids.pending!, { to: 'sent', on: '2027-03-20' });
      expect([moved.status, moved.body.code]).toEqual([409, 'referral-invalid-transition']);
    });

    it('after June: the debtor who did not settle is referred, the one who settled is not; the zip holds every letter not withdrawn', async () => {
      clock = at('2027-07-05T10:00');
      const june = await verify('june');
      expect(june.body.snapshot).toMatchObject({ phase: 'june', version: 1, memberCount: 2 });
      const res = await prepare();
      expect(res.body).toMatchObject({
        changed: true,
        basis: { februaryVersion: 3, juneVersion: 1 },
        summary: { created: 1, held: { debtRecovery: 0, debtRequest: 0 }, referred: 1 },
      });
      expect((await prepare()).body.changed).toBe(false);
      const l = await list();
      expect(byMember(l.body.referrals)).toEqual({ [m[1]!.id]: 'answered', [m[4]!.id]: 'withdrawn', [m[3]!.id]: 'prepared' });
      const debtor = l.body.referrals.find((r: { member: { id: string } }) => r.member.id === m[3]!.id);
      expect(debtor).toMatchObject({ number: 'DEF-MI-2025-0003', phase: 'june', version: 1, status: 'debt-not-settled', letterOn: '2027-07-05' });
      expect(l.body.referrals.some((r: { member: { id: string } }) => r.member.id === m[2]!.id)).toBe(false);
      const prepared = await list('?state=prepared&limit=1');
      expect(prepared.body.referrals.map((r: { id: string }) => r.id)).toEqual([debtor.id]);
      const firstPage = await list('?limit=1');
      expect(firstPage.body.next).toBe(1);
      expect((await list(`?limit=1&after=${firstPage.body.next}`)).body.referrals[0].number).toBe('DEF-MI-2025-0002');

      const text = norm(await pdfText((await bytes(`/v1/referrals/${debtor.id}/letter`, keys.cpo)).bytes));
      expect(text).toContain('Non in regola: debito formativo non recuperato entro il 30 giugno 2027');
      expect(text).toContain('del recupero del debito al 30 giugno 2027, versione 1, eseguita il 5 luglio 2027');

      const zip = await bytes('/v1/provinces/MI/referrals/2025/letters', keys.cn);
      expect(zip.status).toBe(200);
      expect(zip.type).toBe('application/zip');
      const files = await unzip(zip.bytes);
      expect([...files.keys()]).toEqual(['deferimento-def-mi-2025-0001.pdf', 'deferimento-def-mi-2025-0003.pdf']);
      expect(files.get('deferimento-def-mi-2025-0001.pdf')!.equals((await bytes(`/v1/referrals/${ids.short}/letter`, keys.cpo)).bytes)).toBe(true);
      const onlyPrepared = await unzip((await bytes('/v1/provinces/MI/referrals/2025/letters?state=prepared', keys.cpo)).bytes);
      expect([...onlyPrepared.keys()]).toEqual(['deferimento-def-mi-2025-0003.pdf']);

      const older = await prepare({ februaryVersion: 2 });
      expect([older.status, older.body.code]).toEqual([409, 'referral-basis-outdated']);
    });
  });
}
