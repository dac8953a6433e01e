import type { LatencySummary } from '@otptrace/schemas';

// A mergeable latency sketch with fixed logarithmic buckets: bucket i holds values in (γ^(i-1), γ^i]. Any
// percentile it reports is within ±1 % of a value that was recorded (γ = 1.02), whatever the distribution, and two
// sketches merge by adding bucket counts, so per-shard or per-bucket sketches combine without the raw values.

/** Ratio between bucket bounds: bucket i holds (γ^(i-1), γ^i] (SQL aggregates bucket with the same γ). */
export const SKETCH_GAMMA = 1.02;
const GAMMA = SKETCH_GAMMA;
const LOG_GAMMA = Math.log(GAMMA);

/** Counts of latencies (ms) per logarithmic bucket; plain JSON so it can be stored and merged. */
export interface LatencySketch {
  count: number;
  /** Values ≤ 0 ms (clock granularity), kept apart from the logarithmic buckets. */
  zeros: number;
  min: number | null;
  max: number | null;
  buckets: Record<string, number>;
}

/** An empty sketch. */
export function emptySketch(): LatencySketch {
  return { count: 0, zeros: 0, min: null, max: null, buckets: {} };
}

/** Record one latency in milliseconds (mutates the sketch). */
export function recordLatency(sketch: LatencySketch, ms: number): void {
  sketch.count += 1;
  sketch.min = sketch.min === null ? ms : Math.min(sketch.min, ms);
  sketch.max = sketch.max === null ? ms : Math.max(sketch.max, ms);
  if (ms <= 0) {
    sketch.zeros += 1;
    return;
  }
  const index = String(Math.ceil(Math.log(ms) / LOG_GAMMA));
  sketch.buckets[index] = (sketch.buckets[index] ?? 0) + 1;
}

/** Add `other`'s counts into `into` (mutates `into`). */
export function mergeSketch(into: LatencySketch, other: LatencySketch): void {
  into.count += other.count;
  into.zeros += other.zeros;
  if (other.min !== null) into.min = into.min === null ? other.min : Math.min(into.min, other.min);
  if (other.max !== null) into.max = into.max === null ? other.max : Math.max(into.max, other.max);
  for (const [index, n] of Object.entries(other.buckets)) into.buckets[index] = (into.buckets[index] ?? 0) + n;
}

/** The value at quantile q (0–1), by the nearest-rank rule; null for an empty sketch. */
export function sketchQuantile(sketch: LatencySketch, q: number): number | null {
  if (sketch.count === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sketch.count));
  if (rank <= sketch.zeros) return 0;
  // The top rank is the maximum, which the sketch keeps exactly.
  if (rank === sketch.count) return sketch.max;
  let seen = sketch.zeros;
  const indices = Object.keys(sketch.buckets)
    .map(Number)
    .sort((a, b) => a - b);
  for (const index of indices) {
    seen += sketch.buckets[String(index)] ?? 0;
    // The bucket's midpoint in relative terms, kept within the true extremes (so equal values report themselves).
    const midpoint = round((2 * GAMMA ** index) / (GAMMA + 1));
    if (seen >= rank) return clamp(midpoint, sketch.min ?? 0, sketch.max ?? Number.POSITIVE_INFINITY);
  }
  return sketch.max;
}

/** p50, p90, p99 and max of a sketch. */
export function summarizeSketch(sketch: LatencySketch): LatencySummary {
  return {
    count: sketch.count,
    p50: sketchQuantile(sketch, 0.5),
    p90: sketchQuantile(sketch, 0.9),
    p99: sketchQuantile(sketch, 0.99),
    max: sketch.max,
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}
