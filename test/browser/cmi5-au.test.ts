/**
 * Issue 16 in a real browser (Debian's Chromium, headless, playwright-core): the cmi5 fixture's
 * lesson AU, a page of the package with a few lines of script, is launched from the cmi5 player
 * (AnyWindow: in the player's frame, the launch URL on the content origin, cmi5 §8) and does the
 * launch protocol itself: the
 * auth token from the fetch URL, LMS.LaunchData from the state API, initialized; then completed
 * and terminated. The LRS is same-origin with the AU; the statements are accepted as cmi5
 * defined and the lesson's moveOn (Completed) is met in the derived outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { BROWSER_BACKEND, haveChromium, launchChromium } from '../support/browser.ts';
import { CMI5_AUS, cmi5FixtureZip } from '../support/cmi5.ts';
import { createCpoOrganiser, createMembers } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { elearningEvent } from '../support/scorm.ts';

describe.skipIf(!haveChromium)(`cmi5 AU in headless Chromium (${BROWSER_BACKEND})`, { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    h = await startHarness(BROWSER_BACKEND, { env: { SCORM_DERIVE_DELAY_MS: '20' } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('the AU fetches its token, reads LMS.LaunchData, and its statements are accepted; the lesson is completed', async () => {
    const keys = await createCpoOrganiser(h, 'MI');
    const member = (await createMembers(h, keys.cn, ['MI'], 1690))[0]!;
    const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: elearningEvent(Date.now(), 'Corso cmi5 nel browser') });
    const eventId = ev.body.id as string;
    expect(
      (
        await h.api('POST', `/v1/events/${eventId}/scorm-package`, {
          key: keys.organiser,
          raw: cmi5FixtureZip(),
          headers: { 'content-type': 'application/zip' },
        })
      ).status,
    ).toBe(201);
    expect((await h.api('POST', `/v1/events/${eventId}/enrolments`, { key: keys.organiser, body: { memberIds: [member.id] } })).status).toBe(200);
    const l = await h.api('POST', `/v1/events/${eventId}/enrolments/${member.id}/launch`, { key: keys.organiser });
    // The member's link opens the cmi5 player (the SCORM player's address sends there too).
    expect(l.body.playerUrl).toContain('/lms/cmi5/play/');
    const redirect = await fetch(l.body.playerUrl.replace('/lms/cmi5/play/', '/lms/play/'), { redirect: 'manual' });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe(l.body.playerUrl);

    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(l.body.playerUrl);
    await page.locator('.modules li').filter({ hasText: 'Lezione 1' }).getByRole('button').click();
    // launchMethod AnyWindow: the AU plays in the player's frame, on the content origin (R-ISO-1).
    const au = page.frameLocator('#sco-frame');
    await expect.poll(() => au.locator('#status').textContent(), { timeout: 15_000 }).toBe('Lezione avviata (Normal, Completed)');
    const src = await page.locator('#sco-frame').getAttribute('src');
    expect(new URL(src!).origin).toBe(h.rt.contentUrl);
    await au.getByRole('button', { name: 'Fine lezione' }).click();
    await expect.poll(() => au.locator('#status').textContent(), { timeout: 15_000 }).toBe('Lezione completata');
    expect(errors).toEqual([]);
    const launch = {
      session: (
        await h.rt.db.query<{ session_id: string }>('SELECT session_id FROM cmi5_sessions WHERE enrolment_id = $1 AND au_id = $2', [
          l.body.enrolmentId,
          CMI5_AUS.lesson,
        ])
      ).rows[0]!.session_id,
    };

    const rows = await h.rt.db.query<{ verb: string; kind: string; accepted: boolean; user_agent: string | null }>(
      `SELECT verb, kind, accepted, user_agent FROM cmi5_statements WHERE session_id = $1 AND origin = 'au' ORDER BY id`,
      [launch.session],
    );
    expect(rows.rows.map((r) => [r.verb.split('/').at(-1), r.kind, r.accepted])).toEqual([
      ['initialized', 'defined', true],
      ['completed', 'defined', true],
      ['terminated', 'defined', true],
    ]);
    expect(rows.rows[0]!.user_agent).toMatch(/Chrome/);
    const outcome = await eventually(async () => {
      const o = (await h.api('GET', `/v1/events/${eventId}/enrolments/${member.id}`, { key: keys.organiser })).body.outcome;
      return o?.explanation.scos.find((s: any) => s.identifier === CMI5_AUS.lesson)?.completed ? o : null;
    }, 20_000);
    expect(outcome.explanation.scos.find((s: any) => s.identifier === CMI5_AUS.test)).toMatchObject({ completed: false });
  });
});
