import {
  CorrelationEngine,
  type Drop,
  type EngineConfig,
  eventBefore,
  type LearnedServer,
  MinHeap,
} from '@otptrace/correlate';
import { CERTIFICATE_NOT_USABLE } from '@otptrace/diagnose';
import { userWindowMs } from '@otptrace/normalize';
import { type AnalyzedAttempt, coverageOf, finishAttempt, withFindings } from '@otptrace/pipeline';
import type { AnalysisConfig, NormalizedEvent, Source } from '@otptrace/schemas';
import { type NpsServerClock, TextLogs } from './text-logs.js';

/** What a site's stream hands out, in a deterministic order: attempts, and events that came too late to be placed. */
export type StreamUnit =
  | { readonly kind: 'attempt'; readonly attempt: AnalyzedAttempt }
  | { readonly kind: 'late'; readonly event: NormalizedEvent };

/** What one step produced: units (to publish) and the events the engine let go (to count). */
export interface SiteOutput {
  readonly units: StreamUnit[];
  readonly drops: Drop[];
}

/** Settings shared by every site stream of a correlator. */
export interface StreamSettings {
  /** The engine's settings in `sorted` mode (`engineConfigOf(config, ctx, 'sorted')`), exactly as offline. */
  readonly engine: EngineConfig;
  /** The analysis configuration (for the diagnosis' source coverage). */
  readonly analysis: AnalysisConfig;
  /**
   * How far behind a site's newest event time its events are handed to the engine (ms): the disorder the stream may
   * have (clock skew between the four machines, forwarding delays). An event older than what was handed over, or
   * than the site's watermark (its newest event time minus this), is late.
   */
  readonly reorderMs: number;
}

/**
 * The reorder window of a site (`StreamSettings.reorderMs`): twice the clock-skew tolerance, plus `graceMs` for the
 * forwarders' delays. The site's time is its servers' clocks, which may run ahead by the tolerance, and an event of a
 * machine whose clock is behind by as much must still be in time: fleets are generated and found with every host off
 * by up to the tolerance either way, and with one tolerance the stream lost such machines' events to the late topic
 * where offline kept them (a 400-user day, hosts off by ±3 minutes: 174 late events, 98 attempts differing).
 */
export function reorderWindowMs(analysis: Pick<AnalysisConfig, 'clockSkewToleranceMs'>, graceMs: number): number {
  return 2 * analysis.clockSkewToleranceMs + graceMs;
}

/**
 * One site's events, correlated exactly as `otptrace analyze` correlates them: the events wait in a reorder buffer
 * and are handed to the engine one by one in (time, id) order, each followed by `advance(time)` — the very calls the
 * offline analysis makes on its sorted input — and `flush()` at the end of input. Between them, `advance(watermark)`
 * as the site's newest event moves on, so that attempts close without waiting for the next event handed over; the
 * engine's result does not depend on when it sweeps (`SWEEP_INTERVAL_MS`). So the same events give the same attempts
 * (ids, evidence, verdicts, trace ids), whatever the batches and partitions.
 *
 * A site is the unit the engine's joins never cross (services/correlator/README.md): an IIS request, a user-less
 * client result or an NPS 4402 may join any of the site's open attempts, so the site's events meet in one engine.
 */
export class SiteStream {
  private readonly buffer = new MinHeap<NormalizedEvent>(eventBefore);
  private readonly engine: CorrelationEngine;
  private readonly sources = new Set<Source>();
  /** The site's newest event time, as two of its servers' (else machines') clocks agree on it. */
  private readonly newest = new AgreedTime();
  /** The last event handed to the engine: anything before it in (time, id) order is late. */
  private frontier: NormalizedEvent | null = null;
  /** The site's watermark (newest − reorderMs): an event before it is late. */
  private watermark = Number.NEGATIVE_INFINITY;
  /** The time the engine was last advanced to. */
  private engineAt = Number.NEGATIVE_INFINITY;
  private readonly reuse: ReuseFindings;
  private readonly textLogs: TextLogs;
  private readonly clocks = new ClockNames();

  /**
   * `npsClocks` and `daServers`: what an earlier run of the site learned of its NPS servers' log clocks and of its DA
   * servers (`npsClocks()`, `learnedServers()`), carried over an idle flush.
   */
  constructor(
    private readonly settings: StreamSettings,
    npsClocks?: ReadonlyMap<string, NpsServerClock>,
    daServers: readonly LearnedServer[] = [],
  ) {
    this.engine = new CorrelationEngine(settings.engine, daServers);
    this.reuse = new ReuseFindings(settings);
    this.textLogs = new TextLogs(settings.reorderMs, userWindowMs(settings.analysis.clockSkewToleranceMs), npsClocks);
  }

  /** What the site learned so far of its NPS servers' log clocks (each server's latest offset), by server. */
  npsClocks(): Map<string, NpsServerClock> {
    return this.textLogs.clocks;
  }

  /** What the IIS join learned of the site's DA servers so far (`CorrelationEngine.learnedServers`). */
  learnedServers(): LearnedServer[] {
    return this.engine.learnedServers();
  }

  /** The newest event time of any of the site's servers (else machines), −∞ before one. */
  get newestServerTime(): number {
    return this.newest.latest;
  }

  /** Events waiting: in the reorder buffer, or NPS log records waiting for their server's offset. */
  get buffered(): number {
    return this.buffer.size + this.textLogs.held;
  }

  /** Attempts open in the engine. */
  get openAttempts(): number {
    return this.engine.openAttempts;
  }

  /** Take one event (in arrival order); returns what it released. */
  take(event: NormalizedEvent): SiteOutput {
    const out: SiteOutput = { units: [], drops: [] };
    this.sources.add(event.source);
    const settled = this.textLogs.arrive(event, this.newest.time, this.newest.latest);
    if (settled === null) this.place(event, out);
    else if (settled.length > 0) {
      // Several at once (an NPS server's offset learned): all in the buffer before any is handed over.
      for (let i = 0; i < settled.length - 1; i++) this.enqueueNoting(settled[i]!, out);
      this.place(settled[settled.length - 1]!, out);
    }
    return out;
  }

  /** End of input: hand over every buffered event, then close everything, as offline does at the end of its files. */
  flush(): SiteOutput {
    const out: SiteOutput = { units: [], drops: [] };
    for (const e of this.textLogs.flush()) this.enqueueNoting(e, out);
    for (let e = this.buffer.pop(); e !== undefined; e = this.buffer.pop()) this.release(e, out);
    this.collect(this.engine.flush(), out);
    for (const attempt of this.reuse.release(Number.POSITIVE_INFINITY)) out.units.push({ kind: 'attempt', attempt });
    return out;
  }

  /** An event whose time is settled: into the reorder buffer (its time noted), or out as late. */
  private enqueueNoting(event: NormalizedEvent, out: SiteOutput): boolean {
    if (!this.enqueue(event, out)) return false;
    this.newest.note(this.clocks.of(event), event.time, event.source !== 'client');
    return true;
  }

  /** An event whose time is settled: into the reorder buffer, or out as late; then hand over what is due. */
  private place(event: NormalizedEvent, out: SiteOutput): void {
    if (!this.enqueueNoting(event, out)) return;
    // NPS log records whose audit twin did not come while the site moved on keep their time as read: they join the
    // buffer before anything is handed over up to the new watermark.
    if (this.textLogs.held > 0) for (const e of this.textLogs.expired(this.newest.time)) this.enqueue(e, out);
    // NPS log records waiting for their server's offset hold the site back: once learned, they go at their UTC time.
    const upTo = Math.min(this.newest.time - this.settings.reorderMs, this.textLogs.holdBefore());
    for (let e = this.buffer.peek(); e !== undefined && e.time <= upTo; e = this.buffer.peek()) {
      this.buffer.pop();
      this.release(e, out);
    }
    if (upTo > this.watermark) {
      this.watermark = upTo;
      this.advanceAcrossGap(upTo, out);
    }
  }

  /**
   * Across a long quiet gap of the site (a failure at 08:18, the next logons at 10:50), the engine's clock moves on
   * before the next event is handed over, so that an attempt due by then goes out when the site's later events show
   * its time has passed, not with them (perhaps only at the idle flush). Offline makes no such call, and the engine
   * sweeps its joins and closings in batches whose grouping depends on its calls, so this is done only where nothing
   * can tell: up to a retention window (`retentionMs`: the longest the engine may still need an event) before the next
   * event, so that none still to come can join what is decided by then, and at least a join delay (`joinDelayMs`)
   * after the last one handed over, so that every join of the events already in the engine is decided first, as in
   * offline's next sweep.
   */
  private advanceAcrossGap(upTo: number, out: SiteOutput): void {
    const next = this.buffer.peek();
    const to = Math.min(upTo, (next === undefined ? upTo : next.time) - this.engine.retentionMs);
    if (to <= this.engineAt || (this.frontier !== null && to < this.frontier.time + this.engine.joinDelayMs)) return;
    this.engineAt = to;
    this.collect(this.engine.advance(to), out);
    for (const attempt of this.reuse.release(to)) out.units.push({ kind: 'attempt', attempt });
  }

  /** Into the reorder buffer (true), or out as late when offline would have placed it before what the engine has. */
  private enqueue(event: NormalizedEvent, out: SiteOutput): boolean {
    if ((this.frontier !== null && eventBefore(event, this.frontier)) || event.time < this.watermark) {
      out.units.push({ kind: 'late', event }); // never placed out of order, never lost
      return false;
    }
    this.buffer.push(event);
    return true;
  }

  private release(e: NormalizedEvent, out: SiteOutput): void {
    if (this.textLogs.repeats(e)) {
      out.drops.push({ event: e, reason: 'duplicate_event' });
      return;
    }
    this.frontier = e;
    this.engine.add(e);
    if (e.time > this.engineAt) this.engineAt = e.time;
    this.collect(this.engine.advance(e.time), out);
    for (const attempt of this.reuse.release(e.time)) out.units.push({ kind: 'attempt', attempt });
  }

  private collect(step: ReturnType<CorrelationEngine['advance']>, out: SiteOutput): void {
    if (step.attempts.length > 0) {
      const coverage = coverageOf(this.settings.analysis, this.sources);
      for (const a of step.attempts) {
        const attempt = finishAttempt(a, coverage, this.settings.analysis);
        if (this.reuse.take(attempt)) out.units.push({ kind: 'attempt', attempt });
      }
    }
    for (const d of step.drops) out.drops.push(d);
  }
}

interface Seen {
  readonly start: number;
  readonly seq: number;
}

/**
 * The newest event time two of a site's clocks agree on: the second highest of its machines' newest times, among its
 * servers (DA, NPS, CA: they log all day) once two of them have been heard from, else among all its machines. One
 * server with a wrong clock (or an NPS log file read as UTC though written in local time) cannot move the watermark
 * by itself and make every other machine's events late, and neither can any number of laptops: a fleet has laptops
 * with wrong clocks, and two of them logging on an hour apart would otherwise agree on a time hours ahead. Their events
 * wait in the reorder buffer and are placed at their time, as offline places them. −∞ until two machines are heard.
 */
class AgreedTime {
  private readonly servers = new SecondHighest();
  private readonly all = new SecondHighest();

  get time(): number {
    return this.servers.time > Number.NEGATIVE_INFINITY ? this.servers.time : this.all.time;
  }

  /** The newest time of any server (else machine): ahead of `time` when one server's events came first after a lull. */
  get latest(): number {
    return Math.max(
      this.time,
      this.servers.highest > Number.NEGATIVE_INFINITY ? this.servers.highest : this.all.highest,
    );
  }

  note(clock: string, time: number, server: boolean): void {
    if (server) this.servers.note(clock, time);
    this.all.note(clock, time);
  }
}

/** The second highest of the newest times of several clocks. */
class SecondHighest {
  private leader: string | null = null;
  private leaderTime = Number.NEGATIVE_INFINITY;
  private second = Number.NEGATIVE_INFINITY;

  get time(): number {
    return this.second;
  }

  get highest(): number {
    return this.leaderTime;
  }

  /** A clock's event at `time`. Each clock's newest only grows, so the two highest are all there is to keep. */
  note(clock: string, time: number): void {
    if (clock === this.leader) {
      if (time > this.leaderTime) this.leaderTime = time;
    } else if (time > this.leaderTime) {
      this.second = this.leaderTime;
      this.leader = clock;
      this.leaderTime = time;
    } else if (time > this.second) this.second = time;
  }
}

/**
 * The clock an event's time comes from: its machine (short name, lower case), an NPS log read as UTC apart from its
 * server's Security log. Names are remembered per computer string (a site has a few servers and its clients).
 */
class ClockNames {
  private readonly names = new Map<string, string>();

  of(e: NormalizedEvent): string {
    const computer = e.ref.computer;
    let host = this.names.get(computer);
    if (host === undefined) {
      const dot = computer.indexOf('.');
      host = (dot < 0 ? computer : computer.slice(0, dot)).toLowerCase();
      if (this.names.size >= MAX_CLOCK_NAMES) this.names.clear();
      this.names.set(computer, host);
    }
    return e.kind === 'radius.decision' && e.clock?.basis === 'assumed_utc' ? `${host}#log` : host;
  }
}

/** Computer names remembered at once (a fleet's clients; past it the cache starts again). */
const MAX_CLOCK_NAMES = 100_000;

/**
 * The finding `certificate_not_usable_for_logon` (@otptrace/diagnose `withReuseFindings`, as offline): a success is
 * flagged when the next attempt of the same user from the same computer starts within the certificate's validity
 * after it. So a success waits until every attempt that could start within that time has closed — its end plus the
 * validity plus the longest an attempt can stay open — then goes out with its finding decided.
 */
class ReuseFindings {
  /** Held successes by the event time they are decided at (then by the order they closed). */
  private readonly held = new MinHeap<Held>((x, y) => x.at < y.at || (x.at === y.at && x.seq < y.seq));
  private readonly seen = new Map<string, Seen[]>();
  private seq = 0;
  private lastForget = Number.NEGATIVE_INFINITY;
  private readonly validityMs: number;
  /** How long after its last event an attempt that started earlier may still be open (generous: it only delays). */
  private readonly openMs: number;

  constructor(settings: StreamSettings) {
    const a = settings.analysis;
    this.validityMs = a.certificateValidityMs;
    this.openMs =
      6 * a.attemptGapMs + 2 * (a.stageTimeoutMs + 4 * a.clockSkewToleranceMs + a.gatewayJoinSlackMs) + 60_000;
  }

  /** Takes a closed attempt; true when it can go out now (false: a success held until its finding is decided). */
  take(attempt: AnalyzedAttempt): boolean {
    const r = attempt.record;
    if (r.outcome === 'probe' || r.hosts.client === null) return true;
    const key = `${r.user}|${r.hosts.client.toLowerCase()}`;
    const seq = this.seq++;
    const list = this.seen.get(key) ?? [];
    list.push({ start: Date.parse(r.start), seq });
    this.seen.set(key, list);
    if (r.outcome !== 'success') return true;
    this.held.push({ attempt, key, seq, at: Date.parse(r.end) + this.validityMs + this.openMs });
    return false;
  }

  /** The held successes decided by event time `clock` (all of them at the end of input). */
  release(clock: number): AnalyzedAttempt[] {
    const out: AnalyzedAttempt[] = [];
    for (let h = this.held.peek(); h !== undefined && h.at < clock; h = this.held.peek()) {
      this.held.pop();
      out.push(this.decide(h));
    }
    if (clock - this.lastForget >= this.validityMs) this.forget(clock);
    return out;
  }

  private decide({ attempt, key, seq }: Held): AnalyzedAttempt {
    const r = attempt.record;
    const start = Date.parse(r.start);
    // The next attempt of the same key in start order (ties: in the order they closed), as offline sorts them.
    let next: Seen | undefined;
    for (const s of this.seen.get(key) ?? []) {
      const after = s.start > start || (s.start === start && s.seq > seq);
      if (after && (next === undefined || s.start < next.start || (s.start === next.start && s.seq < next.seq)))
        next = s;
    }
    const flagged = next !== undefined && next.start - Date.parse(r.end) <= this.validityMs;
    if (!flagged || r.findings.includes(CERTIFICATE_NOT_USABLE)) return attempt;
    return { ...attempt, record: withFindings(r, [...r.findings, CERTIFICATE_NOT_USABLE]) };
  }

  /** Forgets attempts too old to be a held success's next (every success they could follow has been decided). */
  private forget(clock: number): void {
    this.lastForget = clock;
    const horizon = clock - 2 * (this.validityMs + this.openMs);
    for (const [key, list] of this.seen) {
      const keep = list.filter((s) => s.start >= horizon);
      if (keep.length === 0) this.seen.delete(key);
      else if (keep.length !== list.length) this.seen.set(key, keep);
    }
  }
}

interface Held {
  readonly attempt: AnalyzedAttempt;
  readonly key: string;
  readonly seq: number;
  /** Event time after which every attempt that could follow it has closed. */
  readonly at: number;
}
