import { MinHeap } from '@otptrace/correlate';
import { isUnsettledNpsLog, npsServerOf, offsetVote, TEXT_LOG_TWINS, withLearnedOffset } from '@otptrace/normalize';
import type { NormalizedEvent, RadiusDecision } from '@otptrace/schemas';

/**
 * What the stream does with text logs before a site's events are placed, as offline does before it correlates
 * (`settleTextLogs` of @otptrace/normalize):
 *
 * - **NPS log-file clocks.** An NPS log file writes local time with no offset. When none is configured
 *   (`npsLogUtcOffsets`), offline learns each server's offset from the log records that repeat its 6272/6273 events
 *   (`offsetVote`: a whole quarter hour that puts the two within seconds). Here a record of a server whose offset is
 *   not known yet waits outside the reorder buffer — its time as read says nothing — until an audit event of the same
 *   decision arrives: that pair decides the server's offset, and the server's waiting and later records are placed at
 *   their UTC time. A record whose twin does not come within the reorder window (and before the site reaches its time
 *   as read) keeps its time as read, as offline keeps the times of a server nothing teaches it about.
 * - **Twins.** A text-log record that repeats an event-log record (a W3C line of a 6200, an NPS log-file decision of a
 *   6272/6273) is dropped as a duplicate when it is handed over, as offline drops it.
 *
 * Limits: one offset per server, as offline (a change of daylight saving time during a run is not followed); offline
 * takes the majority of all its records' votes where this takes the first twins; and a record that arrives after its
 * twin has been forgotten (more than the reorder window later) cannot vote.
 */
export class TextLogs {
  private readonly twins = new TextLogTwins();
  /** Learned offset per NPS server (ms to subtract). */
  private readonly learned = new Map<string, number>();
  /** Records of servers whose offset is not known yet, by when to stop waiting (then arrival); released ones stay. */
  private readonly waiting = new MinHeap<Waiting>(
    (x, y) => x.until < y.until || (x.until === y.until && x.seq < y.seq),
  );
  /** The same records by server, in arrival order (expired ones are dropped from a list once they are half of it). */
  private readonly waitingBy = new Map<string, { items: Waiting[]; live: number }>();
  private seq = 0;
  private count = 0;

  /** `waitMs`: how long (site event time) a record waits for its audit twin: the stream's reorder window. */
  constructor(private readonly waitMs: number) {}

  /** Records waiting for their server's offset. */
  get held(): number {
    return this.count;
  }

  /**
   * Takes one event in arrival order, the site being at event time `now`: null when it is to be placed now as it is
   * (nearly every event: nothing allocated), else the events to place now, in order (none while a record waits,
   * several when an offset is learned).
   */
  arrive(e: NormalizedEvent, now: number): NormalizedEvent[] | null {
    this.twins.note(e);
    if (e.kind !== 'radius.decision') return null;
    if (isUnsettledNpsLog(e)) {
      const server = npsServerOf(e);
      const shift = this.learned.get(server) ?? this.learn(server, e);
      if (shift !== undefined) return [...this.release(server), withLearnedOffset(e, shift)];
      const w: Waiting = { event: e, server, until: Math.max(e.time, now + this.waitMs), seq: this.seq++, done: false };
      this.waiting.push(w);
      const list = this.waitingBy.get(server);
      if (list === undefined) this.waitingBy.set(server, { items: [w], live: 1 });
      else {
        list.items.push(w);
        list.live++;
      }
      this.count++;
      return [];
    }
    if (this.count === 0) return null;
    // An audit decision may be the twin a waiting record of its server needs.
    const list = this.waitingBy.get(npsServerOf(e));
    const key = list === undefined ? null : TEXT_LOG_TWINS.original(e);
    if (list === undefined || key === null) return null;
    for (const w of list.items) {
      if (w.done || TEXT_LOG_TWINS.copy(w.event)?.key !== key || this.learn(w.server, w.event) === undefined) continue;
      return [e, ...this.release(w.server)];
    }
    return null;
  }

  /** Records that waited long enough, the site being at `now`: they keep their time as read (UTC assumed). */
  expired(now: number): NormalizedEvent[] {
    const out: NormalizedEvent[] = [];
    for (let w = this.waiting.peek(); w !== undefined && w.until <= now; w = this.waiting.peek()) {
      this.waiting.pop();
      if (w.done) continue;
      w.done = true;
      this.count--;
      const list = this.waitingBy.get(w.server)!;
      if (--list.live === 0) this.waitingBy.delete(w.server);
      else if (list.live * 2 < list.items.length) list.items = list.items.filter((x) => !x.done);
      out.push(w.event);
    }
    return out;
  }

  /** End of input: every waiting record, with its time as read. */
  flush(): NormalizedEvent[] {
    return this.expired(Number.POSITIVE_INFINITY);
  }

  /** True when `e`, handed over in time order, repeats a record noted on arrival. */
  repeats(e: NormalizedEvent): boolean {
    return this.twins.repeats(e);
  }

  /**
   * The offset the audit events noted so far give `record`'s server: every audit twin of the record must vote for the
   * same one (two users' coincidences aside, offline's majority is that vote). Learned for the server when found.
   */
  private learn(server: string, record: RadiusDecision): number | undefined {
    const copy = TEXT_LOG_TWINS.copy(record);
    if (copy === null) return undefined;
    let vote: number | null = null;
    for (const t of this.twins.timesOf(copy.key)) {
      const v = offsetVote(record.time, t);
      if (v === null) continue;
      if (vote !== null && v !== vote) return undefined;
      vote = v;
    }
    if (vote === null) return undefined;
    this.learned.set(server, vote);
    return vote;
  }

  /** The waiting records of a server whose offset was just learned, moved to UTC, in the order they came. */
  private release(server: string): NormalizedEvent[] {
    const shift = this.learned.get(server)!;
    const list = this.waitingBy.get(server);
    if (list === undefined) return [];
    this.waitingBy.delete(server);
    this.count -= list.live;
    const out: NormalizedEvent[] = [];
    for (const w of list.items) {
      if (w.done) continue;
      w.done = true; // left in the heap, skipped when it comes up
      out.push(withLearnedOffset(w.event, shift));
    }
    return out;
  }
}

interface Waiting {
  readonly event: RadiusDecision;
  readonly server: string;
  /** Site event time after which the record stops waiting and keeps its time as read. */
  readonly until: number;
  readonly seq: number;
  /** Released (its server's offset learned) or expired. */
  done: boolean;
}

/**
 * Text-log records that repeat an event-log record of the same site: a W3C line of a request IIS also wrote as a 6200
 * (a site logging to both file and ETW), an NPS log-file decision of a 6272/6273. The records they may repeat are
 * noted as they arrive, and a repeat is dropped as it is handed over: by then every record within the rule's few
 * seconds has arrived (the reorder buffer holds events for the clock-skew tolerance).
 */
class TextLogTwins {
  private readonly originals = new Map<string, number[]>();
  private forgotten = Number.NEGATIVE_INFINITY;

  note(e: NormalizedEvent): void {
    const key = TEXT_LOG_TWINS.original(e);
    if (key === null) return;
    const times = this.originals.get(key);
    if (times === undefined) this.originals.set(key, [e.time]);
    else times.push(e.time);
  }

  /** The times of the noted records of `key` (kept at least a minute behind what was handed over). */
  timesOf(key: string): readonly number[] {
    return this.originals.get(key) ?? [];
  }

  /** True when `e`, handed over in time order, repeats a noted record. */
  repeats(e: NormalizedEvent): boolean {
    if (e.time - this.forgotten > 2 * TWINS_KEPT_MS) this.forget(e.time - TWINS_KEPT_MS);
    const copy = TEXT_LOG_TWINS.copy(e);
    if (copy === null) return false;
    return (this.originals.get(copy.key) ?? []).some((t) => Math.abs(t - e.time) <= copy.windowMs);
  }

  /** Events are handed over in time order: a record well before the one handed over can no longer be repeated. */
  private forget(before: number): void {
    this.forgotten = before;
    for (const [key, times] of this.originals) {
      const kept = times.filter((t) => t >= before);
      if (kept.length === 0) this.originals.delete(key);
      else if (kept.length !== times.length) this.originals.set(key, kept);
    }
  }
}

/** How long a record that text logs may repeat is kept after the events handed over passed it (rule windows: ≤ 5 s). */
const TWINS_KEPT_MS = 60_000;
