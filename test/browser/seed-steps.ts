import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { OUTPUT_DIR } from './chromium.js';
import { HOSTILE_USER, SEED_USER } from './fixtures.js';

/** The seed story's verdict as the page must show it (examples/seed-story/README and expected.json). */
const SEED_ERROR_CODE = '0x80094811 CERTSRV_E_KEY_LENGTH';
const SEED_REMEDIATION = 'Microsoft RSA SChannel Cryptographic Provider';

/** Screenshot to test-output/<name>.png. */
export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: join(OUTPUT_DIR, `${name}.png`), fullPage });
}

/** Wait until the page's script has rendered its data. */
export async function ready(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
}

/** The element that has the keyboard focus, described for assertions. */
async function focused(page: Page): Promise<{ tag: string; id: string; cls: string; text: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { tag: el?.tagName ?? '', id: el?.id ?? '', cls: el?.className ?? '', text: el?.textContent ?? '' };
  });
}

/**
 * Find the seed story's attempt with the keyboard only: type in the search field, Tab to its row, Enter opens the
 * waterfall; check the failing stage, error code, root cause, remediation and the raw evidence; Escape closes and
 * focus returns to the row; Space opens it again.
 */
export async function findSeedAttemptByKeyboard(page: Page, name: string): Promise<void> {
  // Start from an empty search: an earlier step may have left a query there.
  await page.fill('#q', '');
  await page.focus('#q');
  await page.keyboard.type('bsimon');
  // The list filters after a short delay: wait for the one row to be the seed story's, not a stale result.
  await expect.poll(() => page.locator('#rows tr').count()).toBe(1);
  await expect.poll(() => page.locator('#rows button.open').textContent()).toBe(SEED_USER);
  let tabs = 0;
  while (!(await focused(page)).cls.includes('open') && tabs < 30) {
    await page.keyboard.press('Tab');
    tabs += 1;
  }
  expect((await focused(page)).text).toBe(SEED_USER);
  await page.keyboard.press('Enter');
  const dialog = page.locator('dialog#detail');
  await expect.poll(() => dialog.evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
  expect((await focused(page)).id).toBe('close');
  await checkSeedWaterfall(page);
  await shot(page, `${name}-waterfall`);
  await page.keyboard.press('Escape');
  await expect.poll(() => dialog.evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);
  expect((await focused(page)).text).toBe(SEED_USER);
  await page.keyboard.press(' ');
  await expect.poll(() => dialog.evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
  await page.keyboard.press('Escape');
}

/** The open dialog shows the seed story: CA failing in red with its code, the cause and remediation, evidence. */
export async function checkSeedWaterfall(page: Page): Promise<void> {
  const failing = page.locator('ol.waterfall > li[data-failing="true"]');
  expect(await failing.count()).toBe(1);
  expect(await failing.getAttribute('data-stage')).toBe('ca');
  expect(await failing.locator('.wf-fail').textContent()).toContain(SEED_ERROR_CODE);
  const barColour = await failing.locator('.wf-bar').evaluate((b) => getComputedStyle(b).backgroundImage);
  expect(barColour).toContain('rgb(185, 28, 28)');
  expect(await page.locator('#failure-h').textContent()).toContain('Failed at stage: CA');
  expect(await page.locator('#error-code').textContent()).toBe(SEED_ERROR_CODE);
  expect(await page.locator('#root-cause').textContent()).toContain('ca_denied_key_length');
  expect(await page.locator('#remediation').textContent()).toContain(SEED_REMEDIATION);
  // One click opens the CA stage's raw events: the 4888 denial from the Security log, with its record ID.
  await failing.locator('summary').click();
  const denial = failing.locator('table.evidence tbody tr', { hasText: 'CERTSRV_E_KEY_LENGTH' }).first();
  await denial.waitFor({ state: 'visible' });
  const cells = await denial.locator('td').allTextContents();
  expect(cells).toEqual([
    '2013-10-21T09:14:32.530Z',
    'CA',
    'Microsoft-Windows-Security-Auditing',
    '4888',
    'ca01.corp.example',
    'Security',
    '61504',
    'CA 4888 denied request 4118 0x80094811 CERTSRV_E_KEY_LENGTH',
  ]);
  await page.locator('#close').focus();
}

/** The planted user name shows as plain text and ran nothing. */
export async function checkHostileUserInert(page: Page): Promise<void> {
  await page.fill('#q', 'script');
  await expect.poll(() => page.locator('#rows tr').count()).toBe(1);
  expect(await page.locator('#rows button.open').textContent()).toBe(HOSTILE_USER);
  await page.locator('#rows button.open').click();
  expect(await page.locator('#detail-title').textContent()).toContain(HOSTILE_USER);
  await page.locator('#detail-title').hover();
  expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
  expect(await page.locator('img, b[onmouseover]').count()).toBe(0);
  expect(await page.locator('script').count()).toBeLessThanOrEqual(3);
  await page.keyboard.press('Escape');
  await page.fill('#q', '');
}

/** At a narrow width nothing scrolls sideways. */
export async function checkNoHorizontalScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}
