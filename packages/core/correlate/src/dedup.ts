import type { NormalizedEvent } from '@otptrace/schemas';

/**
 * Duplicate detection by record identity (computer, channel, EventRecordID). Two events with one identity within
 * `windowMs` of event time are copies of one record: the same when what otptrace reads from them is the same, a
 * conflict otherwise. The same identity far apart in time is another event (a cleared log restarts EventRecordID).
 */
export class Deduplicator {
  /** Each remembered identity's position in the arrays below (counted from the first ever remembered). */
  private readonly seen = new Map<string, number>();
  /**
   * Identities in the order they were first remembered (the order they are forgotten in), with the event now
   * remembered for each and its time: forgetting reads these arrays, not the (old, cold) events.
   */
  private ids: string[] = [];
  private events: NormalizedEvent[] = [];
  private times: number[] = [];
  /** Position of `ids[0]`, and of the first not yet forgotten. */
  private base = 0;
  private head = 0;

  constructor(private readonly windowMs: number) {}

  /** Whether `event` repeats one already taken, and how; remembers it when it does not. */
  check(event: NormalizedEvent): 'duplicate_event' | 'conflicting_duplicate' | null {
    const at = this.seen.get(event.id);
    if (at === undefined) {
      this.seen.set(event.id, this.base + this.ids.length);
      this.ids.push(event.id);
      this.events.push(event);
      this.times.push(event.time);
      return null;
    }
    const i = at - this.base;
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
    const end = this.ids.length;
    while (head < end && this.times[head]! < horizon) this.seen.delete(this.ids[head++]!);
    this.head = head;
    if (head > 1024 && head * 2 > end) {
      this.ids = this.ids.slice(head);
      this.events = this.events.slice(head);
      this.times = this.times.slice(head);
      this.base += head;
      this.head = 0;
    }
  }
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
