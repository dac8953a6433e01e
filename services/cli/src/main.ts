import { ANALYZE_HELP, runAnalyze } from './commands/analyze.js';
import { type Io, processIo } from './io.js';

type Command = (argv: string[], io: Io) => Promise<number>;

/** Commands by name; each lives in its own file under commands/. */
const COMMANDS: Record<string, { run: Command; summary: string }> = {
  analyze: { run: runAnalyze, summary: 'analyse exported event logs offline (the main job)' },
  // Loaded on use: the database driver and the generator cost start-up time that `analyze` should not pay.
  stats: {
    run: async (a, io) => (await import('./commands/stats.js')).runStats(a, io),
    summary: 'fleet-wide OTP statistics, from PostgreSQL or an analysis file',
  },
  generate: {
    run: async (a, io) => (await import('./commands/generate.js')).runGenerate(a, io),
    summary: 'write a deterministic fleet of logs and their expected verdicts',
  },
  db: { run: runDb, summary: 'the statistics database: db migrate | db load FILE' },
  pipeline: {
    run: async (a, io) => (await import('./commands/pipeline.js')).runPipeline(a, io),
    summary: 'a local streaming pipeline: broker, collector, correlators (prints one JSON line when ready)',
  },
};

const HELP = `otptrace: where and why a DirectAccess OTP logon failed

Usage: otptrace <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run "otptrace <command> --help" for a command's options.

${ANALYZE_HELP.split('\n')[0]}`;

/** `otptrace db migrate|load`: subcommands of the statistics database. */
async function runDb(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const db = await import('./commands/stats.js');
  if (sub === 'migrate') return db.runDbMigrate(rest, io);
  if (sub === 'load') return db.runDbLoad(rest, io);
  io.stderr('usage: otptrace db migrate | otptrace db load <analysis.json>\n');
  return 2;
}

/** Entry point of the otptrace command; returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`otptrace: unknown command ${JSON.stringify(name)}; run otptrace --help\n`);
    return 2;
  }
  return command.run(rest, io);
}
