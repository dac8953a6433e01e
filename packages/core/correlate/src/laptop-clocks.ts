import type { ClientEvent } from '@otptrace/schemas';
import { machineKey } from './hosts.js';

/**
 * A lag under this is not kept: the laptop's answers already lie beside their own server steps, and the rules that
 * place them were made for clocks that agree (so days whose laptops keep time are placed as before).
 */
export const LAPTOP_LAG_FLOOR_MS = 2_000;

/**
 * How far each laptop's clock reads from the servers', learned from its successes. A client logs its 10022 (or 10007,
 * 10021: the certificate not stored, not retrievable) a moment (well under a second) after the CA issued its
 * certificate (4887, docs/windows-events.md §4), and its 10019 as soon after the CA refused its request (4888, §4
 * rows 14–17): the client enrols at the CA itself. A failure the DA server answered (10005, 10006) is logged as the
 * answer comes, at the end of its IIS request. So the distance between the two as logged is the laptop's clock
 * against the server's, and servers keep the domain's time together (within a second or two). Laptops drift
 * further: one 90 s behind logs each failure a minute and a half before its own denial, beside the attempt before it.
 * The user placement reads its answers back on the servers' clock with it. The IIS join reads them on the DA server's
 * (`lagAgainstDaServer`): a CA a few seconds off it, which happens, puts a lag learned against the CA as far off.
 *
 * Learned in placing order, so a stream rebuilding a run and the offline analysis learn the same; the latest success
 * says it (a clock that was set moves at once). A laptop whose clock agrees is not kept.
 */
export class LaptopClocks {
  /** By client computer (`machineKey`): ms the laptop's clock reads ahead of the servers' (negative: behind). */
  private readonly lags = new Map<string, number>();
  /** By client computer, the result and the CA's answer its kept lag was learned from, and that CA (`learn` only). */
  private readonly taughtBy = new Map<string, { result: number; answer: number; ca: string }>();
  /**
   * By client computer: ms the laptop's clock reads ahead of a DA server's (`server`, its host key), from the failures
   * it answered (`learnFromServerAnswer`), and the laptop's lag against the CA since then (undefined until a CA's answer
   * told one).
   */
  private readonly daServer = new Map<string, { lag: number; server: string; caLag: number | undefined }>();
  /**
   * By CA and DA server (host keys): how far the CA's clock reads behind the DA server's (ms), from the laptops whose
   * lags against both are known, the latest `OFFSET_SAMPLES` of them (`caOffsetOf`: their median).
   */
  private readonly caOffsets = new Map<string, Map<string, { samples: number[]; median: number }>>();

  /**
   * A client result `result` and the time of the CA's answer it was logged right after (`answerTime`), joined in one
   * attempt by the CA's request ID: the issued certificate (4887) of a 10022, 10007 or 10021, or its refusal (4888) of
   * a 10019. Whether the laptop's lag as known changed.
   */
  learn(result: ClientEvent, answerTime: number, ca: string): boolean {
    // Most laptops keep time and none is kept: their name is not even worked out.
    if (Math.abs(result.time - answerTime) >= LAPTOP_LAG_FLOOR_MS) {
      const key = machineKey(result.ref.computer);
      const known = this.lags.get(key);
      const before = this.taughtBy.get(key);
      // Crossed with the pair before: the later result is the later answer's.
      const pair =
        before !== undefined && crossed(before, result.time, answerTime)
          ? { result: Math.max(result.time, before.result), answer: Math.max(answerTime, before.answer), ca }
          : { result: result.time, answer: answerTime, ca };
      const lag = pair.result - pair.answer;
      this.lags.set(key, lag);
      this.taughtBy.set(key, pair);
      return this.caTold(key, lag, ca) || known !== lag;
    }
    if (this.lags.size === 0 && this.daServer.size === 0) return false;
    const key = machineKey(result.ref.computer);
    this.taughtBy.delete(key);
    const moved = this.caTold(key, result.time - answerTime, ca);
    return this.lags.delete(key) || moved;
  }

  /**
   * A CA's answer told laptop `key`'s lag against the CA: its lag against the DA server is forgotten once that moved
   * (the laptop's clock was set since; a CA's answers are paired by request ID, so they are not read astray). Whether
   * it was forgotten.
   */
  private caTold(key: string, caLag: number, ca: string): boolean {
    const known = this.daServer.get(key);
    if (known === undefined) return false;
    if (known.caLag === undefined) {
      known.caLag = caLag;
      this.sampleCaOffset(ca, known.server, caLag - known.lag);
      return false;
    }
    if (Math.abs(caLag - known.caLag) < LAPTOP_LAG_FLOOR_MS) return false;
    return this.daServer.delete(key);
  }

  /** One laptop's lag against CA `ca` less its lag against DA server `server`: how far the CA's clock reads behind. */
  private sampleCaOffset(ca: string, server: string, offset: number): void {
    let ofCa = this.caOffsets.get(ca);
    if (ofCa === undefined) {
      ofCa = new Map();
      this.caOffsets.set(ca, ofCa);
    }
    let known = ofCa.get(server);
    if (known === undefined) {
      known = { samples: [], median: 0 };
      ofCa.set(server, known);
    }
    const { samples } = known;
    if (samples.length === OFFSET_SAMPLES) samples.shift();
    samples.push(offset);
    if (samples.length < OFFSET_SAMPLES_NEEDED) return;
    const sorted = [...samples].sort((x, y) => x - y);
    const mid = sorted.length >> 1;
    known.median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }

  /**
   * How far CA `ca`'s clock reads behind DA server `server`'s (ms): the median of what their laptops told
   * (`caOffsets`), once `OFFSET_SAMPLES_NEEDED` did; 0 before.
   */
  private caOffsetOf(ca: string, server: string): number {
    return this.caOffsets.get(ca)?.get(server)?.median ?? 0;
  }

  /**
   * A failure the DA server answered (10005, 10006) and the end of the IIS request its attempt's RADIUS decision
   * placed: the laptop's lag against the DA server, which the IIS join reads its answers with (`lagAgainstDaServer`),
   * kept when it is off, or when another lag of the laptop is known. Which answer a decision took is what a laptop's
   * unknown clock can get wrong, so for the rest (`lagOf`) this tells only a laptop no CA answer told yet, and only that
   * it is off: a pairing crossed by the clock teaches a small wrong lag at most. Whether the IIS join's lag changed.
   */
  learnFromServerAnswer(result: ClientEvent, answerTime: number, server: string): boolean {
    const lag = result.time - answerTime;
    const off = Math.abs(lag) >= LAPTOP_LAG_FLOOR_MS;
    if (!off && this.lags.size === 0 && this.daServer.size === 0) return false;
    const key = machineKey(result.ref.computer);
    const before = this.lagAgainstDaServer(result.ref.computer, server);
    if (off || this.lags.has(key) || this.daServer.has(key)) {
      const pair = this.taughtBy.get(key);
      const caLag = pair === undefined ? undefined : pair.result - pair.answer;
      this.daServer.set(key, { lag, server, caLag });
      if (pair !== undefined) this.sampleCaOffset(pair.ca, server, pair.result - pair.answer - lag);
    }
    if (off && !this.lags.has(key)) this.lags.set(key, lag);
    return this.lagAgainstDaServer(result.ref.computer, server) !== before;
  }

  /**
   * How far ahead of DA server `server`'s clock (its host key; null when not known) `computer` logs (ms), for reading
   * its answers against IIS requests: as the failures a DA server answered told, else its lag against the CA less how
   * far that CA's clock reads behind the server's (as other laptops told), else as `lagOf`. A CA whose clock is seconds
   * off the DA server's teaches a lag seconds off it: a laptop 3.5 s ahead of the DA server, 7.5 s ahead of a CA 4 s
   * behind, read 7.5 s, and its RADIUS timeout's failure went to a short request ending 4 s before the answer on that
   * reading.
   */
  lagAgainstDaServer(computer: string, server: string | null): number {
    if (this.daServer.size === 0) return this.lagOf(computer);
    const key = machineKey(computer);
    const known = this.daServer.get(key);
    if (known !== undefined) return known.lag;
    const pair = this.taughtBy.get(key);
    if (pair === undefined || server === null) return this.lagOf(computer);
    return pair.result - pair.answer - this.caOffsetOf(pair.ca, server);
  }

  /** How far ahead of the servers' clock `computer` logs (ms; 0 when its clock is not known to be off). */
  lagOf(computer: string): number {
    if (this.lags.size === 0) return 0;
    return this.lags.get(machineKey(computer)) ?? 0;
  }

  /** When the laptop's client event `e` happened, on the servers' clock. */
  serverTimeOf(e: ClientEvent): number {
    return e.time - this.lagOf(e.ref.computer);
  }
}

/** How many laptops' lags against a CA and the DA server tell that CA's offset (`caOffsetOf`), the latest kept. */
const OFFSET_SAMPLES = 15;
/** How many are needed before the offset is read (a laptop's two lags can be a crossed pairing). */
const OFFSET_SAMPLES_NEEDED = 3;

/**
 * Two successes of one laptop within this much of each other whose answers came in one order and whose results were
 * logged in the other were joined crossed (`crossed`).
 */
const CROSSING_WINDOW_MS = 120_000;

/**
 * Whether a result logged at `result` after the CA's answer at `answer` and the pair a laptop's lag was learned from
 * before were joined crossed: a laptop logs its answers in the order of its attempts, as the CA answers their
 * requests, so of two results in one order with answers in the other (within `CROSSING_WINDOW_MS`), each is the
 * other's. Two successes of a laptop 20 s ahead, 40 s apart, whose first result lay as near the second's issue as its
 * own, taught −20 s and then 60 s (sweep seed 19008); the lag is the later result's against the later answer.
 */
function crossed(before: { result: number; answer: number }, result: number, answer: number): boolean {
  const results = result - before.result;
  const answers = answer - before.answer;
  return (
    ((results > 0 && answers < 0) || (results < 0 && answers > 0)) &&
    Math.abs(results) <= CROSSING_WINDOW_MS &&
    Math.abs(answers) <= CROSSING_WINDOW_MS
  );
}
