import type { ParsedEvent } from '@otptrace/model';
import { DEFAULT_ANALYSIS_CONFIG, type NormalizedEvent, type RadiusDecision } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import {
  createNormalizeContext,
  formatOffset,
  normalizeEvent,
  parseUtcOffset,
  settleNpsLogClocks,
  userWindowMs,
} from '../src/index.js';

/** How far a user's own events may be from an NPS decision, with the default skew tolerance. */
const windowMs = userWindowMs(DEFAULT_ANALYSIS_CONFIG.clockSkewToleranceMs);

const ctx = createNormalizeContext({ domains: {}, probeUsers: ['DAProbeUser'], otpTemplatePattern: 'otp' });

const event = (over: Partial<ParsedEvent>): ParsedEvent => ({
  provider: 'Microsoft-Windows-Security-Auditing',
  providerGuid: '{54849625-5478-4994-a5ba-3e3b0328c30d}',
  eventId: 4886,
  qualifiers: null,
  version: 1,
  level: 0,
  task: 12805,
  keywords: null,
  systemTime: '2026-11-02T10:00:00.0000000Z',
  recordId: 7,
  channel: 'Security',
  computer: 'ca01.corp.example',
  data: {},
  dataList: [],
  ...over,
});

describe('CA machine requests (docs/windows-events.md §9)', () => {
  it("keeps the DA server's request for its signing template, with its provider, and drops other machine requests", () => {
    const signing = normalizeEvent(
      event({
        data: {
          RequestId: '4050',
          Requester: 'CORP\\DA01$',
          Attributes: 'CertificateTemplate:DAOTPRA ccm:da01.corp.example',
          RequestCSPProvider: 'Microsoft Software Key Storage Provider',
        },
      }),
      ctx,
    );
    expect(signing).toMatchObject({
      status: 'event',
      event: { kind: 'ca.request', user: null, machineRequester: 'da01', template: 'DAOTPRA' },
    });
    expect(signing.status === 'event' && signing.event.kind === 'ca.request' && signing.event.cspProvider).toBe(
      'Microsoft Software Key Storage Provider',
    );
    const autoenrol = normalizeEvent(
      event({ data: { RequestId: '4051', Requester: 'CORP\\PC7$', Attributes: 'CertificateTemplate:Machine' } }),
      ctx,
    );
    expect(autoenrol).toEqual({ status: 'ignored', reason: 'machine_request' });
  });
});

describe('NPS System 13/14/17/18: a refused RADIUS client', () => {
  it('names the client and the problem', () => {
    const n = normalizeEvent(
      event({
        provider: 'NPS',
        providerGuid: null,
        eventId: 14,
        channel: 'System',
        computer: 'nps01',
        dataList: ['10.0.0.10'],
      }),
      ctx,
    );
    expect(n).toMatchObject({
      status: 'event',
      event: { kind: 'radius.client_error', client: '10.0.0.10', problem: 'bad_authenticator' },
    });
    const empty = normalizeEvent(event({ provider: 'IAS', providerGuid: null, eventId: 13, channel: 'System' }), ctx);
    expect(empty).toMatchObject({ status: 'rejected', issue: { code: 'missing_field' } });
  });
});

describe('NPS log-file clocks', () => {
  it('reads UTC offsets and writes them back', () => {
    expect([
      parseUtcOffset('+01:00'),
      parseUtcOffset('-0530'),
      parseUtcOffset('UTC+2'),
      parseUtcOffset('+15:00'),
    ]).toEqual([60, -330, 120, null]);
    expect([formatOffset(60), formatOffset(-330), formatOffset(0)]).toEqual(['+01:00', '-05:30', '+00:00']);
  });

  const decision = (over: Partial<RadiusDecision>): RadiusDecision => ({
    id: `x|${Math.random()}`,
    ref: { provider: 'p', eventId: 6273, computer: 'nps01.corp.example', channel: 'Security', recordId: 1 },
    time: Date.parse('2026-11-02T08:00:00.350Z'),
    user: { key: 'bob', domain: 'corp', domainExplicit: true, raw: 'CORP\\bob' },
    kind: 'radius.decision',
    source: 'radius',
    decision: 'denied',
    reasonCode: 16,
    reason: null,
    clientName: null,
    clientIp: null,
    nasIdentifier: null,
    authenticationType: 'PAP',
    networkPolicy: null,
    ...over,
  });

  it('learns an unconfigured server offset from its audit twins, applies it and drops the repeats', () => {
    const audit = decision({});
    const logged = decision({
      ref: { provider: 'NPS log (DTS)', eventId: 6273, computer: 'NPS01', channel: 'IN2611.log', recordId: 2 },
      time: audit.time + 3_600_000,
      clock: { offsetMinutes: 0, basis: 'assumed_utc' },
    });
    const other = decision({
      ref: { provider: 'NPS log (DTS)', eventId: 6272, computer: 'NPS01', channel: 'IN2611.log', recordId: 4 },
      user: { key: 'ann', domain: 'corp', domainExplicit: true, raw: 'CORP\\ann' },
      decision: 'granted',
      time: audit.time + 3_600_000 + 60_000,
      clock: { offsetMinutes: 0, basis: 'assumed_utc' },
    });
    const settled = settleNpsLogClocks([audit, logged, other] as NormalizedEvent[], windowMs);
    expect(settled.clocks).toEqual({ nps01: { offset: '+01:00', basis: 'learned' } });
    expect(settled.duplicates).toBe(1);
    expect(settled.events.map((e) => [e.ref.recordId, e.time - audit.time])).toEqual([
      [1, 0],
      [4, 60_000],
    ]);
  });

  it("follows a change of the server's offset: a record takes its own twins' offset, else its nearest earlier one's", () => {
    const HOUR = 3_600_000;
    const at = Date.parse('2026-10-24T10:00:00.350Z');
    const log = (user: string, time: number, recordId: number) =>
      decision({
        ref: { provider: 'NPS log (DTS)', eventId: 6273, computer: 'NPS01', channel: 'IN2610.log', recordId },
        user: { key: user, domain: 'corp', domainExplicit: true, raw: `CORP\\${user}` },
        time,
        clock: { offsetMinutes: 0, basis: 'assumed_utc' },
      });
    const auditOf = (user: string, time: number) =>
      decision({ user: { key: user, domain: 'corp', domainExplicit: true, raw: `CORP\\${user}` }, time });
    // Read as UTC: before the change 2 h ahead, after it 1 h. ann and cid have audit twins; bea, dan and eve not.
    const events = [
      log('eve', at - HOUR + 2 * HOUR, 1), // before any twin: the first later one's offset (+2)
      log('ann', at + 2 * HOUR, 2),
      auditOf('ann', at),
      log('bea', at + 10 * HOUR + 2 * HOUR, 3), // nearest earlier: ann (+2)
      log('cid', at + 48 * HOUR + HOUR, 4),
      auditOf('cid', at + 48 * HOUR),
      log('dan', at + 50 * HOUR + HOUR, 5), // nearest earlier: cid (+1)
    ] as NormalizedEvent[];
    const settled = settleNpsLogClocks(events, windowMs);
    expect(settled.duplicates).toBe(2);
    const placed = Object.fromEntries(
      settled.events.map((e) => [
        e.kind === 'radius.decision' && e.clock ? e.user?.key : `audit ${e.user?.key}`,
        e.time - at,
      ]),
    );
    expect(placed).toEqual({
      eve: -HOUR,
      'audit ann': 0,
      bea: 10 * HOUR,
      'audit cid': 48 * HOUR,
      dan: 50 * HOUR,
    });
    // cid is the first record at the new offset (bea and dan teach nothing).
    expect(settled.clocks).toEqual({
      nps01: {
        offset: '+02:00',
        basis: 'learned',
        changes: [{ from: new Date(at + 48 * HOUR).toISOString(), offset: '+01:00' }],
      },
    });
  });

  it('says UTC was assumed when nothing configures or teaches the offset', () => {
    const alone = decision({
      clock: { offsetMinutes: 0, basis: 'assumed_utc' },
      ref: { provider: 'NPS log (DTS)', eventId: 6273, computer: 'NPS02', channel: 'IN.log', recordId: 1 },
    });
    expect(settleNpsLogClocks([alone], windowMs).clocks).toEqual({ nps02: { offset: '+00:00', basis: 'assumed_utc' } });
  });
});
