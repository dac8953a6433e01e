import { describe, expect, it } from 'vitest';
import { firstSmallest, sortSmall } from '../src/sort.js';

interface Item {
  readonly key: number;
  readonly tag: number;
}

const byKey = (a: Item, b: Item) => a.key - b.key;

/** A deterministic pseudo-random list with many equal keys, so that stability shows. */
function items(n: number, seed: number): Item[] {
  let x = seed;
  return Array.from({ length: n }, (_, tag) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return { key: x % 5, tag };
  });
}

describe('sortSmall', () => {
  it('gives what the stable Array#sort gives, in place, small and large', () => {
    for (const n of [0, 1, 2, 3, 5, 8, 17, 32, 33, 100]) {
      for (const seed of [1, 7, 42]) {
        const list = items(n, seed);
        const expected = [...list].sort(byKey);
        const result = sortSmall(list, byKey);
        expect(result).toBe(list);
        expect(result).toEqual(expected);
      }
    }
  });
});

describe('firstSmallest', () => {
  it('is the first element a stable sort gives', () => {
    for (const n of [1, 2, 5, 20]) {
      const list = items(n, n);
      expect(firstSmallest(list, byKey)).toBe([...list].sort(byKey)[0]);
    }
    expect(firstSmallest([], byKey)).toBeUndefined();
  });
});
