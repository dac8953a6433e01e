import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { createPool, listTickets, queryStats, settingsFromEnv } from '@otptrace/postgres';
import {
  type CommandSpec,
  type Invocation,
  isoTime,
  messageOf,
  oneOf,
  runCommand,
  wholeNumber,
} from '@otptrace/runtime/args';
import {
  type AttemptRecord,
  attemptRecordSchema,
  STATS_BUCKETS,
  STATS_GROUPINGS,
  type StatsQuery,
  statsQuerySchema,
  type Ticket,
} from '@otptrace/schemas';
import { formatStatsReport, statsReport } from '@otptrace/stats';
import { latestRevisions, processAttempts } from '@otptrace/ticket';
import { alsoPossible } from '../format-text.js';
import type { Io } from '../io.js';

/** Help of `otptrace stats`. */
export const STATS_HELP = `otptrace stats: fleet-wide OTP statistics, from PostgreSQL or from an analysis file

Usage: otptrace stats [--input analysis.json] [options]

  --from ISO             attempts that started at or after this time (default: the first)
  --to ISO               ...and before this time (default: the last)
  --by GROUP             ${STATS_GROUPINGS.join('|')} (default outcome)
  --bucket SIZE          ${STATS_BUCKETS.join('|')}: one row per group and time bucket (default: whole range)
  --limit N              at most N groups per bucket, the most failing first (default 50)
  -f, --format text|json text (default) or the JSON statistics report
  --tickets              also list the root-cause tickets
  --input FILE           read the attempts of "otptrace analyze --format json" (or ndjson) instead of PostgreSQL
  -h, --help             this text
  -V, --version          otptrace's version

PostgreSQL: DATABASE_URL or PG* variables (default postgres://postgres@127.0.0.1:5432/test), schema
OTPTRACE_PG_SCHEMA (default otptrace). Probes are counted apart and never in the failure rate.

Exit code: 0 when it ran, 2 when an option is wrong or the input (the file, or the database) could not be read.`;

const STATS_OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  by: { type: 'string' },
  bucket: { type: 'string' },
  limit: { type: 'string' },
  format: { type: 'string', short: 'f' },
  tickets: { type: 'boolean' },
  input: { type: 'string' },
} as const;

export const STATS: CommandSpec<typeof STATS_OPTIONS> = {
  name: 'otptrace stats',
  help: STATS_HELP,
  options: STATS_OPTIONS,
  positionals: { min: 0, max: 0 },
};

interface StatsRun {
  readonly query: StatsQuery;
  readonly format: 'text' | 'json';
  readonly tickets: boolean;
  readonly input: string | undefined;
}

/** `otptrace stats`: returns the exit code (0 ran, 2 usage or unreadable input: a file or the database). */
export function runStats(argv: string[], io: Io): Promise<number> {
  return runCommand(STATS, argv, io, prepareStats, async (run) => {
    let found: Awaited<ReturnType<typeof fromFile>>;
    try {
      found =
        run.input === undefined ? await fromDatabase(run.query, run.tickets) : await fromFile(run.input, run.query);
    } catch (error) {
      io.stderr(`otptrace stats: ${messageOf(error)}\n`);
      return 2;
    }
    const { report, tickets } = found;
    if (run.format === 'json') {
      io.stdout(`${JSON.stringify(run.tickets ? { ...report, tickets } : report, null, 2)}\n`);
    } else {
      io.stdout(formatStatsReport(report));
      if (run.tickets) io.stdout(formatTickets(tickets));
    }
    return 0;
  });
}

async function prepareStats({ values: v }: Invocation<typeof STATS_OPTIONS>): Promise<StatsRun> {
  const format = oneOf('format', v.format ?? 'text', ['text', 'json'] as const);
  for (const name of ['from', 'to'] as const) {
    const value = v[name];
    if (value !== undefined) isoTime(name, value);
  }
  const parsed = statsQuerySchema.safeParse({
    from: v.from ?? null,
    to: v.to ?? null,
    by: v.by ?? 'outcome',
    bucket: v.bucket ?? null,
    ...(v.limit === undefined ? {} : { limit: wholeNumber('limit', v.limit, 1, 1_000_000) }),
  });
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  }
  if (v.input !== undefined) await readable(v.input);
  return { query: parsed.data, format, tickets: v.tickets === true, input: v.input };
}

/** The attempts of an analysis file: `{ "attempts": [...] }` (analyze --format json) or a bare array. */
export async function readAttemptsFile(path: string): Promise<AttemptRecord[]> {
  let list: unknown[];
  try {
    // Bytes, then one decoding: readFile's own decoding of a large file (hundreds of MB) costs several times more.
    list = attemptsIn((await readFile(path)).toString('utf8'));
  } catch (error) {
    throw new Error(`cannot read ${path}: ${messageOf(error)}`);
  }
  return list.map((item, i) => {
    const parsed = attemptRecordSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${path}: attempts[${i}].${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    return parsed.data;
  });
}

/** The attempts of `analyze --format json` (`{ "attempts": [...] }`), a bare array, or `--format ndjson` lines. */
function attemptsIn(text: string): unknown[] {
  // Only NDJSON is split into lines: its first line is a whole object, while a JSON document's first line (indented
  // output) is a bare "{"; splitting a fleet's document made millions of strings for nothing.
  const firstEnd = text.indexOf('\n');
  const first = (firstEnd < 0 ? text : text.slice(0, firstEnd)).trim();
  const lines =
    first.startsWith('{') && first.endsWith('}') ? text.split('\n').filter((line) => line.trim() !== '') : [];
  if (lines.length > 1 && lines.every((line) => line.trimStart().startsWith('{') && line.trimEnd().endsWith('}'))) {
    // NDJSON: one attempt per line; the last line is the summary (it has no trace ID).
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((o) => !('summary' in o));
  }
  const json: unknown = JSON.parse(text);
  const list = Array.isArray(json) ? json : (json as { attempts?: unknown }).attempts;
  if (!Array.isArray(list)) throw new Error('no "attempts" array (expected otptrace analyze --format json or ndjson)');
  return list;
}

async function fromFile(path: string, query: StatsQuery) {
  const attempts = await readAttemptsFile(path);
  // One step over the whole file reports every incarnation it touched, the resolved ones included, and may report a
  // ticket more than once (opened, then resolved): its last revision is the one to list.
  const tickets = latestRevisions(processAttempts(null, attempts).changes.map((c) => c.ticket));
  tickets.sort((a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.key.localeCompare(b.key));
  return { report: statsReport(attempts, query), tickets };
}

async function fromDatabase(query: StatsQuery, withTickets: boolean) {
  const pool = createPool(settingsFromEnv(process.env), 1);
  try {
    return { report: await queryStats(pool, query), tickets: withTickets ? await listTickets(pool) : [] };
  } finally {
    await pool.end();
  }
}

function formatTickets(tickets: readonly Ticket[]): string {
  if (tickets.length === 0) return 'No root-cause tickets.\n';
  const lines = tickets.map(
    (t) =>
      `${t.status.padEnd(8)} ${t.code} @ ${t.scope.label}: ${t.attemptCount} attempts, ${t.affectedUsers.count} users, ` +
      `${t.firstSeen} .. ${t.lastSeen}${t.resolvedAt === null ? '' : `, resolved ${t.resolvedAt}`} [${t.key}]\n    ${t.title}\n    fix: ${t.remediation}` +
      (t.alsoPossible ?? [])
        .map((p) => `\n    or:  ${alsoPossible(p.code, `${p.attempts} of ${t.attemptCount} attempts: not ruled out`)}`)
        .join(''),
  );
  return `Root-cause tickets\n${lines.join('\n')}\n`;
}

/** Refuse, before any work, a file that cannot be read. */
export async function readable(path: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new Error(`cannot read ${path}: no such file, or not readable`);
  }
  if ((await stat(path)).isDirectory()) throw new Error(`cannot read ${path}: is a folder`);
}
