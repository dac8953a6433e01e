import type { NormalizedEvent } from '@otptrace/schemas';

/**
 * Duplicate detection by record identity (computer, channel, EventRecordID). Two events with one identity within
 * `windowMs` of event time are copies of one record: the same when what otptrace reads from them is the same, a
 * conflict otherwise. The same identity far apart in time is another event (a cleared log restarts EventRecordID).
 */
export class Deduplicator {
  private readonly seen = new Map<string, NormalizedEvent>();
  /** Events in the order their identities were first remembered (the order they are forgotten in). */
  private readonly order: NormalizedEvent[] = [];
  private head = 0;
  /** Identities remembered with a later event than the one in `order` (rare: a cleared log). */
  private readonly replaced = new Set<string>();

  constructor(private readonly windowMs: number) {}

  /** Whether `event` repeats one already taken, and how; remembers it when it does not. */
  check(event: NormalizedEvent): 'duplicate_event' | 'conflicting_duplicate' | null {
    const earlier = this.seen.get(event.id);
    if (earlier !== undefined && Math.abs(earlier.time - event.time) <= this.windowMs) {
      // Fingerprints are only computed for such a repeat, which is rare.
      return fingerprintOf(earlier) === fingerprintOf(event) ? 'duplicate_event' : 'conflicting_duplicate';
    }
    if (earlier === undefined) this.order.push(event);
    else this.replaced.add(event.id);
    this.seen.set(event.id, event);
    return null;
  }

  /**
   * Forget what can no longer have a copy arriving in time: identities, oldest remembered first, up to the first
   * whose event is not older than `clock` minus the window.
   */
  forget(clock: number): void {
    const horizon = clock - this.windowMs;
    while (this.head < this.order.length) {
      const first = this.order[this.head]!;
      const time = this.replaced.size > 0 && this.replaced.has(first.id) ? this.seen.get(first.id)!.time : first.time;
      if (time >= horizon) break;
      this.seen.delete(first.id);
      this.replaced.delete(first.id);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
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
