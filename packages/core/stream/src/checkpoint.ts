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
  /**
   * NPS log-file offsets (minutes east of UTC) learned before the run began, by site and NPS server: what the sites
   * knew at the last idle flush, so that a quiet stream does not start learning over after each (absent: none).
   */
  readonly npsOffsets?: Readonly<Record<string, Readonly<Record<string, number>>>>;
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
// 6: the NPS log offsets the sites had learned at the last idle flush (`o`). A version 5 commit carried none, which
// is what its run began with: it is read as version 6 without them.
const VERSION = 6;

/**
 * The most metadata the NPS offsets may take: the broker refuses more than offset.metadata.max.bytes (4,096 by
 * default). Beyond it a run starts without them (learning them again), which a rebuild reads the same way.
 */
export const MAX_NPS_OFFSETS_CHARS = 3_000;

/** The checkpoint as offset-commit metadata (compact JSON, a few bytes plus the learned NPS offsets). */
export function encodeCheckpoint(c: Checkpoint): string {
  return JSON.stringify(
    c.npsOffsets === undefined ? { v: VERSION, n: c.published } : { v: VERSION, n: c.published, o: c.npsOffsets },
  );
}

/**
 * The checkpoint of a committed offset and its metadata; a commit without (usable) metadata restarts the count,
 * which is right for a group that never ran this version: nothing was published from `from` on.
 */
export function decodeCheckpoint(offset: number, metadata: string | null): Checkpoint {
  if (metadata === null || metadata === '') return { from: offset, published: 0 };
  try {
    const parsed = JSON.parse(metadata) as { v?: unknown; n?: unknown; o?: unknown };
    const known = parsed.v === VERSION || parsed.v === 5;
    const n = known && Number.isSafeInteger(parsed.n) && (parsed.n as number) > 0 ? (parsed.n as number) : 0;
    const npsOffsets = known && parsed.v === VERSION ? offsetsOf(parsed.o) : undefined;
    return npsOffsets === undefined ? { from: offset, published: n } : { from: offset, published: n, npsOffsets };
  } catch {
    return { from: offset, published: 0 };
  }
}

/** The NPS offsets of a checkpoint, when well formed (site → server → whole minutes within ±14 h). */
function offsetsOf(value: unknown): Record<string, Record<string, number>> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, Record<string, number>> = {};
  for (const [site, servers] of Object.entries(value)) {
    if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) return undefined;
    const byServer: Record<string, number> = {};
    for (const [server, minutes] of Object.entries(servers)) {
      if (!Number.isSafeInteger(minutes) || Math.abs(minutes as number) > 14 * 60) return undefined;
      byServer[server] = minutes as number;
    }
    out[site] = byServer;
  }
  return out;
}
