import { type StatsQueryInput, statsQuerySchema } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { statsReport } from '../src/report.js';
import { buildAttempt } from './attempts.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');
const MIN = 60_000;

// 6 users: 3 successes, 2 CA denials on ca02, 1 wrong OTP; plus 4 probes, 2 of them refused.
const fleet = [
  buildAttempt({ n: 1, at: T0, outcome: 'success' }),
  buildAttempt({ n: 2, at: T0 + MIN, outcome: 'success', clientAddress: '2001:db8:1:2::9' }),
  buildAttempt({ n: 3, at: T0 + 61 * MIN, outcome: 'success' }),
  buildAttempt({
    n: 4,
    at: T0 + 2 * MIN,
    outcome: 'failure',
    stage: 'ca',
    cause: 'ca_template_not_available',
    ca: 'ca02.corp.example',
  }),
  buildAttempt({
    n: 5,
    at: T0 + 62 * MIN,
    outcome: 'failure',
    stage: 'ca',
    cause: 'ca_template_not_available',
    ca: 'ca02.corp.example',
  }),
  buildAttempt({ n: 6, at: T0 + 3 * MIN, outcome: 'failure', stage: 'radius', cause: 'otp_rejected' }),
  buildAttempt({ n: 7, at: T0, outcome: 'probe' }),
  buildAttempt({ n: 8, at: T0 + 5 * MIN, outcome: 'probe', cause: 'radius_account' }),
  buildAttempt({ n: 9, at: T0 + 10 * MIN, outcome: 'probe', cause: 'radius_account' }),
  buildAttempt({ n: 10, at: T0 + 65 * MIN, outcome: 'probe' }),
];

/** A query as the command and the API pass it: checked, defaults filled in. */
const query = (input: StatsQueryInput = {}) => statsQuerySchema.parse(input);

describe('statsReport', () => {
  it('counts by outcome with probes apart and out of the failure rate', () => {
    const report = statsReport(fleet, query({ by: 'outcome' }));
    expect(report.totals).toEqual({
      attempts: 6,
      success: 3,
      failure: 3,
      cancelled: 0,
      incomplete: 0,
      probes: 4,
      failureRate: 0.5,
    });
    expect(report.rows.map((r) => [r.key, r.attempts, r.probes])).toEqual([
      ['failure', 3, 0],
      ['success', 3, 0],
      ['probe', 0, 4],
    ]);
  });

  it('groups by CA per hour, the most failing (then busiest) first', () => {
    const report = statsReport(fleet, query({ by: 'ca', bucket: 'hour' }));
    expect(report.rows.map((r) => [r.bucket, r.key, r.attempts, r.failure, r.probes])).toEqual([
      ['2025-03-04T09:00:00.000Z', 'ca01', 3, 1, 0],
      ['2025-03-04T09:00:00.000Z', 'ca02', 1, 1, 0],
      ['2025-03-04T09:00:00.000Z', '(none)', 0, 0, 3],
      ['2025-03-04T10:00:00.000Z', 'ca02', 1, 1, 0],
      ['2025-03-04T10:00:00.000Z', 'ca01', 1, 0, 0],
      ['2025-03-04T10:00:00.000Z', '(none)', 0, 0, 1],
    ]);
  });

  it('groups by subnet and cause, and limits groups per bucket', () => {
    const bySubnet = statsReport(fleet, query({ by: 'subnet' }));
    expect(bySubnet.rows.map((r) => [r.key, r.attempts])).toEqual([
      ['203.0.113.0/24', 5],
      ['2001:db8:1:2::/64', 1],
      ['(none)', 0],
    ]);
    const byCause = statsReport(fleet, query({ by: 'cause', limit: 2 }));
    expect(byCause.rows.map((r) => [r.key, r.failure])).toEqual([
      ['ca_template_not_available', 2],
      ['otp_rejected', 1],
    ]);
  });

  it('keeps only attempts that started in [from, to)', () => {
    const report = statsReport(fleet, query({ from: '2025-03-04T09:01:00Z', to: '2025-03-04T10:01:00Z' }));
    expect(report.totals.attempts).toBe(3);
    expect(report.totals.probes).toBe(2);
  });

  it('counts a replayed attempt once', () => {
    expect(statsReport([...fleet, ...fleet.slice(0, 6)], query())).toEqual(statsReport(fleet, query()));
  });

  it('measures latencies over user attempts only', () => {
    const { latencies } = statsReport(fleet, query());
    expect(latencies.ca.count).toBe(5);
    expect(latencies.radius.count).toBe(6);
    expect(latencies.radius.max).toBe(120);
  });
});
