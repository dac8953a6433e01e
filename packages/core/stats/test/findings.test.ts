import { describe, expect, it } from 'vitest';
import { summarizeAttempts } from '../src/index.js';
import { buildAttempt } from './attempts.js';

describe('fleet statistics count findings beside the verdicts (issue 13)', () => {
  it('counts certificate_not_usable_for_logon on successes, each attempt once', () => {
    const flagged = {
      ...buildAttempt({ n: 1, at: Date.parse('2026-11-02T10:00:00Z'), outcome: 'success' }),
      findings: ['certificate_not_usable_for_logon'],
    };
    const plain = buildAttempt({ n: 2, at: Date.parse('2026-11-02T10:05:00Z'), outcome: 'success' });
    const stats = summarizeAttempts([flagged, flagged, plain]);
    expect(stats.byFinding).toEqual([
      { code: 'certificate_not_usable_for_logon', title: expect.stringContaining('issued'), count: 1 },
    ]);
    expect(stats.totals.success).toBe(2);
  });
});
