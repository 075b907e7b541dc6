/**
 * Issue 15 proof, through HTTP on a real database: a province of members in every state
 * (compliant, short, reduced, new member, accepted debt settled by 30 June and not, not due)
 * yields the expected February snapshot, June re-check and CN aggregates (R-VER-1 … R-VER-7);
 * running again with nothing new stores nothing; a later credit record dated before 28 February
 * gives a new version whose diff names the member. Facts are seeded in the store (set-up is not
 * what this test asserts; the balance pipeline has its own tests).
 */
import crypto from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { createCpoOrganiser, createMembers, pastWebinar, type CreatedMember } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const ROME = 'Europe/Rome';
const at = (iso: string) => DateTime.fromISO(iso, { zone: ROME }).toMillis();

for (const backend of backendsOf(import.meta.url)) {
  describe(`verification campaign on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let m: CreatedMember[];
    const events: Record<string, string> = {};
    // After 30 June 2027: both phases of biennium 2025–26 may run.
    const clock = at('2027-07-05T10:00');

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
    async function acceptedDebt(member: CreatedMember, total: number) {
      await h.rt.db.query(
        `INSERT INTO debt_requests (id, member_id, province, biennium, total, deontology, filed_on, filed_at, status, decided_at, decided_by)
         VALUES ($1, $2, 'MI', 2025, $3, 0, '2027-01-20', now(), 'accepted', now(), 'cpo:test')`,
        [crypto.randomUUID(), member.id, total],
      );
    }
    const run = async (phase: 'february' | 'june', key = keys.cpo) => h.api('POST', '/v1/provinces/MI/verifications', { key, body: { biennium: 2025, phase } });
    const statuses = (rows: Array<{ memberId: string; status: string }>) => Object.fromEntries(rows.map((r) => [r.memberId, r.status]));

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, now: () => clock });
      keys = await createCpoOrganiser(h, 'MI');
      m = await createMembers(h, keys.cn, ['MI', 'MI', 'MI', 'MI', 'MI', 'MI', 'MI'], 1500);
      for (const iso of ['2025-05-10T15:00', '2026-05-10T15:00', '2026-09-10T15:00', '2027-03-15T15:00']) events[iso.slice(0, 10)] = await event(iso);
      const [compliant, short, reduced, fresh, settles, fails, notDue] = m as [
        CreatedMember,
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
      await credit(reduced, events['2025-05-10']!, 2025, 44, 5);
      await h.rt.db.query(
        `INSERT INTO reduction_requests (id, member_id, province, biennium, cause, input, computed, filed_on, filed_at, filing, status, decision, decided_at, decided_by, updated_at)
         VALUES ($1, $2, 'MI', 2025, 'illness', '{"from":"2026-03-01","to":"2026-05-31"}', '{}', '2026-06-01', now(), '{}', 'approved',
                 '{"outcome":"approved","reduction":6,"deontology":1,"ordinary":5,"validity":"biennium","validUntil":null}', now(), 'cpo:test', now())`,
        [crypto.randomUUID(), reduced.id],
      );
      await h.rt.db.query("UPDATE members SET registration_date = '2025-03-15' WHERE id = $1", [fresh.id]);
      await credit(fresh, events['2025-05-10']!, 2025, 44, 5);
      for (const d of [settles, fails]) {
        await credit(d, events['2025-05-10']!, 2025, 40, 6);
        await acceptedDebt(d, 10);
      }
      await credit(settles, events['2027-03-15']!, 2027, 10, 0);
      await h.rt.db.query("UPDATE members SET registration_date = '2026-12-01' WHERE id = $1", [notDue.id]);
      // R-VER-7: a webinar the CPO organised in the biennium; a member of a province that never runs the verification.
      const webinar = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(at('2026-10-01T15:00'), 2) });
      expect(webinar.status, webinar.text).toBe(201);
      await createMembers(h, keys.cn, ['RM'], 1600);
    });
    afterAll(async () => h?.close());

    it('the February snapshot: every member’s status as of 28 February 2027, 23:59:59.999 Rome', async () => {
      const res = await run('february');
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({
        changed: true,
        previousVersion: null,
        snapshot: { province: 'MI', biennium: 2025, phase: 'february', version: 1, asOf: '2027-02-28T22:59:59.999Z', memberCount: 7 },
      });
      expect(res.body.snapshot.createdBy).toMatch(/^cpo:/);
      const read = await h.api('GET', '/v1/provinces/MI/verifications/2025', { key: keys.cn });
      expect(read.status, read.text).toBe(200);
      const [compliant, short, reduced, fresh, settles, fails, notDue] = m;
      expect(statuses(read.body.rows)).toEqual({
        [compliant!.id]: 'compliant',
        [short!.id]: 'short',
        [reduced!.id]: 'reduced',
        [fresh!.id]: 'new-member',
        [settles!.id]: 'debt-accepted', // its settling credit is of 15 March
        [fails!.id]: 'debt-accepted',
        [notDue!.id]: 'not-due',
      });
      const shortRow = read.body.rows.find((r: { memberId: string }) => r.memberId === short!.id);
      expect(shortRow.missing).toEqual({ total: 10, deontology: 4 });
      expect(read.body.snapshot.aggregates).toMatchObject({
        members: 7,
        subject: 6,
        inOrder: 3,
        inOrderPct: 50,
        reductions: 1,
        debts: { accepted: 2, pending: 2 },
      });
    });

    it('the June re-check of the debtors, and the CN’s aggregates with it', async () => {
      const res = await run('june');
      expect(res.status, res.text).toBe(200);
      expect(res.body.snapshot).toMatchObject({ phase: 'june', version: 1, asOf: '2027-06-30T21:59:59.999Z', memberCount: 2 });
      const read = await h.api('GET', '/v1/provinces/MI/verifications/2025?phase=june', { key: keys.cpo });
      expect(statuses(read.body.rows)).toEqual({ [m[4]!.id]: 'debt-settled', [m[5]!.id]: 'debt-not-settled' });
      const agg = await h.api('GET', '/v1/verifications?biennium=2025', { key: keys.cn });
      expect(agg.status, agg.text).toBe(200);
      expect(agg.body.provinces).toEqual([
        expect.objectContaining({
          province: 'MI',
          registered: 7,
          februaryVersion: 1,
          juneVersion: 1,
          aggregates: expect.objectContaining({ subject: 6, inOrder: 4, inOrderPct: 66.67, debts: { accepted: 2, settled: 1, notSettled: 1, pending: 0 } }),
          // Three in-person events and a webinar of 2025–26 (the one of March 2027 is not of the biennium).
          events: { organised: { total: 4, byMode: { 'in-person': 3, webinar: 1 } }, accredited: 4 },
        }),
        // Late: RM has members and has not run the verification.
        {
          province: 'RM',
          registered: 1,
          februaryVersion: null,
          juneVersion: null,
          february: null,
          aggregates: null,
          events: { organised: { total: 0, byMode: {} }, accredited: 0 },
        },
      ]);
      // A CPO reads its own province only, with the same figures.
      const own = await h.api('GET', '/v1/verifications?biennium=2025', { key: keys.cpo });
      expect(own.body.provinces.map((p: { province: string }) => p.province)).toEqual(['MI']);
      expect(own.body.provinces[0].aggregates).toEqual(agg.body.provinces[0].aggregates);
    });

    it('running again with nothing new stores nothing; a later credit dated before the date is a new version naming the member', async () => {
      const again = await run('february', keys.cn);
      expect(again.status, again.text).toBe(200);
      expect(again.body).toMatchObject({ changed: false, snapshot: { version: 1 }, diff: [] });

      await credit(m[1]!, events['2026-09-10']!, 2026, 10, 4);
      const next = await run('february');
      expect(next.body).toMatchObject({ changed: true, previousVersion: 1, snapshot: { version: 2 } });
      expect(next.body.diff).toEqual([{ memberId: m[1]!.id, from: 'short', to: 'compliant', changed: ['status', 'credits', 'missing'] }]);
      const v1 = await h.api('GET', '/v1/provinces/MI/verifications/2025?version=1', { key: keys.cpo });
      expect(statuses(v1.body.rows)[m[1]!.id]).toBe('short');
      const page = await h.api('GET', '/v1/provinces/MI/verifications/2025?limit=3', { key: keys.cpo });
      expect(page.body.snapshot.version).toBe(2);
      expect(page.body.rows).toHaveLength(3);
      expect(page.body.next).toBe(page.body.rows[2].memberId);
    });

    it('a CPO verifies its own province only', async () => {
      const rm = await h.key('cpo', 'RM');
      const res = await run('february', rm);
      expect([res.status, res.body.code]).toEqual([403, 'forbidden']);
    });
  });
}
