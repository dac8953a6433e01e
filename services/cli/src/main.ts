import { type CommandSpec, closest, parseCommand, refuse } from '@otptrace/runtime/args';
import { type Io, processIo } from './io.js';

type Command = (argv: string[], io: Io) => Promise<number>;

/**
 * Commands by name; each lives in its own file under commands/ and is loaded on use: `otptrace --version` and
 * `--help` load none, and a command none of the others' (the database driver, the generator, the analysis).
 */
const COMMANDS: Record<string, { run: Command; summary: string }> = {
  analyze: {
    run: async (a, io) => (await import('./commands/analyze.js')).runAnalyze(a, io),
    summary: 'analyse exported event logs offline (the main job)',
  },
  stats: {
    run: async (a, io) => (await import('./commands/stats.js')).runStats(a, io),
    summary: 'fleet-wide OTP statistics, from PostgreSQL or an analysis file',
  },
  generate: {
    run: async (a, io) => (await import('./commands/generate.js')).runGenerate(a, io),
    summary: 'write a deterministic fleet of logs and their expected verdicts',
  },
  db: {
    run: async (a, io) => (await import('./commands/db.js')).runDb(a, io),
    summary: 'the statistics database: db migrate | db load FILE...',
  },
  pipeline: {
    run: async (a, io) => (await import('./commands/pipeline.js')).runPipeline(a, io),
    summary: 'a local streaming pipeline: broker, collector, correlators (prints one JSON line when ready)',
  },
};

const HELP = `otptrace: where and why a DirectAccess OTP logon failed

Usage: otptrace <command> [options]
       otptrace -h | --help | -V | --version

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run "otptrace <command> --help" (or "otptrace help <command>") for a command's options.

Exit codes, every command: 0 it ran, 2 wrong usage or unreadable input (refused before any work), 3 its output could
not all be written or exported, 1 an unexpected failure.`;

const TOP: CommandSpec<Record<string, never>> = {
  name: 'otptrace',
  help: HELP,
  options: {},
  positionals: { min: 0, max: 0 },
};

/** Entry point of the otptrace command; returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) return refuse(TOP, io, 'name a command (run otptrace --help)');
  if (name.startsWith('-')) {
    const answered = parseCommand(TOP, argv, io);
    return typeof answered === 'number' ? answered : refuse(TOP, io, 'name a command (run otptrace --help)');
  }
  if (name === 'help') {
    const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
    if (topic === undefined && rest[0] !== undefined) return unknownCommand(rest[0], io);
    if (topic !== undefined) return topic.run([...rest.slice(1), '--help'], io);
    io.stdout(`${HELP}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) return unknownCommand(name, io);
  return command.run(rest, io);
}

/** Refuses a command name that is none, suggesting the one a typo was meant to be (as git does). */
function unknownCommand(name: string, io: Io): number {
  const near = closest(name, Object.keys(COMMANDS));
  const hint = near === null ? '' : `; did you mean "${near}"?`;
  return refuse(TOP, io, `unknown command ${JSON.stringify(name)}${hint} (run otptrace --help)`);
}
