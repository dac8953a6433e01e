import { z } from 'zod';

/** Settings of the statistics API (file, or environment `OTPTRACE_STATS_API_*`). */
export const statsApiConfigSchema = z
  .object({
    /** Address to listen on; loopback by default. */
    host: z.string().default('127.0.0.1'),
    /** TCP port; 0 picks a free one. */
    port: z.number().int().min(0).max(65_535).default(9464),
    /** PostgreSQL connection string; unset = DATABASE_URL / PG* / postgres://postgres@127.0.0.1:5432/test. */
    databaseUrl: z.string().optional(),
    /** Schema of otptrace's tables. */
    schema: z.string().default('otptrace'),
    /**
     * Link from each dashboard attempt to its trace, `{traceId}` replaced: Zipkin
     * `http://localhost:9411/zipkin/traces/{traceId}`, Jaeger `http://localhost:16686/trace/{traceId}`, Grafana
     * Tempo through Grafana's explore URL. Unset = no link.
     */
    traceUrlTemplate: z
      .string()
      .regex(/^https?:\/\/[^\s]*\{traceId\}/, 'an http(s) URL containing {traceId}')
      .optional(),
    /** How many of the latest attempts the dashboard lists. */
    dashboardAttempts: z.number().int().min(1).max(50_000).default(1000),
    /** How often the dashboard page refreshes its data, in seconds. */
    dashboardRefreshSeconds: z.number().int().min(1).max(3600).default(15),
    /** Log level of the pino logger. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();
export type StatsApiConfig = z.infer<typeof statsApiConfigSchema>;
