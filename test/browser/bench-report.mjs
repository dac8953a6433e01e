// Speed of the HTML report with many attempts: builds a report of N attempts (the seed story's records repeated
// with new IDs, users and times), then opens it in Debian's Chromium and times what the analyst waits for.
// Usage: npx tsc -b packages/tools/report packages/adapters/files && node test/browser/bench-report.mjs [N=50000]
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { analyzePaths } from '../../packages/adapters/files/dist/index.js';
import { summarizeAttempts } from '../../packages/core/stats/dist/index.js';
import { renderReport } from '../../packages/tools/report/dist/index.js';
import { analysisConfigSchema } from '../../schemas/dist/index.js';

const count = Number(process.argv[2] ?? 50_000);
const seed = await analyzePaths(['examples/seed-story'], analysisConfigSchema.parse({}));
const shiftIso = (iso, ms) => new Date(Date.parse(iso) + ms).toISOString();

/** The k-th copy: another user, another client, 37 s later than the previous one, fresh IDs. */
function copy(k) {
  const r = seed.attempts[k % seed.attempts.length].record;
  const shift = k * 37_000;
  const hex = k.toString(16).padStart(8, '0');
  return {
    ...r,
    id: `${hex}${r.id.slice(8)}`,
    traceId: `${hex}${r.traceId.slice(8)}`,
    user: r.outcome === 'probe' ? r.user : `corp\\user${k % 7919}`,
    start: shiftIso(r.start, shift),
    end: shiftIso(r.end, shift),
    evidence: r.evidence.map((e) => ({ ...e, time: shiftIso(e.time, shift), recordId: e.recordId + k })),
    clientAddress: r.clientAddress === null ? null : `203.0.${(k >> 8) & 255}.${k & 255}`,
  };
}

const records = Array.from({ length: count }, (_, k) => copy(k));
let t = performance.now();
const html = renderReport({ attempts: records.map((record) => ({ record })), stats: summarizeAttempts(records) });
const renderMs = performance.now() - t;
mkdirSync('test-output', { recursive: true });
const file = join('test-output', `report-${count}.html`);
writeFileSync(file, html);

const profile = mkdtempSync(join(tmpdir(), 'otptrace-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
  viewport: { width: 1280, height: 800 },
});
const page = await context.newPage();
t = performance.now();
await page.goto(pathToFileURL(file).href, { waitUntil: 'commit' });
await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
const interactiveMs = performance.now() - t;

/** Type a query the way the input event delivers it; time until the list status changes (60 ms debounce included). */
async function searchMs(query) {
  return page.evaluate(
    (q) =>
      new Promise((resolve) => {
        const status = document.getElementById('list-status');
        const input = document.getElementById('q');
        const start = performance.now();
        new MutationObserver((_, observer) => {
          observer.disconnect();
          resolve(performance.now() - start);
        }).observe(status, { childList: true, characterData: true, subtree: true });
        input.value = q;
        input.dispatchEvent(new Event('input'));
      }),
    query,
  );
}
const searches = [];
for (const q of ['user4242', 'corp\\user1', '203.0.1', 'bsimon', '']) searches.push([q, await searchMs(q)]);

/** Time from an action in the page to the next change of the list's rows. */
async function listChangeMs(action) {
  return page.evaluate(
    (what) =>
      new Promise((resolve) => {
        const start = performance.now();
        new MutationObserver((_, observer) => {
          observer.disconnect();
          resolve(performance.now() - start);
        }).observe(document.getElementById('rows'), { childList: true });
        if (what === 'sort') document.querySelector('th[data-sort="duration"] button').click();
        if (what === 'server') {
          const select = document.getElementById('f-radius');
          select.value = select.options[1].value;
          select.dispatchEvent(new Event('change'));
        }
        if (what === 'range') {
          const from = document.getElementById('f-from');
          from.value = document.querySelector('#chart-svg g[data-bucket]').getAttribute('data-bucket').slice(0, 16);
          from.dispatchEvent(new Event('change'));
        }
      }),
    action,
  );
}
const sortMs = await listChangeMs('sort');
const serverMs = await listChangeMs('server');
const rangeMs = await listChangeMs('range');
await page.evaluate(() => document.getElementById('reset').click());
await page.waitForFunction(() => !document.getElementById('f-radius').value);
t = performance.now();
const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#csv').click()]);
const csvPath = await download.path();
const csvMs = performance.now() - t;
const csvRows = (await import('node:fs')).readFileSync(csvPath, 'utf8').trimEnd().split('\r\n').length - 1;
t = performance.now();
await page.locator('#rows button.open').first().click();
await page.waitForSelector('dialog#detail[open]');
const openMs = performance.now() - t;
const heapMb = (await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0)) / 1e6;
await context.close();
rmSync(profile, { recursive: true, force: true });

console.log(`attempts                 ${count}`);
console.log(`report size              ${(statSync(file).size / 1e6).toFixed(1)} MB`);
console.log(`renderReport (node)      ${renderMs.toFixed(0)} ms`);
console.log(`time to interactive      ${interactiveMs.toFixed(0)} ms (navigation to list rendered)`);
for (const [q, ms] of searches)
  console.log(`search ${JSON.stringify(q).padEnd(17)} ${ms.toFixed(0)} ms (incl. 60 ms debounce)`);
console.log(`sort by duration         ${sortMs.toFixed(0)} ms`);
console.log(`filter by NPS server     ${serverMs.toFixed(0)} ms`);
console.log(`time range (From field)  ${rangeMs.toFixed(0)} ms`);
console.log(`CSV export of ${csvRows} rows ${csvMs.toFixed(0)} ms (click to file saved)`);
console.log(`open attempt dialog      ${openMs.toFixed(0)} ms`);
console.log(`JS heap after            ${heapMb.toFixed(0)} MB`);
