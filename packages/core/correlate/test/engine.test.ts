import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { NormalizedEvent, RadiusDecision } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { type ClosedAttempt, CorrelationEngine, type EngineConfig, isSharedEvent } from '../src/index.js';

const config: EngineConfig = {
  clockSkewToleranceMs: 180_000,
  attemptGapMs: 300_000,
  stageTimeoutMs: 120_000,
  gatewayJoinSlackMs: 1_500,
  radiusTimeoutMs: 5_000,
  otpTemplate: /otp/i,
  isProbe: (k) => k === 'daprobeuser',
  reorderDelayMs: 180_000,
};
const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
let record = 1;
const user = (key: string) => ({ key, domain: 'corp', domainExplicit: true, raw: `CORP\\${key}` });
const ref = (provider: string, eventId: number, computer: string, channel: string) => ({
  provider,
  eventId,
  computer,
  channel,
  recordId: record++,
});
const id = (r: { computer: string; channel: string; recordId: number }) => `${r.computer}|${r.channel}|${r.recordId}`;

function radius(
  key: string,
  t: number,
  decision: 'granted' | 'denied',
  reasonCode: number | null = null,
): RadiusDecision {
  const r = ref('Microsoft-Windows-Security-Auditing', decision === 'granted' ? 6272 : 6273, 'nps01', 'Security');
  return {
    id: id(r),
    ref: r,
    time: T0 + t,
    user: user(key),
    kind: 'radius.decision',
    source: 'radius',
    decision,
    reasonCode: reasonCode ?? 0,
    reason: null,
    clientName: 'da01',
    clientIp: '10.0.0.10',
    nasIdentifier: null,
    authenticationType: 'PAP',
    networkPolicy: null,
  };
}
function iis(t: number, taken: number, server = 'da01'): NormalizedEvent {
  const r = ref('Microsoft-Windows-IIS-Logging', 6200, server, 'Microsoft-IIS-Logging/Logs');
  return {
    id: id(r),
    ref: r,
    time: T0 + t,
    user: null,
    kind: 'gateway.request',
    source: 'gateway',
    startTime: T0 + t - taken,
    method: 'POST',
    uriStem: '/otp',
    status: 200,
    subStatus: 0,
    win32Status: 0,
    timeTakenMs: taken,
    clientIp: '198.51.100.1',
    serverIp: null,
    serverPort: 443,
    siteName: null,
    host: null,
  };
}
function client(key: string | null, t: number, eventId: number, machine = 'pc1'): NormalizedEvent {
  const r = ref(
    'Microsoft-Windows-OtpCredentialProviderEvt',
    eventId,
    machine,
    'Microsoft-Windows-OtpCredentialProvider/Operational',
  );
  return {
    id: id(r),
    ref: r,
    time: T0 + t,
    user: key === null ? null : user(key),
    kind: 'client.result',
    source: 'client',
    errorCode: null,
    serverAddress: null,
    caName: eventId === 10022 ? 'ca01\\CA' : null,
    templateName: null,
  };
}
function ca(key: string, t: number, requestId: number, status: 'request' | 'issued' | 'denied'): NormalizedEvent {
  const r = ref(
    'Microsoft-Windows-Security-Auditing',
    status === 'request' ? 4886 : status === 'issued' ? 4887 : 4888,
    'ca01',
    'Security',
  );
  const base = { id: id(r), ref: r, time: T0 + t, user: user(key), source: 'ca' as const, requestId };
  return status === 'request'
    ? { ...base, kind: 'ca.request', template: 'DAOTPLogon', subject: null, requestingMachine: 'pc1' }
    : {
        ...base,
        kind: 'ca.result',
        status,
        hresult: status === 'denied' ? '0x80094800' : null,
        template: 'DAOTPLogon',
        subject: null,
        detail: null,
      };
}

function directory(t: number): NormalizedEvent {
  const r = ref('NPS', 4402, 'nps01', 'System');
  const base = { id: id(r), ref: r, time: T0 + t, user: null };
  return { ...base, kind: 'radius.directory_unavailable', source: 'radius', domain: 'CORP' };
}

/** Feed events in the given (arrival) order as a stream, advancing the watermark to the latest time seen. */
function stream(events: NormalizedEvent[]): ClosedAttempt[] {
  const engine = new CorrelationEngine(config);
  const out: ClosedAttempt[] = [];
  let watermark = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    engine.add(e);
    watermark = Math.max(watermark, e.time);
    out.push(...engine.advance(watermark).attempts);
  }
  out.push(...engine.flush().attempts);
  return out;
}
/** A client's 10005 (the DA server refused it) naming its server `server`, by name or address. */
function refused(key: string, t: number, server: string): NormalizedEvent {
  return {
    ...(client(key, t, 10005, `pc-${key}`) as Extract<NormalizedEvent, { kind: 'client.result' }>),
    serverAddress: server,
  };
}
/** NPS System 14 refusing the RADIUS client `client` (a wrong shared secret). */
function refusal(t: number, client = 'da01'): NormalizedEvent {
  const r = ref('NPS', 14, 'nps01', 'System');
  const base = { id: id(r), ref: r, time: T0 + t, user: null };
  return { ...base, kind: 'radius.client_error', source: 'radius', client, problem: 'bad_authenticator' };
}
/** As `stream`, advancing to each event's own time, with the drops as `reason@ms after T0`. */
function streamWithDrops(
  events: NormalizedEvent[],
  settings: EngineConfig = config,
  engine = new CorrelationEngine(settings),
): { closed: ClosedAttempt[]; drops: string[] } {
  const closed: ClosedAttempt[] = [];
  const drops: string[] = [];
  const take = (out: ReturnType<CorrelationEngine['flush']>) => {
    closed.push(...out.attempts);
    drops.push(...out.drops.map((d) => `${d.reason}@${d.event.time - T0}`));
  };
  for (const e of events) {
    engine.add(e);
    take(engine.advance(e.time));
  }
  take(engine.flush());
  return { closed, drops };
}
const shape = (attempts: ClosedAttempt[]) =>
  attempts.map(
    (a) =>
      `${a.userKey ?? '?'}: ${a.events.map((e) => e.ref.eventId).join(',')}${a.gatewayAmbiguous ? ' (ambiguous IIS)' : ''}`,
  );

describe('CorrelationEngine', () => {
  it('stitches one attempt across the four sources, and the IIS request by time containment', () => {
    const events = [
      radius('alice', 300, 'granted'),
      iis(600, 600),
      ca('alice', 1500, 7, 'request'),
      ca('alice', 1520, 7, 'issued'),
      client(null, 1900, 10022),
    ];
    expect(shape(stream(events))).toEqual(['alice: 6272,6200,4886,4887,10022']);
  });

  it('gives a user-less result of one laptop to no attempt whose CA request names another (ccm:), however near', () => {
    // amy enrols from pc1 (the CA request's ccm:); bob's CA log was not read. bob's laptop logs its success first, amy's
    // after: the nearest attempt at the CA is amy's, but her request names pc1, so pc-bob's result is bob's.
    const events = [
      radius('amy', 1_000, 'granted'),
      radius('bob', 1_500, 'granted'),
      ca('amy', 2_000, 7, 'request'),
      ca('amy', 2_100, 7, 'issued'),
      client(null, 3_000, 10022, 'pc-bob'),
      client(null, 3_500, 10022, 'pc1'),
    ];
    const closed = stream(events);
    expect(closed.map((a) => `${a.userKey}: ${a.client?.ref.computer}`).sort()).toEqual(['amy: pc1', 'bob: pc-bob']);
  });

  it('gives the same attempts whatever the arrival order (within the reorder window)', () => {
    const events = [
      radius('alice', 300, 'granted'),
      iis(600, 600),
      ca('alice', 1500, 7, 'request'),
      ca('alice', 1520, 7, 'issued'),
      client(null, 1900, 10022),
    ];
    expect(shape(stream([...events].reverse()))).toEqual(shape(stream(events)));
  });

  it("keeps a user's attempts in opening order when one in the middle closes first", () => {
    // Three denials, each its own attempt; the first and third take a client result, the second (past the attempt gap
    // for the later one) none: it closes first, while the others are open (the watermark reaches past its close time
    // with the next denial). That denial opens a fourth attempt, after the third, and its result goes to it alone.
    const closed = stream([
      radius('u', 0, 'denied', 16),
      radius('u', 1_000, 'denied', 16),
      radius('u', 250_000, 'denied', 16),
      client('u', 290_000, 10005),
      client('u', 320_000, 10005),
      radius('u', 1_000_000, 'denied', 16),
      client('u', 1_001_000, 10005),
    ]);
    expect(closed.map((a) => `${a.events.map((e) => `${e.ref.eventId}@${e.time - T0}`).join(' ')}`)).toEqual([
      '6273@1000',
      '6273@0 10005@290000',
      '6273@250000 10005@320000',
      '6273@1000000 10005@1001000',
    ]);
  });

  it('starts a new attempt for a retry: the RADIUS slot is taken', () => {
    const events = [
      radius('bob', 0, 'denied', 16),
      client('bob', 400, 10005),
      radius('bob', 30_000, 'granted'),
      ca('bob', 31_000, 8, 'request'),
      ca('bob', 31_010, 8, 'issued'),
      client('bob', 31_500, 10022),
    ];
    expect(shape(stream(events))).toEqual(['bob: 6273,10005', 'bob: 6272,4886,4887,10022']);
  });

  it('tolerates a client clock 100 s behind: the success joins the granted attempt, not the denied one', () => {
    const events = [
      radius('carol', 0, 'denied', 16),
      client('carol', 500 - 100_000, 10005),
      radius('carol', 40_000, 'granted'),
      ca('carol', 41_000, 9, 'request'),
      ca('carol', 41_010, 9, 'issued'),
      client('carol', 41_500 - 100_000, 10022),
    ];
    // Evidence is listed in logged time, so the skewed client events come first in each attempt.
    expect(shape(stream(events))).toEqual(['carol: 10005,6273', 'carol: 10022,6272,4886,4887']);
  });

  it("gives a retry its CA steps when NPS's clock runs ahead: they come before the retry's grant, long after the failure", () => {
    // The DA server could not sign (10005 after a grant); 90 s later the retry succeeds, and NPS, 4 s ahead of the CA,
    // logs its grant after the CA's steps. Those steps are not the failed attempt's: the DA server answered it with a
    // failure, so its client never went to the CA.
    const events = [
      radius('gina', 0, 'granted'),
      client('gina', 400, 10005),
      ca('gina', 91_000, 11, 'request'),
      ca('gina', 91_100, 11, 'issued'),
      radius('gina', 94_000, 'granted'),
      client(null, 91_500, 10022),
    ];
    expect(shape(stream(events))).toEqual(['gina: 6272,10005', 'gina: 4886,4887,10022,6272']);
  });

  it('keeps a CA denial that the client reports with 10005 (Windows 7 clients) in the one attempt', () => {
    const events = [
      radius('hana', 0, 'granted'),
      ca('hana', 1_000, 12, 'request'),
      ca('hana', 1_030, 12, 'denied'),
      client('hana', 1_400, 10005),
    ];
    expect(shape(stream(events))).toEqual(['hana: 6272,4886,4888,10005']);
  });

  it('opens a new attempt after the configured gap', () => {
    const events = [
      radius('dave', 0, 'granted'),
      ca('dave', 400_000, 10, 'request'),
      ca('dave', 400_010, 10, 'issued'),
    ];
    expect(shape(stream(events))).toEqual(['dave: 6272', 'dave: 4886,4887']);
  });

  it("marks an IIS request ambiguous when two users' decisions fall inside it, instead of guessing", () => {
    const events = [radius('erin', 200, 'granted'), radius('frank', 250, 'denied', 16), iis(700, 700)];
    const attempts = stream(events);
    expect(shape(attempts)).toEqual(['erin: 6272 (ambiguous IIS)', 'frank: 6273 (ambiguous IIS)']);
  });

  it('counts a duplicate once and reports a conflicting one', () => {
    const engine = new CorrelationEngine(config);
    const e = radius('gina', 0, 'granted');
    engine.add(e);
    engine.add(e);
    engine.add({ ...e, time: e.time + 5 } as NormalizedEvent);
    const out = engine.flush();
    expect(out.drops.map((d) => d.reason)).toEqual(['duplicate_event', 'conflicting_duplicate']);
    expect(out.attempts).toHaveLength(1);
  });

  it('keeps probe decisions apart, one attempt each', () => {
    const attempts = stream([radius('daprobeuser', 0, 'denied', 8), radius('daprobeuser', 300_000, 'denied', 8)]);
    expect(attempts.map((a) => a.probe)).toEqual([true, true]);
  });

  it('closes an attempt only when nothing can join it any more, by event time alone', () => {
    const engine = new CorrelationEngine(config);
    engine.add(radius('hank', 0, 'granted'));
    expect(engine.advance(T0 + 60_000).attempts).toEqual([]); // still in the reorder window
    expect(engine.advance(T0 + 240_000).attempts).toEqual([]); // placed, waiting for its next step
    expect(engine.openAttempts).toBe(1);
    const later = engine.advance(T0 + 3_600_000).attempts;
    expect(later.map((a) => a.closedBy)).toEqual(['timeout']);
  });

  it('drops an event older than the watermark minus the reorder window as late', () => {
    const engine = new CorrelationEngine(config);
    engine.advance(T0 + 3_600_000);
    engine.add(radius('ivan', 0, 'granted'));
    expect(engine.advance(T0 + 3_600_001).drops.map((d) => d.reason)).toEqual(['late_event']);
  });

  it('hands back every attempt an NPS 4402 explains before the watermark passes its time plus retentionMs', () => {
    const engine = new CorrelationEngine(config);
    const outage = directory(1_000);
    // Two users denied around one "no domain controller" event; each attempt is then stretched by its remaining steps
    // (IIS request, client result), each as late as the attempt gap allows.
    const events = [
      radius('jack', 0, 'denied', 16),
      radius('kate', 2_000, 'denied', 16),
      outage,
      iis(2_500, 3_000),
      client('jack', 250_000, 10005),
      client('kate', 290_000, 10005, 'pc2'),
    ];
    for (const e of events) engine.add(e);
    const closed: ClosedAttempt[] = [];
    for (let w = T0; w <= outage.time + engine.retentionMs; w += 1_000) closed.push(...engine.advance(w).attempts);
    expect(engine.openAttempts).toBe(0);
    // It explains both denials; the nearest carries it as evidence (equally near: the one opened first), once.
    expect(closed.map((a) => [a.userKey, a.directoryNearby, a.events.includes(outage)])).toEqual([
      ['jack', true, true],
      ['kate', true, false],
    ]);
    expect(closed.flatMap((a) => a.events.filter(isSharedEvent))).toEqual([]);
  });

  it('gives an unanswered attempt the three NPS refusals of its DA server nearest to its request, and counts the rest', () => {
    // A wrong shared secret: NPS refuses the DA server at every request (one every 2 s here), none is answered.
    const refusals = Array.from({ length: 10 }, (_, i) => refusal(i * 2_000));
    const events = [...refusals, iis(20_000, 15_000), client('u', 20_300, 10005), refusal(900_000)];
    const { closed, drops } = streamWithDrops(events);
    // The request spans 5-20 s: the refusals within it are all as near; the earliest three are kept.
    expect(closed.map((a) => a.radiusClientErrors.map((e) => e.time - T0))).toEqual([[6_000, 8_000, 10_000]]);
    expect(drops.sort()).toEqual(
      [
        ...[0, 2_000, 4_000, 12_000, 14_000, 16_000, 18_000].map((t) => `repeated_radius_client_event@${t}`),
        'unmatched_radius_client_event@900000',
      ].sort(),
    );
  });

  it("gives each of two unanswered requests the refusals logged during it, not the other's nearby", () => {
    // A wrong shared secret on a quiet site: u's request (5-10 s) was tried once, v's (40-50 s) twice; NPS refused
    // each try. Within the clock-skew tolerance of both, each attempt carries its own tries' refusals alone.
    const events = [
      refusal(5_100),
      iis(10_000, 5_000),
      client('u', 10_300, 10005),
      refusal(40_100),
      refusal(45_100),
      iis(50_000, 10_000),
      client('v', 50_300, 10005),
    ];
    const { closed, drops } = streamWithDrops(events);
    expect(closed.map((a) => [a.user?.key, a.radiusClientErrors.map((e) => e.time - T0)])).toEqual([
      ['u', [5_100]],
      ['v', [40_100, 45_100]],
    ]);
    expect(drops).toEqual([]);
  });

  it('gives a refusal inside several RADIUS timeouts to the request that began last before it, not to all', () => {
    // A RADIUS outage: three users' requests to da01 wait 20 s each and overlap. NPS refused one packet of da01
    // (System 14) at 15 s: the server's probe after its shared secret changed (generated fleet 6052, session 52). NPS
    // logs one refusal per packet, and a request sends its first as it begins: the refusal is c's, whose request began
    // last before it. Before, all three carried it and were blamed on the shared secret.
    const outage = [
      iis(25_000, 20_000),
      client('a', 25_300, 10005, 'pa'),
      iis(28_000, 20_000),
      client('b', 28_300, 10005, 'pb'),
      refusal(15_000),
      iis(31_000, 20_000),
      client('c', 31_300, 10005, 'pc'),
    ];
    const carried = (events: NormalizedEvent[]) =>
      streamWithDrops(events)
        .closed.map((a) => [a.user?.key, a.radiusClientErrors.map((e) => e.time - T0)])
        .sort();
    expect(carried(outage)).toEqual([
      ['a', []],
      ['b', []],
      ['c', [15_000]],
    ]);
    // A wrong shared secret: every try of every request is refused, its first as it begins, then one per RADIUS
    // timeout (5 s). Each request keeps its own first refusal, and a retry goes to the latest request begun before it;
    // a refusal within the IIS join's slack (the servers' clocks' jitter) of a later request's start, to both.
    const secret = [
      refusal(5_100),
      refusal(8_100),
      refusal(10_100),
      refusal(11_100),
      refusal(13_100),
      refusal(16_100),
      ...outage.filter((e) => e.kind !== 'radius.client_error'),
    ];
    expect(carried(secret)).toEqual([
      ['a', [5_100, 8_100]],
      ['b', [8_100, 10_100, 11_100]],
      ['c', [11_100, 13_100, 16_100]],
    ]);
  });

  it("leaves NPS's refusals of a DA server a minute before an unanswered request out of it; a few seconds before, in", () => {
    // NPS refused da01 (a wrong shared secret) until 20 s. u's request (100-120 s) waited for RADIUS in an outage, and
    // NPS logged one refusal 8 s before it began (the two servers' clocks a little apart). Those of 10-20 s lie 80 s
    // before it: within the 3 min clock-skew tolerance (for laptops) they explained it, and RADIUS timeouts were blamed
    // on the RADIUS client's settings.
    const events = [
      refusal(10_000),
      refusal(15_000),
      refusal(20_000),
      refusal(92_000),
      iis(120_000, 20_000),
      client('u', 120_300, 10005),
    ];
    const { closed } = streamWithDrops(events);
    expect(closed.map((a) => [a.user?.key, a.radiusClientErrors.map((e) => e.time - T0)])).toEqual([['u', [92_000]]]);
  });

  it('gives a client refused without an IIS request the NPS refusals of the server it names, by name or address', () => {
    // No IIS log was read. NPS logged the DA server's RADIUS address with an earlier decision (ClientName da01,
    // ClientIPAddress 10.0.0.10), and names the server by that address when the shared secret no longer matches.
    // The configuration says da01 is a DA server: a client naming another address names another server.
    const events = [
      radius('early', 0, 'granted'),
      refusal(600_000, '10.0.0.10'),
      refusal(600_500, '10.0.0.99'),
      refused('u', 607_000, 'da01.corp.example.com'),
      // Five minutes before its result: outside the span a request waits for RADIUS (and the clock-skew tolerance).
      refusal(1_200_000, '10.0.0.10'),
      refused('v', 1_500_000, 'da01'),
      // Named by address.
      refusal(2_498_000, '10.0.0.10'),
      refused('w', 2_500_000, '10.0.0.10'),
      // Another address: not 10.0.0.10's, though both start with "10".
      refusal(3_499_000, '10.0.0.10'),
      refused('x', 3_500_000, '10.9.9.9'),
    ];
    const { closed, drops } = streamWithDrops(events, { ...config, daServerAddresses: { da01: ['10.0.0.10'] } });
    expect(closed.map((a) => [a.userKey, a.radiusClientErrors.map((e) => e.time - T0)])).toEqual([
      ['early', []],
      ['u', [600_000]],
      ['v', []],
      ['w', [2_498_000]],
      ['x', []],
    ]);
    expect(drops.sort()).toEqual(
      [600_500, 1_200_000, 3_499_000].map((t) => `unmatched_radius_client_event@${t}`).sort(),
    );
  });

  it('gives a client refused without an IIS request the refusals of an address NPS knows only by a friendly name', () => {
    // No IIS log was read, and nothing is configured. NPS knows the DA server's RADIUS address (10.0.0.10) by the
    // administrator's name for it; the client's 10005 names the server by its public name. Nothing ties the two but
    // time, and no known DA server claims the address, so its refusals explain a request that waited for RADIUS.
    const friendly = (key: string, t: number): NormalizedEvent => ({
      ...radius(key, t, 'granted'),
      clientName: 'DirectAccess gateway',
    });
    const events = [
      friendly('early', 0),
      refusal(600_000, '10.0.0.10'),
      refused('u', 607_000, 'da.corp.example.com'),
      // Named by an address (the public one) that is not 10.0.0.10.
      refusal(1_499_000, '10.0.0.10'),
      refused('v', 1_500_000, '203.0.113.7'),
    ];
    expect(
      streamWithDrops(events).closed.map((a) => [a.userKey, a.radiusClientErrors.map((e) => e.time - T0)]),
    ).toEqual([
      ['early', []],
      ['u', [600_000]],
      ['v', [1_499_000]],
    ]);
    // Once the DA server's IIS requests are read (da01, at 10.0.0.10 by its name), an address NPS knows by that
    // server's name is its own: a client naming another server takes none of its refusals.
    const known = [
      radius('early', 0, 'granted'),
      iis(100_000, 200),
      refusal(1_499_000, '10.0.0.10'),
      refused('v', 1_500_000, '203.0.113.7'),
    ];
    expect(streamWithDrops(known).closed.map((a) => [a.userKey, a.radiusClientErrors.length])).toEqual([
      ['early', 0],
      ['v', 0],
    ]);
  });

  it('knows after an idle flush which DA server an address NPS named belongs to, as one reading of everything does', () => {
    // A stream's engine is flushed after two minutes of quiet, and the next one starts from `learnedServers()`. The
    // first run read da01's IIS request and a decision naming da01 at 10.0.0.10; in the second, NPS refuses that
    // address while a client naming another server (by its public address) gets no answer.
    const first = [radius('early', 0, 'granted'), iis(100_000, 200)];
    const second = [refusal(1_499_000, '10.0.0.10'), refused('v', 1_500_000, '203.0.113.7')];
    const oneReading = streamWithDrops([...first, ...second]);
    // The first run's configuration names another DA server: every run applies it, so it is not carried.
    const before = new CorrelationEngine({ ...config, daServerAddresses: { da09: ['10.0.0.90'] } });
    streamWithDrops(first, config, before);
    const learned = before.learnedServers();
    expect(learned).toEqual([{ server: 'da01', offsetMs: 0, radiusClients: [], npsAddresses: ['10.0.0.10'] }]);
    const carried = streamWithDrops(second, config, new CorrelationEngine(config, learned));
    const refusalsOf = (out: { closed: ClosedAttempt[] }) =>
      out.closed.map((a) => [a.userKey, a.radiusClientErrors.length]);
    expect(refusalsOf(oneReading)).toEqual([
      ['early', 0],
      ['v', 0],
    ]);
    expect(refusalsOf(carried)).toEqual([['v', 0]]);
    // The refusal is left unmatched both ways (the first run's request was unmatched in that run).
    expect(oneReading.drops).toEqual(['unmatched_gateway_request@100000', 'unmatched_radius_client_event@1499000']);
    expect(carried.drops).toEqual(['unmatched_radius_client_event@1499000']);
    // Starting over, the address is no known server's, and its refusal would explain v's unanswered attempt.
    expect(refusalsOf(streamWithDrops(second))).toEqual([['v', 1]]);
  });

  it('gives the refusals of an address no DA server is known by to a waiting request of a server with no known address', () => {
    // A node new to the DA servers' cluster (da02) asks RADIUS from its own address, which NPS refuses as an unknown
    // client (13); NPS never named da02 by address. da01's address is known from an earlier decision.
    const unknown = (t: number) => ({ ...refusal(t, '10.0.0.12'), problem: 'unknown_client' }) as NormalizedEvent;
    const events = [
      radius('early', 0, 'granted'),
      ...[600_000, 605_000, 610_000, 615_000].map(unknown),
      iis(615_300, 15_300, 'da02'),
      client('u', 615_600, 10005, 'pc-u'),
      // da01 waited too, but NPS knows its address: the unknown address's refusals are not its.
      iis(700_000, 15_000),
      client('v', 700_300, 10005, 'pc-v'),
      // da03 has no known address either, but refused the request itself (180 ms): it never asked RADIUS.
      iis(780_000, 180, 'da03'),
      client('w', 780_300, 10005, 'pc-w'),
    ];
    const { closed, drops } = streamWithDrops(events);
    expect(closed.map((a) => [a.userKey, a.radiusClientErrors.map((e) => e.time - T0)])).toEqual([
      ['early', []],
      // All four are within the request (600-615.3 s), so equally near: the earliest three.
      ['u', [600_000, 605_000, 610_000]],
      ['v', []],
      ['w', []],
    ]);
    // The fourth is explained by u's request, as a repeat.
    expect(drops).toEqual(['repeated_radius_client_event@615000']);
  });

  it('tells a refused attempt without a request of its own the refusal all the requests around it got, when alike', () => {
    // A stopped application pool at a busy hour: HTTP.sys logs whole seconds, four users' requests a second, all 503;
    // which request is whose cannot be told, and is not guessed (their requests stay unjoined or ambiguous).
    const refused = (t: number, status = 503): NormalizedEvent => ({
      ...(iis(t, 0) as Extract<NormalizedEvent, { kind: 'gateway.request' }>),
      status,
      timeTakenMs: null,
    });
    const events: NormalizedEvent[] = [];
    for (let s = 0; s < 5; s++)
      for (let k = 0; k < 4; k++)
        events.push(refused(s * 1_000), client(`u${s}${k}`, s * 1_000 + 100 + k * 200, 10005, `pc${s}${k}`));
    // Half an hour later a request answered 200 among the refusals: the attempts around it are told nothing.
    const later = 1_800_000;
    events.push(refused(later), refused(later + 1_000), refused(later + 2_000, 200));
    for (let k = 0; k < 4; k++) events.push(client(`v${k}`, later + 300 + k * 200, 10005, `pcv${k}`));
    // And one lone refusal, two users' failures equally near it: one request is no outage.
    const lone = 3_600_000;
    events.push(refused(lone), client('w0', lone + 300, 10005, 'pcw0'), client('w1', lone + 300, 10005, 'pcw1'));
    const closed = stream(events.sort((x, y) => x.time - y.time));
    const byUser = new Map(closed.map((a) => [a.userKey!, a]));
    for (let s = 0; s < 5; s++)
      for (let k = 0; k < 4; k++) {
        const a = byUser.get(`u${s}${k}`)!;
        expect((a.gateway ?? a.refusalAround)?.status, `u${s}${k}`).toBe(503);
      }
    const others = ['v0', 'v1', 'v2', 'v3', 'w0', 'w1'].map((u) => byUser.get(u)!);
    expect(others.map((a) => a.refusalAround)).toEqual([null, null, null, null, null, null]);
    // Some of them have no request of their own: told nothing, not the refusal.
    expect(others.filter((a) => a.gateway === null).length).toBeGreaterThanOrEqual(3);
  });

  it("tells a client refused with a 403 the refusal its own DA server's refused requests got, whatever got through in between", () => {
    // da01 refuses every client certificate (403.16: its IPsec root changed) while da02 serves as usual; one user got
    // through da01 all the same. x's 10005 (0x80040001: the DA server's 403) came with no request of its own.
    const on = (e: NormalizedEvent, server: string, status: number, subStatus: number): NormalizedEvent => {
      const r = { ...e.ref, computer: `${server}.corp.example` };
      return { ...(e as Extract<NormalizedEvent, { kind: 'gateway.request' }>), ref: r, id: id(r), status, subStatus };
    };
    const refusedClient = (key: string, t: number, server: string, errorCode: string | null): NormalizedEvent => ({
      ...(client(key, t, 10005, `pc-${key}`) as Extract<NormalizedEvent, { kind: 'client.result' }>),
      errorCode,
      serverAddress: `${server}.corp.example`,
    });
    const events: NormalizedEvent[] = [];
    for (const [i, t] of [0, 20_000, 40_000, 60_000].entries())
      events.push(on(iis(t, 20), 'da01', 403, 16), refusedClient(`a${i}`, t + 300, 'da01', '0x80040001'));
    events.push(on(iis(10_000, 600), 'da02', 200, 0), on(iis(30_000, 600), 'da02', 200, 0));
    events.push(radius('b', 49_700, 'granted'), on(iis(50_000, 600), 'da01', 200, 0));
    events.push(on(iis(70_000, 20), 'da02', 403, 13), refusedClient('z', 70_300, 'da02', '0x80040001'));
    events.push(refusedClient('x', 80_000, 'da01', '0x80040001'), refusedClient('y', 85_000, 'da01', null));
    const byUser = new Map(stream(events.sort((p, q) => p.time - q.time)).map((a) => [a.userKey!, a]));
    for (const key of ['a0', 'a1', 'a2', 'a3']) expect(byUser.get(key)!.gateway?.subStatus, key).toBe(16);
    expect(byUser.get('b')!.gateway?.status).toBe(200);
    const x = byUser.get('x')!;
    expect([x.gateway, x.refusalAround?.status, x.refusalAround?.subStatus]).toEqual([null, 403, 16]);
    // y's error says nothing of a 403: the requests that got through count, and nothing is told.
    expect(byUser.get('y')!.refusalAround).toBeNull();
    // A request answered 200 is never the one of a client that reports a 403; another error's client takes it.
    const answered = (errorCode: string) =>
      stream([on(iis(1_000, 600), 'da01', 200, 0), refusedClient('p', 1_300, 'da01', errorCode)])[0]!.gateway?.status;
    expect([answered('0x80040001'), answered('0x80040008')]).toEqual([undefined, 200]);
  });

  it('gives an NPS 4402 to the nearest denial of its server only, and tells every denial around it', () => {
    // NPS logs one per request in an outage: four denials, each with its 4402 a little before, and one denial after
    // them all; none of them carries another's 4402, and the last, with none of its own, is told of them.
    const events = [0, 10_000, 20_000, 30_000].flatMap((t, i) => [directory(t - 100), radius(`u${i}`, t, 'denied', 4)]);
    events.push(radius('late', 60_000, 'denied', 16), radius('far', 60_000 + 400_000, 'denied', 16));
    const closed = stream(events);
    expect(closed.map((a) => [a.userKey, a.directoryNearby, a.directory.map((d) => d.time - T0)])).toEqual([
      ['u0', true, [-100]],
      ['u1', true, [9_900]],
      ['u2', true, [19_900]],
      ['u3', true, [29_900]],
      ['late', true, []],
      ['far', false, []],
    ]);
  });
});

describe('an outage of NPS 4402s, a few a second', () => {
  it('gives each 4402 the denial nearest it, however the seconds fall', () => {
    // Each denial 90 ms after its 4402 and 160 ms after the one before; then a 4402 on a second's edge, 100 ms from two
    // denials: the one opened first takes it, though the other is in its second.
    const events = Array.from({ length: 12 }, (_, i) => 250 * i + 60).flatMap((t, i) => [
      directory(t - 90),
      radius(`u${i}`, t, 'denied', 4),
    ]);
    events.push(radius('p', 4_900, 'denied', 4), directory(5_000), radius('q', 5_100, 'denied', 4));
    const closed = stream(events);
    expect(closed.map((a) => `${a.userKey}: ${a.directory.map((d) => d.time - T0).join(',')}`)).toEqual([
      ...Array.from({ length: 12 }, (_, i) => `u${i}: ${250 * i - 30}`),
      'p: 5000',
      'q: ',
    ]);
  });
});

/** As the offline analysis drives the engine: sorted events, each placed at once and followed by a sweep. */
function offline(events: NormalizedEvent[]): ClosedAttempt[] {
  const engine = new CorrelationEngine({ ...config, reorderDelayMs: 0 });
  const out: ClosedAttempt[] = [];
  for (const e of [...events].sort((x, y) => x.time - y.time)) {
    engine.add(e);
    out.push(...engine.advance(e.time).attempts);
  }
  return [...out, ...engine.flush().attempts];
}

describe('CorrelationEngine: which attempt an IIS request joins', () => {
  /**
   * kay's and lee's successes from `t` (ms after T0): the CA issues at t + 0.7 s and t + 30.7 s, and the 10022s are
   * logged at t + 27.7 s and t + 5.7 s, so pc1 logs 27 s ahead of the servers and pc2 25 s behind.
   */
  const lagTellingSuccesses = (t: number): NormalizedEvent[] => [
    radius('kay', t, 'granted'),
    ca('kay', t + 500, 91, 'request'),
    ca('kay', t + 700, 91, 'issued'),
    client(null, t + 27_700, 10022),
    radius('lee', t + 30_000, 'granted'),
    { ...ca('lee', t + 30_500, 92, 'request'), requestingMachine: 'pc2' } as NormalizedEvent,
    ca('lee', t + 30_700, 92, 'issued'),
    client(null, t + 5_700, 10022, 'pc2'),
  ];
  /**
   * The DA server refuses kay's request at once (it ends at 1,000.9 s) and RADIUS never answers lee's (it ends at
   * 1,047.2 s, 30 s after it began). As logged, lee's failure (1,022.2 s) lies 21.3 s after kay's request and kay's
   * (1,027.7 s) 19.5 s before lee's; on the servers' clock each lies within a second of its own.
   */
  const UNANSWERED: NormalizedEvent[] = [
    iis(1_000_900, 400),
    client('kay', 1_027_700, 10005),
    iis(1_047_200, 30_000),
    client('lee', 1_022_200, 10005, 'pc2'),
  ];
  /** Each failure's user and its IIS request (ms after T0), in the stream and offline alike. */
  const failureRequests = (events: NormalizedEvent[]) => {
    const requests = (attempts: ClosedAttempt[]) =>
      attempts
        .filter((a) => a.client?.ref.eventId === 10005)
        .map((a) => `${a.userKey}: ${a.gateway === null ? 'none' : a.gateway.time - T0}`)
        .sort();
    const streamed = requests(stream(events));
    expect(requests(offline(events))).toEqual(streamed);
    return streamed;
  };

  it("gives two users' unanswered requests by their answers on the servers' clock, once their laptops' lags are known", () => {
    // The successes tell both lags first. As logged, each failure took the other's request. Before 2026-12-05
    // (session 49) they were read as logged.
    const events = [...lagTellingSuccesses(100_000), ...UNANSWERED];
    expect(failureRequests(events)).toEqual(['kay: 1000900', 'lee: 1047200']);
  });

  it("reads two users' unanswered requests with their laptops' lags told by successes after them, before the join", () => {
    // As above, with the successes a minute after the failures: a request is joined minutes after it ends (the join
    // delay), by when they have told both lags. The waiting failures are read with them. Before 2026-12-06
    // (session 57) each was read with the lag known when it was logged (none), and each took the other's request.
    const events = [...UNANSWERED, ...lagTellingSuccesses(1_100_000)];
    expect(failureRequests(events)).toEqual(['kay: 1000900', 'lee: 1047200']);
  });

  const on = <E extends NormalizedEvent>(e: E, server: string): E => {
    const r = { ...e.ref, computer: server };
    return { ...e, ref: r, id: id(r) };
  };
  const request = (t: number, taken: number, server = 'da01', status = 200): NormalizedEvent => ({
    ...(on(iis(t, taken), server) as Extract<NormalizedEvent, { kind: 'gateway.request' }>),
    status,
  });
  const decision = (key: string, t: number, server = 'da01'): RadiusDecision => ({
    ...radius(key, t, 'granted'),
    clientName: server.toUpperCase(),
  });
  const lone = (key: string, t: number, eventId: number, machine: string, server = 'da01'): NormalizedEvent => ({
    ...(client(key, t, eventId, machine) as Extract<NormalizedEvent, { kind: 'client.result' }>),
    serverAddress: `${server}.corp.example`,
  });
  /** Request `e` as from client address `address` (its c-ip). */
  const from = (e: NormalizedEvent, address: string): NormalizedEvent => ({
    ...(e as Extract<NormalizedEvent, { kind: 'gateway.request' }>),
    clientIp: address,
  });
  /** kay's laptop's IPv6 address. */
  const KAY = '2001:db8:1:1000::a';
  /** Each attempt's user and its IIS request, by end time (ms after T0) and server. */
  const requests = (attempts: ClosedAttempt[]) =>
    attempts.map((a) => {
      const g = a.events.find((e) => e.kind === 'gateway.request');
      return `${a.userKey}: ${g === undefined ? 'none' : `${g.time - T0}@${g.ref.computer}`}${a.gatewayAmbiguous ? ' (ambiguous)' : ''}`;
    });

  it("reads a laptop's answers against IIS requests with its lag against the DA server, not against a CA whose clock is off", () => {
    // Sweep seed 21040. Nina's laptop logs 3.5 s after the DA server's answers (her denial at 100 s tells it); the CA is
    // 4 s behind the DA server, so her success at 1,060 s tells 7.6 s against the CA. Her RADIUS timeout's request
    // ends at 1,007.8 s and her failure is logged at 1,011.3 s; omar's challenge (10006), on a laptop 5 s behind, is
    // logged at 995 s, after his short request ending at 1,000 s. Read with 7.6 s, nina's failure lay 3.7 s after
    // omar's request and took it; omar's challenge, which a request that outlasted RADIUS cannot be, went without one.
    const events = [
      decision('nina', 100_400),
      request(100_900, 900),
      lone('nina', 104_400, 10005, 'pc-nina'),
      request(1_000_000, 1_200),
      lone('omar', 995_000, 10006, 'pc-omar'),
      request(1_007_800, 21_500),
      lone('nina', 1_011_300, 10005, 'pc-nina'),
      decision('nina', 1_060_000),
      request(1_060_300, 500),
      { ...ca('nina', 1_056_900, 93, 'request'), requestingMachine: 'pc-nina' } as NormalizedEvent,
      ca('nina', 1_057_100, 93, 'issued'),
      client(null, 1_064_700, 10022, 'pc-nina'),
    ];
    expect(requests(offline(events)).sort()).toEqual(requests(stream(events)).sort());
    expect(requests(stream(events)).sort()).toEqual([
      'nina: 1007800@da01',
      'nina: 100900@da01',
      'nina: 1060300@da01',
      'omar: 1000000@da01',
    ]);
  });

  it("reads a laptop only the CA told against the DA server by how far the CA's clock reads behind it, as other laptops told", () => {
    // Sweep seed 21051. ca01's clock is 4 s behind da01's: ann's, bob's and cat's laptops show it, each with a failure
    // da01 answered and a success ca01 answered. dan's laptop logs 3.2 s after da01's answers, and only a success told
    // it: 7.3 s against ca01. His RADIUS timeout's request ends at 2,020 s and his failure is logged at 2,023.2 s; a
    // short request ends at 2,015.5 s. Read with 7.3 s, the failure lay 0.5 s after the short request and took it.
    const teaches = (key: string, laptop: string, t: number, lag: number, requestId: number): NormalizedEvent[] => [
      decision(key, t),
      request(t + 400, 900),
      lone(key, t + 400 + lag, 10005, laptop),
      ...succeeds(key, laptop, t + 400_000, lag, requestId),
    ];
    const succeeds = (key: string, laptop: string, t: number, lag: number, requestId: number): NormalizedEvent[] => [
      decision(key, t),
      request(t + 300, 500),
      { ...ca(key, t + 800 - 4_000, requestId, 'request'), requestingMachine: laptop } as NormalizedEvent,
      ca(key, t + 1_000 - 4_000, requestId, 'issued'),
      client(null, t + 1_000 + lag + 100, 10022, laptop),
    ];
    // In the order the servers logged them, as a stream gets them.
    const events = [
      ...teaches('ann', 'pc-ann', 100_000, 3_000, 81),
      ...teaches('bob', 'pc-bob', 130_000, 3_400, 82),
      ...teaches('cat', 'pc-cat', 160_000, 2_600, 83),
      ...succeeds('dan', 'pc-dan', 1_500_000, 3_200, 84),
      request(2_015_500, 500),
      request(2_020_000, 20_000),
      lone('dan', 2_023_200, 10005, 'pc-dan'),
    ].sort((x, y) => x.time - y.time);
    const dan = (attempts: ClosedAttempt[]) => requests(attempts.filter((a) => a.userKey === 'dan')).sort();
    expect(dan(offline(events))).toEqual(dan(stream(events)));
    expect(dan(stream(events))).toEqual(['dan: 1500300@da01', 'dan: 2020000@da01']);
  });

  it("gives a RADIUS timeout's long request to the failure it ended, not to a decision its own request holds better", () => {
    // lena's request waited 20 s for RADIUS and ended just before mike's decision; mike's own short request holds it.
    const events = [
      request(21_000, 20_000),
      decision('mike', 21_200),
      request(21_300, 200),
      lone('lena', 21_400, 10005, 'pc-lena'),
    ];
    expect(requests(stream(events)).sort()).toEqual(['lena: 21000@da01', 'mike: 21300@da01']);
  });

  it("gives a decision to the short request that holds it, not to a RADIUS timeout's ending at the same moment", () => {
    // wendy's request waited 20 s for RADIUS and ended 20 ms before xavier's, which held xavier's decision too.
    const events = [
      request(21_000, 20_000),
      decision('xavier', 20_700),
      request(21_020, 1_300),
      lone('wendy', 21_300, 10005, 'pc-wendy'),
    ];
    expect(requests(stream(events)).sort()).toEqual(['wendy: 21000@da01', 'xavier: 21020@da01']);
  });

  it("leaves two short requests to the two decisions logged at one moment, and the failure to the timeout's request", () => {
    // Sweep seed 22049 (NPS logs whole seconds). gus's and hal's grants are logged at the same moment, 0.5 s after
    // one short request ends and inside the next; ivy's RADIUS timeout's request ends just after both. Her failure
    // (her laptop 1.6 s behind) is nearer the first short request's end. The second request fits both grants best
    // but can take only one: it claimed both from the first, which then went to ivy's failure (read as the DA
    // server's refusal), and her own request was left unjoined. Before 2026-12-07 (session 61) a tie did not count.
    const events = [
      request(39_500, 900),
      lone('ivy', 38_700, 10005, 'pc-ivy'),
      decision('gus', 40_000),
      decision('hal', 40_000),
      request(40_300, 20_000),
      request(40_400, 800),
    ];
    const expected = ['gus: none (ambiguous)', 'hal: none (ambiguous)', 'ivy: 40300@da01'];
    expect(requests(stream(events)).sort()).toEqual(expected);
    expect(requests(offline(events)).sort()).toEqual(expected);
  });

  it("keeps a request from a lone result minutes away when the result's own request holds only decisions others hold better", () => {
    const events = [
      request(10_000, 1_000),
      decision('zack', 150_000),
      request(150_300, 500),
      request(156_900, 14_500),
      lone('yara', 157_000, 10005, 'pc-yara'),
    ];
    expect(requests(stream(events)).sort()).toEqual(['yara: 156900@da01', 'zack: 150300@da01']);
  });

  it("gives a refused request to the failure of the laptop its address is known for, not to another user's nearer it", () => {
    // kay's laptop asked from address KAY at 10 s (a decision inside the request: it is kay's). At 118.5 s the DA
    // server refuses lee's request (an address never seen), at 120 s kay's from KAY; lee's failure is logged 0.3 s
    // after kay's request, kay's 1 s after it. By distance alone kay's request claimed lee's failure from lee's own
    // request, which then took kay's: the two crossed. Before 2026-12-06 (session 50) the address was not read.
    const LEE = '2001:db8:2:1000::b';
    const events = [
      decision('kay', 10_000),
      from(request(10_300, 600), KAY),
      lone('kay', 15_000, 10022, 'pc-kay'),
      from(request(118_500, 5, 'da01', 403), LEE),
      from(request(120_000, 5, 'da01', 403), KAY),
      lone('lee', 120_300, 10005, 'pc-lee'),
      lone('kay', 121_000, 10005, 'pc-kay'),
    ];
    expect(requests(stream(events))).toEqual(['kay: 10300@da01', 'lee: 118500@da01', 'kay: 120000@da01']);
    // An address shared by two laptops (both seen at it within the hour) says nothing, nor does a NAT's IPv4 address.
    const shared = [
      decision('lee', 5_000),
      from(request(5_300, 600), KAY),
      lone('lee', 8_000, 10022, 'pc-lee'),
      ...events,
    ];
    const crossed = ['lee: 5300@da01', 'kay: 10300@da01', 'kay: 118500@da01', 'lee: 120000@da01'];
    expect(requests(stream(shared))).toEqual(crossed);
    const nat = events.map((e) =>
      e.kind === 'gateway.request' ? from(e, e.clientIp === KAY ? '203.0.113.5' : '203.0.113.6') : e,
    );
    expect(requests(stream(nat))).toEqual(['kay: 10300@da01', 'kay: 118500@da01', 'lee: 120000@da01']);
    // The same written as IPv6 (a dual-stack listener's IPv4-mapped form) is still a NAT's.
    const mapped = nat.map((e) => (e.kind === 'gateway.request' ? from(e, `::ffff:${e.clientIp}`) : e));
    expect(requests(stream(mapped))).toEqual(['kay: 10300@da01', 'kay: 118500@da01', 'lee: 120000@da01']);
  });

  it("gives a decision to the request from its laptop's known address, not to another laptop's that fits it better", () => {
    // kay's laptop asked from address KAY at 10 s (the one decision inside: it is kay's). At 100 s two short requests
    // hold kay's decision: lee's (an address never seen) from 99.95 s, which fits it better, and kay's from KAY from
    // 100.1 s; lee's failure is logged 0.2 s after kay's request. By fit alone lee's request took kay's decision, and
    // kay's went to lee's failure, which was then blamed on the DA server. Before 2026-12-06 (session 51) a request's
    // address claimed nothing by itself.
    const events = [
      decision('kay', 10_000),
      from(request(10_300, 600), KAY),
      lone('kay', 15_000, 10022, 'pc-kay'),
      decision('kay', 100_000),
      from(request(100_100, 150), '2001:db8:2:1000::b'),
      from(request(100_400, 300), KAY),
      lone('lee', 100_600, 10005, 'pc-lee'),
      lone('kay', 103_000, 10022, 'pc-kay'),
    ];
    expect(requests(stream(events)).sort()).toEqual(['kay: 100400@da01', 'kay: 10300@da01', 'lee: 100100@da01']);
    // Without the laptop's address known (its first request from an IPv4 NAT), the better fit takes it.
    const unknown = events.map((e, i) => (i === 1 ? from(e, '203.0.113.5') : e));
    expect(requests(stream(unknown)).sort()).toEqual(['kay: 100100@da01', 'kay: 10300@da01', 'lee: 100400@da01']);
  });

  it('reads a W3C end anywhere in its second, so a grant later in that second stays with its own short request', () => {
    // Sweep seed 29034 (W3C, NPS events to the millisecond). glen's request took 0.9 s and its line gives second 18; his
    // grant came 0.4 s past the middle of that second. nina's RADIUS timeout ended in the next second, 0.6 s after the
    // grant. Counted as outside glen's request (three times its distance), the grant fitted nina's request better:
    // glen's success took it, and nina's timeout took glen's request, blamed on the DA server.
    const events = [
      request(18_000, 900),
      decision('glen', 18_400),
      request(19_000, 6_100),
      lone('nina', 19_300, 10005, 'pc-nina'),
      lone('glen', 21_000, 10022, 'pc-glen'),
    ];
    expect(requests(stream(events)).sort()).toEqual(['glen: 18000@da01', 'nina: 19000@da01']);
    // Logged to the millisecond (a 6200 event), the same end is where the request ended: the grant lies outside it.
    const fine = events.map((e) =>
      e.kind === 'gateway.request' ? { ...e, time: e.time + 1, startTime: e.startTime + 1 } : e,
    );
    expect(requests(stream(fine)).sort()).toEqual(['glen: 19001@da01', 'nina: 18001@da01']);
  });

  it('reads a decision an NPS log file gives in whole seconds anywhere in its second, so its own request takes it', () => {
    // NPS's IAS file logs quinn's decision at 17 s, the start of its second. Rex's request waited 6.8 s and ended 65 ms
    // before that second; quinn's own ended 0.94 s into it. Read at 17.000 s, the decision fitted rex's request better:
    // quinn's success took it, and rex's failure took quinn's request, blamed on the DA server. Before 2026-12-06
    // (session 51) a decision's second was read as its first millisecond.
    const logged = (e: RadiusDecision): NormalizedEvent => ({
      ...e,
      clock: { offsetMinutes: 0, basis: 'configured', zone: 'UTC' },
    });
    const events = [
      request(16_935, 6_806),
      logged(decision('quinn', 17_000)),
      request(17_937, 1_183),
      lone('rex', 17_251, 10005, 'pc-rex'),
      lone('quinn', 19_456, 10022, 'pc-quinn'),
    ];
    expect(requests(stream(events)).sort()).toEqual(['quinn: 17937@da01', 'rex: 16935@da01']);
    // A decision logged to the millisecond (a 6272 event) at the same time is taken as logged.
    expect(requests(stream(events.map((e, i) => (i === 1 ? decision('quinn', 17_000) : e)))).sort()).toEqual([
      'quinn: 16935@da01',
      'rex: 17937@da01',
    ]);
  });

  it("gives a RADIUS timeout's request from a known laptop to its failure, not to another laptop's decision inside it", () => {
    // kay's laptop asked from address KAY at 10 s (the one decision inside: it is kay's). At 300 s kay's request
    // waits 28 s for RADIUS and fails; mia's decision (her request not logged) lies inside it. An unanswered request
    // from an address never seen ends at 200 s, 128 s before kay's failure. Read by decisions alone, kay's request
    // would take mia's decision, so it did not claim kay's failure from the earlier request, which took it: the
    // timeout was blamed on the DA server. Before 2026-12-06 (session 50) the address was not read.
    const events = [
      decision('kay', 10_000),
      from(request(10_300, 600), KAY),
      lone('kay', 15_000, 10022, 'pc-kay'),
      from(request(200_000, 300), '2001:db8:9:1000::c'),
      decision('mia', 310_000),
      lone('mia', 313_000, 10022, 'pc-mia'),
      from(request(328_000, 28_000), KAY),
      lone('kay', 328_200, 10005, 'pc-kay'),
    ];
    expect(requests(stream(events))).toEqual(['kay: 10300@da01', 'mia: none', 'kay: 328000@da01']);
  });

  it("leaves a laptop's lone failure to the later request from its known address, though another ends nearer it", () => {
    // kay's laptop asked from address KAY at 10 s (a decision inside the request: it is kay's). In a RADIUS outage,
    // zed's request (an address never seen) waits 14.3 s and ends at 301.45 s; kay's laptop logs its failure at
    // 298.16 s as its clock is read (learned against a CA whose clock is not the DA server's), zed's laptop at 295.1 s.
    // kay's own request, from KAY, ends at 304.66 s. By distance zed's request took kay's failure, and kay's request
    // took zed's: both blamed on the wrong step (seed 9003 of bench/sweep.mjs). Before 2026-12-06 (session 54) only a
    // decision was claimed by its laptop's address.
    const ZED = '2001:db8:e3b6:1000::1de6';
    const events = [
      decision('kay', 10_000),
      from(request(10_300, 600), KAY),
      lone('kay', 15_000, 10022, 'pc-kay'),
      from(request(301_450, 14_300), ZED),
      lone('zed', 295_100, 10005, 'pc-zed'),
      lone('kay', 298_160, 10005, 'pc-kay'),
      from(request(304_660, 840), KAY),
    ];
    expect(requests(stream(events)).sort()).toEqual(['kay: 10300@da01', 'kay: 304660@da01', 'zed: 301450@da01']);
    // Without the laptop's address known (its first request from an IPv4 NAT), the nearer request takes it.
    const unknown = events.map((e, i) => (i === 1 ? from(e, '203.0.113.5') : e));
    expect(requests(stream(unknown)).sort()).toEqual(['kay: 10300@da01', 'kay: 301450@da01', 'zed: 304660@da01']);
  });

  it('gives each request of a RADIUS outage to the failure logged right after it, instead of calling all ambiguous', () => {
    const events = [
      request(15_000, 15_000),
      lone('nina', 15_300, 10005, 'pc-nina'),
      request(35_000, 15_000),
      lone('omar', 35_300, 10005, 'pc-omar'),
      request(55_000, 15_000),
      lone('paul', 55_300, 10005, 'pc-paul'),
    ];
    expect(requests(stream(events))).toEqual(['nina: 15000@da01', 'omar: 35000@da01', 'paul: 55000@da01']);
  });

  it("gives a lone result to the request just after it, though that request fits another's result a third one takes", () => {
    // A RADIUS outage: kim's request (16 s) ended two minutes before anything else; nora's result is 1.9 s before her
    // request's end, and 3.5 s before the end of quentin's, which ends 5.2 s after quentin's result. Quentin's request
    // fits nora's result better than his own, but nora's request fits hers better still: his result is his request's,
    // not kim's two minutes before (kim's result is lost).
    const events = [
      request(10_000, 16_000),
      lone('quentin', 137_800, 10005, 'pc-quentin'),
      lone('nora', 139_500, 10005, 'pc-nora'),
      request(141_370, 9_200),
      request(143_000, 8_900),
    ];
    expect(requests(stream(events)).sort()).toEqual(['nora: 141370@da01', 'quentin: 143000@da01']);
  });

  it('leaves a lone result to the two requests ending together just before it, not to one ending minutes earlier', () => {
    // A RADIUS outage logged in whole seconds (W3C): two requests end in the same second, and ria's and sam's 10005s
    // follow. Each of the two fits ria's result best (20 ms before their end) and so did not claim sam's for itself;
    // sam's result went to a short request that ended 100 s before it. One of the two is sam's.
    const events = [
      request(10_000, 800),
      request(110_000, 25_000),
      request(110_000, 25_200),
      lone('ria', 109_980, 10005, 'pc-ria'),
      lone('sam', 110_200, 10005, 'pc-sam'),
    ];
    expect(requests(stream(events)).sort()).toEqual(['ria: 110000@da01', 'sam: 110000@da01']);
  });

  it('gives a lone result exactly as near two requests to the one that waited for RADIUS', () => {
    // W3C logs both ends in the same second: a short request (0.8 s, the DA server answered at once) and one that waited
    // 25 s for RADIUS. cid's 10005 follows both by 0.6 s. Before, the short request, joined first, took it (cid's
    // failure then read as the DA server refusing him) and the long one had none.
    const events = [request(50_000, 800), request(50_000, 25_000), lone('cid', 50_600, 10005, 'pc-cid')];
    const closed = stream(events);
    expect(requests(closed)).toEqual(['cid: 50000@da01']);
    const g = closed[0]!.events.find((e) => e.kind === 'gateway.request');
    expect(g?.kind === 'gateway.request' ? g.timeTakenMs : null).toBe(25_000);
  });

  it("keeps a decision naming another DA server out of a RADIUS timeout's request it lies deep inside", () => {
    // cid's request waited 20 s for RADIUS and his 10005 follows it. ann's decision names DA02 (a server the logs
    // show) and lies 8 s before that request's end: the DA server answers soon after NPS decides, so it is not the
    // da01 request's. Before, a decision inside a request stayed a candidate whatever it named: ann took cid's
    // request, and cid's timeout had none.
    const events = [
      decision('bob', 4_800, 'da02'),
      request(5_000, 500, 'da02'),
      decision('ann', 12_000, 'da02'),
      request(20_000, 20_000, 'da01'),
      lone('cid', 20_100, 10005, 'pc-cid', 'da01'),
    ];
    expect(requests(stream(events)).sort()).toEqual(['ann: none', 'bob: 5000@da02', 'cid: 20000@da01']);
  });

  it('still gives a request the decision near its end that names another DA server (a RADIUS client misnamed)', () => {
    // NPS knows da01 by the name DA02 by mistake: dee's decision, 200 ms before her da01 request ends, is its own.
    const events = [
      decision('bob', 4_800, 'da02'),
      request(5_000, 500, 'da02'),
      decision('dee', 29_800, 'da02'),
      request(30_000, 700, 'da01'),
    ];
    expect(requests(stream(events)).sort()).toEqual(['bob: 5000@da02', 'dee: 30000@da01']);
  });

  it("gives two requests that both hold two users' decisions the decisions in the order of their ends", () => {
    // Each request holds both decisions, and either split fits the two alike: the DA server answers soon after NPS
    // decides, so the request ending first is the earlier decision's.
    const ordered = [decision('ada', 1_000), decision('bob', 1_050), request(1_100, 600), request(1_130, 900)];
    expect(requests(stream(ordered)).sort()).toEqual(['ada: 1100@da01', 'bob: 1130@da01']);
    // Decisions logged in the same millisecond come in no order: both requests stay ambiguous, as before.
    const together = [decision('cy', 1_000), decision('dee', 1_000), request(1_100, 600), request(1_130, 900)];
    expect(requests(stream(together)).sort()).toEqual(['cy: none (ambiguous)', 'dee: none (ambiguous)']);
    // A request that waited for RADIUS (half its timeout or more) holds others' decisions by chance, in no order.
    const waited = [decision('eve', 4_000), decision('fay', 4_050), request(4_100, 3_000), request(4_130, 3_600)];
    expect(requests(stream(waited)).sort()).toEqual(['eve: none (ambiguous)', 'fay: none (ambiguous)']);
  });

  it('keeps a decision with the request ending first when a shorter one ending just after holds it too', () => {
    // Neither request waited for RADIUS: how long before its end a request asked says nothing of whose a decision is
    // (the round trip to NPS and the OTP back end varies), so the shorter request's later start does not claim ann's
    // decision from ann's own request; it goes to bo's failure logged right after it. Before, it claimed the decision
    // by that start alone, ann's request went unjoined, and on a busy day each such claim moved the next requests'.
    const events = [
      decision('ann', 10_830),
      request(10_931, 1_084),
      request(10_942, 521),
      lone('bo', 11_180, 10005, 'pc-bo'),
    ];
    expect(requests(stream(events)).sort()).toEqual(['ann: 10931@da01', 'bo: 10942@da01']);
  });

  it('leaves the next request to its own decision, not to one whose own request was left ambiguous', () => {
    // hal's and kai's requests end 20 ms apart and each holds both decisions, which fit either split alike: the
    // decisions go in the order of the ends, kai's (the earlier) to the first (until 2026-12-04 the first was left
    // ambiguous and kai took the second). lou's request starts 0.7 s after hal's decision and holds lou's own 52 ms
    // before its end (kim's request, next, holds it too, within the slack). Before, hal's decision, with nowhere else
    // to go and a whole slack letting it in, took lou's request, and lou had none.
    const events = [
      decision('kai', 10_700),
      decision('hal', 10_800),
      request(10_900, 900),
      request(10_920, 1_920),
      decision('lou', 12_077),
      request(12_129, 629),
      decision('kim', 13_628),
      request(13_696, 521),
    ];
    expect(requests(stream(events)).sort()).toEqual([
      'hal: 10920@da01',
      'kai: 10900@da01',
      'kim: 13696@da01',
      'lou: 12129@da01',
    ]);
  });

  it("keeps a decision naming another DA server out of a request it lies outside, for the refused client's result", () => {
    // Two decisions naming DA01 lie in one da01 request; one goes elsewhere. mia's lies 1 s before a short da02 request
    // starts (the slack lets it in), and leo's 10005 naming da02 follows that request's end by 0.3 s: the request is
    // leo's. Without the rule mia's decision took it and leo's refusal became a RADIUS timeout.
    const events = [
      decision('ivy', 55_748, 'da01'),
      decision('mia', 56_357, 'da01'),
      request(56_472, 824, 'da01'),
      request(57_574, 196, 'da02'),
      lone('leo', 57_871, 10005, 'pc-leo', 'da02'),
    ];
    const joined = requests(stream(events));
    expect(joined).toContain('leo: 57574@da02');
    expect(joined.filter((line) => line.endsWith('@da02'))).toEqual(['leo: 57574@da02']);
  });

  it('leaves a lone result to a request that fits it better only when that request would take it', () => {
    // Three requests end within 2.4 s and three results follow. The last request fits both sal's and val's results
    // better than the middle one does, but takes one (sal's, 0.09 s before its end): so the middle request keeps val
    // and the first takes tom. Without that check, the first request lost val too and went unjoined, and tom had none.
    const events = [
      request(101_486, 12_000),
      request(103_367, 15_000),
      lone('sal', 103_788, 10005, 'pc-sal'),
      request(103_876, 11_000),
      lone('val', 104_432, 10005, 'pc-val'),
      lone('tom', 104_805, 10005, 'pc-tom'),
    ];
    expect(requests(stream(events)).sort()).toEqual(['sal: 103876@da01', 'tom: 101486@da01', 'val: 103367@da01']);
  });

  it("gives a request to the earlier of a user's two lone results exactly as near", () => {
    const events = [lone('vic', 9_500, 10005, 'pc-vic'), request(10_000, 15_000), lone('vic', 10_500, 10005, 'pc-vic')];
    expect(requests(stream(events))).toEqual(['vic: 10000@da01', 'vic: none']);
  });

  it('gives a lone result logged just before a later request ended to that one, when nearer even counted twice', () => {
    // 600 ms after the first request's end, 200 ms (weighing 400) before the second's.
    const events = [request(10_000, 15_000), lone('rosa', 10_600, 10005, 'pc-rosa'), request(10_800, 15_000)];
    expect(requests(stream(events))).toEqual(['rosa: 10800@da01']);
  });

  it("gives a lone result naming its DA server to that server's request, not to a nearer one on another", () => {
    const events = [
      request(15_000, 15_000, 'da01'),
      lone('quinn', 15_100, 10005, 'pc-quinn', 'da02'),
      request(20_000, 1_000, 'da02'),
    ];
    expect(requests(stream(events))).toEqual(['quinn: 20000@da02']);
  });

  it("gives a decision naming its DA server to that server's request, though one on another server holds it nearer", () => {
    // uma's decision (RADIUS client DA02) lies 0.2 s before the end of a da01 request; her own da02 request ends 2 s
    // after it: a fit far worse by time alone, so only the name can hand it over.
    const events = [request(10_200, 1_200, 'da01'), decision('uma', 10_000, 'da02'), request(12_000, 4_000, 'da02')];
    expect(requests(stream(events))).toEqual(['uma: 12000@da02']);
  });

  it("keeps an early request from a lone result a minute away when its own decision's clock is 2 s ahead", () => {
    const events = [
      request(8_400, 600, 'da02'),
      decision('rita', 10_400, 'da02'),
      lone('sam', 54_700, 10006, 'pc-sam'),
      request(57_800, 1_200, 'da01'),
    ];
    expect(requests(stream(events))).toEqual(['rita: 8400@da02', 'sam: 57800@da01']);
  });

  it('never gives a request answered 200, 403.13 or 403.16 to a client without its computer certificate (10016); a 403 it takes', () => {
    expect(requests(stream([request(1_000, 300), lone('tina', 1_200, 10016, 'pc-tina')]))).toEqual(['tina: none']);
    expect(requests(stream([request(1_000, 300, 'da01', 403), lone('tina', 1_200, 10016, 'pc-tina')]))).toEqual([
      'tina: 1000@da01',
    ]);
    // Nor a 403.16 or 403.13: the server judged a certificate that client presented (in an outage of 403.16 on the
    // DA server, another user's request next to tina's 10016).
    for (const subStatus of [16, 13]) {
      const judged = {
        ...(request(1_000, 300, 'da01', 403) as Extract<NormalizedEvent, { kind: 'gateway.request' }>),
        subStatus,
      };
      expect(requests(stream([judged, lone('tina', 1_200, 10016, 'pc-tina')])), `403.${subStatus}`).toEqual([
        'tina: none',
      ]);
    }
    const expired = {
      ...(request(1_000, 300, 'da01', 403) as Extract<NormalizedEvent, { kind: 'gateway.request' }>),
      subStatus: 17,
    };
    expect(requests(stream([expired, lone('tina', 1_200, 10016, 'pc-tina')]))).toEqual(['tina: 1000@da01']);
  });

  it('gives a 403 to the client that reports one (0x80040001) before a nearer client without its certificate (10016)', () => {
    // A 403.17 ends at 20 s. yan's laptop, without a computer certificate, logs its 10016 0.30 s after it; zita's,
    // whose cached certificate expired (KB2973071), logs the 403 it got (10005, 0x80040001) 0.346 s after it. A 10016
    // may have had no request at all (TLS failed first), so zita's request it is. Before 2026-12-06 (session 55) the
    // nearer 10016 took it: yan was read as an expired certificate and zita as a missing one (sweep seed 10031).
    const expired = {
      ...(request(20_000, 12, 'da01', 403) as Extract<NormalizedEvent, { kind: 'gateway.request' }>),
      subStatus: 17,
    };
    const reporting = (errorCode: string): NormalizedEvent => ({
      ...(lone('zita', 20_346, 10005, 'pc-zita') as Extract<NormalizedEvent, { kind: 'client.result' }>),
      errorCode,
    });
    const withoutCertificate = lone('yan', 20_300, 10016, 'pc-yan');
    expect(requests(stream([expired, withoutCertificate, reporting('0x80040001')])).sort()).toEqual([
      'yan: none',
      'zita: 20000@da01',
    ]);
    // A failure that does not report the 403 proves nothing: the nearer 10016 keeps it.
    expect(requests(stream([expired, withoutCertificate, reporting('0x80040008')])).sort()).toEqual([
      'yan: 20000@da01',
      'zita: none',
    ]);
  });

  it('gives a 403 to the client that reports one (0x80040001) before a nearer failure reporting another code', () => {
    // A 403.7 ends at 20 s. vic's laptop logs a RADIUS timeout's failure (10005, 0x80040008) 0.1 s after it; zita's
    // logs the 403 it got (0x80040001) 0.346 s after it. A client logs 0x80040001 for a 403 (docs/windows-events.md
    // §3.3, §9), so vic's failure came from a response of its own. Before 2026-12-06 (session 56) the nearer failure
    // took the 403 and read as a missing certificate, and zita went without its request (sweep seed 11032).
    const required = {
      ...(request(20_000, 12, 'da01', 403) as Extract<NormalizedEvent, { kind: 'gateway.request' }>),
      subStatus: 7,
    };
    const failure = (key: string, t: number, errorCode: string | null): NormalizedEvent => ({
      ...(lone(key, t, 10005, `pc-${key}`) as Extract<NormalizedEvent, { kind: 'client.result' }>),
      errorCode,
    });
    expect(
      requests(stream([required, failure('vic', 20_100, '0x80040008'), failure('zita', 20_346, '0x80040001')])).sort(),
    ).toEqual(['vic: none', 'zita: 20000@da01']);
    // A failure that says no code proves nothing either way: the nearer one keeps it.
    expect(
      requests(stream([required, failure('vic', 20_100, null), failure('zita', 20_346, '0x80040001')])).sort(),
    ).toEqual(['vic: 20000@da01', 'zita: none']);
    // With no answer reporting the 403, the nearer failure still takes it, as any other request.
    expect(requests(stream([required, failure('vic', 20_100, '0x80040008')]))).toEqual(['vic: 20000@da01']);
  });

  it('joins both of two refused requests 0.1 s apart, though the later one fits both results better', () => {
    // The later request (ending at 16.193 s) is nearer both client results (16.290, 16.334) than the earlier one
    // (16.081) is, but takes only the nearer: the earlier one takes the other, rather than going unjoined and leaving
    // a result without its request.
    const events = [
      request(16_081, 15, 'da01', 403),
      request(16_193, 15, 'da01', 403),
      lone('quinn', 16_290, 10005, 'pc-quinn'),
      lone('uma', 16_334, 10005, 'pc-uma'),
    ];
    expect(requests(stream(events)).sort()).toEqual(['quinn: 16193@da01', 'uma: 16081@da01']);
  });

  it('gives the short request the DA server answered to the client of a user it did not find in AD (10011, 10012)', () => {
    // The DA server looks the user up before asking RADIUS, and answers at once (docs/windows-events.md §4 row 3).
    for (const eventId of [10011, 10012])
      expect(requests(stream([request(1_000, 60), lone('uma', 1_300, eventId, 'pc-uma')])), String(eventId)).toEqual([
        'uma: 1000@da01',
      ]);
  });

  it("never gives another client's 403 to a user the DA server did not find in AD (10011, 10012)", () => {
    // The 403 (IIS refusing a certificate, 16 ms) ended nearer to the result than the user's own answer did.
    for (const eventId of [10011, 10012]) {
      const events = [request(1_000, 60), request(1_200, 16, 'da01', 403), lone('uri', 1_250, eventId, 'pc-uri')];
      expect(requests(stream(events)), String(eventId)).toEqual(['uri: 1000@da01']);
    }
  });

  it('pairs two overlapping requests with the two decisions both hold, each as its clock offset says', () => {
    // NPS half a second behind the DA server: each decision lies a little before its own request's start.
    const events = [decision('amy', 23_729), request(24_655, 798), decision('ben', 24_526), request(25_359, 418)];
    expect(requests(stream(events))).toEqual(['amy: 24655@da01', 'ben: 25359@da01']);
  });

  it("still calls a request ambiguous when two users' decisions lie inside it and no other request holds either", () => {
    const events = [decision('uma', 200), decision('vic', 250), request(700, 700)];
    expect(requests(stream(events))).toEqual(['uma: none (ambiguous)', 'vic: none (ambiguous)']);
  });

  it("leaves a RADIUS timeout's request to the failure after it, not to decisions a request left ambiguous holds far better", () => {
    // uma's and vic's decisions lie in one short request, called ambiguous; wes's request waited 15 s for RADIUS and
    // holds both, 14.8 s before its end.
    const events = [
      decision('uma', 200),
      decision('vic', 250),
      request(700, 700),
      request(15_000, 15_000),
      lone('wes', 15_150, 10005, 'pc-wes'),
    ];
    expect(requests(stream(events))).toEqual(['uma: none (ambiguous)', 'vic: none (ambiguous)', 'wes: 15000@da01']);
  });

  it('lets a request keep a decision a later one fits better, when the later one takes a decision it fits better still', () => {
    // The short later request fits both decisions better than the long one does, but takes only quin's (its best):
    // before, it claimed both, the long one went unjoined and the short one was called ambiguous.
    const events = [decision('pia', 5_900), request(6_000, 1_000), decision('quin', 6_030), request(6_050, 250)];
    expect(requests(stream(events))).toEqual(['pia: 6000@da01', 'quin: 6050@da01']);
  });

  it("still lets a later request claim a decision when the one it fits better is its own request's", () => {
    // lev's decision lies in ida's 26 s RADIUS timeout and in lev's own short request; the short one fits xia's
    // decision better still, but xia's own request fits it best: the short request takes lev's, the timeout ida's
    // failure logged after it.
    const events = [
      decision('lev', 25_940),
      decision('xia', 26_000),
      request(26_000, 26_000),
      request(26_050, 1_050),
      request(26_100, 400),
      lone('ida', 26_415, 10005, 'pc-ida'),
    ];
    expect(requests(stream(events)).sort()).toEqual(['ida: 26000@da01', 'lev: 26050@da01', 'xia: 26100@da01']);
  });

  it("leaves a RADIUS timeout's request its user's answer when the short request nearer it is a user's the DA server did not find", () => {
    // Generated fleet 5005 (2026-12-06, session 52). kim's laptop logs 6 s behind the servers, as its success told.
    // RADIUS never answers kim's request (11.8 s, ending at 1,039.5 s); kim's failure is logged at 1,036.6 s, i.e.
    // 1,042.6 s on the servers' clock, right at the end of pia's 89 ms request (1,042.5 s). pia's laptop logged 10011
    // (no UPN in AD) at 1,035.1 s: the DA server looked pia up before asking RADIUS and answered at once, so the long
    // request is not pia's (docs/windows-events.md §9), and the short one is. Before, kim took the short request
    // (blamed on the DA server) and the timeout's request went to pia or to no one.
    const events = [
      radius('kim', 100_000, 'granted'),
      ca('kim', 100_500, 91, 'request'),
      ca('kim', 100_700, 91, 'issued'),
      client(null, 94_700, 10022),
      request(1_039_500, 11_783),
      client('kim', 1_036_558, 10005),
      request(1_042_500, 89),
      client('pia', 1_035_065, 10011, 'pc2'),
    ];
    const answered = (attempts: ClosedAttempt[]) =>
      requests(attempts.filter((a) => a.client !== null && a.client.ref.eventId !== 10022)).sort();
    const expected = ['kim: 1039500@da01', 'pia: 1042500@da01'];
    expect(answered(stream(events))).toEqual(expected);
    expect(answered(offline(events))).toEqual(expected);
  });

  it("gives a challenge (10006) the short request RADIUS answered, not a RADIUS timeout's request nearer it", () => {
    // Generated fleet 5024 (session 52): tia's laptop logs 31 s ahead, yuu's 13 s, neither known yet. The OTP server
    // challenges tia's request (664 ms, ending at 37.5 s); RADIUS never answers yuu's (26.7 s, ending at 64.5 s).
    // tia's 10006 at 68.9 s lies nearest yuu's request, but a challenge is RADIUS's answer, passed on in the handler's
    // 200, and a request that lasted the DA server's whole RADIUS timeout had none. Before, each took the other's.
    const events = [
      request(37_500, 664),
      request(64_500, 26_698),
      client('tia', 68_914, 10006, 'pc2'),
      client('yuu', 77_859, 10005, 'pc3'),
    ];
    const expected = ['tia: 37500@da01', 'yuu: 64500@da01'];
    expect(requests(stream(events)).sort()).toEqual(expected);
  });

  it("gives a RADIUS timeout's request its user's failure, not a grant deep inside it that the DA server would have answered at once", () => {
    // Generated fleet 7007 (2026-12-06, session 53), W3C log: abe's request waited 21.3 s for RADIUS and ended in the
    // second read as 1,021.5 s; abe's laptop logged its failure 0.4 s after. bea's grant lies 3.5 s before that end, and
    // bea's own short request went elsewhere (here: its line is missing). The DA server answers right after NPS does, so
    // a grant that deep inside is not the long request's. Before, bea's success took it and abe's failure had none.
    const timeout = request(1_021_500, 21_266);
    const events = [decision('bea', 1_018_005), timeout, client('abe', 1_021_922, 10005)];
    expect(requests(stream(events)).sort()).toEqual(['abe: 1021500@da01', 'bea: none']);
    expect(requests(offline(events)).sort()).toEqual(['abe: 1021500@da01', 'bea: none']);
    // A grant within the slack (and the W3C half second) of the end is the request's: NPS answered a retry.
    const answered = [decision('bea', 1_020_100), timeout];
    expect(requests(stream(answered))).toEqual(['bea: 1021500@da01']);
  });

  it('leaves a decision to the request before it when a later request that waited for RADIUS holds it too deep to take', () => {
    // ann's decision lies 1 s after ann's short request (within the slack) and 2.1 s before the end of a 3 s request
    // that waited for RADIUS: too deep for that request's answer, which bob's failure 0.3 s after it is. The later
    // request fits the decision better by the numbers, but may not take it, so it does not claim it either. Before,
    // it claimed it, did not take it, and ann's decision went without a request.
    const events = [request(9_000, 300), decision('ann', 10_000), request(12_101, 3_000), client('bob', 12_400, 10005)];
    expect(requests(stream(events)).sort()).toEqual(['ann: 9000@da01', 'bob: 12101@da01']);
    expect(requests(offline(events)).sort()).toEqual(['ann: 9000@da01', 'bob: 12101@da01']);
  });

  it('gives a request to the one user whose decision lies inside it, over one that only its slack lets in', () => {
    // Neither has another request to go to (ann's never came): cat's decision lies inside, ann's 0.8 s before it began.
    const events = [decision('ann', 1_000), decision('cat', 2_150), request(2_200, 400)];
    expect(requests(stream(events))).toEqual(['ann: none', 'cat: 2200@da01']);
  });

  it("gives a user's retry the request from the address her earlier attempt's request came from, over a nearer one", () => {
    // RADIUS times out twice for uma, 90 s apart, on a laptop that logs 20.5 s late (no success told it). Between her
    // second request's end and her failure, vic's request from another laptop's address is refused at once, 3 s
    // before her failure; vic's own failure comes 20.5 s after it. Each request from uma's address is hers: before,
    // vic's request took her second failure (blamed on the DA server), and her timeout's request took vic's failure.
    const UMA = '2001:db8:7:1000::1';
    const VIC = '2001:db8:8:1000::2';
    const events = [
      from(request(1_000_000, 25_000), UMA),
      lone('uma', 1_020_500, 10005, 'pc-uma'),
      from(request(1_090_000, 25_000), UMA),
      from(request(1_107_500, 300), VIC),
      lone('uma', 1_110_500, 10005, 'pc-uma'),
      lone('vic', 1_128_000, 10005, 'pc-vic'),
    ];
    const expected = ['uma: 1000000@da01', 'uma: 1090000@da01', 'vic: 1107500@da01'];
    expect(requests(stream(events)).sort()).toEqual(expected);
    expect(requests(offline(events)).sort()).toEqual(expected);
  });
});

describe("a retry's denial and the attempt before it", () => {
  /** The same events with the watermark moved once at the end (as a stream's batch), not event by event. */
  function inOneBatch(events: NormalizedEvent[]): ClosedAttempt[] {
    const engine = new CorrelationEngine(config);
    for (const e of events) engine.add(e);
    return [...engine.advance(Math.max(...events.map((e) => e.time))).attempts, ...engine.flush().attempts];
  }

  const eventByEvent = offline;

  /** Each attempt as its client result's time (from T0) and its decision's reason code, sorted. */
  const resultsAndReasons = (attempts: ClosedAttempt[]) =>
    attempts.map((a) => `${(a.client?.time ?? 0) - T0}: ${a.radius?.reasonCode ?? 'none'}`).sort();

  /** Each attempt as its client result's time and its decision's (from T0; 'none' without one), sorted. */
  const resultsAndDecisions = (attempts: readonly ClosedAttempt[]) =>
    attempts.map((a) => `${(a.client?.time ?? 0) - T0}: ${a.radius === null ? 'none' : a.radius.time - T0}`).sort();

  /** `resultsAndDecisions` with each attempt's number of CA results after its decision. */
  const resultsDecisionsAndCa = (attempts: readonly ClosedAttempt[]) =>
    attempts
      .map(
        (a) =>
          `${(a.client?.time ?? 0) - T0}: ${a.radius === null ? 'none' : a.radius.time - T0} ${a.caResults.length}`,
      )
      .sort();

  /**
   * A success of `key` that tells its laptop logs `lagMs` ahead of the servers: the grant at 100 s, the CA's request
   * `requestId` and issue at 100.5 and 100.7 s, and the 10022 (which names no user) `lagMs` after the issue.
   */
  const successTellingLag = (key: string, lagMs: number, requestId: number): NormalizedEvent[] => [
    radius(key, 100_000, 'granted'),
    ca(key, 100_500, requestId, 'request'),
    ca(key, 100_700, requestId, 'issued'),
    client(null, 100_700 + lagMs, 10022),
  ];

  /** `resultsAndReasons` of the events streamed, which `driver` must give alike. */
  /** The attempts' shapes (`shape`, sorted) when streamed; placed in one batch they must be the same. */
  function shapesAlike(events: NormalizedEvent[]): string[] {
    const streamed = shape(stream(events)).sort();
    expect(shape(inOneBatch(events)).sort()).toEqual(streamed);
    return streamed;
  }

  function placedAlike(events: NormalizedEvent[], driver = inOneBatch): string[] {
    const streamed = resultsAndReasons(stream(events));
    expect(resultsAndReasons(driver(events))).toEqual(streamed);
    return streamed;
  }

  it("leaves a grant to the retry, not to a failure the DA server's 403 (0x80040001) ended before RADIUS", () => {
    // una's laptop logs the DA server's 403 at 10 s; its retry is granted at 10.5 s and enrols. The 403 came before
    // the DA server asked NPS, so the grant is the retry's (docs/windows-events.md §4 row 8). Before 2026-12-06
    // (session 51) it went to the failure, blamed on a missing client certificate with a grant beside it.
    const refused = {
      ...(client('una', 10_000, 10005) as Extract<NormalizedEvent, { kind: 'client.result' }>),
      errorCode: '0x80040001',
    };
    const events = [
      refused,
      radius('una', 10_500, 'granted'),
      ca('una', 11_000, 7, 'request'),
      ca('una', 11_100, 7, 'issued'),
      client('una', 12_000, 10022),
    ];
    expect(resultsAndDecisions(stream(events))).toEqual(['10000: none', '12000: 10500']);
    // Another failure the DA server answered (0x80040008) may have had its decision: the grant stays with it...
    const answered = events.map((e) => (e === refused ? { ...refused, errorCode: '0x80040008' } : e));
    expect(resultsAndDecisions(stream(answered.slice(0, 2)))).toEqual(['10000: 10500']);
    // ...until the CA issues a certificate in that attempt: a client that got one never logs 10005, so the failure
    // was an earlier attempt's and the grant the retry's (until 2026-12-06, session 55, the grant and the CA's steps
    // stayed with the failure and the 10022 was left alone).
    expect(resultsAndDecisions(stream(answered))).toEqual(['10000: none', '12000: 10500']);
  });

  /** Each attempt as its client result's, its IIS request's and its decision's times (from T0; 'none'), sorted. */
  const answersServed = (attempts: readonly ClosedAttempt[]) =>
    attempts
      .map((a) => [a.client, a.gateway, a.radius].map((e) => (e === null ? 'none' : String(e.time - T0))).join(' '))
      .sort();

  it("gives a laptop's answers to its requests in their order: a RADIUS timeout's, then its retry's denial's", () => {
    // Generated fleet 5002 (2026-12-06, session 52): a laptop 24.4 s ahead of the servers, whose clock no success had
    // told yet. RADIUS never answered the first request (28.5 s); the retry is denied 33 s later. Each answer is
    // logged 24.4 s after its response. The timeout's answer lies 9 s before the denial, and took it; the retry's
    // answer then went to the timeout's request, 58 s before it (each diagnosed as the other).
    const events = [
      iis(30_027, 28_536),
      client('qi', 54_386, 10005),
      radius('qi', 63_000, 'denied', 16),
      iis(63_753, 786),
      client('qi', 88_123, 10005),
    ];
    const expected = ['54386 30027 none', '88123 63753 63000'];
    expect(answersServed(stream(events))).toEqual(expected);
    expect(answersServed(eventByEvent(events))).toEqual(expected);
    // A laptop whose clock agrees answers each a moment after its response: nothing is crossed, nothing changes.
    const agreeing = [
      iis(30_027, 28_536),
      client('qo', 30_400, 10005),
      radius('qo', 63_000, 'denied', 16),
      iis(63_753, 786),
      client('qo', 64_100, 10005),
    ];
    expect(answersServed(stream(agreeing))).toEqual(['30400 30027 none', '64100 63753 63000']);
  });

  it("gives a laptop's answers to its two denials in their order when the second answer lies just after the first denial", () => {
    // Generated fleet 5045: a laptop 23.6 s behind. Its first answer is logged 23 s before the first denial, its second
    // 3.8 s after it, so the first denial took the second answer and the second denial the first. Both requests hold
    // their own decisions; the answers change places, each the same 23.6 s before its response.
    const events = [
      client('vf', 24_900, 10005),
      radius('vf', 48_100, 'denied', 21),
      iis(48_500, 761),
      client('vf', 51_900, 10005),
      radius('vf', 75_100, 'denied', 35),
      iis(75_500, 1_198),
    ];
    const expected = ['24900 48500 48100', '51900 75500 75100'];
    expect(answersServed(stream(events))).toEqual(expected);
    expect(answersServed(eventByEvent(events))).toEqual(expected);
    // On another laptop, the second answer is not this laptop's to give: nothing changes places.
    const twoLaptops = events.map((e) =>
      e.kind === 'client.result' && e.time === T0 + 51_900 ? client('vf', 51_900, 10005, 'pc2') : e,
    );
    expect(answersServed(stream(twoLaptops))).toEqual(['24900 75500 75100', '51900 48500 48100']);
  });

  it('goes to the retry whose result follows it, not to the attempt whose result came two minutes before', () => {
    // RADIUS never answered the first request (the client gave up after 30 s); the retry two minutes later is denied.
    const events = [
      client('ria', 30_000, 10005),
      radius('ria', 150_500, 'denied', 16),
      client('ria', 150_800, 10005),
      iis(30_000, 30_000),
      iis(150_600, 600),
    ];
    const expected = ['ria: 6200,10005', 'ria: 6273,6200,10005'];
    expect(shape(stream(events))).toEqual(expected);
    expect(shape(inOneBatch(events))).toEqual(expected);
  });

  it('goes to the retry whose result was logged a moment before it (a laptop clock 1.4 s behind NPS)', () => {
    // The DA server refused the first request itself; 24 s later the retry is denied, and the laptop logs its answer
    // 1.4 s before NPS's denial by their clocks. The retry's result is placed before the denial, so nothing waits.
    const events = [
      client('rob', 1_000, 10005),
      iis(24_900, 700),
      client('rob', 24_600, 10005),
      radius('rob', 26_000, 'denied', 16),
      iis(700, 150),
    ];
    const timed = (attempts: ClosedAttempt[]) =>
      attempts.map((a) => a.events.map((e) => `${e.ref.eventId}@${e.time - T0}`).join(','));
    const expected = ['6200@700,10005@1000', '10005@24600,6200@24900,6273@26000'];
    expect(timed(stream(events))).toEqual(expected);
    expect(timed(inOneBatch(events))).toEqual(expected);
  });

  it('still goes to the ended attempt when no result follows it (a client clock behind NPS)', () => {
    const events = [client('sam', 40_000, 10005), radius('sam', 100_000, 'denied', 16), iis(100_200, 700)];
    expect(shape(stream(events))).toEqual(['sam: 10005,6273,6200']);
    expect(shape(inOneBatch(events))).toEqual(['sam: 10005,6273,6200']);
  });

  it("a grant logged 40 s after the only attempt's answer is that attempt's when no retry follows (its clock behind)", () => {
    // The DA server could not sign the request after NPS granted it (no CA step); the laptop's clock is 40 s behind.
    const events = [client('una', 20_000, 10005), radius('una', 60_000, 'granted'), iis(60_300, 600)];
    expect(shape(stream(events))).toEqual(['una: 10005,6272,6200']);
    expect(shape(inOneBatch(events))).toEqual(['una: 10005,6272,6200']);
  });

  it("a retry's grant goes with the retry's CA request or with its answer seconds later, not to the attempt before", () => {
    const enrolled = [
      client('val', 20_000, 10006),
      radius('val', 45_000, 'granted'),
      ca('val', 47_000, 31, 'request'),
      ca('val', 47_200, 31, 'issued'),
      client('val', 47_400, 10007),
    ];
    expect(shape(stream(enrolled))).toEqual(['val: 10006', 'val: 6272,4886,4887,10007']);
    expect(shape(inOneBatch(enrolled))).toEqual(['val: 10006', 'val: 6272,4886,4887,10007']);
    // The CA was unreachable: the client says so 11 s after the grant.
    const unreachable = [
      client('wes', 20_000, 10005),
      radius('wes', 150_000, 'granted'),
      client('wes', 161_000, 10018),
    ];
    expect(shape(stream(unreachable))).toEqual(['wes: 10005', 'wes: 6272,10018']);
    expect(shape(inOneBatch(unreachable))).toEqual(['wes: 10005', 'wes: 6272,10018']);
  });

  it("leaves the user's other RADIUS traffic (Wi-Fi PEAP) alone: it never waits, and no retry takes it", () => {
    const withWifi: EngineConfig = { ...config, nonOtpAuthenticationTypes: new Set(['peap']) };
    const peap = (d: NormalizedEvent) => ({ ...d, authenticationType: 'PEAP' }) as NormalizedEvent;
    const run = (events: NormalizedEvent[]) => {
      const engine = new CorrelationEngine(withWifi);
      for (const e of events) engine.add(e);
      const out = [engine.advance(Math.max(...events.map((e) => e.time))), engine.flush()];
      return { attempts: out.flatMap((o) => o.attempts), drops: out.flatMap((o) => o.drops) };
    };
    // A Wi-Fi denial goes to the answered attempt at once, as before; the retry keeps its own denial.
    const denials = [
      client('xia', 20_000, 10005),
      peap(radius('xia', 70_000, 'denied', 16)),
      radius('xia', 79_500, 'denied', 16),
      client('xia', 79_800, 10005),
    ];
    const { attempts } = run(denials);
    expect(shape(attempts)).toEqual(['xia: 10005,6273', 'xia: 6273,10005']);
    expect(attempts[0]!.events[1]!.ref.recordId).toBe(denials[1]!.ref.recordId);
    expect(attempts[1]!.events[0]!.ref.recordId).toBe(denials[2]!.ref.recordId);
    // A Wi-Fi grant 40 s after the answer is not the answered attempt's: alone, it is ignored.
    const grant = run([client('yan', 20_000, 10005), peap(radius('yan', 60_000, 'granted'))]);
    expect(shape(grant.attempts)).toEqual(['yan: 10005']);
    expect(grant.drops.map((d) => [d.event.ref.eventId, d.reason])).toEqual([[6272, 'non_otp_radius']]);
  });

  it("keeps each denial with the result the laptop's lag says is its own, with NPS 15 s ahead of the laptop", () => {
    // Three denials a minute or so apart; the laptop logs each answer a second after the denial, which NPS's clock puts
    // 14 s before it. The second denial waits (its attempt's answer came 14 s before it); the third attempt's answer
    // comes 34 s after it, and the first attempt says the laptop answers 14 s before NPS's denial, not 34 s after.
    const events = [
      client('dan', 101_000, 10005, 'pc-dan'),
      radius('dan', 115_000, 'denied', 16),
      client('dan', 187_000, 10005, 'pc-dan'),
      radius('dan', 201_000, 'denied', 21),
      client('dan', 235_000, 10005, 'pc-dan'),
      radius('dan', 249_000, 'denied', 34),
    ];
    const expected = ['101000: 16', '187000: 21', '235000: 34'];
    expect(resultsAndReasons(stream(events))).toEqual(expected);
    expect(resultsAndReasons(inOneBatch(events))).toEqual(expected);
  });

  it('gives a denial no retry took to the answer logged nearest it, with the laptop 28 s behind NPS', () => {
    // The first attempt was refused by the DA server (no decision), the retry a minute later denied by NPS. The laptop
    // logs each answer 28 s before NPS's clock says the denial came: both answers lie before the denial, the retry's
    // nearer. Before 2026-12-05 (session 46) the first attempt took it, and the retry read as refused by the DA server.
    const events = [client('ida', 100_000, 10005), client('ida', 173_000, 10005), radius('ida', 201_000, 'denied', 16)];
    const expected = ['100000: none', '173000: 16'];
    expect(resultsAndReasons(stream(events))).toEqual(expected);
    expect(resultsAndReasons(inOneBatch(events))).toEqual(expected);
  });

  it('gives two waiting denials to the answers before them in order, the earliest first', () => {
    // A laptop 90 s behind NPS: both answers are logged before either denial. While the first denial waits for a
    // retry's answer, the second comes: they are the two attempts' in order, not both to the nearer answer's.
    const events = [
      client('jon', 100_000, 10005),
      client('jon', 145_000, 10005),
      radius('jon', 191_000, 'denied', 64),
      radius('jon', 235_000, 'denied', 16),
    ];
    const expected = ['100000: 64', '145000: 16'];
    expect(resultsAndReasons(stream(events))).toEqual(expected);
    expect(resultsAndReasons(inOneBatch(events))).toEqual(expected);
  });

  it("leaves a denial with the answer logged 15 s before it, not a retry's answer 58 s after it", () => {
    // The laptop's clock is 3 s behind the DA server's and NPS's 12.6 s ahead: the first attempt's failure is logged
    // 15 s before its denial. The retry waited for RADIUS in vain (no decision) and its failure comes 58 s after the
    // denial, inside the denial's wait for a retry. Before 2026-12-05 (session 46) the retry took the denial whenever
    // no other attempt of the laptop told its lag, and each attempt had the other's verdict.
    const events = [
      client('quin', 100_000, 10005),
      radius('quin', 115_400, 'denied', 16),
      client('quin', 173_200, 10005),
    ];
    const expected = ['100000: 16', '173200: none'];
    expect(resultsAndReasons(stream(events))).toEqual(expected);
    expect(resultsAndReasons(inOneBatch(events))).toEqual(expected);
  });

  it("gives a failure back its own attempt when the CA issues the retry's certificate after it", () => {
    // A lockout, then a retry 25 s later that enrols. The laptop's clock is 3 s ahead of the DA server's, NPS's 12.6 s
    // ahead and the CA's 18 s behind: the retry's CA request is logged 4.7 s after the first attempt's failure and
    // took that attempt. A client that got its certificate never logs 10005: the issued result hands it back, and the
    // lockout, the retry's grant and its SYSTEM 10022 (no user) go where they belong. Before 2026-12-05 (session 46)
    // the lockout was an attempt of its own and the success an `unknown@` one.
    const events = [
      client('kim', 101_400, 10005),
      ca('kim', 106_100, 77, 'request'),
      ca('kim', 106_300, 77, 'issued'),
      radius('kim', 111_000, 'denied', 64),
      client(null, 127_800, 10022),
      radius('kim', 135_000, 'granted'),
    ];
    const expected = ['kim: 10005,6273', 'kim: 4886,4887,10022,6272'];
    expect(shape(stream(events))).toEqual(expected);
    expect(shape(inOneBatch(events))).toEqual(expected);
  });

  it("gives back a failure that took the retry's grant and request, once the CA issues the retry's certificate", () => {
    // A laptop 24 s ahead, whose clock nothing has told yet, logs a RADIUS timeout's failure at 41.4 s (17.4 s on the
    // servers' clock). The retry's request ends at 49.5 s, its grant at 49.9 s, and the CA issues at 50.4 s; its
    // SYSTEM 10022 (no user) is logged at 73.8 s. As logged the failure lay 8.5 s before the grant and took it, and
    // with it the request and the CA's steps; the 10022 then had no attempt waiting. A client that got its
    // certificate never logs 10005: the issued result hands the failure back. Before 2026-12-06 (session 55) only an
    // attempt without decision or request did so, and the success read as an OTP failure (sweep seed 10024).
    const events = [
      client('zoe', 41_400, 10005),
      iis(49_500, 1_200),
      radius('zoe', 49_900, 'granted'),
      ca('zoe', 50_410, 13, 'request'),
      ca('zoe', 50_430, 13, 'issued'),
      client(null, 73_800, 10022),
    ];
    const expected = ['zoe: 10005', 'zoe: 6200,6272,4886,4887,10022'];
    expect(shapesAlike(events)).toEqual(expected);
    // The same when the CA refuses the retry's request: such a client logs 10019 (§4 rows 14–17), never 10005. Before,
    // the timeout read as the CA's refusal and the retry's 10019 as an attempt of its own (sweep seed 10006).
    const refused = [...events.slice(0, 4), ca('zoe', 50_430, 13, 'denied'), client('zoe', 74_100, 10019)];
    const expectedRefused = ['zoe: 10005', 'zoe: 6200,6272,4886,4888,10019'];
    expect(shapesAlike(refused)).toEqual(expectedRefused);
  });

  it("gives the retry's grant back to its CA request when the failure that took it lies beyond the grace before it", () => {
    // A laptop 16 s ahead, whose clock nothing has told yet: the DA server refuses a request without asking RADIUS
    // (it ends at 37.8 s), and the laptop logs the failure at 53.3 s (37.3 s on the servers' clock). The retry's
    // request ends at 61.5 s with its grant at 61.7 s; as logged the failure lies 8.4 s before that grant and took
    // it, with the request that holds it. The retry's CA request at 63.9 s is 10.6 s after the failure, beyond the
    // grace a CA step is let in after an answer, so it opened an attempt of its own with the CA's answer and the 10022:
    // the failure read as a signing failure, the success as an enrolment without its grant. A grant is followed by
    // its own enrolment: the CA request takes the grant's attempt and the failure goes back to an attempt of its own.
    // Before 2026-12-06 (session 56) it did not (sweep seed 11031).
    const events = [
      iis(37_780, 783),
      client('yan', 53_300, 10005),
      iis(61_500, 1_013),
      radius('yan', 61_680, 'granted'),
      ca('yan', 63_940, 17, 'request'),
      ca('yan', 63_980, 17, 'issued'),
      client(null, 79_650, 10022),
    ];
    const expected = ['yan: 6200,10005', 'yan: 6200,6272,4886,4887,10022'];
    expect(shapesAlike(events)).toEqual(expected);
  });

  it("gives a CA request to the attempt whose grant lies nearest it, not to an earlier grant's", () => {
    // A laptop 28 s ahead, whose clock nothing has told yet. A grant at 12 s whose signing fails; the retry's grant at
    // 37 s, its CA request at 40.4 s and the CA's issuance at 40.6 s. The laptop logs the signing failure at 40.4 s,
    // just after the retry's CA request, and the retry's 10022 (no user) at 66.4 s. The client enrols as soon as the
    // DA server answers its grant (docs/windows-events.md §0.1, steps 5–6), so the CA request is the retry's. Before
    // 2026-12-06 (session 56) the first open attempt took it, and the signing failure read as the user's certificate
    // issued and its answer an OTP failure, the retry's grant and success as an attempt without its CA steps (sweep
    // seed 12033).
    const events = [
      radius('wes', 12_000, 'granted'),
      radius('wes', 37_000, 'granted'),
      ca('wes', 40_366, 18, 'request'),
      client('wes', 40_435, 10005),
      ca('wes', 40_570, 18, 'issued'),
      client(null, 66_427, 10022),
    ];
    const expected = ['wes: 6272,10005', 'wes: 6272,4886,4887,10022'];
    expect(shapesAlike(events)).toEqual(expected);
  });

  it.each([
    [10022, 'a success'],
    [10007, 'a certificate it could not store'],
  ])("reads a laptop's answers on the servers' clock once %i (%s) told how far behind it logs", (eventId) => {
    // The laptop logs 100 s behind the servers. Its success (the CA issued at 200.7 s, its 10022 logged at 101.0 s)
    // tells it once the 10022, which names no user, has joined. Later a denial, its failure logged 100 s before it,
    // and a retry that RADIUS never answered, its failure logged 30 s after the denial: inside the denial's wait for a
    // retry, and nearer it as logged. Without the success the retry takes the denial and the attempt it was for reads
    // as RADIUS never answering (the control below); before 2026-12-05 (session 47) so it went with the success too.
    // The engine is driven as the offline analysis and the stream drive it (event by event, in order); a single
    // advance over everything would place the retry before the success's join is decided.
    const success = [
      radius('uma', 200_000, 'granted'),
      ca('uma', 200_500, 91, 'request'),
      ca('uma', 200_700, 91, 'issued'),
      client(null, 101_000, eventId),
    ];
    const retry = [client('uma', 800_300, 10005), radius('uma', 900_000, 'denied', 16), client('uma', 930_000, 10005)];
    expect(placedAlike([...success, ...retry], eventByEvent)).toEqual(['101000: 0', '800300: 16', '930000: none']);
    expect(placedAlike(retry, eventByEvent)).toEqual(['800300: none', '930000: 16']);
  });

  it('gives a grant logged just after an answer of a laptop 27 s ahead to the retry, once a success told the lag', () => {
    // The laptop logs 27 s ahead of the servers, as its first success told (the CA issued at 100.7 s, its 10022 logged
    // at 127.7 s). Later RADIUS never answers a request, and the laptop logs its failure at 727 s (700 s on the
    // servers' clock). The retry is granted at 729.1 s, enrols, and its success is logged at 756.7 s. As logged, the
    // failure lies 2.1 s before the grant and took it; the retry's success then had no attempt. Read on the servers'
    // clock, the failure lies 29 s before the grant: the answer of an attempt before it. Before 2026-12-05 (session
    // 49) the timeout read as a grant whose signing failed and the success as a lone answer.
    const events = [
      ...successTellingLag('zed', 27_000, 81),
      client('zed', 727_000, 10005),
      radius('zed', 729_100, 'granted'),
      ca('zed', 729_500, 82, 'request'),
      ca('zed', 729_700, 82, 'issued'),
      client(null, 756_700, 10022),
    ];
    const expected = ['127700: 100000 1', '727000: none 0', '756700: 729100 1'];
    expect(resultsDecisionsAndCa(stream(events))).toEqual(expected);
    expect(resultsDecisionsAndCa(eventByEvent(events))).toEqual(expected);
  });

  it("waits for the retry's answer of a laptop 70 s ahead as long again, before its denial goes to the timeout before it", () => {
    // A generated fleet with laptops up to 90 s off. The laptop logs 70 s ahead of the servers, as its first success
    // told. RADIUS never answers a request, and the laptop logs that failure at 770.4 s (700.4 s on the servers'
    // clock); the retry is denied at 830 s and its failure logged at 900.6 s. The denial waits for a retry's answer, but
    // the retry's was logged 70.6 s after it, when a 60 s wait had ended: the timeout took the denial, read as NPS's
    // rejection, and the retry read as a timeout. Before 2026-12-07 (session 61) the wait did not allow for the lag.
    const events = [
      ...successTellingLag('zed', 70_000, 81),
      client('zed', 770_400, 10005),
      radius('zed', 830_000, 'denied', 16),
      client('zed', 900_600, 10005),
    ];
    const expected = ['170700: 100000', '770400: none', '900600: 830000'];
    expect(resultsAndDecisions(stream(events))).toEqual(expected);
    expect(resultsAndDecisions(eventByEvent(events))).toEqual(expected);
  });

  it('gives a waiting grant to the answer its laptop logs as long before it as its earlier signing failures tell', () => {
    // A signing-certificate outage (sweep --laptop-skew 90000, seed 24012): the laptop logs 84 s behind NPS, and no
    // success told its clock. Each grant's signing fails and the laptop logs its 10005 84 s before the grant, as logged.
    // The third grant waits for a retry's answer; when no answer takes it, it went to the answer logged nearest it (the
    // fourth attempt's, 45 s after), not to the third's, which the two attempts before say is its own; the fourth
    // grant then had no answer and the third answer no grant. Before 2026-12-07 (session 61) the nearest answer won.
    const events = [
      client('zed', 935_700, 10005),
      radius('zed', 1_019_800, 'granted'),
      client('zed', 1_031_500, 10005),
      client('zed', 1_066_400, 10005),
      radius('zed', 1_115_300, 'granted'),
      radius('zed', 1_150_100, 'granted'),
      client('zed', 1_195_200, 10005),
      radius('zed', 1_278_800, 'granted'),
    ];
    const expected = ['1031500: 1115300', '1066400: 1150100', '1195200: 1278800', '935700: 1019800'];
    expect(resultsAndDecisions(stream(events))).toEqual(expected);
    expect(resultsAndDecisions(eventByEvent(events))).toEqual(expected);
  });

  it('gives each signing failure of a laptop 96 s behind its own grant, three in a row, when the last grant finds none', () => {
    // A signing-certificate outage (sweep --laptop-skew 120000, seed 24029): the laptop logs 96 s behind NPS, and no
    // success told its clock. It logs three failures at 0, 155.1 and 232.4 s; NPS grants at 97.6, 252.6 and 329.6 s.
    // The first grant waited for a retry's answer and went to the second answer, 57.5 s after it, nearer than the first
    // (97.6 s before); the second grant to the third answer; the third grant then found no answer, and the first answer
    // no grant. A laptop's answers come in the order of its attempts: the answers move one turn along the chain.
    const events = [
      client('zed', 1_000_000, 10005),
      radius('zed', 1_097_600, 'granted'),
      client('zed', 1_155_100, 10005),
      client('zed', 1_232_400, 10005),
      radius('zed', 1_252_600, 'granted'),
      radius('zed', 1_329_600, 'granted'),
    ];
    const expected = ['1000000: 1097600', '1155100: 1252600', '1232400: 1329600'];
    expect(resultsAndDecisions(stream(events))).toEqual(expected);
    expect(resultsAndDecisions(eventByEvent(events))).toEqual(expected);
  });

  it("pairs a laptop's failures with their denials anew once its next success tells that it logs 90 s behind", () => {
    // Sweep --laptop-skew 120000, seed 24032: the laptop logs 90.4 s behind NPS and no success told it yet. Its
    // failures are logged at 0 and 95.3 s, NPS's denials at 90.1 and 186.1 s. The second failure lay 5.2 s after the
    // first denial and took it, so the second denial found no answer and the first failure no denial (read as a RADIUS
    // timeout). The success a minute later (its 10022 at 179.7 s, the certificate issued at 270.1 s) tells the lag:
    // read with it, each failure lies a moment after its own denial.
    const events = [
      client('zed', 1_000_000, 10005),
      radius('zed', 1_090_079, 'denied', 16),
      client('zed', 1_095_307, 10005),
      client(null, 1_179_651, 10022),
      radius('zed', 1_186_079, 'denied', 16),
      radius('zed', 1_267_079, 'granted'),
      ca('zed', 1_269_881, 201, 'request'),
      ca('zed', 1_270_086, 201, 'issued'),
    ];
    const expected = ['1000000: 1090079', '1095307: 1186079', '1179651: 1267079'];
    expect(resultsAndDecisions(stream(events))).toEqual(expected);
    expect(resultsAndDecisions(eventByEvent(events))).toEqual(expected);
  });

  it('gives a CA request to the answered attempt whose grant lies 3 s before it, not to a failure logged 1.5 s before it', () => {
    // Sweep --laptop-skew 120000, seed 24029: the laptop logs 70.8 s behind NPS and the CA, and nothing told it yet. It
    // logs the CA's refusal (10019) at 0 s, and the 10019 took NPS's grant at 67.5 s. The CA request 3.1 s after the
    // grant (refused at 70.8 s) went to the answered attempt whose answer lay nearest it: the laptop's next failure
    // (10005, logged at 69.1 s, truly NPS's denial at 138.5 s). The 10019 was left without the refusal it answers, and
    // later took the CA request of the laptop's success (its 10022 logged at 97.5 s, the grant at 165.5 s, issued at
    // 168.2 s). The client enrols as soon as the DA server answers its grant.
    const events = [
      client('zed', 1_000_000, 10019),
      radius('zed', 1_067_484, 'granted'),
      client('zed', 1_069_131, 10005),
      ca('zed', 1_070_632, 101, 'request'),
      ca('zed', 1_070_833, 101, 'denied'),
      client(null, 1_097_453, 10022),
      radius('zed', 1_138_484, 'denied', 16),
      radius('zed', 1_165_484, 'granted'),
      ca('zed', 1_167_966, 102, 'request'),
      ca('zed', 1_168_189, 102, 'issued'),
    ];
    const expected = ['1000000: 1067484 1', '1069131: 1138484 0', '1097453: 1165484 1'];
    expect(resultsDecisionsAndCa(stream(events))).toEqual(expected);
    expect(resultsDecisionsAndCa(eventByEvent(events))).toEqual(expected);
  });

  it('gives each CA refusal of a laptop 112.5 s behind its own grant and CA steps, when the second grant finds none', () => {
    // Sweep --laptop-skew 120000, seed 27061: the CA has no OTP template (CERTSRV_E_UNSUPPORTED_CERT_TYPE) and the laptop
    // logs 112.5 s behind the servers, told by nothing. It logs the CA's refusals (10019) at 0 and 74.2 s; NPS grants at
    // 110.8 and 183.8 s, and the CA refuses each request 2 s after its grant. The first grant went to the second
    // refusal, 36.6 s before it (nearer than the first, 110.8 s), and took its CA steps along; the second grant was
    // 183.8 s after the first refusal, past the clock-skew tolerance, and opened an attempt of its own. The refusals
    // move one turn, as a laptop's failures answered by the DA server do: the CA steps stay with their grant.
    const events = [
      client('zed', 1_000_000, 10019),
      client('zed', 1_074_181, 10019),
      radius('zed', 1_110_805, 'granted'),
      ca('zed', 1_112_695, 301, 'request'),
      ca('zed', 1_112_799, 301, 'denied'),
      radius('zed', 1_183_805, 'granted'),
      ca('zed', 1_186_604, 302, 'request'),
      ca('zed', 1_186_684, 302, 'denied'),
    ];
    const expected = ['1000000: 1110805 1', '1074181: 1183805 1'];
    expect(resultsDecisionsAndCa(stream(events))).toEqual(expected);
    expect(resultsDecisionsAndCa(eventByEvent(events))).toEqual(expected);
  });

  it('gives each CA refusal of a laptop 99 s behind its own grant when the first pairing told its clock wrong', () => {
    // Sweep --laptop-skew 120000, seed 28062: the CA has no OTP template and the laptop logs 99.2 s behind the servers.
    // It logs the CA's refusals (10019) at 0, 94.8 and 278.1 s; NPS grants at 96.5, 191.5 and 375.5 s, each refused by
    // the CA 2.2–2.8 s later. The first grant went to the second refusal (1.6 s before it), and that pair told the
    // laptop's clock 4.4 s behind the CA; the second grant's attempt then took the third refusal (86.7 s after its
    // grant), the third grant kept no answer and the first refusal stayed alone (read as "the CA refused", cause
    // unknown). Read 99.2 s behind, each refusal lies 0.1–0.3 s after its own CA refusal, in turn.
    const events = [
      client('zed', 1_000_000, 10019),
      client('zed', 1_094_815, 10019),
      radius('zed', 1_096_452, 'granted'),
      ca('zed', 1_099_038, 401, 'request'),
      ca('zed', 1_099_236, 401, 'denied'),
      radius('zed', 1_191_452, 'granted'),
      ca('zed', 1_193_950, 402, 'request'),
      ca('zed', 1_193_991, 402, 'denied'),
      client('zed', 1_278_104, 10019),
      radius('zed', 1_375_452, 'granted'),
      ca('zed', 1_377_483, 403, 'request'),
      ca('zed', 1_377_693, 403, 'denied'),
    ];
    const expected = ['1000000: 1096452 1', '1094815: 1191452 1', '1278104: 1375452 1'];
    expect(resultsDecisionsAndCa(stream(events))).toEqual(expected);
    expect(resultsDecisionsAndCa(eventByEvent(events))).toEqual(expected);
  });

  it("gives a grant waiting for a retry's answer the lone CA refusal before it, once the grant's enrolment comes", () => {
    // Sweep --laptop-skew 120000, seed 28062: the laptop logs 37.6 s behind, told by nothing yet. It logs the CA's
    // refusal (10019) at 0 and, after a retry, its OTP rejection (10005) at 31.8 s; NPS grants at 35 s (the CA refuses
    // the enrolment 2.2 s later) and denies the retry at 69 s. The grant waited for a retry's answer, as the refusal
    // before it had ended its attempt; its enrolment then opened an attempt of its own and took it, and the refusal
    // stayed alone (read as "the CA refused", cause unknown). A lone CA refusal is answered by a grant's enrolment.
    const events = [
      client('zed', 1_000_000, 10019),
      { ...client('zed', 1_031_752, 10005), errorCode: '0x80040002' } as NormalizedEvent,
      radius('zed', 1_035_020, 'granted'),
      ca('zed', 1_037_236, 501, 'request'),
      ca('zed', 1_037_251, 501, 'denied'),
      radius('zed', 1_069_020, 'denied', 16),
    ];
    const expected = ['1000000: 1035020 1', '1031752: 1069020 0'];
    expect(resultsDecisionsAndCa(stream(events))).toEqual(expected);
    expect(resultsDecisionsAndCa(eventByEvent(events))).toEqual(expected);
  });

  it("pairs a laptop's CA refusals anew when a grant NPS logs after the CA's refusal finds no refusal near", () => {
    // Sweep --laptop-skew 120000, seed 29065: the CA has no OTP template and the laptop logs 101.5 s behind, told by
    // nothing. Its two refusals (10019) lie 105.5 s and 6 s before the first grant's CA steps: that enrolment took the
    // second, nearer, and its pair told the laptop's clock wrong. The second grant, which NPS (its clock ahead of the
    // CA's) logs 1.7 s after the CA's refusal, then found no refusal near, and the first refusal stayed alone (read as
    // "the CA refused", cause unknown). Read with the lag the lone refusal tells, each refusal lies at its own grant.
    const events = [
      client('zed', 1_000_000, 10019),
      client('zed', 1_099_437, 10019),
      ca('zed', 1_104_160, 801, 'request'),
      ca('zed', 1_104_401, 801, 'denied'),
      radius('zed', 1_105_471, 'granted'),
      ca('zed', 1_203_620, 802, 'request'),
      ca('zed', 1_203_771, 802, 'denied'),
      radius('zed', 1_205_471, 'granted'),
    ];
    const expected = ['1000000: 1105471 1', '1099437: 1205471 1'];
    expect(resultsDecisionsAndCa(stream(events))).toEqual(expected);
    expect(resultsDecisionsAndCa(eventByEvent(events))).toEqual(expected);
  });

  it('uncrosses two CA refusals of a laptop 113 s behind when the second grant goes to the first refusal', () => {
    // Sweep --laptop-skew 120000, seed 28066: the CA has no OTP template and the laptop logs 113.4 s behind, told by
    // nothing. The first grant went to the second refusal (47 s before it), whose CA steps followed; the second grant
    // went to the first refusal, 179.4 s before it (within the clock-skew tolerance), and its CA request, 181.8 s after
    // that refusal, opened an attempt of its own. A laptop answers in the order of its attempts: the refusals change
    // places as failures the DA server answered do, and each grant's CA steps stay with it.
    const events = [
      client('zed', 1_000_000, 10019),
      client('zed', 1_066_456, 10019),
      radius('zed', 1_113_429, 'granted'),
      ca('zed', 1_115_516, 701, 'request'),
      ca('zed', 1_115_525, 701, 'denied'),
      radius('zed', 1_179_429, 'granted'),
      ca('zed', 1_181_750, 702, 'request'),
      ca('zed', 1_181_896, 702, 'denied'),
    ];
    const expected = ['1000000: 1113429 1', '1066456: 1179429 1'];
    expect(resultsDecisionsAndCa(stream(events))).toEqual(expected);
    expect(resultsDecisionsAndCa(eventByEvent(events))).toEqual(expected);
  });

  it('gives each signing failure of a laptop 88.5 s behind its own grant when the user retries about as often', () => {
    // Sweep --laptop-skew 120000, seed 27073: the DA server cannot sign (every grant fails), the laptop logs 88.5 s
    // behind NPS, told by nothing, and the user retries every 48 to 164 s. Each failure lies nearer the next attempt's
    // grant than its own: the first grant went to the second failure (9.5 s after it), the second grant to the third
    // failure (12.7 s before it), and so on, every pair one turn off; the first failure stayed alone, read as a RADIUS
    // timeout. Read 88.5 s behind, each failure lies 0.3 s after its own grant.
    const events = [
      client('zed', 1_000_000, 10005),
      radius('zed', 1_088_541, 'granted'),
      client('zed', 1_098_098, 10005),
      client('zed', 1_173_874, 10005),
      radius('zed', 1_186_554, 'granted'),
      radius('zed', 1_262_708, 'granted'),
      client('zed', 1_338_458, 10005),
      client('zed', 1_386_608, 10005),
      radius('zed', 1_426_894, 'granted'),
      radius('zed', 1_475_211, 'granted'),
    ];
    const expected = [
      '1000000: 1088541',
      '1098098: 1186554',
      '1173874: 1262708',
      '1338458: 1426894',
      '1386608: 1475211',
    ];
    expect(resultsAndDecisions(stream(events))).toEqual(expected);
    expect(resultsAndDecisions(eventByEvent(events))).toEqual(expected);
  });

  it("pairs a laptop's signing failures anew when a failure joins a grant long before it", () => {
    // Sweep --laptop-skew 120000, seed 29065: the DA server cannot sign, the laptop logs 102 s behind NPS, told by
    // nothing, and the user retries every 1.2 to 4.3 minutes. The third grant went to the fourth failure, 4 s before it;
    // the fourth grant found no failure within reach and the fifth failure, logged 155 s after it, joined it. Pairing
    // anew was asked only when a grant joined a failure far from it, not when a failure joined a grant: every later pair
    // stayed one turn off, and the third failure alone read as a RADIUS timeout.
    const events = [
      client('zed', 1_000_000, 10005),
      client('zed', 1_073_045, 10005),
      radius('zed', 1_102_188, 'granted'),
      client('zed', 1_159_177, 10005),
      radius('zed', 1_176_188, 'granted'),
      client('zed', 1_258_002, 10005),
      radius('zed', 1_262_188, 'granted'),
      radius('zed', 1_361_188, 'granted'),
      client('zed', 1_516_271, 10005),
      radius('zed', 1_619_188, 'granted'),
      client('zed', 1_678_333, 10005),
      radius('zed', 1_781_188, 'granted'),
    ];
    const expected = [
      '1000000: 1102188',
      '1073045: 1176188',
      '1159177: 1262188',
      '1258002: 1361188',
      '1516271: 1619188',
      '1678333: 1781188',
    ];
    expect(resultsAndDecisions(stream(events))).toEqual(expected);
    expect(resultsAndDecisions(eventByEvent(events))).toEqual(expected);
  });

  it("pairs a laptop's failures anew when a denial after a signing failure finds no answer of its own", () => {
    // Sweep --laptop-skew 120000, seed 29063: the laptop logs 104 s behind, told by nothing. Its signing failure lies
    // 103.6 s before the grant and its retry's failure 10.9 s after it: the grant, waiting for a retry's answer, took
    // the retry's; the denial 115 s later then found no answer, and the first failure stayed alone (a RADIUS timeout).
    const events = [
      client('zed', 1_000_000, 10005),
      radius('zed', 1_103_562, 'granted'),
      client('zed', 1_114_477, 10005),
      radius('zed', 1_218_562, 'denied', 8),
    ];
    const expected = ['1000000: 1103562', '1114477: 1218562'];
    expect(resultsAndDecisions(stream(events))).toEqual(expected);
    expect(resultsAndDecisions(eventByEvent(events))).toEqual(expected);
  });

  it("pairs a laptop's signing failures anew when the grants went to them by waiting or as a retry's", () => {
    // Sweep --laptop-skew 120000, seed 27073: the laptop logs 114 s behind, the user retries every 30 s to 2.6 min. The
    // first grant waited and took the retry's failure logged 31 s after it, the second took the failure 84 s before
    // it as a retry's answer: neither went to an answer the way the first pairing anew was asked from.
    const events = [
      client('zed', 1_000_000, 10005),
      radius('zed', 1_114_057, 'granted'),
      client('zed', 1_145_035, 10005),
      client('zed', 1_175_165, 10005),
      radius('zed', 1_259_096, 'granted'),
      radius('zed', 1_289_066, 'granted'),
      client('zed', 1_292_864, 10005),
      radius('zed', 1_406_929, 'granted'),
      client('zed', 1_450_192, 10005),
      radius('zed', 1_564_204, 'granted'),
    ];
    const expected = [
      '1000000: 1114057',
      '1145035: 1259096',
      '1175165: 1289066',
      '1292864: 1406929',
      '1450192: 1564204',
    ];
    expect(resultsAndDecisions(stream(events))).toEqual(expected);
    expect(resultsAndDecisions(eventByEvent(events))).toEqual(expected);
  });

  it("keeps a failure of a laptop 25.5 s ahead from the retry's grant it was logged after", () => {
    // The laptop logs 25.5 s ahead, as its first success told (the CA issued at 100.7 s, its 10022 logged at 126.2 s).
    // Later RADIUS never answers a request, and the laptop logs its failure at 724.1 s (698.6 s on the servers' clock).
    // The retry is granted at 719 s and the CA cannot be reached: the laptop logs its 10018 at 762.5 s. In placing
    // order the grant comes first and the failure, logged 5.1 s after it, took it; read on the servers' clock it lies
    // 20.4 s before the grant, an answer the DA server gave before NPS decided. Before 2026-12-06 (session 58) the
    // timeout read as a grant whose signing failed, and the retry's 10018 was left without its grant (sweep seed 17056).
    const events = [
      ...successTellingLag('kim', 25_500, 91),
      radius('kim', 719_000, 'granted'),
      client('kim', 724_100, 10005),
      client('kim', 762_500, 10018),
    ];
    const expected = ['126200: 100000', '724100: none', '762500: 719000'];
    expect(resultsAndDecisions(eventByEvent(events))).toEqual(expected);
    expect(resultsAndDecisions(stream(events))).toEqual(expected);
  });

  it.each([726_200, 722_000])(
    "gives a CA request logged a moment before the retry's grant to that grant, not to a signing failure's (its answer logged at %i ms)",
    (answeredAt) => {
      // The laptop logs 28.6 s ahead, as its first success told. A grant at 700 s whose signing fails; the laptop logs
      // the failure after the retry's enrolment. The retry's CA request and issue are logged at 721.6 and 721.7 s,
      // 0.6 s before its grant (the CA's clock a little behind NPS's), and its success at 750.2 s. Placed in time order,
      // the request went to the only grant before it, 21.6 s earlier, and the failure had no grant left but the
      // retry's (sweep seeds 18002, and 19006 with the failure placed before the retry's grant). The client enrols as
      // soon as the DA server answers its grant: the request is the grant's a moment after it.
      const events = [
        ...successTellingLag('ivy', 28_600, 95),
        radius('ivy', 700_000, 'granted'),
        ca('ivy', 721_600, 96, 'request'),
        ca('ivy', 721_700, 96, 'issued'),
        radius('ivy', 722_200, 'granted'),
        client('ivy', answeredAt, 10005),
        client(null, 750_200, 10022),
      ].sort((a, b) => a.time - b.time);
      const expected = ['129300: 100000 1', `${answeredAt}: 700000 0`, '750200: 722200 1'];
      expect(resultsDecisionsAndCa(eventByEvent(events))).toEqual(expected);
      expect(resultsDecisionsAndCa(stream(events))).toEqual(expected);
    },
  );

  it("learns a laptop's lag from the CA's refusal and its 10019 too, as from a success", () => {
    // The laptop logs 22 s ahead: its 10019 came 22 s after the CA's 4888 as logged (the client enrols at the CA and
    // logs its answer as it comes). Later the DA server refuses a request (no decision) and the laptop logs its
    // failure at 722 s (700 s on the servers' clock); the retry is granted at 729 s, refused by the CA, and logs its
    // own 10019. As logged the failure lies 7 s before the grant, within the grace a retry's grant is let in.
    // Before 2026-12-05 (session 49) only successes told a laptop's clock, and the failure took the retry's grant.
    const events = [
      radius('fay', 100_000, 'granted'),
      ca('fay', 101_000, 71, 'request'),
      ca('fay', 101_200, 71, 'denied'),
      client('fay', 123_200, 10019),
      client('fay', 722_000, 10005),
      radius('fay', 729_000, 'granted'),
      ca('fay', 730_000, 72, 'request'),
      ca('fay', 730_200, 72, 'denied'),
      client('fay', 752_200, 10019),
    ];
    const expected = ['123200: 100000', '722000: none', '752200: 729000'];
    expect(resultsAndDecisions(eventByEvent(events))).toEqual(expected);
    expect(resultsAndDecisions(stream(events))).toEqual(expected);
  });

  it("learns a laptop's lag from a denial's IIS request and its 10005, logged as the DA server answered", () => {
    // The laptop logs 26 s behind. Its first attempt is denied at 100 s, the DA server answers at 100.3 s and the
    // laptop logs its failure at 74.4 s: once the request has joined the decision, the two tell the lag. Later two
    // denials 30 s apart (a lockout, then a wrong OTP), each answered 0.3 s after it; as logged, the second failure
    // (1,004.4 s) lies 4.4 s after the first denial. On the servers' clock each failure lies 0.4 s after its own
    // denial. Before 2026-12-05 (session 49) only the CA's answers told a laptop's clock, and the two denials crossed.
    const events = [
      radius('gus', 100_000, 'denied', 16),
      iis(100_300, 500),
      client('gus', 74_400, 10005),
      radius('gus', 1_000_000, 'denied', 65),
      iis(1_000_300, 500),
      client('gus', 974_400, 10005),
      radius('gus', 1_030_000, 'denied', 16),
      iis(1_030_300, 500),
      client('gus', 1_004_400, 10005),
    ];
    const expected = ['1004400: 16', '74400: 16', '974400: 65'];
    expect(resultsAndReasons(eventByEvent(events))).toEqual(expected);
    expect(resultsAndReasons(stream(events))).toEqual(expected);
  });

  it('knows a laptop from the success joined just before its next answer in a stream as offline, however the sweeps fall', () => {
    // The success's 10022 names no user: it joins 361.5 s after its time (489.2 s), and tells that the laptop logs
    // 27 s ahead. The next answer is logged 0.8 s after that join is due, and the grant 2.1 s after the answer. Offline
    // sweeps as each event comes; a stream places a whole batch (here every event up to 820 s, with the last one)
    // before it sweeps. Before 2026-12-05 (session 49) the stream learned the lag only after placing the grant, and
    // gave it to the answer, as logged 2.1 s before it; offline knew the lag and gave it to the retry.
    const events = [
      ...successTellingLag('zed', 27_000, 81),
      client('zed', 490_000, 10005),
      radius('zed', 492_100, 'granted'),
      ca('zed', 492_500, 82, 'request'),
      ca('zed', 492_700, 82, 'issued'),
      client(null, 519_700, 10022),
      radius('amy', 1_000_000, 'denied', 16),
    ];
    const steps = (attempts: ClosedAttempt[]) => resultsAndDecisions(attempts.filter((a) => a.userKey !== 'amy'));
    const expected = ['127700: 100000', '490000: none', '519700: 492100'];
    expect(steps(eventByEvent(events))).toEqual(expected);
    expect(steps(stream(events))).toEqual(expected);
  });

  it('gives two answers of a laptop 76 s behind their denials in order, though the first denial lay nearer the second', () => {
    // No success told the laptop's clock. The first denial waits for a retry's answer and takes the one logged 24 s
    // after it; the second denial has only the first answer left. A laptop answers in the order of its attempts, as
    // NPS decides: the answers change places. Before 2026-12-05 (session 47) each had the other's denial.
    const events = [
      client('vic', 100_000, 10005),
      radius('vic', 176_000, 'denied', 16),
      client('vic', 200_000, 10005),
      radius('vic', 276_000, 'denied', 64),
    ];
    expect(placedAlike(events)).toEqual(['100000: 16', '200000: 64']);
  });

  it.each([
    ['granted', 'denied'],
    ['denied', 'granted'],
    ['granted', 'granted'],
  ] as const)("gives a laptop's failures 21 s behind a %s and a %s decision in order", (one, two) => {
    // A grant here is one whose signing failed (the DA server could not sign: no CA step, the client's 10005); a
    // denial is a wrong OTP. Two attempts 40 s apart; the laptop logs 21 s behind NPS and no success told it. The
    // first decision opened an attempt of its own and took the retry's answer, logged 18 s after it; the second then
    // went to the first answer, 60 s before it. The answers change places as they do between two denials. Before
    // 2026-12-05 (session 48) each had the other's decision.
    const decision = (at: number, kind: 'granted' | 'denied') =>
      kind === 'granted' ? radius('ron', at, kind) : radius('ron', at, kind, 16);
    const events = [client('ron', 100_000, 10005), decision(121_100, one), client('ron', 139_400, 10005)];
    events.push(decision(160_100, two));
    const pairs = (attempts: ClosedAttempt[]) =>
      attempts.map((a) => `${(a.client?.time ?? 0) - T0}: ${(a.radius?.time ?? 0) - T0}`).sort();
    const expected = ['100000: 121100', '139400: 160100'];
    expect(pairs(stream(events))).toEqual(expected);
    expect(pairs(eventByEvent(events))).toEqual(expected);
    expect(pairs(inOneBatch(events))).toEqual(expected);
  });

  it('gives a denial too far from every free answer the answer its earlier denial took, and that one the earlier answer', () => {
    // The laptop logs 88 s behind. The first denial took the retry's answer (22 s after it); the retry's denial lies
    // 198 s after the first answer, beyond the skew tolerance, and had no answer at all. Before 2026-12-05 (session 47)
    // the first answer read as RADIUS never answering and the retry's denial as an attempt of its own.
    const events = [
      client('wes', 100_000, 10005),
      radius('wes', 188_000, 'denied', 16),
      client('wes', 210_000, 10005),
      radius('wes', 298_000, 'denied', 64),
    ];
    expect(placedAlike(events)).toEqual(['100000: 16', '210000: 64']);
  });

  it('lets a denial wait for its own answer before answers change places for it', () => {
    // The laptop logs 23.5 s ahead: a RADIUS timeout's answer, then a denial and its answer, then a second denial
    // 190 s after the first answer (beyond the skew tolerance) whose answer comes 23.5 s after it. Changing answers
    // at once would give the second denial the first denial's answer; its own comes within the wait and takes it.
    const events = [
      client('xan', 100_000, 10005),
      radius('xan', 200_000, 'denied', 16),
      client('xan', 223_500, 10005),
      radius('xan', 290_000, 'denied', 64),
      client('xan', 313_500, 10005),
    ];
    expect(placedAlike(events, eventByEvent)).toEqual(['100000: none', '223500: 16', '313500: 64']);
  });

  it('each of two quick retries takes its own denial', () => {
    const events = [
      client('tom', 10_000, 10005),
      radius('tom', 60_000, 'denied', 16),
      client('tom', 60_300, 10005),
      radius('tom', 100_000, 'denied', 16),
      client('tom', 100_200, 10005),
    ];
    const expected = ['tom: 10005', 'tom: 6273,10005', 'tom: 6273,10005'];
    expect(shape(stream(events))).toEqual(expected);
    expect(shape(inOneBatch(events))).toEqual(expected);
  });
});

describe('an outage of RADIUS timeouts', () => {
  it("gives each request the result logged just after it, not the one logged just before the next request's end", () => {
    // Requests that waited 30 s for RADIUS end half a second apart; each client logs its 10005 0.3 s after its own
    // request's end, 0.2 s before the next one's.
    const events: NormalizedEvent[] = [];
    for (const [k, key] of ['ava', 'ben', 'cal', 'dan'].entries()) {
      events.push(iis(30_000 + 500 * k, 30_000), client(key, 30_300 + 500 * k, 10005, `pc-${key}`));
    }
    const requestsOf = (attempts: ClosedAttempt[]) =>
      attempts.map((a) => `${a.userKey}: ${a.events.find((e) => e.kind === 'gateway.request')?.time ?? 'none'}`);
    const expected = ['ava', 'ben', 'cal', 'dan'].map((key, k) => `${key}: ${T0 + 30_000 + 500 * k}`);
    expect(requestsOf(stream(events))).toEqual(expected);
  });
});

describe('an engine no longer used', () => {
  it('is not kept alive by the IIS join (its reused lists and memo let go of the engine once a request is joined)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Two requests that two decisions fit, and two near a client's result, the later one nearer (whether it holds
    // a decision of its own is asked, and remembered while the first is joined).
    const events = [radius('amy', 100, 'granted'), radius('bob', 150, 'granted'), iis(900, 900), iis(1000, 800)];
    events.push(client('cyd', 5_000, 10005, 'pc9'), iis(4_900, 1_000), iis(4_990, 1_000));
    events.sort((a, b) => a.time - b.time);
    const fill = () => {
      const engine = new CorrelationEngine(config);
      for (const e of events) engine.add(e);
      engine.advance(T0 + 3_600_000);
      return new WeakRef(engine);
    };
    const dropped = fill();
    // A WeakRef keeps its target until the job that made it ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(dropped.deref()).toBeUndefined();
  });
});

describe('DA server and NPS clocks apart', () => {
  // NPS's clock runs 1.3 s ahead of da01's: each decision is logged 1.15 s after its own request ended, often inside
  // the slack of the next request (1.5 to 5 s later), which it then fits better by time alone.
  const requests = 80;
  const user = (i: number) => `u${String(i).padStart(2, '0')}`;
  const ends: number[] = [];
  let r = 11;
  for (let i = 0, end = 10_000; i < requests; i++) {
    ends.push(end);
    r = (Math.imul(r, 1664525) + 1013904223) >>> 0;
    end += 1_500 + Math.floor((r / 2 ** 32) * 3_500);
  }
  function day(): NormalizedEvent[] {
    return ends.flatMap((end, i) => [
      iis(end, 600),
      radius(user(i), end - 150 + 1_300, 'granted'),
      client(user(i), end + 300, 10005),
    ]);
  }
  /** The users whose attempt took their own request. */
  const ownRequests = (attempts: ClosedAttempt[]) =>
    attempts.filter((a) => a.gateway?.time === T0 + ends[Number(a.userKey!.slice(1))]!).map((a) => a.userKey);

  it('learns the offset, then gives every request to its own attempt (from the 14th), streamed as sorted', () => {
    const sorted = streamWithDrops(day());
    const own = ownRequests(sorted.closed);
    // Before the offset is learned a request may be taken by the next user's decision, or dropped; after, none is.
    for (let i = 13; i < requests; i++) expect(own).toContain(user(i));
    expect(sorted.drops.filter((d) => Number(d.split('@')[1]) >= ends[13]!)).toEqual([]);
    // Arriving in another order within the reorder window changes nothing.
    const shuffled = day().sort((a, b) => ((a.time * 7919) % 1_000) - ((b.time * 7919) % 1_000));
    expect(shape(stream(shuffled))).toEqual(shape(sorted.closed));
  });

  // NPS names both DA servers' RADIUS clients "DirectAccess"; da01 sends from 10.0.0.10 with NPS 1.3 s ahead, da02
  // from 10.0.0.20 in step, its requests as many, as far apart, and independent of da01's: da01's decisions often
  // lie in the slack of a da02 request.
  const friendly = (e: RadiusDecision, address: string): NormalizedEvent => ({
    ...e,
    clientName: 'DirectAccess',
    clientIp: address,
  });
  const ends2: number[] = [];
  for (let i = 0, end = 10_700, r2 = 5; i < requests; i++) {
    ends2.push(end);
    r2 = (Math.imul(r2, 1664525) + 1013904223) >>> 0;
    end += 1_500 + Math.floor((r2 / 2 ** 32) * 3_500);
  }
  const twoServers = (): NormalizedEvent[] =>
    ends.flatMap((end, i) => [
      iis(end, 600, 'da01'),
      friendly(radius(user(i), end - 150 + 1_300, 'granted'), '10.0.0.10'),
      client(user(i), end + 300, 10005, `pc-${user(i)}`),
      iis(ends2[i]!, 600, 'da02'),
      friendly(radius(`v${i}`, ends2[i]! - 150, 'granted'), '10.0.0.20'),
      client(`v${i}`, ends2[i]! + 300, 10005, `pc-v${i}`),
    ]);
  it('learns which RADIUS client address is which DA server when NPS knows both by one friendly name', () => {
    const events = twoServers();
    const closed = stream(events.sort((a, b) => a.time - b.time));
    const requestOf = (key: string) => closed.find((a) => a.userKey === key)?.gateway;
    for (let i = 14; i < requests; i++) {
      expect(requestOf(user(i))).toMatchObject({ ref: { computer: 'da01' }, time: T0 + ends[i]! });
      expect(requestOf(`v${i}`)).toMatchObject({ ref: { computer: 'da02' }, time: T0 + ends2[i]! });
    }
    // What is learned does not depend on the arrival order within the reorder window.
    const shuffled = events.sort((a, b) => ((a.time * 7919) % 1_000) - ((b.time * 7919) % 1_000));
    expect(shape(stream(shuffled))).toEqual(shape(closed));
    // And the engine says what it learned: da01's clock 1.3 s behind NPS's, each server's address.
    const engine = new CorrelationEngine(config);
    for (const e of twoServers().sort((a, b) => a.time - b.time)) {
      engine.add(e);
      engine.advance(e.time);
    }
    engine.flush();
    const [da01, da02, ...rest] = engine.learnedServers();
    expect([da01?.server, da01?.radiusClients, da02, rest]).toEqual([
      'da01',
      ['10.0.0.10'],
      { server: 'da02', offsetMs: 0, radiusClients: ['10.0.0.20'], npsAddresses: [] },
      [],
    ]);
    expect(Math.abs(da01!.offsetMs - 1_300)).toBeLessThan(100);
  });

  it('keeps two DA servers apart when their W3C logs name them by address (s-ip) alone', () => {
    // No s-computername, no folder named after the host: each server is its s-ip. Keyed by the first label, both
    // were "10": one server, one clock, and da01's offset applied to da02's requests.
    const byAddress = { da01: '10.0.1.11', da02: '10.0.1.12' } as Record<string, string>;
    const events = twoServers().map((e) =>
      e.kind === 'gateway.request' ? { ...e, ref: { ...e.ref, computer: byAddress[e.ref.computer]! } } : e,
    );
    const engine = new CorrelationEngine(config);
    const closed: ClosedAttempt[] = [];
    for (const e of events.sort((a, b) => a.time - b.time)) {
      engine.add(e);
      closed.push(...engine.advance(e.time).attempts);
    }
    closed.push(...engine.flush().attempts);
    const requestOf = (key: string) => closed.find((a) => a.userKey === key)?.gateway;
    for (let i = 14; i < requests; i++) {
      expect(requestOf(user(i))).toMatchObject({ ref: { computer: '10.0.1.11' }, time: T0 + ends[i]! });
      expect(requestOf(`v${i}`)).toMatchObject({ ref: { computer: '10.0.1.12' }, time: T0 + ends2[i]! });
    }
    const learned = engine.learnedServers();
    expect(learned.map((s) => [s.server, s.radiusClients])).toEqual([
      ['10.0.1.11', ['10.0.0.10']],
      ['10.0.1.12', ['10.0.0.20']],
    ]);
    expect(Math.abs(learned[0]!.offsetMs - 1_300)).toBeLessThan(100);
    expect(learned[1]!.offsetMs).toBe(0);
  });

  it("gives an unanswered request the refusals NPS logged during it by NPS's own clock, 30 s behind its DA server's", () => {
    // The day above with NPS 30 s behind da01, then NPS refuses da01 (a wrong shared secret) at both tries of a request
    // that waited out the RADIUS timeout twice: on da01's clock the refusals lie 20-25 s before the request began,
    // beyond the servers' usual drift, and the attempt read as RADIUS never answering.
    const behind = -30_000;
    const after = ends[requests - 1]! + 300_000;
    const events = [
      ...ends.flatMap((end, i) => [
        iis(end, 600),
        radius(user(i), end - 150 + behind, 'granted'),
        client(user(i), end + 300, 10005),
      ]),
      refusal(after - 10_050 + behind),
      refusal(after - 5_050 + behind),
      iis(after, 10_100),
      client('late', after + 300, 10005, 'pc-late'),
    ].sort((a, b) => a.time - b.time);
    const { closed, drops } = streamWithDrops(events);
    const late = closed.find((a) => a.userKey === 'late');
    expect(late?.gateway?.time).toBe(T0 + after);
    expect(late?.radiusClientErrors.map((e) => e.time - T0)).toEqual([after - 10_050 + behind, after - 5_050 + behind]);
    expect(drops.filter((d) => d.includes('radius_client'))).toEqual([]);
    // The offset it was read with stays with the attempt: the record's latencies and the trace read NPS's times by it.
    expect(Math.abs(late!.npsClockAheadMs - behind)).toBeLessThan(500);
    const answered = closed.filter((a) => a.radius !== null && a.gateway !== null);
    expect(answered.at(-1)?.npsClockAheadMs).toBe(late!.npsClockAheadMs);
  });

  it("gives an unanswered request the refusals of its DA server's address, learned while NPS knew it by a friendly name", () => {
    // After the day above, da01's shared secret is changed on NPS alone: NPS refuses 10.0.0.10 (System 14) and da01's
    // requests wait out the RADIUS timeout. Its address was never named with da01's name, only lined up with its
    // requests.
    const after = ends[requests - 1]! + 300_000;
    const events = [
      ...twoServers(),
      refusal(after - 3_000, '10.0.0.10'),
      iis(after, 5_100, 'da01'),
      client('late', after + 300, 10005, 'pc-late'),
      // da02 waited too, around another refusal of da01's address: NPS knows da02 at 10.0.0.20, so it is not its.
      refusal(after + 597_000, '10.0.0.10'),
      iis(after + 600_000, 5_100, 'da02'),
      client('other', after + 600_300, 10005, 'pc-other'),
    ].sort((a, b) => a.time - b.time);
    const { closed, drops } = streamWithDrops(events);
    const refusalsOf = (key: string) =>
      closed.find((a) => a.userKey === key)?.radiusClientErrors.map((e) => e.time - T0);
    expect(refusalsOf('late')).toEqual([after - 3_000]);
    expect(refusalsOf('other')).toEqual([]);
    expect(drops).toContain(`unmatched_radius_client_event@${after + 597_000}`);
  });
});
