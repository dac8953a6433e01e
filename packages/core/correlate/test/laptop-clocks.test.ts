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

/** A failure the DA server answered (10005), logged by the laptop at `t`. */
function failure(computer: string, t: number): ClientEvent {
  return { ...success(computer, t), id: `f-${computer}-${t}`, ref: { ...success(computer, t).ref, eventId: 10005 } };
}

/** When the CA issued the certificate (its 4887), on the servers' clock. */
const issued = (t: number): number => T0 + t;

describe('LaptopClocks', () => {
  it("learns how far a laptop logs from the CA's clock, by its short name in any case, the latest success winning", () => {
    const clocks = new LaptopClocks();
    clocks.learn(success('LT1.corp.example.com', 10_300 - 93_000), issued(10_000), 'ca01');
    expect(clocks.lagOf('lt1')).toBe(-92_700);
    expect(clocks.serverTimeOf(success('lt1.CORP.example.com', 50_000))).toBe(T0 + 50_000 + 92_700);
    // Set right since: the next success says so, and the laptop is read as logged again.
    clocks.learn(success('lt1', 90_400), issued(90_000), 'ca01');
    expect(clocks.lagOf('LT1')).toBe(0);
    clocks.learn(success('lt2', 30_000 + 45_000), issued(30_000), 'ca01');
    expect(clocks.lagOf('lt2')).toBe(45_000);
    expect(clocks.lagOf('lt3')).toBe(0);
  });

  it('keeps no lag under the floor: a laptop that keeps time is read as logged', () => {
    const clocks = new LaptopClocks();
    clocks.learn(success('lt1', 10_000 + LAPTOP_LAG_FLOOR_MS - 1), issued(10_000), 'ca01');
    clocks.learn(success('lt2', 10_000 - LAPTOP_LAG_FLOOR_MS + 1), issued(10_000), 'ca01');
    expect(clocks.lagOf('lt1')).toBe(0);
    expect(clocks.lagOf('lt2')).toBe(0);
    clocks.learn(success('lt3', 10_000 + LAPTOP_LAG_FLOOR_MS), issued(10_000), 'ca01');
    expect(clocks.lagOf('lt3')).toBe(LAPTOP_LAG_FLOOR_MS);
  });

  it('learns the lag of two successes joined crossed from the later result and the later answer', () => {
    // A laptop 20 s ahead, two successes 40 s apart (sweep seed 19008): the CA issued at 43.3 s and 83.2 s, the laptop
    // logged at 63.2 s and 103.5 s, and the first result was joined to the second issue (it lay as near it as its own).
    // Learned as joined, the lags were -19.9 s and then 60.2 s; a laptop logs its answers in the order of its attempts.
    const clocks = new LaptopClocks();
    clocks.learn(success('lt1', 63_200), issued(83_200), 'ca01');
    expect(clocks.lagOf('lt1')).toBe(-20_000);
    clocks.learn(success('lt1', 103_500), issued(43_300), 'ca01');
    expect(clocks.lagOf('lt1')).toBe(20_300);
    // The next success, joined in order, tells its own lag again.
    clocks.learn(success('lt1', 200_000), issued(180_500), 'ca01');
    expect(clocks.lagOf('lt1')).toBe(19_500);
    // The same two joins learned in the other order.
    const other = new LaptopClocks();
    other.learn(success('lt1', 103_500), issued(43_300), 'ca01');
    expect(other.lagOf('lt1')).toBe(60_200);
    other.learn(success('lt1', 63_200), issued(83_200), 'ca01');
    expect(other.lagOf('lt1')).toBe(20_300);
  });

  it('takes a clock set back between two successes minutes apart as it is told', () => {
    // Two successes 10 minutes apart, the second logged before the first: the laptop's clock was set back 11 minutes.
    const clocks = new LaptopClocks();
    clocks.learn(success('lt1', 660_000), issued(30_000), 'ca01');
    expect(clocks.lagOf('lt1')).toBe(630_000);
    clocks.learn(success('lt1', 630_500), issued(630_000), 'ca01');
    expect(clocks.lagOf('lt1')).toBe(0);
    clocks.learn(success('lt2', 100_000), issued(120_000), 'ca01');
    clocks.learn(success('lt2', 90_000), issued(300_000), 'ca01');
    expect(clocks.lagOf('lt2')).toBe(-210_000);
  });

  it("reads a laptop's answers against IIS requests with the lag the DA server's answers told, not a CA's clock", () => {
    // Sweep seed 21040: a CA 4 s behind the DA server. The laptop logs 3.5 s after the DA server's answers, and its
    // success 7.5 s after the CA issued: read with 7.5 s, its RADIUS timeout's failure lay nearer a short request that
    // ended 4 s before its own.
    const clocks = new LaptopClocks();
    expect(clocks.learnFromServerAnswer(failure('lt1', 13_500), T0 + 10_000, 'da01')).toBe(true);
    expect(clocks.lagOf('lt1')).toBe(3_500);
    expect(clocks.lagAgainstDaServer('LT1.corp.example.com', 'da01')).toBe(3_500);
    clocks.learn(success('lt1', 607_500), issued(600_000), 'ca01');
    // Placing among the CA's and NPS's answers reads the CA's lag; the IIS join, the DA server's.
    expect(clocks.lagOf('lt1')).toBe(7_500);
    expect(clocks.lagAgainstDaServer('lt1', 'da01')).toBe(3_500);
    // A laptop with only a CA's lag is read with it; a DA server's answer under the floor says it keeps the DA server's time.
    clocks.learn(success('lt2', 307_500), issued(300_000), 'ca01');
    expect(clocks.lagAgainstDaServer('lt2', 'da01')).toBe(7_500);
    expect(clocks.learnFromServerAnswer(failure('lt2', 400_300), T0 + 400_000, 'da01')).toBe(true);
    expect(clocks.lagAgainstDaServer('lt2', 'da01')).toBe(300);
    expect(clocks.lagOf('lt2')).toBe(7_500);
    // Another success with the same lag leaves both; the laptop's clock set since (its lag against the CA moved) leaves
    // the CA's lag alone.
    clocks.learn(success('lt1', 707_900), issued(700_000), 'ca01');
    expect(clocks.lagAgainstDaServer('lt1', 'da01')).toBe(3_500);
    expect(clocks.learn(success('lt1', 800_400), issued(800_000), 'ca01')).toBe(true);
    expect(clocks.lagOf('lt1')).toBe(0);
    expect(clocks.lagAgainstDaServer('lt1', 'da01')).toBe(0);
    clocks.learnFromServerAnswer(failure('lt1', 900_000 - 1_000), T0 + 900_000, 'da01');
    expect(clocks.lagAgainstDaServer('lt1', 'da01')).toBe(0);
    clocks.learn(success('lt1', 1_065_000), issued(1_000_000), 'ca01');
    expect(clocks.lagAgainstDaServer('lt1', 'da01')).toBe(65_000);
    // Nothing is kept of a laptop no lag was learned of, whose answers the DA server's clock agrees with.
    expect(clocks.learnFromServerAnswer(failure('lt3', 500_300), T0 + 500_000, 'da01')).toBe(false);
    expect(clocks.lagAgainstDaServer('lt3', 'da01')).toBe(0);
  });

  it("reads a laptop that only a CA's answers told against a DA server, by how far that CA's clock reads behind the server's", () => {
    // Three laptops whose failures da01 answered and whose successes ca01 answered: ca01's clock reads 4 s behind
    // da01's (each lag against it is 4 s more). Sweep seed 21051: a laptop 1.2 s ahead of the DA server
    // read 6.9 s, and its RADIUS timeout's failure took a short request 7 s before its own.
    const clocks = new LaptopClocks();
    const laptops = ['lt1', 'lt2', 'lt3'];
    laptops.forEach((laptop, k) => {
      const ahead = 3_000 + 100 * k;
      clocks.learnFromServerAnswer(failure(laptop, 10_000 + ahead), T0 + 10_000, 'da01');
      clocks.learn(success(laptop, 50_000 + ahead + 4_000), issued(50_000), 'ca01');
      expect(clocks.lagAgainstDaServer(laptop, 'da01')).toBe(ahead);
    });
    clocks.learn(success('lt4', 90_000 + 5_200), issued(90_000), 'ca01');
    expect(clocks.lagOf('lt4')).toBe(5_200);
    expect(clocks.lagAgainstDaServer('lt4', 'da01')).toBe(1_200);
    // Against another DA server, whose clock no laptop told against ca01's, and another CA's laptops: as the CA told.
    expect(clocks.lagAgainstDaServer('lt4', 'da02')).toBe(5_200);
    expect(clocks.lagAgainstDaServer('lt4', null)).toBe(5_200);
    clocks.learn(success('lt5', 90_000 + 5_200), issued(90_000), 'ca02');
    expect(clocks.lagAgainstDaServer('lt5', 'da01')).toBe(5_200);
  });
});
