import type { MetricFamily } from '@otptrace/stats';
import { renderPrometheus } from './prometheus.js';

/** A counter or gauge: its values by label set. */
interface Series {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Record<string, string>; value: number }>;
}

/** Increments a counter; `labels` select one series. */
export type CounterFn = (amount?: number, labels?: Record<string, string>) => void;
/** Sets a gauge. */
export type GaugeFn = (value: number, labels?: Record<string, string>) => void;

/** A service's counters and gauges, exposed on /metrics by the admin server (rendered by prom-client). */
export interface Metrics {
  counter(name: string, help: string): CounterFn;
  gauge(name: string, help: string): GaugeFn;
  /** The current value of one series (tests, logs). */
  value(name: string, labels?: Record<string, string>): number;
  /** The Prometheus text format. */
  render(): Promise<string>;
}

/** A series' key: its labels, sorted (the values kept as given; prom-client escapes them when rendering). */
const labelKey = (labels: Record<string, string> | undefined): string =>
  labels === undefined
    ? ''
    : JSON.stringify(
        Object.keys(labels)
          .sort()
          .map((k) => [k, labels[k]]),
      );

/** Creates an empty registry. */
export function createMetrics(): Metrics {
  const series = new Map<string, Series>();
  const register = (name: string, help: string, type: Series['type']): Series => {
    const existing = series.get(name);
    if (existing) return existing;
    const created: Series = { name, help, type, values: new Map() };
    series.set(name, created);
    return created;
  };
  return {
    counter(name, help) {
      const s = register(name, help, 'counter');
      return (amount = 1, labels = {}) => {
        const key = labelKey(labels);
        s.values.set(key, { labels, value: (s.values.get(key)?.value ?? 0) + amount });
      };
    },
    gauge(name, help) {
      const s = register(name, help, 'gauge');
      return (value, labels = {}) => {
        s.values.set(labelKey(labels), { labels, value });
      };
    },
    value: (name, labels = {}) => series.get(name)?.values.get(labelKey(labels))?.value ?? 0,
    render: () =>
      renderPrometheus(
        [...series.values()].map(
          (s): MetricFamily => ({ name: s.name, help: s.help, type: s.type, samples: [...s.values.values()] }),
        ),
      ),
  };
}
