import { statsQuerySchema } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { summarizeAttempts } from '../src/fleet.js';
import { formatFleetStats, formatStatsReport } from '../src/format.js';
import { statsReport } from '../src/report.js';
import { buildAttempt } from './attempts.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');
const attempts = [
  buildAttempt({ n: 1, at: T0, outcome: 'success', user: 'alice' }),
  buildAttempt({ n: 2, at: T0 + 1000, outcome: 'failure', stage: 'radius', cause: 'otp_rejected', user: 'bob' }),
  buildAttempt({ n: 3, at: T0 + 2000, outcome: 'failure', stage: 'radius', cause: 'otp_rejected', user: 'bob' }),
  buildAttempt({ n: 4, at: T0 + 3000, outcome: 'failure', stage: 'ca', cause: 'ca_denied_key_length', user: 'carol' }),
  buildAttempt({ n: 5, at: T0 + 4000, outcome: 'cancelled', user: 'dave' }),
  buildAttempt({ n: 6, at: T0 + 5000, outcome: 'probe' }),
];

describe('summarizeAttempts', () => {
  it('summarises the fleet: totals, stages, causes, hosts and top failing users', () => {
    const stats = summarizeAttempts(attempts);
    expect(stats.totals).toMatchObject({ attempts: 5, failure: 3, cancelled: 1, probes: 1, failureRate: 0.6 });
    expect(stats.byStage).toEqual({ radius: 2, ca: 1 });
    expect(stats.byCause.map((c) => [c.code, c.count])).toEqual([
      ['otp_rejected', 2],
      ['ca_denied_key_length', 1],
    ]);
    expect(stats.byCause[0]?.title).toBe('The OTP server rejected the one-time password or PIN');
    expect(stats.byRadius.nps01).toMatchObject({ attempts: 5, probes: 1 });
    expect(stats.topFailingUsers).toEqual([
      { user: 'bob', failures: 2 },
      { user: 'carol', failures: 1 },
    ]);
    expect(stats.hourly).toHaveLength(1);
    expect(stats.from).toBe('2025-03-04T09:00:00.000Z');
  });

  it('prints a text summary that names probes apart', () => {
    const text = formatFleetStats(summarizeAttempts(attempts));
    expect(text).toContain('5 attempts: 1 success, 3 failure, 1 cancelled, 0 incomplete; failure rate 60.0%');
    expect(text).toContain('1 RADIUS probes, counted apart');
    expect(text).toMatch(/otp_rejected\s+2\s+The OTP server rejected/);
    expect(text).toContain('top failing users: bob (2), carol (1)');
  });

  it('prints a stats table with totals and latencies', () => {
    const text = formatStatsReport(statsReport(attempts, statsQuerySchema.parse({ by: 'user' })));
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^user\s+attempts\s+success\s+failure/);
    expect(lines[2]).toMatch(/^bob\s+2\s+0\s+2\s+0\s+0\s+100\.0%\s+0$/);
    expect(text).toMatch(/\ntotal\s+5\s+1\s+3\s+1\s+0\s+60\.0%\s+1\n/);
    expect(text).toMatch(/CA issuance\s+2\s+300\s+300\s+300\s+300/);
  });

  it('summarises a fleet of 200,000 attempts (a spread of every start time overflowed the stack at ~120,000)', () => {
    // One built attempt, given 200,000 IDs and start times (cheaper than building each).
    const base = buildAttempt({ n: 1, at: T0, outcome: 'success', user: 'alice' });
    const iso = (ms: number) => new Date(ms).toISOString();
    const many = Array.from({ length: 200_000 }, (_, i) => ({
      ...base,
      id: `a${i}`,
      start: iso(T0 + i * 1000),
      end: iso(T0 + i * 1000 + 500),
    }));
    const stats = summarizeAttempts(many);
    expect(stats.totals.attempts).toBe(200_000);
    expect(stats.from).toBe('2025-03-04T09:00:00.000Z');
    expect(Date.parse(stats.to!)).toBe(Date.parse(many.at(-1)!.end));
  }, 20_000);
});
