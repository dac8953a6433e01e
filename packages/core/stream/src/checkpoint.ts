/**
 * What a partition commits with its offset (the offset commit's metadata): the offset its state is rebuilt from and
 * how many units it has published since then. A new owner re-reads from `from`, rebuilds the very same units in the
 * same order (the analysis is a function of the records in offset order) and publishes only those past the count.
 */
export interface Checkpoint {
  /** The first record of the current run of the partition (its start, or the record after its last flush). */
  readonly from: number;
  /** Units published since `from`, all sites of the partition together. */
  readonly published: number;
}

// 2: the engines advance to each site's watermark, which changed the order of a site's units within a run. A count
// written by version 1 would be counted against the new order (skipping units never published); it restarts instead.
// 3: one count for the partition instead of one per site. A partition's units come in one order (its records' order,
// the sites of a flush in the order they came), so one count says as much, and the metadata no longer grows with the
// sites (the broker refuses more than offset.metadata.max.bytes, 4,096 by default: about 100 sites' counts).
// 4: a site's watermark follows the newest time two of its machines agree on, and NPS log records wait for their
// server's learned offset: units of a run may come in another order.
// 5: the watermark follows the site's servers (laptops' clocks no longer move it), and NPS log offsets are learned
// record by record: again units of a run may come in another order.
const VERSION = 5;

/** The checkpoint as offset-commit metadata (compact JSON, a few bytes whatever the number of sites). */
export function encodeCheckpoint(c: Checkpoint): string {
  return JSON.stringify({ v: VERSION, n: c.published });
}

/**
 * The checkpoint of a committed offset and its metadata; a commit without (usable) metadata restarts the count,
 * which is right for a group that never ran this version: nothing was published from `from` on.
 */
export function decodeCheckpoint(offset: number, metadata: string | null): Checkpoint {
  if (metadata === null || metadata === '') return { from: offset, published: 0 };
  try {
    const parsed = JSON.parse(metadata) as { v?: unknown; n?: unknown };
    const n = parsed.v === VERSION && Number.isSafeInteger(parsed.n) && (parsed.n as number) > 0 ? parsed.n : 0;
    return { from: offset, published: n as number };
  } catch {
    return { from: offset, published: 0 };
  }
}
