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

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/**
 * Environment values are text; the schema says what each should become. Arrays take JSON or a comma list. Throws
 * with a short reason when the text cannot be that (zod then checks ranges, enums and the rest).
 */
function coerce(kind: string, text: string): unknown {
  if (kind === 'number') {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`"${text}" is not a number`);
    return n;
  }
  if (kind === 'boolean') {
    const word = text.trim().toLowerCase();
    if (TRUE_WORDS.includes(word)) return true;
    if (FALSE_WORDS.includes(word)) return false;
    throw new Error(`"${text}" is not a boolean (use true or false)`);
  }
  if (kind === 'array') {
    if (text.trim().startsWith('[')) return parseJson(text, 'a JSON array');
    return text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  }
  if (kind === 'object' || kind === 'record') return parseJson(text, 'a JSON object');
  if (kind === 'other' && /^\s*[[{"]/.test(text)) return parseJson(text, 'JSON');
  return text;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`not ${what}`);
  }
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
 * Whole objects can be set too (OTPTRACE_KAFKA__SASL='{"mechanism":"plain",...}'). Returns the names applied; throws
 * ConfigError, naming each variable, when one names no option or holds a value its option cannot take: a typo in
 * an override must not pass silently.
 */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  schema: z.ZodType,
  env: Readonly<Record<string, string | undefined>>,
  prefix: string,
): string[] {
  const applied: string[] = [];
  const problems: string[] = [];
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
    if (kind === undefined) {
      problems.push(`${name}: names no option${closestOption(schema, prefix, name)} (--help lists them)`);
      continue;
    }
    try {
      setPath(raw, path, coerce(kind, text));
      applied.push(name);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return applied;
}

/** `; did you mean OTPTRACE_KAFKA__BROKERS?` for a variable one or two edits away from an option's, else nothing. */
function closestOption(schema: z.ZodType, prefix: string, name: string): string {
  let best: { name: string; distance: number } | undefined;
  for (const option of listOptions(schema)) {
    for (let n = 1; n <= option.path.length; n++) {
      const candidate = envNameFor(prefix, option.path.slice(0, n));
      const distance = editDistance(candidate, name);
      if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
    }
  }
  return best === undefined ? '' : `; did you mean ${best.name}?`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
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
  let problems: string[] = [];
  try {
    applyEnvOverrides(raw, schema, source.env, source.envPrefix);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    problems.push(...parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return deepFreeze(parsed.data);
}

/**
 * The options section of `--help`: every option with its type, default, environment variable and the description
 * its schema gives (`.describe()`, the one place an option is documented).
 */
export function describeOptions(schema: z.ZodType, envPrefix: string): string {
  return listOptions(schema)
    .map((option) => {
      const description = option.description || '(undocumented)';
      const head = `  ${option.path.join('.')} (${option.kind}${option.nullable ? ', nullable' : ''})`;
      const def = option.defaultJson === undefined ? '' : `  default: ${option.defaultJson}`;
      return `${head}${def}\n      env ${envNameFor(envPrefix, option.path)}\n      ${description}`;
    })
    .join('\n');
}
