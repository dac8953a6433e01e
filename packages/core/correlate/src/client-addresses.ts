/**
 * Which client computer each IIS client address (W3C `c-ip`, the 6200 event's client IP) belongs to, learned from
 * the requests a RADIUS decision inside them joined to one user's attempt. A DirectAccess client reaches the OTP
 * endpoint from its own address (its IPv6 transition address, IP-HTTPS, Teredo or 6to4, or a public IPv4 address:
 * docs/windows-events.md §0.2), which stays while it is connected: a user's retries minutes apart come from one
 * address, so a request no decision places can still say whose it is.
 *
 * An address two computers were seen at within `ttlMs` of each other (several laptops behind one NAT) says nothing
 * from then on; one not seen for `ttlMs` is not read (the laptop moved on, and the address may be another's now).
 * Learned in the order requests are joined, which the stream shares with the offline analysis, so both learn alike.
 */
export class ClientAddresses {
  /** By address (lower case): the computer's machine key (null: two computers' at once), and when it was last seen. */
  private readonly byAddress = new Map<string, { machine: string | null; seen: number }>();
  /** Addresses in the order they were seen, with the time, to forget them (an address may be in it several times). */
  private readonly seenOrder: string[] = [];
  private readonly seenTimes: number[] = [];
  private head = 0;

  constructor(readonly ttlMs: number) {}

  /** The request from `address` at `time` was joined to an attempt of client computer `machine` (a machine key). */
  learn(address: string, machine: string, time: number): void {
    const entry = this.byAddress.get(address);
    if (entry === undefined || time - entry.seen > this.ttlMs) this.byAddress.set(address, { machine, seen: time });
    else {
      if (entry.machine !== machine) entry.machine = null;
      if (time > entry.seen) entry.seen = time;
    }
    this.seenOrder.push(address);
    this.seenTimes.push(time);
  }

  /** The machine key of the one computer seen at `address` within `ttlMs` of `time`; null when none or several. */
  machineAt(address: string, time: number): string | null {
    const entry = this.byAddress.get(address);
    return entry === undefined || Math.abs(time - entry.seen) > this.ttlMs ? null : entry.machine;
  }

  /** Forget the addresses not seen since `horizon` (only memory: `machineAt` reads no further than `ttlMs` anyway). */
  forget(horizon: number): void {
    const order = this.seenOrder;
    const times = this.seenTimes;
    let head = this.head;
    for (; head < order.length && times[head]! < horizon; head++) {
      const entry = this.byAddress.get(order[head]!);
      if (entry !== undefined && entry.seen < horizon) this.byAddress.delete(order[head]!);
    }
    // Drop the forgotten part once it is most of the lists.
    if (head > 1024 && head * 2 > order.length) {
      order.splice(0, head);
      times.splice(0, head);
      head = 0;
    }
    this.head = head;
  }

  /** Addresses remembered (for tests and memory accounting). */
  get size(): number {
    return this.byAddress.size;
  }
}
