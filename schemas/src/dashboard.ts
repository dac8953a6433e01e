import { z } from 'zod';
import { stageSchema } from './attempt.js';

// The operations dashboard's HTTP API (stats-api /api/dashboard/*): its query and the panels' answers. The in-memory
// store (@otptrace/stats) and PostgreSQL (@otptrace/postgres) both answer these shapes.

/** A range of attempt starts [from, to) and the failure list's filter. */
export const dashboardQuerySchema = z
  .object({
    /** ISO time, inclusive; default one hour before `to`. */
    from: z.iso.datetime({ offset: true }).optional(),
    /** ISO time, exclusive; default now. */
    to: z.iso.datetime({ offset: true }).optional(),
    stage: stageSchema.optional(),
    cause: z
      .string()
      .regex(/^[a-z0-9_]{1,64}$/, 'a root-cause code')
      .optional(),
    /** A DA server, NPS or CA host name (any spelling: `DA1.corp.example` is `da1`): failures that went through it. */
    host: z.string().min(1).max(253).optional(),
    /** How many of the latest failures to list. */
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type DashboardQuery = z.infer<typeof dashboardQuerySchema>;

/** One bucket of the failure-rate chart: user attempts started in it, and failures by the stage that failed. */
export const rateBucketSchema = z.object({
  /** ISO start of the bucket (UTC, aligned to the epoch). */
  start: z.string(),
  attempts: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  byStage: z.record(stageSchema, z.number().int().nonnegative()),
});
export type RateBucket = z.infer<typeof rateBucketSchema>;

/** Failure rate over time per stage: every bucket of the range, empty ones included, oldest first. */
export const failureRateSeriesSchema = z.object({
  from: z.string(),
  to: z.string(),
  stepMs: z.number().int().positive(),
  buckets: z.array(rateBucketSchema),
});
export type FailureRateSeries = z.infer<typeof failureRateSeriesSchema>;

/** Health of one server over the range. */
export const serverHealthSchema = z.object({
  host: z.string(),
  /** User attempts that went through it. */
  attempts: z.number().int().nonnegative(),
  /** Of those, attempts that failed at its own stage (a CA denial does not count against the DA server). */
  failures: z.number().int().nonnegative(),
  failureRate: z.number().nullable(),
  /**
   * 90th percentile (nearest rank, from the latency sketch: within 1 %) of its stage latency, ms: end to end for a
   * DA server, the RADIUS decision for NPS, issuance for a CA.
   */
  p90Ms: z.number().nullable(),
});
export type ServerHealth = z.infer<typeof serverHealthSchema>;

/** Health tiles per role (DA server, NPS, CA), the most failing server first. */
export const serverHealthViewSchema = z.object({
  gateway: z.array(serverHealthSchema),
  radius: z.array(serverHealthSchema),
  ca: z.array(serverHealthSchema),
});
export type ServerHealthView = z.infer<typeof serverHealthViewSchema>;

/** The latest failures: how many match, and at most `limit` of them as the report's compact data (@otptrace/report). */
export const dashboardFailuresSchema = z.object({
  total: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
  data: z.object({ strings: z.array(z.string()), attempts: z.array(z.array(z.unknown())) }).loose(),
});
