import { CorrelationEngine, type Drop, type EngineConfig, eventBefore, MinHeap } from '@otptrace/correlate';
import { type AnalyzedAttempt, coverageOf, finishAttempt } from '@otptrace/pipeline';
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
   * have (clock skew between the four machines, forwarding delays). An event older than what was handed over is late.
   */
  readonly reorderMs: number;
}

/**
 * One site's events, correlated exactly as `otptrace analyze` correlates them: the events wait in a reorder buffer
 * and are handed to the engine one by one in (time, id) order, each followed by `advance(time)` — the very calls the
 * offline analysis makes on its sorted input — and `flush()` at the end of input. So the same events give the same
 * engine calls, hence the same attempts (ids, evidence, verdicts, trace ids), whatever the batches and partitions.
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

  constructor(private readonly settings: StreamSettings) {
    this.engine = new CorrelationEngine(settings.engine);
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
    if (this.frontier !== null && eventBefore(event, this.frontier)) {
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
    return out;
  }

  /** End of input: hand over every buffered event, then close everything, as offline does at the end of its files. */
  flush(): SiteOutput {
    const out: SiteOutput = { units: [], drops: [] };
    for (let e = this.buffer.pop(); e !== undefined; e = this.buffer.pop()) this.release(e, out);
    this.collect(this.engine.flush(), out);
    return out;
  }

  private release(e: NormalizedEvent, out: SiteOutput): void {
    this.frontier = e;
    this.engine.add(e);
    this.collect(this.engine.advance(e.time), out);
  }

  private collect(step: ReturnType<CorrelationEngine['advance']>, out: SiteOutput): void {
    if (step.attempts.length > 0) {
      const coverage = coverageOf(this.settings.analysis, this.sources);
      for (const a of step.attempts) out.units.push({ kind: 'attempt', attempt: finishAttempt(a, coverage) });
    }
    for (const d of step.drops) out.drops.push(d);
  }
}
