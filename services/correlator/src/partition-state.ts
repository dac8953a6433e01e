import { type ClosedAttempt, CorrelationEngine, type Drop, type EngineConfig } from '@otptrace/correlate';
import type { NormalizedEvent, Source } from '@otptrace/schemas';
import { OffsetLedger } from './offset-ledger.js';

/** What one step of a partition produced. */
export interface PartitionOutput {
  attempts: ClosedAttempt[];
  late: NormalizedEvent[];
  drops: Drop[];
}

/**
 * The correlation state of one partition of the events topic: its own engine (fed with the partition's users'
 * events and a copy of every user-less event), its event-time watermark, and the offsets its open attempts need.
 * Keeping one engine per partition makes each partition a self-contained stream: a restart or a new owner re-reads
 * it from the commit and rebuilds exactly the attempts that were not emitted.
 */
export class PartitionState {
  private readonly engine: CorrelationEngine;
  private readonly ledger = new OffsetLedger();
  private maxEventTime = Number.NEGATIVE_INFINITY;
  /**
   * Events shared by several attempts (an NPS 4402 is evidence for every denial it explains; an ambiguous IIS request
   * flags both users' attempts) stay held after the first of those attempts is emitted, until every attempt that
   * could include them has closed: a restart before then re-reads them, so no attempt is rebuilt without them.
   */
  private readonly lingering = new Map<string, number>();
  private readonly lingerMs: number;
  /** Sources seen in this partition (for the diagnosis' coverage when `analysis.sources` is auto). */
  readonly sources = new Set<Source>();

  constructor(engineConfig: EngineConfig) {
    this.engine = new CorrelationEngine(engineConfig);
    // Twice the longest an attempt can stay open after a shared event was joined to it (gap or timeout, the joins'
    // skew allowances, the reorder buffer): generous, since holding longer only re-reads more after a crash.
    const c = engineConfig;
    this.lingerMs =
      2 *
      (Math.max(c.attemptGapMs, c.stageTimeoutMs) +
        4 * c.clockSkewToleranceMs +
        c.gatewayJoinSlackMs +
        c.reorderDelayMs);
  }

  /** Number of attempts still open. */
  get openAttempts(): number {
    return this.engine.openAttempts;
  }

  /** Events taken and not yet emitted or dropped (buffered, pending a join, or in an open attempt). */
  get holding(): number {
    return this.ledger.size;
  }

  /** Take the event read at `offset`. */
  take(offset: number, event: NormalizedEvent): void {
    this.ledger.consumed(offset);
    if (event.time > this.maxEventTime) this.maxEventTime = event.time;
    this.sources.add(event.source);
    const copy = this.ledger.holds(event.id);
    this.ledger.hold(event.id, offset);
    // A second copy of an event the engine still holds (a sender's retry): keep its offset, do not feed it again.
    if (!copy) this.engine.add(event);
  }

  /** A record at `offset` that carried no usable event: consumed, nothing to hold. */
  skip(offset: number): void {
    this.ledger.consumed(offset);
  }

  /** Move the watermark to the newest event time minus `graceMs`; returns what that closed or dropped. */
  advance(graceMs: number): PartitionOutput {
    if (this.maxEventTime === Number.NEGATIVE_INFINITY) return { attempts: [], late: [], drops: [] };
    const watermark = this.maxEventTime - graceMs;
    const out = this.settle(this.engine.advance(watermark));
    this.releaseLingering(watermark);
    return out;
  }

  /** End of input (the stream went quiet): close everything, as the offline analysis does at the end of its files. */
  flush(): PartitionOutput {
    const out = this.settle(this.engine.flush());
    this.releaseLingering(Number.POSITIVE_INFINITY);
    return out;
  }

  private settle(out: { attempts: ClosedAttempt[]; drops: Drop[] }): PartitionOutput {
    for (const attempt of out.attempts) {
      const own: string[] = [];
      for (const e of attempt.events) {
        if (e.kind === 'radius.directory_unavailable') this.linger(e);
        else own.push(e.id);
      }
      this.ledger.emitted(own);
    }
    const late: NormalizedEvent[] = [];
    const drops: Drop[] = [];
    for (const drop of out.drops) {
      if (drop.reason === 'ambiguous_gateway_request') this.linger(drop.event);
      else this.ledger.release(drop.event.id);
      if (drop.reason === 'late_event') late.push(drop.event);
      else drops.push(drop);
    }
    return { attempts: out.attempts, late, drops };
  }

  private linger(e: NormalizedEvent): void {
    if (!this.lingering.has(e.id)) this.lingering.set(e.id, e.time + this.lingerMs);
  }

  private releaseLingering(watermark: number): void {
    for (const [id, until] of this.lingering) {
      if (until >= watermark) continue;
      this.lingering.delete(id);
      this.ledger.release(id);
    }
  }

  /** The offset to commit for this partition, or null before the first record. */
  commitOffset(): number | null {
    return this.ledger.commitOffset();
  }
}
