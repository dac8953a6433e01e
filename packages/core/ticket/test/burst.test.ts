import { describe, expect, it } from 'vitest';
import { buildAttempt } from '../../stats/test/attempts.js';
import { processAttempts } from '../src/engine.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');
const SEC = 1000;
const wrongOtp = (n: number, atMs: number, user = `user${n}`) =>
  buildAttempt({ n, at: atMs, user, outcome: 'failure', stage: 'radius', cause: 'otp_rejected' });

describe('processAttempts: user errors', () => {
  it('opens no ticket for wrong OTPs, cancellations and probes below the burst rate', () => {
    const { changes, accounting } = processAttempts(null, [
      ...Array.from({ length: 19 }, (_, i) => wrongOtp(i + 1, T0 + i * SEC)),
      buildAttempt({ n: 50, at: T0, outcome: 'cancelled' }),
      buildAttempt({ n: 51, at: T0, outcome: 'failure', stage: 'client', cause: 'client_inside_corpnet' }),
      ...Array.from({ length: 30 }, (_, i) =>
        buildAttempt({ n: 100 + i, at: T0 + i * SEC, outcome: 'probe', cause: 'radius_account' }),
      ),
    ]);
    expect(changes).toEqual([]);
    expect(accounting).toMatchObject({ received: 51, userError: 21, probe: 30, ticketed: 0 });
  });

  it('opens an otp_rejected_burst ticket when 20 users fail within the window', () => {
    const burst = Array.from({ length: 25 }, (_, i) => wrongOtp(i + 1, T0 + i * 20 * SEC));
    const { changes } = processAttempts(null, burst);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      change: 'opened',
      ticket: {
        code: 'otp_rejected_burst',
        kind: 'user_error_burst',
        scope: { label: 'radius:nps01' },
        attemptCount: 25,
        affectedUsers: { count: 25 },
        firstSeen: '2025-03-04T09:00:00.000Z',
      },
    });
    expect(changes[0]?.ticket.title).toBe('Many users at once: The OTP server rejected the one-time password or PIN');
    expect(changes[0]?.ticket.remediation).toMatch(/^20 attempts of 20 users failed this way within 10 minutes/);
  });

  it('opens none when the same errors are spread over hours, or come from one user', () => {
    const spread = Array.from({ length: 40 }, (_, i) => wrongOtp(i + 1, T0 + i * 60 * SEC));
    expect(processAttempts(null, spread).changes).toEqual([]);
    const oneUser = Array.from({ length: 40 }, (_, i) => wrongOtp(i + 1, T0 + i * SEC, 'alice'));
    expect(processAttempts(null, oneUser).changes).toEqual([]);
  });

  it('honours a configured threshold and resolves the burst when logons succeed again after the quiet period', () => {
    const config = { burstThreshold: 5, burstMinUsers: 5, burstWindowMs: 60_000, quietPeriodMs: 100 * SEC };
    const opened = processAttempts(
      null,
      Array.from({ length: 5 }, (_, i) => wrongOtp(i + 1, T0 + i * SEC)),
      config,
    );
    expect(opened.changes.map((c) => c.ticket.code)).toEqual(['otp_rejected_burst']);
    const ok = [1, 2, 3].map((k) => buildAttempt({ n: 100 + k, at: T0 + 120 * SEC + k * SEC, outcome: 'success' }));
    const resolved = processAttempts(opened.state, ok, config);
    expect(resolved.changes.map((c) => [c.change, c.ticket.code])).toEqual([['resolved', 'otp_rejected_burst']]);
  });
});
