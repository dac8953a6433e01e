/** Where an item is: its scope, its time and the bucket of that time. */
interface Place {
  readonly scope: string;
  readonly bucket: number;
}

/**
 * Items by scope (e.g. a host) and by one time each, in buckets of `bucketMs`: a query for a time window reads the
 * buckets it overlaps, so its cost follows the items in that window, not all items. An item has at most one place;
 * `set` moves it when its time changes.
 */
export class TimeIndex<T> {
  /** Per scope, per bucket: the items and their times. */
  private readonly scopes = new Map<string, Map<number, Map<T, number>>>();
  private readonly places = new Map<T, Place>();

  constructor(private readonly bucketMs: number) {}

  /** Put `item` at `time` in `scope`, or take it out (`time` null). */
  set(item: T, scope: string, time: number | null): void {
    const place = this.places.get(item);
    if (place === undefined && time === null) return;
    const bucket = time === null ? 0 : Math.floor(time / this.bucketMs);
    if (place !== undefined) {
      const buckets = this.scopes.get(place.scope)!;
      const items = buckets.get(place.bucket)!;
      if (time !== null && place.scope === scope && place.bucket === bucket) {
        items.set(item, time);
        return;
      }
      items.delete(item);
      if (items.size === 0) buckets.delete(place.bucket);
      if (buckets.size === 0) this.scopes.delete(place.scope);
      this.places.delete(item);
    }
    if (time === null) return;
    let buckets = this.scopes.get(scope);
    if (buckets === undefined) {
      buckets = new Map();
      this.scopes.set(scope, buckets);
    }
    const items = buckets.get(bucket);
    if (items === undefined) buckets.set(bucket, new Map([[item, time]]));
    else items.set(item, time);
    this.places.set(item, { scope, bucket });
  }

  /** Items of `scope` (every scope when null) whose time lies in [lo, hi], in no particular order. */
  within(scope: string | null, lo: number, hi: number): T[] {
    const found: T[] = [];
    if (hi < lo) return found;
    if (scope !== null) this.collect(this.scopes.get(scope), lo, hi, found);
    else for (const buckets of this.scopes.values()) this.collect(buckets, lo, hi, found);
    return found;
  }

  private collect(buckets: Map<number, Map<T, number>> | undefined, lo: number, hi: number, found: T[]): void {
    if (buckets === undefined) return;
    const first = Math.floor(lo / this.bucketMs);
    const last = Math.floor(hi / this.bucketMs);
    // A window wider than the buckets in use (a long IIS request) reads the buckets, not the window.
    if (last - first >= buckets.size) {
      for (const [b, items] of buckets) if (b >= first && b <= last) collectItems(items, lo, hi, found);
      return;
    }
    for (let b = first; b <= last; b++) {
      const items = buckets.get(b);
      if (items !== undefined) collectItems(items, lo, hi, found);
    }
  }
}

function collectItems<T>(items: Map<T, number>, lo: number, hi: number, found: T[]): void {
  for (const [item, t] of items) if (t >= lo && t <= hi) found.push(item);
}
