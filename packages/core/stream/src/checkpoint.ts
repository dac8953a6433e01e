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
   * knew at the last idle flush, so that a quiet stream does not start learning over after each (absent: none). With
   * a server's offset, the time as read of its log's last record and the step before it (ms), when known: `[minutes,
   * lastRead, step?]`, so that a clock change in the quiet shows in the next run.
   */
  readonly npsOffsets?: Readonly<Record<string, Readonly<Record<string, NpsOffsetEntry>>>>;
  /**
   * What the sites had learned of their DA servers at the last idle flush, by site and DA server (host key): `[NPS
   * clock ahead of the server's in ms (0: none learned), [RADIUS client addresses lined up with it], [addresses NPS
   * logged for its name]]`, so that the next run starts from it (`CorrelationEngine`'s `learnedServers`) rather than
   * joining as if the clocks agreed, or taking any server's refusals for another's (absent: none).
   */
  readonly daServers?: Readonly<Record<string, Readonly<Record<string, DaServerEntry>>>>;
}

/** One DA server's entry: its learned offset (ms), its lined-up RADIUS client addresses, the addresses NPS named. */
export type DaServerEntry = readonly [number, readonly string[], readonly string[]];

/** One NPS server's entry: its offset in minutes, or that with its log's last record time and step (ms). */
export type NpsOffsetEntry = number | readonly [number, number] | readonly [number, number, number];

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
// 7: a server's entry may also carry its log's last record time and step (`[minutes, lastRead, step]`). A version 6
// commit carried offsets alone, which is what its run began with: it is read as version 7.
// 8: what the sites had learned of their DA servers at the last idle flush (`d`). A version 7 commit carried none,
// which is what its run began with: it is read as version 8 without them.
// 9: a DA server's entry also holds the addresses NPS logged for its name, and every known DA server has one
// (`[offset, [lined up], [NPS named]]`; version 8: `[offset, ...lined up]`). A version 8 commit carried lined-up
// clients alone, which is what its run began with: it is read as version 9 with no NPS-named addresses.
const VERSION = 9;

/**
 * The most metadata the learned NPS offsets and DA servers may take together: the broker refuses more than
 * offset.metadata.max.bytes (4,096 by default). Beyond it a run starts without the DA servers, then without the
 * offsets too (learning them again), which a rebuild reads the same way.
 */
export const MAX_LEARNED_CHARS = 3_000;

/** The checkpoint as offset-commit metadata (compact JSON, a few bytes plus what the sites learned). */
export function encodeCheckpoint(c: Checkpoint): string {
  const metadata: { v: number; n: number; o?: Checkpoint['npsOffsets']; d?: Checkpoint['daServers'] } = {
    v: VERSION,
    n: c.published,
  };
  if (c.npsOffsets !== undefined) metadata.o = c.npsOffsets;
  if (c.daServers !== undefined) metadata.d = c.daServers;
  return JSON.stringify(metadata);
}

/**
 * The checkpoint of a committed offset and its metadata; a commit without (usable) metadata restarts the count,
 * which is right for a group that never ran this version: nothing was published from `from` on.
 */
export function decodeCheckpoint(offset: number, metadata: string | null): Checkpoint {
  if (metadata === null || metadata === '') return { from: offset, published: 0 };
  try {
    const parsed = JSON.parse(metadata) as { v?: unknown; n?: unknown; o?: unknown; d?: unknown };
    const known = parsed.v === VERSION || parsed.v === 8 || parsed.v === 7 || parsed.v === 6 || parsed.v === 5;
    const n = known && Number.isSafeInteger(parsed.n) && (parsed.n as number) > 0 ? (parsed.n as number) : 0;
    const npsOffsets = known && parsed.v !== 5 ? offsetsOf(parsed.o) : undefined;
    const daServers =
      parsed.v === VERSION ? daServersOf(parsed.d) : parsed.v === 8 ? daServersOfVersion8(parsed.d) : undefined;
    return {
      from: offset,
      published: n,
      ...(npsOffsets === undefined ? {} : { npsOffsets }),
      ...(daServers === undefined ? {} : { daServers }),
    };
  } catch {
    return { from: offset, published: 0 };
  }
}

/**
 * A checkpoint's site → server → entry table, when every entry is well formed (`entryOf` gives it, or undefined);
 * else none: the run learns it again.
 */
function bySiteAndServer<E>(
  value: unknown,
  entryOf: (entry: unknown) => E | undefined,
): Record<string, Record<string, E>> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, Record<string, E>> = {};
  for (const [site, servers] of Object.entries(value)) {
    if (!isRecord(servers)) return undefined;
    const byServer: Record<string, E> = {};
    for (const [server, entry] of Object.entries(servers)) {
      const parsed = entryOf(entry);
      if (parsed === undefined) return undefined;
      byServer[server] = parsed;
    }
    out[site] = byServer;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The NPS offsets: whole minutes within ±14 h, alone or with a last record time and step in whole ms. */
function offsetsOf(value: unknown): Record<string, Record<string, NpsOffsetEntry>> | undefined {
  return bySiteAndServer(value, (entry) => {
    const parts: unknown[] = Array.isArray(entry) ? entry : [entry];
    if (parts.length === 0 || parts.length > 3 || !parts.every(Number.isSafeInteger)) return undefined;
    if (Math.abs(parts[0] as number) > 14 * 60) return undefined;
    return (Array.isArray(entry) ? [...parts] : entry) as NpsOffsetEntry;
  });
}

/** The DA servers: an offset in whole ms within a day, then two lists of address strings. */
function daServersOf(value: unknown): Record<string, Record<string, DaServerEntry>> | undefined {
  return bySiteAndServer(value, (entry): DaServerEntry | undefined => {
    if (!Array.isArray(entry) || entry.length !== 3 || !isOffset(entry[0])) return undefined;
    const [offset, linedUp, named] = entry as [number, unknown, unknown];
    return isAddresses(linedUp) && isAddresses(named) ? [offset, [...linedUp], [...named]] : undefined;
  });
}

/** Version 8's DA servers: an offset, then the lined-up addresses. */
function daServersOfVersion8(value: unknown): Record<string, Record<string, DaServerEntry>> | undefined {
  return bySiteAndServer(value, (entry): DaServerEntry | undefined => {
    if (!Array.isArray(entry) || !isOffset(entry[0])) return undefined;
    const linedUp = entry.slice(1);
    return isAddresses(linedUp) ? [entry[0] as number, linedUp, []] : undefined;
  });
}

/** A DA server's offset: whole ms within a day. */
function isOffset(value: unknown): value is number {
  return Number.isSafeInteger(value) && Math.abs(value as number) <= 86_400_000;
}

function isAddresses(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((c) => typeof c === 'string' && c.length > 0 && c.length <= 100);
}
