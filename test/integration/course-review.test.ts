/**
 * Issue 16, the accrediting council's review of an e-learning course through HTTP: the CPO (a key,
 * or a person in the console) opens the course's package in the reference player; every module
 * runs `no-credit` in `browse` mode, prerequisites not applied; its commits are counted and never
 * kept nor derived; the review's links open nothing of a member's; the reviews are listed, with who
 * opened them, in the API and on the console's course page. Organisers and platforms cannot open one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { signedInStaff, textOf } from '../support/console-client.ts';
import { createCpoOrganiser, createMembers, type CreatedMember } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { setUpCourse } from '../support/scorm.ts';

for (const backend of backendsOf(import.meta.url)) {
  describe(`course review by the council on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let member: CreatedMember;
    let eventId: string;
    let memberLaunch: { eventId: string; launchUrl: string; playerUrl: string; enrolmentId: string };
    const commitRows = async () => Number((await h.rt.db.query<{ n: string }>('SELECT count(*) AS n FROM scorm_commits')).rows[0]!.n);

    beforeAll(async () => {
      h = await startHarness(backend);
      keys = await createCpoOrganiser(h, 'MI');
      member = (await createMembers(h, keys.cn, ['MI'], 1620))[0]!;
      memberLaunch = await setUpCourse(h, keys.organiser, {
        fixture: 'scorm12-minimal',
        title: 'Corso in revisione',
        startMs: Date.now(),
        memberId: member.id,
      });
      eventId = memberLaunch.eventId;
    });
    afterAll(async () => h?.close());

    it('only the accrediting CPO, the CN or an admin opens a review', async () => {
      expect((await h.api('POST', `/v1/events/${eventId}/elearning/reviews`, { key: keys.organiser })).status).toBe(403);
      const other = await createCpoOrganiser(h, 'RM');
      const elsewhere = await h.api('POST', `/v1/events/${eventId}/elearning/reviews`, { key: other.cpo });
      expect(elsewhere.status).toBe(404);
      expect(elsewhere.body.code).toBe('event-not-found');
      expect((await h.api('POST', `/v1/events/${eventId}/elearning/reviews`, { key: keys.cn })).status).toBe(201);
    });

    it('every module in browse mode and no-credit, prerequisites not applied, commits counted and never kept', async () => {
      const opened = await h.api('POST', `/v1/events/${eventId}/elearning/reviews`, { key: keys.cpo });
      expect(opened.status, opened.text).toBe(201);
      const playerUrl: string = opened.body.playerUrl;
      expect(new URL(playerUrl).pathname).toMatch(/^\/lms\/review\//);
      const page = await fetch(playerUrl);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(textOf(html)).toContain('Accesso di revisione');
      // The hidden item is not offered; the test is not held back by its prerequisite.
      expect(html).not.toContain('ITEM-NOTES');
      expect(html).not.toMatch(/data-sco="ITEM-TEST"[^>]*disabled/);
      expect(html).not.toContain('disponibile dopo');

      const before = await commitRows();
      const res = await fetch(`${playerUrl}/launch?sco=ITEM-TEST`, { method: 'POST' });
      expect(res.status).toBe(201);
      const launch = (await res.json()) as { runnerUrl: string; contentUrl: string; cmi: any; commitUrl?: string };
      expect(launch.cmi.core).toMatchObject({ credit: 'no-credit', lesson_mode: 'browse', entry: 'ab-initio' });
      expect(launch.cmi.student_data).toEqual({ mastery_score: '80' });
      expect(launch.commitUrl).toBeUndefined();
      expect(new URL(launch.runnerUrl).origin).toBe(h.rt.contentUrl);
      expect((await fetch(launch.runnerUrl)).status).toBe(200);
      const file = await fetch(launch.contentUrl);
      expect(file.status).toBe(200);
      expect(await file.text()).toContain('Consegna ed esci');

      const capability = launch.runnerUrl.split('/run/')[1]!;
      const commit = await fetch(`${h.rt.contentUrl}/commit/${capability}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        body: JSON.stringify({ cmi: { core: { lesson_status: 'browsed', score: { raw: '90' } } } }),
      });
      expect(commit.status).toBe(200);
      expect(await commit.json()).toMatchObject({ result: true, errorCode: 0, review: true });
      expect(await commitRows()).toBe(before);

      // The review's links open nothing of a member's, and a member's open nothing of the review's.
      const reviewToken = new URL(playerUrl).pathname.split('/')[3]!;
      expect((await fetch(`${h.url}/lms/play/${reviewToken}`)).status).toBe(404);
      expect((await fetch(`${h.url}/lms/launch/${reviewToken}?sco=ITEM-INTRO`, { method: 'POST' })).status).toBe(401);
      expect((await fetch(`${h.url}/lms/attestation/${reviewToken}`)).status).not.toBe(200);
      const memberToken = new URL(memberLaunch.playerUrl).pathname.split('/')[3]!;
      const notReview = await fetch(`${h.url}/lms/review/${memberToken}`);
      expect(notReview.status).toBe(404);
      // The page speaks to the council officer: a new review comes from the console.
      expect(textOf(await notReview.text())).toContain('Apra una nuova revisione dalla pagina «Corso e-learning» dell’evento nella console');
      expect((await fetch(`${h.url}/lms/review/${memberToken}/launch?sco=ITEM-INTRO`, { method: 'POST' })).status).toBe(401);
      // A member's launch of the same module keeps credit and normal mode, and its prerequisite.
      const held = await fetch(`${memberLaunch.launchUrl}?sco=ITEM-TEST`, { method: 'POST' });
      expect(held.status).toBe(409);
      const intro = await fetch(`${memberLaunch.launchUrl}?sco=ITEM-INTRO`, { method: 'POST' });
      expect(((await intro.json()) as { cmi: any }).cmi.core).toMatchObject({ credit: 'credit', lesson_mode: 'normal', entry: 'ab-initio' });

      // Listed as the course's reviews, the organiser sees them too.
      const list = await h.api('GET', `/v1/events/${eventId}/elearning/reviews`, { key: keys.organiser });
      expect(list.status, list.text).toBe(200);
      const mine = list.body.items.find((r: any) => r.id === opened.body.reviewId);
      expect(mine).toMatchObject({ openedBy: expect.stringMatching(/^cpo:/), reviewer: 'Revisione CPO MI' });
      expect(mine.launches).toEqual([{ sco: 'ITEM-TEST', launchedAt: expect.any(String), commits: 1, lastCommitAt: expect.any(String) }]);
    });

    it('a CPO officer opens it from the console: the review player, then the course page lists it by name', async () => {
      const officer = await signedInStaff(h, 'cpo', 'MI', { name: 'Paola Verdi' });
      const course = await officer.client.get(`/console/eventi/${eventId}/corso`);
      expect(course.status).toBe(200);
      expect(textOf(course.html)).toContain('Apri il corso in revisione');
      const go = await officer.client.post(`/console/eventi/${eventId}/corso/revisione`);
      expect(go.status).toBe(303);
      expect(go.location).toMatch(/\/lms\/review\//);
      const player = await fetch(go.location!);
      expect(textOf(await player.text())).toContain('Accesso di revisione per Paola Verdi');
      const after = textOf((await officer.client.get(`/console/eventi/${eventId}/corso`)).html);
      expect(after).toContain('Revisioni svolte');
      expect(after).toContain('Paola Verdi');
      // The organiser sees the reviews but cannot open one.
      const organiser = await signedInStaff(h, 'organiser', keys.organiserId);
      const theirs = await organiser.client.get(`/console/eventi/${eventId}/corso`);
      expect(textOf(theirs.html)).toContain('Paola Verdi');
      expect(textOf(theirs.html)).not.toContain('Apri il corso in revisione');
      expect((await organiser.client.post(`/console/eventi/${eventId}/corso/revisione`)).status).toBe(403);
    });
  });
}
