import { main } from '@otptrace/cli';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchChromium } from '../browser/chromium.js';
import { shot } from '../browser/seed-steps.js';
import { ZIPKIN_API } from './setup-zipkin.js';

// What an analyst sees: the bundled example exported with `otptrace analyze --otlp-protocol zipkin` to the real
// Zipkin server (deploy/zipkin), then its UI in Debian's Chromium. corp\bsimon's attempt (examples/seed-story) failed
// at the CA: 4888 denied with CERTSRV_E_KEY_LENGTH. Its trace ID is derived from the logs, so it is stable.
const ZIPKIN = ZIPKIN_API.replace(/\/api\/v2$/, '');
const TRACE_ID = '7ed4c227bbbb1abf6805d65dc275d1b0';
/** The seed story's day (2013-10-21 UTC): the spans carry the events' own times. */
const DAY_START = Date.parse('2013-10-21T00:00:00Z');
const DAY_END = Date.parse('2013-10-22T00:00:00Z');

let browser: Browser;
let page: Page;

/** Whether the trace timeline shows a row labelled `label`, and whether that row carries Zipkin's error icon. */
async function row(label: string): Promise<{ shown: boolean; error: boolean }> {
  const texts = page.getByText(label, { exact: true });
  const icons = texts.locator('xpath=preceding-sibling::*[contains(@class, "MuiSvgIcon-colorError")]');
  return { shown: (await texts.count()) > 0, error: (await icons.count()) > 0 };
}

beforeAll(async () => {
  const err: string[] = [];
  const code = await main(['analyze', 'examples/seed-story', '--otlp-protocol', 'zipkin', '--otlp-endpoint', ZIPKIN], {
    stdout: () => {},
    stderr: (t) => void err.push(t),
  });
  expect(code, err.join('')).toBe(0);
  expect(err.join('')).toContain(`22 of 22 spans of 8 traces exported to ${ZIPKIN}/api/v2/spans`);
  // Zipkin stores asynchronously: wait until the trace reads back whole.
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${ZIPKIN_API}/trace/${TRACE_ID}`);
    if (res.ok && ((await res.json()) as unknown[]).length >= 5) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  browser = await launchChromium({ width: 1400, height: 900 });
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
});

describe('an exported failed attempt in the Zipkin UI (Chromium)', () => {
  it('opens by trace ID across four services, the failing CA span marked as an error', async () => {
    await page.goto(`${ZIPKIN}/zipkin/traces/${TRACE_ID}`);
    await page.getByText('ca: ca enrolment', { exact: true }).first().waitFor({ timeout: 30_000 });
    const body = await page.locator('body').innerText();
    expect(body).toMatch(/Services\s+4\b/);
    expect(body).toContain(TRACE_ID);
    expect(await row('ca: ca enrolment')).toEqual({ shown: true, error: true });
    // The attempt failed, so its root is marked too; the steps that went well are not.
    expect(await row('da-client: otp attempt')).toEqual({ shown: true, error: true });
    expect(await row('nps: radius access-request')).toEqual({ shown: true, error: false });
    expect((await row('da-client: otp client result')).shown).toBe(true);
    await shot(page, 'zipkin-trace-failed-attempt');
    // The failing span's details: Zipkin's error tag is the root cause's title, with the CA's HRESULT.
    await page.getByText('ca: ca enrolment', { exact: true }).first().click();
    await page.getByText('CERTSRV_E_KEY_LENGTH').first().waitFor({ timeout: 10_000 });
    const details = await page.locator('body').innerText();
    expect(details).toContain('ca_denied_key_length');
    expect(details).toContain('0x80094811');
    await shot(page, 'zipkin-trace-failed-ca-span');
  });

  it("draws the roles' dependency graph over the logs' historical day", async () => {
    await page.goto(`${ZIPKIN}/zipkin/dependency?startTime=${DAY_START}&endTime=${DAY_END}`);
    // The graph is drawn on a canvas (no text to read): let it settle, keep the picture, read the links from the API.
    await page.locator('canvas').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(2_000);
    await shot(page, 'zipkin-dependencies');
    // The same links through the API, with the failures counted on the client → CA edge.
    const links = (await (
      await fetch(`${ZIPKIN_API}/dependencies?endTs=${DAY_END}&lookback=${DAY_END - DAY_START}`)
    ).json()) as { parent: string; child: string; errorCount?: number }[];
    expect(links.map((l) => `${l.parent}→${l.child}`).sort()).toEqual([
      'da-client→ca',
      'da-client→da-server',
      'da-server→nps',
    ]);
    expect(links.find((l) => l.child === 'ca')?.errorCount).toBeGreaterThanOrEqual(1);
  });
});
