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
  it('a kind-e provider creates a webinar with its 30 questions from a spreadsheet: a bad file is refused by line, a good one requests accreditation (R-QST-1, R-QST-3)', async () => {
    const cn = await h.key('cn');
    const today = DateTime.now().setZone('Europe/Rome');
    const org = await h.api('POST', '/v1/organisers', {
      key: cn,
      body: {
        kind: 'e',
        name: 'Formazione Lavoro Srl',
        authorisationNumber: 'CN-2026-011',
        authorisedFrom: today.minus({ years: 1 }).toISODate(),
        authorisedUntil: today.plus({ years: 1 }).toISODate(),
        allowedModes: ['webinar'],
      },
    });
    expect(org.status, org.text).toBe(201);
    const provider = await signedInStaff(h, 'organiser', org.body.id, { name: 'Marco Segreteria' });
    const page = await phone();
    await page.goto(`${h.url}/console/accesso`);
    await page.getByLabel('E-mail').fill(provider.email);
    await page.getByLabel('Password', { exact: true }).fill(provider.password);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForURL(/\/console$/);
    await page.goto(`${h.url}/console/eventi/nuovo`);
    const day = today.plus({ days: 40 }).toFormat('yyyy-MM-dd');
    const fill = async () => {
      await page.locator('#title').fill('Politiche attive: le novità');
      await page.locator('#mode').selectOption('webinar');
      await page.locator('#cpoProvince').selectOption('MI');
      await page.locator('#start').fill(`${day}T15:00`);
      await page.locator('#end').fill(`${day}T17:00`);
      await page.locator('#credits').fill('2');
      await page.locator('#toleranceMinutes').fill('15');
      await page.locator('#topic-1-title').fill('Politiche attive');
    };
    const header = 'Domanda;Risposta 1;Risposta 2;Risposta 3;Risposta 4;Risposta 5;Risposta 6;Risposta corretta';
    const row = (i: number, correct: number) =>
      `Domanda numero ${i} sulle politiche attive?;Prima risposta ${i};Seconda risposta ${i};Terza risposta ${i};;;;${correct}`;
    // Question 4 names a right answer it does not have: refused, with its line in the file.
    const bad = [header, ...Array.from({ length: 30 }, (_, k) => row(k + 1, k === 3 ? 5 : 1 + (k % 3)))].join('\n');
    await fill();
    await page.getByLabel('Importa le domande da un file (.xlsx o CSV)').setInputFiles({ name: 'domande.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: 'Crea l’evento e chiedi l’accreditamento' }).click();
    await page.waitForLoadState();
    expect(await page.locator('#errori').innerText()).toContain('riga 5');
    const good = [header, ...Array.from({ length: 30 }, (_, k) => row(k + 1, 1 + (k % 3)))].join('\n');
    await fill();
    await page
      .getByLabel('Importa le domande da un file (.xlsx o CSV)')
      .setInputFiles({ name: 'domande.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.getByRole('button', { name: 'Crea l’evento e chiedi l’accreditamento' }).click();
    await page.waitForURL(/\/console\/eventi\/[0-9a-f-]{36}\?esito=creato-richiesta$/);
    expect(await page.locator('body').innerText()).toContain('Domande del questionario');
    const id = /eventi\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const pool = await h.api('GET', `/v1/events/${id}/questionnaire/pool`, { key: cn });
    expect(pool.body.questions).toHaveLength(30);
    await checkPhoneLayout(page);
  });
});
