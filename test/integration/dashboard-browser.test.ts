import { createMemoryStatsStore, createStatsApi, type MemoryStatsStore, type StatsApi } from '@otptrace/stats-api';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchChromium } from '../browser/chromium.js';
import { seedAnalysis, seedAttempt } from '../browser/fixtures.js';
import {
  checkHostileUserInert,
  checkNoHorizontalScroll,
  findSeedAttemptByKeyboard,
  ready,
  shot,
} from '../browser/seed-steps.js';

// The statistics API's live dashboard, running on loopback over the in-memory store fed with the seed story, as
// the correlator feeds it; the page polls /api/dashboard every second.
const JAEGER = 'http://localhost:16686/trace/{traceId}';
let store: MemoryStatsStore;
let api: StatsApi;
let browser: Browser;
let page: Page;
let base: string;

beforeAll(async () => {
  const analysis = await seedAnalysis();
  store = createMemoryStatsStore();
  store.add(analysis.attempts.map((a) => a.record).filter((r) => r.user !== 'corp\\adupont'));
  const log = { info: () => {}, error: () => {} };
  api = createStatsApi(
    { host: '127.0.0.1', port: 0, traceUrlTemplate: JAEGER, dashboardRefreshSeconds: 1 },
    { store, log },
  );
  base = `http://127.0.0.1:${await api.listen()}`;
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.goto(`${base}/`);
  await ready(page);
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('live dashboard in Chromium', () => {
  it('shows the store statistics and links each attempt to its trace in the configured viewer', async () => {
    expect(await page.locator('#by-cause').textContent()).toContain('ca_denied_key_length');
    const analysis = await seedAnalysis();
    const traceId = seedAttempt(analysis).record.traceId;
    const link = page.locator(`#rows tr[data-attempt="${seedAttempt(analysis).record.id}"] a`);
    expect(await link.getAttribute('href')).toBe(`http://localhost:16686/trace/${traceId}`);
    await shot(page, 'dashboard-1280x800-summary', true);
  });

  it('finds the seed story attempt by keyboard and shows its failing CA stage and remediation', async () => {
    await findSeedAttemptByKeyboard(page, 'dashboard-1280x800');
    await page.fill('#q', '');
  });

  it('updates live when the store receives an attempt', async () => {
    const before = Number((await page.locator('#totals .card b').first().textContent()) ?? '0');
    const analysis = await seedAnalysis();
    store.add(analysis.attempts.filter((a) => a.record.user === 'corp\\adupont').map((a) => a.record));
    await expect
      .poll(async () => Number(await page.locator('#totals .card b').first().textContent()), { timeout: 10_000 })
      .toBe(before + 1);
    expect(await page.locator('#rows').textContent()).toContain('corp\\adupont');
  });

  it('keeps a user name planted in the logs inert', async () => {
    await checkHostileUserInert(page);
  });

  it('works on a 400px-wide window', async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    await checkNoHorizontalScroll(page);
    await shot(page, 'dashboard-400-list');
    await findSeedAttemptByKeyboard(page, 'dashboard-400');
    await checkNoHorizontalScroll(page);
  });
});
