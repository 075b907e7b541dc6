/**
 * Issue 16, content isolation in a real browser (R-ISO-1 … R-ISO-4): a member opens a course whose
 * first module is deliberately hostile (test/fixtures/scorm-hostile/sco1.html), in a browser where
 * a provider's secretary is signed in to the console. The package cannot read the player's page,
 * finds no token but its own content capability, which opens nothing on the gateway (attestation,
 * commit, launch, player, dashboard), cannot use the secretary's session, and cannot frame the
 * gateway's pages; nothing it sent was stored. The next module, an ordinary one, still plays and
 * commits through the runner.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_BACKEND, haveChromium, launchChromium } from '../support/browser.ts';
import { signedInStaff } from '../support/console-client.ts';
import { createCpoOrganiser, createMembers } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { elearningEvent, fixtureDeclaration, SCORM_FIXTURES_DIR, scormFixtureZip } from '../support/scorm.ts';

const HOSTILE = fs.readFileSync(path.join(SCORM_FIXTURES_DIR, '..', 'scorm-hostile', 'sco1.html'));

describe.skipIf(!haveChromium)(`a hostile SCORM package in headless Chromium (${BROWSER_BACKEND})`, { timeout: 180_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let context: BrowserContext;
  let playerUrl: string;
  let enrolmentId: string;
  let secretary: Awaited<ReturnType<typeof signedInStaff>>;

  const commits = async () =>
    (
      await h.rt.db.query<{ sco_identifier: string; parsed: any }>('SELECT sco_identifier, parsed FROM scorm_commits WHERE enrolment_id = $1 ORDER BY id', [
        enrolmentId,
      ])
    ).rows;

  beforeAll(async () => {
    h = await startHarness(BROWSER_BACKEND, { env: { SCORM_DERIVE_DELAY_MS: '20' } });
    browser = await launchChromium();
    const keys = await createCpoOrganiser(h, 'MI');
    const member = (await createMembers(h, keys.cn, ['MI'], 1620))[0]!;
    const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: elearningEvent(Date.now(), 'Corso con un modulo ostile') });
    expect(ev.status, ev.text).toBe(201);
    const up = await h.api('POST', `/v1/events/${ev.body.id}/scorm-package`, {
      key: keys.organiser,
      raw: scormFixtureZip('scorm12', (files) => files.set('sco1.html', HOSTILE)),
      headers: { 'content-type': 'application/zip' },
    });
    expect(up.status, up.text).toBe(201);
    expect((await h.api('PUT', `/v1/events/${ev.body.id}/elearning`, { key: keys.organiser, body: fixtureDeclaration('scorm12') })).status).toBe(200);
    expect((await h.api('POST', `/v1/events/${ev.body.id}/enrolments`, { key: keys.organiser, body: { memberIds: [member.id] } })).status).toBe(200);
    const launch = await h.api('POST', `/v1/events/${ev.body.id}/enrolments/${member.id}/launch`, { key: keys.organiser });
    expect(launch.status, launch.text).toBe(200);
    playerUrl = launch.body.playerUrl;
    enrolmentId = launch.body.enrolmentId;
    // The secretary's console session lives in the same browser.
    secretary = await signedInStaff(h, 'organiser', keys.organiserId);
    context = await browser.newContext({ locale: 'it-IT' });
    const host = new URL(h.url).hostname;
    for (const name of ['cdl_console', '__Host-cdl_console']) {
      const value = secretary.client.cookie(name);
      if (value) await context.addCookies([{ name, value, domain: host, path: '/', httpOnly: true, sameSite: 'Lax' }]);
    }
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await h?.close();
  });

  it('gets nothing of the gateway, while an ordinary module still plays', async () => {
    const page = await context.newPage();
    // The signed-in session works in this browser.
    await page.goto(`${h.url}/console`);
    expect(new URL(page.url()).pathname).toBe('/console');

    await page.goto(playerUrl);
    await page
      .locator('.modules li')
      .filter({ hasText: /Modulo 1/ })
      .getByRole('button')
      .click();
    const sco = page.frameLocator('#sco-frame').frameLocator('#sco');
    await expect.poll(() => sco.locator('#report').textContent(), { timeout: 20_000 }).toMatch(/^\{/);
    const r = JSON.parse((await sco.locator('#report').textContent())!);

    // The player's page is another origin.
    expect(r.top).toMatch(/^blocked:SecurityError/);
    expect(r.topDocument).toMatch(/^blocked:SecurityError/);
    expect(r.gateway).toBe(new URL(h.url).origin);
    // The only token within reach is the launch's content capability, never the launch token.
    const launchToken = playerUrl.split('/lms/play/')[1]!;
    expect(r.tokens.length).toBeGreaterThan(0);
    expect(r.tokens).not.toContain(launchToken);
    for (const t of r.tokens) expect((await h.rt.deps.links.verify('scorm', t, Date.now())).ok).toBe(false);
    // Which opens nothing on the gateway: refused (401/404) or unreadable across origins.
    for (const [name, status] of Object.entries(r.fetches as Record<string, number | string>)) {
      if (name.startsWith('commit-') || name.startsWith('launch-')) expect(status, name).toBe(401);
      else expect(status === 404 || status === 0 || String(status).startsWith('error:'), `${name}: ${status}`).toBe(true);
    }
    expect(r.fetches.console).toMatch(/^error:/);
    // Nothing it sent was stored, and the secretary is still signed in.
    expect((await commits()).filter((c) => c.parsed?.core?.lesson_status === 'passed')).toEqual([]);
    expect((await secretary.client.get('/console')).status).toBe(200);
    // No gateway page rendered in its frames (each was refused by frame-ancestors).
    await expect.poll(() => page.frames().filter((f) => f.name().startsWith('probe')).length, { timeout: 10_000 }).toBe(3);
    for (const f of page.frames().filter((x) => x.name().startsWith('probe'))) expect(f.url().startsWith(new URL(h.url).origin), f.url()).toBe(false);

    // An ordinary module plays through the runner and commits.
    await page
      .locator('.modules li')
      .filter({ hasText: /Modulo 2/ })
      .getByRole('button')
      .click();
    await expect.poll(() => page.frameLocator('#sco-frame').frameLocator('#sco').locator('h1').textContent(), { timeout: 20_000 }).toContain('Modulo 2');
    await eventually(async () => (await commits()).some((c) => c.sco_identifier === 'ITEM-2'));
  });
});
