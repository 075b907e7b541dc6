/**
 * Issue 4 proof in a real browser: Debian's Chromium, headless, driven by playwright-core (no
 * browser is ever downloaded). A member opens the link from the mail (read from the outbox),
 * answers by clicking the labels, fails with 3 of 5, comes back to the link, starts the retry,
 * gets 5 questions not seen before, passes with 4 of 5; the credits turn granted. The first page
 * is also opened on a phone: nothing overflows horizontally, every radio has a label, every
 * question is a fieldset with a legend, the submit button is reached with Tab, and the browser's
 * own `required` check keeps a form with an unanswered question from being sent. Every response
 * the browser receives for /q/ is scanned for answer keys and unserved questions (R-QST-6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { DateTime } from 'luxon';
import { BROWSER_BACKEND, checkPhoneLayout, haveChromium, launchChromium, tabTo, type AxNode } from '../support/browser.ts';
import { createKindEOrganiser, createMembers, kindEWebinar, questionPool, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import type { PoolEntry } from '../support/questionnaire.ts';

const BACKEND = BROWSER_BACKEND;
const DAY = 24 * 3600_000;
const LINK = /\/q\/([A-Za-z0-9._-]+)/;

interface Received {
  url: string;
  status: number;
  body: Promise<string | null>;
}

describe.skipIf(!haveChromium)(`questionnaire in headless Chromium (${BACKEND})`, { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let keys: Awaited<ReturnType<typeof createKindEOrganiser>>;
  let members: CreatedMember[];
  let eventId: string;
  let pool: Array<PoolEntry & { id: string }>;
  /** Member id → the link's token, as mailed. */
  const tokens = new Map<string, string>();
  /** Every response the browser received for a member page, with its body. */
  const received: Received[] = [];
  const contexts: BrowserContext[] = [];
  /** Every question text the browser showed. */
  const seen = new Set<string>();
  let offset = -40 * DAY; // the event is created 40 days before it takes place (20-day notice)
  const now = () => Date.now() + offset;
  const start = DateTime.now().setZone('Europe/Rome').minus({ days: 2 }).set({ hour: 15, minute: 0, second: 0, millisecond: 0 }).toMillis();
  const end = start + 2 * 3600_000;

  beforeAll(async () => {
    // No SMTP server: the link mails wait in the outbox table, where the test reads them.
    h = await startHarness(BACKEND, { now });
    browser = await launchChromium();
    const today = DateTime.now().setZone('Europe/Rome');
    keys = await createKindEOrganiser(h, 'MI', { from: today.minus({ years: 1 }).toISODate()!, until: today.plus({ years: 1 }).toISODate()! });
    members = await createMembers(h, keys.cn, ['MI', 'MI'], 900);

    const created = await h.api('POST', '/v1/events', { key: keys.organiser, body: { ...kindEWebinar(start, end), questions: questionPool(30) } });
    expect(created.status, created.text).toBe(201);
    eventId = created.body.id;
    const approve = await h.api('POST', `/v1/events/${eventId}/accreditation`, { key: keys.cpo, body: { decision: 'approve', reference: 'Delibera 9/2026' } });
    expect(approve.status, approve.text).toBe(200);
    const read = await h.api('GET', `/v1/events/${eventId}/questionnaire/pool`, { key: keys.organiser });
    expect(read.status, read.text).toBe(200);
    pool = read.body.questions.map((q: any) => ({ id: q.id, text: q.text, options: q.options, correct: q.correct }));
    expect(pool).toHaveLength(30);

    offset = 0; // the webinar took place two days ago: both members attend all of it
    const regs = members.map((m) => ({ memberId: m.id, registrantId: `r-${m.id}` }));
    expect((await h.api('POST', `/v1/events/${eventId}/registrations`, { key: keys.organiser, body: { registrations: regs } })).status).toBe(200);
    const records = members.flatMap((m, i) => [
      { id: `${i}-j`, type: 'join', at: new Date(start).toISOString(), participant: { registrantId: `r-${m.id}` } },
      { id: `${i}-l`, type: 'leave', at: new Date(end).toISOString(), participant: { registrantId: `r-${m.id}` } },
    ]);
    const ing = await h.api('POST', `/v1/ingest/webinar/${eventId}`, { key: keys.platform, body: { records } });
    expect(ing.status, ing.text).toBe(202);
    expect((await h.api('POST', `/v1/events/${eventId}/close`, { key: keys.organiser })).status).toBe(200);

    const mails = await eventually(async () => {
      const { rows } = await h.rt.db.query<{ recipient: string | null; body_text: string }>('SELECT recipient, body_text FROM outbox');
      return rows.length >= members.length ? rows : null;
    });
    for (const m of members) {
      const mail = mails.find((r) => r.recipient === m.email);
      const token = mail && LINK.exec(mail.body_text)?.[1];
      if (!token) throw new Error(`no questionnaire link mailed to ${m.email}`);
      tokens.set(m.id, token);
    }
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await h?.close();
  });

  /** A fresh browser context whose member-page responses are all recorded. */
  async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const context = await browser.newContext({ locale: 'it-IT', ...options });
    contexts.push(context);
    const page = await context.newPage();
    page.on('response', (res) => {
      if (!new URL(res.url()).pathname.startsWith('/q/')) return;
      const redirect = res.status() >= 300 && res.status() < 400; // a redirect has no body to read
      received.push({ url: res.url(), status: res.status(), body: redirect ? Promise.resolve('') : res.text().catch(() => null) });
    });
    return page;
  }

  const linkOf = (m: CreatedMember) => `${h.url}/q/${tokens.get(m.id)}`;

  it('the first page on a phone: Italian, 5 quality and 5 scientific questions, nothing overflows, accessible', async () => {
    const page = await newPage({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.url());
    });
    const res = await page.goto(linkOf(members[1]!));
    expect(res?.status()).toBe(200);
    expect(await page.locator('html').getAttribute('lang')).toBe('it');
    await checkAttemptPage(page, { askQuality: true });

    await checkPhoneLayout(page);

    await checkAccessibility(page);

    // The browser's own check: with the last question unanswered, the form is not sent.
    await answerQuality(page);
    const shown = await shownQuestions(page);
    for (const q of shown.slice(0, 4)) await clickOption(page, q, rightText(q.text));
    await tabTo(page, page.getByRole('button', { name: 'Invia le risposte' }));
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Invia le risposte' }).click();
    expect(posts).toEqual([]);
    expect(page.url()).toBe(linkOf(members[1]!));
    expect(
      await page
        .locator('form[method=post]')
        .first()
        .evaluate((f) => (f as HTMLFormElement).checkValidity()),
    ).toBe(false);
    expect(await page.locator('input[name=a4]:invalid').count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('a4'); // focus moved to it
    // Answered, it goes through.
    await clickOption(page, shown[4]!, rightText(shown[4]!.text));
    await page.getByRole('button', { name: 'Invia le risposte' }).click();
    await page.getByRole('heading', { name: 'Questionario superato', exact: true }).waitFor();
    expect(posts).toEqual([linkOf(members[1]!)]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  it('a member opens the link, answers, fails, retries with new questions, passes; the credits turn granted', async () => {
    const m = members[0]!;
    const link = linkOf(m);
    const pending = await h.api('GET', `/v1/members/${m.id}/credits`, { key: keys.cn });
    expect(pending.body.credits).toEqual([expect.objectContaining({ eventId, credits: 2, status: 'pending' })]);
    const page = await newPage();
    expect((await page.goto(link))?.status()).toBe(200);
    expect(await page.locator('html[lang=it]').count()).toBe(1);
    await checkAttemptPage(page, { askQuality: true });
    expect(await page.getByText('Primo tentativo').count()).toBe(1);
    const first = await shownQuestions(page);

    // Reloading shows the same draw, options in the same order.
    await page.reload();
    expect(await shownQuestions(page)).toEqual(first);

    // Three right, two wrong.
    await answerQuality(page);
    for (const [i, q] of first.entries()) await clickOption(page, q, i < 3 ? rightText(q.text) : wrongText(q));
    await page.getByRole('button', { name: 'Invia le risposte' }).click();
    await page.getByRole('heading', { name: 'Questionario non superato', exact: true }).waitFor();
    const status = await page.getByRole('status').innerText();
    expect(status).toMatch(/Risposte esatte: 3 su 5/);
    expect(status).toContain('secondo e ultimo tentativo');
    expect(await page.getByRole('button', { name: 'Inizia il secondo tentativo' }).count()).toBe(1);

    // Reloading the result sends the same form again (a browser may ask first): the first answers stand.
    page.once('dialog', (d) => void d.accept());
    const reloaded = await page.reload();
    expect(reloaded?.request().method()).toBe('POST');
    expect(await page.getByRole('heading', { name: 'Questionario non superato' }).count()).toBe(1);
    expect(await page.getByRole('status').innerText()).toMatch(/Risposte esatte: 3 su 5/);

    // Coming back to the link later shows the result again, with the retry button.
    expect((await page.goto(link))?.status()).toBe(200);
    expect(await page.getByRole('heading', { name: 'Questionario non superato' }).count()).toBe(1);
    expect(await page.getByRole('status').innerText()).toMatch(/Risposte esatte: 3 su 5/);
    await page.getByRole('button', { name: 'Inizia il secondo tentativo' }).click();
    await page.locator('input[name=attempt][value="2"]').waitFor({ state: 'attached' }); // the retry redirects to the link
    expect(page.url()).toBe(link);

    // The second attempt: no quality questions (answered once), 5 questions none of which was seen.
    await checkAttemptPage(page, { askQuality: false });
    expect(await page.getByText('Secondo e ultimo tentativo').count()).toBe(1);
    const second = await shownQuestions(page);
    const firstTexts = new Set(first.map((q) => q.text));
    for (const q of second) expect(firstTexts.has(q.text), q.text).toBe(false);
    await checkAccessibility(page);

    // Four right.
    for (const [i, q] of second.entries()) await clickOption(page, q, i < 4 ? rightText(q.text) : wrongText(q));
    await page.getByRole('button', { name: 'Invia le risposte' }).click();
    await page.getByRole('heading', { name: 'Questionario superato', exact: true }).waitFor();
    expect(await page.getByRole('status').innerText()).toMatch(/Risposte esatte: 4 su 5/);

    const granted = await eventually(async () => {
      const c = await h.api('GET', `/v1/members/${m.id}/credits`, { key: keys.cn });
      const mine = c.body?.credits?.find((x: any) => x.eventId === eventId);
      return mine?.status === 'granted' ? mine : null;
    });
    expect(granted).toMatchObject({ eventId, credits: 2, status: 'granted' });

    // The used link says so plainly.
    await page.goto(link);
    expect(await page.getByRole('heading', { name: 'Questionario già completato' }).count()).toBe(1);
    expect(await page.locator('input[type=radio]').count()).toBe(0);
  });

  it('no response the browser received carries an answer key or a question outside the draws (R-QST-6)', async () => {
    const bodies = await Promise.all(received.map(async (r) => ({ ...r, body: await r.body })));
    expect(bodies.length).toBeGreaterThanOrEqual(8);
    const { rows } = await h.rt.db.query<{ question_ids: string[] }>('SELECT question_ids FROM questionnaire_attempts');
    const served = new Set(rows.flatMap((r) => r.question_ids));
    expect(rows).toHaveLength(3); // member 0: two attempts; member 1: one
    // What the database says was served is exactly what the browser showed.
    expect(new Set(pool.filter((q) => served.has(q.id)).map((q) => q.text))).toEqual(seen);
    const unserved = pool.filter((q) => !served.has(q.id));
    expect(unserved.length).toBeGreaterThan(0);
    for (const r of bodies) {
      expect(r.body, `body of ${r.status} ${r.url}`).not.toBeNull();
      expect(r.body, r.url).not.toMatch(/correct|corrett|giust[ao]|right/i);
      expect(r.body, r.url).not.toMatch(/data-[a-z-]+=/);
      for (const q of unserved) {
        expect(r.body!.includes(q.text), `unserved question in ${r.url}`).toBe(false);
        for (const o of q.options) expect(r.body!.includes(o), `option of an unserved question in ${r.url}`).toBe(false);
      }
      for (const v of r.body!.matchAll(/name="a\d" value="([^"]*)"/g)) expect(v[1]).toMatch(/^[0-5]$/);
    }
  });

  // -----------------------------------------------------------------------------------------------

  interface Shown {
    text: string;
    options: string[];
  }

  /** The scientific questions on the page, as a member reads them: legend text and option labels in order. */
  async function shownQuestions(page: Page): Promise<Shown[]> {
    const out: Shown[] = [];
    for (const fs of await scientific(page).all()) {
      const legend = (await fs.locator('legend').innerText()).trim();
      const m = /^Domanda (\d+) di (\d+)\. ([\s\S]*)$/.exec(legend);
      if (!m) throw new Error(`unexpected legend: ${legend}`);
      out.push({ text: m[3]!.trim(), options: (await fs.locator('label').allInnerTexts()).map((t) => t.trim()) });
      seen.add(m[3]!.trim());
    }
    return out;
  }

  const scientific = (page: Page) => page.locator('section[aria-labelledby=verifica] fieldset');
  const quality = (page: Page) => page.locator('section[aria-labelledby=qualita] fieldset');

  function poolEntry(text: string) {
    const p = pool.find((x) => x.text === text);
    if (!p) throw new Error(`question not in the pool: ${text}`);
    return p;
  }
  const rightText = (text: string) => {
    const p = poolEntry(text);
    return p.options[p.correct]!;
  };
  const wrongText = (q: Shown) => q.options.find((o) => o !== rightText(q.text))!;

  /** Clicks the label of an option (a real click on the text, as a member does) and checks its radio is now chosen. */
  async function clickOption(page: Page, q: Shown, option: string) {
    const fs = scientific(page).filter({ has: page.locator('legend', { hasText: q.text }) });
    await fs
      .locator('label')
      .filter({ hasText: new RegExp(`^\\s*${escapeRe(option)}\\s*$`) })
      .click();
    expect(await fs.getByRole('radio', { name: option, exact: true }).isChecked()).toBe(true);
  }

  /** The five quality votes, clicked on their labels: 8, 7, 6, 9, 8. */
  async function answerQuality(page: Page) {
    const votes = [8, 7, 6, 9, 8];
    const groups = await quality(page).all();
    expect(groups).toHaveLength(5);
    for (const [i, fs] of groups.entries()) {
      await fs
        .locator('label')
        .filter({ hasText: new RegExp(`^\\s*${votes[i]}\\s*$`) })
        .click();
      expect(await fs.getByRole('radio', { name: String(votes[i]), exact: true }).isChecked()).toBe(true);
    }
  }

  /** An attempt's form: the quality questions (radio 1–10) when asked, and 5 scientific questions from the pool. */
  async function checkAttemptPage(page: Page, { askQuality }: { askQuality: boolean }) {
    expect(await page.getByRole('heading', { level: 1, name: 'Questionario di verifica' }).count()).toBe(1);
    if (askQuality) {
      expect(await quality(page).count()).toBe(5);
      for (const fs of await quality(page).all()) {
        expect(await fs.locator('input[type=radio]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual([
          '1',
          '2',
          '3',
          '4',
          '5',
          '6',
          '7',
          '8',
          '9',
          '10',
        ]);
      }
    } else {
      expect(await page.locator('section[aria-labelledby=qualita]').count()).toBe(0);
    }
    const shown = await shownQuestions(page);
    expect(shown).toHaveLength(5);
    expect(new Set(shown.map((q) => q.text)).size).toBe(5);
    for (const q of shown) expect([...q.options].sort()).toEqual([...poolEntry(q.text).options].sort()); // all options, shuffled
    expect(await page.locator('input[type=radio]:checked').count()).toBe(0);
  }

  /**
   * Basic accessibility: every radio has a non-empty accessible name (from its label) in
   * Chromium's accessibility tree, every radio sits in a fieldset whose legend names the group,
   * and the submit button is reached with the Tab key.
   */
  async function checkAccessibility(page: Page) {
    const cdp = await page.context().newCDPSession(page);
    try {
      const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AxNode[] };
      const radios = nodes.filter((n) => n.role?.value === 'radio' && !n.ignored);
      expect(radios.length).toBe(await page.locator('input[type=radio]').count());
      for (const r of radios) expect(String(r.name?.value ?? '').trim(), 'radio without an accessible name').not.toBe('');
      // Each fieldset is a group named by its legend.
      const groupNames = new Set(nodes.filter((n) => n.role?.value === 'group' && !n.ignored).map((n) => norm(String(n.name?.value ?? ''))));
      const legends = (await page.locator('fieldset > legend').allInnerTexts()).map(norm);
      expect(legends.length).toBe(await page.locator('fieldset').count());
      for (const l of legends) expect(groupNames.has(l), `group named "${l}"`).toBe(true);
    } finally {
      await cdp.detach();
    }
    const structure = await page.evaluate(() => ({
      radiosOutsideFieldset: document.querySelectorAll('input[type=radio]').length - document.querySelectorAll('fieldset input[type=radio]').length,
      fieldsetsWithoutLegend: Array.from(document.querySelectorAll('fieldset')).filter(
        (f) => f.firstElementChild?.tagName !== 'LEGEND' || !f.firstElementChild.textContent?.trim(),
      ).length,
      unlabelledRadios: Array.from(document.querySelectorAll<HTMLInputElement>('input[type=radio]')).filter(
        (r) => !r.labels || r.labels.length === 0 || !Array.from(r.labels).some((l) => l.textContent?.trim()),
      ).length,
      requiredMissing: Array.from(document.querySelectorAll<HTMLInputElement>('input[type=radio]')).filter((r) => !r.required).length,
    }));
    expect(structure).toEqual({ radiosOutsideFieldset: 0, fieldsetsWithoutLegend: 0, unlabelledRadios: 0, requiredMissing: 0 });
    const submit = page.getByRole('button', { name: 'Invia le risposte' });
    await tabTo(page, submit);
  }
});

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

function escapeRe(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
