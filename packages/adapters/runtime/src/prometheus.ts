import type { MetricFamily } from '@otptrace/stats';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Render metric families in the Prometheus text format with prom-client (its exposition and label escaping, not a
 * hand-written one): a fresh registry per scrape, each family a prom-client metric set to the values given.
 */
export async function renderPrometheus(families: readonly MetricFamily[]): Promise<string> {
  const registry = new Registry();
  for (const family of families) {
    const labelNames = [...new Set(family.samples.flatMap((s) => Object.keys(s.labels)))].filter((n) => n !== 'le');
    const options = { name: family.name, help: family.help, labelNames, registers: [registry] };
    if (family.type === 'counter') {
      const counter = new Counter(options);
      for (const s of family.samples) counter.inc(s.labels, s.value);
    } else if (family.type === 'gauge') {
      const gauge = new Gauge(options);
      for (const s of family.samples) gauge.set(s.labels, s.value);
    } else {
      new PreAggregatedHistogram(options, family);
    }
  }
  return registry.metrics();
}

/**
 * A histogram whose buckets were counted elsewhere (PostgreSQL): prom-client's histogram only counts observations
 * itself, so this one reports the given bucket, sum and count series instead.
 */
class PreAggregatedHistogram extends Histogram<string> {
  constructor(
    options: { name: string; help: string; labelNames: string[]; registers: Registry[] },
    private readonly family: MetricFamily,
  ) {
    super(options);
  }

  /** What prom-client renders a histogram from (its registry, and its get(), call this). */
  async getForPromString() {
    return {
      name: this.family.name,
      help: this.family.help,
      type: 'histogram',
      aggregator: 'sum',
      values: this.family.samples.map((s) => ({
        metricName: s.series ?? this.family.name,
        labels: s.labels,
        value: s.value,
      })),
    };
  }
}
