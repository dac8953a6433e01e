import { describe, expect, it } from 'vitest';
import { startAdminServer } from '../src/admin-server.js';
import { createMetrics } from '../src/metrics.js';

describe('startAdminServer', () => {
  it('answers liveness, readiness with reasons, and Prometheus metrics', async () => {
    const metrics = createMetrics();
    const eventsIn = metrics.counter('otptrace_events_in_total', 'Events received.');
    eventsIn(3, { source: 'http' });
    let ready = false;
    const server = await startAdminServer('127.0.0.1', 0, {
      alive: () => true,
      readiness: () => ({ ready, reasons: ready ? [] : ['kafka: producer not connected'] }),
      metrics: () => metrics.render(),
    });
    const base = `http://127.0.0.1:${server.port}`;
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const notReady = await fetch(`${base}/readyz`);
      expect([notReady.status, await notReady.json()]).toEqual([
        503,
        { ready: false, reasons: ['kafka: producer not connected'] },
      ]);
      ready = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${base}/metrics`)).text()).toBe(
        '# HELP otptrace_events_in_total Events received.\n# TYPE otptrace_events_in_total counter\n' +
          'otptrace_events_in_total{source="http"} 3\n',
      );
    } finally {
      await server.close();
    }
  });
});
