import { createPool, settingsFromEnv } from '@otptrace/postgres';
import { createLogger, onShutdown, serviceCommandLine } from '@otptrace/runtime';
import { createStatsApi } from './api.js';
import { statsApiConfigSchema } from './config.js';
import { createPostgresStatsStore } from './postgres-store.js';

const ENV_PREFIX = 'OTPTRACE_STATS_API_';

/** Run the statistics API over PostgreSQL until SIGTERM/SIGINT; returns the exit code of a failed start. */
export async function main(argv: readonly string[]): Promise<number> {
  const config = serviceCommandLine(
    {
      name: 'otptrace-stats-api',
      summary:
        'Fleet OTP statistics over HTTP: the dashboard at /, /api/stats, /api/tickets, /api/dashboard{,/rate,/servers,/failures}, /metrics, ' +
        '/healthz (the process answers) and /readyz (PostgreSQL answers).',
      schema: statsApiConfigSchema,
      envPrefix: ENV_PREFIX,
    },
    argv,
    {
      env: process.env,
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    },
  );
  if (typeof config === 'number') return config;
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
