import { z } from 'zod';

/**
 * A fast yes-or-ask check compiled from a zod schema, for a hot path that validates many values parsed from JSON (the
 * correlator's events). `true` promises, for a value JSON.parse made, that `schema.safeParse(value)` succeeds and that
 * its data equals `value`: the same keys with the same values (zod's copies list the keys in the schema's order; key
 * order aside, the value can be used as it is). `false` promises nothing: ask the schema. The schema stays the source
 * of truth: the guard is built from the schema's own definition, and a construct it does not model (a transform, a
 * default, a refinement, a coercion, a catch-all, a check it does not know) gives no guard at all.
 *
 * Why: zod's safeParse of an event copies every object and runs its checks through generic machinery, about five
 * times the cost of the guard's typeof tests on the object JSON.parse already made (bench/README.md).
 */
export type ExactGuard = (value: unknown) => boolean;

/** The guard of `schema`, or null when the schema uses a construct the guard does not model. */
export function exactGuard(schema: z.ZodType): ExactGuard | null {
  return compile(schema as unknown as Node);
}

/**
 * `schema`'s parse of `value`, through the guard when it says yes (`value` itself, no copy), else through
 * `safeParse` (its data, or null when `value` is not valid).
 */
export function guardedParser<T>(schema: z.ZodType<T>): (value: unknown) => T | null {
  const guard = exactGuard(schema);
  const slow = (value: unknown): T | null => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : null;
  };
  if (guard === null) return slow;
  return (value) => (guard(value) ? (value as T) : slow(value));
}

/** The part of zod's internal definition the guard reads (zod 4: `schema._zod.def`, `check._zod.def`). */
interface Node {
  _zod: { def: Def };
}
interface Def {
  type: string;
  coerce?: boolean;
  checks?: Node[];
  check?: string;
  format?: string;
  value?: unknown;
  inclusive?: boolean;
  minimum?: number;
  when?: unknown;
  shape?: Record<string, Node>;
  catchall?: Node;
  innerType?: Node;
  values?: unknown[];
  entries?: Record<string, unknown>;
  options?: Node[];
  discriminator?: string;
  unionFallback?: boolean;
}

type Test = (value: unknown) => boolean;

/**
 * The guard is generated as code, one function per object and union of the schema, with the property names written
 * in: V8 then keeps each property read and each for-in monomorphic (closures made from one function literal would
 * share their type feedback, and a shared for-in over seven kinds of event costs more than zod's parse).
 */
class Source {
  readonly deps: unknown[] = [];
  /** A value the generated code reads as `d[i]`. */
  dep(value: unknown): string {
    this.deps.push(value);
    return `d[${this.deps.length - 1}]`;
  }
  /** Compiles `body`, a function of `v` that may read `d`. */
  build(body: string): Test {
    return new Function('d', `"use strict"; return function guard(v) {\n${body}\n};`)(this.deps) as Test;
  }
}

function compile(node: Node): Test | null {
  const source = new Source();
  const test = expression(node, 'v', source);
  return test === null ? null : source.build(`return ${test};`);
}

/** A JavaScript expression, true when the value in variable `x` passes `node` (null: not modelled). */
function expression(node: Node, x: string, source: Source): string | null {
  const def = node._zod.def;
  if (def.coerce) return null;
  switch (def.type) {
    case 'string':
      return withChecks(def, `typeof ${x} === "string"`, x, source);
    case 'number':
      // zod 4's number takes finite numbers only.
      return withChecks(def, `typeof ${x} === "number" && Number.isFinite(${x})`, x, source);
    case 'boolean':
      return noChecks(def) ? `typeof ${x} === "boolean"` : null;
    case 'null':
      return noChecks(def) ? `${x} === null` : null;
    case 'literal':
      return noChecks(def) ? oneOf(def.values ?? [], x, source) : null;
    case 'enum': {
      // String enums only: a numeric TypeScript enum's entries hold reverse mappings zod leaves out.
      const values = Object.values(def.entries ?? {});
      return noChecks(def) && values.every((v) => typeof v === 'string') ? oneOf(values, x, source) : null;
    }
    case 'nullable': {
      const inner = noChecks(def) && def.innerType !== undefined ? expression(def.innerType, x, source) : null;
      return inner === null ? null : `(${x} === null || (${inner}))`;
    }
    case 'object': {
      const test = compileObject(def);
      return test === null ? null : `${source.dep(test)}(${x})`;
    }
    case 'union': {
      const test = compileDiscriminated(def);
      return test === null ? null : `${source.dep(test)}(${x})`;
    }
    default:
      return null;
  }
}

function noChecks(def: Def): boolean {
  return def.checks === undefined || def.checks.length === 0;
}

/** One of a few primitive literals (zod compares with SameValueZero, as Set does; for strings that is ===). */
function oneOf(values: readonly unknown[], x: string, source: Source): string | null {
  if (values.length === 0) return null;
  if (values.every((v) => typeof v === 'string'))
    return `(${values.map((v) => `${x} === ${JSON.stringify(v)}`).join(' || ')})`;
  if (!values.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) return null;
  return `${source.dep(new Set(values))}.has(${x})`;
}

/** The checks of a string or number the guard models; any other check (or a conditional one) gives no guard. */
function withChecks(def: Def, base: string, x: string, source: Source): string | null {
  const tests = [base];
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    // A length check applies when the value has a length (zod's own default condition); any other condition: no guard.
    if (c.when !== undefined && !(c.check === 'min_length' && c.when === DEFAULT_LENGTH_WHEN)) return null;
    if (c.check === 'number_format' && c.format === 'safeint') tests.push(`Number.isSafeInteger(${x})`);
    else if ((c.check === 'greater_than' || c.check === 'less_than') && typeof c.value === 'number') {
      const op = c.check === 'greater_than' ? (c.inclusive ? '>=' : '>') : c.inclusive ? '<=' : '<';
      tests.push(`${x} ${op} ${source.dep(c.value)}`);
    } else if (c.check === 'min_length' && Number.isSafeInteger(c.minimum) && def.type === 'string') {
      // zod counts code points: twice the minimum in UTF-16 units always has enough, fewer than it never has.
      const m = c.minimum as number;
      tests.push(`(${x}.length >= ${2 * m} || (${x}.length >= ${m} && ${source.dep(codePoints)}(${x}) >= ${m}))`);
    } else return null;
  }
  return tests.join(' && ');
}

/** The condition zod gives a length check by default (read off a check made here: zod does not export it). */
const DEFAULT_LENGTH_WHEN = (z.string().min(1) as unknown as Node)._zod.def.checks?.[0]?._zod.def.when;

/** Code points of `s`, a surrogate pair counting once (a lone surrogate counts as one). */
function codePoints(s: string): number {
  let count = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  }
  return count;
}

/**
 * A plain object with the shape's keys and no other: zod strips unknown keys (the copy would differ), so an object
 * with one is left to the schema. Every test fails on `undefined`, so a required key must be there.
 */
function compileObject(def: Def): Test | null {
  if (def.catchall !== undefined || !noChecks(def) || def.shape === undefined) return null;
  const source = new Source();
  const lines = [
    // A plain object (an array, or anything with another prototype, is left to the schema).
    'if (typeof v !== "object" || v === null) return false;',
    'const p = Object.getPrototypeOf(v);',
    'if (p !== Object.prototype && p !== null) return false;',
  ];
  let required = 0;
  const optional: string[] = [];
  for (const [i, [key, node]] of Object.entries(def.shape).entries()) {
    // A key Object.prototype has would read through to it when absent.
    if (key in Object.prototype) return null;
    const inner = node._zod.def;
    const isOptional = inner.type === 'optional';
    if (isOptional && (!noChecks(inner) || inner.innerType === undefined)) return null;
    const test = expression(isOptional ? (inner.innerType as Node) : node, `x${i}`, source);
    if (test === null) return null;
    const name = JSON.stringify(key);
    lines.push(`const x${i} = v[${name}];`);
    if (isOptional) {
      // Present, it must be valid; absent (or `undefined`, which the count below then refuses), it is not counted.
      optional.push(`x${i}`);
      lines.push(`if (x${i} !== undefined && !(${test})) return false;`);
    } else {
      required++;
      lines.push(`if (!(${test})) return false;`);
    }
  }
  // Every key read above is the object's own (Object.prototype has none of them): no other key may be there.
  const present = [String(required), ...optional.map((x) => `(${x} !== undefined ? 1 : 0)`)].join(' + ');
  lines.push('let keys = 0;', 'for (const _ in v) keys++;', `return keys === ${present};`);
  return source.build(lines.join('\n'));
}

/** A discriminated union on string tags: the option its tag names (zod picks the same one). */
function compileDiscriminated(def: Def): Test | null {
  const key = def.discriminator;
  if (key === undefined || def.unionFallback || !noChecks(def) || def.options === undefined) return null;
  const source = new Source();
  const cases: string[] = [];
  const seen = new Set<unknown>();
  for (const option of def.options) {
    const odef = option._zod.def;
    const tag = odef.type === 'object' ? odef.shape?.[key]?._zod.def : undefined;
    if (tag?.type !== 'literal' || tag.values === undefined) return null;
    const test = compileObject(odef);
    if (test === null) return null;
    for (const value of tag.values) {
      if (typeof value !== 'string' || seen.has(value)) return null;
      seen.add(value);
      cases.push(`case ${JSON.stringify(value)}: return ${source.dep(test)}(v);`);
    }
  }
  return source.build(
    [
      'if (typeof v !== "object" || v === null) return false;',
      `switch (v[${JSON.stringify(key)}]) {`,
      ...cases,
      'default: return false;',
      '}',
    ].join('\n'),
  );
}
