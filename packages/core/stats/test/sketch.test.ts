import { describe, expect, it } from 'vitest';
import { emptySketch, mergeSketch, recordLatency, sketchQuantile, summarizeSketch } from '../src/sketch.js';

describe('latency sketch', () => {
  it('reports percentiles within 1 % of the exact nearest-rank value', () => {
    const sketch = emptySketch();
    const values = Array.from({ length: 1000 }, (_, i) => 10 + ((i * 7919) % 1000) * 3.3);
    for (const v of values) recordLatency(sketch, v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1] ?? 0;
      const estimate = sketchQuantile(sketch, q) ?? 0;
      expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.011);
    }
    expect(summarizeSketch(sketch).max).toBe(sorted.at(-1));
  });

  it('merges two sketches into the sketch of all values', () => {
    const a = emptySketch();
    const b = emptySketch();
    const all = emptySketch();
    [5, 50, 500].forEach((v) => {
      recordLatency(a, v);
      recordLatency(all, v);
    });
    [0, 7, 7000].forEach((v) => {
      recordLatency(b, v);
      recordLatency(all, v);
    });
    mergeSketch(a, b);
    expect(a).toEqual(all);
    expect(summarizeSketch(a).count).toBe(6);
  });

  it('is empty without values and counts zero latencies apart', () => {
    expect(summarizeSketch(emptySketch())).toEqual({ count: 0, p50: null, p90: null, p99: null, max: null });
    const sketch = emptySketch();
    recordLatency(sketch, 0);
    recordLatency(sketch, 0);
    recordLatency(sketch, 100);
    expect(sketchQuantile(sketch, 0.5)).toBe(0);
    expect(sketchQuantile(sketch, 1)).toBe(100);
  });

  it('reports equal values exactly', () => {
    const sketch = emptySketch();
    for (const v of [350, 350, 350]) recordLatency(sketch, v);
    expect(summarizeSketch(sketch)).toEqual({ count: 3, p50: 350, p90: 350, p99: 350, max: 350 });
  });
});
