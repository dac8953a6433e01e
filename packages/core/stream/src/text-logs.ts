import { MinHeap } from '@otptrace/correlate';
import { isUnsettledNpsLog, npsServerOf, ownOffset, TEXT_LOG_TWINS, withLearnedOffset } from '@otptrace/normalize';
import type { NormalizedEvent, RadiusDecision } from '@otptrace/schemas';

/**
 * What the stream does with text logs before a site's events are placed, as offline does before it correlates
 * (`settleTextLogs` of @otptrace/normalize):
 *
 * - **NPS log-file clocks.** An NPS log file writes local time with no offset. When none is configured
 *   (`npsLogUtcOffsets`), offline learns the offsets from the log records that repeat its 6272/6273 events, record by
 *   record (`ownOffset`: the whole quarter hour that puts a record on its audit twins; a record without twins takes
 *   its server's nearest earlier one's). Here a record whose twins have arrived takes their offset, which becomes its
 *   server's (a daylight-saving change is followed); one without takes its server's latest; a record of a server
 *   whose offset is not known yet waits outside the reorder buffer — its time as read says nothing — until an audit
 *   event of the same decision arrives: that pair teaches the server's offset, and the server's waiting records are
 *   placed at their UTC time. A record whose twin does not come within the reorder window (and before the site
 *   reaches its time as read) keeps its time as read, as offline keeps the times of a server nothing teaches it about.
 * - **Twins.** A text-log record that repeats an event-log record (a W3C line of a 6200, an NPS log-file decision of a
 *   6272/6273) is dropped as a duplicate when it is handed over, as offline drops it.
 *
 * Once a server's offset is known, a record that arrives before its twin is placed at it when that puts it within the
 * reorder window of the site's time; otherwise (a daylight-saving change since, or a log sent long after it was
 * written) it waits a reorder window for its twin, then takes the server's offset.
 *
 * Limits: a record that arrives after its twin has been forgotten (more than the reorder window later) cannot vote;
 * offline also learns from twins that come later than a reorder window.
 */
export class TextLogs {
  private readonly twins = new TextLogTwins();
  /** Latest learned offset per NPS server (ms to subtract). */
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
      const own = this.learn(server, e);
      if (own !== undefined) return [...this.release(server), withLearnedOffset(e, own)];
      const shift = this.learned.get(server);
      // The server's offset puts the record near the site's time: it holds (a later twin is a duplicate of it).
      // Far from it (a daylight-saving change since), the record waits a reorder window for its twin.
      if (shift !== undefined && Math.abs(e.time - shift - now) <= this.waitMs) return [withLearnedOffset(e, shift)];
      const until = shift === undefined ? Math.max(e.time, now + this.waitMs) : this.waitFor(e.time - shift, now);
      const w: Waiting = { event: e, server, until, seq: this.seq++, done: false };
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

  /**
   * Records that waited long enough, the site being at `now`: at their server's offset when it is known, else at their
   * time as read (UTC assumed).
   */
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
      const shift = this.learned.get(w.server);
      out.push(shift === undefined ? w.event : withLearnedOffset(w.event, shift));
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
   * Until when (site time) a record of a server with a known offset waits for its twin, when that offset puts it at
   * `placed`, far from the site's time `now`. Ahead (clocks went forward since): until just before `placed` would be
   * late, so that without a twin it is still placed there. Behind (clocks went back): until the site has passed the
   * time an hour's change would give it, as its twin may come in the next burst of the site's events.
   */
  private waitFor(placed: number, now: number): number {
    if (placed > now) return Math.max(now + this.waitMs, placed + this.waitMs - 1);
    return Math.max(now + this.waitMs, placed + HOUR_MS + this.waitMs);
  }

  /**
   * The offset the audit events noted so far give `record` (`ownOffset`, as offline): learned for its server (the
   * server's latest) when found.
   */
  private learn(server: string, record: RadiusDecision): number | undefined {
    const vote = this.ownVote(record);
    if (vote !== undefined) this.learned.set(server, vote);
    return vote;
  }

  private ownVote(record: RadiusDecision): number | undefined {
    const copy = TEXT_LOG_TWINS.copy(record);
    return copy === null ? undefined : ownOffset(record.time, this.twins.timesOf(copy.key));
  }

  /**
   * The waiting records of a server whose offset was just learned, moved to UTC (each by its own twins' offset when
   * they have come, else by the server's), in the order they came.
   */
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
      out.push(withLearnedOffset(w.event, this.ownVote(w.event) ?? shift));
    }
    return out;
  }
}

const HOUR_MS = 3_600_000;

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
