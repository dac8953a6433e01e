import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzePaths } from '@otptrace/files';
import { analysisConfigSchema } from '@otptrace/schemas';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../services/cli/src/commands/report-html.js';
import { type Browser, launchChromium, OUTPUT_DIR } from '../browser/chromium.js';
import { writeSeedReport } from '../browser/fixtures.js';
import {
  checkHostileUserInert,
  checkNoHorizontalScroll,
  findSeedAttemptByKeyboard,
  ready,
  shot,
} from '../browser/seed-steps.js';

// The HTML report of the bundled example (otptrace analyze --format html), opened from disk in Debian's Chromium.
let browser: Browser;
let page: Page;
const alerts: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  const url = pathToFileURL(await writeSeedReport()).href;
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('dialog', (d) => {
    alerts.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => void (r.url() === url ? undefined : requests.push(r.url())));
  await page.goto(url);
  await ready(page);
});

afterAll(async () => {
  await browser?.close();
});

describe('HTML report in Chromium', () => {
  it('shows the fleet summary and needs no network', async () => {
    expect(await page.locator('#totals').textContent()).toContain('Failure');
    expect(await page.locator('#by-cause').textContent()).toContain('ca_denied_key_length');
    expect(await page.locator('#chart svg rect').count()).toBeGreaterThan(0);
    await shot(page, 'report-1280x800-summary');
    expect(requests).toEqual([]);
  });

  it("says how each NPS server's log times were read (they hold local time, no offset)", async () => {
    // test/scenarios/text-logs-daylight-saving-learned: nothing configured, the offset learned from the audit events.
    const dir = new URL('../scenarios/text-logs-daylight-saving-learned', import.meta.url).pathname;
    const path = join(OUTPUT_DIR, 'report-nps-log-clocks.html');
    writeFileSync(path, renderHtmlReport(await analyzePaths([dir], analysisConfigSchema.parse({})), {}));
    const other = await browser.context.newPage();
    await other.goto(pathToFileURL(path).href);
    await ready(other);
    expect(await other.locator('#meta').textContent()).toContain('NPS log times: nps01: UTC+02:00 (learned)');
    await other.close();
    // The seed story has no NPS log file: nothing said.
    expect(await page.locator('#meta').textContent()).not.toContain('NPS log times');
  });

  it('finds the seed story attempt by keyboard and shows its failing CA stage and remediation', async () => {
    await findSeedAttemptByKeyboard(page, 'report-1280x800');
    await shot(page, 'report-1280x800-search', true);
  });

  it('filters by root cause from the summary', async () => {
    await page.fill('#q', '');
    await page.locator('#by-cause button').first().click();
    expect(await page.locator('#f-cause').inputValue()).toBe('ca_denied_key_length');
    const users = await page.locator('#rows button.open').allTextContents();
    expect(users).toContain('corp\\bsimon');
    expect(users.every((u) => u.startsWith('corp\\'))).toBe(true);
    await page.locator('#reset').click();
  });

  it('keeps a user name planted in the logs inert', async () => {
    await checkHostileUserInert(page);
    expect(alerts).toEqual([]);
  });

  it('works on a 400px-wide window', async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    await page.fill('#q', '');
    await expect.poll(() => page.locator('#rows tr').count()).toBeGreaterThan(1);
    await checkNoHorizontalScroll(page);
    await shot(page, 'report-400-list', true);
    await findSeedAttemptByKeyboard(page, 'report-400');
    await checkNoHorizontalScroll(page);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
