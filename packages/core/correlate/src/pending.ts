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
  /** IIS requests (they wait one clock skew longer) and their DA servers' host keys, index for index. */
  private readonly gateways: GatewayEvent[] = [];
  private readonly hosts: string[] = [];
  private gatewayHead = 0;
  /** Every other user-less event. */
  private readonly others: PendingEvent[] = [];
  private otherHead = 0;
  private lastHost = '';

  constructor(
    private readonly gatewayDelayMs: number,
    private readonly otherDelayMs: number,
  ) {}

  get size(): number {
    return this.gateways.length - this.gatewayHead + this.others.length - this.otherHead;
  }

  /** An IIS request, with the host key of its DA server. */
  pushGateway(e: GatewayEvent, host: string): void {
    const lane = this.gateways;
    let i = lane.length;
    while (i > this.gatewayHead && eventBefore(e, lane[i - 1]!)) i--;
    // Nearly always at the tail (push: splice would allocate the empty array it returns).
    if (i === lane.length) {
      lane.push(e);
      this.hosts.push(host);
    } else {
      lane.splice(i, 0, e);
      this.hosts.splice(i, 0, host);
    }
  }

  /** Any other user-less event. */
  push(e: Exclude<PendingEvent, GatewayEvent>): void {
    const lane = this.others;
    let i = lane.length;
    while (i > this.otherHead && eventBefore(e, lane[i - 1]!)) i--;
    if (i === lane.length) lane.push(e);
    else lane.splice(i, 0, e);
  }

  /**
   * The IIS requests still waiting whose time lies in [lo, hi], in time order, read in place. Every request waits
   * equally long, so the lane is in time order and the range is found by bisection.
   */
  gatewaysWithin(lo: number, hi: number): GatewayWindow {
    const lane = this.gateways;
    const start = firstAtOrAfter(lane, this.gatewayHead, lo, false);
    return { requests: lane, hosts: this.hosts, start, end: firstAtOrAfter(lane, start, hi, true) };
  }

  /**
   * The next pending event due at or before `clock` (any when `clock` is +∞), in due order; undefined when none. For
   * an IIS request, `lastGatewayHost` is then the host key of its DA server.
   */
  next(clock: number): PendingEvent | undefined {
    const x = this.gateways[this.gatewayHead];
    const y = this.others[this.otherHead];
    if (x === undefined && y === undefined) return undefined;
    const xDue = x === undefined ? Number.POSITIVE_INFINITY : x.time + this.gatewayDelayMs;
    const yDue = y === undefined ? Number.POSITIVE_INFINITY : y.time + this.otherDelayMs;
    // The order the lanes' entries had when each carried its due time: by due time, then event order.
    const gateway = y === undefined || (x !== undefined && (xDue < yDue || (xDue === yDue && eventBefore(x, y))));
    if ((gateway ? xDue : yDue) > clock) return undefined;
    if (gateway) {
      this.lastHost = this.hosts[this.gatewayHead]!;
      this.gatewayHead = compacted(this.gateways, ++this.gatewayHead, this.hosts);
      return x;
    }
    this.otherHead = compacted(this.others, ++this.otherHead, null);
    return y;
  }

  /** The host key of the DA server of the IIS request `next` handed out last. */
  get lastGatewayHost(): string {
    return this.lastHost;
  }
}

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
