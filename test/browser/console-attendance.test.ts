/**
 * Issue 14 in a real browser (Debian's Chromium, headless, playwright-core): an organiser signs
 * in at /console/accesso, opens an event whose outcomes came from a platform's ingest and reads
 * them in Italian, on a phone without horizontal scrolling of the page; downloads the workbook;
 * uploads a filled file with one bad row (sent by the console's script with progress) and sees
 * the row reported with its line; then uploads a SCORM package on a course page and sees the
 * compliance report.
 */
import { readFile } from 'node:fs/promises';
import { DateTime } from 'luxon';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_BACKEND, haveChromium, launchChromium } from '../support/browser.ts';
import { signedInStaff, type StaffPerson } from '../support/console-client.ts';
import { createCpoOrganiser, createMembers, pastWebinar, romeAfternoon, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { elearningEvent, scormFixtureZip } from '../support/scorm.ts';
import { parseWorkbook, sheetCells } from '../support/xlsx.ts';

const MIN = 60_000;

describe.skipIf(!haveChromium)(`the provider's console for attendance in headless Chromium (${BROWSER_BACKEND})`, { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
  let members: CreatedMember[];
  let person: StaffPerson;
  let eventId: string;
  let courseId: string;
  const start = romeAfternoon(2);
  const rome = (minutes: number) => DateTime.fromMillis(start + minutes * MIN, { zone: 'Europe/Rome' });

  beforeAll(async () => {
    h = await startHarness(BROWSER_BACKEND);
    browser = await launchChromium();
    keys = await createCpoOrganiser(h, 'MI');
    members = await createMembers(h, keys.cn, Array(3).fill('MI'), 900);
    const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(start, 3, { title: 'Webinar sulle paghe' }) });
    expect(ev.status, ev.text).toBe(201);
    eventId = ev.body.id;
    const reg = await h.api('POST', `/v1/events/${eventId}/registrations`, {
      key: keys.organiser,
      body: { registrations: members.map((m) => ({ memberId: m.id, email: m.email })) },
    });
    expect(reg.body.registered, reg.text).toBe(3);
    const at = (m: number) => new Date(start + m * MIN).toISOString();
    const p0 = { email: members[0]!.email, connectionId: 'c0' };
    const res = await h.api('POST', `/v1/ingest/webinar/${eventId}`, {
      key: keys.platform,
      body: {
        records: [
          { id: 'j0', type: 'join', at: at(0), participant: p0 },
          { id: 'l0', type: 'leave', at: at(180), participant: p0 },
          { id: 'j1', type: 'join', at: at(50), participant: { email: members[1]!.email, connectionId: 'c1' } },
          { id: 'l1', type: 'leave', at: at(180), participant: { email: members[1]!.email, connectionId: 'c1' } },
        ],
      },
    });
    expect(res.status, res.text).toBe(202);
    await eventually(async () => {
      const o = await h.api('GET', `/v1/events/${eventId}/outcomes`, { key: keys.organiser });
      return (o.body?.outcomes as any[] | undefined)?.some((x) => x.status === 'credited');
    });
    const course = await h.api('POST', '/v1/events', { key: keys.organiser, body: elearningEvent(Date.now() - 3600_000, 'Sicurezza in azienda') });
    expect(course.status, course.text).toBe(201);
    courseId = course.body.id;
    // The account (invited, password chosen from the link); the browser then signs in for real.
    person = await signedInStaff(h, 'organiser', keys.organiserId, { name: 'Marco Verdi' });
    context = await browser.newContext({ locale: 'it-IT', viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, acceptDownloads: true });
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => {});
    await browser?.close();
    await h?.close();
  });

  it('signs in, reads the ingest-derived outcomes in Italian on a phone, downloads the workbook', async () => {
    await page.goto(`${h.url}/console/accesso`);
    await page.getByLabel('E-mail').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForURL(/\/console(\?|$)/);
    expect(await page.getByText('Marco Verdi').first().isVisible()).toBe(true);

    const res = await page.goto(`${h.url}/console/eventi/${eventId}/presenze`);
    expect(res?.status()).toBe(200);
    expect(await page.getByRole('heading', { level: 1, name: 'Webinar sulle paghe' }).count()).toBe(1);
    const body = await page.locator('main').innerText();
    expect(body).toContain('Crediti riconosciuti');
    expect(body).toContain('Assenza entro la tolleranza');
    expect(body).toContain('Assenza oltre la tolleranza');
    expect(body).toContain('Cognome900 Nome900');
    // The page itself never scrolls sideways; wide tables scroll inside their frame.
    const widths = await page.evaluate(() => ({ inner: window.innerWidth, scroll: document.documentElement.scrollWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.inner);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /una riga per partecipante/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^presenze-partecipanti_\d{4}-\d{2}-\d{2}_webinar-sulle-paghe\.xlsx$/);
    const buf = await readFile((await download.path())!);
    const rows = sheetCells(parseWorkbook(buf), 'Presenze');
    expect(rows.slice(1).map((r) => String(r[3]?.v ?? ''))).toEqual(expect.arrayContaining([members[0]!.codiceFiscale, members[1]!.codiceFiscale]));
  });

  it('uploads a filled file with one bad row and sees it reported with its line', async () => {
    const day = rome(0).toFormat('dd/MM/yyyy');
    const csv = [
      'Codice fiscale;Data evento;Ora di ingresso;Ora di uscita',
      `${members[2]!.codiceFiscale};${day};${rome(0).toFormat('HH:mm')};${rome(180).toFormat('HH:mm')}`,
      `${members[2]!.codiceFiscale.slice(0, 15)}Z;${day};${rome(0).toFormat('HH:mm')};${rome(180).toFormat('HH:mm')}`,
    ].join('\n');
    await page.goto(`${h.url}/console/eventi/${eventId}/presenze`);
    await page.locator('#file-presenze').setInputFiles({ name: 'presenze.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Carica il file' }).click();
    await page.getByRole('heading', { name: 'Righe rifiutate (1)' }).waitFor();
    const body = await page.locator('main').innerText();
    expect(body).toContain('Righe accettate: 1');
    expect(body).toMatch(/Riga 3\s+Codice fiscale non valido/);
    await eventually(async () => {
      const o = await h.api('GET', `/v1/events/${eventId}/outcomes`, { key: keys.organiser });
      return (o.body.outcomes as any[]).find((x) => x.memberId === members[2]!.id)?.status === 'credited';
    });
  });

  it('uploads a SCORM package on the course page and sees the compliance report', async () => {
    const res = await page.goto(`${h.url}/console/eventi/${courseId}/corso`);
    expect(res?.status()).toBe(200);
    await page.locator('#file').setInputFiles({ name: 'corso.zip', mimeType: 'application/zip', buffer: scormFixtureZip('scorm2004') });
    await page.getByRole('button', { name: 'Carica il pacchetto' }).click();
    await page.getByText(/caricato: SCORM 2004/).waitFor();
    const body = await page.locator('main').innerText();
    expect(body).toContain('Verifica di conformità');
    expect(body).toContain('Verificato sul pacchetto');
  });
});
