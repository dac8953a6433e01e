/**
 * How far each DA server's clock is from its NPS servers', and which RADIUS client each DA server is, learned from the
 * logs themselves. The IIS join looks for a request's RADIUS decision inside the request (give or take
 * `gatewayJoinSlackMs`): DA server and NPS clocks a second or two apart put every decision just past its own request's
 * end and inside the next request's slack, where two users' decisions make the next request ambiguous; a few seconds
 * apart, outside every request.
 *
 * Each IIS request, as it is joined, adds the distance from its end to every RADIUS decision within `reachMs` to a
 * histogram of its DA server and the decision's RADIUS client (NPS ClientIPAddress; without one, its name). The
 * server's own client's decisions land in one bin every time; other users' spread over all of them, and another
 * server's client's decisions never line up. The fullest neighbourhood of bins, once it stands out, is where a decision
 * lies on the NPS clock relative to the request's end; `DECISION_BEFORE_END_MS` is where it lies with clocks that
 * agree. The difference is the server's offset; below `MIN_OFFSET_MS` it is taken as none, so that servers with
 * synchronised clocks are joined exactly as before. That floor is `MIN_OFFSET_MS` when both times are whole seconds
 * (W3C lines against NPS's IAS or database-compatible files), else `MIN_FINE_OFFSET_MS`: a DA server 0.4 s behind its
 * NPS server puts each decision just past its own request's end, inside the next one.
 *
 * A client whose decisions line up with one DA server's requests alone is that server (`serverOf`): NPS names its
 * RADIUS clients by the administrator's friendly names ("DirectAccess", "RAS gateway B"), which need not be the DA
 * server's host name, so the joins cannot always tell a decision's server by its name.
 *
 * Deterministic: requests are joined in time order, each adding only decisions within `reachMs` of it (all placed,
 * and their attempts still open, whatever the input order: see `clockReachOf`), so a stream learns what the offline
 * analysis learns.
 */
export class ServerClocks {
  /** Per DA server (host key), per RADIUS client: the histogram of their distances. */
  private readonly pairs = new Map<string, Map<string, OffsetHistogram>>();
  /** The same histograms per RADIUS client, per DA server. */
  private readonly byClient = new Map<string, Map<string, OffsetHistogram>>();
  /** Learned offsets per DA server (host key), only those not 0. */
  private readonly offsets = new Map<string, number>();
  /**
   * Requests seen per DA server (`wantsSample`). Apart from the histograms: a histogram is made only for a server that
   * RADIUS decisions come near, not for every name an IIS log gives.
   */
  private readonly requests = new Map<string, number>();
  /** RADIUS clients (lower-case addresses) the configuration gives a DA server (host key). */
  private readonly configured: ReadonlyMap<string, string>;
  /** RADIUS clients whose decisions line up with one DA server's requests alone... */
  private readonly lineUp = new Map<string, string>();
  /** ...and the same per DA server. */
  private readonly linedUpWith = new Map<string, string[]>();
  /** Learned offsets, the least and the greatest (0 when none is learned): how far to widen a window of times. */
  private least = 0;
  private greatest = 0;
  /** The histograms one `learn` added to, each once. */
  private readonly touched: OffsetHistogram[] = [];
  /**
   * What an earlier run of the same site had learned (`priors`), until this run's own histograms say otherwise: each
   * server's offset until one of its histograms peaks, each client's server until one of its histograms peaks.
   */
  private readonly priorOffsets = new Map<string, number>();
  private readonly priorLineUp = new Map<string, string>();
  private readonly priorLinedUpWith = new Map<string, string[]>();

  /**
   * `reachMs`: how far from a request's end its decisions are looked for (`clockReachOf`). `configured`: the DA server
   * (host key) of each address the configuration gives (`daServerAddresses`, lower case). `priors`: what an earlier
   * run learned (`learned()`), e.g. a stream's before its idle flush, so that it does not start learning over.
   */
  constructor(
    readonly reachMs: number,
    configured: ReadonlyMap<string, string> = new Map(),
    priors: readonly LearnedServer[] = [],
  ) {
    this.configured = new Map(configured);
    for (const { server, offsetMs, radiusClients } of priors) {
      if (offsetMs !== 0) this.priorOffsets.set(server, offsetMs);
      for (const client of radiusClients) {
        if (this.configured.has(client) || this.priorLineUp.has(client)) continue;
        this.priorLineUp.set(client, server);
        const clients = this.priorLinedUpWith.get(server);
        if (clients === undefined) this.priorLinedUpWith.set(server, [client]);
        else clients.push(client);
      }
    }
    this.settleRange();
  }

  /**
   * The DA server `host`'s offset (ms): a decision NPS logged at `t` happened at `t - offset` on the DA server's clock.
   * 0 until learned.
   */
  offset(host: string): number {
    // Servers whose clocks agree learn no offset: no look-up for them (the joins ask for every request they read).
    if (this.least === 0 && this.greatest === 0) return 0;
    return this.offsets.get(host) ?? this.priorOffsets.get(host) ?? 0;
  }

  /** The least learned offset (≤ 0). */
  get leastOffset(): number {
    return this.least;
  }

  /** The greatest learned offset (≥ 0). */
  get greatestOffset(): number {
    return this.greatest;
  }

  /** Whether `serverOf` can know any client: when not, the joins need not ask. */
  get knowsServers(): boolean {
    return this.configured.size > 0 || this.lineUp.size > 0 || this.priorLineUp.size > 0;
  }

  /**
   * The DA server (host key) RADIUS client `client` (a lower-case address) is, by the configuration or because its
   * decisions line up with that server's requests alone; undefined when neither says. A decision that names its DA
   * server by the server's own name needs no look-up.
   */
  serverOf(client: string): string | undefined {
    return this.configured.get(client) ?? this.lineUp.get(client) ?? this.priorLineUp.get(client);
  }

  /** The RADIUS clients (lower-case addresses) whose decisions line up with DA server `host`'s requests alone. */
  clientsOf(host: string): readonly string[] {
    const learned = this.linedUpWith.get(host);
    const prior = this.priorLinedUpWith.get(host);
    if (prior === undefined) return learned ?? NO_CLIENTS;
    return learned === undefined ? prior : [...learned, ...prior];
  }

  /**
   * What was learned of each DA server (host key), in name order: its offset when not 0, and the RADIUS clients whose
   * decisions line up with its requests alone. Servers of which nothing was learned are left out.
   */
  learned(): LearnedServer[] {
    const servers = new Set([
      ...this.offsets.keys(),
      ...this.linedUpWith.keys(),
      ...this.priorOffsets.keys(),
      ...this.priorLinedUpWith.keys(),
    ]);
    const out: LearnedServer[] = [];
    for (const server of [...servers].sort()) {
      const clients = [...this.clientsOf(server)].sort();
      const offsetMs = this.offsets.get(server) ?? this.priorOffsets.get(server) ?? 0;
      if (offsetMs !== 0 || clients.length > 0) out.push({ server, offsetMs, radiusClients: clients });
    }
    return out;
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

  /** Whether `name` (a host key) is a DA server whose IIS requests were seen. */
  isServer(name: string): boolean {
    return this.requests.has(name);
  }

  /**
   * Add the distances from request end `end` of DA server `host` to the decisions at `decisionTimes`, from the RADIUS
   * clients `clients`: `host` itself for a decision that names it (NPS ClientName or NASIdentifier), else the client's
   * lower-case address (its name when it has none).
   */
  learn(host: string, end: number, clients: readonly string[], decisionTimes: readonly number[]): void {
    const touched = this.touched;
    const coarseEnd = onWholeSecond(end);
    for (let i = 0; i < decisionTimes.length; i++) {
      const client = clients[i]!;
      // Another server's client by the configuration: its decisions tell this server nothing.
      const owner = this.configured.get(client);
      if (owner !== undefined && owner !== host) continue;
      const histogram = this.histogramOf(host, client);
      if (!histogram.touched) {
        histogram.touched = true;
        touched.push(histogram);
      }
      const t = decisionTimes[i]!;
      const coarseDecision = onWholeSecond(t);
      // An NPS log file's time (IAS, database-compatible) is the start of its second: against a request end in
      // milliseconds it is taken at the middle of its second, as a W3C line's is, so that clocks that agree peak at no
      // offset, not half a second behind (which then moved decisions past their requests' ends). Against a W3C end
      // (whole seconds on both sides) distances stay as they were: measured, moving them gained one day and lost two.
      const middle = coarseDecision && !coarseEnd && t % 1000 === 0 ? HALF_SECOND_MS : 0;
      histogram.add(t + middle - end, coarseEnd && coarseDecision);
    }
    for (let i = 0; i < touched.length; i++) {
      const histogram = touched[i]!;
      histogram.touched = false;
      // Worked out again from time to time: a scan of every bin per request cost as much as the joins.
      if (++histogram.learned > SETTLE_ALL && histogram.learned % SETTLE_EVERY !== 0) continue;
      const { offset, peaked } = histogram;
      histogram.settle();
      if (histogram.offset !== offset || histogram.peaked !== peaked) this.settled(host, histogram.client);
    }
    touched.length = 0;
  }

  /** The histogram of DA server `host` and RADIUS client `client` changed its peak. */
  private settled(host: string, client: string): void {
    // A client named by the server's name needs no look-up.
    if (client === host) {
      this.settleOffset(host);
      this.settleRange();
      return;
    }
    // The client is the server whose requests alone its decisions line up with.
    let only: string | undefined;
    let peaks = 0;
    for (const [server, histogram] of this.byClient.get(client)!)
      if (histogram.peaked) {
        only = server;
        peaks++;
      }
    // This run's own line-up (or its lack, once any histogram of the client peaks) replaces the prior's.
    if (peaks > 0) this.forgetPriorClient(client);
    const was = this.lineUp.get(client);
    const now = peaks === 1 ? only : undefined;
    if (now === was) this.settleOffset(host);
    else {
      if (was !== undefined) {
        const clients = this.linedUpWith.get(was)!;
        clients.splice(clients.indexOf(client), 1);
        this.lineUp.delete(client);
      }
      if (now !== undefined) {
        this.lineUp.set(client, now);
        const clients = this.linedUpWith.get(now);
        if (clients === undefined) this.linedUpWith.set(now, [client]);
        else clients.push(client);
      }
      for (const server of this.byClient.get(client)!.keys()) this.settleOffset(server);
    }
    this.settleRange();
  }

  private forgetPriorClient(client: string): void {
    const server = this.priorLineUp.get(client);
    if (server === undefined) return;
    this.priorLineUp.delete(client);
    const clients = this.priorLinedUpWith.get(server)!;
    clients.splice(clients.indexOf(client), 1);
    if (clients.length === 0) this.priorLinedUpWith.delete(server);
  }

  private settleRange(): void {
    this.least = 0;
    this.greatest = 0;
    for (const offset of this.offsets.values()) {
      this.least = Math.min(this.least, offset);
      this.greatest = Math.max(this.greatest, offset);
    }
    for (const [server, offset] of this.priorOffsets) {
      if (this.offsets.has(server)) continue;
      this.least = Math.min(this.least, offset);
      this.greatest = Math.max(this.greatest, offset);
    }
  }

  /**
   * The server's offset is that of its clearest peak with a client known to be its own, else with a client of no known
   * server: two servers' requests that keep in step (a client trying one after the other) line up with each other's
   * decisions too.
   */
  private settleOffset(host: string): void {
    let best: OffsetHistogram | null = null;
    let bestOwn = false;
    for (const histogram of this.pairs.get(host)!.values()) {
      if (!histogram.peaked) continue;
      const client = histogram.client;
      const server = client === host ? host : this.serverOf(client);
      if (server !== undefined && server !== host) continue;
      const own = server === host;
      if (best === null || (own && !bestOwn) || (own === bestOwn && histogram.excess > best.excess)) {
        best = histogram;
        bestOwn = own;
      }
    }
    // Once a histogram of the server's own peaks, this run knows its clock: the prior's offset goes.
    if (best !== null) this.priorOffsets.delete(host);
    if (best === null || best.offset === 0) this.offsets.delete(host);
    else this.offsets.set(host, best.offset);
  }

  private histogramOf(host: string, client: string): OffsetHistogram {
    let ofHost = this.pairs.get(host);
    if (ofHost === undefined) {
      ofHost = new Map();
      this.pairs.set(host, ofHost);
    }
    let histogram = ofHost.get(client);
    if (histogram === undefined) {
      histogram = new OffsetHistogram(this.reachMs, client);
      ofHost.set(client, histogram);
      let ofClient = this.byClient.get(client);
      if (ofClient === undefined) {
        ofClient = new Map();
        this.byClient.set(client, ofClient);
      }
      ofClient.set(host, histogram);
    }
    return histogram;
  }
}

/** What `ServerClocks` learned of one DA server. */
export interface LearnedServer {
  /** The server's host key. */
  readonly server: string;
  /** How far NPS's clock is ahead of the server's, ms (negative: behind); 0 when none was learned. */
  readonly offsetMs: number;
  /** Lower-case addresses of the RADIUS clients whose decisions line up with its requests alone. */
  readonly radiusClients: readonly string[];
  /**
   * Lower-case addresses NPS logged for the server's name (a decision's ClientName or NAS-Identifier with its
   * ClientIPAddress), beyond those the configuration gives it: what tells its refusals from another server's. Absent
   * or empty for a server known by its IIS requests alone. `ServerClocks` neither gives nor reads it (the engine does).
   */
  readonly npsAddresses?: readonly string[];
}

const NO_CLIENTS: readonly string[] = Object.freeze([]);

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
/**
 * Offsets smaller than this are jitter, not a clock, when many distances (over `COARSE_SHARE`) have whole seconds on
 * both sides (W3C lines against NPS's IAS or database-compatible files): such distances are whole seconds apart...
 */
const MIN_OFFSET_MS = 500;
/**
 * ...or this, when few do. With whole seconds on one side (W3C lines, taken at the middle of their second, against
 * NPS's events or DTS files; IIS events against an NPS log file, taken at the middle too, see `learn`) the distances
 * spread evenly over a second, and the mean of the three fullest bins lies up to half a bin (125 ms) off its middle,
 * wherever they sit on it. With the floor of whole-second logs (500 ms), a DA server's W3C requests whose NPS server
 * ran 0.23 s ahead learned no offset: its decisions lay half a second past their requests, inside the next ones, and
 * 2,279 of one day's 14,957 requests went to another user or to none (1,804 with this floor). With millisecond times
 * on both sides, a floor of 75 ms learned 85 ms on a day whose clocks agree (the generator's DA servers do not answer
 * exactly `DECISION_BEFORE_END_MS` after NPS), and one of 250 ms left a server 0.24 s off unlearned (870 of a day's
 * requests went to another user's attempt, 503 with this floor).
 */
const MIN_FINE_OFFSET_MS = 150;
const COARSE_SHARE = 0.1;
/** Where in its second a time given in whole seconds is taken. */
const HALF_SECOND_MS = 500;

/**
 * Whether a time is on a whole or half second, as a log giving whole seconds puts it. An event log's time is one by
 * chance (kept to the microsecond: once in 500,000); a time in whole milliseconds, once in 500.
 */
export function onWholeSecond(t: number): boolean {
  return t % 500 === 0;
}
const BIN_MS = 250;
/** Bins in a second. */
const WHOLE_SECOND_BINS = 1_000 / BIN_MS;
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
  /** Of `total`, the distances with a time in whole seconds (`onWholeSecond`) on both sides. */
  private coarse = 0;
  offset = 0;
  /** Whether a peak stands out (its offset may still be 0: clocks that agree). */
  peaked = false;
  /** How far the peak stands out from the background (distances). */
  excess = 0;
  /** The server's requests learned from. */
  learned = 0;
  /** Whether the `learn` under way added to it already. */
  touched = false;

  constructor(
    private readonly reachMs: number,
    readonly client: string,
  ) {
    this.bins = Math.floor((2 * reachMs) / BIN_MS) + 1;
    this.counts = new Float64Array(this.bins);
    this.sums = new Float64Array(this.bins);
  }

  add(distance: number, coarse: boolean): void {
    const reach = this.reachMs;
    if (distance < -reach || distance > reach) return;
    const bin = Math.min(this.bins - 1, Math.floor((distance + reach) / BIN_MS));
    this.counts[bin]! += 1;
    this.sums[bin]! += distance;
    if (coarse) this.coarse++;
    if (++this.total < HALVE_AT) return;
    for (let i = 0; i < this.bins; i++) {
      this.counts[i]! /= 2;
      this.sums[i]! /= 2;
    }
    this.total /= 2;
    this.coarse /= 2;
  }

  /**
   * The mean distance of the peak at bins `best` ± 1 (`count` distances, mean `peak`) and of the fuller of the
   * values a second before and after it, each less the background of other users' decisions (which land on the same
   * whole-second values only: one bin in four).
   */
  private wholeSecondsMean(best: number, count: number, peak: number): number {
    const perValue = (WHOLE_SECOND_BINS * (this.total - count)) / (this.bins - 3);
    const before = this.neighbourhood(best - WHOLE_SECOND_BINS) - perValue;
    const after = this.neighbourhood(best + WHOLE_SECOND_BINS) - perValue;
    const own = count - perValue;
    const other = Math.max(before, after);
    if (other <= 0 || own <= 0) return peak;
    const second = before > after ? peak - 1_000 : peak + 1_000;
    return (own * peak + other * second) / (own + other);
  }

  /** The distances in bins `i` ± 1 (0 where they run off the histogram). */
  private neighbourhood(i: number): number {
    if (i < 1 || i >= this.bins - 1) return 0;
    return this.counts[i - 1]! + this.counts[i]! + this.counts[i + 1]!;
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
    this.excess = bestCount - background;
    this.peaked = best >= 0 && this.excess >= Math.max(MIN_PEAK, PEAK_SIGMAS * Math.sqrt(background));
    if (!this.peaked) {
      this.offset = 0;
      return;
    }
    let mean = (this.sums[best - 1]! + this.sums[best]! + this.sums[best + 1]!) / bestCount;
    // Whole seconds on both sides: each distance is a whole number of seconds (then half a second, the W3C end being
    // taken at the middle of its second), the two nearest the true one (W3C and NPS each cut their own time to its
    // second), so a lag of 1.53 s gives 2.5 s two times in three and 1.5 s once. The fullest value alone was up to a
    // second off (2.375 s learned); the two together, weighted, are not. The offset stays that of NPS's times as
    // logged, at the start of their second (the clocks' own difference less half a second), as decisions are read.
    const wholeSeconds = 2 * this.coarse > this.total;
    if (wholeSeconds) mean = this.wholeSecondsMean(best, bestCount, mean);
    const offset = Math.round(mean - DECISION_BEFORE_END_MS);
    const least = this.coarse > COARSE_SHARE * this.total ? MIN_OFFSET_MS : MIN_FINE_OFFSET_MS;
    // The floor is for the clocks' own difference: clocks that agree learn none, as before.
    const clocks = wholeSeconds ? offset + HALF_SECOND_MS : offset;
    this.offset = Math.abs(clocks) < least ? 0 : offset;
  }
}
