import { z } from 'zod';

/** Settings of the statistics API (file, or environment `OTPTRACE_STATS_API_*`). */
export const statsApiConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1').describe('Address to listen on; loopback by default.'),
    port: z.number().int().min(0).max(65_535).default(8088).describe('TCP port; 0 picks a free one.'),
    databaseUrl: z
      .string()
      .optional()
      .describe('PostgreSQL connection string; unset = DATABASE_URL / PG* / postgres://postgres@127.0.0.1:5432/test.'),
    schema: z.string().default('otptrace').describe("Schema of otptrace's tables."),
    traceUrlTemplate: z
      .string()
      .regex(/^https?:\/\/[^\s]*\{traceId\}/, 'an http(s) URL containing {traceId}')
      .optional()
      .describe(
        "Link from each dashboard attempt to its trace, `{traceId}` replaced: Zipkin `http://localhost:9411/zipkin/traces/{traceId}`, Jaeger `http://localhost:16686/trace/{traceId}`, Grafana Tempo through Grafana's explore URL. Unset = no link.",
      ),
    dashboardAttempts: z
      .number()
      .int()
      .min(1)
      .max(50_000)
      .default(1000)
      .describe(
        'How many of the latest attempts /api/dashboard lists (the page lists the latest 100 failures of its range).',
      ),
    dashboardRefreshSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(15)
      .describe('How often the dashboard page refreshes its data, in seconds.'),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('Log level of the pino logger.'),
  })
  .strict();
export type StatsApiConfig = z.infer<typeof statsApiConfigSchema>;
