/**
 * Issue 15 in a real browser: after the biennium (the product clock at 5 March 2027), a CPO
 * officer signs in with password and TOTP, decides a request of each kind (an art. 9 declaration,
 * a debt request, a reduction through protocol and decision), runs the verification and
 * downloads its export; then a member's compliance certificate: the QR code printed in the PDF,
 * read back from its image, opens the public verification page, which states the PDF's facts.
 */
import crypto from 'node:crypto';
import { DateTime } from 'luxon';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { BROWSER_BACKEND, checkPhoneLayout, haveChromium, launchChromium } from '../support/browser.ts';
import { signedInStaff, totpCode } from '../support/console-client.ts';
import { createCpoOrganiser, createMembers, pastWebinar, type CreatedMember } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { pdfQrCodes } from '../support/pdf-qr.ts';
import { pdfText } from '../support/pdf-text.ts';

const at = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Rome' }).toMillis();
const PDF = () => new Blob([new Uint8Array(Buffer.from('%PDF-1.4\n%%EOF\n'))], { type: 'application/pdf' });

describe.skipIf(!haveChromium)(`the verification in headless Chromium (${BROWSER_BACKEND})`, { timeout: 180_000 }, () => {
  let h: Harness;
  let browser: Browser;
  const clock = at('2027-03-05T10:00');
  let compliant: CreatedMember;
  let requester: CreatedMember;
  let link: (m: CreatedMember) => Promise<string>;

  beforeAll(async () => {
    // Every province is "large" here: the run and the export go through the background jobs and their progress page (R-VER-11).
    h = await startHarness(BROWSER_BACKEND, { now: () => clock, env: { VERIFICATION_SYNC_MAX_MEMBERS: '1' } });
    browser = await launchChromium();
    const keys = await createCpoOrganiser(h, 'MI');
    [compliant, requester] = (await createMembers(h, keys.cn, ['MI', 'MI'], 1700)) as [CreatedMember, CreatedMember];
    link = async (m) => (await h.api('POST', `/v1/members/${m.id}/dashboard-link`, { key: keys.cpo })).body.url as string;
    // The compliant member's 50 credits of 2025–26, 6 of them deontology (seeded: the balance pipeline has its own tests).
    const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: { ...pastWebinar(at('2025-05-10T15:00'), 2), mode: 'in-person' } });
    expect(ev.status, ev.text).toBe(201);
    for (const [year, credits, deontology] of [
      [2025, 30, 6],
      [2026, 20, 0],
    ] as const)
      await h.rt.db.query(
        `INSERT INTO credit_records (member_id, event_id, fraction, credits, deontology_credits, mode, year, status, derived_at)
         VALUES ($1, $2, $3, $4, $5, 'in-person', $6, 'granted', now())`,
        [compliant.id, ev.body.id, year - 2025, credits, deontology, year],
      );
    // The other member's requests, filed from the dashboard as a member does (the debt request seeded).
    const dashboard = new URL(await link(requester)).pathname;
    const art9 = new FormData();
    for (const [k, v] of Object.entries({ activity: 'a', quantity: '3', date: '2027-02-01', description: 'Relazione al convegno ANCL' })) art9.append(k, v);
    art9.append('attestation', PDF(), 'attestato.pdf');
    expect((await fetch(`${h.url}${dashboard}/art9`, { method: 'POST', body: art9, redirect: 'manual' })).status).toBe(303);
    const reduction = new FormData();
    for (const [k, v] of Object.entries({ biennio: '2027', causa: 'illness', from: '2027-01-10', to: '2027-03-01' })) reduction.append(k, v);
    reduction.append('documents', PDF(), 'certificato.pdf');
    expect((await fetch(`${h.url}${dashboard}/reduction`, { method: 'POST', body: reduction, redirect: 'manual' })).status).toBe(303);
    await h.rt.db.query(
      "INSERT INTO debt_requests (id, member_id, province, biennium, total, deontology, filed_on, filed_at, status) VALUES ($1, $2, 'MI', 2025, 6, 0, '2027-02-05', now(), 'filed')",
      [crypto.randomUUID(), requester.id],
    );
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** The article of a request on the page, by the member's name. */
  const requestOf = (page: Page, heading: string) => page.locator('article').filter({ hasText: heading });

  it('a CPO officer decides a request of each kind, runs the verification and downloads it; a certificate’s QR opens its verification', async () => {
    const officer = await signedInStaff(h, 'cpo', 'MI', { name: 'Marta Galli', now: () => clock });
    const context = await browser.newContext({ viewport: { width: 375, height: 800 }, locale: 'it-IT', acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${h.url}/console`);
    await page.getByLabel('E-mail').fill(officer.email);
    await page.getByLabel('Password', { exact: true }).fill(officer.password);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForURL(/\/console\/verifica$/);
    await page.getByLabel('Codice').fill(await totpCode(officer.seed!, clock + 30_000));
    await page.getByRole('button', { name: 'Verifica' }).click();
    await page.waitForURL(/\/console$/);
    // The home page counts what waits: one art. 9 declaration, one debt request, one reduction.
    const home = await page.locator('main').innerText();
    expect(home).toMatch(/Dichiarazioni art\. 9\s*:\s*1/);
    expect(home).toMatch(/Richieste di debito formativo\s*:\s*1/);
    expect(home).toMatch(/Richieste di riduzione\s*:\s*1/);

    // Art. 9 and debt, on Richieste.
    await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Richieste' }).click();
    await page.waitForURL(/\/console\/richieste$/);
    const art9 = page.locator('article').filter({ has: page.getByLabel('Convalidare') });
    await art9.getByLabel('Convalidare').check();
    await art9.getByRole('button', { name: 'Registra la decisione' }).click();
    await page.waitForURL(/esito=/);
    const debt = page.locator('article').filter({ has: page.getByLabel('Accogliere') });
    await debt.getByLabel('Accogliere').check();
    await debt.getByRole('button', { name: 'Registra la decisione' }).click();
    await page.waitForURL(/esito=/);
    const decided = await h.rt.db.query<{ status: string; decided_by: string }>(
      'SELECT status, decided_by FROM art9_declarations WHERE member_id = $1 UNION ALL SELECT status, decided_by FROM debt_requests WHERE member_id = $1',
      [requester.id],
    );
    expect(decided.rows).toEqual([
      { status: 'validated', decided_by: `cpo:user:${officer.userId}` },
      { status: 'accepted', decided_by: `cpo:user:${officer.userId}` },
    ]);

    // The reduction: protocol, then the decision.
    await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Riduzioni' }).click();
    await page.getByLabel('Numero di protocollo').fill('PROT-2027-118');
    await page.getByLabel('Responsabile del procedimento').fill('Marta Galli');
    await page.getByRole('button', { name: 'Protocolla' }).click();
    await page.waitForURL(/esito=/);
    await page.getByLabel('Accogliere (con la riduzione calcolata)').check();
    await page.getByRole('button', { name: 'Registra la decisione' }).click();
    await page.waitForURL(/esito=/);
    const reduction = await h.rt.db.query<{ status: string }>('SELECT status FROM reduction_requests WHERE member_id = $1', [requester.id]);
    expect(reduction.rows).toEqual([{ status: 'approved' }]);
    await checkPhoneLayout(page);

    await verifyAndExport(page);

    // The member's compliance certificate, from the dashboard link: its QR code opens the verification.
    const pdf = Buffer.from(await (await fetch(`${await link(compliant)}/certificato/2025`)).arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const [qr, ...others] = await pdfQrCodes(pdf);
    expect(others).toEqual([]);
    expect(qr).toMatch(new RegExp(`^${h.url}/verify/[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$`));
    const text = (await pdfText(pdf)).replace(/\s+/g, ' ');
    const visitor = await (await browser.newContext({ locale: 'it-IT' })).newPage();
    await visitor.goto(qr!);
    const shown = (await visitor.locator('main').innerText()).replace(/\s+/g, ' ');
    expect(shown).toContain('Valida');
    expect(shown).toContain('Certificato di assolvimento dell’obbligo di formazione continua');
    // The facts the page states are those the PDF prints.
    const number = /N\. (\S+)/.exec(text)?.[1];
    expect(number).toBeTruthy();
    expect(shown).toContain(number!);
    expect(text).toContain('Cognome1700');
    expect(shown).toContain('Cognome1700');
    expect(shown).toContain(compliant.codiceFiscale.slice(0, 6));
    expect(shown).not.toContain(compliant.codiceFiscale);
    const digest = /SHA-256\): ((?:[0-9a-f]{8} ?){8})/.exec(text)?.[1]?.trim();
    expect(digest).toMatch(/^([0-9a-f]{8} ){7}[0-9a-f]{8}$/);
    expect(shown).toContain(digest!);
    for (const words of ['2025–2026', 'In regola']) {
      expect(text).toContain(words);
      expect(shown).toContain(words);
    }
    await context.close();
  });

  /** Runs the February phase from Verifica as a background job, then prepares the list as xlsx and downloads it: one row per member. */
  async function verifyAndExport(page: Page) {
    await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Verifica' }).click();
    await page.waitForURL(/\/console\/verifiche/);
    await page.getByRole('button', { name: 'Esegui la verifica' }).click();
    // The job's page reloads itself until the run is done.
    await page.waitForURL(/\/console\/verifiche\/lavori\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.locator('main').innerText(), { timeout: 60_000 }).toContain('Verifica completata');
    expect(await page.locator('main').innerText()).toContain('Nuova versione 1');
    await page.getByRole('link', { name: 'Vai alla verifica' }).click();
    await expect.poll(() => page.locator('main').innerText()).toMatch(/Versione 1, al 28 febbraio 2027/);
    await page.getByRole('button', { name: 'Prepara l’elenco (Excel)' }).click();
    await page.waitForURL(/\/console\/verifiche\/lavori\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.locator('main').innerText(), { timeout: 60_000 }).toContain('L’elenco è pronto');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Scarica l’elenco \(Excel/ }).click()]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile((await download.path())!);
    const rows = (book.worksheets[0]!.getSheetValues().filter(Boolean) as unknown[][]).map((r) => r.map((v) => String(v ?? '')));
    const rowOf = (cf: string) => rows.find((r) => r.includes(cf));
    expect(rows.length).toBe(3); // the header and the two members
    expect(rowOf(compliant.codiceFiscale)).toContain('In regola');
    // The requester's debt was accepted today: to recover by 30 June.
    expect(rowOf(requester.codiceFiscale)).toContain('Debito accolto, da recuperare entro il 30 giugno');
  }
});
