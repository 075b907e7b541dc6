/**
 * @module Browser tests' common ground: Debian's Chromium driven by playwright-core (never a
 * downloaded browser), skipped where it is missing except in CI, one database backend, and the
 * phone-layout check every member page must pass.
 */
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { PRIMARY_BACKEND } from './backends.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
/** One database is enough here; the integration suite covers both. Postgres when it answers. */
export const BROWSER_BACKEND = PRIMARY_BACKEND;

/** .ci/run installs Chromium; elsewhere a machine without it skips the browser files rather than fail. */
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`CI needs Chromium at ${CHROMIUM} (.ci/run installs it)`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Nothing wider than a 375 px phone: no horizontal scrolling, no element sticking out. */
export async function checkPhoneLayout(page: Page): Promise<void> {
  const layout = await page.evaluate(() => {
    const width = window.innerWidth;
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && (r.right > width + 0.5 || r.left < -0.5)) out.push(`${el.tagName.toLowerCase()}.${el.className} ${r.left}–${r.right}`);
    }
    return { width, scrollWidth: document.documentElement.scrollWidth, out };
  });
  expect(layout.width).toBe(375);
  expect(layout.scrollWidth).toBeLessThanOrEqual(layout.width);
  expect(layout.out).toEqual([]);
}

/** Presses Tab from the top of the page until `target` has the focus (a bounded number of times). */
export async function tabTo(page: Page, target: Locator, maxTabs = 200): Promise<void> {
  await page.locator('h1').click(); // where a member starts: the top of the page
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error('the element is not reachable with the Tab key');
}

/** A node of Chromium's accessibility tree (CDP `Accessibility.getFullAXTree`), the fields the tests read. */
export interface AxNode {
  ignored?: boolean;
  role?: { value?: unknown };
  name?: { value?: unknown };
}
