import { z } from 'zod';

/** Time buckets of the statistics (UTC). */
export const STATS_BUCKETS = ['minute', 'hour', 'day'] as const;
export const statsBucketSchema = z.enum(STATS_BUCKETS);
export type StatsBucket = z.infer<typeof statsBucketSchema>;

/** What `otptrace stats --by` and the API's `by` group attempts by. */
export const STATS_GROUPINGS = ['outcome', 'stage', 'cause', 'gateway', 'radius', 'ca', 'subnet', 'user'] as const;
export const statsGroupingSchema = z.enum(STATS_GROUPINGS);
export type StatsGrouping = z.infer<typeof statsGroupingSchema>;

/** A statistics question: attempts that started in [from, to), grouped by `by`, optionally per time bucket. */
export const statsQuerySchema = z
  .object({
    /** ISO time, inclusive; null = from the first attempt. */
    from: z.string().nullable().default(null),
    /** ISO time, exclusive; null = up to the last attempt. */
    to: z.string().nullable().default(null),
    by: statsGroupingSchema.default('outcome'),
    /** null = one row per group over the whole range. */
    bucket: statsBucketSchema.nullable().default(null),
    /** At most this many groups per bucket, the most failing first. */
    limit: z.number().int().positive().default(50),
  })
  .strict();
export type StatsQuery = z.infer<typeof statsQuerySchema>;
export type StatsQueryInput = z.input<typeof statsQuerySchema>;

/**
 * Attempt counts of one group. Probes (the DA server's RADIUS probe account) are counted apart, in `probes`, and never
 * in `attempts` or `failureRate`.
 */
export const outcomeCountsSchema = z.object({
  attempts: z.number().int().nonnegative(),
  success: z.number().int().nonnegative(),
  failure: z.number().int().nonnegative(),
  cancelled: z.number().int().nonnegative(),
  incomplete: z.number().int().nonnegative(),
  probes: z.number().int().nonnegative(),
  /** failure / attempts (probes excluded); null when there was no attempt. */
  failureRate: z.number().nullable(),
});
export type OutcomeCounts = z.infer<typeof outcomeCountsSchema>;

/** One row of a statistics table: a group (and a bucket's start, when bucketed). */
export const statsRowSchema = outcomeCountsSchema.extend({
  /** ISO start of the time bucket; null when not bucketed. */
  bucket: z.string().nullable(),
  /** The group's value, e.g. a CA host name, a cause code, `203.0.113.0/24`; `(none)` when unknown. */
  key: z.string(),
});
export type StatsRow = z.infer<typeof statsRowSchema>;

/** Percentiles of one latency, in milliseconds. */
export const latencySummarySchema = z.object({
  count: z.number().int().nonnegative(),
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
});
export type LatencySummary = z.infer<typeof latencySummarySchema>;

/** The three stage latencies: RADIUS decision, CA issuance, end to end. */
export const stageLatenciesSchema = z.object({
  radius: latencySummarySchema,
  ca: latencySummarySchema,
  endToEnd: latencySummarySchema,
});
export type StageLatencies = z.infer<typeof stageLatenciesSchema>;

/** The answer to a statistics query, the same whether computed in memory or by PostgreSQL. */
export const statsReportSchema = z.object({
  query: statsQuerySchema,
  rows: z.array(statsRowSchema),
  totals: outcomeCountsSchema,
  latencies: stageLatenciesSchema,
});
export type StatsReport = z.infer<typeof statsReportSchema>;

const countsByKey = z.record(z.string(), outcomeCountsSchema);

/** How the fleet tables key a server: one row however its logs spell it. */
const SERVER_KEYS = (role: string) =>
  `Attempts by ${role}, keyed by its computer name (the first label of its DNS name, lower case; an IP address whole): one server is one key whether a text log or an event log, a client or the server itself named it.`;

/** The fleet summary that `otptrace analyze` prints: every grouping at once, over all the attempts given. */
export const fleetStatsSchema = z.object({
  /** Earliest start and latest end of the attempts counted. */
  from: z.string().nullable(),
  to: z.string().nullable(),
  totals: outcomeCountsSchema,
  /** Failed and incomplete attempts by the stage that failed. */
  byStage: z.record(z.string(), z.number().int()),
  byCause: z.array(z.object({ code: z.string(), title: z.string(), count: z.number().int() })),
  /** Findings beside the verdicts (e.g. `certificate_not_usable_for_logon` on successes), by code. */
  byFinding: z.array(z.object({ code: z.string(), title: z.string(), count: z.number().int() })).default([]),
  byGateway: countsByKey.describe(SERVER_KEYS('DA server')),
  byRadius: countsByKey.describe(SERVER_KEYS('NPS server')),
  byCa: countsByKey.describe(SERVER_KEYS('CA')),
  bySubnet: countsByKey,
  hourly: z.array(statsRowSchema),
  latencies: stageLatenciesSchema,
  topFailingUsers: z.array(z.object({ user: z.string(), failures: z.number().int() })),
});
export type FleetStats = z.infer<typeof fleetStatsSchema>;
