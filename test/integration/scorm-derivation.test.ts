/**
 * Issue 6 §2–§4 end to end through HTTP, with the worker on real Redis and a real database, and
 * the product clock in the test's hands: launches registered by the server, commits produced by
 * scorm-again itself, the SCORM worker deriving each enrolment (R-ELN-2..4, R-EVT-5), credits as
 * distance credits in the member's balance (R-FAD-1). The cheating cases: 3 hours
 * claimed in a 5-minute session, a completion for an SCO never launched, a commit after the
 * validity window; and replays, which change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedSince } from '../../src/store/ledger.ts';
import { backendsOf } from '../support/backends.ts';
import { createCpoOrganiser, createMembers, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { elearningEvent, fixtureDeclaration, scormFixtureZip } from '../support/scorm.ts';
import { recordCommits, type SentCommit } from '../support/scorm-again.ts';

const MIN = 60_000;
/** 60 nominal minutes, tolerance 30: 30 minutes of credited time are needed (R-ELN-3). */
const DECLARATION = fixtureDeclaration('scorm12', { nominalMinutes: 60 });

for (const backend of backendsOf(import.meta.url)) {
  describe(`SCORM derivation on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let members: CreatedMember[];
    let clock = Date.parse('2026-03-02T08:00:00Z');
    const tick = (ms: number) => (clock += ms);

    async function course(title: string) {
      const res = await h.api('POST', '/v1/events', { key: keys.organiser, body: elearningEvent(clock, title) });
      expect(res.status, res.text).toBe(201);
      const id = res.body.id as string;
      const up = await h.api('POST', `/v1/events/${id}/scorm-package`, {
        key: keys.organiser,
        raw: scormFixtureZip('scorm12'),
        headers: { 'content-type': 'application/zip' },
      });
      expect(up.status, up.text).toBe(201);
      const decl = await h.api('PUT', `/v1/events/${id}/elearning`, { key: keys.organiser, body: DECLARATION });
      expect(decl.status, decl.text).toBe(200);
      return id;
    }

    async function enrolAndLaunch(eventId: string, member: CreatedMember) {
      const en = await h.api('POST', `/v1/events/${eventId}/enrolments`, { key: keys.organiser, body: { memberIds: [member.id] } });
      expect(en.status, en.text).toBe(200);
      const l = await h.api('POST', `/v1/events/${eventId}/enrolments/${member.id}/launch`, { key: keys.organiser });
      expect(l.status, l.text).toBe(200);
      return l.body as { launchUrl: string; playerUrl: string; enrolmentId: string };
    }

    /** What the player does when a SCO is opened: the server registers the launch. */
    async function launchSco(launchUrl: string, sco: string) {
      const res = await fetch(`${launchUrl}?sco=${encodeURIComponent(sco)}`, { method: 'POST' });
      expect(res.status).toBe(201);
      return (await res.json()) as { session: string; commitUrl: string; contentUrl: string; runnerUrl: string; contentPath: string; cmi: any };
    }

    const post = async (c: SentCommit) => {
      const res = await fetch(c.url, { method: 'POST', body: c.body, headers: { 'content-type': c.contentType } });
      const body = (await res.json()) as any;
      expect(res.status, JSON.stringify(body)).toBe(200);
      return body;
    };

    /** A SCO session as scorm-again sends it: the commits are made now, posted when `at` says. */
    async function scoSession(commitUrl: string, values: Array<[string, string]>) {
      return recordCommits('1.2', commitUrl, (api) => {
        api.init();
        api.set('cmi.core.lesson_status', 'incomplete');
        api.commit();
        for (const [k, v] of values) api.set(k, v);
        api.commit();
        api.finish();
      });
    }

    async function progress(eventId: string, member: CreatedMember, until: (o: any) => boolean) {
      let last: any;
      await eventually(async () => {
        const res = await h.api('GET', `/v1/events/${eventId}/enrolments/${member.id}`, { key: keys.organiser });
        last = res.body.outcome;
        return !!last && until(last);
      }, 20_000);
      return last;
    }

    beforeAll(async () => {
      h = await startHarness(backend, { now: () => clock, env: { SCORM_DERIVE_DELAY_MS: '20' } });
      keys = await createCpoOrganiser(h, 'MI');
      members = await createMembers(h, keys.cn, ['MI', 'MI', 'MI', 'MI'], 950);
    });

    afterAll(async () => {
      await h?.close();
    });

    it('launch, progress over SCOs, resume, completion and pass: credited as e-learning distance credits in the balance', async () => {
      const eventId = await course('Corso SCORM 1.2 completo');
      const m = members[0]!;
      const l = await enrolAndLaunch(eventId, m);

      // Module 1, in two sittings: the first stops half way (suspend), the second resumes.
      const a = await launchSco(l.launchUrl, 'ITEM-1');
      expect(a.commitUrl).toContain(`session=${a.session}`);
      expect(a.cmi.core).toMatchObject({ student_id: m.id, student_name: expect.stringContaining(',') });
      const first = await recordCommits('1.2', a.commitUrl, (api) => {
        api.init();
        api.set('cmi.core.lesson_status', 'incomplete');
        api.set('cmi.core.lesson_location', 'pagina-3');
        api.set('cmi.suspend_data', 'visti:1,2,3');
        api.set('cmi.core.exit', 'suspend');
        api.set('cmi.core.session_time', '00:06:00');
        api.commit();
        api.finish();
      });
      tick(6 * MIN);
      for (const c of first) await post(c);
      const half = await progress(eventId, m, (o) => o.creditedSeconds === 360);
      expect(half).toMatchObject({ status: 'in-progress', reason: 'sco-not-completed', credits: 0 });
      expect(half.explanation.scos[0]).toMatchObject({ identifier: 'ITEM-1', launched: true, completed: false });
      // Progress without a credit is nothing the ledger's sweep re-derives a balance for (migration 020).
      const creditsChangedAt = async () =>
        (await h.rt.db.query<{ at: Date | null }>('SELECT credits_changed_at AS at FROM elearning_outcomes WHERE enrolment_id = $1', [l.enrolmentId])).rows[0]!
          .at;
      const sweptSince = new Date(Date.now() - MIN);
      expect(await creditsChangedAt()).toBeNull();
      expect((await changedSince(h.rt.db, { product: new Date(clock - MIN), wall: sweptSince })).memberIds).not.toContain(m.id);

      tick(MIN);
      const b = await launchSco(l.launchUrl, 'ITEM-1');
      // The second sitting starts where the first stopped.
      expect(b.session).not.toBe(a.session);
      expect(b.cmi).toMatchObject({ suspend_data: 'visti:1,2,3', core: { lesson_location: 'pagina-3', lesson_status: 'incomplete', entry: 'resume' } });
      const second = await scoSession(b.commitUrl, [
        ['cmi.core.session_time', '00:09:00'],
        ['cmi.core.lesson_status', 'completed'],
      ]);
      tick(10 * MIN);
      for (const c of second) await post(c);

      tick(MIN);
      const c2 = await launchSco(l.launchUrl, 'ITEM-2');
      const m2 = await scoSession(c2.commitUrl, [
        ['cmi.core.session_time', '00:12:00'],
        ['cmi.core.lesson_status', 'completed'],
      ]);
      tick(12 * MIN);
      for (const c of m2) await post(c);

      tick(MIN);
      const t = await launchSco(l.launchUrl, 'ITEM-TEST');
      // The final test learns the pass mark it is judged by (the manifest's 75).
      expect(t.cmi.student_data).toEqual({ mastery_score: '75' });
      const test = await scoSession(t.commitUrl, [
        ['cmi.core.score.raw', '90'],
        ['cmi.core.session_time', '00:08:00'],
        ['cmi.core.lesson_status', 'passed'],
      ]);
      tick(8 * MIN);
      const completedAt = clock;
      for (const c of test) await post(c);

      // 6 + 9 + 12 + 8 = 35 minutes ≥ 60 − 30 (R-ELN-3); every SCO completed, the test passed (R-ELN-2).
      const done = await progress(eventId, m, (o) => o.status === 'credited');
      expect(done).toMatchObject({ status: 'credited', reason: 'credited', rule: 'R-ELN-4', credits: 2, creditedSeconds: 35 * 60, requiredSeconds: 30 * 60 });
      expect(done.completedAt).toBe(new Date(completedAt).toISOString());
      expect(done.explanation.scos.map((s: any) => [s.identifier, s.completed])).toEqual([
        ['ITEM-1', true],
        ['ITEM-2', true],
        ['ITEM-TEST', true],
      ]);
      expect(done.explanation.scos[2]).toMatchObject({ passed: true, bestScore: 90 });

      const records = await h.rt.db.query<{ credits: number; mode: string; year: number; status: string; fraction: number }>(
        'SELECT credits, mode, year, status, fraction FROM credit_records WHERE event_id = $1 AND member_id = $2',
        [eventId, m.id],
      );
      expect(records.rows).toEqual([{ credits: 2, mode: 'e-learning', year: 2026, status: 'granted', fraction: 0 }]);
      // The credit is: the sweep would catch it had its ledger request been lost.
      expect(await creditsChangedAt()).not.toBeNull();
      expect((await changedSince(h.rt.db, { product: new Date(clock - MIN), wall: sweptSince })).memberIds).toContain(m.id);
      const bal = await h.api('GET', `/v1/members/${m.id}/balance?biennium=2025`, { key: keys.cpo });
      expect(bal.status, bal.text).toBe(200);
      expect(bal.body.balance.recorded).toMatchObject({ total: 2, distance: 2 });
      expect(bal.body.balance.counted).toMatchObject({ total: 2, distance: 2 });

      // Replays (every commit again, out of order) change nothing.
      for (const c of [...test, ...m2, ...first].reverse()) await post(c);
      await eventually(async () => {
        const r = await h.rt.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM scorm_commits c JOIN elearning_outcomes o ON o.enrolment_id = c.enrolment_id
            WHERE c.enrolment_id = $1 AND c.id > o.commits_high_water`,
          [l.enrolmentId],
        );
        return r.rows[0]!.n === 0;
      }, 20_000);
      const replayed = await h.api('GET', `/v1/events/${eventId}/enrolments/${m.id}`, { key: keys.organiser });
      expect(replayed.body.outcome).toMatchObject({ status: 'credited', creditedSeconds: 35 * 60, completedAt: done.completedAt, credits: 2 });

      // The player page shows it, in Italian.
      const page = await fetch(l.playerUrl);
      expect(page.status).toBe(200);
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      const html = await page.text();
      expect(html).toContain('Corso completato: crediti riconosciuti.');
      expect(html).toContain('Scarica l’attestato (PDF)');
      // R-ISO-1: the package's files come from the content origin, under the launch's content capability, never from the gateway.
      expect(new URL(t.contentUrl).origin).toBe(h.rt.contentUrl);
      expect(new URL(t.contentUrl).origin).not.toBe(new URL(h.url).origin);
      const content = await fetch(t.contentUrl);
      expect(content.status).toBe(200);
      expect(content.headers.get('content-type')).toMatch(/text\/html/);
      expect(content.headers.get('content-security-policy')).toBe(`frame-ancestors 'self' ${new URL(h.url).origin}`);
      expect(await content.text()).toContain('Test finale');
      const capability = new URL(t.contentUrl).pathname.split('/')[2]!;
      expect((await fetch(`${h.url}/lms/content/${capability}/${new URL(t.contentUrl).pathname.split('/').slice(3).join('/')}`)).status).toBe(404);
    });

    it('cheating: 3 hours of session_time claimed in a 5-minute session count as 5 minutes (R-ELN-3)', async () => {
      const eventId = await course('Corso SCORM: tempo dichiarato');
      const m = members[1]!;
      const l = await enrolAndLaunch(eventId, m);
      const s = await launchSco(l.launchUrl, 'ITEM-1');
      const sent = await scoSession(s.commitUrl, [
        ['cmi.core.session_time', '03:00:00'],
        ['cmi.core.lesson_status', 'completed'],
      ]);
      tick(5 * MIN);
      for (const c of sent) await post(c);
      const o = await progress(eventId, m, (x) => x.creditedSeconds > 0);
      expect(o.creditedSeconds).toBe(300);
      expect(o.explanation.sessions).toEqual([expect.objectContaining({ reportedSeconds: 10_800, observedSeconds: 300, creditedSeconds: 300 })]);
    });

    it('cheating: a completion posted for an SCO never launched does not complete the course (R-ELN-2)', async () => {
      const eventId = await course('Corso SCORM: moduli saltati');
      const m = members[2]!;
      const l = await enrolAndLaunch(eventId, m);
      const only = await launchSco(l.launchUrl, 'ITEM-1');
      tick(MIN);
      // Completions for the other SCOs, sent under module 1's session or with no session at all.
      const forged = only.commitUrl.replace('sco=ITEM-1', 'sco=ITEM-2');
      const noSession = only.commitUrl.replace('sco=ITEM-1', 'sco=ITEM-TEST').replace(/&session=[^&]+/, '');
      for (const url of [forged, noSession]) {
        const sent = await scoSession(url, [
          ['cmi.core.session_time', '00:20:00'],
          ['cmi.core.lesson_status', 'passed'],
        ]);
        for (const c of sent) expect((await post(c)).result).toBe(true); // stored as evidence
      }
      const sent = await scoSession(only.commitUrl, [
        ['cmi.core.session_time', '00:40:00'],
        ['cmi.core.lesson_status', 'completed'],
      ]);
      tick(40 * MIN);
      for (const c of sent) await post(c);
      const o = await progress(eventId, m, (x) => x.explanation.scos[0].completed);
      expect(o).toMatchObject({ status: 'in-progress', reason: 'sco-not-completed', credits: 0 });
      expect(o.explanation.scos.map((s: any) => [s.identifier, s.launched, s.completed])).toEqual([
        ['ITEM-1', true, true],
        ['ITEM-2', false, false],
        ['ITEM-TEST', false, false],
      ]);
      expect(o.explanation.ignored.unlaunched).toBe(6);
      const stored = await h.rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM scorm_commits WHERE enrolment_id = $1', [l.enrolmentId]);
      expect(stored.rows[0]!.n).toBe(9);
    });

    it('cheating: a commit after the validity window is stored but not credited (R-EVT-5)', async () => {
      const eventId = await course('Corso SCORM: fuori validità');
      const m = members[3]!;
      const en = await h.api('POST', `/v1/events/${eventId}/enrolments`, { key: keys.organiser, body: { memberIds: [m.id] } });
      expect(en.status).toBe(200);
      const report = await h.api('GET', `/v1/events/${eventId}/elearning/compliance`, { key: keys.organiser });
      const until = Date.parse(report.body.validity.until);
      const saved = clock;
      try {
        clock = until - 60 * MIN;
        const l = (await h.api('POST', `/v1/events/${eventId}/enrolments/${m.id}/launch`, { key: keys.organiser })).body;
        const sessions = [];
        for (const sco of ['ITEM-1', 'ITEM-2', 'ITEM-TEST']) sessions.push({ sco, launch: await launchSco(l.launchUrl, sco) });
        // Modules 1 and 2 inside the window; the test finished 10 minutes after it closed.
        tick(20 * MIN);
        for (const s of sessions.slice(0, 2)) {
          for (const c of await scoSession(s.launch.commitUrl, [
            ['cmi.core.session_time', '00:20:00'],
            ['cmi.core.lesson_status', 'completed'],
          ]))
            await post(c);
        }
        clock = until + 10 * MIN;
        const late = await scoSession(sessions[2]!.launch.commitUrl, [
          ['cmi.core.score.raw', '95'],
          ['cmi.core.session_time', '00:30:00'],
          ['cmi.core.lesson_status', 'passed'],
        ]);
        for (const c of late) expect((await post(c)).result).toBe(true);
        const o = await progress(eventId, m, (x) => x.explanation.ignored.outsideValidity === 3);
        expect(o).toMatchObject({ status: 'not-credited', reason: 'validity-ended', rule: 'R-EVT-5', credits: 0 });
        expect(o.explanation.missing).toBe('sco-not-completed');
        expect(o.explanation.ignored.outsideValidity).toBe(3);
        const rows = await h.rt.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM scorm_commits c JOIN elearning_enrolments e ON e.id = c.enrolment_id WHERE e.event_id = $1 AND c.received_at > $2`,
          [eventId, new Date(until).toISOString()],
        );
        expect(rows.rows[0]!.n).toBe(3);
        const credit = await h.rt.db.query('SELECT 1 FROM credit_records WHERE event_id = $1', [eventId]);
        expect(credit.rows).toEqual([]);
      } finally {
        clock = saved;
      }
    });

    it('launch: bad token 401, unknown SCO 404; the player page of an expired link says so in Italian', async () => {
      const bad = await fetch(`${h.url}/lms/launch/not-a-token?sco=ITEM-1`, { method: 'POST' });
      expect(bad.status).toBe(401);
      expect(((await bad.json()) as any).code).toBe('invalid-token');
      const eventId = await course('Corso SCORM: link');
      const l = await enrolAndLaunch(eventId, members[0]!);
      const unknown = await fetch(`${l.launchUrl}?sco=NOPE`, { method: 'POST' });
      expect([unknown.status, ((await unknown.json()) as any).code]).toEqual([404, 'unknown-sco']);
      const saved = clock;
      clock += 13 * 3600_000;
      try {
        const page = await fetch(l.playerUrl);
        expect(page.status).toBe(410);
        expect(await page.text()).toContain('Link scaduto');
      } finally {
        clock = saved;
      }
    });
  });
}
