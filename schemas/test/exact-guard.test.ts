import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { normalizedEventSchema } from '../src/event.js';
import { exactGuard, guardedParser } from '../src/exact-guard.js';

// The guard's promise, for any value JSON.parse gives: true exactly when the schema accepts the value and its parse
// equals it (a key zod would strip, or an invalid value, makes it false).
const guard = exactGuard(normalizedEventSchema)!;
const zodAgrees = (value: unknown): boolean => {
  const parsed = normalizedEventSchema.safeParse(value);
  return parsed.success && isDeepStrictEqual(parsed.data, value);
};

/** Values of a zod schema, built from its definition (the kinds of node the event schema uses). */
// biome-ignore lint/suspicious/noExplicitAny: zod's internal definitions are read loosely here.
function arbitraryOf(schema: any): fc.Arbitrary<unknown> {
  const def = schema._zod.def;
  const checks: { check: string; format?: string; value?: number; minimum?: number }[] = (def.checks ?? []).map(
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    (c: any) => c._zod.def,
  );
  switch (def.type) {
    case 'string': {
      const min = checks.find((c) => c.check === 'min_length')?.minimum ?? 0;
      return fc.string({ minLength: min, maxLength: 12 });
    }
    case 'number': {
      const lo = checks.find((c) => c.check === 'greater_than')?.value;
      if (checks.some((c) => c.format === 'safeint')) return fc.integer({ min: lo ?? -1_000_000, max: 2 ** 40 });
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
    }
    case 'boolean':
      return fc.boolean();
    case 'literal':
      return fc.constantFrom(...def.values);
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries));
    case 'nullable':
      return fc.option(arbitraryOf(def.innerType), { nil: null });
    case 'object': {
      const required: Record<string, fc.Arbitrary<unknown>> = {};
      const optional: string[] = [];
      for (const [key, node] of Object.entries(def.shape)) {
        // biome-ignore lint/suspicious/noExplicitAny: as above.
        const inner = (node as any)._zod.def;
        if (inner.type === 'optional') optional.push(key);
        required[key] = arbitraryOf(inner.type === 'optional' ? inner.innerType : node);
      }
      return fc.record(required, { requiredKeys: Object.keys(required).filter((k) => !optional.includes(k)) });
    }
    case 'union':
      return fc.oneof(...def.options.map(arbitraryOf));
    default:
      throw new Error(`no arbitrary for ${def.type}`);
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to an object or a value inside `value` (the root included). */
function pathsOf(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(value)) for (const [i, v] of value.entries()) out.push(...pathsOf(v, [...at, i]));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...at, k]));
  return out;
}

const kinds = normalizedEventSchema.options.map((o) => o.shape.kind.value);
const strange: Json[] = [
  ...[null, -1, 0, 1.5, -0.5, 2 ** 53, 1e308, '', 'x', '\ud83d\ude00', '\ud83d', true, false],
  ...[{}, [], ['a'], { a: 1 }, ...kinds, 'client', 'gateway', 'radius', 'ca', 'granted', 'issued', 'configured'],
];
const addedKeys = ['extra', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'kind', 'Id', ''];

/** A value of the schema with one thing changed: a value replaced, a key removed, or a key added. */
const mutated = fc
  .tuple(
    arbitraryOf(normalizedEventSchema),
    fc.nat(),
    fc.constantFrom('replace', 'remove', 'add'),
    fc.oneof(fc.constantFrom(...strange), fc.jsonValue() as fc.Arbitrary<Json>),
    fc.constantFrom(...addedKeys),
  )
  .map(([event, pick, how, replacement, key]) => {
    const value = JSON.parse(JSON.stringify(event)) as Json;
    const paths = pathsOf(value);
    const path = paths[pick % paths.length]!;
    if (path.length === 0) return how === 'replace' ? replacement : value;
    let parent = value as Record<string | number, Json>;
    for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, Json>;
    const last = path.at(-1)!;
    if (how === 'replace') parent[last] = replacement;
    else if (how === 'remove') delete parent[last];
    else {
      const target = parent[last];
      // An own property even for '__proto__' (as JSON.parse makes it), not a prototype change.
      if (target !== null && typeof target === 'object' && !Array.isArray(target))
        Object.defineProperty(target, key, {
          value: replacement,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    // What the correlator validates comes from JSON.parse.
    return JSON.parse(JSON.stringify(value)) as unknown;
  });

describe('exactGuard', () => {
  it('is built for the event schema', () => {
    expect(guard).not.toBeNull();
  });

  it('says yes exactly when zod accepts a value and returns it unchanged (valid events)', () => {
    fc.assert(
      fc.property(arbitraryOf(normalizedEventSchema), (event) => {
        const value = JSON.parse(JSON.stringify(event)) as unknown;
        expect(zodAgrees(value)).toBe(true);
        expect(guard(value)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('says yes exactly when zod accepts a value and returns it unchanged (events with one thing changed)', () => {
    let yes = 0;
    let no = 0;
    fc.assert(
      fc.property(mutated, (value) => {
        const verdict = guard(value);
        expect(verdict).toBe(zodAgrees(value));
        if (verdict) yes++;
        else no++;
      }),
      { numRuns: 5_000 },
    );
    // Both answers were exercised.
    expect(Math.min(yes, no)).toBeGreaterThan(500);
  }, 60_000);

  it('counts a minimum length in code points, as zod does', () => {
    for (const minimum of [1, 2, 3]) {
      const schema = z.object({ a: z.string().min(minimum) });
      const check = exactGuard(schema)!;
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 8 }), (a) => {
          expect(check({ a })).toBe(schema.safeParse({ a }).success);
        }),
        { numRuns: 1_000 },
      );
    }
  }, 60_000);

  it('gives no guard for what it does not model', () => {
    expect(exactGuard(z.object({ a: z.string().email() }))).toBeNull();
    expect(exactGuard(z.object({ a: z.string().default('x') }))).toBeNull();
    expect(exactGuard(z.object({ a: z.string().transform((s) => s.length) }))).toBeNull();
    expect(exactGuard(z.object({ a: z.coerce.number() }))).toBeNull();
    expect(exactGuard(z.object({ a: z.number() }).catchall(z.string()))).toBeNull();
    expect(exactGuard(z.object({ a: z.number().refine((n) => n > 1) }))).toBeNull();
    expect(exactGuard(z.object({ constructor: z.string() }))).toBeNull();
  });
});

describe('guardedParser', () => {
  const parse = guardedParser(normalizedEventSchema);

  it('returns the value itself when the guard says yes, else what safeParse returns', () => {
    const [event] = fc.sample(arbitraryOf(normalizedEventSchema), { numRuns: 1, seed: 1 });
    const value = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
    expect(parse(value)).toBe(value);
    const extra = { ...value, extra: 1 };
    expect(parse(extra)).toEqual(value);
    expect(parse({ ...value, time: 'now' })).toBeNull();
  });
});
