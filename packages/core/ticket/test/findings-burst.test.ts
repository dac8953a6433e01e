import { describe, expect, it } from 'vitest';
import { buildAttempt } from '../../stats/test/attempts.js';
import { processAttempts } from '../src/engine.js';

// Issue 13 (docs/windows-events.md §9): a burst of reason 16 is the shared secret or the extension path first, and
// successes whose certificate did not log the user on count towards a burst of their finding.
const T0 = Date.parse('2025-03-04T09:00:00Z');
const SEC = 1000;

describe('burst tickets and issue-13 findings', () => {
  it('names the shared secret and the extension path first in the otp_rejected burst remediation', () => {
    const burst = Array.from({ length: 20 }, (_, i) =>
      buildAttempt({ n: i + 1, at: T0 + i * SEC, outcome: 'failure', stage: 'radius', cause: 'otp_rejected' }),
    );
    const [change] = processAttempts(null, burst).changes;
    const text = change!.ticket.remediation;
    expect(text).toMatch(/shared secret/);
    expect(text.indexOf('shared secret')).toBeLessThan(text.indexOf('extension'));
    expect(text.indexOf('extension')).toBeLessThan(text.indexOf('clock'));
  });

  it('counts successes with certificate_not_usable_for_logon towards a burst of that finding', () => {
    const unusable = Array.from({ length: 20 }, (_, i) => ({
      ...buildAttempt({ n: i + 1, at: T0 + i * SEC, outcome: 'success' }),
      findings: ['certificate_not_usable_for_logon'],
    }));
    const { changes, accounting } = processAttempts(null, unusable);
    expect(changes.map((c) => [c.change, c.ticket.code, c.ticket.attemptCount])).toEqual([
      ['opened', 'certificate_not_usable_for_logon_burst', 20],
    ]);
    expect(accounting).toMatchObject({ success: 20 });
  });

  it('opens nothing for plain successes', () => {
    const plain = Array.from({ length: 20 }, (_, i) =>
      buildAttempt({ n: i + 1, at: T0 + i * SEC, outcome: 'success' }),
    );
    expect(processAttempts(null, plain).changes).toEqual([]);
  });
});
