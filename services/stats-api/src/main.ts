import { createPool, settingsFromEnv } from '@otptrace/postgres';
import { ConfigError, createLogger, helpText, loadConfig, onShutdown, parseServiceArgs } from '@otptrace/runtime';
import { createStatsApi } from './api.js';
import { statsApiConfigSchema } from './config.js';
import { createPostgresStatsStore } from './postgres-store.js';

const ENV_PREFIX = 'OTPTRACE_STATS_API_';

/** Run the statistics API over PostgreSQL until SIGTERM/SIGINT; returns the exit code of a failed start. */
export async function main(argv: readonly string[]): Promise<number> {
  const args = parseServiceArgs(argv);
  if (args.help) {
    process.stdout.write(
      helpText(
        'otptrace-stats-api',
        'Fleet OTP statistics over HTTP: the dashboard at /, /api/stats, /api/tickets, /api/dashboard, /metrics, /healthz.',
        statsApiConfigSchema,
        ENV_PREFIX,
      ),
    );
    return 0;
  }
  let config: ReturnType<typeof statsApiConfigSchema.parse>;
  try {
    config = loadConfig(statsApiConfigSchema, { file: args.configFile, env: process.env, envPrefix: ENV_PREFIX });
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    return 2;
  }
  const log = createLogger({ name: 'stats-api', level: config.logLevel });
  const fromEnv = settingsFromEnv(process.env);
  const pool = createPool({ connectionString: config.databaseUrl ?? fromEnv.connectionString, schema: config.schema });
  const api = createStatsApi(config, { store: createPostgresStatsStore(pool), log });
  const port = await api.listen();
  log.info({ host: config.host, port, schema: config.schema }, 'stats API listening');
  onShutdown(
    async () => {
      await api.close();
      await pool.end();
    },
    { logger: log, timeoutMs: 10_000 },
  );
  return 0;
}
