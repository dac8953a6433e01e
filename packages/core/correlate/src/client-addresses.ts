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
  /**
   * By address, as logged (IIS writes a client's address one way; not lower-cased, which would cost a string per
   * request read): its slot in the lists below, handed out in time order (`placed`), the order `forget` reads them in.
   * One map entry and no object per address: a Map of objects made each new address cost more than a request's join.
   */
  private readonly slots = new Map<string, number>();
  /** Per slot: the address, its computer's machine key (null: two computers' at once), when it was last seen... */
  private addresses: string[] = [];
  private machines: (string | null)[] = [];
  private seen: number[] = [];
  /** ...and when it took the slot (its first sighting, or the latest when `forget` moved it to a new slot). */
  private placed: number[] = [];
  /** The first slot not forgotten. */
  private head = 0;
  /**
   * By machine key, the address it was last learned at (`addressOf`): which later request may be a laptop's own is
   * then one string compare. Dropped with the address's slot; `addressOf` asks `machineAt` whether it is still its.
   */
  private readonly latest = new Map<string, string>();

  constructor(readonly ttlMs: number) {}

  /** The request from `address` at `time` was joined to an attempt of client computer `machine` (a machine key). */
  learn(address: string, machine: string, time: number): void {
    this.latest.set(machine, address);
    const slot = this.slots.get(address);
    if (slot === undefined) this.place(address, machine, time);
    else if (time - this.seen[slot]! > this.ttlMs) {
      this.machines[slot] = machine;
      this.seen[slot] = time;
    } else {
      if (this.machines[slot] !== machine) this.machines[slot] = null;
      if (time > this.seen[slot]!) this.seen[slot] = time;
    }
  }

  /** The machine key of the one computer seen at `address` within `ttlMs` of `time`; null when none or several. */
  machineAt(address: string, time: number): string | null {
    const slot = this.slots.get(address);
    return slot === undefined || Math.abs(time - this.seen[slot]!) > this.ttlMs ? null : this.machines[slot]!;
  }

  /**
   * The address client computer `machine` (a machine key) was last learned at, if it is still its at `time` (seen
   * within `ttlMs`, by no other computer); else null.
   */
  addressOf(machine: string, time: number): string | null {
    const address = this.latest.get(machine);
    return address !== undefined && this.machineAt(address, time) === machine ? address : null;
  }

  /**
   * Forget the addresses not seen since `horizon` (only memory: `machineAt` reads no further than `ttlMs` anyway).
   * The slots placed before it are read: one seen since moves to a new slot at the end, so a laptop that keeps its
   * address for days keeps the lists short.
   */
  forget(horizon: number): void {
    let head = this.head;
    for (; head < this.addresses.length && this.placed[head]! < horizon; head++) {
      const address = this.addresses[head]!;
      if (this.seen[head]! < horizon) {
        this.slots.delete(address);
        const machine = this.machines[head];
        if (machine != null && this.latest.get(machine) === address) this.latest.delete(machine);
      } else this.place(address, this.machines[head]!, this.seen[head]!);
    }
    this.head = head;
    // Drop the forgotten slots once they are most of the lists (every address's slot moves down with them).
    if (head <= 1024 || head * 2 <= this.addresses.length) return;
    this.addresses = this.addresses.slice(head);
    this.machines = this.machines.slice(head);
    this.seen = this.seen.slice(head);
    this.placed = this.placed.slice(head);
    for (let i = 0; i < this.addresses.length; i++) this.slots.set(this.addresses[i]!, i);
    this.head = 0;
  }

  private place(address: string, machine: string | null, time: number): void {
    this.slots.set(address, this.addresses.length);
    this.addresses.push(address);
    this.machines.push(machine);
    this.seen.push(time);
    this.placed.push(time);
  }

  /** Addresses remembered (none: the IIS join need not look any up). */
  get size(): number {
    return this.slots.size;
  }
}
