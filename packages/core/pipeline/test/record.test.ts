import type { ClosedAttempt } from '@otptrace/correlate';
import type { Verdict } from '@otptrace/diagnose';
import type { NormalizedEvent } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { client, iis, nps, T0 } from '../../trace/test/fixtures.js';
import { toAttemptRecord } from '../src/index.js';

/** A closed attempt of an IIS request, its NPS grant and the client's success, as the engine hands it over. */
function closedAttempt(events: NormalizedEvent[], npsClockAheadMs: number): ClosedAttempt {
  const times = events.map((e) => e.time);
  const gateway = events.find((e) => e.kind === 'gateway.request');
  const radius = events.find((e) => e.kind === 'radius.decision');
  const result = events.find((e) => e.kind === 'client.result');
  return {
    userKey: 'alice',
    user: radius?.user ?? null,
    probe: false,
    first: Math.min(...times),
    last: Math.max(...times),
    events,
    radius: radius ?? null,
    directory: [],
    radiusClientErrors: [],
    signing: [],
    directoryOutageNearby: false,
    directoryNearby: false,
    gateway: gateway ?? null,
    npsClockAheadMs,
    gatewayAmbiguous: false,
    refusalAround: null,
    caRequest: null,
    caResults: [],
    client: result ?? null,
    clientMachine: null,
    closedBy: 'result',
  };
}

const success = { outcome: 'success', failedStage: null, rootCause: null, rule: 'success' } as unknown as Verdict;

describe("toAttemptRecord: NPS's clock apart from the DA server's", () => {
  // The request reached the DA server at 100 ms and was answered at 1500 ms; NPS granted at 1200 ms by the DA server's
  // clock, and logged it on its own clock, 30 s behind.
  const events = [nps(T0 + 1200 - 30_000, null), iis(T0 + 1500, 1400, 200), client(T0 + 3900, 10022, null)];

  it('starts and ends the attempt on the DA server clock, and says how far NPS is ahead', () => {
    const record = toAttemptRecord(closedAttempt(events, -30_000), success);
    expect([record.start, record.end]).toEqual([new Date(T0 + 100).toISOString(), new Date(T0 + 3900).toISOString()]);
    expect(record.npsClockAheadMs).toBe(-30_000);
    // The evidence keeps the time NPS logged: it is how the record is found in NPS's log.
    expect(record.evidence.find((e) => e.source === 'radius')?.time).toBe(new Date(T0 + 1200 - 30_000).toISOString());
  });

  it('reads the logged times as they are while no offset is learned', () => {
    const record = toAttemptRecord(closedAttempt(events, 0), success);
    expect(record.start).toBe(new Date(T0 + 1200 - 30_000).toISOString());
    expect(record.npsClockAheadMs).toBeUndefined();
    expect(JSON.stringify(record)).not.toContain('npsClockAheadMs');
  });
});
