/**
 * Where one item is in a `TimeIndex`: its time, scope and bucket, and its position in that bucket. The item keeps its
 * place (from `TimeIndex.place`) for its whole life and hands it back on every move, so a move allocates nothing and
 * looks nothing up unless the item changes bucket.
 */
export interface TimePlace<T> {
  readonly item: T;
  time: number;
  scope: string;
  bucketNo: number;
  /** The bucket the item shares with others, and its index there; null while it is alone in its bucket or in none. */
  bucket: TimePlace<T>[] | null;
  /** Its index in `bucket`, or ALONE (its bucket is the place itself) or OUT (in no bucket). */
  pos: number;
}

/**
 * A bucket: the place of its only item, or the places of its items (in no particular order). Most buckets of a second
 * or two hold one attempt, and an array for it cost 56 bytes more (its header and its elements).
 */
type Bucket<T> = TimePlace<T> | TimePlace<T>[];

const OUT = -1;
const ALONE = -2;

/**
 * Items by scope (e.g. a host) and by one time each, in buckets of `bucketMs`: a query for a time window reads the
 * buckets it overlaps, so its cost follows the items in that window, not all items.
 */
export class TimeIndex<T> {
  /** Per scope, per bucket number: the places of the items in it (in no particular order). */
  private readonly scopes = new Map<string, Map<number, Bucket<T>>>();
  /** The same per-scope maps in a list, read by a query of every scope (no callback, no iterator per query). */
  private readonly scopeList: Map<number, Bucket<T>>[] = [];
  /** Items in the index, of every scope. */
  private count = 0;

  constructor(private readonly bucketMs: number) {}

  /** A new place for `item`, in no bucket yet. */
  static place<T>(item: T): TimePlace<T> {
    return { item, time: 0, scope: '', bucketNo: 0, bucket: null, pos: OUT };
  }

  /** Put the item of `place` at `time` in `scope`, or take it out (`time` null). */
  move(place: TimePlace<T>, scope: string, time: number | null): void {
    if (time === null) {
      if (place.pos !== OUT) this.takeOut(place);
      return;
    }
    const bucketNo = Math.floor(time / this.bucketMs);
    place.time = time;
    if (place.pos !== OUT) {
      if (place.bucketNo === bucketNo && place.scope === scope) return;
      this.takeOut(place);
    }
    let buckets = this.scopes.get(scope);
    if (buckets === undefined) {
      buckets = new Map();
      this.scopes.set(scope, buckets);
      this.scopeList.push(buckets);
    }
    place.scope = scope;
    place.bucketNo = bucketNo;
    const bucket = buckets.get(bucketNo);
    if (bucket === undefined) {
      buckets.set(bucketNo, place);
      place.bucket = null;
      place.pos = ALONE;
    } else if (Array.isArray(bucket)) {
      place.bucket = bucket;
      place.pos = bucket.length;
      bucket.push(place);
    } else {
      // A second item: an array of exactly two (one made empty gets room for 16 at its first push).
      const pair = [bucket, place];
      buckets.set(bucketNo, pair);
      bucket.bucket = pair;
      bucket.pos = 0;
      place.bucket = pair;
      place.pos = 1;
    }
    this.count++;
  }

  /**
   * Items of `scope` (every scope when null) whose time lies in [lo, hi] and that `accept` takes, in no particular
   * order, added to `found`. The caller's filter is applied here, so that a wide window builds no long list.
   */
  within(scope: string | null, lo: number, hi: number, accept: (item: T) => boolean = ANY, found: T[] = []): T[] {
    if (hi < lo) return found;
    if (scope !== null) this.collect(this.scopes.get(scope), lo, hi, accept, found);
    else for (let i = 0; i < this.scopeList.length; i++) this.collect(this.scopeList[i], lo, hi, accept, found);
    return found;
  }

  /**
   * Items of `scope` with times in [lo, hi], nearest `t` first, a ring of buckets at a time: `NearestFirst.load`
   * adds the next ring's items to a list and says how near `t` any item not yet loaded can be. A query that stops
   * at the nearest items it needs reads a few buckets, however many items the window holds.
   */
  nearestFirst(scope: string, t: number, lo: number, hi: number): NearestFirst<T> {
    return new NearestFirst(this.scopes.get(scope), this.count, this.bucketMs, t, lo, hi);
  }

  private takeOut(place: TimePlace<T>): void {
    const bucket = place.bucket;
    let emptied = true;
    if (bucket !== null) {
      // Swap with the last: the order within a bucket carries no meaning.
      const last = bucket.pop()!;
      if (last !== place) {
        bucket[place.pos] = last;
        last.pos = place.pos;
      }
      emptied = bucket.length === 0;
    }
    place.bucket = null;
    place.pos = OUT;
    this.count--;
    if (emptied) {
      const buckets = this.scopes.get(place.scope)!;
      buckets.delete(place.bucketNo);
      if (buckets.size === 0) {
        this.scopes.delete(place.scope);
        // In the order the scopes came (as the map's), so that a query finds the same items in the same order.
        const list = this.scopeList;
        for (let i = list.indexOf(buckets) + 1; i < list.length; i++) list[i - 1] = list[i]!;
        list.length--;
      }
    }
  }

  private collect(
    buckets: Map<number, Bucket<T>> | undefined,
    lo: number,
    hi: number,
    accept: (item: T) => boolean,
    found: T[],
  ): void {
    if (buckets === undefined) return;
    const first = Math.floor(lo / this.bucketMs);
    const last = Math.floor(hi / this.bucketMs);
    // A window wider than the buckets in use (a long IIS request) reads the buckets, not the window.
    if (last - first >= buckets.size) {
      buckets.forEach((bucket, b) => {
        if (b >= first && b <= last) collectItems(bucket, lo, hi, accept, found);
      });
      return;
    }
    for (let b = first; b <= last; b++) {
      const bucket = buckets.get(b);
      if (bucket !== undefined) collectItems(bucket, lo, hi, accept, found);
    }
  }
}

function collectItems<T>(bucket: Bucket<T>, lo: number, hi: number, accept: (item: T) => boolean, found: T[]): void {
  if (!Array.isArray(bucket)) {
    if (bucket.time >= lo && bucket.time <= hi && accept(bucket.item)) found.push(bucket.item);
    return;
  }
  for (let i = 0; i < bucket.length; i++) {
    const p = bucket[i]!;
    if (p.time >= lo && p.time <= hi && accept(p.item)) found.push(p.item);
  }
}

const ANY = (): boolean => true;

/** A nearest-first reading of one scope of a `TimeIndex` (see `TimeIndex.nearestFirst`). */
export class NearestFirst<T> {
  /** The rings loaded so far: buckets [center - ring + 1, center + ring - 1]. */
  private ring = 0;
  private readonly center: number;
  private readonly first: number;
  private readonly last: number;

  constructor(
    private readonly buckets: Map<number, Bucket<T>> | undefined,
    /** Items in the index (of every scope): at least as many as the buckets in use. */
    private readonly items: number,
    private readonly bucketMs: number,
    private readonly t: number,
    private readonly lo: number,
    private readonly hi: number,
  ) {
    this.center = Math.floor(t / bucketMs);
    this.first = Math.floor(lo / bucketMs);
    this.last = Math.floor(hi / bucketMs);
  }

  /**
   * Adds the items of the next ring (in no particular order) to `found`, and returns a bound: every item not loaded
   * yet lies at least that far from `t` (+∞ once all are loaded).
   */
  load(found: T[]): number {
    const buckets = this.buckets;
    if (buckets === undefined || this.lo > this.hi) return Number.POSITIVE_INFINITY;
    const k = this.ring++;
    const below = this.center - k;
    const above = this.center + k;
    if (below < this.first && above > this.last) return Number.POSITIVE_INFINITY;
    // Fewer items than rings left to read (each ring costs up to two look-ups): read the rest at once, in the order
    // the map holds them. Not when the buckets alone are fewer: a few full ones around \`t\` (the last requests of a
    // flood, joined at its end) were all read for each query, where the nearest ring held what it needed.
    if (Math.max(this.center - this.first, this.last - this.center) - k > this.items) {
      buckets.forEach((bucket, b) => {
        if (b >= this.first && b <= this.last && (b <= below || b >= above))
          collectItems(bucket, this.lo, this.hi, ANY, found);
      });
      this.ring = Number.POSITIVE_INFINITY;
      return Number.POSITIVE_INFINITY;
    }
    if (below >= this.first && below <= this.last) {
      const bucket = buckets.get(below);
      if (bucket !== undefined) collectItems(bucket, this.lo, this.hi, ANY, found);
    }
    if (k > 0 && above >= this.first && above <= this.last) {
      const bucket = buckets.get(above);
      if (bucket !== undefined) collectItems(bucket, this.lo, this.hi, ANY, found);
    }
    // Items left lie below bucket `below` (before its start) or above bucket `above` (from its end on).
    const lower = below - 1 < this.first ? Number.POSITIVE_INFINITY : this.t - below * this.bucketMs;
    const upper = above + 1 > this.last ? Number.POSITIVE_INFINITY : (above + 1) * this.bucketMs - this.t;
    return Math.min(lower, upper);
  }
}
