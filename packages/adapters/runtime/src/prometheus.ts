import type { MetricFamily } from '@otptrace/stats';
import type { Registry } from 'prom-client';

// prom-client is loaded on the first scrape: the otptrace command loads this package for its argument parser and
// should not pay for it.
let promClient:
  | Promise<typeof import('prom-client') & { PreAggregatedHistogram: PreAggregatedHistogramClass }>
  | undefined;

/**
 * Render metric families in the Prometheus text format with prom-client (its exposition and label escaping, not a
 * hand-written one): a fresh registry per scrape, each family a prom-client metric set to the values given.
 */
export async function renderPrometheus(families: readonly MetricFamily[]): Promise<string> {
  promClient ??= import('prom-client').then((m) => ({
    ...m,
    PreAggregatedHistogram: preAggregatedHistogram(m.Histogram),
  }));
  const { Counter, Gauge, PreAggregatedHistogram, Registry } = await promClient;
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

type HistogramOptions = { name: string; help: string; labelNames: string[]; registers: Registry[] };
type PreAggregatedHistogramClass = new (options: HistogramOptions, family: MetricFamily) => object;

/**
 * A histogram whose buckets were counted elsewhere (PostgreSQL): prom-client's histogram only counts observations
 * itself, so this one reports the given bucket, sum and count series instead.
 */
function preAggregatedHistogram(Histogram: typeof import('prom-client').Histogram): PreAggregatedHistogramClass {
  return class PreAggregatedHistogram extends Histogram<string> {
    constructor(
      options: HistogramOptions,
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
  };
}
