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
    /** Log level of the pino logger. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();
export type StatsApiConfig = z.infer<typeof statsApiConfigSchema>;
