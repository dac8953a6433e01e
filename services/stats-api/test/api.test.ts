import type { StatsReport, Ticket } from '@otptrace/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { buildAttempt } from '../../../packages/core/stats/test/attempts.js';
import { createStatsApi, type StatsApi } from '../src/api.js';
import { createMemoryStatsStore, type StatsStore } from '../src/store.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');
const errors: object[] = [];
const log = { info: () => {}, error: (obj: object) => void errors.push(obj) };
let api: StatsApi | undefined;

async function start(store: StatsStore): Promise<string> {
  api = createStatsApi({ host: '127.0.0.1', port: 0 }, { store, log });
  return `http://127.0.0.1:${await api.listen()}`;
}

afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('stats API', () => {
  it('serves statistics, tickets, health and live Prometheus counters', async () => {
    const store = createMemoryStatsStore({ burstThreshold: 3, burstMinUsers: 3 });
    const base = await start(store);
    store.add([
      buildAttempt({ n: 1, at: T0, outcome: 'success' }),
      buildAttempt({ n: 2, at: T0, outcome: 'failure', stage: 'ca', cause: 'ca_pending' }),
      buildAttempt({ n: 3, at: T0, outcome: 'probe' }),
    ]);
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ok' });

    const stats = (await (await fetch(`${base}/api/stats?by=cause&bucket=hour`)).json()) as StatsReport;
    expect(stats.rows.map((r: { key: string; attempts: number }) => [r.key, r.attempts])).toEqual([
      ['ca_pending', 1],
      ['(none)', 1],
    ]);
    expect(stats.totals).toMatchObject({ attempts: 2, probes: 1, failureRate: 0.5 });

    const tickets = (await (await fetch(`${base}/api/tickets?status=open`)).json()) as { tickets: Ticket[] };
    expect(tickets.tickets.map((t: { code: string }) => t.code)).toEqual(['ca_pending']);

    const before = await (await fetch(`${base}/metrics`)).text();
    expect(before).toContain(
      'otptrace_attempts_total{outcome="failure",failed_stage="ca",root_cause="ca_pending"} 1\n',
    );
    expect(before).toContain('otptrace_tickets_open{code="ca_pending",scope="ca:ca01"} 1\n');
    // Live: new attempts show at the next scrape; a replayed one does not.
    store.add([
      buildAttempt({ n: 2, at: T0, outcome: 'failure', stage: 'ca', cause: 'ca_pending' }),
      buildAttempt({ n: 4, at: T0 + 1000, outcome: 'failure', stage: 'ca', cause: 'ca_pending' }),
    ]);
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toContain(
      'otptrace_attempts_total{outcome="failure",failed_stage="ca",root_cause="ca_pending"} 2\n',
    );
  });

  it('answers 400 to a bad query, 404 to an unknown path, 405 to a POST', async () => {
    const base = await start(createMemoryStatsStore());
    const bad = await fetch(`${base}/api/stats?by=planet&bucket=week`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { issues: string[] }).issues).toHaveLength(2);
    expect((await fetch(`${base}/api/tickets?status=maybe`)).status).toBe(400);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/api/stats`, { method: 'POST' })).status).toBe(405);
  });

  it('reports an unavailable store on /readyz (not /healthz) and a 500 without details on a failing query', async () => {
    const broken: StatsStore = {
      queryStats: () => Promise.reject(new Error('connection refused')),
      listTickets: () => Promise.reject(new Error('connection refused')),
      metrics: () => Promise.reject(new Error('connection refused')),
      recentAttempts: () => Promise.reject(new Error('connection refused')),
      ping: () => Promise.reject(new Error('connection refused')),
      failureRate: () => Promise.reject(new Error('connection refused')),
      serverHealth: () => Promise.reject(new Error('connection refused')),
      failures: () => Promise.reject(new Error('connection refused')),
    };
    const base = await start(broken);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'connection refused' });
    const failed = await fetch(`${base}/api/stats`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'internal error' });
    expect(errors).toHaveLength(1);
  });
});
