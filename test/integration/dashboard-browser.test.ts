import { createMemoryStatsStore, createStatsApi, type MemoryStatsStore, type StatsApi } from '@otptrace/stats-api';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAttempt } from '../../packages/core/stats/test/attempts.js';
import { type Browser, launchChromium } from '../browser/chromium.js';
import { HOSTILE_USER, SEED_USER, seedAnalysis, seedAttempt } from '../browser/fixtures.js';
import { checkNoHorizontalScroll, checkSeedWaterfall, ready, shot } from '../browser/seed-steps.js';

// The operations dashboard (stats-api `/`) on loopback over the in-memory store, as the correlator feeds it: the
// seed story (2013) and a live hour around the test's clock: a CA outage on ca02 in one minute (it opens a ticket),
// wrong OTPs on nps02 in another, successes throughout. The page polls every second.
const JAEGER = 'http://localhost:16686/trace/{traceId}';
const MIN = 60_000;
const now = Date.now();
const outageMinute = Math.floor((now - 20 * MIN) / MIN) * MIN;
const otpMinute = Math.floor((now - 40 * MIN) / MIN) * MIN;
const live = [
  ...Array.from({ length: 30 }, (_, i) =>
    buildAttempt({ n: 1000 + i, at: now - 55 * MIN + i * 100_000, outcome: 'success', caMs: 100 + i * 10 }),
  ),
  ...Array.from({ length: 6 }, (_, i) => {
    const a = buildAttempt({
      n: 2000 + i,
      at: outageMinute + i * 5000,
      outcome: 'failure',
      stage: 'ca',
      cause: 'ca_template_not_available',
      ca: 'ca02.corp.example',
    });
    // Two of them with a cause their logs could not rule out (what the ticket dialog shows of it is checked).
    return i < 2 ? { ...a, rootCause: { ...a.rootCause!, alsoPossible: ['ca_denied_template_permission'] } } : a;
  }),
  ...Array.from({ length: 3 }, (_, i) =>
    buildAttempt({
      n: 3000 + i,
      at: otpMinute + i * 5000,
      outcome: 'failure',
      stage: 'radius',
      cause: 'otp_rejected',
      radius: 'nps02.corp.example',
      ca: null,
    }),
  ),
];
let store: MemoryStatsStore;
let api: StatsApi;
let browser: Browser;
let page: Page;

const rows = () => page.locator('#rows tr');
const seq = async () => Number(await page.locator('body').getAttribute('data-seq'));
/** Wait for a refresh that started after now (the one a click triggered, or the next timed one). */
async function settled(): Promise<void> {
  const before = await seq();
  await expect.poll(seq, { timeout: 10_000 }).toBeGreaterThan(before);
}

beforeAll(async () => {
  const analysis = await seedAnalysis();
  store = createMemoryStatsStore();
  // The seed story first: the ticket engine takes attempts in time order and ignores ones a day older than the newest.
  store.add(analysis.attempts.map((a) => a.record));
  store.add(live);
  api = createStatsApi(
    { host: '127.0.0.1', port: 0, traceUrlTemplate: JAEGER, dashboardRefreshSeconds: 1 },
    { store, log: { info: () => {}, error: () => {} } },
  );
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.goto(`http://127.0.0.1:${await api.listen()}/`);
  await ready(page);
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('operations dashboard in Chromium', () => {
  it('shows the last hour: failure rate per stage, server health, the open ticket, the latest failures', async () => {
    expect(await page.locator('#ranges button[aria-pressed="true"]').textContent()).toBe('Last 1 h');
    expect(await page.locator('#rate g.bucket').count()).toBeGreaterThanOrEqual(60);
    expect(await page.locator('#rate svg text').allTextContents()).toContain('bucket start (UTC), 1 min per bar');
    const ca02 = page.locator('#servers [data-role="ca"] .tile[data-host="ca02"]');
    expect(await ca02.textContent()).toBe('ca026 attempts100.0% failed300 ms p90');
    expect(await ca02.getAttribute('class')).toContain('bad');
    // The outage's ticket, beside those the seed story left open.
    const outage = page.locator('#ticket-rows tr', { hasText: 'ca:ca02' });
    expect(await outage.locator('td').allTextContents()).toEqual([
      expect.stringMatching(/ca_template_not_available$/),
      'ca:ca02',
      '6 attempts, 6 users',
      expect.stringMatching(/^(1[89]|2[01]) min$/),
      expect.stringMatching(/ UTC$/),
    ]);
    expect(await page.locator('#failures-status').textContent()).toBe('Latest 9 of 9 failures');
    // The big numbers: 39 user attempts in the hour, 9 failed, and the outage's ticket open.
    expect(await page.locator('#totals li').allTextContents()).toEqual([
      '39Attempts',
      '9Failed',
      '23.1%Failure rate',
      expect.stringMatching(/^[1-9]Open tickets$/),
    ]);
    // Every time on the page is UTC, the live clock included.
    expect(await page.locator('#live-status').textContent()).toMatch(/^Live · updated \d\d:\d\d:\d\d UTC$/);
    const first = await rows().first().getAttribute('data-attempt');
    const traceId = live.find((a) => a.id === first)!.traceId;
    expect(await rows().first().locator('a').getAttribute('href')).toBe(`http://localhost:16686/trace/${traceId}`);
    await shot(page, 'dashboard-1280x800-last-hour', true);
  });

  it('picks the last 24 h, then a custom UTC range', async () => {
    await page.locator('#ranges button[data-range="24h"]').click();
    await settled();
    expect(await page.locator('#ranges button[aria-pressed="true"]').textContent()).toBe('Last 24 h');
    expect(await page.locator('#rate g.bucket').count()).toBeGreaterThanOrEqual(96);
    await page.locator('#ranges button[data-range="custom"]').click();
    await page.fill('#from', new Date(now - 2 * 3_600_000).toISOString().slice(0, 16));
    await page.fill('#to', new Date(outageMinute + MIN).toISOString().slice(0, 16));
    await page.locator('#apply').click();
    await settled();
    expect(await page.locator('#range-text').textContent()).toBe(
      `${new Date(now - 2 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')} – ${new Date(outageMinute + MIN).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    );
    expect(await page.locator('#failures-status').textContent()).toBe('Latest 9 of 9 failures');
    await shot(page, 'dashboard-1280x800-custom-range', true);
  });

  it('lists only the failures of a clicked bucket and stage, and keeps that filter through live updates', async () => {
    const bucket = new Date(outageMinute).toISOString();
    await page.locator(`#rate g.bucket[data-bucket="${bucket}"] rect.seg[data-stage="ca"]`).click();
    await settled();
    expect(await page.locator('#chips button').allTextContents()).toEqual([
      `Bucket ${bucket.slice(0, 16).replace('T', ' ')} UTC ×`,
      'Stage: CA ×',
      'Clear all',
    ]);
    expect(await rows().count()).toBe(6);
    expect(new Set(await rows().locator('td:nth-child(3)').allTextContents())).toEqual(new Set(['CA']));
    await shot(page, 'dashboard-1280x800-bucket-clicked', true);
    // New failures arrive (one in the clicked bucket, one elsewhere): the list grows by the one that matches, and
    // the range, bucket and stage stay as the analyst set them.
    store.add([
      buildAttempt({ n: 4000, at: outageMinute + 40_000, outcome: 'failure', stage: 'ca', cause: 'ca_pending' }),
      buildAttempt({ n: 4001, at: outageMinute + 40_000, outcome: 'failure', stage: 'radius', cause: 'otp_rejected' }),
    ]);
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(7);
    await settled();
    expect(await rows().count()).toBe(7);
    expect(await page.locator('#chips button').count()).toBe(3);
    expect(await page.locator('#ranges button[aria-pressed="true"]').textContent()).toBe('Custom…');
    expect(await page.locator(`#rate g.bucket.selected`).getAttribute('data-bucket')).toBe(bucket);
    await page.locator('#chips button', { hasText: 'Clear all' }).click();
    await settled();
    expect(await rows().count()).toBe(11);
  });

  it('opens the ticket, and lists its failures', async () => {
    await page.locator('#ticket-rows tr', { hasText: 'ca:ca02' }).locator('button.open').click();
    const dialog = page.locator('dialog#ticket');
    await expect.poll(() => dialog.evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
    const facts = await dialog.locator('dl.facts').textContent();
    expect(facts).toContain('ca:ca02');
    expect(facts).toContain('6 attempts, 6 users');
    expect(facts).toContain('Also possibleca_denied_template_permission (2 of 6 attempts)');
    expect(await dialog.locator('.remediation').textContent()).toMatch(/^Remediation: .+/);
    await shot(page, 'dashboard-1280x800-ticket');
    await page.locator('#ticket-failures').click();
    await settled();
    expect(await page.locator('#chips button').allTextContents()).toEqual([
      'Root cause: ca_template_not_available ×',
      'Server: ca02 ×',
      'Clear all',
    ]);
    expect(await rows().count()).toBe(6);
    expect(await page.locator('#servers .tile.on').getAttribute('data-host')).toBe('ca02');
  });

  it('opens an attempt of the seed story with its waterfall and evidence', async () => {
    await page.locator('#chips button', { hasText: 'Clear all' }).click();
    await page.locator('#ranges button[data-range="custom"]').click();
    await page.fill('#from', '2013-10-21T00:00');
    await page.fill('#to', '2013-10-22T00:00');
    await page.locator('#apply').click();
    await settled();
    const seed = page.locator('#rows button.open', { hasText: SEED_USER });
    await seed.click();
    await expect.poll(() => page.locator('dialog#detail').evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
    await checkSeedWaterfall(page);
    const trace = seedAttempt(await seedAnalysis()).record.traceId;
    expect(await page.locator('#detail-body dl.facts a').getAttribute('href')).toBe(
      `http://localhost:16686/trace/${trace}`,
    );
    await shot(page, 'dashboard-1280x800-attempt-detail');
    await page.keyboard.press('Escape');
    // The user name an attacker planted in a log is text on the dashboard too.
    expect(await page.locator('#rows button.open', { hasText: 'script' }).textContent()).toBe(HOSTILE_USER);
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('img, b[onmouseover]').count()).toBe(0);
  });

  it('keeps the view in the URL, so a reload shows the same', async () => {
    await page.locator('#servers .tile').first().click();
    await settled();
    // The seed story's CA failures, in their 15-minute bucket.
    await page.locator('#rate g.bucket[data-bucket="2013-10-21T09:00:00.000Z"] rect.seg[data-stage="ca"]').click();
    await settled();
    const chips = await page.locator('#chips button').allTextContents();
    expect(chips).toContain('Bucket 2013-10-21 09:00 UTC ×');
    const shown = await rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-attempt')));
    expect(shown).toHaveLength(2);
    await page.reload();
    await ready(page);
    expect(await page.locator('#chips button').allTextContents()).toEqual(chips);
    expect(await rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-attempt')))).toEqual(shown);
    expect(await page.locator('#range-text').textContent()).toBe('2013-10-21 00:00 – 2013-10-22 00:00 UTC');
    expect([await page.inputValue('#from'), await page.inputValue('#to')]).toEqual([
      '2013-10-21 00:00',
      '2013-10-22 00:00',
    ]);
  });

  it('works on a 400px-wide window', async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    await checkNoHorizontalScroll(page);
    await shot(page, 'dashboard-400', true);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
