import type { Drop, LearnedServer } from '@otptrace/correlate';
import type { NormalizedEvent } from '@otptrace/schemas';
import {
  type Checkpoint,
  type DaServerEntry,
  encodeCheckpoint,
  MAX_LEARNED_CHARS,
  type NpsOffsetEntry,
} from './checkpoint.js';
import { type SiteOutput, SiteStream, type StreamSettings, type StreamUnit } from './site-stream.js';
import type { NpsServerClock } from './text-logs.js';

/** One record of the events topic as the partition sees it: its offset, its key (the site) and its events. */
export interface StreamRecord {
  readonly offset: number;
  /** The record key: the site whose engine takes the events. */
  readonly site: string;
  /** The record's events in order; null for each that was not a valid event (counted, skipped). */
  readonly events: readonly (NormalizedEvent | null)[];
}

/** A unit to publish, with the site it belongs to. */
export type SiteUnit = StreamUnit & { readonly site: string };

/** The offset and metadata to commit together with a step's units (in one transaction). */
export interface Commit {
  readonly offset: number;
  readonly metadata: string;
}

/** What one step of a partition produced. */
export interface PartitionStep {
  /** Units not published before (a rebuilt partition skips those its checkpoint counts). */
  readonly units: SiteUnit[];
  /** Events the engines let go (duplicates, unmatched, …), to count. */
  readonly drops: Drop[];
  /** Events of the records that were not valid events. */
  readonly invalid: number;
  /** What to commit with `units`, or null when nothing changed. */
  readonly commit: Commit | null;
}

/**
 * The streaming analysis of one partition of the events topic: a `SiteStream` per site (the record key), and the
 * offset ledger that makes publishing exactly-once. Pure: records and the end of input go in, units and the commit
 * come out; the caller publishes the units and commits in one Kafka transaction.
 *
 * The ledger is a checkpoint: the partition's run starts at `from` (its first record, or the one after the last
 * flush, when every engine is empty) and counts the units published since. The committed offset stays at `from`
 * while the run lasts, with the count as metadata. A new owner (restart, `kill -9`, rebalance) rebuilds from `from`:
 * the same records in the same order give the same units in the same order, and the first `published` are skipped.
 * Nothing is published twice, nothing is lost, and a rebuilt unit equals the original.
 */
export class StreamPartition {
  private readonly sites = new Map<string, SiteStream>();
  /** Units of this run so far, and how many of them the checkpoint says were published already. */
  private published = 0;
  private skip: number;
  private from: number | null;
  private next: number | null = null;
  private taken = 0;
  /** What the sites had learned of their NPS servers' log clocks when this run began (carried over a flush). */
  private carried: Map<string, ReadonlyMap<string, NpsServerClock>>;
  /** What the sites' IIS joins had learned of their DA servers when this run began (carried over a flush). */
  private carriedServers: Map<string, readonly LearnedServer[]>;

  /** `resume`: the committed checkpoint, or null when the group has none (the first record read starts the run). */
  constructor(
    private readonly settings: StreamSettings,
    resume: Checkpoint | null,
  ) {
    this.from = resume?.from ?? null;
    this.skip = resume?.published ?? 0;
    this.carried = new Map(
      Object.entries(resume?.npsOffsets ?? {}).map(([site, servers]) => [
        site,
        new Map(Object.entries(servers).map(([server, entry]) => [server, clockOf(entry)])),
      ]),
    );
    this.carriedServers = new Map(
      Object.entries(resume?.daServers ?? {}).map(([site, servers]) => [site, learnedOf(servers)]),
    );
  }

  /** Records taken since the run started (the idle flush only runs when there is something to close). */
  get holding(): number {
    return this.taken;
  }

  /** The offset of the next record this partition expects (null before the first). */
  get position(): number | null {
    return this.next ?? this.from;
  }

  /** The newest event time of any server of the partition's sites (−∞ before one), as each site's clocks read it. */
  get newestServerTime(): number {
    let newest = Number.NEGATIVE_INFINITY;
    for (const s of this.sites.values()) newest = Math.max(newest, s.newestServerTime);
    return newest;
  }

  /**
   * What the IIS joins of the partition's sites learned of their DA servers so far, by site; for a site with no event
   * since the last flush, what was carried over it (so that a gauge of it does not come and go with each quiet spell).
   */
  learnedServers(): { site: string; servers: LearnedServer[] }[] {
    const live = [...this.sites].map(([site, stream]) => ({ site, servers: stream.learnedServers() }));
    for (const [site, servers] of this.carriedServers)
      if (!this.sites.has(site)) live.push({ site, servers: [...servers] });
    return live;
  }

  /** Attempts open in this partition's engines. */
  get openAttempts(): number {
    let n = 0;
    for (const s of this.sites.values()) n += s.openAttempts;
    return n;
  }

  /** Take records in offset order. */
  take(records: readonly StreamRecord[]): PartitionStep {
    const units: SiteUnit[] = [];
    const drops: Drop[] = [];
    let invalid = 0;
    let changed = false;
    for (const r of records) {
      if (this.next !== null && r.offset < this.next) continue; // already taken (a re-delivered batch)
      this.from ??= r.offset;
      this.next = r.offset + 1;
      this.taken++;
      for (const event of r.events) {
        if (event === null) invalid++;
        else changed = this.admit(r.site, this.siteOf(r.site).take(event), units, drops) || changed;
      }
    }
    return { units, drops, invalid, commit: changed ? this.commit() : null };
  }

  /**
   * End of input (the stream went quiet): close every site as offline closes at the end of its files, then start a
   * new run after the last record taken, with empty engines; the NPS log offsets the sites learned carry over.
   */
  flush(): PartitionStep {
    const units: SiteUnit[] = [];
    const drops: Drop[] = [];
    for (const [site, stream] of this.sites) this.admit(site, stream.flush(), units, drops);
    if (this.next !== null) this.from = this.next;
    // What the sites learned of their NPS servers' clocks goes on to the next run (and into its checkpoint).
    for (const [site, stream] of this.sites) {
      const learned = stream.npsClocks();
      // As the checkpoint holds them, so that this run's next and a new owner's rebuild start alike.
      const asCommitted = [...learned].map(([server, clock]) => [server, clockOf(entryOf(clock))] as const);
      if (learned.size > 0) this.carried.set(site, new Map([...(this.carried.get(site) ?? []), ...asCommitted]));
      // The engine's own `learnedServers()` keeps what it was started with until it learned otherwise.
      const servers = learnedOf(entriesOf(stream.learnedServers()));
      if (servers.length > 0) this.carriedServers.set(site, servers);
      else this.carriedServers.delete(site);
    }
    // Within the metadata's budget: the DA servers of which nothing but their being one was learned go first (a
    // server is one again with its next IIS request), then the other DA servers, then the NPS offsets.
    const size = () => JSON.stringify([this.npsOffsets() ?? {}, this.daServers() ?? {}]).length;
    if (size() > MAX_LEARNED_CHARS)
      for (const [site, servers] of this.carriedServers) {
        const kept = servers.filter((s) => s.offsetMs !== 0 || s.radiusClients.length > 0 || s.npsAddresses?.length);
        if (kept.length > 0) this.carriedServers.set(site, kept);
        else this.carriedServers.delete(site);
      }
    if (size() > MAX_LEARNED_CHARS) this.carriedServers.clear();
    if (size() > MAX_LEARNED_CHARS) this.carried.clear();
    this.sites.clear();
    this.published = 0;
    this.skip = 0;
    this.taken = 0;
    return { units, drops, invalid: 0, commit: this.from === null ? null : this.commit() };
  }

  private siteOf(site: string): SiteStream {
    let s = this.sites.get(site);
    if (s === undefined) {
      s = new SiteStream(this.settings, this.carried.get(site), this.carriedServers.get(site));
      this.sites.set(site, s);
    }
    return s;
  }

  /** Counts the site's units and keeps those not published before; true when the count moved past the checkpoint. */
  private admit(site: string, out: SiteOutput, units: SiteUnit[], drops: Drop[]): boolean {
    for (const d of out.drops) drops.push(d);
    for (const u of out.units) if (this.published++ >= this.skip) units.push({ ...u, site });
    return out.units.length > 0 && this.published > this.skip;
  }

  private commit(): Commit {
    const published = Math.max(this.published, this.skip);
    const npsOffsets = this.npsOffsets();
    const daServers = this.daServers();
    const checkpoint: Checkpoint = {
      from: this.from!,
      published,
      ...(npsOffsets === undefined ? {} : { npsOffsets }),
      ...(daServers === undefined ? {} : { daServers }),
    };
    return { offset: this.from!, metadata: encodeCheckpoint(checkpoint) };
  }

  /** The carried DA servers as a checkpoint holds them (`DaServerEntry`), or undefined when there are none. */
  private daServers(): Record<string, Record<string, DaServerEntry>> | undefined {
    if (this.carriedServers.size === 0) return undefined;
    const out: Record<string, Record<string, DaServerEntry>> = {};
    for (const [site, servers] of this.carriedServers) out[site] = entriesOf(servers);
    return out;
  }

  /** The carried NPS clocks as a checkpoint holds them (`NpsOffsetEntry`), or undefined when there are none. */
  private npsOffsets(): Record<string, Record<string, NpsOffsetEntry>> | undefined {
    if (this.carried.size === 0) return undefined;
    const out: Record<string, Record<string, NpsOffsetEntry>> = {};
    for (const [site, servers] of this.carried)
      out[site] = Object.fromEntries([...servers].map(([server, clock]) => [server, entryOf(clock)]));
    return out;
  }
}

/** A server's clock as a checkpoint entry: minutes, with the last record's time and step (whole ms) when known. */
function entryOf({ offsetMs, lastRead, step }: NpsServerClock): NpsOffsetEntry {
  const minutes = Math.round(offsetMs / 60_000);
  if (lastRead === undefined) return minutes;
  return step === undefined ? [minutes, Math.round(lastRead)] : [minutes, Math.round(lastRead), Math.round(step)];
}

function clockOf(entry: NpsOffsetEntry): NpsServerClock {
  if (typeof entry === 'number') return { offsetMs: entry * 60_000 };
  const [minutes, lastRead, step] = entry;
  return step === undefined ? { offsetMs: minutes * 60_000, lastRead } : { offsetMs: minutes * 60_000, lastRead, step };
}

/**
 * Learned DA servers as a checkpoint holds them: by server, the offset in whole ms, the lined-up client addresses,
 * the addresses NPS named it by.
 */
function entriesOf(servers: readonly LearnedServer[]): Record<string, DaServerEntry> {
  return Object.fromEntries(
    servers.map((s) => [s.server, [Math.round(s.offsetMs), [...s.radiusClients], [...(s.npsAddresses ?? [])]]]),
  );
}

function learnedOf(entries: Readonly<Record<string, DaServerEntry>>): LearnedServer[] {
  return Object.entries(entries).map(([server, [offsetMs, radiusClients, npsAddresses]]) => ({
    server,
    offsetMs,
    radiusClients,
    npsAddresses,
  }));
}
