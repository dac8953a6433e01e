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
