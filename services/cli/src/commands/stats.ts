import { readFile } from 'node:fs/promises';
import { createPool, ingestAttempts, listTickets, migrate, queryStats, settingsFromEnv } from '@otptrace/postgres';
import {
  type AttemptRecord,
  attemptRecordSchema,
  STATS_BUCKETS,
  STATS_GROUPINGS,
  type StatsQueryInput,
  statsQuerySchema,
  type Ticket,
} from '@otptrace/schemas';
import { formatStatsReport, statsReport } from '@otptrace/stats';
import { processAttempts } from '@otptrace/ticket';
import { optionValue, type ParsedArgs, parseArgs } from '../args.js';

/** Where a command writes. */
interface StatsIo {
  stdout(s: string): void;
  stderr(s: string): void;
}

/** Help of `otptrace stats`. */
export const STATS_HELP = `otptrace stats: fleet-wide OTP statistics, from PostgreSQL or from an analysis file

Usage: otptrace stats [--input analysis.json] [options]

  --from ISO             attempts that started at or after this time (default: the first)
  --to ISO               ...and before this time (default: the last)
  --by GROUP             ${STATS_GROUPINGS.join('|')} (default outcome)
  --bucket SIZE          ${STATS_BUCKETS.join('|')}: one row per group and time bucket (default: whole range)
  --limit N              at most N groups per bucket, the most failing first (default 50)
  --format text|json     text (default) or the JSON statistics report
  --tickets              also list the root-cause tickets
  --input FILE           read the attempts of "otptrace analyze --format json" instead of PostgreSQL

PostgreSQL: DATABASE_URL or PG* variables (default postgres://postgres@127.0.0.1:5432/test), schema
OTPTRACE_PG_SCHEMA (default otptrace). Probes are counted apart and never in the failure rate.`;

/** `otptrace stats`: returns the exit code (0 ok, 1 failed, 2 usage). */
export async function runStats(argv: string[], io: StatsIo): Promise<number> {
  let args: ParsedArgs;
  let query: StatsQueryInput;
  try {
    args = parseArgs(argv, ['from', 'to', 'by', 'bucket', 'limit', 'format', 'input'], ['tickets', 'help']);
    if (args.options.has('help')) {
      io.stdout(`${STATS_HELP}\n`);
      return 0;
    }
    query = statsQueryFromArgs(args);
  } catch (error) {
    io.stderr(`otptrace stats: ${message(error)}\n`);
    return 2;
  }
  try {
    const input = optionValue(args, 'input');
    const { report, tickets } =
      input === undefined ? await fromDatabase(query, args.options.has('tickets')) : await fromFile(input, query);
    const withTickets = args.options.has('tickets');
    if (optionValue(args, 'format') === 'json') {
      io.stdout(`${JSON.stringify(withTickets ? { ...report, tickets } : report, null, 2)}\n`);
    } else {
      io.stdout(formatStatsReport(report));
      if (withTickets) io.stdout(formatTickets(tickets));
    }
    return 0;
  } catch (error) {
    io.stderr(`otptrace stats: ${message(error)}\n`);
    return 1;
  }
}

function statsQueryFromArgs(args: ParsedArgs): StatsQueryInput {
  const format = optionValue(args, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new Error(`--format ${format}: use text or json`);
  for (const name of ['from', 'to'] as const) {
    const value = optionValue(args, name);
    if (value !== undefined && Number.isNaN(Date.parse(value))) throw new Error(`--${name} ${value}: not an ISO time`);
  }
  const limit = optionValue(args, 'limit');
  const parsed = statsQuerySchema.safeParse({
    from: optionValue(args, 'from') ?? null,
    to: optionValue(args, 'to') ?? null,
    by: optionValue(args, 'by') ?? 'outcome',
    bucket: optionValue(args, 'bucket') ?? null,
    ...(limit === undefined ? {} : { limit: Number(limit) }),
  });
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/** The attempts of an analysis file: `{ "attempts": [...] }` (analyze --format json) or a bare array. */
export async function readAttemptsFile(path: string): Promise<AttemptRecord[]> {
  const json: unknown = JSON.parse(await readFile(path, 'utf8'));
  const list = Array.isArray(json) ? json : (json as { attempts?: unknown }).attempts;
  if (!Array.isArray(list)) throw new Error(`${path}: no "attempts" array (expected otptrace analyze --format json)`);
  return list.map((item, i) => {
    const parsed = attemptRecordSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${path}: attempts[${i}].${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    return parsed.data;
  });
}

async function fromFile(path: string, query: StatsQueryInput) {
  const attempts = await readAttemptsFile(path);
  // One step over the whole file reports every incarnation it touched, the resolved ones included.
  const tickets = processAttempts(null, attempts).changes.map((c) => c.ticket);
  tickets.sort((a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.key.localeCompare(b.key));
  return { report: statsReport(attempts, query), tickets };
}

async function fromDatabase(query: StatsQueryInput, withTickets: boolean) {
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
      `${t.firstSeen} .. ${t.lastSeen}${t.resolvedAt === null ? '' : `, resolved ${t.resolvedAt}`} [${t.key}]\n    ${t.title}\n    fix: ${t.remediation}`,
  );
  return `Root-cause tickets\n${lines.join('\n')}\n`;
}

/** `otptrace db migrate`: apply the SQL migrations to the configured schema. */
export async function runDbMigrate(_argv: string[], io: StatsIo): Promise<number> {
  const settings = settingsFromEnv(process.env);
  const pool = createPool(settings, 1);
  try {
    const result = await migrate(pool, settings.schema);
    io.stdout(
      `schema ${result.schema}: applied ${result.applied.length === 0 ? 'nothing (up to date)' : result.applied.join(', ')}\n`,
    );
    return 0;
  } catch (error) {
    io.stderr(`otptrace db migrate: ${message(error)}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}

/** `otptrace db load FILE...`: store the attempts of analysis files (idempotently) and update the tickets. */
export async function runDbLoad(argv: string[], io: StatsIo): Promise<number> {
  if (argv.length === 0 || argv.includes('--help')) {
    io.stdout('Usage: otptrace db load analysis.json... (the output of otptrace analyze --format json)\n');
    return argv.length === 0 ? 2 : 0;
  }
  const settings = settingsFromEnv(process.env);
  const pool = createPool(settings, 1);
  try {
    await migrate(pool, settings.schema);
    for (const path of argv) {
      const result = await ingestAttempts(pool, await readAttemptsFile(path));
      const changed = result.changes.map((c) => `${c.change} ${c.ticket.code}@${c.ticket.scope.label}`);
      io.stdout(
        `${path}: ${result.inserted} attempts stored, ${result.duplicates} already there; tickets: ${changed.length === 0 ? 'no change' : changed.join(', ')}\n`,
      );
    }
    return 0;
  } catch (error) {
    io.stderr(`otptrace db load: ${message(error)}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
