/**
 * Issue 14, passkeys (R-ACC-2) in a real browser: Chromium's virtual authenticator (CDP
 * `WebAuthn`) plays the person's device. A CPO officer enrols a passkey instead of a TOTP app
 * when the role requires a second factor; a provider's secretary adds one from Sicurezza, and
 * the next sign-in asks for it at the second step. The page is reached as `localhost` (a
 * passkey's relying party is a host name, never an IP address).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { inviteStaff } from '../../src/services/staff/accounts.ts';
import { BROWSER_BACKEND, haveChromium, launchChromium } from '../support/browser.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const PASSWORD = 'una frase lunga per la passkey';

describe.skipIf(!haveChromium)(`console passkeys in headless Chromium (${BROWSER_BACKEND})`, { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let base: string;

  /** A browser context with a virtual authenticator that says yes (presence and verification). */
  async function device(): Promise<{ context: BrowserContext; page: Page; credentials: () => Promise<number> }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    return { context, page, credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials.length };
  }

  async function invitedLink(email: string, role: 'cpo' | 'organiser', subject: string) {
    const r = await inviteStaff(h.rt.deps, 'operator', { email, displayName: `Persona ${role}`, role, subject, origin: base });
    return r.link;
  }

  beforeAll(async () => {
    h = await startHarness(BROWSER_BACKEND, { worker: false });
    base = h.url.replace('127.0.0.1', 'localhost');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('a CPO officer enrols a passkey instead of a TOTP app', async () => {
    const { page, credentials } = await device();
    await page.goto(await invitedLink('ufficio.formazione@cpo.it', 'cpo', 'MI'));
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Ripeta la password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Attiva l’account' }).click();
    await page.waitForURL(/\/console\/sicurezza\/totp$/, { timeout: 10_000 }).catch(async (e) => {
      throw new Error(`${e}: at ${page.url()}: ${(await page.locator('main').textContent())?.slice(0, 300)}`);
    });
    await page.getByText('Preferisce una passkey').click();
    await page.getByLabel('Nome della passkey').fill('Portatile dell’ufficio');
    await page.getByRole('button', { name: 'Usa una passkey' }).click();
    await page.waitForURL(/\/console\?esito=passkey-aggiunta$/, { timeout: 10_000 }).catch(async (e) => {
      throw new Error(`${e}: ${await page.locator('#passkey-stato').textContent()}`);
    });
    await expect(page.locator('h1').textContent()).resolves.toContain('Buongiorno');
    expect(await credentials()).toBe(1);
    const { rows } = await h.rt.db.query<{ label: string }>(
      "SELECT p.label FROM staff_passkeys p JOIN staff_users u ON u.id = p.user_id WHERE u.email = 'ufficio.formazione@cpo.it'",
    );
    expect(rows.map((r) => r.label)).toEqual(['Portatile dell’ufficio']);
  });

  it('a secretary adds a passkey from Sicurezza; the next sign-in asks for it and it opens the console', async () => {
    const orgs = await h.api('POST', '/v1/organisers', { key: await h.key('cn'), body: { kind: 'b', name: 'Fondazione Studi' } });
    const { page } = await device();
    await page.goto(await invitedLink('segreteria@fondazione.it', 'organiser', orgs.body.id));
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Ripeta la password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Attiva l’account' }).click();
    await page.waitForURL(/\/console\?esito=attivato$|\/console$/);
    await page.goto(`${base}/console/sicurezza`);
    await page.getByLabel('Nome della passkey').fill('Telefono');
    await page.getByRole('button', { name: 'Aggiungi una passkey' }).click();
    await page.waitForURL(/\/console\/sicurezza\?esito=passkey-aggiunta$/);
    await expect(page.locator('#passkey').locator('..').textContent()).resolves.toContain('Telefono');

    await page.getByRole('button', { name: 'Esci', exact: true }).click();
    await page.getByLabel('E-mail').fill('segreteria@fondazione.it');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForURL(/\/console\/verifica$/);
    await page.getByRole('button', { name: 'Usa una passkey' }).click();
    await page.waitForURL(/\/console$/);
    const audit = await h.rt.db.query<{ event: string; detail: { what?: string } }>(
      "SELECT a.event, a.detail FROM staff_audit a JOIN staff_users u ON u.id = a.user_id WHERE u.email = 'segreteria@fondazione.it' ORDER BY a.id DESC LIMIT 1",
    );
    expect(audit.rows[0]).toMatchObject({ event: 'second-factor-passed', detail: { what: 'passkey' } });
  });
});
