import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { computerNameOf } from '@otptrace/model';
import { renderReport } from '@otptrace/report';
import type { AttemptRecord } from '@otptrace/schemas';
import { summarizeAttempts } from '@otptrace/stats';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAttempt } from '../../packages/core/stats/test/attempts.js';
import { type Browser, launchChromium, OUTPUT_DIR } from '../browser/chromium.js';
import { ready, shot } from '../browser/seed-steps.js';

// A fleet report (otptrace analyze --format html) of six hours through two DA servers, two NPS and two CAs, with
// NPS probes: an analyst narrows it to one NPS server and two hours, sorts it and exports the rows as CSV. nps02 is
// named two ways, as its IAS log names it (`NPS02`) and as its event log does (`nps02.corp.example`): one server.
const T0 = Date.parse('2025-03-04T06:00:00Z');
const HOUR = 3_600_000;
const attempts: AttemptRecord[] = [];
for (let i = 0; i < 72; i++) {
  const nps = i % 6 === 0 ? 'NPS02' : i % 3 === 0 ? 'nps02.corp.example' : 'nps01.corp.example';
  const failed = i % 4 === 0;
  attempts.push(
    buildAttempt({
      n: i + 1,
      at: T0 + i * 5 * 60_000,
      outcome: failed ? 'failure' : 'success',
      stage: failed ? 'radius' : null,
      cause: failed ? 'otp_rejected' : null,
      gateway: i % 2 === 0 ? 'da01.corp.example' : 'da02.corp.example',
      radius: nps,
      ca: i % 5 === 0 ? 'ca02.corp.example' : 'ca01.corp.example',
      radiusMs: 100 + ((i * 37) % 400),
      user: i === 7 ? '=HYPERLINK("http://evil.example")' : `corp\\user${i}`,
    }),
  );
}
for (let i = 0; i < 24; i++) {
  attempts.push(buildAttempt({ n: 500 + i, at: T0 + i * 15 * 60_000, outcome: 'probe', radius: 'nps02.corp.example' }));
}
/** What the analyst should get: nps02's user attempts that started 08:00–10:00 UTC, by duration, longest first. */
const expected = attempts
  .filter((a) => a.outcome !== 'probe' && computerNameOf(a.hosts.radius!) === 'nps02')
  .filter((a) => Date.parse(a.start) >= T0 + 2 * HOUR && Date.parse(a.start) < T0 + 4 * HOUR);

let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = join(OUTPUT_DIR, 'report-fleet.html');
  writeFileSync(
    file,
    renderReport({ attempts: attempts.map((record) => ({ record })), stats: summarizeAttempts(attempts) }),
  );
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.goto(pathToFileURL(file).href);
  await ready(page);
});

afterAll(async () => {
  await browser?.close();
});

describe('fleet report in Chromium', () => {
  it('hides probes by default and shows the server, subnet, latency and top-user tables', async () => {
    expect(await page.locator('#list-status').textContent()).toBe('Attempts 1–50 of 72 (filtered from 96)');
    await page.locator('#f-probes').check();
    expect(await page.locator('#list-status').textContent()).toBe('Attempts 1–50 of 96');
    await page.locator('#f-probes').uncheck();
    const nps = await page.locator('#table-radius tbody tr').allInnerTexts();
    expect(nps.map((r) => r.split('\t'))).toEqual([
      ['nps01', '48', '12', '25.0%', '0'],
      ['nps02', '24', '6', '25.0%', '24'],
    ]);
    expect(await page.locator('#table-gateway tbody tr').count()).toBe(2);
    expect(await page.locator('#table-subnet tbody td').first().textContent()).toBe('203.0.113.0/24');
    expect((await page.locator('#table-latency tbody tr').first().locator('td').allTextContents()).slice(0, 2)).toEqual(
      ['RADIUS decision', '72'],
    );
    expect(await page.locator('#table-users tbody tr').count()).toBe(10);
    // Readable axes: counts on the y axis, UTC hours on the x axis.
    const labels = await page.locator('#chart-svg text').allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['0', 'attempts', '03-04 06:00', 'hour (UTC), 2025']));
    await shot(page, 'report-fleet-1280x800-summary', true);
    // The table's name lists the server's attempts under both its spellings.
    await page.locator('#table-radius tbody tr', { hasText: 'nps02' }).locator('button').click();
    expect(await page.locator('#list-status').textContent()).toBe('Attempts 1–24 of 24 (filtered from 96)');
    await page.selectOption('#f-radius', '');
  });

  it('filters by NPS server and by a time range dragged on the chart', async () => {
    await page.selectOption('#f-radius', 'nps02');
    const bar = (hour: number) =>
      page.locator(`#chart-svg g[data-bucket="2025-03-04T${String(hour).padStart(2, '0')}:00:00.000Z"] rect`).first();
    await page.locator('#chart-svg').scrollIntoViewIfNeeded();
    const from = await bar(8).boundingBox();
    const to = await bar(9).boundingBox();
    await page.mouse.move(from!.x + 2, from!.y + from!.height - 2);
    await page.mouse.down();
    await page.mouse.move(to!.x + 2, to!.y + to!.height - 2, { steps: 4 });
    await page.mouse.up();
    expect(await page.inputValue('#f-from')).toBe('2025-03-04 08:00');
    expect(await page.inputValue('#f-to')).toBe('2025-03-04 10:00');
    expect(Number(await page.locator('#brush').getAttribute('width'))).toBeGreaterThan(0);
    expect(await page.locator('#list-status').textContent()).toBe(
      `Attempts 1–${expected.length} of ${expected.length} (filtered from 96)`,
    );
    const nps = await page.locator('#rows td[data-label="NPS"]').allTextContents();
    expect(new Set(nps)).toEqual(new Set(['NPS02', 'nps02.corp.example']));
  });

  it('sorts by a column, both ways', async () => {
    const durations = async () => page.locator('#rows td[data-label="Duration"]').allTextContents();
    await page.locator('th[data-sort="duration"] button').click();
    await page.locator('th[data-sort="duration"] button').click();
    expect(await page.locator('th[data-sort="duration"]').getAttribute('aria-sort')).toBe('descending');
    const ms = (await durations()).map((d) => Number.parseFloat(d) * (d.endsWith(' s') ? 1000 : 1));
    expect(ms).toEqual([...ms].sort((a, b) => b - a));
    expect(new Set(ms).size).toBeGreaterThan(1);
    await shot(page, 'report-fleet-1280x800-filtered', true);
  });

  it('exports the filtered rows as CSV, in the order shown', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#csv').click()]);
    expect(download.suggestedFilename()).toBe('otptrace-attempts.csv');
    const path = join(OUTPUT_DIR, 'report-fleet-export.csv');
    await download.saveAs(path);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'attempt_id,trace_id,user,start,end,outcome,failed_stage,root_cause,error_code,da_server,nps_server,ca,client_address,duration_ms',
    );
    const rows = lines.slice(1).map((l) => l.split(','));
    const shownIds = await page
      .locator('#rows tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-attempt')));
    expect(rows.map((r) => r[0])).toEqual(shownIds);
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(expected.map((a) => a.id)));
    for (const row of rows) {
      const record = expected.find((a) => a.id === row[0])!;
      expect(row.slice(1, 8)).toEqual([
        record.traceId,
        record.user,
        record.start,
        record.end,
        record.outcome,
        record.failedStage ?? '',
        record.rootCause?.code ?? '',
      ]);
      expect(row[10]).toBe(record.hosts.radius);
      expect(Number(row[13])).toBe(Date.parse(record.end) - Date.parse(record.start));
    }
    expect(rows.map((r) => Number(r[13]))).toEqual(rows.map((r) => Number(r[13])).sort((a, b) => b - a));
  });

  it('neutralises a formula planted as a user name in the CSV', async () => {
    await page.locator('#reset').click();
    await page.fill('#q', 'hyperlink');
    await expect.poll(() => page.locator('#rows tr').count()).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#csv').click()]);
    const text = readFileSync(await download.path(), 'utf8');
    expect(text.split('\r\n')[1]).toContain(`,"'=HYPERLINK(""http://evil.example"")",`);
  });
});
