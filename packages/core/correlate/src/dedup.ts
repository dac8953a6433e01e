import type { NormalizedEvent } from '@otptrace/schemas';

/**
 * Duplicate detection by record identity (computer, channel, EventRecordID). Two events with one identity within
 * `windowMs` of event time are copies of one record: the same when what otptrace reads from them is the same, a
 * conflict otherwise. The same identity far apart in time is another event (a cleared log restarts EventRecordID).
 */
export class Deduplicator {
  /**
   * Identities in the order they were first remembered (the order they are forgotten in), in a ring of `mask + 1`
   * slots (a power of two; doubled when full): the event now remembered for each, its time and its record number.
   * Position `p` (counted from the first ever remembered) is in slot `p & mask`. Forgetting reads these arrays, not
   * the (old, cold) events; the ring is reused, so remembering allocates nothing once it is large enough.
   */
  private events: (NormalizedEvent | undefined)[] = new Array(INITIAL_SLOTS).fill(undefined);
  private times = new Float64Array(INITIAL_SLOTS);
  private records: number[] = new Array(INITIAL_SLOTS).fill(0);
  /**
   * The event id of each identity, kept beside the event so that a lookup compares strings of one array rather than
   * reading `id` from remembered events of every kind (a property read that meets each new event shape deoptimises).
   */
  private ids: string[] = new Array(INITIAL_SLOTS).fill('');
  private mask = INITIAL_SLOTS - 1;
  /** Position of the first identity not yet forgotten, and of the next to be remembered. */
  private head = 0;
  private tail = 0;
  /**
   * The remembered identities by record number (EventRecordID): an open-addressing hash table (linear probing, twice
   * the ring's slots) of their slots in the ring + 1 (0: empty; 32 bits, where positions would need 53). Numbers, not the identity strings: event identities are long,
   * alike and not shared; the identity is compared only for a record number that another computer or channel shares.
   * A table of its own rather than a Map: a Map of this many entries, added and deleted all the time, is rebuilt
   * (a new table of a megabyte) every few thousand events.
   */
  private table = new Int32Array(INITIAL_SLOTS * 2);

  constructor(private readonly windowMs: number) {}

  /** Whether `event` repeats one already taken, and how; remembers it when it does not. */
  check(event: NormalizedEvent): 'duplicate_event' | 'conflicting_duplicate' | null {
    const record = event.ref.recordId;
    const id = event.id;
    const i = this.find(id, record);
    if (i < 0) {
      const at = this.tail++;
      if (at - this.head > this.mask) this.grow();
      const slot = at & this.mask;
      this.events[slot] = event;
      this.times[slot] = event.time;
      this.records[slot] = record;
      this.ids[slot] = id;
      this.insert(at, record);
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

  /** Slot (in the ring) of the remembered identity (event id `id`, record number `record`), or -1. */
  private find(id: string, record: number): number {
    const table = this.table;
    const last = table.length - 1;
    for (let t = hashOf(record) & last; table[t] !== 0; t = (t + 1) & last) {
      const slot = (table[t]! - 1) & this.mask;
      if (this.records[slot] === record && this.ids[slot] === id) return slot;
    }
    return -1;
  }

  /** Enter position `at` (of record number `record`) in the table. */
  private insert(at: number, record: number): void {
    const table = this.table;
    const last = table.length - 1;
    let t = hashOf(record) & last;
    while (table[t] !== 0) t = (t + 1) & last;
    table[t] = (at & this.mask) + 1;
  }

  /** Take position `at` out of the table, moving back the entries after it that it kept from their place. */
  private remove(at: number): void {
    const table = this.table;
    const last = table.length - 1;
    let hole = hashOf(this.records[at & this.mask]!) & last;
    const entry = (at & this.mask) + 1;
    while (table[hole] !== entry) hole = (hole + 1) & last;
    for (let t = (hole + 1) & last; table[t] !== 0; t = (t + 1) & last) {
      const home = hashOf(this.records[(table[t]! - 1) & this.mask]!) & last;
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
    const records: number[] = new Array(slots).fill(0);
    const ids: string[] = new Array(slots).fill('');
    for (let p = this.head; p < this.tail - 1; p++) {
      events[p & (slots - 1)] = this.events[p & this.mask];
      times[p & (slots - 1)] = this.times[p & this.mask]!;
      records[p & (slots - 1)] = this.records[p & this.mask]!;
      ids[p & (slots - 1)] = this.ids[p & this.mask]!;
    }
    this.events = events;
    this.times = times;
    this.records = records;
    this.ids = ids;
    this.mask = slots - 1;
    this.table = new Int32Array(slots * 2);
    for (let p = this.head; p < this.tail - 1; p++) this.insert(p, records[p & this.mask]!);
  }
}

/** Where a record number's search starts in the table (its low and high 32 bits, multiplied and mixed). */
function hashOf(record: number): number {
  const h = Math.imul(record ^ Math.floor(record / 4_294_967_296), 0x9e3779b1);
  return h ^ (h >>> 16);
}

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
