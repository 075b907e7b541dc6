/**
 * Issue 5 proof, through HTTP on real Redis and a real database: what members file from their
 * dashboard and what councils decide. A member 6 credits short of 2025–26 requests a debt
 * (R-DEBT-2), the CPO accepts it and 2027 credits settle it (R-DEBT-3): both bienniums' balances
 * show it. Art. 9 declarations close on 31 January (R-ART9-3); a 2027 one, validated, counts. A
 * reduction goes through the whole R-RED-7 procedure (acknowledge, pre-denial, integration,
 * approval, appeal) and lowers the obligation. A CPO picks a policy profile (R-POL-1).
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { createCpoOrganiser, createMembers, pastWebinar, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';

const ROME = 'Europe/Rome';
const at = (iso: string) => DateTime.fromISO(iso, { zone: ROME }).toMillis();
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

for (const backend of backendsOf(import.meta.url)) {
  describe(`council requests on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let member: CreatedMember;
    let link: string;
    let clock = at('2027-02-10T12:00');

    /** An in-person event of `hours` hours (first hour deontology) the member attended throughout, loaded by the CPO's attendance file. */
    async function attended(startIso: string, hours: number) {
      const start = at(startIso);
      const res = await h.api('POST', '/v1/events', {
        key: keys.organiser,
        body: { ...pastWebinar(start, hours), mode: 'in-person', title: `Corso ${startIso}` },
      });
      expect(res.status, res.text).toBe(201);
      const id = res.body.id as string;
      expect((await h.api('POST', `/v1/events/${id}/registrations`, { key: keys.organiser, body: { registrations: [{ memberId: member.id }] } })).status).toBe(
        200,
      );
      const t = (ms: number) => DateTime.fromMillis(ms, { zone: ROME }).toFormat('HH:mm');
      const csv = `Codice fiscale;Ora di ingresso;Ora di uscita;Data evento\n${member.codiceFiscale};${t(start)};${t(start + hours * 3600_000)};${DateTime.fromMillis(start, { zone: ROME }).toFormat('dd/MM/yyyy')}\n`;
      const up = await h.api('POST', `/v1/events/${id}/attendance-file?presence=in-person`, {
        key: keys.cpo,
        raw: csv,
        headers: { 'content-type': 'text/csv' },
      });
      expect(up.status, up.text).toBe(202);
      await eventually(async () => (await h.rt.db.query('SELECT 1 FROM credit_records WHERE event_id = $1', [id])).rows.length === 1);
      return id;
    }

    /** Posts a dashboard form as a browser does (urlencoded or multipart), without following the redirect. */
    async function post(path: string, fields: Record<string, string>, files: Record<string, { name: string; type: string; body: Buffer }> = {}) {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      for (const [k, f] of Object.entries(files)) form.append(k, new Blob([new Uint8Array(f.body)], { type: f.type }), f.name);
      const res = await fetch(`${link}${path}`, { method: 'POST', body: form, redirect: 'manual' });
      return { status: res.status, location: res.headers.get('location'), text: await res.text() };
    }

    const balance = async (biennium: number) => {
      const res = await h.api('GET', `/v1/members/${member.id}/balance?biennium=${biennium}`, { key: keys.cpo });
      expect(res.status, res.text).toBe(200);
      return res.body;
    };

    beforeAll(async () => {
      h = await startHarness(backend, { now: () => clock });
      keys = await createCpoOrganiser(h, 'MI');
      [member] = (await createMembers(h, keys.cn, ['MI'], 800)) as [CreatedMember];
      // 44 credits in 2025–26, 6 of them deontology.
      for (const [startIso, hours] of [
        ['2025-03-03T09:00', 8],
        ['2025-09-15T09:00', 8],
        ['2026-01-19T09:00', 8],
        ['2026-05-11T09:00', 8],
        ['2026-09-14T09:00', 8],
        ['2026-11-16T09:00', 4],
      ] as const) {
        await attended(startIso, hours);
      }
      const res = await h.api('POST', `/v1/members/${member.id}/dashboard-link`, { key: keys.cpo });
      expect(res.status, res.text).toBe(201);
      link = res.body.url;
      expect((await h.api('POST', `/v1/members/${member.id}/dashboard-link`, { key: await h.key('admin') })).status).toBe(403);
    });

    afterAll(async () => {
      await h?.close();
    });

    it('a debt request within the maximum is filed from the dashboard and accepted by the CPO (R-DEBT-1/2)', async () => {
      const before = await balance(2025);
      expect(before.balance.counted).toMatchObject({ total: 44, deontology: 6 });
      expect(before.balance.missing).toEqual({ total: 6, deontology: 0 });
      expect(before.balance.status).toBe('non-compliant');

      const over = await post('/debt', { biennio: '2025', total: '13', deontology: '0' });
      expect(over.status).toBe(422);
      expect(over.text).toMatch(/12/); // the maximum, said in Italian
      const tooMuch = await post('/debt', { biennio: '2025', total: '8', deontology: '0' });
      expect(tooMuch.status).toBe(422);
      const ok = await post('/debt', { biennio: '2025', total: '6', deontology: '0' });
      expect(ok.status).toBe(303);
      expect(ok.location).toContain('esito=');
      expect((await post('/debt', { biennio: '2025', total: '6', deontology: '0' })).status).toBe(422); // one live request

      const list = await h.api('GET', '/v1/debt-requests?status=filed', { key: keys.cpo });
      expect(list.body.requests).toHaveLength(1);
      const req = list.body.requests[0];
      expect(req).toMatchObject({ memberId: member.id, biennium: 2025, total: 6, deontology: 0, filedOn: '2027-02-10', status: 'filed' });
      expect((await balance(2025)).debtRequest).toMatchObject({ id: req.id, status: 'filed' });
      // Another CPO neither sees nor decides it.
      const bg = await h.key('cpo', 'BG');
      expect((await h.api('GET', '/v1/debt-requests', { key: bg })).body.requests).toEqual([]);
      expect((await h.api('POST', `/v1/debt-requests/${req.id}/decision`, { key: bg, body: { decision: 'accept' } })).status).toBe(404);
      const rejectNoReason = await h.api('POST', `/v1/debt-requests/${req.id}/decision`, { key: keys.cpo, body: { decision: 'reject' } });
      expect(rejectNoReason.status).toBe(400);
      const accepted = await h.api('POST', `/v1/debt-requests/${req.id}/decision`, { key: keys.cpo, body: { decision: 'accept' } });
      expect(accepted.status, accepted.text).toBe(200);
      expect(accepted.body.status).toBe('accepted');
      expect((await h.api('POST', `/v1/debt-requests/${req.id}/decision`, { key: keys.cpo, body: { decision: 'accept' } })).status).toBe(409);
      const open = (await balance(2025)).balance;
      expect(open.debt).toMatchObject({ total: 6, settledTotal: 0, status: 'open', deadline: '2027-06-30' });
      expect(open.status).toBe('debt-open');
    });

    it('the first 2027 credits settle it; both bienniums show it (R-DEBT-3)', async () => {
      clock = at('2027-03-20T12:00');
      const n1 = await attended('2027-02-15T09:00', 4);
      const n2 = await attended('2027-03-05T09:00', 4);
      const old = (await balance(2025)).balance;
      expect(old.debt).toMatchObject({ settledTotal: 6, remaining: { total: 0, deontology: 0 }, status: 'settled' });
      expect(old.debt.settled.map((s: any) => [s.id, s.credits])).toEqual([
        [`event:${n1}:0:2027`, 4],
        [`event:${n2}:0:2027`, 2],
      ]);
      expect(old.compliant).toBe(true);
      expect(old.status).toBe('compliant');
      const next = (await balance(2027)).balance;
      expect(next.settlesPrevious.map((s: any) => [s.id, s.credits])).toEqual([
        [`event:${n1}:0:2027`, 4],
        [`event:${n2}:0:2027`, 2],
      ]);
      expect(next.counted.total).toBe(2);
      expect(next.notCounted).toContainEqual({ id: `event:${n1}:0:2027`, credits: 4, reason: 'settles-previous-debt' });
    });

    it('art. 9: 2025–26 declarations closed on 31 January; a 2027 one counts once validated (R-ART9-3)', async () => {
      // The link of 10 February expired after 30 days: the old one says so, a new one works.
      expect((await fetch(link)).status).toBe(410);
      link = (await h.api('POST', `/v1/members/${member.id}/dashboard-link`, { key: keys.cpo })).body.url;
      const closed = await post(
        '/art9',
        { activity: 'a', quantity: '3', date: '2026-05-10', description: 'Relazione al convegno' },
        { attestation: { name: 'attestato.pdf', type: 'application/pdf', body: PDF } },
      );
      expect(closed.status).toBe(422);
      const notPdf = await post(
        '/art9',
        { activity: 'a', quantity: '3', date: '2027-03-10', description: 'Relazione' },
        { attestation: { name: 'x.pdf', type: 'application/pdf', body: Buffer.from('MZ not a pdf') } },
      );
      expect(notPdf.status).toBe(422);
      // Dated after the credits that settled the debt: an earlier one would have settled it first (R-DEBT-3).
      const filed = await post(
        '/art9',
        { activity: 'a', quantity: '3', date: '2027-03-10', description: 'Relazione al convegno ANCL' },
        { attestation: { name: 'attestato.pdf', type: 'application/pdf', body: PDF } },
      );
      expect(filed.status).toBe(303);
      const again = await post(
        '/art9',
        { activity: 'a', quantity: '3', date: '2027-03-10', description: 'Relazione al convegno ANCL' },
        { attestation: { name: 'attestato.pdf', type: 'application/pdf', body: PDF } },
      );
      expect(again.status).toBe(422); // the same activity, day and quantity: declared once
      const pending = (await balance(2027)).balance;
      const item = pending.items.find((i: any) => i.mode === 'art9');
      expect(item).toMatchObject({ status: 'pending', recorded: 6, counted: 0, notCounted: [{ credits: 6, reason: 'pending-validation' }] });

      const list = await h.api('GET', '/v1/art9-declarations?status=submitted', { key: keys.cpo });
      expect(list.body.declarations).toHaveLength(1);
      const d = list.body.declarations[0];
      expect(d).toMatchObject({ activity: 'a', quantity: 3, activityDate: '2027-03-10', document: { name: 'attestato.pdf', size: PDF.length } });
      const file = await fetch(`${h.url}/v1/art9-declarations/${d.id}/attestation`, { headers: { authorization: `Bearer ${keys.cpo}` } });
      expect(file.headers.get('content-disposition')).toMatch(/^attachment/);
      expect(Buffer.from(await file.arrayBuffer()).equals(PDF)).toBe(true);
      const v = await h.api('POST', `/v1/art9-declarations/${d.id}/decision`, { key: keys.cpo, body: { decision: 'validate' } });
      expect(v.status, v.text).toBe(200);
      const after = (await balance(2027)).balance;
      expect(after.counted.otherActivities).toBe(6); // speaker, 3 hours × 2 (R-ART9-2)
      expect(after.counted.total).toBe(8);
    });

    it('a reduction through the whole procedure lowers the obligation (R-RED-7)', async () => {
      const fields = { biennio: '2027', causa: 'illness', from: '2027-01-10', to: '2027-03-10' };
      const preview = await post('/reduction/preview', fields);
      expect(preview.status).toBe(200);
      expect(preview.text).toMatch(/4/); // 2 months → 50/24 × 2 = 4.17 → 4
      const short = await post('/reduction', { ...fields, to: '2027-01-20' }, { documents: { name: 'certificato.pdf', type: 'application/pdf', body: PDF } });
      expect(short.status).toBe(422); // shorter than 30 days (R-RED-3)
      const filed = await post('/reduction', fields, { documents: { name: 'certificato.pdf', type: 'application/pdf', body: PDF } });
      expect(filed.status).toBe(303);
      // One live request per cause and biennium: a second one (a double click) is refused.
      const twice = await post('/reduction', fields, { documents: { name: 'certificato.pdf', type: 'application/pdf', body: PDF } });
      expect(twice.status).toBe(422);

      const list = await h.api('GET', '/v1/reduction-requests', { key: keys.cpo });
      expect(list.body.requests).toHaveLength(1);
      const r = list.body.requests[0];
      expect(r).toMatchObject({
        cause: 'illness',
        biennium: 2027,
        status: 'filed',
        computed: { reduction: 4, deontology: 0, ordinary: 4 },
        decisionDeadline: '2027-04-19',
      });
      // Filed on 20 March for an illness from 10 January: late nationally (30 days), but the biennium runs, so acceptable (R-RED-8).
      expect(r.filing).toMatchObject({ onTime: false, late: { acceptable: true, rule: 'biennium-running' } });
      const id = r.id;
      expect((await h.api('POST', `/v1/reduction-requests/${id}/decision`, { key: keys.cpo, body: { decision: 'approve' } })).status).toBe(409); // not acknowledged yet
      const ack = await h.api('POST', `/v1/reduction-requests/${id}/acknowledge`, {
        key: keys.cpo,
        body: { protocolNumber: 'MI-2027-0042', officer: 'Dott.ssa Bianchi' },
      });
      expect(ack.status, ack.text).toBe(200);
      const pre = await h.api('POST', `/v1/reduction-requests/${id}/pre-denial`, { key: keys.cpo, body: { reasons: 'Manca il certificato di fine malattia' } });
      expect(pre.status, pre.text).toBe(200);
      expect(pre.body).toMatchObject({ status: 'pre-denied', integrationDeadline: '2027-03-30', decisionDeadline: '2027-04-29' });
      // The CPO's reads still answer after the steps (nothing left waiting on a transaction).
      expect((await h.api('GET', '/v1/balances?biennium=2027', { key: keys.cpo })).status).toBe(200);

      const integrated = await post(
        `/reductions/${id}/integration`,
        { note: 'Allego il certificato' },
        { documents: { name: 'fine-malattia.pdf', type: 'application/pdf', body: PDF } },
      );
      expect(integrated.status).toBe(303);
      const approved = await h.api('POST', `/v1/reduction-requests/${id}/decision`, { key: keys.cpo, body: { decision: 'approve' } });
      expect(approved.status, approved.text).toBe(200);
      expect(approved.body).toMatchObject({
        status: 'approved',
        protocolNumber: 'MI-2027-0042',
        officer: 'Dott.ssa Bianchi',
        decision: { outcome: 'approved', reduction: 4, deontology: 0, ordinary: 4, validity: 'biennium' },
        notifiedOn: '2027-03-20',
        appealDeadline: '2027-04-19',
      });
      expect(approved.body.documents.map((d: any) => d.stage)).toEqual(['filing', 'integration']);
      expect(approved.body.steps.map((s: any) => s.action)).toEqual(['file', 'acknowledge', 'pre-deny', 'integrate', 'approve']);
      const b = await balance(2027);
      expect(b.obligation.effective).toEqual({ total: 46, deontology: 6 });
      expect(b.obligation.reductions).toEqual([{ id, cause: 'illness', basis: 'approved', reduction: 4, deontology: 0, ordinary: 4 }]);

      const appeal = await post(`/reductions/${id}/appeal`, { text: 'Chiedo il riesame della durata' });
      expect(appeal.status).toBe(303);
      expect((await h.api('GET', `/v1/reduction-requests/${id}`, { key: keys.cpo })).body).toMatchObject({
        status: 'appealed',
        appeal: { text: 'Chiedo il riesame della durata' },
      });
    });

    it('a CPO picks a profile and overrides parameters, each change dated and attributed (R-POL-1)', async () => {
      expect((await h.api('GET', '/v1/provinces/MI/policy', { key: keys.cpo })).body).toMatchObject({
        profile: 'national',
        version: null,
        policy: { reductionCeiling: 50 },
      });
      const bad = await h.api('PUT', '/v1/provinces/MI/policy', { key: keys.cpo, body: { profile: 'RC', overrides: { distancePct: 100 }, reason: 'prova' } });
      expect(bad.status).toBe(422);
      expect(bad.body.code).toBe('invalid-policy');
      expect((await h.api('PUT', '/v1/provinces/BG/policy', { key: keys.cpo, body: { profile: 'RC', reason: 'x' } })).status).toBe(403);
      const set = await h.api('PUT', '/v1/provinces/MI/policy', {
        key: keys.cpo,
        body: { profile: 'BA', overrides: { reductionCeiling: 45 }, reason: 'Delibera consiglio 4/2027' },
      });
      expect(set.status, set.text).toBe(200);
      expect(set.body).toMatchObject({
        profile: 'BA',
        policy: { reductionCeiling: 45, decisionDays: 45 },
        reason: 'Delibera consiglio 4/2027',
        changedAt: new Date(clock).toISOString(),
      });
      expect(set.body.changedBy).toMatch(/^cpo:/);
      const history = await h.api('GET', '/v1/provinces/MI/policy/history', { key: keys.cn });
      expect(history.body.versions.map((v: any) => v.profile)).toEqual(['BA']);
      const calc = await h.api('POST', '/v1/reductions/calculate', {
        key: keys.cpo,
        body: { biennium: 2027, cases: [{ cause: 'illness', input: { from: '2027-01-01', to: '2028-12-31' } }] },
      });
      expect(calc.status, calc.text).toBe(200);
      expect(calc.body.total).toMatchObject({ reduction: 45, capped: true });
    });
  });
}
