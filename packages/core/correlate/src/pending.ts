import type { CaResult, ClientEvent, GatewayEvent, RadiusDirectoryUnavailable } from '@otptrace/schemas';
import { eventBefore } from './heap.js';
import type { GatewayWindow } from './join-context.js';

/** A user-less event waiting for its join, and when it is due. */
export type Pending =
  | { readonly type: 'gateway'; readonly event: GatewayEvent; readonly host: string; readonly due: number }
  | { readonly type: 'client'; readonly event: ClientEvent; readonly due: number }
  | { readonly type: 'directory'; readonly event: RadiusDirectoryUnavailable; readonly due: number }
  | { readonly type: 'caApp'; readonly event: CaResult; readonly due: number };

/**
 * The user-less events waiting for their joins, handed out by due time (then event order). Every event of a lane
 * waits equally long and events arrive in time order, so each lane is a queue kept sorted by a short insertion from
 * its tail (an event placed out of order only when it ties the watermark); the two lanes are merged on the way out.
 */
export class PendingJoins {
  /** IIS requests (they wait one clock skew longer), and every other user-less event. */
  private readonly lanes: [Pending[], Pending[]] = [[], []];
  private readonly heads = [0, 0];

  get size(): number {
    return this.lanes[0].length - this.heads[0]! + this.lanes[1].length - this.heads[1]!;
  }

  push(p: Pending): void {
    const lane = this.lanes[p.type === 'gateway' ? 0 : 1];
    const head = this.heads[p.type === 'gateway' ? 0 : 1]!;
    let i = lane.length;
    while (i > head && before(p, lane[i - 1]!)) i--;
    // Nearly always at the tail (push: splice would allocate the empty array it returns).
    if (i === lane.length) lane.push(p);
    else lane.splice(i, 0, p);
  }

  /**
   * The IIS requests still waiting whose time lies in [lo, hi], in time order, read in place. Every request waits
   * equally long, so the lane is in time order and the range is found by bisection.
   */
  gatewaysWithin(lo: number, hi: number): GatewayWindow {
    const lane = this.lanes[0] as readonly { readonly event: GatewayEvent; readonly host: string }[];
    const start = firstAtOrAfter(lane, this.heads[0]!, lo, false);
    return { requests: lane, start, end: firstAtOrAfter(lane, start, hi, true) };
  }

  /** The next pending event due at or before `clock` (any when `clock` is +∞), in due order; undefined when none. */
  next(clock: number): Pending | undefined {
    const [a, b] = this.lanes;
    const x = a[this.heads[0]!];
    const y = b[this.heads[1]!];
    const lane = x === undefined ? 1 : y === undefined ? 0 : before(x, y) ? 0 : 1;
    const p = lane === 0 ? x : y;
    if (p === undefined || p.due > clock) return undefined;
    this.heads[lane]!++;
    const queue = this.lanes[lane]!;
    if (this.heads[lane]! > 1024 && this.heads[lane]! * 2 > queue.length) {
      queue.splice(0, this.heads[lane]!);
      this.heads[lane] = 0;
    }
    return p;
  }
}

/**
 * The first index from `from` whose event time is at or after `t` (after it, when `strictly`). The windows asked for
 * start at the request being joined, just before the lane's head, and span a few seconds of a lane that holds minutes
 * of requests: galloping from `from` reads a few entries where a bisection of the lane read a dozen cold ones.
 */
function firstAtOrAfter(
  lane: readonly { readonly event: GatewayEvent }[],
  from: number,
  t: number,
  strictly: boolean,
): number {
  const below = (i: number): boolean => {
    const time = lane[i]!.event.time;
    return time < t || (strictly && time === t);
  };
  let a = from;
  let step = 1;
  while (a + step <= lane.length && below(a + step - 1)) {
    a += step;
    step *= 2;
  }
  let b = Math.min(lane.length, a + step - 1);
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (below(mid)) a = mid + 1;
    else b = mid;
  }
  return a;
}

function before(x: Pending, y: Pending): boolean {
  return x.due < y.due || (x.due === y.due && eventBefore(x.event, y.event));
}
