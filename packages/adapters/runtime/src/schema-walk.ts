import type { z } from 'zod';

/** One leaf option of a configuration schema, as `--help` and environment overrides see it. */
export interface OptionInfo {
  /** Dotted path in the configuration file, e.g. `kafka.brokers`. */
  path: string[];
  kind: 'string' | 'number' | 'boolean' | 'array' | 'record' | 'enum' | 'object' | 'other';
  description: string;
  /** JSON of the default value, when the option has one. */
  defaultJson: string | undefined;
  nullable: boolean;
}

type AnySchema = z.ZodType;
interface Def {
  type: string;
  innerType?: AnySchema;
  defaultValue?: unknown;
  shape?: Record<string, AnySchema>;
  in?: AnySchema;
  entries?: Record<string, string>;
  options?: AnySchema[];
}

const def = (schema: AnySchema): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch']);

/** Strips default/optional/nullable/pipe wrappers, keeping the first description and default met on the way. */
export function unwrap(schema: AnySchema): {
  inner: AnySchema;
  description: string;
  defaultValue: unknown;
  nullable: boolean;
} {
  let current = schema;
  let description = schema.description ?? '';
  let defaultValue: unknown;
  let nullable = false;
  for (let depth = 0; depth < 10; depth++) {
    const d = def(current);
    if ((d.type === 'default' || d.type === 'prefault') && defaultValue === undefined) defaultValue = d.defaultValue;
    if (d.type === 'nullable') nullable = true;
    const next = WRAPPERS.has(d.type) ? d.innerType : d.type === 'pipe' ? d.in : undefined;
    if (!next) break;
    current = next;
    if (!description && current.description) description = current.description;
  }
  return { inner: current, description, defaultValue, nullable };
}

function kindOf(type: string): OptionInfo['kind'] {
  if (['string', 'number', 'boolean', 'array', 'record', 'enum', 'object'].includes(type))
    return type as OptionInfo['kind'];
  if (type === 'int' || type === 'bigint') return 'number';
  if (type === 'literal' || type === 'union') return 'other';
  return 'other';
}

/** Every leaf option of an object schema, depth first, in declaration order. */
export function listOptions(schema: AnySchema, prefix: string[] = [], inherited?: unknown): OptionInfo[] {
  const unwrapped = unwrap(schema);
  const { inner, description, nullable } = unwrapped;
  // A parent's default object (e.g. a topic's prefault) overrides its fields' own defaults.
  const defaultValue = inherited !== undefined ? inherited : unwrapped.defaultValue;
  const d = def(inner);
  if (d.type === 'object' && d.shape) {
    const parentDefault = typeof defaultValue === 'object' && defaultValue !== null ? defaultValue : {};
    // A nullable object (e.g. SASL credentials) is one option in env overrides but its fields are still documented.
    return Object.entries(d.shape).flatMap(([key, child]) =>
      listOptions(child, [...prefix, key], (parentDefault as Record<string, unknown>)[key]),
    );
  }
  return [
    {
      path: prefix,
      kind: kindOf(d.type),
      description,
      defaultJson: defaultValue === undefined ? undefined : JSON.stringify(defaultValue),
      nullable,
    },
  ];
}

/** The kind of the option at `path`, or undefined when the schema has no such option. */
export function kindAt(schema: AnySchema, path: readonly string[]): OptionInfo['kind'] | undefined {
  let current = schema;
  for (const key of path) {
    const d = def(unwrap(current).inner);
    const child = d.type === 'object' ? d.shape?.[key] : undefined;
    if (!child) return undefined;
    current = child;
  }
  return kindOf(def(unwrap(current).inner).type);
}
