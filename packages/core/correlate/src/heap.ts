/** A binary min-heap: the reorder buffer that hands events out in event-time order, and the close queue. */
export class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    let i = a.length;
    a.push(item);
    // Move parents down until the item's place is found, then put it there once.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent]!;
      if (!this.before(item, p)) break;
      a[i] = p;
      i = parent;
    }
    a[i] = item;
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    const n = a.length;
    if (n > 0 && last !== undefined) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && this.before(a[r]!, a[l]!) ? r : l;
        if (!this.before(a[m]!, last)) break;
        a[i] = a[m]!;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

/** Event-time order with a stable tie-break on the event's identity. */
export function eventBefore(a: { time: number; id: string }, b: { time: number; id: string }): boolean {
  return a.time < b.time || (a.time === b.time && a.id < b.id);
}

/**
 * A binary min-heap of items by a number given with each (then `tieBefore` for equal numbers): the numbers are kept
 * in one typed array beside the items, so that a sift compares contiguous numbers instead of reading each item (and
 * its boxed number) from wherever it lies in the heap.
 */
export class KeyedMinHeap<T> {
  private items: (T | undefined)[] = [];
  private keys = new Float64Array(64);
  private count = 0;
  constructor(private readonly tieBefore: (a: T, b: T) => boolean = NEVER) {}

  get size(): number {
    return this.count;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[0];
  }

  clear(): void {
    this.items = [];
    this.count = 0;
  }

  /** The number of the item `peek()` gives (NaN when empty). */
  peekKey(): number {
    return this.count === 0 ? Number.NaN : this.keys[0]!;
  }

  push(item: T, key: number): void {
    if (this.count === this.keys.length) {
      const keys = new Float64Array(this.keys.length * 2);
      keys.set(this.keys);
      this.keys = keys;
    }
    const { items, keys } = this;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const k = keys[parent]!;
      if (!(key < k || (key === k && this.tieBefore(item, items[parent]!)))) break;
      items[i] = items[parent];
      keys[i] = k;
      i = parent;
    }
    items[i] = item;
    keys[i] = key;
  }

  pop(): T | undefined {
    if (this.count === 0) return undefined;
    const { items, keys } = this;
    const top = items[0];
    const n = --this.count;
    const last = items[n]!;
    const key = keys[n]!;
    items[n] = undefined;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && this.before(r, l) ? r : l;
        const k = keys[m]!;
        if (!(k < key || (k === key && this.tieBefore(items[m]!, last)))) break;
        items[i] = items[m];
        keys[i] = k;
        i = m;
      }
      items[i] = last;
      keys[i] = key;
    }
    return top;
  }

  private before(i: number, j: number): boolean {
    const ki = this.keys[i]!;
    const kj = this.keys[j]!;
    return ki < kj || (ki === kj && this.tieBefore(this.items[i]!, this.items[j]!));
  }
}

const NEVER = (): boolean => false;
