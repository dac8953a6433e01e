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
  /** Sources seen in this partition (for the diagnosis' coverage when `analysis.sources` is auto). */
  readonly sources = new Set<Source>();

  constructor(engineConfig: EngineConfig) {
    this.engine = new CorrelationEngine(engineConfig);
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
    return this.settle(this.engine.advance(this.maxEventTime - graceMs));
  }

  /** End of input (the stream went quiet): close everything, as the offline analysis does at the end of its files. */
  flush(): PartitionOutput {
    return this.settle(this.engine.flush());
  }

  private settle(out: { attempts: ClosedAttempt[]; drops: Drop[] }): PartitionOutput {
    for (const attempt of out.attempts) this.ledger.emitted(attempt.events.map((e) => e.id));
    const late: NormalizedEvent[] = [];
    const drops: Drop[] = [];
    for (const drop of out.drops) {
      this.ledger.release(drop.event.id);
      if (drop.reason === 'late_event') late.push(drop.event);
      else drops.push(drop);
    }
    return { attempts: out.attempts, late, drops };
  }

  /** The offset to commit for this partition, or null before the first record. */
  commitOffset(): number | null {
    return this.ledger.commitOffset();
  }
}
