/** Where an item is: the items of its bucket (with their times), and that bucket's scope and number. */
export interface TimePlace<T> {
  readonly items: Map<T, number>;
  readonly scope: string;
  readonly bucket: number;
}

/**
 * Items by scope (e.g. a host) and by one time each, in buckets of `bucketMs`: a query for a time window reads the
 * buckets it overlaps, so its cost follows the items in that window, not all items. The caller keeps each item's
 * place (what `move` returns) and hands it back to move the item again, so a move costs no look-up of the item.
 */
export class TimeIndex<T> {
  /** Per scope, per bucket: the items and their times. */
  private readonly scopes = new Map<string, Map<number, Map<T, number>>>();

  constructor(private readonly bucketMs: number) {}

  /** Put `item` (now at `place`, or nowhere) at `time` in `scope`, or take it out (`time` null); returns its place. */
  move(item: T, place: TimePlace<T> | null, scope: string, time: number | null): TimePlace<T> | null {
    if (place === null && time === null) return null;
    const bucket = time === null ? 0 : Math.floor(time / this.bucketMs);
    if (place !== null) {
      if (time !== null && place.scope === scope && place.bucket === bucket) {
        place.items.set(item, time);
        return place;
      }
      place.items.delete(item);
      if (place.items.size === 0) {
        const buckets = this.scopes.get(place.scope)!;
        buckets.delete(place.bucket);
        if (buckets.size === 0) this.scopes.delete(place.scope);
      }
    }
    if (time === null) return null;
    let buckets = this.scopes.get(scope);
    if (buckets === undefined) {
      buckets = new Map();
      this.scopes.set(scope, buckets);
    }
    let items = buckets.get(bucket);
    if (items === undefined) {
      items = new Map();
      buckets.set(bucket, items);
    }
    items.set(item, time);
    return { items, scope, bucket };
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
