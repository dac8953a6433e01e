import type { ReportData } from '@otptrace/report';
import { dashboardFailuresSchema, failureRateSeriesSchema, serverHealthViewSchema } from '@otptrace/schemas';
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
    expect(html).toContain('data-range="24h"');

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

  it('answers each panel for a range: failure rate, server health, latest failures', async () => {
    const store = createMemoryStatsStore();
    store.add([
      buildAttempt({ n: 1, at: T0, outcome: 'success' }),
      buildAttempt({ n: 2, at: T0 + 60_000, outcome: 'failure', stage: 'ca', cause: 'ca_pending' }),
      buildAttempt({
        n: 3,
        at: T0 + 120_000,
        outcome: 'failure',
        stage: 'radius',
        cause: 'otp_rejected',
        radius: 'nps02.corp.example',
      }),
      buildAttempt({ n: 4, at: T0 + 2 * HOUR, outcome: 'failure', stage: 'radius', cause: 'otp_rejected' }),
    ]);
    api = createStatsApi({ host: '127.0.0.1', port: 0 }, { store, log });
    const base = `http://127.0.0.1:${await api.listen()}/api/dashboard`;
    const range = 'from=2025-03-04T09:00:00Z&to=2025-03-04T10:00:00Z';
    const get = async (path: string) => (await fetch(`${base}${path}`)).json();

    // Each answer is what the published schema says.
    const rate = failureRateSeriesSchema.parse(await get(`/rate?${range}`));
    expect(rate.stepMs).toBe(60_000);
    expect(rate.buckets).toHaveLength(60);
    expect(rate.buckets.slice(0, 3).map((b) => [b.attempts, b.failures, b.byStage.ca, b.byStage.radius])).toEqual([
      [1, 0, 0, 0],
      [1, 1, 1, 0],
      [1, 1, 0, 1],
    ]);
    const servers = serverHealthViewSchema.parse(await get(`/servers?${range}`));
    expect(servers.radius.map((s) => [s.host, s.attempts, s.failures])).toEqual([
      ['nps02', 1, 1],
      ['nps01', 2, 0],
    ]);
    const failures = dashboardFailuresSchema.parse(await get(`/failures?${range}&stage=radius`)) as unknown as {
      total: number;
      data: ReportData;
    };
    expect(failures.total).toBe(1);
    expect(failures.data.attempts.map((a) => a[0])).toEqual(['attempt-3']);
    const byHost = (await get(`/failures?${range}&host=NPS02.corp.example`)) as { total: number };
    expect(byHost.total).toBe(1);
    const all = (await get('/failures?from=2025-03-04T00:00:00Z&to=2025-03-05T00:00:00Z&limit=1')) as {
      total: number;
      data: ReportData;
    };
    expect([all.total, all.data.attempts.map((a) => a[0])]).toEqual([3, ['attempt-4']]);

    for (const bad of [
      'from=yesterday',
      `${range}&stage=moon`,
      'from=2025-03-04T10:00:00Z&to=2025-03-04T09:00:00Z',
      'limit=0',
      'x=1',
    ]) {
      const response = await fetch(`${base}/failures?${bad}`);
      expect([bad, response.status]).toEqual([bad, 400]);
    }
  });

  it('accepts only an http(s) trace URL template with {traceId}', () => {
    const parse = (traceUrlTemplate: string) => statsApiConfigSchema.safeParse({ traceUrlTemplate }).success;
    expect(parse('http://localhost:9411/zipkin/traces/{traceId}')).toBe(true);
    expect(parse('javascript:alert(1)//{traceId}')).toBe(false);
    expect(parse('http://localhost:9411/zipkin/traces/')).toBe(false);
  });
});
