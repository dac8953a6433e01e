/** Offsets (in one partition) of a unit already emitted: an attempt, or a decided user-less event. */
interface Span {
  lo: number;
  hi: number;
}

/**
 * Which offsets of one partition are still needed, and so which offset may be committed.
 *
 * A unit (an attempt, a user-less decision) holds the offsets of the records it was built from until it is emitted.
 * The commit is the oldest held offset, moved back so that it never falls inside a unit already emitted: a restart
 * then re-reads every unit not yet emitted, whole, and emitted units whole or not at all. Re-emitted units carry the
 * same deterministic IDs, so duplicates are harmless and nothing is lost or split.
 */
export class OffsetLedger {
  private readonly held = new Map<string, number[]>();
  private spans: Span[] = [];
  private next: number | null = null;

  /** Number of keys holding offsets. */
  get size(): number {
    return this.held.size;
  }

  /** The record at `offset` was read (whatever became of it). */
  consumed(offset: number): void {
    this.next = offset + 1;
  }

  /** True when `key` already holds offsets. */
  holds(key: string): boolean {
    return this.held.has(key);
  }

  /** `key` needs the record at `offset` until it is released. */
  hold(key: string, offset: number): void {
    const offsets = this.held.get(key);
    if (offsets === undefined) this.held.set(key, [offset]);
    else offsets.push(offset);
  }

  /** `key` no longer needs its records (dropped); returns their offsets. */
  release(key: string): number[] {
    const offsets = this.held.get(key) ?? [];
    this.held.delete(key);
    return offsets;
  }

  /** The unit made of `keys` was emitted: release them and remember its span. */
  emitted(keys: Iterable<string>): void {
    const offsets: number[] = [];
    for (const key of keys) offsets.push(...this.release(key));
    if (offsets.length > 0) this.spans.push({ lo: Math.min(...offsets), hi: Math.max(...offsets) });
  }

  /** The offset to commit (the next record a restart must read), or null before the first record. */
  commitOffset(): number | null {
    if (this.next === null) return null;
    let commit = this.next;
    for (const offsets of this.held.values()) for (const o of offsets) if (o < commit) commit = o;
    for (let moved = true; moved; ) {
      moved = false;
      for (const span of this.spans) {
        if (span.lo < commit && commit <= span.hi) {
          commit = span.lo;
          moved = true;
        }
      }
    }
    // The commit never goes back (held offsets and new spans are all at or after it): older spans are done with.
    this.spans = this.spans.filter((span) => span.hi >= commit);
    return commit;
  }
}
