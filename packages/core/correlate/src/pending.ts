import type { CaResult, ClientEvent, GatewayEvent, RadiusDirectoryUnavailable } from '@otptrace/schemas';
import { eventBefore } from './heap.js';
import type { GatewayWindow } from './join-context.js';

/** A user-less event waiting for its join (its kind says which). */
export type PendingEvent = GatewayEvent | ClientEvent | RadiusDirectoryUnavailable | CaResult;

/**
 * The user-less events waiting for their joins, handed out by due time (then event order). Every event of a lane
 * waits equally long and events arrive in time order, so each lane is a queue kept sorted by a short insertion from
 * its tail (an event placed out of order only when it ties the watermark); the two lanes are merged on the way out.
 * The lanes hold the events themselves (an event's due time is its time plus its lane's delay), and the IIS requests'
 * host keys beside them: no object per waiting event, and the IIS joins read the times of the requests around one
 * without going through another.
 */
export class PendingJoins {
  /** IIS requests (they wait one clock skew longer). */
  private readonly gateways = new GatewayLane();
  /**
   * The same requests by DA server (host key): an IIS join asks for the requests of a server its candidate names,
   * which among every server's are a few (none in a flood of one server's).
   */
  private readonly gatewaysByHost = new Map<string, GatewayLane>();
  /** Every other user-less event. */
  private readonly others: PendingEvent[] = [];
  private otherHead = 0;
  private lastHost = '';
  /** The earliest due time of the events waiting (+∞: none), kept as they come and go: read before every placement. */
  private earliestDue = Number.POSITIVE_INFINITY;

  constructor(
    private readonly gatewayDelayMs: number,
    private readonly otherDelayMs: number,
  ) {}

  get size(): number {
    return this.gateways.size + this.others.length - this.otherHead;
  }

  /** The earliest due time of the events waiting (+∞ when none). */
  get firstDue(): number {
    return this.earliestDue;
  }

  /** An IIS request, with the host key of its DA server. */
  pushGateway(e: GatewayEvent, host: string): void {
    this.earliestDue = Math.min(this.earliestDue, this.gatewayDue(e));
    this.gateways.push(e, host);
    let lane = this.gatewaysByHost.get(host);
    if (lane === undefined) {
      lane = new GatewayLane();
      this.gatewaysByHost.set(host, lane);
    }
    lane.push(e, host);
  }

  /** Any other user-less event. */
  push(e: Exclude<PendingEvent, GatewayEvent>): void {
    this.earliestDue = Math.min(this.earliestDue, this.otherDue(e));
    const lane = this.others;
    let i = lane.length;
    while (i > this.otherHead && eventBefore(e, lane[i - 1]!)) i--;
    if (i === lane.length) lane.push(e);
    else lane.splice(i, 0, e);
  }

  /** The IIS requests still waiting whose time lies in [lo, hi], in time order, read in place. */
  gatewaysWithin(lo: number, hi: number): GatewayWindow {
    return this.gateways.within(lo, hi);
  }

  /** The same, of DA server `host` (a host key) alone. */
  gatewaysOfHostWithin(host: string, lo: number, hi: number): GatewayWindow {
    return this.gatewaysByHost.get(host)?.within(lo, hi) ?? NO_GATEWAYS;
  }

  /**
   * The next pending event due at or before `clock` (before it when not `inclusive`; any when `clock` is +∞), in due
   * order; undefined when none. For an IIS request, `lastGatewayHost` is then the host key of its DA server.
   */
  next(clock: number, inclusive = true): PendingEvent | undefined {
    const x = this.gateways.first;
    const y = this.others[this.otherHead];
    if (x === undefined && y === undefined) return undefined;
    const xDue = this.gatewayDue(x);
    const yDue = this.otherDue(y);
    // The order the lanes' entries had when each carried its due time: by due time, then event order.
    const gateway = y === undefined || (x !== undefined && (xDue < yDue || (xDue === yDue && eventBefore(x, y))));
    const due = gateway ? xDue : yDue;
    if (inclusive ? due > clock : due >= clock) return undefined;
    if (gateway) {
      this.lastHost = this.gateways.firstHost;
      this.gateways.shift();
      // The first of all the requests is the first of its server's: both lanes keep the same order.
      const lane = this.gatewaysByHost.get(this.lastHost)!;
      lane.shift();
      if (lane.size === 0) this.gatewaysByHost.delete(this.lastHost);
      this.settleDue();
      return x;
    }
    this.otherHead = compacted(this.others, ++this.otherHead, null);
    this.settleDue();
    return y;
  }

  /** `earliestDue` again from the lanes' first events, once one has gone. */
  private settleDue(): void {
    this.earliestDue = Math.min(this.gatewayDue(this.gateways.first), this.otherDue(this.others[this.otherHead]));
  }

  /** When an IIS request waiting (or none: +∞) is due. */
  private gatewayDue(e: GatewayEvent | undefined): number {
    return e === undefined ? Number.POSITIVE_INFINITY : e.time + this.gatewayDelayMs;
  }

  /** When another waiting event (or none: +∞) is due. */
  private otherDue(e: PendingEvent | undefined): number {
    return e === undefined ? Number.POSITIVE_INFINITY : e.time + this.otherDelayMs;
  }

  /** The host key of the DA server of the IIS request `next` handed out last. */
  get lastGatewayHost(): string {
    return this.lastHost;
  }
}

/** IIS requests waiting for their joins, in event order from `head` on, and their DA servers' host keys beside them. */
class GatewayLane {
  private readonly requests: GatewayEvent[] = [];
  private readonly hosts: string[] = [];
  private head = 0;

  get size(): number {
    return this.requests.length - this.head;
  }

  get first(): GatewayEvent | undefined {
    return this.requests[this.head];
  }

  get firstHost(): string {
    return this.hosts[this.head]!;
  }

  push(e: GatewayEvent, host: string): void {
    const lane = this.requests;
    let i = lane.length;
    while (i > this.head && eventBefore(e, lane[i - 1]!)) i--;
    // Nearly always at the tail (push: splice would allocate the empty array it returns).
    if (i === lane.length) {
      lane.push(e);
      this.hosts.push(host);
    } else {
      lane.splice(i, 0, e);
      this.hosts.splice(i, 0, host);
    }
  }

  shift(): void {
    this.head = compacted(this.requests, this.head + 1, this.hosts);
  }

  /**
   * The requests whose time lies in [lo, hi], in time order, read in place. Every request waits equally long, so the
   * lane is in time order and the range is found by bisection.
   */
  within(lo: number, hi: number): GatewayWindow {
    const lane = this.requests;
    const start = firstAtOrAfter(lane, this.head, lo, false);
    return { requests: lane, hosts: this.hosts, start, end: firstAtOrAfter(lane, start, hi, true) };
  }
}

const NO_GATEWAYS: GatewayWindow = { requests: [], hosts: [], start: 0, end: 0 };

/** The head of a lane, its handed-out entries dropped once they are most of it (and `beside`'s with them). */
function compacted(queue: unknown[], head: number, beside: unknown[] | null): number {
  if (head <= 1024 || head * 2 <= queue.length) return head;
  queue.splice(0, head);
  beside?.splice(0, head);
  return 0;
}

/**
 * The first index from `from` whose event time is at or after `t` (after it, when `strictly`). The windows asked for
 * start at the request being joined, just before the lane's head, and span a few seconds of a lane that holds minutes
 * of requests: galloping from `from` reads a few entries where a bisection of the lane read a dozen cold ones.
 */
function firstAtOrAfter(lane: readonly GatewayEvent[], from: number, t: number, strictly: boolean): number {
  let a = from;
  let step = 1;
  while (a + step <= lane.length && below(lane[a + step - 1]!.time, t, strictly)) {
    a += step;
    step *= 2;
  }
  let b = Math.min(lane.length, a + step - 1);
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (below(lane[mid]!.time, t, strictly)) a = mid + 1;
    else b = mid;
  }
  return a;
}

function below(time: number, t: number, strictly: boolean): boolean {
  return time < t || (strictly && time === t);
}
