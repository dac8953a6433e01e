import { CorrelationEngine, type Drop, type EngineConfig, eventBefore, MinHeap } from '@otptrace/correlate';
import { CERTIFICATE_NOT_USABLE } from '@otptrace/diagnose';
import { TEXT_LOG_TWINS } from '@otptrace/normalize';
import { type AnalyzedAttempt, coverageOf, finishAttempt, withFindings } from '@otptrace/pipeline';
import type { AnalysisConfig, NormalizedEvent, Source } from '@otptrace/schemas';

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
  private newest = Number.NEGATIVE_INFINITY;
  /** The last event handed to the engine: anything before it in (time, id) order is late. */
  private frontier: NormalizedEvent | null = null;
  /** The site's watermark (newest − reorderMs) the engine was advanced to: an event before it is late. */
  private watermark = Number.NEGATIVE_INFINITY;
  private readonly reuse: ReuseFindings;
  private readonly twins = new TextLogTwins();

  constructor(private readonly settings: StreamSettings) {
    this.engine = new CorrelationEngine(settings.engine);
    this.reuse = new ReuseFindings(settings);
  }

  /** Events waiting in the reorder buffer. */
  get buffered(): number {
    return this.buffer.size;
  }

  /** Attempts open in the engine. */
  get openAttempts(): number {
    return this.engine.openAttempts;
  }

  /** Take one event (in arrival order); returns what it released. */
  take(event: NormalizedEvent): SiteOutput {
    const out: SiteOutput = { units: [], drops: [] };
    this.sources.add(event.source);
    this.twins.note(event);
    if ((this.frontier !== null && eventBefore(event, this.frontier)) || event.time < this.watermark) {
      // Offline would have placed it before events the engine already has: never placed out of order, never lost.
      out.units.push({ kind: 'late', event });
      return out;
    }
    this.buffer.push(event);
    if (event.time > this.newest) this.newest = event.time;
    const upTo = this.newest - this.settings.reorderMs;
    for (let e = this.buffer.peek(); e !== undefined && e.time <= upTo; e = this.buffer.peek()) {
      this.buffer.pop();
      this.release(e, out);
    }
    // Nothing before the watermark can still be placed, so the engine's clock moves to it now: an attempt due by then
    // closes when the site's later events show its time has passed, not with the next event handed over (which may
    // wait until the idle flush). Offline makes no such call; the engine's result does not depend on when it sweeps.
    if (upTo > this.watermark) {
      this.watermark = upTo;
      this.collect(this.engine.advance(upTo), out);
      for (const attempt of this.reuse.release(upTo)) out.units.push({ kind: 'attempt', attempt });
    }
    return out;
  }

  /** End of input: hand over every buffered event, then close everything, as offline does at the end of its files. */
  flush(): SiteOutput {
    const out: SiteOutput = { units: [], drops: [] };
    for (let e = this.buffer.pop(); e !== undefined; e = this.buffer.pop()) this.release(e, out);
    this.collect(this.engine.flush(), out);
    for (const attempt of this.reuse.release(Number.POSITIVE_INFINITY)) out.units.push({ kind: 'attempt', attempt });
    return out;
  }

  private release(e: NormalizedEvent, out: SiteOutput): void {
    if (this.twins.repeats(e)) {
      out.drops.push({ event: e, reason: 'duplicate_event' });
      return;
    }
    this.frontier = e;
    this.engine.add(e);
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

/**
 * Text-log records that repeat an event-log record of the same site: a W3C line of a request IIS also wrote as a 6200
 * (a site logging to both file and ETW), an NPS log-file decision of a 6272/6273. Offline drops them as duplicates
 * before it correlates (`settleTextLogs` of @otptrace/normalize, same rule); here the records they may repeat are noted
 * as they arrive, and a repeat is dropped as it is handed over: by then every record within the rule's few seconds
 * has arrived (the reorder buffer holds events for the clock-skew tolerance). An NPS log's offset is not learned here:
 * the collector applies the configured one (`npsLogUtcOffsets`) or takes the times as UTC.
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

interface Seen {
  readonly start: number;
  readonly seq: number;
}

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
