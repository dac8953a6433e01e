import { createPool, ingestAttempts, migrate, settingsFromEnv } from '@otptrace/postgres';
import { type CommandSpec, messageOf, parseCommand, refuse, runCommand } from '@otptrace/runtime/args';
import type { AttemptRecord, TicketChange } from '@otptrace/schemas';
import type { Io } from '../io.js';
import { readAttemptsFile, readable } from './stats.js';

const DATABASE = `PostgreSQL: DATABASE_URL or PG* variables (default postgres://postgres@127.0.0.1:5432/test), schema
OTPTRACE_PG_SCHEMA (default otptrace).`;

const DB_HELP = `otptrace db: the statistics database

Usage: otptrace db migrate          apply the SQL migrations (idempotent)
       otptrace db load FILE...     store the attempts of analysis files and update the root-cause tickets

${DATABASE}
Run "otptrace db <subcommand> --help" for its options.`;

export const DB: CommandSpec<Record<string, never>> = {
  name: 'otptrace db',
  help: DB_HELP,
  options: {},
  positionals: { min: 0, max: 0 },
};

export const DB_MIGRATE: CommandSpec<Record<string, never>> = {
  name: 'otptrace db migrate',
  help: `otptrace db migrate: apply the SQL migrations to the statistics schema (those not applied yet)

Usage: otptrace db migrate [-h|--help] [-V|--version]

${DATABASE}
Exit code: 0 when the schema is up to date, 3 when the database could not be migrated.`,
  options: {},
  positionals: { min: 0, max: 0 },
};

export const DB_LOAD: CommandSpec<Record<string, never>> = {
  name: 'otptrace db load',
  help: `otptrace db load: store the attempts of analysis files (idempotently) and update the root-cause tickets

Usage: otptrace db load FILE...      (the output of otptrace analyze --format json)
       otptrace db load -h|--help|-V|--version

Every file is read and checked before the database is touched. Migrations are applied first.
${DATABASE}
Exit code: 0 when stored, 2 when an option is wrong or a file cannot be read, 3 when the database could not be written.`,
  options: {},
  positionals: { min: 1, max: Number.POSITIVE_INFINITY, what: 'at least one analysis file' },
};

/** `otptrace db migrate|load`: subcommands of the statistics database. */
export async function runDb(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'migrate') return runDbMigrate(rest, io);
  if (sub === 'load') return runDbLoad(rest, io);
  if (sub === undefined || sub.startsWith('-')) {
    const answered = parseCommand(DB, argv, io);
    if (typeof answered === 'number') return answered;
  }
  return refuse(DB, io, sub === undefined ? 'name a subcommand: migrate or load' : `unknown subcommand ${sub}`);
}

/** `otptrace db migrate`: apply the SQL migrations to the configured schema. */
export function runDbMigrate(argv: readonly string[], io: Io): Promise<number> {
  return runCommand(
    DB_MIGRATE,
    argv,
    io,
    () => undefined,
    async () => {
      const settings = settingsFromEnv(process.env);
      const pool = createPool(settings, 1);
      try {
        const result = await migrate(pool, settings.schema);
        io.stdout(
          `schema ${result.schema}: applied ${result.applied.length === 0 ? 'nothing (up to date)' : result.applied.join(', ')}\n`,
        );
        return 0;
      } catch (error) {
        io.stderr(`otptrace db migrate: ${messageOf(error)}\n`);
        return 3;
      } finally {
        await pool.end();
      }
    },
  );
}

/** `otptrace db load FILE...`: store the attempts of analysis files (idempotently) and update the tickets. */
export function runDbLoad(argv: readonly string[], io: Io): Promise<number> {
  return runCommand(
    DB_LOAD,
    argv,
    io,
    async ({ positionals }) => {
      for (const path of positionals) await readable(path);
      return positionals;
    },
    async (paths) => {
      const files: [string, AttemptRecord[]][] = [];
      try {
        for (const path of paths) files.push([path, await readAttemptsFile(path)]);
      } catch (error) {
        io.stderr(`otptrace db load: ${messageOf(error)}\n`);
        return 2;
      }
      const settings = settingsFromEnv(process.env);
      const pool = createPool(settings, 1);
      try {
        await migrate(pool, settings.schema);
        for (const [path, attempts] of files) {
          const result = await ingestAttempts(pool, attempts);
          io.stdout(
            `${path}: ${result.inserted} attempts stored, ${result.duplicates} already there; tickets: ${ticketChanges(result.changes)}\n`,
          );
        }
        return 0;
      } catch (error) {
        io.stderr(`otptrace db load: ${messageOf(error)}\n`);
        return 3;
      } finally {
        await pool.end();
      }
    },
  );
}

/** Ticket changes listed one by one up to this many; a fleet's load (thousands) is counted by kind instead. */
const LISTED_CHANGES = 10;

/** What a load did to tickets, in one line. */
export function ticketChanges(changes: readonly TicketChange[]): string {
  if (changes.length === 0) return 'no change';
  if (changes.length <= LISTED_CHANGES)
    return changes.map((c) => `${c.change} ${c.ticket.code}@${c.ticket.scope.label}`).join(', ');
  const byKind = new Map<string, number>();
  for (const c of changes) byKind.set(c.change, (byKind.get(c.change) ?? 0) + 1);
  const kinds = [...byKind].map(([change, n]) => `${n.toLocaleString('en-US')} ${change}`).join(', ');
  return `${changes.length.toLocaleString('en-US')} changes (${kinds}); otptrace stats --tickets lists them`;
}
