/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32). The generator never touches
 * Math.random: the same seed gives the same fleet, byte for byte.
 */
export interface Prng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `digits` lower-case hex digits. */
  hex(digits: number): string;
  /** An independent generator derived from this one (so adding draws in one place does not shift another). */
  fork(): Prng;
}

/** A value chosen with a relative weight. */
export interface Weighted<T> {
  readonly weight: number;
  readonly value: T;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Create a generator from an integer seed. */
export function createPrng(seed: number): Prng {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  // Warm up: sfc32's first outputs are correlated with the seed words.
  for (let i = 0; i < 12; i++) nextU32();
  const next = (): number => nextU32() / 4294967296;
  const prng: Prng = {
    next,
    int: (maxExclusive) => Math.floor(next() * maxExclusive),
    between: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    hex: (digits) => {
      let out = '';
      while (out.length < digits) out += nextU32().toString(16).padStart(8, '0');
      return out.slice(0, digits);
    },
    fork: () => createPrng(nextU32()),
  };
  return prng;
}

/** Choose a value by relative weights (weights need not sum to 1). */
export function pickWeighted<T>(rng: Prng, items: readonly Weighted<T>[]): T {
  let total = 0;
  for (const item of items) total += item.weight;
  let roll = rng.next() * total;
  for (const item of items) {
    roll -= item.weight;
    if (roll < 0) return item.value;
  }
  return (items[items.length - 1] as Weighted<T>).value;
}
