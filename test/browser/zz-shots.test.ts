import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { BROWSER_BACKEND, launchChromium } from '../support/browser.ts';
import { signedInStaff } from '../support/console-client.ts';
import { cmi5FixtureZip } from '../support/cmi5.ts';
import { createCpoOrganiser, createMembers } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { elearningEvent, setUpCourse } from '../support/scorm.ts';

describe('shots', { timeout: 240_000 }, () => {
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
  const both = async (name: string, go: (p: Page) => Promise<void>) => {
    for (const width of [1280, 390]) {
      const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'it-IT' });
      const p = await ctx.newPage();
      await go(p);
      await p.screenshot({ path: `/tmp/shots/${name}-${width}.png`, fullPage: true });
      await ctx.close();
    }
  };
  const html = (base: string, s: string) => async (p: Page) => {
    await p.setContent(s.replace('<head>', `<head><base href="${base}/">`));
  };
  it('takes them', async () => {
    const keys = await createCpoOrganiser(h, 'MI');
    const [m, m2] = await createMembers(h, keys.cn, ['MI', 'MI'], 1700);
    const c = await setUpCourse(h, keys.organiser, { fixture: 'scorm12-minimal', title: 'Privacy essenziale', startMs: Date.now(), memberId: m!.id });
    const officer = await signedInStaff(h, 'cpo', 'MI', { name: 'Paola Verdi' });
    const go = await officer.client.post(`/console/eventi/${c.eventId}/corso/revisione`);
    // Member player: the test waits for its prerequisite; then after clicking a locked one via the server.
    await both('member-player', async (p) => {
      await p.goto(c.playerUrl);
    });
    await both('member-intro-done', async (p) => {
      await p.goto(c.playerUrl);
      await p
        .locator('.modules li')
        .filter({ hasText: /^Introduzione/ })
        .getByRole('button')
        .click();
      const f = p.frameLocator('#sco-frame').frameLocator('#sco');
      await f.locator('#exit').click();
      await p.waitForTimeout(2500);
    });
    await both('review-player', async (p) => {
      await p.goto(go.location!);
      await p
        .locator('.modules li')
        .filter({ hasText: /^Verifica/ })
        .getByRole('button')
        .click();
      await p.waitForTimeout(1500);
    });
    await both('review-expired', async (p) => {
      await p.goto(`${h.url}/lms/review/not-a-token`);
    });
    await both('course-cpo', html(h.url, (await officer.client.get(`/console/eventi/${c.eventId}/corso`)).html));
    const org = await signedInStaff(h, 'organiser', keys.organiserId, { name: 'Segreteria Ente' });
    await both('course-organiser', html(h.url, (await org.client.get(`/console/eventi/${c.eventId}/corso`)).html));
    // cmi5 course: its player, and the council's course page (no review button).
    const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: elearningEvent(Date.now(), 'Corso cmi5') });
    const id = ev.body.id as string;
    await h.api('POST', `/v1/events/${id}/scorm-package`, { key: keys.organiser, raw: cmi5FixtureZip(), headers: { 'content-type': 'application/zip' } });
    await h.api('POST', `/v1/events/${id}/enrolments`, { key: keys.organiser, body: { memberIds: [m2!.id] } });
    const l = await h.api('POST', `/v1/events/${id}/enrolments/${m2!.id}/launch`, { key: keys.organiser });
    await both('cmi5-player', async (p) => {
      await p.goto(l.body.playerUrl);
    });
    await both('course-cmi5-cpo', html(h.url, (await officer.client.get(`/console/eventi/${id}/corso`)).html));
    // The refusal when a review is asked for a cmi5 course anyway (an old page, a second tab).
    await both('course-cmi5-refused', html(h.url, (await officer.client.post(`/console/eventi/${id}/corso/revisione`)).html));
  });
});
