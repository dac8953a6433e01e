import type { ReportData } from '@otptrace/report';
import { afterEach, describe, expect, it } from 'vitest';
import { buildAttempt } from '../../../packages/core/stats/test/attempts.js';
import { createStatsApi, type StatsApi } from '../src/api.js';
import { statsApiConfigSchema } from '../src/config.js';
import { createMemoryStatsStore } from '../src/store.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');
const HOUR = 3_600_000;
const log = { info: () => {}, error: () => {} };
let api: StatsApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('dashboard', () => {
  it('serves the page at / with the trace viewer template, and live data at /api/dashboard', async () => {
    const store = createMemoryStatsStore();
    store.add([
      buildAttempt({ n: 1, at: T0, outcome: 'success' }),
      buildAttempt({ n: 2, at: T0 + HOUR, outcome: 'failure', stage: 'ca', cause: 'ca_denied_key_length' }),
      buildAttempt({ n: 3, at: T0 + 2 * HOUR, outcome: 'failure', stage: 'radius', cause: 'otp_rejected' }),
      buildAttempt({ n: 4, at: T0 + 2 * HOUR, outcome: 'probe' }),
    ]);
    const template = 'http://localhost:16686/trace/{traceId}';
    api = createStatsApi(
      { host: '127.0.0.1', port: 0, traceUrlTemplate: template, dashboardAttempts: 3 },
      { store, log },
    );
    const base = `http://127.0.0.1:${await api.listen()}`;

    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain("connect-src 'self'");
    expect(html).toContain(JSON.stringify(template));

    const data = (await (await fetch(`${base}/api/dashboard`)).json()) as ReportData;
    const s = (i: number) => data.strings[i];
    // The three newest attempts, newest first.
    expect(data.attempts.map((a) => s(a[5]))).toEqual(['failure', 'probe', 'failure']);
    expect(data.fleet.totals).toMatchObject({ attempts: 3, success: 1, failure: 2, probes: 1 });
    expect(data.fleet.byStage).toEqual({ ca: 1, radius: 1 });
    expect(data.fleet.byCause.map((c) => [c.code, c.count])).toEqual([
      ['ca_denied_key_length', 1],
      ['otp_rejected', 1],
    ]);
    // Titles come from the root-cause catalogue, not the raw code.
    expect(data.fleet.byCause[1]!.title).not.toBe('otp_rejected');
    expect(data.fleet.hourly.map((b) => [b.bucket, b.success, b.failure])).toEqual([
      ['2025-03-04T09:00:00.000Z', 1, 0],
      ['2025-03-04T10:00:00.000Z', 0, 1],
      ['2025-03-04T11:00:00.000Z', 0, 1],
    ]);
  });

  it('accepts only an http(s) trace URL template with {traceId}', () => {
    const parse = (traceUrlTemplate: string) => statsApiConfigSchema.safeParse({ traceUrlTemplate }).success;
    expect(parse('http://localhost:9411/zipkin/traces/{traceId}')).toBe(true);
    expect(parse('javascript:alert(1)//{traceId}')).toBe(false);
    expect(parse('http://localhost:9411/zipkin/traces/')).toBe(false);
  });
});
