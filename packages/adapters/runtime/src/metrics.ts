/** A counter or gauge with optional labels, rendered in the Prometheus text format. */
interface Series {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, number>;
}

/** Increments a counter; `labels` select one series. */
export type CounterFn = (amount?: number, labels?: Record<string, string>) => void;
/** Sets a gauge. */
export type GaugeFn = (value: number, labels?: Record<string, string>) => void;

/** A small Prometheus registry: counters and gauges, exposed on /metrics by the admin server. */
export interface Metrics {
  counter(name: string, help: string): CounterFn;
  gauge(name: string, help: string): GaugeFn;
  /** The current value of one series (tests, logs). */
  value(name: string, labels?: Record<string, string>): number;
  render(): string;
}

const labelKey = (labels: Record<string, string> | undefined): string =>
  labels
    ? Object.keys(labels)
        .sort()
        .map((k) => `${k}="${String(labels[k]).replace(/["\\\n]/g, '_')}"`)
        .join(',')
    : '';

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
      return (amount = 1, labels) => {
        const key = labelKey(labels);
        s.values.set(key, (s.values.get(key) ?? 0) + amount);
      };
    },
    gauge(name, help) {
      const s = register(name, help, 'gauge');
      return (value, labels) => {
        s.values.set(labelKey(labels), value);
      };
    },
    value: (name, labels) => series.get(name)?.values.get(labelKey(labels)) ?? 0,
    render() {
      const lines: string[] = [];
      for (const s of series.values()) {
        lines.push(`# HELP ${s.name} ${s.help}`, `# TYPE ${s.name} ${s.type}`);
        if (s.values.size === 0) lines.push(`${s.name} 0`);
        for (const [key, value] of s.values) lines.push(`${s.name}${key ? `{${key}}` : ''} ${value}`);
      }
      return `${lines.join('\n')}\n`;
    },
  };
}
