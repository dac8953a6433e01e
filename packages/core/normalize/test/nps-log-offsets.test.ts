import { type CaRequest, DEFAULT_ANALYSIS_CONFIG, type NormalizedEvent, type RadiusDecision } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import {
  type OffsetEvidence,
  settleNpsLogClocks,
  settleServerOffsets,
  userOffsets,
  userWindowMs,
} from '../src/index.js';

// NPS log files write local time with no offset. Without a configured offset and without the server's own 6272/6273,
// the offset is learned from the users' events (UTC): the CA request after an accept, the client's result after a
// reject. A user's other attempts make some records allow other offsets too; the server's records decide together.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = Date.parse('2026-10-24T10:00:00.000Z');

describe('userOffsets', () => {
  it('gives every whole quarter hour that puts the record within the window of one of its user’s events', () => {
    const times = [at - 3_000, at + 2_000, at + 16 * MINUTE, at + 30 * HOUR];
    // Read as UTC an hour ahead: the events 3 s before and 2 s after say +1 h, the one 16 min later +45 min; the one
    // 30 h away is beyond ±14 h.
    expect(userOffsets(at + HOUR, times, 4 * MINUTE)).toEqual([45 * MINUTE, HOUR]);
    expect(userOffsets(at + HOUR + 7 * MINUTE, times, 4 * MINUTE)).toEqual([]);
    expect(userOffsets(at + HOUR, [], 4 * MINUTE)).toEqual([]);
  });

  it('keeps the window under half a quarter hour, so that one event never speaks for two offsets', () => {
    expect(userWindowMs(180_000)).toBe(4 * MINUTE);
    expect(userWindowMs(3_600_000)).toBe(7 * MINUTE);
  });
});

describe('settleServerOffsets', () => {
  const says = (time: number, user: number[], twins?: number): OffsetEvidence =>
    twins === undefined ? { time, user } : { time, user, twins };

  it("outvotes a user's other attempt: one record allowing another offset does not change the server's", () => {
    const records = [
      says(at, [HOUR]),
      says(at + 10 * MINUTE, [45 * MINUTE]), // only the user's attempt a quarter hour later matches
      says(at + 20 * MINUTE, []),
      says(at + 30 * MINUTE, [HOUR, 2 * HOUR]),
      says(at + 40 * MINUTE, [HOUR]),
    ];
    expect(settleServerOffsets(records)).toEqual([HOUR, HOUR, HOUR, HOUR, HOUR]);
  });

  it('follows a change the records agree on, placed where the log shows it: its time going back', () => {
    // Autumn: 02:10, 02:40 read at +2, then the clock goes back: 02:05, 02:20 read at +1.
    const records = [
      says(at, [2 * HOUR]),
      says(at + 30 * MINUTE, []), // before the set-back: +2
      says(at - 5 * MINUTE, []), // after it: +1, as the next records say
      says(at + 10 * MINUTE, [HOUR]),
      says(at + 20 * MINUTE, [HOUR, 3 * HOUR]),
    ];
    expect(settleServerOffsets(records)).toEqual([2 * HOUR, 2 * HOUR, HOUR, HOUR, HOUR]);
  });

  it('places a change without a sign in the log as late as the evidence allows', () => {
    const hour = [0, 1, 2].map((i) => says(at + i * MINUTE, [HOUR]));
    const twoHours = [4, 5, 6].map((i) => says(at + i * MINUTE, [2 * HOUR]));
    const settled = settleServerOffsets([...hour, says(at + 3 * MINUTE, []), ...twoHours]);
    expect(settled).toEqual([HOUR, HOUR, HOUR, HOUR, 2 * HOUR, 2 * HOUR, 2 * HOUR]);
    // A change costs two records: one record alone does not make it.
    expect(settleServerOffsets([says(at, [HOUR]), ...twoHours])).toEqual([2 * HOUR, 2 * HOUR, 2 * HOUR, 2 * HOUR]);
  });

  it('never goes against audit twins, and gives a record that says nothing its nearest earlier neighbour’s', () => {
    const records = [
      says(at, []),
      says(at + MINUTE, [], HOUR),
      says(at + 2 * MINUTE, [2 * HOUR]),
      says(at + 3 * MINUTE, []),
    ];
    expect(settleServerOffsets(records)).toEqual([HOUR, HOUR, HOUR, HOUR]);
  });

  it('weighs the well supported offsets of a long log, whatever its users’ other attempts scatter over', () => {
    // 3,000 records, each also allowing one of 100 stray offsets (a quarter hour apart, within ±14 h).
    const records = Array.from({ length: 3_000 }, (_, i) =>
      says(
        at + i * MINUTE,
        [HOUR, (((i * 37) % 100) - 50) * 15 * MINUTE].sort((a, b) => a - b),
      ),
    );
    expect(new Set(settleServerOffsets(records))).toEqual(new Set([HOUR]));
  });

  it('gives a record before the first that speaks the offset before a clear sign of a change between them', () => {
    // Autumn night, five-minute probes read at +2 h, then the clock goes back (02:55 → 02:00): the morning's users say
    // +1 h. Before, the night's probes before the change took +1 h too: an hour off.
    const night = [0, 5, 10].map((m) => says(at + m * MINUTE, []));
    const after = [says(at - 45 * MINUTE, []), says(at + 5 * HOUR, [HOUR]), says(at + 6 * HOUR, [HOUR])];
    expect(settleServerOffsets([...night, ...after])).toEqual([2 * HOUR, 2 * HOUR, 2 * HOUR, HOUR, HOUR, HOUR]);
    // Spring: probes read at +1 h, then a gap of an hour and five minutes (02:00 → 03:00); the users say +2 h.
    const spring = [0, 5, 10, 75].map((m) => says(at + m * MINUTE, []));
    expect(settleServerOffsets([...spring, says(at + 5 * HOUR, [2 * HOUR])])).toEqual([
      HOUR,
      HOUR,
      HOUR,
      2 * HOUR,
      2 * HOUR,
    ]);
    // After the last record that speaks, likewise: the change the sign shows.
    expect(settleServerOffsets([says(at, [2 * HOUR]), says(at + 5 * MINUTE, []), says(at - 50 * MINUTE, [])])).toEqual([
      2 * HOUR,
      2 * HOUR,
      HOUR,
    ]);
  });

  it('takes a gap for a change only in a log with a record every few minutes, and an hour or a little more', () => {
    // Sparse records (no probes), or a gap of three hours: a quiet night as likely as a change; the first's offset.
    const sparse = [0, 40, 105].map((m) => says(at + m * MINUTE, []));
    expect(settleServerOffsets([...sparse, says(at + 5 * HOUR, [2 * HOUR])])).toEqual(Array(4).fill(2 * HOUR));
    const longGap = [0, 5, 185].map((m) => says(at + m * MINUTE, []));
    expect(settleServerOffsets([...longGap, says(at + 5 * HOUR, [2 * HOUR])])).toEqual(Array(4).fill(2 * HOUR));
    // A clock set back by a few minutes (a time correction) is no daylight-saving change.
    const corrected = [says(at, []), says(at - 3 * MINUTE, []), says(at + HOUR, [HOUR])];
    expect(settleServerOffsets(corrected)).toEqual([HOUR, HOUR, HOUR]);
  });

  it('learns nothing when no record speaks', () => {
    expect(settleServerOffsets([says(at, []), says(at + MINUTE, [])])).toEqual([undefined, undefined]);
    expect(settleServerOffsets([])).toEqual([]);
  });
});

describe('settleNpsLogClocks without audit events', () => {
  const user = (key: string) => ({ key, domain: 'corp', domainExplicit: true, raw: `CORP\\${key}` });
  let line = 0;
  const logged = (key: string, time: number): RadiusDecision => ({
    id: `nps01|in2610.log|${++line}`,
    ref: { provider: 'NPS log (DTS)', eventId: 6272, computer: 'NPS01', channel: 'IN2610.log', recordId: line },
    time,
    user: user(key),
    kind: 'radius.decision',
    source: 'radius',
    decision: 'granted',
    reasonCode: 0,
    reason: null,
    clientName: 'DA01',
    clientIp: '10.0.0.10',
    nasIdentifier: null,
    authenticationType: 'PAP',
    networkPolicy: null,
    clock: { offsetMinutes: 0, basis: 'assumed_utc' },
  });
  const request = (key: string, time: number): CaRequest => ({
    id: `ca01|security|${time}`,
    ref: {
      provider: 'Microsoft-Windows-Security-Auditing',
      eventId: 4886,
      computer: 'ca01',
      channel: 'Security',
      recordId: 1,
    },
    time,
    user: user(key),
    kind: 'ca.request',
    source: 'ca',
    requestId: 1,
    template: 'DAOTPLogon',
    subject: null,
    requestingMachine: null,
    cspProvider: null,
    machineRequester: null,
  });

  it("moves each record by the offset its users' CA requests teach, across a daylight-saving change", () => {
    // Europe/Berlin on 25 October 2026: +2 h until 01:00 UTC, +1 h after.
    const change = Date.parse('2026-10-25T01:00:00.000Z');
    const before = change - 40 * MINUTE;
    const after = change + 20 * MINUTE;
    const events: NormalizedEvent[] = [
      logged('ann', before + 2 * HOUR),
      request('ann', before + 2_000),
      logged('daprobeuser', before + 30 * MINUTE + 2 * HOUR), // 00:50 UTC, read 02:50
      logged('daprobeuser', after - 10 * MINUTE + HOUR), // 01:10 UTC, read 02:10: the log's time went back
      logged('bob', after + HOUR),
      request('bob', after + 1_500),
      logged('cid', after + 30 * MINUTE + HOUR),
      request('cid', after + 30 * MINUTE + 2_500),
      request('cid', after + 75 * MINUTE), // cid again, three quarters of an hour later: its record also fits +15 min
    ];
    const settled = settleNpsLogClocks(events, userWindowMs(DEFAULT_ANALYSIS_CONFIG.clockSkewToleranceMs));
    const utc = settled.events.filter((e) => e.kind === 'radius.decision').map((e) => e.time);
    expect(utc).toEqual([before, before + 30 * MINUTE, after - 10 * MINUTE, after, after + 30 * MINUTE]);
    expect(settled.clocks).toEqual({
      nps01: {
        offset: '+02:00',
        basis: 'learned',
        changes: [{ from: new Date(after - 10 * MINUTE).toISOString(), offset: '+01:00' }],
      },
    });
    expect(settled.duplicates).toBe(0);
  });
});
