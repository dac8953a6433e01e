import { describe, expect, it } from 'vitest';
import { clockReachOf, ServerClocks } from '../src/server-clocks.js';

/** A deterministic stream of numbers in [0, 1). */
function random(seed: number): () => number {
  let r = seed;
  return () => {
    r = (Math.imul(r, 1664525) + 1013904223) >>> 0;
    return r / 2 ** 32;
  };
}

/**
 * `requests` request ends 20 s apart on DA server `host`; beside each, its own decision `own` ms from its end and 5
 * other users' decisions of the same server anywhere within the reach, all from RADIUS client `client`.
 */
function teach(
  clocks: ServerClocks,
  host: string,
  requests: number,
  own: (i: number) => number,
  seed = 1,
  client = `${host}-client`,
): void {
  const next = random(seed);
  for (let i = 0; i < requests; i++) {
    const end = 1_000_000 + i * 20_000;
    const others = Array.from({ length: 5 }, () => end + (next() * 2 - 1) * clocks.reachMs);
    const times = [end + own(i), ...others];
    clocks.learn(
      host,
      end,
      times.map(() => client),
      times,
    );
  }
}

/** One request of DA server da1 ending at `end`, with decisions at `times`, all from RADIUS client da1-client. */
function learnOne(clocks: ServerClocks, end: number, times: readonly number[]): void {
  clocks.learn(
    'da1',
    end,
    times.map(() => 'da1-client'),
    times,
  );
}

describe('ServerClocks', () => {
  it('reads two thirds of the clock-skew tolerance around a request', () => {
    expect(clockReachOf(180_000)).toBe(120_000);
    expect(new ServerClocks(clockReachOf(180_000)).reachMs).toBe(120_000);
  });

  it('learns nothing from synchronised clocks: decisions just before their request ends', () => {
    const clocks = new ServerClocks(120_000);
    const jitter = random(2);
    teach(clocks, 'da1', 400, () => -50 - jitter() * 400);
    expect(clocks.offset('da1')).toBe(0);
    expect([clocks.leastOffset, clocks.greatestOffset]).toEqual([0, 0]);
  });

  it('learns offsets of a fraction of a second unless both sides give whole seconds', () => {
    // NPS 0.4 s ahead: each decision lands ~0.3 s past its own request's end, inside the next request on a busy server.
    const learnFrom = (w3c: boolean, npsLogFile: boolean, ahead = 400) => {
      const clocks = new ServerClocks(120_000);
      const jitter = random(4);
      const others = random(5);
      for (let i = 0; i < 400; i++) {
        const exact = 1_000_000 + i * 20_000 + 137.25 + jitter() * 900;
        // A W3C line gives the second the request ended in, taken at its middle; an NPS log file (IAS,
        // database-compatible) the second of the decision, at its start.
        const end = w3c ? Math.floor(exact / 1000) * 1000 + 500 : exact;
        const decision = exact + ahead - 80 + (jitter() - 0.5) * 100;
        const times = [npsLogFile ? Math.floor(decision / 1000) * 1000 : decision];
        for (let j = 0; j < 5; j++) times.push(exact + (others() * 2 - 1) * clocks.reachMs);
        learnOne(clocks, end, times);
      }
      return clocks.offset('da1');
    };
    expect(Math.abs(learnFrom(false, false) - 400)).toBeLessThan(100);
    // 0.2 s ahead, in milliseconds on both sides: a decision past its request's end is an offset, not jitter.
    expect(Math.abs(learnFrom(false, false, 200) - 200)).toBeLessThan(100);
    // A W3C second spreads the distances over a second: the peak's mean is up to 125 ms off.
    expect(Math.abs(learnFrom(true, false) - 400)).toBeLessThan(150);
    expect(Math.abs(learnFrom(false, true) - 400)).toBeLessThan(150);
    expect(learnFrom(true, true)).toBe(0);
  });

  it('learns an offset of seconds from whole seconds on both sides to within a fraction of one', () => {
    // W3C lines and an IAS file, as most sites log: each side cuts its time to the second, so a lag of 1.53 s is read
    // as 2.5 s two times in three and as 1.5 s once. Before 2026-12-05 (session 46) the fuller value alone was taken,
    // and 2.375 s learned (0.84 s off), which moved decisions out of their own short requests. The offset is that of
    // the decisions as logged, at the start of their second: half a second less than the clocks'.
    const learnFrom = (ahead: number) => {
      const clocks = new ServerClocks(120_000);
      const jitter = random(8);
      const others = random(9);
      for (let i = 0; i < 600; i++) {
        const exact = 1_000_000 + i * 20_000 + jitter() * 1000;
        const end = Math.floor(exact / 1000) * 1000 + 500;
        const decision = exact + ahead - 125 + (jitter() - 0.5) * 100;
        const times = [Math.floor(decision / 1000) * 1000];
        for (let j = 0; j < 5; j++) times.push(Math.floor((exact + (others() * 2 - 1) * clocks.reachMs) / 1000) * 1000);
        learnOne(clocks, end, times);
      }
      return clocks.offset('da1');
    };
    for (const ahead of [-2_450, -1_534, 663, 1_250, 3_800])
      expect(Math.abs(learnFrom(ahead) - (ahead - 500)), `${ahead}`).toBeLessThan(150);
    // Clocks that agree, or nearly: no offset.
    expect(learnFrom(0)).toBe(0);
    expect(learnFrom(-300)).toBe(0);
  });

  it("learns no offset from an NPS log file's whole seconds when the clocks agree", () => {
    // IIS events in milliseconds, NPS's IAS file in whole seconds (each decision at the start of its second): read as
    // they are, the decisions lie half a second earlier than they happened, and that half second was learned.
    const clocks = new ServerClocks(120_000);
    const jitter = random(6);
    const others = random(7);
    for (let i = 0; i < 400; i++) {
      const end = 1_000_000 + i * 20_000 + 137.25 + jitter() * 900;
      const decision = end - 125 + (jitter() - 0.5) * 100;
      const times = [Math.floor(decision / 1000) * 1000];
      for (let j = 0; j < 5; j++) times.push(Math.floor((end + (others() * 2 - 1) * clocks.reachMs) / 1000) * 1000);
      learnOne(clocks, end, times);
    }
    expect(clocks.offset('da1')).toBe(0);
  });

  it("learns how far ahead or behind the NPS clock is, per DA server, from each request's own decision", () => {
    const clocks = new ServerClocks(120_000);
    const jitter = random(3);
    // NPS 1.3 s ahead of da1, 7 s behind da2: each decision ~150 ms before its request's end on the DA clock.
    teach(clocks, 'da1', 300, () => 1_300 - 150 + (jitter() - 0.5) * 200);
    teach(clocks, 'da2', 300, () => -7_000 - 150 + (jitter() - 0.5) * 200, 9);
    expect(Math.abs(clocks.offset('da1') - 1_275)).toBeLessThan(100);
    expect(Math.abs(clocks.offset('da2') + 7_025)).toBeLessThan(100);
    expect(clocks.leastOffset).toBe(clocks.offset('da2'));
    expect(clocks.greatestOffset).toBe(clocks.offset('da1'));
    expect(clocks.offset('da3')).toBe(0);
  });

  it('needs a dozen requests before it trusts a peak, and none from noise alone', () => {
    const clocks = new ServerClocks(120_000);
    teach(clocks, 'da1', 3, () => 5_000);
    expect(clocks.offset('da1')).toBe(0);
    teach(clocks, 'da1', 20, () => 5_000);
    expect(Math.abs(clocks.offset('da1') - 5_125)).toBeLessThan(130);
    const noisy = new ServerClocks(120_000);
    const next = random(4);
    for (let i = 0; i < 500; i++) {
      const end = i * 20_000;
      noisy.learn(
        'da1',
        end,
        ['10.0.0.1', '10.0.0.2'],
        [end + (next() * 2 - 1) * 120_000, end + (next() * 2 - 1) * 120_000],
      );
    }
    expect(noisy.offset('da1')).toBe(0);
  });

  it('follows a clock that changes: older distances count half as much each time they add up', () => {
    const clocks = new ServerClocks(120_000);
    teach(clocks, 'da1', 400, () => 3_000);
    expect(Math.abs(clocks.offset('da1') - 3_125)).toBeLessThan(130);
    // The DA server's clock was set right: its decisions now come just before its requests' ends.
    teach(clocks, 'da1', 3_000, () => -150, 5);
    expect(clocks.offset('da1')).toBe(0);
  });

  it('tells which RADIUS client is which DA server: the one whose decisions line up with its requests alone', () => {
    const clocks = new ServerClocks(120_000);
    const next = random(6);
    const jitter = random(7);
    const learnAt = (host: string, own: string, other: string, end: number, ownOffset: number) => {
      const clients = [own];
      const times = [end + ownOffset + (jitter() - 0.5) * 200];
      // Other users' decisions of both servers, anywhere within the reach.
      for (let k = 0; k < 6; k++) {
        clients.push(k % 2 === 0 ? own : other);
        times.push(end + (next() * 2 - 1) * clocks.reachMs);
      }
      clocks.learn(host, end, clients, times);
    };
    expect(clocks.knowsServers).toBe(false);
    for (let i = 0; i < 300; i++) {
      // Friendly names say nothing: da1 sends from 10.0.1.11 with NPS's clock 4 s ahead, da2 from 10.0.1.12 in step.
      learnAt('da1', '10.0.1.11', '10.0.1.12', 1_000_000 + i * 20_000, 4_000 - 150);
      learnAt('da2', '10.0.1.12', '10.0.1.11', 1_007_000 + i * 20_000, -150);
      if (i === 2) expect(clocks.serverOf('10.0.1.11')).toBeUndefined();
    }
    expect(clocks.knowsServers).toBe(true);
    expect(clocks.serverOf('10.0.1.11')).toBe('da1');
    expect(clocks.serverOf('10.0.1.12')).toBe('da2');
    expect(clocks.serverOf('10.0.1.13')).toBeUndefined();
    expect([clocks.clientsOf('da1'), clocks.clientsOf('da2'), clocks.clientsOf('da3')]).toEqual([
      ['10.0.1.11'],
      ['10.0.1.12'],
      [],
    ]);
    expect(Math.abs(clocks.offset('da1') - 4_000)).toBeLessThan(100);
    expect(clocks.offset('da2')).toBe(0);
  });

  it('gives no server to a client whose decisions line up with two servers, yet learns both offsets from it', () => {
    const clocks = new ServerClocks(120_000);
    // Both nodes of a cluster send from one address (NPS sees the cluster's), NPS 2 s ahead of da1, 3 s behind da2.
    teach(clocks, 'da1', 200, () => 2_000 - 150, 1, '10.0.1.10');
    teach(clocks, 'da2', 200, () => -3_000 - 150, 2, '10.0.1.10');
    expect(clocks.serverOf('10.0.1.10')).toBeUndefined();
    expect(clocks.clientsOf('da1')).toEqual([]);
    expect(Math.abs(clocks.offset('da1') - 2_000)).toBeLessThan(100);
    expect(Math.abs(clocks.offset('da2') + 3_000)).toBeLessThan(100);
  });

  it("takes the configured addresses as they are, and learns nothing from another server's client", () => {
    const clocks = new ServerClocks(120_000, new Map([['10.0.1.12', 'da2']]));
    expect(clocks.knowsServers).toBe(true);
    expect(clocks.serverOf('10.0.1.12')).toBe('da2');
    // Decisions of da2's client lining up with da1's requests (they cannot be da1's): no offset for da1.
    teach(clocks, 'da1', 200, () => 5_000, 1, '10.0.1.12');
    expect(clocks.offset('da1')).toBe(0);
    expect(clocks.serverOf('10.0.1.12')).toBe('da2');
    // Decisions that name da1 by its name come as da1's own client: no look-up is learned for them.
    teach(clocks, 'da1', 200, () => 5_000, 3, 'da1');
    expect(Math.abs(clocks.offset('da1') - 5_125)).toBeLessThan(130);
    expect(clocks.serverOf('da1')).toBeUndefined();
  });

  it("starts from an earlier run's conclusions, until its own requests say otherwise", () => {
    // What a stream's engine learned before its idle flush: NPS 2.5 s ahead of da1, which sends from 10.0.1.11; da2's
    // clock in step, sending from 10.0.1.12.
    const clocks = new ServerClocks(120_000, new Map(), [
      { server: 'da1', offsetMs: 2_500, radiusClients: ['10.0.1.11'] },
      { server: 'da2', offsetMs: 0, radiusClients: ['10.0.1.12'] },
    ]);
    expect([clocks.offset('da1'), clocks.offset('da2')]).toEqual([2_500, 0]);
    expect([clocks.leastOffset, clocks.greatestOffset]).toEqual([0, 2_500]);
    expect(clocks.knowsServers).toBe(true);
    expect([clocks.serverOf('10.0.1.11'), clocks.serverOf('10.0.1.12')]).toEqual(['da1', 'da2']);
    expect(clocks.clientsOf('da1')).toEqual(['10.0.1.11']);
    // A few requests prove nothing yet: the conclusions stand, and are handed on as they came.
    teach(clocks, 'da1', 5, () => -150, 1, '10.0.1.11');
    expect(clocks.offset('da1')).toBe(2_500);
    expect(clocks.learned()).toEqual([
      { server: 'da1', offsetMs: 2_500, radiusClients: ['10.0.1.11'] },
      { server: 'da2', offsetMs: 0, radiusClients: ['10.0.1.12'] },
    ]);
    // Once da1's own histogram peaks, its clock is what this run learns (the clocks were set right meanwhile), and its
    // client is the one it lines up with now.
    teach(clocks, 'da1', 200, () => -150, 2, '10.0.1.11');
    expect(clocks.offset('da1')).toBe(0);
    expect([clocks.leastOffset, clocks.greatestOffset]).toEqual([0, 0]);
    expect(clocks.serverOf('10.0.1.11')).toBe('da1');
    expect(clocks.learned()).toEqual([
      { server: 'da1', offsetMs: 0, radiusClients: ['10.0.1.11'] },
      { server: 'da2', offsetMs: 0, radiusClients: ['10.0.1.12'] },
    ]);
    // A configured address is the configuration's, whatever an earlier run concluded.
    const configured = new ServerClocks(120_000, new Map([['10.0.1.11', 'da2']]), [
      { server: 'da1', offsetMs: 0, radiusClients: ['10.0.1.11'] },
    ]);
    expect(configured.serverOf('10.0.1.11')).toBe('da2');
    expect(configured.clientsOf('da1')).toEqual([]);
  });
});
