/**
 * Issue 16 in a real browser (Debian's Chromium, headless, playwright-core): the cmi5 fixture's
 * lesson AU, a page of the package with a few lines of script, is launched as cmi5 §8 says (its
 * own window, the launch URL on the content origin) and does the launch protocol itself: the
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
    const res = await fetch(`${l.body.cmi5LaunchUrl}?au=${encodeURIComponent(CMI5_AUS.lesson)}`, { method: 'POST' });
    const launch = (await res.json()) as { url: string; session: string };
    expect(res.status).toBe(201);

    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // launchMethod AnyWindow: the gateway may use any window; here the AU's own.
    await page.goto(launch.url);
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 15_000 }).toBe('Lezione avviata (Normal, Completed)');
    await page.getByRole('button', { name: 'Fine lezione' }).click();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 15_000 }).toBe('Lezione completata');
    expect(errors).toEqual([]);

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
