/**
 * Issue 16 in a real browser (Debian's Chromium, headless, playwright-core): a SCORM 1.2 package
 * in the style of golf's "Minimum Run-Time Calls" (test/fixtures/scorm/scorm12-minimal) played
 * through the reference player. The introduction only calls LMSInitialize and LMSFinish: the LMS
 * sets it `completed` at LMSFinish (SCORM 1.2 RTE 3.4.4). The content reads `credit`, `normal`
 * and `ab-initio`. Its own exit button finishes the API once: the player says so, and nothing
 * finishes it a second time. The hidden item is not listed nor required; the test waits for its
 * prerequisite (the introduction) and reports only a raw score, which the LMS turns into `failed`
 * (60 < 80) and, on a retry, `passed` (90). The course is then credited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { BROWSER_BACKEND, haveChromium, launchChromium } from '../support/browser.ts';
import { createCpoOrganiser, createMembers, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { setUpCourse } from '../support/scorm.ts';

const BACKEND = BROWSER_BACKEND;
const MIN = 60_000;

describe.skipIf(!haveChromium)(`SCORM 1.2 conformance in headless Chromium (${BACKEND})`, { timeout: 180_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let context: BrowserContext;
  let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
  let member: CreatedMember;
  let eventId: string;
  let playerUrl: string;
  let enrolmentId: string;
  let clock = Date.parse('2026-03-02T08:00:00Z');
  const now = () => clock;
  const spend = (minutes: number) => (clock += minutes * MIN);

  const outcome = async () => (await h.api('GET', `/v1/events/${eventId}/enrolments/${member.id}`, { key: keys.organiser })).body.outcome;
  const commits = async () =>
    (
      await h.rt.db.query<{ sco_identifier: string; session_id: string; parsed: any }>(
        'SELECT sco_identifier, session_id, parsed FROM scorm_commits WHERE enrolment_id = $1 ORDER BY id',
        [enrolmentId],
      )
    ).rows;
  const statusOf = (c: { parsed: any }) => c.parsed?.cmi?.core?.lesson_status;

  async function openModule(page: Page, title: RegExp) {
    await page.locator('.modules li').filter({ hasText: title }).getByRole('button').click();
    const frame = page.frameLocator('#sco-frame').frameLocator('#sco');
    await expect.poll(() => frame.locator('#status').textContent(), { timeout: 15_000 }).toMatch(/^Stato: /);
    return frame;
  }

  beforeAll(async () => {
    h = await startHarness(BACKEND, { now, env: { SCORM_DERIVE_DELAY_MS: '20' } });
    browser = await launchChromium();
    keys = await createCpoOrganiser(h, 'MI');
    member = (await createMembers(h, keys.cn, ['MI'], 991))[0]!;
    ({ eventId, playerUrl, enrolmentId } = await setUpCourse(h, keys.organiser, {
      fixture: 'scorm12-minimal',
      title: 'Privacy essenziale – corso e-learning',
      startMs: now(),
      memberId: member.id,
      event: { credits: 1 },
      declaration: { nominalMinutes: 20, masteryScore: 80 },
    }));
    context = await browser.newContext({ viewport: { width: 1024, height: 900 }, locale: 'it-IT' });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await h?.close();
  });

  it('minimum calls complete at LMSFinish, the exit button finishes once, hidden items and prerequisites followed, the score judged', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m: ConsoleMessage) => {
      // The browser's own favicon request is no error of the course.
      if ((m.type() === 'error' || /\b(101|113)\b/.test(m.text())) && !m.location().url.endsWith('/favicon.ico'))
        errors.push(`${m.text()} ${m.location().url}`);
    });
    await page.goto(playerUrl);
    // The hidden item is not offered; the test waits for its prerequisite.
    await expect
      .poll(() => page.locator('.modules li').allTextContents())
      .toEqual([expect.stringMatching(/^Introduzione/), expect.stringMatching(/^Verifica .*disponibile dopo «Introduzione»/)]);
    const testButton = page
      .locator('.modules li')
      .filter({ hasText: /^Verifica/ })
      .getByRole('button');
    expect(await testButton.isDisabled()).toBe(true);
    // The server refuses the launch too, whatever the page shows.
    const early = await page.request.post(`${playerUrl.replace('/lms/play/', '/lms/launch/')}?sco=ITEM-TEST`);
    expect(early.status()).toBe(409);
    expect(await early.json()).toMatchObject({ code: 'prerequisites-not-met', waitingFor: ['Introduzione'] });
    const hidden = await page.request.post(`${playerUrl.replace('/lms/play/', '/lms/launch/')}?sco=ITEM-NOTES`);
    expect(hidden.status()).toBe(404);

    // The introduction: credit, normal, a first attempt; it never sets lesson_status.
    let frame = await openModule(page, /^Introduzione/);
    const status = frame.locator('#status');
    expect(await status.textContent()).toBe('Stato: not attempted');
    expect([await status.getAttribute('data-credit'), await status.getAttribute('data-mode'), await status.getAttribute('data-entry')]).toEqual([
      'credit',
      'normal',
      'ab-initio',
    ]);
    spend(12);
    await frame.getByRole('button', { name: 'Esci dal modulo' }).click();
    await expect.poll(() => status.textContent()).toBe('Uscito (true, errore 0)');
    await expect.poll(() => page.locator('#player-status').textContent()).toMatch(/^«Introduzione» terminato/);
    // The LMS set it completed at LMSFinish: the one commit of that session says so.
    const intro = await eventually(async () => {
      const rows = (await commits()).filter((c) => c.sco_identifier === 'ITEM-INTRO');
      return rows.length ? rows : false;
    });
    expect(intro.map(statusOf)).toEqual(['completed']);

    // Once the final commit is stored the player's list offers the test, without a reload.
    await expect.poll(() => testButton.isDisabled(), { timeout: 10_000 }).toBe(false);
    // Opening the test unloads the finished introduction: nothing finishes it again.
    frame = await openModule(page, /^Verifica/);
    expect((await commits()).filter((c) => c.sco_identifier === 'ITEM-INTRO')).toHaveLength(1);

    // 60 < mastery 80: the LMS sets failed.
    await frame.locator('#score').fill('60');
    spend(5);
    await frame.getByRole('button', { name: 'Consegna ed esci' }).click();
    await expect.poll(() => frame.locator('#status').textContent()).toBe('Uscito (true, errore 0)');
    await eventually(async () => (await commits()).some((c) => c.sco_identifier === 'ITEM-TEST' && statusOf(c) === 'failed'));
    const failed = await eventually(async () => {
      const o = await outcome();
      return o?.explanation?.scos?.[1]?.launched ? o : false;
    });
    expect(failed).toMatchObject({ status: 'in-progress', reason: 'sco-not-completed' });

    // The retry resumes (no ab-initio) and scores 90: passed, and the course is credited.
    frame = await openModule(page, /^Verifica/);
    expect(await frame.locator('#status').textContent()).toBe('Stato: failed');
    expect(await frame.locator('#status').getAttribute('data-entry')).toBe('');
    await frame.locator('#score').fill('90');
    spend(5);
    await frame.getByRole('button', { name: 'Consegna ed esci' }).click();
    await eventually(async () => (await commits()).some((c) => c.sco_identifier === 'ITEM-TEST' && statusOf(c) === 'passed'));
    const done = await eventually(async () => {
      const o = await outcome();
      return o?.status === 'credited' ? o : false;
    }, 30_000);
    expect(done.explanation.scos.map((s: any) => [s.identifier, s.completed])).toEqual([
      ['ITEM-INTRO', true],
      ['ITEM-TEST', true],
    ]);
    expect(done.explanation.scos[1].passed).toBe(true);
    // No scorm-again error anywhere (a second Finish would log 101 or 113).
    expect(errors).toEqual([]);
    await page.close();
  });
});
