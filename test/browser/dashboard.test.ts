/**
 * Deliverable 7 in a real browser: Debian's Chromium, headless, driven by playwright-core (no
 * browser is ever downloaded). A member opens the dashboard link the CPO issued, on a phone: the
 * totals are visible, nothing overflows 375 px, every control has a label, tables have header
 * cells with a scope, and every form control and button is reached with the Tab key. The member
 * chooses a cause, fills the period, reaches «Calcola» with Tab and presses Enter: the
 * calculator's result shows, nothing is filed, the form keeps what was typed. Then an art. 9 declaration with its attestation (an in-memory PDF) is sent: the page
 * comes back through a redirect with the outcome, and a reload files nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { DateTime } from 'luxon';
import { BROWSER_BACKEND, checkPhoneLayout, haveChromium, launchChromium, tabTo, type AxNode } from '../support/browser.ts';
import { createCpoOrganiser, createMembers, pastWebinar, type CreatedMember } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const BACKEND = BROWSER_BACKEND;
const rome = (local: string) => DateTime.fromISO(local, { zone: 'Europe/Rome' }).toMillis();
/** The product's "today": the second year of the 2025–2026 biennium. */
const TODAY = rome('2026-11-23T12:00');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

describe.skipIf(!haveChromium)(`member dashboard in headless Chromium (${BACKEND})`, { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
  let member: CreatedMember;
  let link: string;
  const contexts: BrowserContext[] = [];
  const offset = TODAY - Date.now();
  const now = () => Date.now() + offset;

  beforeAll(async () => {
    h = await startHarness(BACKEND, { now });
    browser = await launchChromium();
    keys = await createCpoOrganiser(h, 'MI');
    member = (await createMembers(h, keys.cn, ['MI'], 800))[0]!;
    // Credits of real events: an in-person seminar (4, 1 deontology) and a webinar (10, 1 deontology) in 2025,
    // a webinar in 2026 (12, 1 deontology): 22 distance credits, 20 count (R-FAD-2).
    const events: Array<[string, string, number, Record<string, unknown>, number, number, string]> = [
      ['Seminario sul Codice deontologico', '2025-06-12T09:00', 4, { mode: 'in-person', venueProvince: 'MI' }, 2025, 1, 'in-person'],
      ['Webinar sulle paghe', '2025-05-10T09:00', 10, {}, 2025, 1, 'webinar'],
      ['Webinar sulla previdenza complementare e sulle novità della legge di bilancio', '2026-03-10T08:00', 12, {}, 2026, 1, 'webinar'],
    ];
    for (const [title, start, hours, extra, year, deontology, mode] of events) {
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(rome(start), hours, { title, ...extra }) });
      expect(ev.status, ev.text).toBe(201);
      await h.rt.db.query(
        `INSERT INTO credit_records (member_id, event_id, fraction, credits, deontology_credits, mode, year, status, derived_at)
         VALUES ($1, $2, 0, $3, $4, $5, $6, 'granted', now())`,
        [member.id, ev.body.id, hours, deontology, mode, year],
      );
    }
    const res = await h.api('POST', `/v1/members/${member.id}/dashboard-link`, { key: keys.cpo });
    expect(res.status, res.text).toBe(201);
    link = `${h.url}${new URL(res.body.url).pathname}`;
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await h?.close();
  });

  async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const context = await browser.newContext({ locale: 'it-IT', ...options });
    contexts.push(context);
    return context.newPage();
  }

  it('on a phone: the totals, nothing wider than 375 px, labelled controls, tables with scoped headers, every control reached with Tab', async () => {
    const page = await newPage({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const res = await page.goto(link);
    expect(res?.status()).toBe(200);
    expect(await page.locator('html').getAttribute('lang')).toBe('it');
    expect(await page.getByRole('heading', { level: 1, name: 'La mia formazione continua' }).count()).toBe(1);
    await expect.poll(() => page.getByText('Biennio 2025–2026', { exact: true }).isVisible()).toBe(true);
    // 4 in person + 20 of 22 distance credits; deontology 3 of 6; no art. 9; the distance cap reached.
    const meters = await page.locator('.meter').allInnerTexts();
    expect(meters.map((m) => m.replace(/\s+/g, ' ').trim())).toEqual([
      '24/50 Crediti totali',
      '3/6 Crediti deontologici',
      '0/30 Crediti altre attività formative',
      '20/20 Crediti formazione a distanza',
    ]);
    for (const m of await page.locator('.meter').all()) expect(await m.isVisible()).toBe(true);
    const row = page.locator('tr', { hasText: 'previdenza complementare' });
    expect(await row.innerText()).toContain('2 crediti non conteggiati: oltre il limite della formazione a distanza');
    expect(await page.getByText('Obiettivi annuali suggeriti').isVisible()).toBe(true);

    await checkPhoneLayout(page);
    await checkAccessibility(page);
    await checkKeyboard(page);
  });

  it('«Calcola» shows the reduction the calculator gives, without filing anything', async () => {
    const page = await newPage({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.goto(link);
    await page.getByLabel('Causa dell’impedimento').selectOption('illness');
    await page.getByRole('button', { name: 'Continua' }).click();
    await page.getByLabel('Inizio del periodo').waitFor();
    expect(new URL(page.url()).searchParams.get('causa')).toBe('illness');
    await page.getByLabel('Inizio del periodo').fill('2026-03-01');
    await page.getByLabel('Fine del periodo').fill('2026-05-31');
    // With the keyboard, as a member without a mouse: Tab to «Calcola», Enter.
    await tabTo(page, page.getByRole('button', { name: 'Calcola' }));
    await page.keyboard.press('Enter');
    const result = page.locator('#calcolo');
    await result.waitFor();
    const t = (await result.innerText()).replace(/\s+/g, ' ');
    // R-RED-2/4: 3 months → 6.25 → 6, of which round(0.72) = 1 deontology; 44 / 5 left.
    expect(t).toContain('Riduzione calcolata: 6 crediti (1 deontologico, 5 ordinari)');
    expect(t).toMatch(/44 crediti ?, di cui 5 deontologici/);
    expect(t).toContain('Nulla è stato ancora inviato');
    // What was typed is still there, ready for «Invia richiesta».
    expect(await page.getByLabel('Inizio del periodo').inputValue()).toBe('2026-03-01');
    expect(await page.getByLabel('Fine del periodo').inputValue()).toBe('2026-05-31');
    expect(await page.getByRole('button', { name: 'Invia richiesta' }).isVisible()).toBe(true);
    const list = await h.api('GET', `/v1/reduction-requests?memberId=${member.id}`, { key: keys.cpo });
    expect(list.body.requests).toEqual([]);
    await checkPhoneLayout(page);
    await checkAccessibility(page);
    await checkKeyboard(page);
  });

  it('files an art. 9 declaration with its attestation; the outcome shows after the redirect and a reload files nothing', async () => {
    const page = await newPage();
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(new URL(r.url()).pathname);
    });
    await page.goto(link);
    await page.getByLabel('Attività svolta').selectOption('a');
    await page.getByLabel('Quantità').fill('3');
    await page.getByLabel('Data dell’attività').fill('2026-10-01');
    await page.getByLabel('Descrizione').fill('Relazione al convegno provinciale sul lavoro agile');
    await page.getByLabel('Attestato').setInputFiles({ name: 'attestato.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.getByRole('button', { name: 'Invia la dichiarazione' }).click();
    const status = page.locator('#esito');
    await status.waitFor();
    expect(await status.getAttribute('role')).toBe('status');
    expect(await status.innerText()).toContain('Dichiarazione inviata');
    expect(new URL(page.url()).searchParams.get('esito')).toBe('art9-filed');
    expect(posts).toEqual([new URL(link).pathname + '/art9']);
    const declared = page.locator('tr', { hasText: 'Relazione al convegno provinciale' });
    expect(await declared.first().innerText()).toContain('in attesa di convalida');

    // The page after the redirect is a GET: reloading it sends nothing again.
    const reloaded = await page.reload();
    expect(reloaded?.request().method()).toBe('GET');
    expect(posts).toHaveLength(1);
    const list = await h.api('GET', `/v1/art9-declarations?memberId=${member.id}`, { key: keys.cpo });
    expect(list.body.declarations).toHaveLength(1);
    expect(list.body.declarations[0]).toMatchObject({ activity: 'a', quantity: 3, document: { name: 'attestato.pdf', contentType: 'application/pdf' } });

    // A file that is not what it claims is refused with an Italian message, what was typed kept.
    await page.getByLabel('Attività svolta').selectOption('b');
    await page.getByLabel('Quantità').fill('2');
    await page.getByLabel('Data dell’attività').fill('2026-09-01');
    await page.getByLabel('Descrizione').fill('Docenza al corso praticanti');
    await page.getByLabel('Attestato').setInputFiles({ name: 'attestato.pdf', mimeType: 'application/pdf', buffer: Buffer.from('PK\u0003\u0004 zip') });
    await page.getByRole('button', { name: 'Invia la dichiarazione' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('Sono ammessi solo file PDF, PNG o JPEG');
    expect(await page.getByLabel('Descrizione').inputValue()).toBe('Docenza al corso praticanti');
    expect((await h.api('GET', `/v1/art9-declarations?memberId=${member.id}`, { key: keys.cpo })).body.declarations).toHaveLength(1);
  });

  // -----------------------------------------------------------------------------------------------

  /** Every control has a non-empty label (and a name in Chromium's accessibility tree); tables have scoped headers; one h1, h2 sections. */
  async function checkAccessibility(page: Page) {
    const structure = await page.evaluate(() => {
      const controls = Array.from(
        document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input:not([type=hidden]), select, textarea'),
      );
      return {
        controls: controls.length,
        unlabelled: controls.filter((c) => !c.labels || !Array.from(c.labels).some((l) => l.textContent?.trim())).map((c) => c.name),
        headersWithoutScope: Array.from(document.querySelectorAll('th')).filter((th) => !['col', 'row'].includes(th.getAttribute('scope') ?? '')).length,
        tablesWithoutCaption: Array.from(document.querySelectorAll('table')).filter((t) => !t.caption?.textContent?.trim()).length,
        h1: document.querySelectorAll('h1').length,
        h2: Array.from(document.querySelectorAll('h2')).map((e) => e.textContent?.trim()),
        buttonsWithoutText: Array.from(document.querySelectorAll('button')).filter((b) => !b.textContent?.trim()).length,
      };
    });
    expect(structure.controls).toBeGreaterThanOrEqual(6);
    expect(structure.unlabelled).toEqual([]);
    expect(structure.headersWithoutScope).toBe(0);
    expect(structure.tablesWithoutCaption).toBe(0);
    expect(structure.h1).toBe(1);
    expect(structure.h2).toEqual(
      expect.arrayContaining([
        'Crediti del biennio 2025–2026',
        'Obiettivi suggeriti',
        'Attività formative del biennio',
        'Recupero crediti (debito formativo)',
        'Nuove richieste',
      ]),
    );
    expect(structure.buttonsWithoutText).toBe(0);
    const cdp = await page.context().newCDPSession(page);
    try {
      const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AxNode[] };
      const controls = nodes.filter((n) => !n.ignored && ['textbox', 'spinbutton', 'combobox', 'button'].includes(String(n.role?.value)));
      expect(controls.length).toBeGreaterThanOrEqual(6);
      for (const n of controls) expect(String(n.name?.value ?? '').trim(), `${String(n.role?.value)} without an accessible name`).not.toBe('');
    } finally {
      await cdp.detach();
    }
  }

  /** From the top of the page, Tab reaches every form control and button, in the order of the page. */
  async function checkKeyboard(page: Page) {
    const total = await page.evaluate(() => {
      const all = Array.from(document.querySelectorAll<HTMLElement>('form input:not([type=hidden]), form select, form textarea, form button'));
      all.forEach((el, i) => (el.dataset.k = String(i)));
      return all.length;
    });
    expect(total).toBeGreaterThanOrEqual(7);
    await page.locator('h1').click();
    const reached: number[] = [];
    for (let i = 0; i < 200 && reached.length < total; i++) {
      await page.keyboard.press('Tab');
      const k = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.k ?? null);
      if (k !== null && !reached.includes(Number(k))) reached.push(Number(k));
    }
    expect(reached).toEqual(Array.from({ length: total }, (_, i) => i));
    await tabTo(page, page.getByRole('button', { name: 'Invia la dichiarazione' }));
  }
});
