import { describe, expect, it } from 'vitest';
import { attemptFact } from '../src/facts.js';
import { buildAttempt } from './attempts.js';

const T0 = Date.parse('2025-03-04T09:00:00Z');

describe('attemptFact', () => {
  it('measures RADIUS decision, CA issuance and end-to-end time from the evidence', () => {
    const fact = attemptFact(buildAttempt({ n: 1, at: T0, outcome: 'success', radiusMs: 250, caMs: 400 }));
    // start → 6272 = 250; 4886 → 4887 = 400; start → client 10022 = 250 + 600 + 400 + 200.
    expect(fact).toMatchObject({ radiusMs: 250, caMs: 400, endToEndMs: 1450, subnet: '203.0.113.0/24' });
  });

  it('has no CA latency for a RADIUS failure and no RADIUS latency without the DA server request', () => {
    const rejected = attemptFact(
      buildAttempt({ n: 2, at: T0, outcome: 'failure', stage: 'radius', cause: 'otp_rejected' }),
    );
    expect(rejected).toMatchObject({ radiusMs: 120, caMs: null, rootCause: 'otp_rejected', failedStage: 'radius' });
    const probe = attemptFact(buildAttempt({ n: 3, at: T0, outcome: 'probe' }));
    expect(probe).toMatchObject({ radiusMs: null, caMs: null, endToEndMs: null, gateway: null });
  });

  it('names each server by its computer name, so one host is one group however its logs spell it', () => {
    const fact = attemptFact(buildAttempt({ n: 4, at: T0, outcome: 'success', ca: 'CA01.Corp.Example' }));
    expect(fact.ca).toBe('ca01');
    // A W3C log names its DA server `DA1` (s-computername); the client names it by DNS name, and for an attempt with
    // no IIS request that is the only name the record has.
    const viaW3c = buildAttempt({ n: 5, at: T0, outcome: 'success' });
    const unanswered = buildAttempt({ n: 6, at: T0, outcome: 'failure', stage: 'gateway' });
    expect(attemptFact({ ...viaW3c, hosts: { ...viaW3c.hosts, gateway: 'DA1' } }).gateway).toBe('da1');
    expect(attemptFact({ ...unanswered, hosts: { ...unanswered.hosts, gateway: 'da1.corp.example' } }).gateway).toBe(
      'da1',
    );
    // A client that names its DA server by address: the address, whole.
    expect(attemptFact({ ...unanswered, hosts: { ...unanswered.hosts, gateway: '203.0.113.10' } }).gateway).toBe(
      '203.0.113.10',
    );
  });
});

describe('attemptFact: RADIUS decision time', () => {
  it('starts when the DA server received the request: the IIS event time minus its time-taken', () => {
    const attempt = buildAttempt({ n: 5, at: T0, outcome: 'success', radiusMs: 350 });
    // As the correlator writes it: the NPS decision is the attempt's first event, IIS logs 640 ms after receipt.
    const gateway = attempt.evidence.find((e) => e.source === 'gateway')!;
    gateway.time = new Date(T0 + 640).toISOString();
    gateway.summary = 'IIS POST /otp/DAAuthOtp.dll → 200 in 640 ms from 198.51.100.23';
    const fact = attemptFact({ ...attempt, start: new Date(T0 + 350).toISOString() });
    expect(fact.radiusMs).toBe(350);
    expect(fact.endToEndMs).toBe(350 + 600 + 300 + 200);
  });

  it("reads the decision on the DA server's clock when NPS's runs ahead of it or behind", () => {
    const onClocks = (npsClockAheadMs: number) => {
      const attempt = buildAttempt({ n: 7, at: T0, outcome: 'success', radiusMs: 350 });
      // The request reached the DA server at T0 (its clock); NPS decided 350 ms later, and logged it on its own clock.
      for (const e of attempt.evidence) {
        if (e.source === 'radius') e.time = new Date(T0 + 350 + npsClockAheadMs).toISOString();
        if (e.source === 'gateway') {
          e.time = new Date(T0 + 640).toISOString();
          e.summary = 'IIS POST /otp/DAAuthOtp.dll → 200 in 640 ms from 198.51.100.23';
        }
      }
      return attemptFact({ ...attempt, start: new Date(T0).toISOString(), npsClockAheadMs }).radiusMs;
    };
    expect(onClocks(12_600)).toBe(350);
    // Behind: on the two clocks as logged, the decision came before the request; it is no latency lost.
    expect(onClocks(-30_400)).toBe(350);
  });

  it('takes a decision logged in whole seconds up to a second before the request as at its start', () => {
    const withDecisionAt = (decisionMs: number) => {
      const attempt = buildAttempt({ n: 8, at: T0, outcome: 'success', radiusMs: 350 });
      // A W3C line: the request ended in second T0 + 1 (taken at its middle) after 900 ms, so it began at T0 + 600.
      for (const e of attempt.evidence) {
        if (e.source === 'radius') e.time = new Date(T0 + decisionMs).toISOString();
        if (e.source === 'gateway') {
          e.time = new Date(T0 + 1_500).toISOString();
          e.summary = 'IIS POST /otp/DAAuthOtp.dll → 200 in 900 ms from 198.51.100.23';
        }
      }
      return attemptFact({ ...attempt, start: new Date(T0).toISOString() }).radiusMs;
    };
    // NPS's IAS file says second T0: the decision happened in [T0, T0 + 1 s), perhaps after the request's start.
    expect(withDecisionAt(0)).toBe(0);
    expect(withDecisionAt(1_000)).toBe(400);
    // In milliseconds a decision before the request is no latency; a whole second more than a second before, neither.
    expect(withDecisionAt(120)).toBeNull();
    expect(withDecisionAt(-1_000)).toBeNull();
  });

  it('reads a decision logged in whole seconds at the middle of its second against an IIS event in milliseconds', () => {
    const attempt = buildAttempt({ n: 9, at: T0, outcome: 'success', radiusMs: 350 });
    // The IIS event: received at T0 + 740, answered at T0 + 1,640. NPS's IAS file: second T0 + 1 s, so the decision
    // came at T0 + 1.5 s on average (the clock learning reads it there too): 760 ms, not 260.
    for (const e of attempt.evidence) {
      if (e.source === 'radius') e.time = new Date(T0 + 1_000).toISOString();
      if (e.source === 'gateway') {
        e.time = new Date(T0 + 1_640).toISOString();
        e.summary = 'IIS POST /otp/DAAuthOtp.dll → 200 in 900 ms from 198.51.100.23';
      }
    }
    expect(attemptFact({ ...attempt, start: new Date(T0).toISOString() }).radiusMs).toBe(760);
  });

  it('has none when the IIS event does not give its time-taken', () => {
    const attempt = buildAttempt({ n: 6, at: T0, outcome: 'success' });
    for (const e of attempt.evidence) if (e.source === 'gateway') e.summary = 'IIS POST /otp → 200';
    expect(attemptFact(attempt).radiusMs).toBeNull();
  });
});
