import { LATENCY_BOUNDS_MS, type MetricSample, type MetricsSnapshot } from './metrics.js';

/** One Prometheus metric family as data; an adapter renders it in the text format (prom-client does the escaping). */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** A histogram's samples name their series: `NAME_bucket` (with an `le` label), `NAME_sum`, `NAME_count`. */
  readonly samples: readonly {
    readonly series?: string;
    readonly labels: Record<string, string>;
    readonly value: number;
  }[];
}

/** The families of a metrics snapshot, as /metrics of the statistics API exports them. */
export function metricFamilies(snapshot: MetricsSnapshot): MetricFamily[] {
  const sorted = (samples: readonly MetricSample[]) =>
    [...samples].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
  const latency = 'otptrace_stage_latency_seconds';
  return [
    {
      name: 'otptrace_attempts_total',
      type: 'counter',
      help: 'OTP attempts by outcome, failed stage and root cause (probes excluded).',
      samples: sorted(snapshot.attempts),
    },
    {
      name: 'otptrace_attempts_by_host_total',
      type: 'counter',
      help: 'OTP attempts by DA server, NPS server and CA (probes excluded).',
      samples: sorted(snapshot.attemptsByHost),
    },
    {
      name: 'otptrace_probes_total',
      type: 'counter',
      help: 'RADIUS probes of the DA servers, counted apart from user attempts.',
      samples: sorted(snapshot.probes),
    },
    {
      name: 'otptrace_tickets_open',
      type: 'gauge',
      help: 'Open root-cause tickets by code and scope.',
      samples: sorted(snapshot.openTickets),
    },
    {
      name: latency,
      type: 'histogram',
      help: 'Stage latencies: RADIUS decision, CA issuance, end to end.',
      samples: snapshot.latencies.flatMap((h) => [
        ...LATENCY_BOUNDS_MS.map((bound, i) => ({
          series: `${latency}_bucket`,
          labels: { stage: h.stage, le: String(bound / 1000) },
          value: h.cumulative[i] ?? 0,
        })),
        { series: `${latency}_bucket`, labels: { stage: h.stage, le: '+Inf' }, value: h.count },
        { series: `${latency}_sum`, labels: { stage: h.stage }, value: h.sumMs / 1000 },
        { series: `${latency}_count`, labels: { stage: h.stage }, value: h.count },
      ]),
    },
  ];
}
