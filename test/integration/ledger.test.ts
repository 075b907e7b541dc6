/**
 * R-POL-2 through HTTP on real Redis and a real database: re-deriving balances after a change is
 * automatic and leaves an audit trail (who, when, old and new outcome). A member earns webinar
 * credits over the distance cap (each derivation that changes credits asks the ledger, old = null
 * the first time); a CPO grant raises the pct and the ledger records old/new pct and counted
 * credits with the grant as cause and the CPO key as actor; a revocation records the way back; a
 * policy change that moves nothing for the member writes no row; a re-run of a job writes nothing;
 * with Redis refusing the request the grant still succeeds and the ledger's sweep records it.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import type { LedgerJob } from '../../src/queue/ledger.ts';
import { applyLedger, sweepChanges, type LedgerSummary } from '../../src/services/balance/ledger.ts';
import { backendsOf } from '../support/backends.ts';
import { createCpoOrganiser, createMembers, pastWebinar, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';

const ROME = 'Europe/Rome';
const at = (iso: string) => DateTime.fromISO(iso, { zone: ROME }).toMillis();

for (const backend of backendsOf(import.meta.url)) {
  describe(`balance ledger on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let member: CreatedMember;
    let elsewhere: CreatedMember;
    const clock = at('2026-12-20T12:00');

    const audit = async (m: CreatedMember = member, key = keys.cpo) => {
      const res = await h.api('GET', `/v1/members/${m.id}/balance/audit?biennium=2025`, { key });
      expect(res.status, res.text).toBe(200);
      return res.body.entries as any[];
    };

    /** Every ledger job done: none waiting or running (the sweep scheduler's next run is always delayed). */
    const idle = () =>
      eventually(async () => {
        const c = await h.rt.ledger.queue.getJobCounts('waiting', 'active', 'prioritized');
        return Object.values(c).every((n) => n === 0);
      });

    const completed = async (cause: string) => {
      const jobs = await h.rt.ledger.queue.getCompleted(0, 1000);
      return jobs.filter((j) => (j.data as LedgerJob).cause === cause);
    };

    async function webinar(startIso: string, hours: number) {
      const start = at(startIso);
      const res = await h.api('POST', '/v1/events', { key: keys.organiser, body: { ...pastWebinar(start, hours), title: `webinar ${startIso}` } });
      expect(res.status, res.text).toBe(201);
      const id = res.body.id as string;
      const reg = await h.api('POST', `/v1/events/${id}/registrations`, {
        key: keys.organiser,
        body: { registrations: [{ memberId: member.id, email: member.email }] },
      });
      expect(reg.status, reg.text).toBe(200);
      const rec = await h.api('POST', `/v1/ingest/webinar/${id}`, {
        key: keys.platform,
        body: {
          records: [
            { id: `${id}-j`, type: 'join', at: new Date(start).toISOString(), participant: { email: member.email } },
            { id: `${id}-l`, type: 'leave', at: new Date(start + hours * 3600_000).toISOString(), participant: { email: member.email } },
          ],
        },
      });
      expect(rec.status, rec.text).toBeLessThan(300);
      return id;
    }

    beforeAll(async () => {
      // A long sweep interval: only the hooks' own jobs run during the test.
      h = await startHarness(backend, { now: () => clock, env: { SWEEP_INTERVAL_MS: '3600000' } });
      // The start-up pass over every member (none yet) is done before members exist.
      await eventually(async () => (await completed('sweep')).length > 0);
      keys = await createCpoOrganiser(h, 'MI');
      [member, elsewhere] = (await createMembers(h, keys.cn, ['MI', 'RM'], 900)) as [CreatedMember, CreatedMember];
    });

    afterAll(async () => {
      await h?.close();
    });

    it('re-derived credits are recorded: first outcome with old = null, then each change (cause, no actor)', async () => {
      const events = [await webinar('2025-03-10T09:00', 8), await webinar('2025-06-10T09:00', 8), await webinar('2026-02-10T09:00', 8)];
      // 24 distance credits recorded, 20 count under the 40% cap (R-FAD-2/5).
      const rows = await eventually(async () => {
        const r = await audit();
        return r[0]?.new.counted.distance === 20 && r[0].new.counted.total === 20 ? r : null;
      });
      const causes = new Set(events.map((id) => `credits of event ${id} re-derived`));
      for (const r of rows) {
        expect(causes.has(r.cause), r.cause).toBe(true);
        expect(r.actor).toBeNull();
        expect(r.biennium).toBe(2025);
      }
      const first = rows[rows.length - 1];
      expect(first.old).toBeNull();
      expect(rows[0].new).toMatchObject({
        obligation: { total: 50, deontology: 6 },
        distancePct: 40,
        missing: { total: 30, deontology: 3 },
        compliant: false,
        status: 'in-progress',
        debt: null,
      });
      // The ledger's outcome is the balance the API derives on read.
      const b = await h.api('GET', `/v1/members/${member.id}/balance?biennium=2025`, { key: keys.cpo });
      expect(b.body.balance.counted).toEqual(rows[0].new.counted);
      expect(b.body.balance.missing).toEqual(rows[0].new.missing);
    });

    let grantId: string;
    let grantedBy: string;
    it('a CPO grant: one row with old and new pct and counted credits, the grant as cause, the CPO key as actor', async () => {
      const before = await audit();
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
      grantedBy = res.body.grantedBy;
      expect(grantedBy).toMatch(/^cpo:/);
      const rows = await eventually(async () => {
        const r = await audit();
        return r.length === before.length + 1 ? r : null;
      });
      const row = rows[0];
      expect(row.cause).toBe(`distance grant ${grantId} granted (R-FAD-3)`);
      expect(row.actor).toBe(grantedBy);
      expect(row.at).toBe(new Date(clock).toISOString());
      expect(row.old.distancePct).toBe(40);
      expect(row.new.distancePct).toBe(60);
      expect(row.old.counted).toEqual({ total: 20, deontology: 3, distance: 20, otherActivities: 0 });
      expect(row.new.counted).toEqual({ total: 24, deontology: 3, distance: 24, otherActivities: 0 });
      expect(row.new.missing.total).toBe(26);
      // The CN and admin read it too; another province's CPO does not see the member.
      expect((await h.api('GET', `/v1/members/${member.id}/balance/audit`, { key: keys.cn })).body.entries[0].id).toBe(row.id);
      expect((await h.api('GET', `/v1/members/${member.id}/balance/audit`, { key: await h.key('admin') })).status).toBe(200);
      expect((await h.api('GET', `/v1/members/${member.id}/balance/audit`, { key: await h.key('cpo', 'RM') })).status).toBe(404);
      expect((await h.api('GET', `/v1/members/${member.id}/balance/audit`, { key: keys.organiser })).status).toBe(403);
    });

    it('a revocation: another row, back to 40%', async () => {
      const before = await audit();
      const res = await h.api('POST', `/v1/distance-grants/${grantId}/revoke`, { key: keys.cpo, body: { reason: 'Revocata su istanza' } });
      expect(res.status, res.text).toBe(200);
      const rows = await eventually(async () => {
        const r = await audit();
        return r.length === before.length + 1 ? r : null;
      });
      expect(rows[0]).toMatchObject({
        cause: `distance grant ${grantId} revoked (R-FAD-3)`,
        actor: grantedBy,
        old: { distancePct: 60 },
        new: { distancePct: 40 },
      });
      expect(rows[0].old.counted.total).toBe(24);
      expect(rows[0].new.counted.total).toBe(20);
      expect(rows[0].id).toBeGreaterThan(rows[1].id);
    });

    it('a policy change that moves nothing for the member: the pass runs over the province and writes no row', async () => {
      const before = await audit();
      const set = await h.api('PUT', '/v1/provinces/MI/policy', {
        key: keys.cpo,
        body: { profile: 'BA', overrides: { reductionCeiling: 45 }, reason: 'Delibera consiglio 4/2026' },
      });
      expect(set.status, set.text).toBe(200);
      const cause = `policy of MI changed to BA, version ${set.body.version} (R-POL-1)`;
      const [job] = await eventually(async () => {
        const jobs = await completed(cause);
        return jobs.length ? jobs : null;
      });
      const summary = job!.returnvalue as LedgerSummary;
      // The MI member only (not the RM one), both bienniums, nothing changed.
      expect(summary).toMatchObject({ members: 1, changed: 0, bienniums: [2023, 2025] });
      expect(await audit()).toEqual(before);
      expect((await h.api('GET', `/v1/members/${elsewhere.id}/balance/audit`, { key: keys.cn })).body.entries).toEqual([]);
    });

    it('a re-run of the same job writes nothing, through the queue and in process', async () => {
      const before = await audit();
      const [job] = await completed(`distance grant ${grantId} granted (R-FAD-3)`);
      const data = job!.data as LedgerJob;
      await h.rt.ledger.requestLedger(data);
      await idle();
      const again = (await completed(data.cause)).map((j) => j.returnvalue as LedgerSummary);
      // The first run recorded the grant; the second found every digest equal.
      expect(again.map((s) => s.changed).sort()).toEqual([0, 1]);
      const direct = await applyLedger({ db: h.rt.db, log: createLogger('silent'), now: () => clock }, data);
      expect(direct).toMatchObject({ members: 1, changed: 0 });
      expect(await audit()).toEqual(before);
      const rows = await h.rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM balance_audit WHERE member_id = $1 AND cause = $2', [
        member.id,
        data.cause,
      ]);
      expect(rows.rows[0]!.n).toBe(1);
    });

    it('with Redis refusing the ledger request the grant still succeeds; the sweep records the change (cause sweep, no actor)', async () => {
      const before = await audit();
      const ledger = h.rt.deps.ledger;
      h.rt.deps.ledger = { requestLedger: () => Promise.reject(new Error('Connection is closed.')) };
      const sweptFrom = { product: clock - 60_000, wall: Date.now() - 60_000 };
      try {
        const res = await h.api('POST', '/v1/distance-grants', {
          key: keys.cpo,
          body: {
            scope: 'member',
            ground: 'request',
            pct: 70,
            memberIds: [member.id],
            deliberation: 'Delibera 13/2026',
            validFrom: '2026-06-01',
            validUntil: '2026-12-31',
          },
        });
        expect(res.status, res.text).toBe(201);
      } finally {
        h.rt.deps.ledger = ledger;
      }
      await idle();
      expect(await audit()).toEqual(before);
      const queued = await sweepChanges({ db: h.rt.db, log: createLogger('silent'), now: () => clock, producer: h.rt.ledger }, sweptFrom);
      expect(queued.scopes).toBeGreaterThan(0);
      const rows = await eventually(async () => {
        const r = await audit();
        return r.length === before.length + 1 ? r : null;
      });
      expect(rows[0]).toMatchObject({ cause: 'sweep', actor: null, old: { distancePct: 40 }, new: { distancePct: 70 } });
      await idle();
      expect((await audit()).length).toBe(before.length + 1);
    });
  });
}
