import type { AttemptFact } from './facts.js';

// The live counters behind a Prometheus /metrics endpoint. Counters are totals over every attempt ever stored, so
// they only grow (Prometheus counter semantics); rates and ratios are left to PromQL.

/** Upper bounds (ms) of the latency histogram buckets exported to Prometheus. */
export const LATENCY_BOUNDS_MS = [50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000] as const;

/** One labelled value. */
export interface MetricSample {
  labels: Record<string, string>;
  value: number;
}

/** A cumulative latency histogram of one stage. */
export interface LatencyHistogram {
  stage: 'radius' | 'ca' | 'end_to_end';
  /** Cumulative counts, one per `LATENCY_BOUNDS_MS` entry. */
  cumulative: number[];
  count: number;
  sumMs: number;
}

/** Everything /metrics reports. */
export interface MetricsSnapshot {
  /** Non-probe attempts by outcome, failed stage and root cause. */
  attempts: MetricSample[];
  /** Non-probe attempts by host role (gateway, radius, ca), host and outcome. */
  attemptsByHost: MetricSample[];
  /** RADIUS probes by NPS server and whether NPS refused them. */
  probes: MetricSample[];
  latencies: LatencyHistogram[];
  /** Open tickets by code and scope. */
  openTickets: MetricSample[];
}

/** Compute the counters from attempt facts (the in-memory equivalent of the PostgreSQL queries). */
export function metricsFromFacts(facts: readonly AttemptFact[]): Omit<MetricsSnapshot, 'openTickets'> {
  const attempts = new Tally();
  const byHost = new Tally();
  const probes = new Tally();
  const stages = { radius: newHistogram('radius'), ca: newHistogram('ca'), end_to_end: newHistogram('end_to_end') };
  for (const f of facts) {
    if (f.outcome === 'probe') {
      probes.add({ radius: f.radius ?? '', refused: String(f.rootCause !== null) });
      continue;
    }
    attempts.add({ outcome: f.outcome, failed_stage: f.failedStage ?? '', root_cause: f.rootCause ?? '' });
    for (const role of ['gateway', 'radius', 'ca'] as const) {
      const host = f[role];
      if (host !== null) byHost.add({ role, host, outcome: f.outcome });
    }
    observe(stages.radius, f.radiusMs);
    observe(stages.ca, f.caMs);
    observe(stages.end_to_end, f.endToEndMs);
  }
  return {
    attempts: attempts.samples(),
    attemptsByHost: byHost.samples(),
    probes: probes.samples(),
    latencies: Object.values(stages),
  };
}

function newHistogram(stage: LatencyHistogram['stage']): LatencyHistogram {
  return { stage, cumulative: LATENCY_BOUNDS_MS.map(() => 0), count: 0, sumMs: 0 };
}

function observe(histogram: LatencyHistogram, ms: number | null): void {
  if (ms === null) return;
  histogram.count += 1;
  histogram.sumMs += ms;
  LATENCY_BOUNDS_MS.forEach((bound, i) => {
    if (ms <= bound) histogram.cumulative[i] = (histogram.cumulative[i] ?? 0) + 1;
  });
}

/** Counts of label sets. */
class Tally {
  private readonly counts = new Map<string, MetricSample>();
  add(labels: Record<string, string>): void {
    const id = JSON.stringify(labels);
    const sample = this.counts.get(id) ?? { labels, value: 0 };
    this.counts.set(id, sample);
    sample.value += 1;
  }
  samples(): MetricSample[] {
    return [...this.counts.values()];
  }
}
