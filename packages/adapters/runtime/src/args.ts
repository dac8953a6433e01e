import { parseArgs } from 'node:util';
import { OTPTRACE_VERSION } from './version.js';

/** Where a command writes: injected so tests can capture it. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

// The one command-line parser of otptrace: the otptrace command's subcommands and the services use it.

/** One option of a command, as `node:util` parseArgs takes it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
}

/** What a command accepts. `-h/--help` and `-V/--version` are added to every command. */
export interface CommandSpec<O extends Readonly<Record<string, OptionSpec>>> {
  /** The words that name it, e.g. `otptrace db load`: the prefix of its error messages; the first names the program. */
  readonly name: string;
  readonly help: string;
  readonly options: O;
  /** How many positional arguments it takes, and what they are (for the message when they are missing). */
  readonly positionals: { readonly min: number; readonly max: number; readonly what?: string };
}

/** The values of a command's options: strings, booleans, or lists of strings for repeatable options. */
export type OptionValues<O extends Readonly<Record<string, OptionSpec>>> = {
  readonly [K in keyof O]?: O[K]['type'] extends 'boolean'
    ? boolean
    : O[K]['multiple'] extends true
      ? string[]
      : string;
};

/** A command line that parsed: option values and positional arguments. */
export interface Invocation<O extends Readonly<Record<string, OptionSpec>>> {
  readonly values: OptionValues<O>;
  readonly positionals: readonly string[];
}

const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies Record<string, OptionSpec>;

/**
 * Parse a command line strictly (`--name value`, `--name=value`, `-x`, `--` ends options). Returns the invocation, or
 * the exit code when the command line was answered already: help or version printed (0), or refused (2, one line).
 */
export function parseCommand<O extends Readonly<Record<string, OptionSpec>>>(
  spec: CommandSpec<O>,
  argv: readonly string[],
  io: CommandIo,
): Invocation<O> | number {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...spec.options, ...COMMON_OPTIONS },
      strict: true,
      allowPositionals: true,
    }) as { values: Record<string, unknown>; positionals: string[] };
  } catch (error) {
    return refuse(spec, io, parseErrorMessage(error, argv, Object.keys({ ...spec.options, ...COMMON_OPTIONS })));
  }
  if (parsed.values.help === true) {
    io.stdout(`${spec.help}\n`);
    return 0;
  }
  if (parsed.values.version === true) {
    io.stdout(`${spec.name.split(' ')[0]} ${OTPTRACE_VERSION}\n`);
    return 0;
  }
  const { min, max, what } = spec.positionals;
  if (parsed.positionals.length < min) return refuse(spec, io, `name ${what ?? 'an argument'} (see --help)`);
  if (parsed.positionals.length > max) return refuse(spec, io, `unexpected argument ${parsed.positionals[max]}`);
  const { help: _help, version: _version, ...values } = parsed.values;
  return { values: values as OptionValues<O>, positionals: parsed.positionals };
}

/** Report a usage error of `spec` as one line on standard error (a list of problems joined by "; "); returns 2. */
export function refuse(spec: { readonly name: string }, io: CommandIo, message: string): number {
  const [head = '', ...more] = message
    .split('\n')
    .map((line) => line.trim().replace(/^- /, ''))
    .filter((line) => line !== '');
  io.stderr(`${spec.name}: ${[head, more.join('; ')].filter((x) => x !== '').join(' ')}\n`);
  return 2;
}

/**
 * Parse a command line, then `prepare` everything the work needs (validate every value, read the configuration):
 * any error there is a usage error (exit code 2) and nothing has been read or connected yet. Then `run` it.
 */
export async function runCommand<O extends Readonly<Record<string, OptionSpec>>, P>(
  spec: CommandSpec<O>,
  argv: readonly string[],
  io: CommandIo,
  prepare: (invocation: Invocation<O>) => P | Promise<P>,
  run: (prepared: P) => Promise<number>,
): Promise<number> {
  const invocation = parseCommand(spec, argv, io);
  if (typeof invocation === 'number') return invocation;
  let prepared: P;
  try {
    prepared = await prepare(invocation);
  } catch (error) {
    return refuse(spec, io, messageOf(error));
  }
  return run(prepared);
}

/** A one-line message from node's parseArgs errors (which suggest `--` on several lines). */
function parseErrorMessage(error: unknown, argv: readonly string[], known: readonly string[]): string {
  const code = (error as { code?: string }).code;
  const message = messageOf(error);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const near = option?.startsWith('--') ? closest(option.slice(2), known) : null;
    return `unknown option ${option ?? message}${near === null ? '' : `; did you mean --${near}?`} (see --help)`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/argument missing/.test(message)) return `${option ?? 'an option'} needs a value`;
    if (/does not take an argument/.test(message)) return `${option ?? 'a flag'} takes no value`;
    if (/ambiguous/.test(message)) {
      const at = argv.indexOf(option ?? '');
      return `${option} needs a value, not ${argv[at + 1] ?? 'an option'} (write ${option}=VALUE for a value that starts with -)`;
    }
  }
  return message.split('\n')[0] ?? message;
}

/**
 * The word of `candidates` nearest to `word` (a typo: at most one edit for a short word, two for a longer one,
 * a swap of two neighbouring letters counting as one), or null when none is that near or two are equally near.
 */
export function closest(word: string, candidates: readonly string[]): string | null {
  const limit = word.length <= 4 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = limit + 1;
  let tie = false;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance) tie = true;
  }
  return tie ? null : best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/** An error's message. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Parse a whole number in [min, max], or throw a usage error naming the option. */
export function wholeNumber(option: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${option} ${text}: use a whole number from ${min} to ${max}`);
  return n;
}

/** One of the allowed words, or a usage error listing them. */
export function oneOf<const T extends string>(option: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw new Error(`--${option} ${text}: use ${allowed.join(', ')}`);
  return text as T;
}

/** An ISO 8601 time as epoch ms, or a usage error. */
export function isoTime(option: string, text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(text))
    throw new Error(`--${option} ${text}: not an ISO 8601 time (e.g. 2026-03-02T08:00:00Z)`);
  return ms;
}
