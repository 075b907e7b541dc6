/**
 * Issue 14, the first journey in a real browser (Debian's Chromium, headless, playwright-core):
 * a CPO officer invited by an admin opens the link, chooses a password (a weak one is refused
 * with an error summary that takes the focus and links to the field), enrols TOTP by the seed
 * under the QR code, keeps the recovery codes, signs out, then signs in with the password and
 * a code. Every page fits a 375 px phone, every field has a label, and the sign-in form is used
 * with the keyboard alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { inviteStaff } from '../../src/services/staff/accounts.ts';
import { BROWSER_BACKEND, checkPhoneLayout, haveChromium, launchChromium } from '../support/browser.ts';
import { totpCode } from '../support/console-client.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const PASSWORD = 'la mia frase per il consiglio';

describe.skipIf(!haveChromium)(`console sign-in in headless Chromium (${BROWSER_BACKEND})`, { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let link: string;
  let seed = '';

  beforeAll(async () => {
    h = await startHarness(BROWSER_BACKEND, { worker: false });
    browser = await launchChromium();
    const invited = await inviteStaff(h.rt.deps, 'operator', {
      email: 'ufficio@cpo-milano.it',
      displayName: 'Giulia Ferri',
      role: 'cpo',
      subject: 'MI',
      origin: h.url,
    });
    link = invited.link;
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('sets a password from the invitation, with an error summary for a weak one', async () => {
    await page.goto(link);
    await checkPhoneLayout(page);
    await expect(page.getByLabel('Password', { exact: true }).count()).resolves.toBe(1);
    await page.getByLabel('Password', { exact: true }).fill('corta');
    await page.getByLabel('Ripeta la password').fill('corta');
    await page.getByRole('button', { name: 'Attiva l’account' }).click();
    const summary = page.locator('#errori');
    await expect(summary.textContent()).resolves.toContain('almeno 12 caratteri');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('errori');
    // The summary links to the field, which says what is wrong and is marked invalid.
    await expect(summary.locator('a[href="#password"]').count()).resolves.toBe(1);
    await expect(page.locator('#password').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Ripeta la password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Attiva l’account' }).click();
    await page.waitForURL(/\/console\/sicurezza\/totp$/);
    await expect(page.locator('h1').textContent()).resolves.toContain('Attiva la verifica in due passaggi');
  });

  it('enrols TOTP with the seed shown under the QR code and shows 10 recovery codes', async () => {
    await checkPhoneLayout(page);
    await expect(page.locator('figure svg').count()).resolves.toBe(1);
    seed = (await page.locator('code').first().textContent())!.replace(/ /g, '');
    await page.getByLabel('Codice mostrato dall’app').fill(await totpCode(seed, Date.now()));
    await page.getByRole('button', { name: 'Conferma' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Codici di recupero');
    await expect(page.locator('ul.codes li').count()).resolves.toBe(10);
    await checkPhoneLayout(page);
    await page.getByRole('link', { name: /Ho salvato i codici/ }).click();
    await expect(page.locator('h1').textContent()).resolves.toContain('Buongiorno, Giulia Ferri');
  });

  it('signs out, then signs in with the keyboard: password, then a fresh code', async () => {
    await page.getByRole('button', { name: 'Esci' }).click();
    await page.waitForURL(/\/console\/accesso\?esito=uscito$/);
    await checkPhoneLayout(page);
    await page.getByLabel('E-mail').focus();
    await page.keyboard.type('ufficio@cpo-milano.it');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/verifica$/, { timeout: 10_000 }).catch(async (e) => {
      throw new Error(`${e}: at ${page.url()}: ${(await page.locator('main').textContent())?.slice(0, 300)}`);
    });
    // A code of the next 30-second step: the enrolment's code was used already (no replay).
    const code = await totpCode(seed, Date.now() + 30_000);
    await page.getByLabel('Codice').fill(code);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console$/);
    await expect(page.locator('nav.console').textContent()).resolves.toContain('Consiglio provinciale di Milano');
    await checkPhoneLayout(page);
  });
});
