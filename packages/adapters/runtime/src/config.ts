import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { kindAt, listOptions } from './schema-walk.js';

/** A configuration that failed validation; the message lists every problem, one per line. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Name of the environment variable that overrides the option at `path`: OTPTRACE_KAFKA__BROKERS for kafka.brokers. */
export function envNameFor(prefix: string, path: readonly string[]): string {
  return `${prefix}${path.map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('__')}`;
}

// Environment values are text; the schema says what each should become. Arrays take JSON or a comma list.
function coerce(kind: string | undefined, text: string): unknown {
  if (kind === 'number') return text.trim() === '' ? text : Number(text);
  if (kind === 'boolean') return ['1', 'true', 'yes', 'on'].includes(text.toLowerCase());
  if (kind === 'array') {
    if (text.trim().startsWith('[')) return JSON.parse(text);
    return text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  }
  if (kind === 'object' || kind === 'record' || kind === 'other') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}

/**
 * Applies `PREFIX` + upper-snake path (`__` between levels) environment variables over a raw configuration object.
 * Whole objects can be set too (OTPTRACE_KAFKA__SASL='{"mechanism":"plain",...}'). Returns the names applied.
 */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  schema: z.ZodType,
  env: Readonly<Record<string, string | undefined>>,
  prefix: string,
): string[] {
  const applied: string[] = [];
  // Shallow paths first, so OTPTRACE_KAFKA__SASL__PASSWORD lands inside an object set by OTPTRACE_KAFKA__SASL,
  // whatever order the environment lists them in.
  const depth = (name: string) => name.split('__').length;
  const entries = Object.entries(env).sort(([a], [b]) => depth(a) - depth(b));
  for (const [name, text] of entries) {
    if (!name.startsWith(prefix) || text === undefined) continue;
    const path = name
      .slice(prefix.length)
      .split('__')
      .map((part) => part.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    const kind = kindAt(schema, path);
    if (kind === undefined) continue;
    setPath(raw, path, coerce(kind, text));
    applied.push(name);
  }
  return applied;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Where a service's configuration comes from. */
export interface ConfigSource {
  /** JSON configuration file; absent = defaults plus environment. */
  file?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Environment prefix, e.g. `OTPTRACE_COLLECTOR_`. */
  envPrefix: string;
}

/** Reads the file, applies environment overrides, validates once and freezes; throws ConfigError listing every problem. */
export function loadConfig<S extends z.ZodType>(schema: S, source: ConfigSource): z.infer<S> {
  let raw: Record<string, unknown> = {};
  if (source.file) {
    try {
      raw = JSON.parse(readFileSync(source.file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError([`${source.file}: ${(error as Error).message}`]);
    }
  }
  applyEnvOverrides(raw, schema, source.env, source.envPrefix);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }
  return deepFreeze(parsed.data);
}

/**
 * The options section of `--help`: every option with its type, default, environment variable and description.
 * `docs` supplies descriptions, by dotted path, for options whose schema carries none.
 */
export function describeOptions(
  schema: z.ZodType,
  envPrefix: string,
  docs: Readonly<Record<string, string>> = {},
): string {
  return listOptions(schema)
    .map((option) => {
      const description = option.description || docs[option.path.join('.')] || '(undocumented)';
      const head = `  ${option.path.join('.')} (${option.kind}${option.nullable ? ', nullable' : ''})`;
      const def = option.defaultJson === undefined ? '' : `  default: ${option.defaultJson}`;
      return `${head}${def}\n      env ${envNameFor(envPrefix, option.path)}\n      ${description}`;
    })
    .join('\n');
}
