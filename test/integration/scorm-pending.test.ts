/**
 * Issue 16, "Derivation at scale": commits mark their enrolments pending in Redis, and one
 * `derive-pending` job derives every due enrolment in batches (`src/queue/scorm.ts`,
 * `deriveEnrolments`), on real Redis and both databases, through HTTP:
 * - many learners' commits at once are derived together, and store what deriving each enrolment
 *   alone stores (R-ELN-2, R-ELN-3, R-ELN-4);
 * - a job's claim survives its crash (the re-run with the same job id takes it up again), a mark
 *   is not re-scored by later commits, an enrolment is not due before SCORM_DERIVE_DELAY_MS;
 * - a job's successor waits PENDING_SPACING_MS (so that it has a batch), not when a backlog is due;
 * - one enrolment that cannot be derived does not hold up the others: it is left to the sweep,
 *   which derives it once it can be.
 */
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { createScormProducer, PENDING_SPACING_MS } from '../../src/queue/scorm.ts';
import { deriveEnrolment, sweepScormDerivations } from '../../src/services/elearning/derive.ts';
import { backendsOf, REDIS_URL } from '../support/backends.ts';
import { createCpoOrganiser, createMembers, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { elearningEvent, fixtureDeclaration, scormFixtureZip } from '../support/scorm.ts';
import { recordCommits } from '../support/scorm-again.ts';

const LEARNERS = 24;

for (const backend of backendsOf(import.meta.url)) {
  describe(`SCORM pending derivations on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let members: CreatedMember[];
    let eventId: string;
    const commitUrls = new Map<string, string>();

    beforeAll(async () => {
      h = await startHarness(backend, { env: { SCORM_DERIVE_DELAY_MS: '3000' } });
      keys = await createCpoOrganiser(h, 'MI');
      members = await createMembers(
        h,
        keys.cn,
        Array.from({ length: LEARNERS }, () => 'MI'),
        1300,
      );
      const res = await h.api('POST', '/v1/events', { key: keys.organiser, body: elearningEvent(Date.now() - 3600_000, 'Corso SCORM in lotti') });
      expect(res.status, res.text).toBe(201);
      eventId = res.body.id as string;
      const up = await h.api('POST', `/v1/events/${eventId}/scorm-package`, {
        key: keys.organiser,
        raw: scormFixtureZip('scorm12'),
        headers: { 'content-type': 'application/zip' },
      });
      expect(up.status, up.text).toBe(201);
      expect(
        (await h.api('PUT', `/v1/events/${eventId}/elearning`, { key: keys.organiser, body: fixtureDeclaration('scorm12', { nominalMinutes: 60 }) })).status,
      ).toBe(200);
      const en = await h.api('POST', `/v1/events/${eventId}/enrolments`, { key: keys.organiser, body: { memberIds: members.map((m) => m.id) } });
      expect(en.status, en.text).toBe(200);
      for (const m of members) {
        const l = await h.api('POST', `/v1/events/${eventId}/enrolments/${m.id}/launch`, { key: keys.organiser });
        expect(l.status, l.text).toBe(200);
        const launched = await fetch(`${l.body.launchUrl}?sco=ITEM-1`, { method: 'POST' });
        expect(launched.status).toBe(201);
        commitUrls.set(m.id, ((await launched.json()) as { commitUrl: string }).commitUrl);
      }
    });

    afterAll(async () => {
      await h?.close();
    });

    /** Each learner's commit in ITEM-1, as scorm-again sends it: recorded first, then posted all at once. */
    async function commitAll(learners: CreatedMember[], minutes: (i: number) => number) {
      const sent = await Promise.all(
        learners.map((m, i) =>
          recordCommits('1.2', commitUrls.get(m.id)!, (api) => {
            api.init();
            api.set('cmi.core.lesson_status', 'incomplete');
            api.set('cmi.core.session_time', `00:${String(minutes(i)).padStart(2, '0')}:00`);
            api.commit();
          }),
        ),
      );
      const statuses = await Promise.all(
        sent.flat().map((c) => fetch(c.url, { method: 'POST', body: c.body, headers: { 'content-type': c.contentType } }).then((r) => r.status)),
      );
      expect(statuses.every((s) => s === 200)).toBe(true);
    }

    const enrolmentIds = async () =>
      (await h.rt.db.query<{ id: string; member_id: string }>('SELECT id, member_id FROM elearning_enrolments WHERE event_id = $1 ORDER BY id', [eventId]))
        .rows;
    /** Enrolments whose outcome has not read their last commit. */
    const behind = async () =>
      (
        await h.rt.db.query<{ id: string }>(
          `SELECT e.id FROM elearning_enrolments e LEFT JOIN elearning_outcomes o ON o.enrolment_id = e.id
            WHERE e.event_id = $1 AND EXISTS (SELECT 1 FROM scorm_commits c WHERE c.enrolment_id = e.id AND c.id > COALESCE(o.commits_high_water, 0))`,
          [eventId],
        )
      ).rows.map((r) => r.id);
    const outcomes = async () =>
      (
        await h.rt.db.query(
          `SELECT enrolment_id, status, reason, rule, credits, credited_seconds, required_seconds, completed_at, explanation, commits_high_water
             FROM elearning_outcomes WHERE event_id = $1 ORDER BY enrolment_id`,
          [eventId],
        )
      ).rows;
    /** No derive-pending job waiting or running (the job that wrote the last outcome has finished too). */
    const idle = async () =>
      (await h.rt.scorm.queue.getJobs(['waiting', 'delayed', 'active', 'prioritized'], 0, 1000)).every((j) => j.name !== 'derive-pending');
    const pendingJobs = async (since: number) =>
      (await h.rt.scorm.queue.getJobs(['completed'], 0, 1000)).filter((j) => j.name === 'derive-pending' && (j.finishedOn ?? 0) >= since);

    it('commits of many learners at once are derived together, and store what deriving each alone stores', async () => {
      const since = Date.now();
      await commitAll(members, (i) => 5 + (i % 7));
      await eventually(async () => (await behind()).length === 0 && (await idle()), 20_000);
      const jobs = await pendingJobs(since);
      const derived = jobs.reduce((n, j) => n + (j.returnvalue?.enrolments ?? 0), 0);
      expect(derived).toBeGreaterThanOrEqual(LEARNERS);
      // Far fewer jobs than commits: the learners marked within the delay were claimed together.
      expect(jobs.filter((j) => j.returnvalue?.enrolments > 0).length).toBeLessThanOrEqual(LEARNERS / 3);
      expect(jobs.every((j) => j.returnvalue?.failed === 0)).toBe(true);

      const batched = await outcomes();
      expect(batched).toHaveLength(LEARNERS);
      expect(batched.map((o: any) => [o.status, o.reason])).toEqual(batched.map(() => ['in-progress', 'sco-not-completed']));
      // The same derivation one enrolment at a time (each its own transaction), over the same
      // commits, from scratch: the same rows.
      for (const e of await enrolmentIds()) expect(await deriveEnrolment(h.rt.db, e.id, Date.now, { full: true })).not.toBeNull();
      expect(await outcomes()).toEqual(batched);
    });

    it("a job's claim survives its crash, a mark is not re-scored, and nothing is due before the delay", async () => {
      // A pending set of its own (no worker claims from it).
      const redis = new Redis(REDIS_URL);
      const prefix = `test-pending-${crypto.randomBytes(4).toString('hex')}`;
      const now = createScormProducer(redis, prefix, 0);
      const later = createScormProducer(redis, prefix, 60_000);
      try {
        const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(() => crypto.randomUUID()) as [string, string, string, string];
        await now.requestDerivation(a);
        await now.requestDerivation(b);
        await now.requestDerivation(a);
        expect(await redis.zcard(`${prefix}:scorm:pending-enrolments`)).toBe(2);
        // The mark into an empty set asked for one job; the others found it there.
        expect((await now.queue.getJobs(['waiting', 'delayed'])).filter((j) => j.name === 'derive-pending')).toHaveLength(1);
        await later.requestDerivation(c);
        const first = await now.claimPending('job-1');
        expect(first.sort()).toEqual([a, b].sort());
        // Marked meanwhile: not part of the claim the job takes up again after a crash.
        await now.requestDerivation(d);
        expect((await now.claimPending('job-1')).sort()).toEqual([a, b].sort());
        await now.settlePending('job-1', [a]);
        expect(await now.claimPending('job-1')).toEqual([b]);
        await now.settlePending('job-1', [b]);
        // Its claim settled, the job claims what is due: d, not c (due in a minute).
        expect(await now.claimPending('job-1')).toEqual([d]);
        await now.settlePending('job-1', [d]);
        expect(await now.claimPending('job-2')).toEqual([]);
        expect(await redis.zcard(`${prefix}:scorm:pending-enrolments`)).toBe(1);
      } finally {
        await now.queue.obliterate({ force: true });
        await Promise.all([now.close(), later.close()]);
        const left = await redis.keys(`${prefix}:*`);
        if (left.length) await redis.del(...left);
        redis.disconnect();
      }
    });

    it("a job's successor waits PENDING_SPACING_MS so that it has a batch, unless the job left due enrolments behind", async () => {
      const redis = new Redis(REDIS_URL);
      const prefix = `test-pending-${crypto.randomBytes(4).toString('hex')}`;
      const producer = createScormProducer(redis, prefix, 1000);
      const pendingJob = async () => (await producer.queue.getJobs(['waiting', 'delayed'])).find((j) => j.name === 'derive-pending');
      try {
        // Due already (a backlog the last job could not claim): the successor runs at once.
        await redis.zadd(`${prefix}:scorm:pending-enrolments`, Date.now() - 5000, crypto.randomUUID());
        await producer.schedulePending();
        expect((await pendingJob())?.opts.delay).toBe(0);
        await producer.queue.obliterate({ force: true });
        // The same after a job that claimed less than its fill: not before the spacing.
        await producer.schedulePending({ spaced: true });
        expect((await pendingJob())?.opts.delay).toBe(PENDING_SPACING_MS);
        await producer.queue.obliterate({ force: true });
        // Never later than when the earliest mark is due.
        await redis.del(`${prefix}:scorm:pending-enrolments`);
        await redis.zadd(`${prefix}:scorm:pending-enrolments`, Date.now() + 600, crypto.randomUUID());
        await producer.schedulePending({ spaced: true });
        const delay = (await pendingJob())?.opts.delay ?? -1;
        expect(delay).toBeGreaterThan(PENDING_SPACING_MS);
        expect(delay).toBeLessThanOrEqual(600);
      } finally {
        await producer.queue.obliterate({ force: true });
        await producer.close();
        const left = await redis.keys(`${prefix}:*`);
        if (left.length) await redis.del(...left);
        redis.disconnect();
      }
    });

    it('one enrolment that cannot be derived does not hold up the others, and the sweep derives it once it can be', async () => {
      const poisoned = (await enrolmentIds()).find((e) => e.member_id === members[3]!.id)!;
      // A database refusal for that enrolment alone (what a corrupt row or a bug in one history does).
      await h.rt.db.exec(`CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.enrolment_id = '${poisoned.id}' THEN RAISE EXCEPTION 'poisoned enrolment'; END IF; RETURN NEW; END $$;
        CREATE TRIGGER test_poison BEFORE INSERT OR UPDATE ON elearning_outcomes FOR EACH ROW EXECUTE FUNCTION test_poison();`);
      try {
        const since = Date.now();
        await commitAll(members.slice(0, 8), () => 20);
        await eventually(async () => {
          const left = await behind();
          return left.length === 1 && left[0] === poisoned.id && (await idle());
        }, 20_000);
        const jobs = await pendingJobs(since);
        expect(jobs.reduce((n, j) => n + (j.returnvalue?.failed ?? 0), 0)).toBe(1);
        expect((await h.rt.scorm.queue.getJobs(['failed'])).filter((j) => j.name === 'derive-pending')).toHaveLength(0);
      } finally {
        await h.rt.db.exec('DROP TRIGGER test_poison ON elearning_outcomes; DROP FUNCTION test_poison();');
      }
      // The sweep finds its commit unread and marks it again.
      const swept = await sweepScormDerivations(
        { db: h.rt.db, log: createLogger('silent'), now: () => Date.now() },
        h.rt.scorm,
        new Date(Date.now() - 600_000),
      );
      expect(swept.queued).toBe(1);
      await eventually(async () => (await behind()).length === 0, 20_000);
    });
  });
}
