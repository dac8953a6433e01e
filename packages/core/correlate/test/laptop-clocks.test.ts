import type { ClientEvent } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { LAPTOP_LAG_FLOOR_MS, LaptopClocks } from '../src/laptop-clocks.js';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);

function success(computer: string, t: number): ClientEvent {
  return {
    id: `c-${computer}-${t}`,
    ref: { provider: 'OtpCredentialProvider', eventId: 10022, computer, channel: 'Operational', recordId: t },
    time: T0 + t,
    user: null,
    kind: 'client.result',
    source: 'client',
    errorCode: null,
    serverAddress: null,
    caName: 'ca1\\CORP-CA1-CA',
    templateName: null,
  };
}

/** When the CA issued the certificate (its 4887), on the servers' clock. */
const issued = (t: number): number => T0 + t;

describe('LaptopClocks', () => {
  it("learns how far a laptop logs from the CA's clock, by its short name in any case, the latest success winning", () => {
    const clocks = new LaptopClocks();
    clocks.learn(success('LT1.corp.example.com', 10_300 - 93_000), issued(10_000));
    expect(clocks.lagOf('lt1')).toBe(-92_700);
    expect(clocks.serverTimeOf(success('lt1.CORP.example.com', 50_000))).toBe(T0 + 50_000 + 92_700);
    // Set right since: the next success says so, and the laptop is read as logged again.
    clocks.learn(success('lt1', 90_400), issued(90_000));
    expect(clocks.lagOf('LT1')).toBe(0);
    clocks.learn(success('lt2', 30_000 + 45_000), issued(30_000));
    expect(clocks.lagOf('lt2')).toBe(45_000);
    expect(clocks.lagOf('lt3')).toBe(0);
  });

  it('keeps no lag under the floor: a laptop that keeps time is read as logged', () => {
    const clocks = new LaptopClocks();
    clocks.learn(success('lt1', 10_000 + LAPTOP_LAG_FLOOR_MS - 1), issued(10_000));
    clocks.learn(success('lt2', 10_000 - LAPTOP_LAG_FLOOR_MS + 1), issued(10_000));
    expect(clocks.lagOf('lt1')).toBe(0);
    expect(clocks.lagOf('lt2')).toBe(0);
    clocks.learn(success('lt3', 10_000 + LAPTOP_LAG_FLOOR_MS), issued(10_000));
    expect(clocks.lagOf('lt3')).toBe(LAPTOP_LAG_FLOOR_MS);
  });
});
