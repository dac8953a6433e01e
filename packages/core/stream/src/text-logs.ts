import { MinHeap } from '@otptrace/correlate';
import {
  clearClockChange,
  isUnsettledNpsLog,
  npsServerOf,
  ownOffset,
  TEXT_LOG_TWINS,
  userOffsets,
  withLearnedOffset,
} from '@otptrace/normalize';
import type { NormalizedEvent, RadiusDecision } from '@otptrace/schemas';

/**
 * What the stream does with text logs before a site's events are placed, as offline does before it correlates
 * (`settleTextLogs` of @otptrace/normalize):
 *
 * - **NPS log-file clocks.** An NPS log file writes local time with no offset. When none is configured
 *   (`npsLogUtcOffsets`), offline learns each record's offset from its audit twins (`ownOffset`) and from its user's
 *   events (a CA request after an accept, a client result after a reject), the server's records deciding together
 *   where a user's other attempts allow other offsets, and a change placed where the log's time goes back or jumps
 *   (`settleServerOffsets`). Here, with what has arrived:
 *   - a record whose twins have come, or that exactly one offset puts both near an event of its user and within the
 *     reorder window of the site's time, takes that offset, which becomes its server's (the offsets a user's other
 *     attempt suggests put the record a quarter hour or more away from the site's time); a taught server's offset is
 *     moved by its user's events only after its log showed a sign of a change, and by a daylight-saving step only
 *     where it already puts the record near the site's time;
 *   - another takes its server's offset when that puts it near the site's time;
 *   - else it waits outside the reorder buffer, and the site holds its events back for it (`holdBefore`: it came as
 *     NPS wrote it, near the site's time), until an audit event of the same decision or an event of its user teaches
 *     its server's offset; then the server's waiting records go at their UTC time. A record of a server nothing teaches
 *     within HOLD_MS (LONG_HOLD_MS, a night, at a site whose events can teach) keeps its time as read (as offline keeps the times of a server nothing teaches), and that
 *     server's later records no longer hold the site back. A record of a known server that waited across a
 *     daylight-saving change takes, as offline, the offset its server had when it came, or after a sign of a change
 *     in the log, the one taught since, else the one half an hour or an hour away that puts it where it came. A
 *     clear sign (`clearClockChange`: the time going back by about an hour, or a gap of an hour between probes a few
 *     minutes apart) moves a taught server's offset at once, and a record that came before its server was taught
 *     takes the offset taught less the changes its log clearly showed since it came, as offline.
 * - **Twins.** A text-log record that repeats an event-log record (a W3C line of a 6200, an NPS log-file decision of a
 *   6272/6273) is dropped as a duplicate when it is handed over, as offline drops it.
 *
 * Limits: a record that arrives after its twin has been forgotten (more than the reorder window later) cannot vote;
 * offline also learns from twins and user events that come later, and gives a record before a server's first taught
 * one the offset taught first, however late (the stream waits up to LONG_HOLD_MS).
 */
export class TextLogs {
  private readonly twins = new TextLogTwins();
  /** Times of the site's events that name a user (UTC), for the offsets of NPS log records. */
  private readonly users = new UserTimes();
  /** Waiting records by user key, in arrival order (done ones are skipped, and dropped with their list). */
  private readonly waitingByUser = new Map<string, Waiting[]>();
  /** Latest learned offset per NPS server (ms to subtract). */
  private readonly learned = new Map<string, number>();
  /** Servers whose log showed a sign of a clock change since their last taught record. */
  private readonly signed = new Set<string>();
  /**
   * Per server: the sum of the changes its log's clear signs of a clock change showed (`clearClockChange`), and the
   * step between its last two records.
   */
  private readonly signs = new Map<string, { total: number; step: number }>();
  /** The time as read of each server's latest record, in its log's order. */
  private readonly lastRead = new Map<string, number>();
  /** The file and line of each server's latest record, in its log's order (`followsInLog`). */
  private readonly lastLine = new Map<string, { file: string; line: number }>();
  /** Whether an event that can teach an NPS log offset (a user's event other than a log record) has come. */
  private teachers = false;
  /** Servers a record of which waited HOLD_MS without its offset being learned: their records hold nothing back. */
  private readonly gaveUp = new Set<string>();
  /** Holding records that came before the site had a time (not in `waiting` until anchored). */
  private readonly unanchored: Waiting[] = [];
  /** Records of servers whose offset is not known yet, by when to stop waiting (then arrival); released ones stay. */
  private readonly waiting = new MinHeap<Waiting>(
    (x, y) => x.until < y.until || (x.until === y.until && x.seq < y.seq),
  );
  /** The same records by server, in arrival order (expired ones are dropped from a list once they are half of it). */
  private readonly waitingBy = new Map<string, { items: Waiting[]; live: number }>();
  private seq = 0;
  private count = 0;
  /** The latest site time `expired` was called at: a hold that ends inside a lull is told from one that ends in use. */
  private expiredAt = Number.NEGATIVE_INFINITY;

  /**
   * `waitMs`: how long (site event time) a record waits for its audit twin: the stream's reorder window.
   * `userWindowMs`: how far from its user's events a record may be once its offset is removed (`userWindowMs` of
   * @otptrace/normalize, as offline). `known`: what a previous run learned of the servers' clocks.
   */
  constructor(
    private readonly waitMs: number,
    private readonly userWindowMs: number,
    /** By server: a record of such a server is placed as one of a taught server. */
    known?: ReadonlyMap<string, NpsServerClock>,
  ) {
    if (known === undefined) return;
    for (const [server, clock] of known) {
      this.learned.set(server, clock.offsetMs);
      if (clock.lastRead === undefined) continue;
      // Its log's last record and step, so that a daylight-saving change in the quiet between two runs shows.
      this.lastRead.set(server, clock.lastRead);
      this.signs.set(server, { total: 0, step: clock.step ?? Number.POSITIVE_INFINITY });
    }
  }

  /** What was learned of each taught NPS server's clock: its latest offset, and its log's last record and step. */
  get clocks(): Map<string, NpsServerClock> {
    const out = new Map<string, NpsServerClock>();
    for (const [server, offsetMs] of this.learned) {
      const lastRead = this.lastRead.get(server);
      const step = this.signs.get(server)?.step;
      out.set(
        server,
        lastRead === undefined || step === undefined || !Number.isFinite(step)
          ? { offsetMs, ...(lastRead === undefined ? {} : { lastRead }) }
          : { offsetMs, lastRead, step },
      );
    }
    return out;
  }

  /**
   * Whether NPS log record `e` of `server` comes after every record of its file that came before it (a new file
   * follows the old one), noting where it lies when it does.
   */
  private followsInLog(server: string, e: NormalizedEvent): boolean {
    const last = this.lastLine.get(server);
    if (last === undefined) {
      this.lastLine.set(server, { file: e.ref.channel, line: e.ref.recordId });
      return true;
    }
    if (last.file === e.ref.channel && e.ref.recordId <= last.line) return false;
    // Updated in place: one note per server, not an object per record.
    last.file = e.ref.channel;
    last.line = e.ref.recordId;
    return true;
  }

  /** Records waiting for their server's offset. */
  get held(): number {
    return this.count;
  }

  /**
   * Takes one event in arrival order, the site being at event time `now` (its newest server time `latest`, ahead of
   * `now` after a lull, when one server's events come first): null when it is to be placed now as it is
   * (nearly every event: nothing allocated), else the events to place now, in order (none while a record waits,
   * several when an offset is learned).
   */
  arrive(e: NormalizedEvent, now: number, latest: number = now): NormalizedEvent[] | null {
    this.twins.note(e);
    const reference = Number.isFinite(now) ? now : latest;
    if (this.unanchored.length > 0 && Number.isFinite(reference)) this.anchor(reference);
    if (isUnsettledNpsLog(e)) {
      const server = npsServerOf(e);
      // A sign of a clock change in the server's log, as offline reads it (`settleServerOffsets`): in the log's order.
      // A record that comes after one written below it in the same file (a forwarder's batches overtaking each other)
      // shows nothing: its step from that one would look like the clock going back.
      const inLogOrder = this.followsInLog(server, e);
      const previous = inLogOrder ? this.lastRead.get(server) : undefined;
      if (inLogOrder) this.lastRead.set(server, e.time);
      const step = previous === undefined ? 0 : e.time - previous;
      let signs = this.signs.get(server);
      if (signs === undefined) {
        signs = { total: 0, step: Number.POSITIVE_INFINITY };
        this.signs.set(server, signs);
      }
      if (step < -SET_BACK_MS || step >= HOUR_MS) {
        this.signed.add(server);
        const change = clearClockChange(step, signs.step);
        // A clear change (daylight saving) moves a taught server's offset at once, as offline follows it where the
        // next taught record confirms it: after a quiet night the site's time may come from this server's records
        // alone, and the old offset would put them where that time lags.
        if (change !== 0) {
          signs.total += change;
          const taught = this.learned.get(server);
          if (taught !== undefined) this.learned.set(server, taught + change);
        }
      }
      if (previous !== undefined) signs.step = step;
      const shift = this.learned.get(server);
      // The server's offset puts the record near the site's time: it holds (a later twin is a duplicate of it), unless
      // the record's twins or its user's events teach another. Its user's events move a taught offset only after a
      // sign of a change in its log since it was taught (a daylight-saving change shows one: the time jumping an hour,
      // or going back), and then, near, by a daylight-saving step only: the window is wide while the site's time lags
      // (one server heard through a lull or after a quiet night), and a user's attempt before it may then suggest any
      // offset, half an hour or hours away; offline's path would not follow it. Far from the site's time, the record
      // waits for its twin, its user's events (after a sign), or the site.
      const near = shift !== undefined && this.nearSite(e.time - shift, now, latest);
      const signed = this.signed.has(server);
      const rule: OffsetRule =
        shift === undefined || (signed && !near) ? undefined : { standing: shift, moves: signed ? 'daylight' : 'none' };
      const own = this.learn(server, e, now, latest, rule);
      if (own !== undefined) return [...this.release(server, now, latest), withLearnedOffset(e, own)];
      if (near) return [withLearnedOffset(e, shift)];
      // A server whose offset is not known yet: its record came as NPS wrote it, near the site's time, so the site
      // holds its events back for it (`holdBefore`) until its user's events teach the offset, for up to HOLD_MS (from
      // the site's first time, for a record that came before it had one: `anchor`).
      // A record of a known server far from the site's time (a daylight-saving change since) holds it back too.
      const holds = shift !== undefined || !this.gaveUp.has(server);
      const until =
        shift !== undefined
          ? this.waitFor(e.time - shift, now)
          : holds
            ? reference + HOLD_MS
            : Math.max(e.time, now + this.waitMs);
      const w: Waiting = {
        event: e,
        server,
        until,
        arrivedAt: reference,
        arrivedLatest: latest,
        shift,
        holds,
        long: false,
        graced: false,
        signed: this.signed.has(server),
        changesBefore: signs.total,
        seq: this.seq++,
        done: false,
      };
      if (shift === undefined && holds && !Number.isFinite(reference)) this.unanchored.push(w);
      else this.waiting.push(w);
      const list = this.waitingBy.get(server);
      if (list === undefined) this.waitingBy.set(server, { items: [w], live: 1 });
      else {
        list.items.push(w);
        list.live++;
      }
      if (e.user !== null) {
        const mine = this.waitingByUser.get(e.user.key);
        if (mine === undefined) this.waitingByUser.set(e.user.key, [w]);
        else mine.push(w);
      }
      this.count++;
      return [];
    }
    if (e.user !== null && !(e.kind === 'radius.decision' && e.clock !== undefined)) {
      this.users.note(e.user.key, e.time, now);
      this.teachers = true;
      // An event of a user whose record waits may teach that record's server its offset.
      const mine = this.count === 0 ? undefined : this.waitingByUser.get(e.user.key);
      if (mine !== undefined) {
        const at = Number.isFinite(now) ? now : e.time;
        const newest = Math.max(at, latest, e.time);
        for (const w of mine) {
          if (w.done || this.learn(w.server, w.event, at, newest, this.standingOf(w.server)) === undefined) continue;
          return [e, ...this.release(w.server, at, newest)];
        }
      }
    }
    if (this.count === 0 || e.kind !== 'radius.decision') return null;
    // An audit decision may be the twin a waiting record of its server needs.
    const list = this.waitingBy.get(npsServerOf(e));
    const key = list === undefined ? null : TEXT_LOG_TWINS.original(e);
    if (list === undefined || key === null) return null;
    for (const w of list.items) {
      if (
        w.done ||
        TEXT_LOG_TWINS.copy(w.event)?.key !== key ||
        this.learn(w.server, w.event, now, latest) === undefined
      )
        continue;
      return [e, ...this.release(w.server, now, latest)];
    }
    return null;
  }

  /**
   * Records that waited long enough, the site being at `now`: at their server's offset when it is known, else at their
   * time as read (UTC assumed).
   */
  expired(now: number): NormalizedEvent[] {
    const out: NormalizedEvent[] = [];
    const before = this.expiredAt;
    if (Number.isFinite(now) && now > before) this.expiredAt = now;
    for (let w = this.waiting.peek(); w !== undefined && w.until <= now; w = this.waiting.peek()) {
      this.waiting.pop();
      if (w.done) continue;
      const untaught = w.holds && !w.long && !this.learned.has(w.server) && Number.isFinite(now);
      // The site has events that can teach, and nothing has taught the record's server yet: it waits the night out.
      if (untaught && this.teachers) {
        w.long = true;
        w.until += LONG_HOLD_MS - HOLD_MS;
        this.waiting.push(w);
        continue;
      }
      // Its hold ended while the site was quiet (no event in its last reorder window): nothing could teach then. The
      // events that end the lull (a morning's first logons after a night of probes) may: they get a reorder window.
      if (untaught && !w.graced && before < w.until - this.waitMs) {
        w.graced = true;
        w.until = now + this.waitMs;
        this.waiting.push(w);
        continue;
      }
      w.done = true;
      this.count--;
      const list = this.waitingBy.get(w.server)!;
      if (--list.live === 0) this.waitingBy.delete(w.server);
      else if (list.live * 2 < list.items.length) list.items = list.items.filter((x) => !x.done);
      this.forgetWaiting(w);
      // As offline: the offset of the nearest earlier record taught (its server's when it came), or after a sign of a
      // change between them, of the next one taught (its server's now), else the change its arrival shows.
      const current = this.learned.get(w.server);
      const shift =
        w.shift === undefined
          ? current === undefined
            ? undefined
            : this.offsetWhenCame(w, current)
          : !w.signed
            ? w.shift
            : current !== w.shift
              ? current
              : (this.changedOffset(w) ?? current);
      if (shift === undefined) this.gaveUp.add(w.server);
      out.push(shift === undefined ? w.event : withLearnedOffset(w.event, shift));
    }
    return out;
  }

  /**
   * How far the site may hand its events over: up to a reorder window before the earliest site time at which a record
   * still holding it back arrived (its server's offset not known yet, or in doubt); unbounded when none does.
   */
  holdBefore(): number {
    let earliest = Number.POSITIVE_INFINITY;
    if (this.count === 0) return earliest;
    for (const list of this.waitingBy.values()) {
      const first = list.items.find((w) => !w.done && w.holds);
      if (first !== undefined && first.arrivedAt < earliest) earliest = first.arrivedAt;
    }
    return earliest - this.waitMs;
  }

  /**
   * A record of a known server that nothing taught while it waited, that its server's offset puts far from when it
   * came, after a sign of a change in its log (its time going back, or jumping an hour or more): its server's clock
   * changed (daylight saving) if an offset half an hour or an hour away puts it within the reorder window of its
   * arrival, as NPS wrote it; that offset becomes its server's. Offline finds the change where the log's time goes
   * back or jumps an hour, and its next taught record confirms it (`settleServerOffsets`).
   */
  private changedOffset(w: Waiting): number | undefined {
    const shift = this.learned.get(w.server);
    if (shift === undefined || !Number.isFinite(w.arrivedAt)) return undefined;
    if (this.nearSite(w.event.time - shift, w.arrivedAt, w.arrivedLatest)) return undefined;
    for (const d of DAYLIGHT_SAVING_STEPS) {
      if (!this.nearSite(w.event.time - (shift + d), w.arrivedAt, w.arrivedLatest)) continue;
      this.learned.set(w.server, shift + d);
      return shift + d;
    }
    return undefined;
  }

  /**
   * The offset of a record that came before its server was taught, given the server's offset `shift` now: that less
   * the changes its log clearly showed since the record (`clearClockChange`). As offline, which gives a record before
   * the first taught one that one's offset, less the change of a clear sign between them.
   */
  private offsetWhenCame(w: Waiting, shift: number): number {
    return w.shift === undefined ? shift - (this.signs.get(w.server)!.total - w.changesBefore) : shift;
  }

  /** End of input: every waiting record, with its time as read. */
  flush(): NormalizedEvent[] {
    this.anchor(Number.POSITIVE_INFINITY);
    return this.expired(Number.POSITIVE_INFINITY);
  }

  /**
   * Records that came before the site had a time, once it has one (`reference`): they wait HOLD_MS from it. Nothing
   * bounds when NPS wrote them (a night of probes may come before anything else), so until then they hold the whole
   * site back (`arrivedAt` stays −∞).
   */
  private anchor(reference: number): void {
    for (const w of this.unanchored) {
      if (w.done) continue;
      w.until = reference + HOLD_MS;
      this.waiting.push(w);
    }
    this.unanchored.length = 0;
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
   * The offset the events noted so far give `record`, the site being at `now`: its audit twins' (`ownOffset`, as
   * offline), else the one offset that puts it near an event of its user and within the reorder window of the site's
   * time (between `now` and `latest`). Learned for its server (the server's latest) when found.
   */
  private learn(
    server: string,
    record: RadiusDecision,
    now: number,
    latest: number,
    /** How far its users' events may move the server's taught offset (none given: anywhere). */
    rule?: OffsetRule,
  ): number | undefined {
    const vote = this.ownVote(record, now, latest, rule);
    if (vote !== undefined) {
      this.learned.set(server, vote);
      this.signed.delete(server);
    }
    return vote;
  }

  /**
   * A waiting record's server's taught offset, and how far its users' events may move it: not at all without a sign of
   * a change in its log since it was taught, else anywhere.
   */
  private standingOf(server: string): OffsetRule {
    const standing = this.learned.get(server);
    return standing === undefined || this.signed.has(server) ? undefined : { standing, moves: 'none' };
  }

  private ownVote(record: RadiusDecision, now: number, latest: number, rule?: OffsetRule): number | undefined {
    const copy = TEXT_LOG_TWINS.copy(record);
    const twins = copy === null ? undefined : ownOffset(record.time, this.twins.timesOf(copy.key));
    if (twins !== undefined || record.user === null) return twins;
    let vote: number | undefined;
    for (const k of userOffsets(record.time, this.users.timesOf(record.user.key), this.userWindowMs)) {
      // Before the site has a time, its first few events are all there is: no other attempt to tell apart.
      if (Math.max(now, latest) > Number.NEGATIVE_INFINITY && !this.nearSite(record.time - k, now, latest)) continue;
      if (
        rule !== undefined &&
        !(rule.moves === 'daylight' ? isDaylightSavingStep(k - rule.standing) : k === rule.standing)
      )
        continue;
      if (vote !== undefined) return undefined;
      vote = k;
    }
    return vote;
  }

  /** Whether `time` lies within the reorder window of the site's time (`now`, or its newest server time `latest`). */
  private nearSite(time: number, now: number, latest: number): boolean {
    return time >= now - this.waitMs && time <= Math.max(now, latest) + this.waitMs;
  }

  /** Drops a record that is done from its user's waiting list. */
  private forgetWaiting(w: Waiting): void {
    const key = w.event.user?.key;
    const mine = key === undefined ? undefined : this.waitingByUser.get(key);
    if (key === undefined || mine === undefined) return;
    const live = mine.filter((x) => !x.done);
    if (live.length === 0) this.waitingByUser.delete(key);
    else this.waitingByUser.set(key, live);
  }

  /**
   * The waiting records of a server whose offset was just learned, moved to UTC (each by its own vote when it has
   * one, else by the server's), in the order they came; one that the offset puts far from when it came waits on.
   */
  private release(server: string, now: number, latest: number): NormalizedEvent[] {
    const shift = this.learned.get(server)!;
    const list = this.waitingBy.get(server);
    if (list === undefined) return [];
    const out: NormalizedEvent[] = [];
    const kept: Waiting[] = [];
    for (const w of list.items) {
      if (w.done) continue;
      const own = this.ownVote(w.event, now, latest) ?? this.offsetWhenCame(w, shift);
      // A record the offset puts far from when it came (across a daylight-saving change) waits on for its own.
      if (Number.isFinite(w.arrivedAt) && !this.nearSite(w.event.time - own, w.arrivedAt, w.arrivedLatest)) {
        kept.push(w);
        continue;
      }
      w.done = true; // left in the heap, skipped when it comes up
      this.count--;
      this.forgetWaiting(w);
      out.push(withLearnedOffset(w.event, own));
    }
    if (kept.length === 0) this.waitingBy.delete(server);
    else this.waitingBy.set(server, { items: kept, live: kept.length });
    return out;
  }
}

const HOUR_MS = 3_600_000;
/**
 * How far a daylight-saving change moves a zone's offset: an hour, or half an hour (Lord Howe Island). Offsets are
 * learned on a quarter-hour grid (`userOffsets`), so a user's events that suggest a move of 15 or 45 minutes from a
 * server's standing offset point at another of the user's attempts, never at a change of the server's clock.
 */
const DAYLIGHT_SAVING_STEPS = [-HOUR_MS, HOUR_MS, -HOUR_MS / 2, HOUR_MS / 2];

/**
 * How far the users' events may move a server's taught offset `standing` (`TextLogs.learn`): by a daylight-saving step
 * only, or not at all; undefined: anywhere.
 */
type OffsetRule = { readonly standing: number; readonly moves: 'daylight' | 'none' } | undefined;

/** Whether moving an offset by `change` keeps it (0) or is a daylight-saving change. */
function isDaylightSavingStep(change: number): boolean {
  return change === 0 || DAYLIGHT_SAVING_STEPS.includes(change);
}
/** A log's time going back by more than this between two records: its server's clock was set back (NPS appends). */
const SET_BACK_MS = 60_000;
/**
 * How long a record of a server whose offset is not known yet holds its site back. Its users' events usually teach
 * the offset within seconds. A server serving only the DA servers' probes for a night takes longer (offline gives
 * such records the offset its first later record teaches, however late): at a site whose events can teach (users'
 * CA requests, client results, audit decisions have come), a record waits up to LONG_HOLD_MS, a night; at a site
 * where nothing has yet that could teach, HOLD_MS, and then it keeps its time as read, as offline keeps the times of
 * a server nothing teaches. On generated days of 12 to 150 users (night gaps over an hour), one hour alone put the
 * night's probes an hour off: 63 to 96 attempts differed from offline's and up to 11 events were late.
 */
const HOLD_MS = HOUR_MS;
const LONG_HOLD_MS = 12 * HOUR_MS;

/**
 * What a run of the stream learned of an NPS server's log clock, for the next run (after an idle flush): its offset
 * (ms to subtract), and the time as read of its log's last record and the step before it, which show a clock change
 * between the runs (`clearClockChange`).
 */
export interface NpsServerClock {
  readonly offsetMs: number;
  readonly lastRead?: number;
  readonly step?: number;
}

interface Waiting {
  readonly event: RadiusDecision;
  readonly server: string;
  /** Site event time after which the record stops waiting and keeps its time as read. */
  until: number;
  /** The site's time when it arrived (NPS wrote it then, give or take the reorder window); −∞ before it had one. */
  readonly arrivedAt: number;
  /** The site's newest server time when it came. */
  readonly arrivedLatest: number;
  /** Its server's offset when it came, if known. */
  readonly shift: number | undefined;
  /** Whether the site holds its events back for it (`holdBefore`). */
  readonly holds: boolean;
  /** Whether it waits LONG_HOLD_MS (its site has events that can teach) rather than HOLD_MS. */
  long: boolean;
  /** Whether its hold, ended inside a lull of its site, was given a reorder window after the lull (`expired`). */
  graced: boolean;
  /** Whether its server's log showed a sign of a change (`sign`) since its last taught record, this one included. */
  readonly signed: boolean;
  /** `total` of its server's clear signs of a change when it came, its own included. */
  readonly changesBefore: number;
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
    dropTimesBefore(this.originals, before);
  }
}

/** How long a record that text logs may repeat is kept after the events handed over passed it (rule windows: ≤ 5 s). */
const TWINS_KEPT_MS = 60_000;

/**
 * The times of a site's events that name a user, by user key (ascending), for the offsets of NPS log records: kept
 * for a few reorder windows of site time. Noted whether or not the site has sent an NPS log record yet: its first
 * record may come after the events of its user that teach its offset.
 */
class UserTimes {
  private readonly times = new Map<string, number[]>();
  private forgotten = Number.NEGATIVE_INFINITY;

  note(key: string, time: number, now: number): void {
    if (Number.isFinite(now) && now - this.forgotten > 2 * USER_TIMES_KEPT_MS) this.forget(now - USER_TIMES_KEPT_MS);
    const list = this.times.get(key);
    if (list === undefined) {
      this.times.set(key, [time]);
      return;
    }
    // Nearly always in order: an insertion from the end keeps the list ascending.
    let i = list.length;
    while (i > 0 && list[i - 1]! > time) i--;
    list.splice(i, 0, time);
  }

  timesOf(key: string): readonly number[] {
    return this.times.get(key) ?? [];
  }

  private forget(before: number): void {
    this.forgotten = before;
    dropTimesBefore(this.times, before);
  }
}

/** How long (site time) an event naming a user is kept for the offsets of NPS log records: well over a reorder window. */
const USER_TIMES_KEPT_MS = 30 * 60_000;

/** Drops the times before `before` from each list of `byKey`, and the keys left with none. */
function dropTimesBefore(byKey: Map<string, number[]>, before: number): void {
  for (const [key, times] of byKey) {
    const kept = times.filter((t) => t >= before);
    if (kept.length === 0) byKey.delete(key);
    else if (kept.length !== times.length) byKey.set(key, kept);
  }
}
