import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics.js';
import { renderPrometheus } from '../src/prometheus.js';

describe('Prometheus text from prom-client', () => {
  it('keeps quotes, backslashes and line breaks of label values, escaped as the format says', async () => {
    const metrics = createMetrics();
    metrics.counter('otptrace_test_total', 'A test counter.')(2, { path: 'C:\\logs\\"a"\nb' });
    expect(await metrics.render()).toBe(
      '# HELP otptrace_test_total A test counter.\n# TYPE otptrace_test_total counter\n' +
        'otptrace_test_total{path="C:\\\\logs\\\\\\"a\\"\\nb"} 2\n',
    );
    expect(metrics.value('otptrace_test_total', { path: 'C:\\logs\\"a"\nb' })).toBe(2);
  });

  it('renders an unlabelled counter that never counted as 0, gauges, and histograms counted elsewhere', async () => {
    const metrics = createMetrics();
    metrics.counter('otptrace_idle_total', 'Never counted.');
    metrics.gauge('otptrace_lag_records', 'Lag.')(7, { partition: '0' });
    expect(await metrics.render()).toBe(
      '# HELP otptrace_idle_total Never counted.\n# TYPE otptrace_idle_total counter\notptrace_idle_total 0\n\n' +
        '# HELP otptrace_lag_records Lag.\n# TYPE otptrace_lag_records gauge\notptrace_lag_records{partition="0"} 7\n',
    );
    const text = await renderPrometheus([
      {
        name: 'otptrace_latency_seconds',
        help: 'Latency.',
        type: 'histogram',
        samples: [
          { series: 'otptrace_latency_seconds_bucket', labels: { stage: 'ca', le: '0.5' }, value: 1 },
          { series: 'otptrace_latency_seconds_bucket', labels: { stage: 'ca', le: '+Inf' }, value: 2 },
          { series: 'otptrace_latency_seconds_sum', labels: { stage: 'ca' }, value: 3.08 },
          { series: 'otptrace_latency_seconds_count', labels: { stage: 'ca' }, value: 2 },
        ],
      },
    ]);
    expect(text).toBe(
      '# HELP otptrace_latency_seconds Latency.\n# TYPE otptrace_latency_seconds histogram\n' +
        'otptrace_latency_seconds_bucket{stage="ca",le="0.5"} 1\n' +
        'otptrace_latency_seconds_bucket{stage="ca",le="+Inf"} 2\n' +
        'otptrace_latency_seconds_sum{stage="ca"} 3.08\n' +
        'otptrace_latency_seconds_count{stage="ca"} 2\n',
    );
  });
});
