/**
 * Items by scope (e.g. a host) and by one time each, in buckets of `bucketMs`: a query for a time window reads the
 * buckets it overlaps, so its cost follows the items in that window, not all items. An item has at most one place;
 * `set` moves it when its time changes. Queries hand back a superset (whole buckets): callers compare exactly.
 */
export class TimeIndex<T> {
  private readonly scopes = new Map<string, Map<number, Set<T>>>();
  private readonly places = new Map<T, { readonly scope: string; readonly bucket: number; readonly time: number }>();

  constructor(private readonly bucketMs: number) {}

  /** Put `item` at `time` in `scope`, or take it out (`time` null). */
  set(item: T, scope: string, time: number | null): void {
    const place = this.places.get(item);
    const bucket = time === null ? 0 : Math.floor(time / this.bucketMs);
    if (place !== undefined) {
      if (time !== null && place.scope === scope && place.bucket === bucket) {
        if (place.time !== time) this.places.set(item, { scope, bucket, time });
        return;
      }
      const buckets = this.scopes.get(place.scope)!;
      const set = buckets.get(place.bucket)!;
      set.delete(item);
      if (set.size === 0) buckets.delete(place.bucket);
      if (buckets.size === 0) this.scopes.delete(place.scope);
      this.places.delete(item);
    }
    if (time === null) return;
    let buckets = this.scopes.get(scope);
    if (buckets === undefined) {
      buckets = new Map();
      this.scopes.set(scope, buckets);
    }
    const set = buckets.get(bucket);
    if (set === undefined) buckets.set(bucket, new Set([item]));
    else set.add(item);
    this.places.set(item, { scope, bucket, time });
  }

  /** Items of `scope` (every scope when null) whose time lies in [lo, hi], in no particular order. */
  within(scope: string | null, lo: number, hi: number): T[] {
    const found: T[] = [];
    if (hi < lo) return found;
    if (scope !== null) this.collect(this.scopes.get(scope), lo, hi, found);
    else for (const buckets of this.scopes.values()) this.collect(buckets, lo, hi, found);
    return found;
  }

  private collect(buckets: Map<number, Set<T>> | undefined, lo: number, hi: number, found: T[]): void {
    if (buckets === undefined) return;
    const first = Math.floor(lo / this.bucketMs);
    const last = Math.floor(hi / this.bucketMs);
    // A window wider than the buckets in use (a long IIS request) reads the buckets, not the window.
    if (last - first >= buckets.size) {
      for (const [b, set] of buckets) if (b >= first && b <= last) this.collectSet(set, lo, hi, found);
      return;
    }
    for (let b = first; b <= last; b++) {
      const set = buckets.get(b);
      if (set !== undefined) this.collectSet(set, lo, hi, found);
    }
  }

  private collectSet(set: Set<T>, lo: number, hi: number, found: T[]): void {
    for (const item of set) {
      const t = this.places.get(item)!.time;
      if (t >= lo && t <= hi) found.push(item);
    }
  }
}
