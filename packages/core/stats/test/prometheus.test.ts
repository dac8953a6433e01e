import { describe, expect, it } from 'vitest';
import { metricsFromFacts } from '../src/metrics.js';
import { formatPrometheus } from '../src/prometheus.js';
import { distinctFacts } from '../src/report.js';
import { buildAttempt } from './attempts.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');

describe('formatPrometheus', () => {
  it('exports attempt counters, probes apart, and latency histograms', () => {
    const facts = distinctFacts([
      buildAttempt({ n: 1, at: T0, outcome: 'success', caMs: 80 }),
      buildAttempt({ n: 2, at: T0, outcome: 'failure', stage: 'ca', cause: 'ca_pending', caMs: 3000 }),
      buildAttempt({ n: 3, at: T0, outcome: 'probe', cause: 'radius_account' }),
    ]);
    const text = formatPrometheus({
      ...metricsFromFacts(facts),
      openTickets: [{ labels: { code: 'ca_pending', scope: 'ca:"x"' }, value: 1 }],
    });
    expect(text).toContain('# TYPE otptrace_attempts_total counter\n');
    expect(text).toContain('otptrace_attempts_total{outcome="failure",failed_stage="ca",root_cause="ca_pending"} 1\n');
    expect(text).toContain('otptrace_attempts_total{outcome="success",failed_stage="",root_cause=""} 1\n');
    expect(text).toContain('otptrace_probes_total{radius="nps01.corp.example",refused="true"} 1\n');
    expect(text).toContain('otptrace_attempts_by_host_total{role="ca",host="ca01.corp.example",outcome="failure"} 1\n');
    expect(text).toContain('otptrace_tickets_open{code="ca_pending",scope="ca:\\"x\\""} 1\n');
    expect(text).toContain('otptrace_stage_latency_seconds_bucket{stage="ca",le="0.1"} 1\n');
    expect(text).toContain('otptrace_stage_latency_seconds_bucket{stage="ca",le="5"} 2\n');
    expect(text).toContain('otptrace_stage_latency_seconds_bucket{stage="ca",le="+Inf"} 2\n');
    expect(text).toContain('otptrace_stage_latency_seconds_sum{stage="ca"} 3.08\n');
    expect(text).not.toMatch(/otptrace_attempts_total\{outcome="probe"/);
  });
});
