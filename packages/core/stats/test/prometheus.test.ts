import { describe, expect, it } from 'vitest';
import { metricsFromFacts } from '../src/metrics.js';
import { metricFamilies } from '../src/prometheus.js';
import { distinctFacts } from '../src/report.js';
import { buildAttempt } from './attempts.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');

// The text format (and its escaping) is prom-client's, in packages/adapters/runtime; here, what the families hold.
describe('metricFamilies', () => {
  it('exports attempt counters, probes apart, and latency histograms', () => {
    const facts = distinctFacts([
      buildAttempt({ n: 1, at: T0, outcome: 'success', caMs: 80 }),
      buildAttempt({ n: 2, at: T0, outcome: 'failure', stage: 'ca', cause: 'ca_pending', caMs: 3000 }),
      buildAttempt({ n: 3, at: T0, outcome: 'probe', cause: 'radius_account' }),
    ]);
    const families = metricFamilies({
      ...metricsFromFacts(facts),
      openTickets: [{ labels: { code: 'ca_pending', scope: 'ca:"x"' }, value: 1 }],
    });
    const family = (name: string) => families.find((f) => f.name === name)!;
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ['otptrace_attempts_total', 'counter'],
      ['otptrace_attempts_by_host_total', 'counter'],
      ['otptrace_probes_total', 'counter'],
      ['otptrace_tickets_open', 'gauge'],
      ['otptrace_stage_latency_seconds', 'histogram'],
    ]);
    expect(family('otptrace_attempts_total').samples).toEqual([
      { labels: { outcome: 'failure', failed_stage: 'ca', root_cause: 'ca_pending' }, value: 1 },
      { labels: { outcome: 'success', failed_stage: '', root_cause: '' }, value: 1 },
    ]);
    expect(family('otptrace_probes_total').samples).toEqual([
      { labels: { radius: 'nps01', refused: 'true' }, value: 1 },
    ]);
    expect(family('otptrace_attempts_by_host_total').samples).toContainEqual({
      labels: { role: 'ca', host: 'ca01', outcome: 'failure' },
      value: 1,
    });
    const ca = family('otptrace_stage_latency_seconds').samples.filter((s) => s.labels.stage === 'ca');
    expect(ca).toContainEqual({
      series: 'otptrace_stage_latency_seconds_bucket',
      labels: { stage: 'ca', le: '0.1' },
      value: 1,
    });
    expect(ca).toContainEqual({
      series: 'otptrace_stage_latency_seconds_bucket',
      labels: { stage: 'ca', le: '5' },
      value: 2,
    });
    expect(ca).toContainEqual({
      series: 'otptrace_stage_latency_seconds_bucket',
      labels: { stage: 'ca', le: '+Inf' },
      value: 2,
    });
    expect(ca).toContainEqual({ series: 'otptrace_stage_latency_seconds_sum', labels: { stage: 'ca' }, value: 3.08 });
  });
});
