/**
 * How far each DA server's clock is from its NPS servers', learned from the logs themselves. The IIS join looks for a
 * request's RADIUS decision inside the request (give or take `gatewayJoinSlackMs`): DA server and NPS clocks a second
 * or two apart put every decision just past its own request's end and inside the next request's slack, where two
 * users' decisions make the next request ambiguous; a few seconds apart, outside every request.
 *
 * Each IIS request, as it is joined, adds the distance from its end to every RADIUS decision within `reachMs` that
 * names its DA server (NPS ClientName or NASIdentifier) to that server's histogram. Its own decision lands in the same
 * bin every time; the others' spread over all of them. The fullest neighbourhood of bins, once it stands out, is where
 * a decision lies on the NPS clock relative to the request's end; `DECISION_BEFORE_END_MS` is where it lies with clocks
 * that agree. The difference is the server's offset; below `MIN_OFFSET_MS` it is taken as none, so that servers with
 * synchronised clocks are joined exactly as before.
 *
 * Deterministic: requests are joined in time order, each adding only decisions within `reachMs` of it (all placed,
 * and their attempts still open, whatever the input order: see `clockReachOf`), so a stream learns what the offline
 * analysis learns.
 */
export class ServerClocks {
  private readonly servers = new Map<string, OffsetHistogram>();
  /**
   * Requests seen per DA server (`wantsSample`). Apart from the histograms: a histogram is made only for a server that
   * NPS decisions name, not for every name an IIS log gives.
   */
  private readonly requests = new Map<string, number>();
  /** Learned offsets, the least and the greatest (0 when none is learned): how far to widen a window of times. */
  private least = 0;
  private greatest = 0;

  /** `reachMs`: how far from a request's end its decisions are looked for (`clockReachOf`). */
  constructor(readonly reachMs: number) {}

  /**
   * The DA server `host`'s offset (ms): a decision NPS logged at `t` happened at `t - offset` on the DA server's clock.
   * 0 until learned.
   */
  offset(host: string): number {
    // Servers whose clocks agree learn no offset: no look-up for them (the joins ask for every request they read).
    if (this.least === 0 && this.greatest === 0) return 0;
    return this.servers.get(host)?.offset ?? 0;
  }

  /** The least learned offset (≤ 0). */
  get leastOffset(): number {
    return this.least;
  }

  /** The greatest learned offset (≥ 0). */
  get greatestOffset(): number {
    return this.greatest;
  }

  /**
   * Whether the next request of DA server `host` should be learned from: each of its first `LEARN_ALL` requests, then
   * one in `LEARN_EVERY` (reading every decision within the reach of every request cost a busy server's joins more
   * than half their time; a clock moves slowly). Counts the request.
   */
  wantsSample(host: string): boolean {
    const n = (this.requests.get(host) ?? 0) + 1;
    this.requests.set(host, n);
    return n <= LEARN_ALL || n % LEARN_EVERY === 0;
  }

  /** Add the distances from request end `end` of DA server `host` to decisions naming it, at `decisionTimes`. */
  learn(host: string, end: number, decisionTimes: readonly number[]): void {
    if (decisionTimes.length === 0) return;
    const histogram = this.histogramOf(host);
    const before = histogram.offset;
    for (let i = 0; i < decisionTimes.length; i++) histogram.add(decisionTimes[i]! - end);
    // Worked out again from time to time: a scan of every bin per request cost as much as the joins.
    if (++histogram.learned <= SETTLE_ALL || histogram.learned % SETTLE_EVERY === 0) histogram.settle();
    if (histogram.offset !== before) {
      this.least = 0;
      this.greatest = 0;
      for (const h of this.servers.values()) {
        this.least = Math.min(this.least, h.offset);
        this.greatest = Math.max(this.greatest, h.offset);
      }
    }
  }

  private histogramOf(host: string): OffsetHistogram {
    let histogram = this.servers.get(host);
    if (histogram === undefined) {
      histogram = new OffsetHistogram(this.reachMs);
      this.servers.set(host, histogram);
    }
    return histogram;
  }
}

/** A DA server's first requests are all learned from, then one in `LEARN_EVERY`. */
const LEARN_ALL = 128;
const LEARN_EVERY = 32;
/** The offset is worked out again after each of the first `SETTLE_ALL` requests learned from, then every `SETTLE_EVERY`. */
const SETTLE_ALL = 64;
const SETTLE_EVERY = 8;

/**
 * How far from a request's end decisions are read to learn its server's offset: two thirds of the clock-skew
 * tolerance. Every decision that far after a request is placed when it is joined (the join waits three tolerances),
 * and every attempt with a decision that far before is still open (attempts close four tolerances after their last
 * event), so what is read does not depend on when the engine sweeps.
 */
export function clockReachOf(clockSkewToleranceMs: number): number {
  return Math.floor((2 * clockSkewToleranceMs) / 3);
}
/** Where a decision lies relative to its request's end when the clocks agree: the DA server answers soon after. */
const DECISION_BEFORE_END_MS = -125;
/** Offsets smaller than this are jitter, not a clock. */
const MIN_OFFSET_MS = 500;
const BIN_MS = 250;
/** A neighbourhood of three bins stands out when it holds this many distances more than the background... */
const MIN_PEAK = 12;
/**
 * ...and this many standard deviations of the background more (other users' decisions: about Poisson, so the
 * deviation is the square root of what three bins hold on average). At a busy server most distances are the others'.
 */
const PEAK_SIGMAS = 6;
/** Counts are halved once they total this many, so that a clock that drifts is followed. */
const HALVE_AT = 8_192;

class OffsetHistogram {
  private readonly bins: number;
  private readonly counts: Float64Array;
  /** Sum of the distances in each bin (for the peak's mean). */
  private readonly sums: Float64Array;
  private total = 0;
  offset = 0;
  /** The server's requests learned from. */
  learned = 0;

  constructor(private readonly reachMs: number) {
    this.bins = Math.floor((2 * reachMs) / BIN_MS) + 1;
    this.counts = new Float64Array(this.bins);
    this.sums = new Float64Array(this.bins);
  }

  add(distance: number): void {
    const reach = this.reachMs;
    if (distance < -reach || distance > reach) return;
    const bin = Math.min(this.bins - 1, Math.floor((distance + reach) / BIN_MS));
    this.counts[bin]! += 1;
    this.sums[bin]! += distance;
    if (++this.total < HALVE_AT) return;
    for (let i = 0; i < this.bins; i++) {
      this.counts[i]! /= 2;
      this.sums[i]! /= 2;
    }
    this.total /= 2;
  }

  /**
   * Work out the offset again: the mean distance of the fullest three neighbouring bins, when they stand out from the
   * background of other users' decisions.
   */
  settle(): void {
    const counts = this.counts;
    let best = -1;
    let bestCount = 0;
    for (let i = 1; i < this.bins - 1; i++) {
      const c = counts[i - 1]! + counts[i]! + counts[i + 1]!;
      if (c > bestCount) {
        best = i;
        bestCount = c;
      }
    }
    const background = (3 * (this.total - bestCount)) / (this.bins - 3);
    if (best < 0 || bestCount - background < Math.max(MIN_PEAK, PEAK_SIGMAS * Math.sqrt(background))) {
      this.offset = 0;
      return;
    }
    const mean = (this.sums[best - 1]! + this.sums[best]! + this.sums[best + 1]!) / bestCount;
    const offset = Math.round(mean - DECISION_BEFORE_END_MS);
    this.offset = Math.abs(offset) < MIN_OFFSET_MS ? 0 : offset;
  }
}
