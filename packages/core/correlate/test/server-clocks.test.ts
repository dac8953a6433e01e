import { describe, expect, it } from 'vitest';
import { clockReachOf, ServerClocks } from '../src/server-clocks.js';

/** A deterministic stream of numbers in [0, 1). */
function random(seed: number): () => number {
  let r = seed;
  return () => {
    r = (Math.imul(r, 1664525) + 1013904223) >>> 0;
    return r / 2 ** 32;
  };
}

/**
 * `requests` request ends 20 s apart on DA server `host`; beside each, its own decision `own` ms from its end and 5
 * other users' decisions anywhere within the reach.
 */
function teach(clocks: ServerClocks, host: string, requests: number, own: (i: number) => number, seed = 1): void {
  const next = random(seed);
  for (let i = 0; i < requests; i++) {
    const end = 1_000_000 + i * 20_000;
    const others = Array.from({ length: 5 }, () => end + (next() * 2 - 1) * clocks.reachMs);
    clocks.learn(host, end, [end + own(i), ...others]);
  }
}

describe('ServerClocks', () => {
  it('reads two thirds of the clock-skew tolerance around a request', () => {
    expect(clockReachOf(180_000)).toBe(120_000);
    expect(new ServerClocks(clockReachOf(180_000)).reachMs).toBe(120_000);
  });

  it('learns nothing from synchronised clocks: decisions just before their request ends', () => {
    const clocks = new ServerClocks(120_000);
    const jitter = random(2);
    teach(clocks, 'da1', 400, () => -50 - jitter() * 400);
    expect(clocks.offset('da1')).toBe(0);
    expect([clocks.leastOffset, clocks.greatestOffset]).toEqual([0, 0]);
  });

  it("learns how far ahead or behind the NPS clock is, per DA server, from each request's own decision", () => {
    const clocks = new ServerClocks(120_000);
    const jitter = random(3);
    // NPS 1.3 s ahead of da1, 7 s behind da2: each decision ~150 ms before its request's end on the DA clock.
    teach(clocks, 'da1', 300, () => 1_300 - 150 + (jitter() - 0.5) * 200);
    teach(clocks, 'da2', 300, () => -7_000 - 150 + (jitter() - 0.5) * 200, 9);
    expect(Math.abs(clocks.offset('da1') - 1_275)).toBeLessThan(100);
    expect(Math.abs(clocks.offset('da2') + 7_025)).toBeLessThan(100);
    expect(clocks.leastOffset).toBe(clocks.offset('da2'));
    expect(clocks.greatestOffset).toBe(clocks.offset('da1'));
    expect(clocks.offset('da3')).toBe(0);
  });

  it('needs a dozen requests before it trusts a peak, and none from noise alone', () => {
    const clocks = new ServerClocks(120_000);
    teach(clocks, 'da1', 3, () => 5_000);
    expect(clocks.offset('da1')).toBe(0);
    teach(clocks, 'da1', 20, () => 5_000);
    expect(Math.abs(clocks.offset('da1') - 5_125)).toBeLessThan(130);
    const noisy = new ServerClocks(120_000);
    const next = random(4);
    for (let i = 0; i < 500; i++) {
      const end = i * 20_000;
      noisy.learn('da1', end, [end + (next() * 2 - 1) * 120_000, end + (next() * 2 - 1) * 120_000]);
    }
    expect(noisy.offset('da1')).toBe(0);
  });

  it('follows a clock that changes: older distances count half as much each time they add up', () => {
    const clocks = new ServerClocks(120_000);
    teach(clocks, 'da1', 400, () => 3_000);
    expect(Math.abs(clocks.offset('da1') - 3_125)).toBeLessThan(130);
    // The DA server's clock was set right: its decisions now come just before its requests' ends.
    teach(clocks, 'da1', 3_000, () => -150, 5);
    expect(clocks.offset('da1')).toBe(0);
  });
});
