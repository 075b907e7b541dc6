/**
 * Issue 16, "Derivation at scale", end to end through HTTP with the SCORM worker on real Redis:
 * the per-commit derivation folds each enrolment's new commits into its aggregates (migration 017)
 * and a course-wide re-derivation (a declaration saved again) re-reads every commit and rebuilds
 * them; both store the same rows: outcomes with their explanations, credit records, aggregates.
 * The histories have what makes folding delicate: invalid commits, commits naming no launch, two
 * tabs of the same SCO overlapping, replays, a commit received out of order (the product clock
 * set back), commits after completion, a commit that becomes visible after a fold read past its
 * id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRIMARY_BACKEND } from '../support/backends.ts';
import { createCpoOrganiser, createMembers, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { elearningEvent, fixtureDeclaration, scormFixtureZip } from '../support/scorm.ts';
import { recordCommits, type SentCommit } from '../support/scorm-again.ts';

const MIN = 60_000;
const DECLARATION = fixtureDeclaration('scorm12', { nominalMinutes: 60 });

describe('SCORM incremental derivation = full re-read, through HTTP', () => {
  let h: Harness;
  let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
  let members: CreatedMember[];
  let clock = Date.parse('2026-03-02T08:00:00Z');
  const tick = (ms: number) => (clock += ms);
  let eventId: string;

  beforeAll(async () => {
    h = await startHarness(PRIMARY_BACKEND, { now: () => clock, env: { SCORM_DERIVE_DELAY_MS: '20' } });
    keys = await createCpoOrganiser(h, 'MI');
    members = await createMembers(h, keys.cn, ['MI', 'MI', 'MI'], 960);
    const res = await h.api('POST', '/v1/events', { key: keys.organiser, body: elearningEvent(clock, 'Corso SCORM incrementale') });
    expect(res.status, res.text).toBe(201);
    eventId = res.body.id as string;
    const up = await h.api('POST', `/v1/events/${eventId}/scorm-package`, {
      key: keys.organiser,
      raw: scormFixtureZip('scorm12'),
      headers: { 'content-type': 'application/zip' },
    });
    expect(up.status, up.text).toBe(201);
    expect((await h.api('PUT', `/v1/events/${eventId}/elearning`, { key: keys.organiser, body: DECLARATION })).status).toBe(200);
  });

  afterAll(async () => {
    await h?.close();
  });

  async function launchUrlOf(m: CreatedMember) {
    const en = await h.api('POST', `/v1/events/${eventId}/enrolments`, { key: keys.organiser, body: { memberIds: [m.id] } });
    expect(en.status, en.text).toBe(200);
    const l = await h.api('POST', `/v1/events/${eventId}/enrolments/${m.id}/launch`, { key: keys.organiser });
    expect(l.status, l.text).toBe(200);
    return l.body.launchUrl as string;
  }
  async function launchSco(launchUrl: string, sco: string) {
    const res = await fetch(`${launchUrl}?sco=${encodeURIComponent(sco)}`, { method: 'POST' });
    expect(res.status).toBe(201);
    return ((await res.json()) as { commitUrl: string }).commitUrl;
  }
  const post = async (c: SentCommit) => {
    const res = await fetch(c.url, { method: 'POST', body: c.body, headers: { 'content-type': c.contentType } });
    expect(res.status).toBe(200);
    return (await res.json()) as { result: boolean; valid: boolean };
  };
  const session = (url: string, values: Array<[string, string]>, finish = true) =>
    recordCommits('1.2', url, (api) => {
      api.init();
      for (const [k, v] of values) api.set(k, v);
      api.commit();
      if (finish) api.finish();
    });
  /** Posts each commit `gapMs` of product time apart, so that derivations run between them. */
  async function postSpaced(sent: SentCommit[], gapMs: number) {
    for (const c of sent) {
      tick(gapMs);
      await post(c);
      await settled();
    }
  }

  /** No job left in the queue, and every outcome has read its enrolment's last commit. */
  async function settled() {
    await eventually(async () => {
      // The sweep is a repeatable job, always delayed: only derivations count.
      const pending = await h.rt.scorm.queue.getJobs(['waiting', 'delayed', 'active', 'prioritized'], 0, 1000);
      if (pending.some((j) => j.name !== 'sweep')) return false;
      const behind = await h.rt.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM elearning_enrolments e LEFT JOIN elearning_outcomes o ON o.enrolment_id = e.id
          WHERE e.event_id = $1 AND EXISTS (SELECT 1 FROM scorm_commits c WHERE c.enrolment_id = e.id AND c.id > COALESCE(o.commits_high_water, 0))`,
        [eventId],
      );
      return behind.rows[0]!.n === 0;
    }, 20_000);
  }

  /** Everything derivation stores for the course, without the instants of the derivations themselves. */
  async function storedRows() {
    const q = async (sql: string) => (await h.rt.db.query(sql, [eventId])).rows;
    return {
      outcomes: await q(`SELECT enrolment_id, status, reason, rule, credits, credited_seconds, required_seconds, completed_at, explanation, commits_high_water
                           FROM elearning_outcomes WHERE event_id = $1 ORDER BY enrolment_id`),
      credits: await q(
        `SELECT member_id, fraction, credits, deontology_credits, mode, year, status FROM credit_records WHERE event_id = $1 ORDER BY member_id`,
      ),
      folds:
        await q(`SELECT f.enrolment_id, f.basis, f.commits_high_water, f.commits_folded, f.ignored_invalid, f.ignored_unlaunched, f.ignored_outside_validity,
                             f.ignored_before_launch, f.last_counted_at, f.completed_at
                        FROM scorm_folds f JOIN elearning_enrolments e ON e.id = f.enrolment_id WHERE e.event_id = $1 ORDER BY f.enrolment_id`),
      sessions: await q(`SELECT s.* FROM scorm_session_folds s JOIN elearning_enrolments e ON e.id = s.enrolment_id
                          WHERE e.event_id = $1 ORDER BY s.enrolment_id, s.sco_identifier, s.session_key`),
    };
  }

  /** How the enrolment jobs derived since `since` went: incremental or full. */
  async function pathsSince(since: number) {
    const jobs = await h.rt.scorm.queue.getJobs(['completed'], 0, 1000);
    const mine = jobs.filter((j) => j.name === 'derive-pending' && (j.finishedOn ?? 0) >= since);
    const full: Record<string, number> = {};
    for (const j of mine) for (const [why, n] of Object.entries<number>(j.returnvalue?.full ?? {})) full[why] = (full[why] ?? 0) + n;
    return {
      incremental: mine.reduce((n, j) => n + (j.returnvalue?.incremental ?? 0), 0),
      enrolments: mine.reduce((n, j) => n + (j.returnvalue?.enrolments ?? 0), 0),
      full,
    };
  }

  /** A course-wide re-derivation: the declaration saved again (R-ELN-5) re-reads every enrolment in full. */
  async function courseWide(declaration: Record<string, unknown>) {
    const since = Date.now();
    expect((await h.api('PUT', `/v1/events/${eventId}/elearning`, { key: keys.organiser, body: declaration })).status).toBe(200);
    await eventually(async () => {
      const jobs = await h.rt.scorm.queue.getJobs(['completed'], 0, 1000);
      return jobs.some((j) => j.name === 'derive-course' && (j.finishedOn ?? 0) >= since);
    }, 20_000);
    await settled();
  }

  it('the per-commit path and a course-wide re-derivation store the same rows', async () => {
    const started = Date.now();
    const [a, b, c] = members as [CreatedMember, CreatedMember, CreatedMember];

    // A: the whole course, in two tabs for module 1, with noise, then commits after completion.
    const la = await launchUrlOf(a);
    const a1 = await launchSco(la, 'ITEM-1');
    tick(MIN);
    const a1b = await launchSco(la, 'ITEM-1'); // a second tab of the same module
    await postSpaced(
      await session(
        a1,
        [
          ['cmi.core.lesson_status', 'incomplete'],
          ['cmi.core.session_time', '00:04:00'],
        ],
        false,
      ),
      4 * MIN,
    );
    await postSpaced(
      await session(
        a1b,
        [
          ['cmi.core.lesson_status', 'incomplete'],
          ['cmi.core.session_time', '00:05:00'],
        ],
        false,
      ),
      2 * MIN,
    );
    // Invalid (not a 1.2 status) and naming a session the server never launched: stored, never counted.
    const bad = await fetch(a1, {
      method: 'POST',
      body: JSON.stringify({ cmi: { core: { lesson_status: 'finished' } } }),
      headers: { 'content-type': 'application/json' },
    });
    expect(((await bad.json()) as any).valid).toBe(false);
    await postSpaced(await session(a1.replace(/session=[^&]+/, 'session=never-launched'), [['cmi.core.lesson_status', 'completed']]), MIN);
    await postSpaced(
      await session(a1, [
        ['cmi.core.lesson_status', 'completed'],
        ['cmi.core.session_time', '00:14:00'],
      ]),
      8 * MIN,
    );
    const a2 = await launchSco(la, 'ITEM-2');
    await postSpaced(
      await session(a2, [
        ['cmi.core.lesson_status', 'completed'],
        ['cmi.core.session_time', '00:12:00'],
      ]),
      12 * MIN,
    );
    const at = await launchSco(la, 'ITEM-TEST');
    const test = await session(
      at,
      [
        ['cmi.core.score.raw', '60'],
        ['cmi.core.lesson_status', 'failed'],
        ['cmi.core.session_time', '00:03:00'],
      ],
      false,
    );
    await postSpaced(test, 3 * MIN);
    const passed = await session(at, [
      ['cmi.core.score.raw', '90'],
      ['cmi.core.lesson_status', 'passed'],
      ['cmi.core.session_time', '00:08:00'],
    ]);
    await postSpaced(passed, 5 * MIN);
    // Replays and a commit received "earlier" than the last folded one (two requests racing): the
    // product clock goes back 7 minutes for it, before the completion: the fold gives up on it
    // (it could move completedAt earlier) and the derivation re-reads everything.
    for (const s of [...test, ...passed].reverse()) await post(s);
    await settled();
    tick(-7 * MIN);
    await post(test[0]!);
    tick(7 * MIN);
    await settled();

    // B: half way; C: only noise.
    const lb = await launchUrlOf(b);
    const b1 = await launchSco(lb, 'ITEM-1');
    await postSpaced(
      await session(b1, [
        ['cmi.core.lesson_status', 'completed'],
        ['cmi.core.session_time', '00:15:00'],
      ]),
      15 * MIN,
    );
    const lc = await launchUrlOf(c);
    const c1 = await launchSco(lc, 'ITEM-1');
    await postSpaced(await session(c1.replace('sco=ITEM-1', 'sco=ITEM-2'), [['cmi.core.lesson_status', 'completed']]), MIN);

    const perCommit = await storedRows();
    const paths = await pathsSince(started);
    // Most derivations after a commit folded; the first of each enrolment and the out-of-order one re-read.
    expect(paths.incremental).toBeGreaterThan(paths.enrolments / 2);
    expect(paths.full).toEqual({ first: 3, 'late-commit-before-completion': 1 });
    expect(paths.enrolments - paths.incremental).toBe(4);

    const outcomeOf = (m: CreatedMember) =>
      h.api('GET', `/v1/events/${eventId}/enrolments/${m.id}`, { key: keys.organiser }).then((r) => r.body.outcome as Record<string, any>);
    const oa = await outcomeOf(a);
    expect(oa).toMatchObject({ status: 'credited', credits: 2 });
    expect(oa.explanation.ignored).toMatchObject({ invalid: 1, unlaunched: expect.any(Number) });
    expect(oa.explanation.ignored.unlaunched).toBeGreaterThan(0);
    expect(oa.explanation.sessions).toHaveLength(4);
    expect(await outcomeOf(b)).toMatchObject({ status: 'in-progress', reason: 'sco-not-completed' });
    expect((await outcomeOf(c)).explanation.ignored.unlaunched).toBeGreaterThan(0);
    expect(perCommit.credits).toHaveLength(1);
    expect(perCommit.sessions.length).toBeGreaterThanOrEqual(6);

    await courseWide(DECLARATION);
    expect(await storedRows()).toEqual(perCommit);

    // After the rebuild, more commits fold again, and a second re-read still agrees.
    const before = await pathsSince(Date.now());
    const b2 = await launchSco(lb, 'ITEM-2');
    await postSpaced(
      await session(b2, [
        ['cmi.core.lesson_status', 'completed'],
        ['cmi.core.session_time', '00:10:00'],
      ]),
      10 * MIN,
    );
    const after = await pathsSince(started);
    expect(after.incremental).toBeGreaterThan(before.incremental);
    const again = await storedRows();
    await courseWide(DECLARATION);
    expect(await storedRows()).toEqual(again);

    // A commit whose transaction committed after a fold had read past its id (ids are drawn at
    // INSERT, visibility comes at COMMIT): simulated with an id below every other. The next
    // derivation sees more commits up to its high water than it folded, and re-reads everything.
    const { rows: be } = await h.rt.db.query<{ id: string }>('SELECT id FROM elearning_enrolments WHERE event_id = $1 AND member_id = $2', [eventId, b.id]);
    await h.rt.db.query(
      `INSERT INTO scorm_commits (id, enrolment_id, sco_identifier, session_id, received_at, client_addr, user_agent, content_type, body, parsed, valid, errors)
       SELECT -1, enrolment_id, sco_identifier, session_id, received_at, client_addr, user_agent, content_type, body, parsed, valid, errors
         FROM scorm_commits WHERE enrolment_id = $1 ORDER BY id DESC LIMIT 1`,
      [be[0]!.id],
    );
    const lateSince = Date.now();
    const b3 = await session(
      b2,
      [
        ['cmi.core.lesson_status', 'completed'],
        ['cmi.core.session_time', '00:11:00'],
      ],
      false,
    );
    await postSpaced(b3, MIN);
    expect((await pathsSince(lateSince)).full).toEqual({ 'commit-seen-late': 1 });
    const afterLate = await storedRows();
    const foldedOf = (rows: Awaited<ReturnType<typeof storedRows>>) =>
      (rows.folds as Array<{ enrolment_id: string; commits_folded: number }>).find((f) => f.enrolment_id === be[0]!.id)!.commits_folded;
    expect(foldedOf(afterLate)).toBe(foldedOf(again) + 2);
    await courseWide(DECLARATION);
    expect(await storedRows()).toEqual(afterLate);

    // A rule change (the duration) re-derives every enrolment under the new basis.
    await courseWide({ ...DECLARATION, nominalMinutes: 40 });
    const changed = await storedRows();
    expect(changed.folds.every((f: any) => f.basis !== afterLate.folds[0]!.basis)).toBe(true);
    expect(changed.outcomes.find((o: any) => o.status === 'credited')).toBeTruthy();
  });
  it('the sweep finds a commit that became visible below the high water after its fold, when no later commit asks again', async () => {
    const { enrolmentsNeedingDerivation } = await import('../../src/store/elearning-outcomes.ts');
    await settled();
    const { rows } = await h.rt.db.query<{ enrolment_id: string }>(
      'SELECT f.enrolment_id FROM scorm_folds f JOIN elearning_enrolments e ON e.id = f.enrolment_id WHERE e.event_id = $1 ORDER BY f.enrolment_id LIMIT 1',
      [eventId],
    );
    const enrolmentId = rows[0]!.enrolment_id;
    const since = new Date(0);
    expect(await enrolmentsNeedingDerivation(h.rt.db, since)).not.toContain(enrolmentId);
    // The late commit (an id below the others, as a late COMMIT leaves it), and its request lost:
    // nothing is queued for it.
    await h.rt.db.query(
      `INSERT INTO scorm_commits (id, enrolment_id, sco_identifier, session_id, received_at, client_addr, user_agent, content_type, body, parsed, valid, errors)
       SELECT -2, enrolment_id, sco_identifier, session_id, received_at, client_addr, user_agent, content_type, body, parsed, valid, errors
         FROM scorm_commits WHERE enrolment_id = $1 ORDER BY id DESC LIMIT 1`,
      [enrolmentId],
    );
    expect(await enrolmentsNeedingDerivation(h.rt.db, since)).toContain(enrolmentId);
    // Its commits received from `until` on (the worker's grace for derivations on their way): left for the next sweep.
    const { rows: late } = await h.rt.db.query<{ at: Date }>('SELECT received_at AS at FROM scorm_commits WHERE id = -2');
    const lateAt = new Date(late[0]!.at).getTime();
    expect(await enrolmentsNeedingDerivation(h.rt.db, new Date(lateAt), new Date(lateAt))).not.toContain(enrolmentId);
    expect(await enrolmentsNeedingDerivation(h.rt.db, new Date(lateAt), new Date(lateAt + 1))).toContain(enrolmentId);
    // The sweep's derivation folds it, and the enrolment is no longer found.
    await h.rt.scorm.requestDerivation(enrolmentId);
    await eventually(async () => !(await enrolmentsNeedingDerivation(h.rt.db, since)).includes(enrolmentId), 20_000);
  });
});
