import { LATENCY_BOUNDS_MS, type MetricSample, type MetricsSnapshot } from './metrics.js';

// Prometheus text exposition format 0.0.4: `# HELP`, `# TYPE`, then `name{label="value"} number` lines.

/** Render a metrics snapshot in the Prometheus text format. */
export function formatPrometheus(snapshot: MetricsSnapshot): string {
  const lines: string[] = [];
  family(
    lines,
    'otptrace_attempts_total',
    'counter',
    'OTP attempts by outcome, failed stage and root cause (probes excluded).',
    snapshot.attempts,
  );
  family(
    lines,
    'otptrace_attempts_by_host_total',
    'counter',
    'OTP attempts by DA server, NPS server and CA (probes excluded).',
    snapshot.attemptsByHost,
  );
  family(
    lines,
    'otptrace_probes_total',
    'counter',
    'RADIUS probes of the DA servers, counted apart from user attempts.',
    snapshot.probes,
  );
  family(lines, 'otptrace_tickets_open', 'gauge', 'Open root-cause tickets by code and scope.', snapshot.openTickets);
  lines.push('# HELP otptrace_stage_latency_seconds Stage latencies: RADIUS decision, CA issuance, end to end.');
  lines.push('# TYPE otptrace_stage_latency_seconds histogram');
  for (const h of snapshot.latencies) {
    LATENCY_BOUNDS_MS.forEach((bound, i) => {
      lines.push(
        sample(
          'otptrace_stage_latency_seconds_bucket',
          { stage: h.stage, le: String(bound / 1000) },
          h.cumulative[i] ?? 0,
        ),
      );
    });
    lines.push(sample('otptrace_stage_latency_seconds_bucket', { stage: h.stage, le: '+Inf' }, h.count));
    lines.push(sample('otptrace_stage_latency_seconds_sum', { stage: h.stage }, h.sumMs / 1000));
    lines.push(sample('otptrace_stage_latency_seconds_count', { stage: h.stage }, h.count));
  }
  return `${lines.join('\n')}\n`;
}

function family(lines: string[], name: string, type: string, help: string, samples: readonly MetricSample[]): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  const sorted = [...samples].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
  for (const s of sorted) lines.push(sample(name, s.labels, s.value));
}

function sample(name: string, labels: Record<string, string>, value: number): string {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
  return `${name}${body === '' ? '' : `{${body}}`} ${value}`;
}
