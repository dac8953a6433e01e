/**
 * Sorts `items` in place, stably, by `compare`, and returns them: what `Array#sort` gives for a consistent comparator
 * (and finite event times are). An attempt's drafts and events are a handful, and `Array#sort` allocates a work array
 * per call, which was the largest allocation of building a fleet's spans (issue 16 item 6); above a few dozen
 * elements it is used as is.
 */
export function sortSmall<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > 32) return items.sort(compare);
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!;
    let j = i - 1;
    while (j >= 0 && compare(items[j]!, item) > 0) {
      items[j + 1] = items[j]!;
      j--;
    }
    items[j + 1] = item;
  }
  return items;
}

/** The first of the smallest items by `compare` (what a stable sort puts first), or undefined when there is none. */
export function firstSmallest<T>(items: readonly T[], compare: (a: T, b: T) => number): T | undefined {
  let best = items[0];
  for (let i = 1; i < items.length; i++) if (compare(items[i]!, best!) < 0) best = items[i];
  return best;
}
