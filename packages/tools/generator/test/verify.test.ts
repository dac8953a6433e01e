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
    const { gatewayJoins, agree } = verifyAgainstExpected(expected, actual);
    expect(agree).toBe(5);
    expect(gatewayJoins).toEqual({ expected: 4, own: 2, another: 1, none: 1 });
  });
});
