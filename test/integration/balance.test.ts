/**
 * Issue 5 proof, through HTTP on real Redis and a real database: a member earns webinar,
 * in-person and e-learning credits through the pipeline (tracking records and an uploaded
 * attendance file, derived by the attendance worker), crosses the distance cap (R-FAD-2/5), gets
 * a 60% grant (R-FAD-3) and the balance changes at once; the CN sees the CPO's alert; the grant
 * follows the member who transfers (R-FAD-4); a revocation takes it back. Then, with the clock in
 * 2027, a debt is requested, accepted by the CPO and settled by 2027 credits (R-DEBT-2/3).
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { createCpoOrganiser, createMembers, pastWebinar, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';

const ROME = 'Europe/Rome';
const at = (iso: string) => DateTime.fromISO(iso, { zone: ROME }).toMillis();

for (const backend of backendsOf(import.meta.url)) {
  describe(`member balance on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let member: CreatedMember;
    let other: CreatedMember;
    // The product's clock: the end of 2026, then into 2027 for the debt.
    let clock = at('2026-12-20T12:00');

    /** An event of `hours` hours from `startIso` (Rome), the first hour deontology, with the member registered. */
    async function event(startIso: string, hours: number, mode: string) {
      const res = await h.api('POST', '/v1/events', { key: keys.organiser, body: { ...pastWebinar(at(startIso), hours), mode, title: `${mode} ${startIso}` } });
      expect(res.status, res.text).toBe(201);
      const id = res.body.id as string;
      const reg = await h.api('POST', `/v1/events/${id}/registrations`, {
        key: keys.organiser,
        body: { registrations: [{ memberId: member.id, email: member.email }] },
      });
      expect(reg.status, reg.text).toBe(200);
      return { id, start: at(startIso), end: at(startIso) + hours * 3600_000 };
    }

    /** Present throughout, as a webinar or LMS platform reports it. */
    async function tracked(e: { id: string; start: number; end: number }) {
      const res = await h.api('POST', `/v1/ingest/webinar/${e.id}`, {
        key: keys.platform,
        body: {
          records: [
            { id: `${e.id}-j`, type: 'join', at: new Date(e.start).toISOString(), participant: { email: member.email } },
            { id: `${e.id}-l`, type: 'leave', at: new Date(e.end).toISOString(), participant: { email: member.email } },
          ],
        },
      });
      expect(res.status, res.text).toBeLessThan(300);
    }

    /** Present throughout, as the filled attendance file says (R-TPL-3); past its 30 days only the CPO uploads (R-EVT-7). */
    async function uploaded(e: { id: string; start: number; end: number }) {
      const t = (ms: number) => DateTime.fromMillis(ms, { zone: ROME }).toFormat('HH:mm');
      const day = DateTime.fromMillis(e.start, { zone: ROME }).toFormat('dd/MM/yyyy');
      const csv = `Codice fiscale;Ora di ingresso;Ora di uscita;Data evento\n${member.codiceFiscale};${t(e.start)};${t(e.end)};${day}\n`;
      const res = await h.api('POST', `/v1/events/${e.id}/attendance-file`, { key: keys.cpo, raw: csv, headers: { 'content-type': 'text/csv' } });
      expect(res.status, res.text).toBe(202);
      expect(res.body.accepted).toBe(1);
    }

    async function credited(eventId: string, credits: number) {
      await eventually(async () => {
        const r = await h.rt.db.query<{ credits: number }>('SELECT credits FROM credit_records WHERE event_id = $1 AND member_id = $2', [eventId, member.id]);
        return r.rows[0]?.credits === credits;
      });
    }

    const balance = async (biennium = 2025, key = keys.cpo) => {
      const res = await h.api('GET', `/v1/members/${member.id}/balance?biennium=${biennium}`, { key });
      expect(res.status, res.text).toBe(200);
      return res.body;
    };

    beforeAll(async () => {
      h = await startHarness(backend, { now: () => clock });
      keys = await createCpoOrganiser(h, 'MI');
      [member, other] = (await createMembers(h, keys.cn, ['MI', 'MI'], 700)) as [CreatedMember, CreatedMember];
    });

    afterAll(async () => {
      await h?.close();
    });

    it('credits from webinars, e-learning and an in-person event: distance over the cap does not count (R-FAD-2/5)', async () => {
      const w1 = await event('2025-03-10T14:00', 4, 'webinar');
      const w2 = await event('2025-06-10T09:00', 8, 'webinar');
      const w3 = await event('2026-02-10T09:00', 8, 'webinar');
      const e1 = await event('2026-03-02T09:00', 6, 'e-learning'); // until SCORM (issue 6), the generic tracking API
      const p1 = await event('2025-10-10T09:00', 8, 'in-person');
      const p2 = await event('2026-10-10T09:00', 8, 'in-person');
      for (const e of [w1, w2, w3, e1]) await tracked(e);
      for (const e of [p1, p2]) await uploaded(e);
      await credited(w1.id, 4);
      await credited(w2.id, 8);
      await credited(w3.id, 8);
      await credited(e1.id, 6);
      await credited(p1.id, 8);
      await credited(p2.id, 8);

      const b = await balance();
      expect(b.obligation.effective).toEqual({ total: 50, deontology: 6 });
      expect(b.distance).toMatchObject({ basePct: 40, pct: 40, grant: null });
      const bal = b.balance;
      expect(bal.recorded).toEqual({ total: 42, deontology: 6, distance: 26, otherActivities: 0 });
      // Cap 20 of 26 distance credits: the deontology hours first, then the oldest (R-FAD-5).
      expect(bal.caps.distance).toEqual({ pct: 40, cap: 20, recorded: 26, counted: 20 });
      expect(bal.counted).toEqual({ total: 36, deontology: 6, distance: 20, otherActivities: 0 });
      // Deontology hours of w1, w2, w3, e1 (4), then ordinary hours oldest first: w1 3, w2 7, w3 6 of 7.
      expect(new Set(bal.notCounted)).toEqual(
        new Set([
          { id: `event:${w3.id}:0:2026`, credits: 1, reason: 'distance-cap' },
          { id: `event:${e1.id}:0:2026`, credits: 5, reason: 'distance-cap' },
        ]),
      );
      expect(bal.missing).toEqual({ total: 14, deontology: 0 });
      expect(bal.compliant).toBe(false);
      expect(bal.status).toBe('in-progress');
      expect(bal.years).toEqual([
        { year: 2025, counted: { total: 20, deontology: 3 }, objective: { total: 10, deontology: 3 }, met: true },
        { year: 2026, counted: { total: 16, deontology: 3 }, objective: { total: 10, deontology: 3 }, met: true },
      ]);
      // The same figures in the CPO's list of its members.
      const list = await h.api('GET', '/v1/balances?biennium=2025', { key: keys.cpo });
      expect(list.status, list.text).toBe(200);
      expect(list.body.balances.find((x: any) => x.memberId === member.id)).toMatchObject({
        counted: bal.counted,
        missing: bal.missing,
        distancePct: 40,
        status: 'in-progress',
      });
    });

    let grantId: string;
    it('a 60% parenthood grant lifts the cap at once; the CN is alerted (R-FAD-3)', async () => {
      const bad = await h.api('POST', '/v1/distance-grants', {
        key: keys.cpo,
        body: {
          scope: 'member',
          ground: 'parenthood',
          pct: 70,
          memberIds: [member.id],
          deliberation: 'Delibera 12/2026',
          validFrom: '2026-01-01',
          validUntil: '2026-12-31',
        },
      });
      expect(bad.status).toBe(422);
      expect(bad.body.code).toBe('invalid-grant');
      const res = await h.api('POST', '/v1/distance-grants', {
        key: keys.cpo,
        body: {
          scope: 'member',
          ground: 'parenthood',
          pct: 60,
          memberIds: [member.id],
          deliberation: 'Delibera 12/2026',
          validFrom: '2026-01-01',
          validUntil: '2026-12-31',
        },
      });
      expect(res.status, res.text).toBe(201);
      grantId = res.body.id;
      expect(res.body).toMatchObject({ scope: 'member', pct: 60, province: 'MI', members: 1, revokedAt: null });

      const b = await balance();
      expect(b.distance).toMatchObject({ pct: 60, grant: { id: grantId, deliberation: 'Delibera 12/2026' } });
      expect(b.balance.caps.distance).toEqual({ pct: 60, cap: 30, recorded: 26, counted: 26 });
      expect(b.balance.counted.total).toBe(42);
      expect(b.balance.notCounted).toEqual([]);
      // The other member of the province keeps 40%.
      const o = await h.api('GET', `/v1/members/${other.id}/balance?biennium=2025`, { key: keys.cpo });
      expect(o.body.distance.pct).toBe(40);

      const alerts = await h.api('GET', '/v1/alerts', { key: keys.cn });
      expect(alerts.status, alerts.text).toBe(200);
      expect(alerts.body.alerts).toContainEqual(
        expect.objectContaining({
          kind: 'distance-grant',
          province: 'MI',
          subjectId: grantId,
          detail: expect.objectContaining({ action: 'granted', pct: 60 }),
        }),
      );
      expect((await h.api('GET', '/v1/alerts', { key: keys.cpo })).status).toBe(403);
    });

    it('the grant follows the member to another province until the end of the biennium (R-FAD-4); a revocation takes it back', async () => {
      const moved = await h.api('POST', `/v1/members/${member.id}/transfer`, {
        key: keys.cn,
        body: { toProvince: 'BG', registerNumber: '9001', on: '2026-11-01' },
      });
      expect(moved.status, moved.text).toBe(200);
      // The old CPO no longer sees the member; the new one does, with the grant still in force.
      expect((await h.api('GET', `/v1/members/${member.id}/balance?biennium=2025`, { key: keys.cpo })).status).toBe(404);
      const bg = await h.key('cpo', 'BG');
      const b = await balance(2025, bg);
      expect(b.distance.pct).toBe(60);
      // Not into the next biennium: the grant ended with 2026.
      expect((await balance(2027, bg)).distance.pct).toBe(40);

      const revoked = await h.api('POST', `/v1/distance-grants/${grantId}/revoke`, { key: keys.cpo, body: { reason: 'Concessa per errore' } });
      expect(revoked.status, revoked.text).toBe(200);
      expect(revoked.body.revokeReason).toBe('Concessa per errore');
      const after = await balance(2025, bg);
      expect(after.distance.pct).toBe(40);
      expect(after.balance.counted.distance).toBe(20);
      const alerts = await h.api('GET', '/v1/alerts', { key: keys.cn });
      expect(alerts.body.alerts.filter((a: any) => a.subjectId === grantId).map((a: any) => a.detail.action)).toEqual(['granted', 'revoked']);
      // Back home for the rest of the test.
      expect(
        (await h.api('POST', `/v1/members/${member.id}/transfer`, { key: keys.cn, body: { toProvince: 'MI', registerNumber: '9002', on: '2026-12-01' } }))
          .status,
      ).toBe(200);
    });

    it('a province-wide grant needs the CN opinion; a CPO cannot grant nationally or to members of other provinces', async () => {
      const base = { ground: 'province', pct: 50, deliberation: 'Delibera 3/2026', validFrom: '2026-01-01', validUntil: '2026-12-31' };
      const noOpinion = await h.api('POST', '/v1/distance-grants', { key: keys.cpo, body: { ...base, scope: 'province' } });
      expect(noOpinion.status).toBe(422);
      const national = await h.api('POST', '/v1/distance-grants', { key: keys.cpo, body: { ...base, scope: 'national', ground: 'national' } });
      expect(national.status).toBe(403);
      const [rm] = await createMembers(h, keys.cn, ['RM'], 720);
      const foreign = await h.api('POST', '/v1/distance-grants', {
        key: keys.cpo,
        body: { scope: 'member', ground: 'request', pct: 80, memberIds: [rm!.id], deliberation: 'x', validFrom: '2026-01-01', validUntil: '2026-12-31' },
      });
      expect(foreign.status).toBe(422);
      expect(foreign.body.code).toBe('member-not-in-province');
      // A CN province grant for MI applies to members registered there (both of ours).
      const cnGrant = await h.api('POST', '/v1/distance-grants', { key: keys.cn, body: { ...base, scope: 'province', province: 'MI' } });
      expect(cnGrant.status, cnGrant.text).toBe(201);
      expect((await balance()).distance.pct).toBe(50);
      expect((await h.api('POST', `/v1/distance-grants/${cnGrant.body.id}/revoke`, { key: keys.cn, body: { reason: 'fine prova' } })).status).toBe(200);
      expect((await balance()).distance.pct).toBe(40);
    });
  });
}
