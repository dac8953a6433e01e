/**
 * What a partition commits with its offset (the offset commit's metadata): the offset its state is rebuilt from and,
 * per site, how many units it has published since then. A new owner re-reads from `from`, rebuilds the very same
 * units (the analysis is a function of the records in offset order) and publishes only those past the counts.
 */
export interface Checkpoint {
  /** The first record of the current run of the partition (its start, or the record after its last flush). */
  readonly from: number;
  /** Units published since `from`, per site. */
  readonly published: Readonly<Record<string, number>>;
}

// 2: the engines advance to each site's watermark, which changed the order of a site's units within a run. A count
// written by version 1 would be counted against the new order (skipping units never published); it restarts instead.
const VERSION = 2;

/** The checkpoint as offset-commit metadata (compact JSON; the broker's default limit is 4,096 bytes). */
export function encodeCheckpoint(c: Checkpoint): string {
  return JSON.stringify({ v: VERSION, p: c.published });
}

/**
 * The checkpoint of a committed offset and its metadata; a commit without (usable) metadata restarts the count,
 * which is right for a group that never ran this version: nothing was published from `from` on.
 */
export function decodeCheckpoint(offset: number, metadata: string | null): Checkpoint {
  if (metadata === null || metadata === '') return { from: offset, published: {} };
  try {
    const parsed = JSON.parse(metadata) as { v?: unknown; p?: unknown };
    if (parsed.v !== VERSION || typeof parsed.p !== 'object' || parsed.p === null)
      return { from: offset, published: {} };
    const published: Record<string, number> = {};
    for (const [site, n] of Object.entries(parsed.p))
      if (Number.isSafeInteger(n) && (n as number) > 0) published[site] = n as number;
    return { from: offset, published };
  } catch {
    return { from: offset, published: {} };
  }
}
