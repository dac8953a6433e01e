import type { NormalizedEvent } from '@otptrace/schemas';

/**
 * Duplicate detection by record identity (computer, channel, EventRecordID). Two events with one identity within
 * `windowMs` of event time are copies of one record: the same when what otptrace reads from them is the same, a
 * conflict otherwise. The same identity far apart in time is another event (a cleared log restarts EventRecordID).
 */
export class Deduplicator {
  /**
   * Identities in the order they were first remembered (the order they are forgotten in), in a ring of `mask + 1`
   * slots (a power of two; doubled when full): the event now remembered for each, its time, its event id and its
   * hash. Position `p` (counted from the first ever remembered) is in slot `p & mask`. Forgetting reads these
   * arrays, not the (old, cold) events; the ring is reused, so remembering allocates nothing once it is large enough.
   */
  private events: (NormalizedEvent | undefined)[] = new Array(INITIAL_SLOTS).fill(undefined);
  private times = new Float64Array(INITIAL_SLOTS);
  /**
   * The event id of each identity, kept beside the event so that a lookup compares strings of one array rather than
   * reading `id` from remembered events of every kind (a property read that meets each new event shape deoptimises).
   */
  private ids: string[] = new Array(INITIAL_SLOTS).fill('');
  private hashes = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  /** Position of the first identity not yet forgotten, and of the next to be remembered. */
  private head = 0;
  private tail = 0;
  /**
   * The remembered identities by a hash of their record number and computer (`hashOf`): an open-addressing
   * hash table (linear probing, twice the ring's slots) of their slots in the ring + 1 (0: empty; 32 bits, where
   * positions would need 53). Not by the record number alone: every laptop numbers its own log's records from 1, so a
   * fleet's client events share a few small numbers, and a look-up walked all of them (at 100,000 users, a quarter of
   * the rate of records numbered apart). A table of its own rather than a Map: a Map of this many entries, added and
   * deleted all the time, is rebuilt (a new table of a megabyte) every few thousand events.
   */
  private table = new Int32Array(INITIAL_SLOTS * 2);

  constructor(private readonly windowMs: number) {}

  /** Whether `event` repeats one already taken, and how; remembers it when it does not. */
  check(event: NormalizedEvent): 'duplicate_event' | 'conflicting_duplicate' | null {
    const id = event.id;
    const hash = hashOf(id, event.ref.recordId);
    const i = this.find(id, hash);
    if (i < 0) {
      const at = this.tail++;
      if (at - this.head > this.mask) this.grow();
      const slot = at & this.mask;
      this.events[slot] = event;
      this.times[slot] = event.time;
      this.ids[slot] = id;
      this.hashes[slot] = hash;
      this.insert(at, hash);
      return null;
    }
    const earlier = this.events[i]!;
    if (Math.abs(earlier.time - event.time) <= this.windowMs) {
      // Fingerprints are only computed for such a repeat, which is rare.
      return fingerprintOf(earlier) === fingerprintOf(event) ? 'duplicate_event' : 'conflicting_duplicate';
    }
    // The same identity far apart in time (a cleared log): remembered in its place, forgotten by its new time.
    this.events[i] = event;
    this.times[i] = event.time;
    return null;
  }

  /**
   * Forget what can no longer have a copy arriving in time: identities, oldest remembered first, up to the first
   * whose event is not older than `clock` minus the window.
   */
  forget(clock: number): void {
    const horizon = clock - this.windowMs;
    const mask = this.mask;
    let head = this.head;
    for (; head < this.tail && this.times[head & mask]! < horizon; head++) {
      this.remove(head);
      this.events[head & mask] = undefined;
    }
    this.head = head;
  }

  /** Slot (in the ring) of the remembered identity of event id `id` (whose hash is `hash`), or -1. */
  private find(id: string, hash: number): number {
    const table = this.table;
    const last = table.length - 1;
    for (let t = hash & last; table[t] !== 0; t = (t + 1) & last) {
      const slot = (table[t]! - 1) & this.mask;
      if (this.hashes[slot] === hash && this.ids[slot] === id) return slot;
    }
    return -1;
  }

  /** Enter position `at` (of an event id hashed to `hash`) in the table. */
  private insert(at: number, hash: number): void {
    const table = this.table;
    const last = table.length - 1;
    let t = hash & last;
    while (table[t] !== 0) t = (t + 1) & last;
    table[t] = (at & this.mask) + 1;
  }

  /** Take position `at` out of the table, moving back the entries after it that it kept from their place. */
  private remove(at: number): void {
    const table = this.table;
    const last = table.length - 1;
    let hole = this.hashes[at & this.mask]! & last;
    const entry = (at & this.mask) + 1;
    while (table[hole] !== entry) hole = (hole + 1) & last;
    for (let t = (hole + 1) & last; table[t] !== 0; t = (t + 1) & last) {
      const home = this.hashes[(table[t]! - 1) & this.mask]! & last;
      // The entry at t may fill the hole unless its home lies cyclically in (hole, t].
      if (((t - home) & last) >= ((t - hole) & last)) {
        table[hole] = table[t]!;
        hole = t;
      }
    }
    table[hole] = 0;
  }

  /** Twice the slots, each remembered identity at the slot of its position in the larger ring, and a new table. */
  private grow(): void {
    const slots = (this.mask + 1) * 2;
    const events: (NormalizedEvent | undefined)[] = new Array(slots).fill(undefined);
    const times = new Float64Array(slots);
    const ids: string[] = new Array(slots).fill('');
    const hashes = new Int32Array(slots);
    for (let p = this.head; p < this.tail - 1; p++) {
      events[p & (slots - 1)] = this.events[p & this.mask];
      times[p & (slots - 1)] = this.times[p & this.mask]!;
      ids[p & (slots - 1)] = this.ids[p & this.mask]!;
      hashes[p & (slots - 1)] = this.hashes[p & this.mask]!;
    }
    this.events = events;
    this.times = times;
    this.ids = ids;
    this.hashes = hashes;
    this.mask = slots - 1;
    this.table = new Int32Array(slots * 2);
    for (let p = this.head; p < this.tail - 1; p++) this.insert(p, hashes[p & this.mask]!);
  }
}

/**
 * Where an event's search starts in the table: its record number mixed with its computer's short name (the id up to the
 * first `.` or `|`: at most 15 characters, unique in a domain; the whole id is three to six times as long, and a loop
 * over typical client ids took 360–470 ns a call against 80 for the short name).
 */
function hashOf(id: string, record: number): number {
  let h = Math.imul(record ^ Math.floor(record / 4_294_967_296), 0x9e3779b1);
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c === DOT || c === BAR) break;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h ^ (h >>> 16);
}

const DOT = 0x2e;
const BAR = 0x7c;

const INITIAL_SLOTS = 1024;

// Two copies of one record are the same event when what otptrace reads from them is the same: time, user and the
// verdict-bearing fields, folded into a 32-bit FNV-1a hash (computed only for a repeat, never kept).
function fingerprintOf(e: NormalizedEvent): number {
  let text = `${e.ref.eventId}|${e.ref.provider}|${e.time}|${e.user?.key ?? ''}|${e.user?.domain ?? ''}`;
  switch (e.kind) {
    case 'radius.decision':
      text += `|${e.decision}|${e.reasonCode}|${e.clientName}`;
      break;
    case 'ca.request':
      text += `|${e.requestId}|${e.template}`;
      break;
    case 'ca.result':
      text += `|${e.requestId}|${e.status}|${e.hresult}`;
      break;
    case 'client.result':
      text += `|${e.errorCode}|${e.caName}|${e.serverAddress}`;
      break;
    case 'gateway.request':
      text += `|${e.status}|${e.method}|${e.clientIp}|${e.timeTakenMs}`;
      break;
    case 'radius.directory_unavailable':
      text += `|${e.domain}`;
      break;
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
