import { describe, expect, it } from 'vitest';
import { type AnalysedAttempt, type ExpectedAttempt, verifyAgainstExpected } from '../src/index.js';

function expectedAttempt(id: string, user: string, start: string, clientAddress: string | null): ExpectedAttempt {
  return {
    id,
    user,
    start,
    outcome: 'success',
    failedStage: null,
    rootCause: null,
    scenario: 'success',
    detail: {
      npsReasonCode: null,
      caHresult: null,
      clientEventId: 10022,
      httpStatus: clientAddress === null ? null : 200,
    },
    clientAddress,
    hosts: { client: 'LT1.corp.example.com', gateway: 'da1.corp.example.com', radius: null, ca: null },
  };
}

function analysed(user: string, start: string, clientAddress: string | null): AnalysedAttempt {
  return { user, start, end: start, outcome: 'success', rootCause: null, clientAddress };
}

describe('verifyAgainstExpected', () => {
  it("counts the IIS requests joined to their own attempt, to another user's, and to none", () => {
    const expected = [
      expectedAttempt('a1', 'corp\\ann', '2026-03-02T10:00:00.000Z', '192.0.2.1'),
      expectedAttempt('a2', 'corp\\bob', '2026-03-02T10:00:01.000Z', '192.0.2.2'),
      expectedAttempt('a3', 'corp\\cat', '2026-03-02T10:00:02.000Z', '192.0.2.3'),
      expectedAttempt('a4', 'corp\\dan', '2026-03-02T10:00:03.000Z', '192.0.2.4'),
      // No request: not counted, whatever the analysis joined to it.
      expectedAttempt('a5', 'corp\\eve', '2026-03-02T10:00:04.000Z', null),
    ];
    const actual = [
      analysed('CORP\\Ann', '2026-03-02T10:00:00.100Z', '192.0.2.1'),
      // Ann's and Bob's neighbours swapped: Cat has Dan's request, Dan has none.
      analysed('corp\\bob', '2026-03-02T10:00:01.100Z', '192.0.2.2'),
      analysed('corp\\cat', '2026-03-02T10:00:02.100Z', '192.0.2.4'),
      analysed('corp\\dan', '2026-03-02T10:00:03.100Z', null),
      analysed('corp\\eve', '2026-03-02T10:00:04.100Z', '192.0.2.9'),
    ];
    // Dan's attempt was a RADIUS timeout: by scenario, the success's requests and the timeout's are counted apart.
    expected[3] = {
      ...expected[3]!,
      scenario: 'radius_no_response',
      outcome: 'failure',
      failedStage: 'radius',
      rootCause: 'radius_no_response',
    };
    const { gatewayJoins, gatewayJoinsByScenario, agree } = verifyAgainstExpected(expected, actual);
    expect(agree).toBe(4);
    expect(gatewayJoins).toEqual({ expected: 4, own: 2, another: 1, none: 1 });
    expect(Object.fromEntries(gatewayJoinsByScenario)).toEqual({
      success: { expected: 3, own: 2, another: 1, none: 0 },
      radius_no_response: { expected: 1, own: 0, another: 0, none: 1 },
    });
  });
});

describe('verifyAgainstExpected with client events', () => {
  const laptop = 'LT1.corp.example.com';
  /** A cancel at 10:00:00 and a logon 27 s later; the laptop's clock is 40 s ahead. */
  const cancel: ExpectedAttempt = {
    ...expectedAttempt('a1', 'corp\\ann', '2026-03-02T10:00:00.000Z', null),
    outcome: 'cancelled',
    detail: { npsReasonCode: null, caHresult: null, clientEventId: 10010, httpStatus: null },
    clientEvents: [{ eventId: 10010, logged: '2026-03-02T10:00:40.000Z' }],
  };
  const logon: ExpectedAttempt = {
    ...expectedAttempt('a2', 'corp\\ann', '2026-03-02T10:00:27.000Z', '192.0.2.1'),
    clientEvents: [{ eventId: 10022, logged: '2026-03-02T10:01:09.300Z' }],
  };
  const evidence = (eventId: number, time: string) => [{ source: 'client', eventId, computer: laptop, time }];
  // Both analysed right: the cancel alone on the laptop's clock, the logon from its IIS request on the server's.
  const cancelled: AnalysedAttempt = {
    ...analysed('corp\\ann', '2026-03-02T10:00:40.000Z', null),
    outcome: 'cancelled',
    evidence: evidence(10010, '2026-03-02T10:00:40.000Z'),
  };
  const success: AnalysedAttempt = {
    ...analysed('corp\\ann', '2026-03-02T10:00:27.000Z', '192.0.2.1'),
    end: '2026-03-02T10:01:09.300Z',
    evidence: [
      { source: 'gateway', eventId: 6200, computer: 'da1.corp.example.com', time: '2026-03-02T10:00:28.000Z' },
      ...evidence(10022, '2026-03-02T10:01:09.300Z'),
    ],
  };

  it('pairs each expected attempt with the analysed one holding its client event, across the laptop clock', () => {
    const { agree, mismatches, extra } = verifyAgainstExpected([cancel, logon], [success, cancelled], 70_000);
    expect(mismatches).toEqual([]);
    expect(extra).toEqual([]);
    expect(agree).toBe(2);
  });

  it("pairs by start without them: the cancel, logged after the logon's request began, crosswise", () => {
    const bare = ({ clientEvents: _, ...rest }: ExpectedAttempt): ExpectedAttempt => rest;
    const { agree } = verifyAgainstExpected([bare(cancel), bare(logon)], [success, cancelled], 70_000);
    expect(agree).toBe(0);
  });

  it('holds an analysed attempt to one expected attempt, and tells the wrong verdict of the one holding its event', () => {
    // The analysis gave the logon's result the cancel's verdict: the pairing follows the event, not the verdict.
    const wrong: AnalysedAttempt = { ...success, outcome: 'cancelled' };
    const { agree, mismatches, missed } = verifyAgainstExpected([cancel, logon], [wrong, cancelled], 70_000);
    expect(agree).toBe(1);
    expect(mismatches.map((m) => m.expected.id)).toEqual(['a2']);
    expect(missed).toEqual([]);
  });
});
