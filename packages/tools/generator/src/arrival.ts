/**
 * Items (events) in the order a live forwarding stream delivers them: by when each is sent (its time, unless its
 * machine's clock is wrong), each up to `jitterMs` late, a deterministic shuffle within that bound (a linear
 * congruential sequence from `seed`), as several forwarders interleave. The tests and benchmarks of the stream feed
 * it so.
 */
export function arrivalOrder<T extends { readonly time: number }>(
  items: readonly T[],
  jitterMs: number,
  seed = 1,
  sentAt: (item: T) => number = (item) => item.time,
): T[] {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return items
    .map((item) => ({ item, at: sentAt(item) + Math.floor(next() * jitterMs) }))
    .sort((x, y) => x.at - y.at)
    .map((x) => x.item);
}
