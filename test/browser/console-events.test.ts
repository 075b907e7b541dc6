/**
 * Issue 14, the provider's console in a real browser (Debian's Chromium, headless, playwright-core),
 * on a phone: a person of an organiser signs in at /console/accesso with the e-mail and password
 * of their account, creates a webinar with the form (Rome date-time inputs), imports its
 * registrations from a CSV file and reads the row report, and the events list fits 375 px.
 */
import { DateTime } from 'luxon';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_BACKEND, checkPhoneLayout, haveChromium, launchChromium } from '../support/browser.ts';
import { signedInStaff, type StaffPerson } from '../support/console-client.ts';
import { createMembers, type CreatedMember } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';

describe.skipIf(!haveChromium)(`provider's console in headless Chromium (${BROWSER_BACKEND})`, { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let person: StaffPerson;
  let members: CreatedMember[];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    h = await startHarness(BROWSER_BACKEND, { worker: false });
    browser = await launchChromium();
    const cn = await h.key('cn');
    const org = await h.api('POST', '/v1/organisers', { key: cn, body: { kind: 'b', name: 'Fondazione Studi' } });
    expect(org.status, org.text).toBe(201);
    person = await signedInStaff(h, 'organiser', org.body.id, { name: 'Giulia Segreteria' });
    members = await createMembers(h, cn, ['MI'], 900);
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await h?.close();
  });

  async function phone(): Promise<Page> {
    const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    contexts.push(context);
    return context.newPage();
  }

  it('signs in, creates a webinar with the form, imports its registrations, and the events list fits a phone', async () => {
    const page = await phone();
    await page.goto(`${h.url}/console/eventi`);
    expect(new URL(page.url()).pathname).toBe('/console/accesso');
    await page.getByLabel('E-mail').fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Accedi' }).click();
    // The sign-in form carries `?dopo=` on: the person lands on the page they asked for.
    await page.waitForURL(/\/console\/eventi$/);
    await expect(page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Eventi' }).getAttribute('aria-current')).resolves.toBe(
      'page',
    );
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Eventi');

    await page.getByRole('link', { name: 'Nuovo evento' }).click();
    await page.waitForURL(/\/console\/eventi\/nuovo$/);
    const day = DateTime.now().setZone('Europe/Rome').plus({ days: 30 }).toFormat('yyyy-MM-dd');
    await page.locator('#title').fill('Il lavoro agile dopo la riforma');
    await page.locator('#mode').selectOption('webinar');
    await page.locator('#cpoProvince').selectOption('MI');
    await page.locator('#start').fill(`${day}T14:00`);
    await page.locator('#end').fill(`${day}T17:00`);
    await page.locator('#credits').fill('3');
    await page.locator('#toleranceMinutes').fill('15');
    await page.locator('#topic-1-title').fill('Lavoro agile');
    await page.getByRole('button', { name: 'Crea l’evento' }).click();
    await page.waitForURL(/\/console\/eventi\/[0-9a-f-]{36}\?esito=creato$/);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Il lavoro agile dopo la riforma');
    expect(await page.getByRole('status').innerText()).toContain('Evento creato.');
    expect(await page.locator('body').innerText()).toContain('14:00–17:00');

    await page.getByRole('link', { name: 'Iscrizioni' }).click();
    await page.waitForURL(/\/iscrizioni$/);
    const csv = `Codice fiscale;E-mail;ID iscritto piattaforma\n${members[0]!.codiceFiscale};iscritto@studio.example.it;r-1\nRSSMRA85T10A562X;;\n`;
    await page.getByLabel('File delle iscrizioni').setInputFiles({ name: 'iscrizioni.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Importa' }).click();
    await page.waitForLoadState();
    const report = await page.locator('section[aria-labelledby="esito"]').innerText();
    expect(report.replace(/\s+/g, ' ')).toContain('Iscrizioni registrate: 1. Righe scartate: 1.');
    expect(report).toContain('Riga 3: codice fiscale non valido.');
    expect(await page.locator('body').innerText()).toContain('iscritto@studio.example.it');
    await checkPhoneLayout(page);

    await page.goto(`${h.url}/console/eventi`);
    expect(await page.locator('body').innerText()).toContain('Il lavoro agile dopo la riforma');
    expect(await page.locator('td[data-status="upcoming"]').innerText()).toContain('In programma');
    await checkPhoneLayout(page);
  });
});
