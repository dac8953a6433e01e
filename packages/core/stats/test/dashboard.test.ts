import { describe, expect, it } from 'vitest';
import {
  bucketStepMs,
  distinctFacts,
  failureRateFromFacts,
  matchesFailure,
  serverHealthFromFacts,
} from '../src/index.js';
import { buildAttempt } from './attempts.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');
const MIN = 60_000;
const HOUR = 3_600_000;

describe('dashboard panels in memory', () => {
  it('cuts a range into at most 120 epoch-aligned buckets', () => {
    expect(bucketStepMs({ fromMs: T0, toMs: T0 + HOUR })).toBe(MIN);
    expect(bucketStepMs({ fromMs: T0, toMs: T0 + 24 * HOUR })).toBe(15 * MIN);
    expect(bucketStepMs({ fromMs: T0, toMs: T0 + 7 * 24 * HOUR })).toBe(3 * HOUR);
    expect(bucketStepMs({ fromMs: T0, toMs: T0 + 365 * 24 * HOUR })).toBe(4 * 24 * HOUR);
  });

  it('counts failures per stage and bucket, fills empty buckets and leaves probes out', () => {
    const facts = distinctFacts([
      buildAttempt({ n: 1, at: T0 + 10_000, outcome: 'success' }),
      buildAttempt({ n: 2, at: T0 + 20_000, outcome: 'failure', stage: 'ca', cause: 'ca_pending' }),
      buildAttempt({ n: 3, at: T0 + 3 * MIN, outcome: 'failure', stage: 'radius', cause: 'otp_rejected' }),
      buildAttempt({ n: 4, at: T0 + 3 * MIN, outcome: 'probe', cause: 'radius_account' }),
      buildAttempt({ n: 5, at: T0 + 3 * MIN, outcome: 'incomplete' }),
      buildAttempt({ n: 6, at: T0 + 5 * MIN, outcome: 'success' }),
    ]);
    const series = failureRateFromFacts(facts, { fromMs: T0 + 30_000, toMs: T0 + 5 * MIN });
    expect(series.stepMs).toBe(MIN);
    // The range starts inside the 09:00 bucket: it is shown, but only its attempts in range count (none).
    expect(series.buckets.map((b) => [b.start.slice(11, 16), b.attempts, b.failures, b.byStage.radius])).toEqual([
      ['09:00', 0, 0, 0],
      ['09:01', 0, 0, 0],
      ['09:02', 0, 0, 0],
      ['09:03', 2, 1, 1],
      ['09:04', 0, 0, 0],
    ]);
  });

  it('rates each server by failures at its own stage, with the p90 of its stage latency', () => {
    const facts = distinctFacts([
      ...Array.from({ length: 10 }, (_, i) =>
        buildAttempt({ n: i + 1, at: T0 + i * MIN, outcome: 'success', caMs: (i + 1) * 100 }),
      ),
      buildAttempt({ n: 20, at: T0, outcome: 'failure', stage: 'ca', cause: 'ca_pending', ca: 'ca02.corp.example' }),
      buildAttempt({ n: 21, at: T0, outcome: 'failure', stage: 'radius', cause: 'otp_rejected', ca: null }),
      buildAttempt({ n: 22, at: T0, outcome: 'probe' }),
    ]);
    const health = serverHealthFromFacts(facts, { fromMs: T0, toMs: T0 + HOUR });
    expect(health.ca.map((s) => [s.host, s.attempts, s.failures, s.failureRate])).toEqual([
      ['ca02', 1, 1, 1],
      ['ca01', 10, 0, 0],
    ]);
    // Nearest rank: the 9th of 100..1000 ms.
    expect(health.ca[1]!.p90Ms! / 900).toBeCloseTo(1, 1);
    expect(health.radius).toEqual([expect.objectContaining({ host: 'nps01', attempts: 12, failures: 1 })]);
    // The DA server is not blamed for a CA denial or a wrong OTP.
    expect(health.gateway).toEqual([expect.objectContaining({ host: 'da01', attempts: 12, failures: 0 })]);
  });

  it('filters failures by stage, cause and any of their servers', () => {
    const [fact] = distinctFacts([
      buildAttempt({ n: 1, at: T0, outcome: 'failure', stage: 'ca', cause: 'ca_pending' }),
    ]);
    const range = { fromMs: T0, toMs: T0 + 1 };
    expect(matchesFailure(fact!, range, { stage: 'ca', cause: 'ca_pending', host: 'da01' })).toBe(true);
    expect(matchesFailure(fact!, range, { host: 'ca02' })).toBe(false);
    expect(matchesFailure(fact!, { fromMs: T0 + 1, toMs: T0 + 2 }, {})).toBe(false);
  });
});
