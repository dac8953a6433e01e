import type { NormalizedEvent } from '@otptrace/schemas';

/**
 * Duplicate detection by record identity (computer, channel, EventRecordID). Two events with one identity within
 * `windowMs` of event time are copies of one record: the same when what otptrace reads from them is the same, a
 * conflict otherwise. The same identity far apart in time is another event (a cleared log restarts EventRecordID).
 */
export class Deduplicator {
  /**
   * Per record number (EventRecordID), the position of the identity remembered with it (counted from the first ever
   * remembered). Numbers, not the identity strings: a look-up by a string compares it with the other keys of its hash
   * bucket, and event identities are long, alike and not shared, which cost a call into the runtime per event.
   */
  private readonly byRecord = new Map<number, number>();
  /** The rare identities whose record number another remembered identity (another computer or channel) already has. */
  private readonly byId = new Map<string, number>();
  /**
   * Identities in the order they were first remembered (the order they are forgotten in): the event now remembered for
   * each, its time and its record number. Forgetting reads these arrays, not the (old, cold) events.
   */
  private readonly events: NormalizedEvent[] = [];
  private readonly times: number[] = [];
  private readonly records: number[] = [];
  /** Position of `events[0]`, and of the first not yet forgotten. */
  private base = 0;
  private head = 0;

  constructor(private readonly windowMs: number) {}

  /** Whether `event` repeats one already taken, and how; remembers it when it does not. */
  check(event: NormalizedEvent): 'duplicate_event' | 'conflicting_duplicate' | null {
    const record = event.ref.recordId;
    const i = this.find(event, record);
    if (i < 0) {
      const at = this.base + this.events.length;
      if (this.byRecord.has(record)) this.byId.set(event.id, at);
      else this.byRecord.set(record, at);
      this.events.push(event);
      this.times.push(event.time);
      this.records.push(record);
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
    let head = this.head;
    const end = this.events.length;
    for (; head < end && this.times[head]! < horizon; head++) {
      const record = this.records[head]!;
      if (this.byRecord.get(record) === this.base + head) this.byRecord.delete(record);
      else if (this.byId.size > 0 && this.byId.get(this.events[head]!.id) === this.base + head)
        this.byId.delete(this.events[head]!.id);
    }
    this.head = head;
    if (head > 1024 && head * 2 > end) {
      // Moved down in place: no new arrays (and a plain loop: copyWithin is generic, and slow).
      dropFront(this.events, head);
      dropFront(this.times, head);
      dropFront(this.records, head);
      this.base += head;
      this.head = 0;
    }
  }

  /** Index (in the arrays) of the remembered identity of `event`, or -1. */
  private find(event: NormalizedEvent, record: number): number {
    const at = this.byRecord.get(record);
    if (at !== undefined && this.events[at - this.base]!.id === event.id) return at - this.base;
    if (this.byId.size === 0) return -1;
    const other = this.byId.get(event.id);
    return other === undefined ? -1 : other - this.base;
  }
}

/** Remove the first `n` items of `list`, in place. */
function dropFront<T>(list: T[], n: number): void {
  for (let i = n; i < list.length; i++) list[i - n] = list[i]!;
  list.length -= n;
}

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
