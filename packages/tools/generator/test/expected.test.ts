import { ROOT_CAUSES, rootCauseEntry } from '@otptrace/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ExpectedAttempt, FLEET_FILES, hresultToSignedDecimal, SCENARIOS } from '../src/index.js';
import { generateToMemory, type ReadEvent, readEvents } from './helpers.js';

// A fleet big enough for every scenario to occur, without unrelated events (they are checked elsewhere); the one
// scenario only an incident asked for writes is asked for.
let expected: ExpectedAttempt[];
let events: ReadEvent[];

beforeAll(() => {
  const { files } = generateToMemory({
    users: 2000,
    seed: 21,
    unrelatedRatio: 0,
    incidents: ['radius_client_misconfigured'],
  });
  expected = JSON.parse(files['expected.json'] ?? '[]') as ExpectedAttempt[];
  events = FLEET_FILES.flatMap((f) => readEvents(f, files[f] ?? ''));
}, 120_000);

const samOf = (name: string | undefined): string => (name ?? '').split(/[\\/]/).pop()?.toLowerCase() ?? '';

/** The events of one attempt: its user's, on its hosts, from its start until the user's next attempt (≤ 60 s). */
function evidenceOf(a: ExpectedAttempt, next: ExpectedAttempt | undefined): ReadEvent[] {
  const from = Date.parse(a.start);
  const to = Math.min(from + 60_000, next === undefined ? Number.POSITIVE_INFINITY : Date.parse(next.start));
  const sam = samOf(a.user);
  return events.filter((e) => {
    if (e.time < from || e.time >= to) return false;
    if (e.file === 'client.xml') return e.computer === a.hosts.client;
    if (e.file === 'iis.xml') return false; // IIS names no user; checked through the order below.
    if (e.file === 'nps.xml') return e.computer === a.hosts.radius && samOf(e.data.SubjectUserName) === sam;
    return e.computer === a.hosts.ca && samOf(e.data.Requester) === sam;
  });
}

function attemptsWithEvidence(): [ExpectedAttempt, ReadEvent[]][] {
  const byUser = new Map<string, ExpectedAttempt[]>();
  for (const a of expected) byUser.set(a.user, [...(byUser.get(a.user) ?? []), a]);
  return expected.map((a) => {
    const list = byUser.get(a.user) ?? [];
    return [a, evidenceOf(a, list[list.indexOf(a) + 1])];
  });
}

describe('expected.json', { timeout: 60_000 }, () => {
  it('covers every scenario of the failure mix, with root-cause codes and stages from the catalogue', () => {
    const scenarios = new Set(expected.map((a) => a.scenario));
    expect([...scenarios].sort()).toEqual([...Object.keys(SCENARIOS), 'probe'].sort());
    for (const a of expected) {
      if (a.rootCause === null) {
        expect(a.failedStage).toBeNull();
        expect(['success', 'cancelled', 'probe']).toContain(a.outcome);
      } else {
        expect(Object.keys(ROOT_CAUSES)).toContain(a.rootCause);
        expect(a.failedStage).toBe(rootCauseEntry(a.rootCause)?.stage);
        expect(a.outcome).toBe('failure');
      }
    }
  });

  it('lists attempts in start order, with lower-case domain\\sam users', () => {
    const starts = expected.map((a) => a.start);
    expect(starts).toEqual([...starts].sort());
    for (const a of expected) expect(a.user).toMatch(/^corp\\[a-z0-9]+$/);
  });

  it('matches the events written for each attempt', () => {
    for (const [a, ev] of attemptsWithEvidence()) {
      const nps = ev.filter((e) => e.eventId === 6272 || e.eventId === 6273);
      expect(nps.length, `${a.id} NPS`).toBe(a.hosts.radius === null ? 0 : 1);
      if (a.detail.npsReasonCode !== null) expect(nps[0]?.data.ReasonCode).toBe(String(a.detail.npsReasonCode));
      else if (a.hosts.radius !== null) expect(nps[0]?.eventId, a.id).toBe(6272);
      const client = ev.filter((e) => e.file === 'client.xml');
      expect(
        client.map((e) => e.eventId),
        a.id,
      ).toEqual(a.detail.clientEventId === null ? [] : [a.detail.clientEventId]);
      expect(a.outcome === 'success', a.id).toBe(a.detail.clientEventId === 10022);
      const received = ev.filter((e) => e.eventId === 4886);
      expect(received.length, `${a.id} 4886`).toBe(a.hosts.ca === null ? 0 : 1);
      const decision = ev.find((e) => [4887, 4888, 4889].includes(e.eventId));
      if (a.detail.caHresult !== null) {
        expect(decision?.eventId).toBe(4888);
        expect(decision?.data.Disposition).toBe(hresultToSignedDecimal(a.detail.caHresult));
      }
      if (decision !== undefined) expect(decision.data.RequestId).toBe(received[0]?.data.RequestId);
    }
  });

  it('keeps the real order of one attempt: RADIUS decision, then the CA, then the client result', () => {
    for (const [a, ev] of attemptsWithEvidence()) {
      const times = (ids: number[]): number[] => ev.filter((e) => ids.includes(e.eventId)).map((e) => e.time);
      const nps = times([6272, 6273]);
      const ca = [...times([4886]), ...times([4887, 4888, 4889])];
      const client = ev.filter((e) => e.file === 'client.xml').map((e) => e.time);
      const sequence = [...nps, ...ca, ...client];
      expect(sequence, a.id).toEqual([...sequence].sort((x, y) => x - y));
      expect(Date.parse(a.start)).toBeLessThanOrEqual(Math.min(...sequence, Number.POSITIVE_INFINITY));
    }
  });

  it('places each RADIUS decision inside an IIS request of the same DA server', () => {
    const iis = events.filter((e) => e.eventId === 6200 && e.data['cs-method'] === 'POST');
    for (const [a, ev] of attemptsWithEvidence()) {
      const decision = ev.find((e) => e.eventId === 6272 || e.eventId === 6273);
      if (decision === undefined || a.outcome === 'probe') continue;
      // IIS writes date+time at whole seconds (UTC) when the request completed, and time-taken in ms.
      const inside = iis.some((r) => {
        if (r.computer !== a.hosts.gateway) return false;
        const end = Date.parse(`${r.data.date}T${r.data.time}Z`);
        const start = end - Number(r.data['time-taken']);
        return start - 1000 <= decision.time && decision.time <= end + 1000;
      });
      expect(inside, a.id).toBe(true);
    }
  });

  it("names the client address of each attempt's own IIS request, and none for an attempt that made none", () => {
    const iis = events.filter((e) => e.eventId === 6200);
    let withRequest = 0;
    for (const a of expected) {
      if (a.detail.httpStatus === null) {
        expect(a.clientAddress, a.id).toBeNull();
        continue;
      }
      withRequest++;
      // Its request: on its DA server, from its address, completed within a minute of its start (whole seconds).
      const from = Date.parse(a.start) - 1000;
      const own = iis.filter((r) => {
        const end = Date.parse(`${r.data.date}T${r.data.time}Z`);
        return (
          r.computer === a.hosts.gateway && r.data['c-ip'] === a.clientAddress && end >= from && end <= from + 61_000
        );
      });
      expect(own.length, a.id).toBeGreaterThan(0);
      expect(
        own.map((r) => Number(r.data['sc-status'])),
        a.id,
      ).toContain(a.detail.httpStatus);
    }
    expect(withRequest).toBeGreaterThan(expected.length / 2);
  });

  it("lists each attempt's client events as the laptop logged them, on its skewed clock: every one, once", () => {
    const skewed = generateToMemory({ users: 300, seed: 5, unrelatedRatio: 0, maxClockSkewMs: 90_000 }).files;
    const logged = readEvents('client.xml', skewed['client.xml'] ?? '');
    const attempts = JSON.parse(skewed['expected.json'] ?? '[]') as ExpectedAttempt[];
    const listed = attempts.flatMap((a) => (a.clientEvents ?? []).map((c) => ({ computer: a.hosts.client, ...c })));
    const key = (computer: string | null, eventId: number, time: number) => `${computer}|${eventId}|${time}`;
    // The log writes 100 ns; the listing and the reader cut to the millisecond.
    expect(listed.map((c) => key(c.computer, c.eventId, Date.parse(c.logged))).sort()).toEqual(
      logged.map((e) => key(e.computer, e.eventId, Math.floor(e.time))).sort(),
    );
    // An attempt with a client computer lists at least one.
    const withClient = attempts.filter((a) => a.hosts.client !== null);
    expect(withClient.length).toBeGreaterThan(300);
    expect(withClient.filter((a) => (a.clientEvents ?? []).length === 0).map((a) => a.id)).toEqual([]);
  });
});
