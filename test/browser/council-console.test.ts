/**
 * Issue 15, the council's console in a real browser (first part): a CPO officer signs in with
 * password and TOTP, decides an accreditation request in the page and raises a webinar's
 * tolerance after it, on a phone-width screen.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { BROWSER_BACKEND, checkPhoneLayout, haveChromium, launchChromium } from '../support/browser.ts';
import { signedInStaff, totpCode } from '../support/console-client.ts';
import { createCpoOrganiser, createKindEOrganiser, kindEWebinar, pastWebinar, questionPool, romeAfternoon } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';

describe.skipIf(!haveChromium)(`council's console in headless Chromium (${BROWSER_BACKEND})`, { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    h = await startHarness(BROWSER_BACKEND, { worker: false });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('signs in with TOTP, decides an accreditation and raises a tolerance', async () => {
    const today = DateTime.now().setZone('Europe/Rome');
    const kindE = await createKindEOrganiser(h, 'MI', { from: today.minus({ years: 1 }).toISODate()!, until: today.plus({ years: 1 }).toISODate()! });
    const start = Date.now() + 30 * 86_400_000;
    const requested = await h.api('POST', '/v1/events', {
      key: kindE.organiser,
      body: { ...kindEWebinar(start, start + 7_200_000), questions: questionPool(30) },
    });
    expect(requested.status, requested.text).toBe(201);
    const cpoOrg = await createCpoOrganiser(h, 'MI');
    const past = await h.api('POST', '/v1/events', { key: cpoOrg.organiser, body: pastWebinar(romeAfternoon(2), 2) });
    expect(past.status, past.text).toBe(201);
    const officer = await signedInStaff(h, 'cpo', 'MI', { name: 'Giulia Ferri' });

    const page = await (await browser.newContext({ viewport: { width: 375, height: 800 } })).newPage();
    await page.goto(`${h.url}/console/accreditamenti`);
    await page.getByLabel('E-mail').fill(officer.email);
    await page.getByLabel('Password', { exact: true }).fill(officer.password);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForURL(/\/console\/verifica$/);
    await page.getByLabel('Codice').fill(await totpCode(officer.seed!, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Verifica' }).click();
    await page.waitForURL(/\/console$/);
    // The province's events, with the requests waiting for a decision above them.
    await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Eventi' }).click();
    await page.waitForURL(/\/console\/eventi$/);
    await page.getByRole('link', { name: /Richieste di accreditamento da decidere: 1/ }).click();
    await page.waitForURL(/\/console\/accreditamenti$/);
    await checkPhoneLayout(page);
    expect(await page.locator('main').innerText()).toContain('mancano 10 giorni');
    await page.getByLabel('Accreditare', { exact: true }).check();
    await page.getByLabel('Riferimento della delibera').fill('Delibera 21/2026');
    await page.getByRole('button', { name: 'Registra la decisione' }).click();
    await page.waitForURL(/esito=deciso$/);
    expect(await page.getByRole('status').innerText()).toContain('Decisione registrata');
    expect((await h.api('GET', `/v1/events/${requested.body.id}`, { key: kindE.organiser })).body.accreditation.status).toBe('approved');

    await page.goto(`${h.url}/console/eventi/${past.body.id}/presenze`);
    await page.getByLabel('Nuova tolleranza (minuti, fino a 60)').fill('45');
    await page.getByLabel('Motivo').fill('Interruzione della piattaforma');
    await page.getByRole('button', { name: 'Cambia la tolleranza e ricalcola gli esiti' }).click();
    await page.waitForURL(/esito=tolleranza$/);
    expect(await page.locator('main').innerText()).toContain('Tolleranza attuale: 45 minuti');
    await checkPhoneLayout(page);
  });
});
