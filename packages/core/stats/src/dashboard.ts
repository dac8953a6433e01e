import type { FailureRateSeries, RateBucket, ServerHealth, ServerHealthView, Stage } from '@otptrace/schemas';
import { failureRate } from './counts.js';
import type { AttemptFact } from './facts.js';
import { emptySketch, type LatencySketch, recordLatency, sketchQuantile } from './sketch.js';

// The operations dashboard's panels over a time range of attempt starts [from, to). The in-memory store computes
// them here; PostgreSQL answers the same shapes (schemas/src/dashboard.ts) with aggregate queries (@otptrace/postgres).

/** A half-open range of attempt start times, epoch ms. */
export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** Bucket widths the failure-rate chart may use, smallest first. */
export const BUCKET_STEPS_MS = [
  60_000, 300_000, 900_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
] as const;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * The smallest step that cuts the range into at most `maxBuckets` buckets; past a day, at least an hour. Steps are
 * whole multiples of PostgreSQL's 5-minute and hourly rollups from 5 minutes on.
 */
export function bucketStepMs(range: TimeRange, maxBuckets = 120): number {
  const span = Math.max(range.toMs - range.fromMs, 1);
  const step = BUCKET_STEPS_MS.find((s) => span / s <= maxBuckets) ?? DAY_MS * Math.ceil(span / DAY_MS / maxBuckets);
  return span > DAY_MS ? Math.max(step, HOUR_MS) : step;
}

/** Stages in the order an attempt passes them. */
export const STAGES: readonly Stage[] = ['client', 'gateway', 'radius', 'ca'];

/** Counts of one bucket as an aggregate query returns them (bucket index = floor(startMs / stepMs)). */
export interface RateCounts {
  index: number;
  attempts: number;
  failures: number;
  byStage: Record<Stage, number>;
}

/** A zeroed bucket count. */
export function emptyRateCounts(index: number): RateCounts {
  return { index, attempts: 0, failures: 0, byStage: { client: 0, gateway: 0, radius: 0, ca: 0 } };
}

/** The series of a range from the buckets that have attempts: buckets are aligned to the epoch, gaps filled. */
export function rateSeries(range: TimeRange, stepMs: number, counts: readonly RateCounts[]): FailureRateSeries {
  const byIndex = new Map(counts.map((c) => [c.index, c]));
  const first = Math.floor(range.fromMs / stepMs);
  const last = Math.ceil(range.toMs / stepMs) - 1;
  const buckets: RateBucket[] = [];
  for (let i = first; i <= last; i++) {
    const c = byIndex.get(i) ?? emptyRateCounts(i);
    buckets.push({
      start: new Date(i * stepMs).toISOString(),
      attempts: c.attempts,
      failures: c.failures,
      byStage: c.byStage,
    });
  }
  return { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString(), stepMs, buckets };
}

/** Failure rate over time per stage, in memory (probes are health checks, not users: left out). */
export function failureRateFromFacts(facts: readonly AttemptFact[], range: TimeRange): FailureRateSeries {
  const stepMs = bucketStepMs(range);
  const counts = new Map<number, RateCounts>();
  for (const f of facts) {
    if (f.outcome === 'probe' || f.startMs < range.fromMs || f.startMs >= range.toMs) continue;
    const index = Math.floor(f.startMs / stepMs);
    const c = counts.get(index) ?? emptyRateCounts(index);
    counts.set(index, c);
    c.attempts += 1;
    if (f.outcome !== 'failure') continue;
    c.failures += 1;
    if (f.failedStage !== null) c.byStage[f.failedStage] += 1;
  }
  return rateSeries(range, stepMs, [...counts.values()]);
}

/** Server roles of the health tiles: DA server (IIS), NPS, CA. */
export type ServerRole = 'gateway' | 'radius' | 'ca';
export const SERVER_ROLES: readonly ServerRole[] = ['gateway', 'radius', 'ca'];

const LATENCY_OF: Record<ServerRole, 'endToEndMs' | 'radiusMs' | 'caMs'> = {
  gateway: 'endToEndMs',
  radius: 'radiusMs',
  ca: 'caMs',
};

/** A health row from its counts. */
export function serverHealthRow(host: string, attempts: number, failures: number, p90Ms: number | null): ServerHealth {
  return { host, attempts, failures, failureRate: failureRate(failures, attempts), p90Ms };
}

/** Most failures first, then most attempts, then by name. */
export function compareHealth(a: ServerHealth, b: ServerHealth): number {
  return b.failures - a.failures || b.attempts - a.attempts || a.host.localeCompare(b.host);
}

/** Per-server health over the range, in memory. */
export function serverHealthFromFacts(facts: readonly AttemptFact[], range: TimeRange): ServerHealthView {
  const view = {} as Record<ServerRole, ServerHealth[]>;
  for (const role of SERVER_ROLES) {
    const byHost = new Map<string, { attempts: number; failures: number; sketch: LatencySketch }>();
    for (const f of facts) {
      const host = f[role];
      if (host === null || f.outcome === 'probe' || f.startMs < range.fromMs || f.startMs >= range.toMs) continue;
      const h = byHost.get(host) ?? { attempts: 0, failures: 0, sketch: emptySketch() };
      byHost.set(host, h);
      h.attempts += 1;
      if (f.outcome === 'failure' && f.failedStage === role) h.failures += 1;
      const ms = f[LATENCY_OF[role]];
      if (ms !== null) recordLatency(h.sketch, ms);
    }
    view[role] = [...byHost.entries()]
      .map(([host, h]) => serverHealthRow(host, h.attempts, h.failures, sketchQuantile(h.sketch, 0.9)))
      .sort(compareHealth);
  }
  return view;
}

/** What the failure list is narrowed to besides the time range. */
export interface FailureFilter {
  readonly stage?: Stage;
  readonly cause?: string;
  /** A DA server, NPS or CA as `computerNameOf` names it: failures that went through it. */
  readonly host?: string;
}

/** Whether a failed attempt's fact passes the range and filter. */
export function matchesFailure(f: AttemptFact, range: TimeRange, filter: FailureFilter): boolean {
  return (
    f.outcome === 'failure' &&
    f.startMs >= range.fromMs &&
    f.startMs < range.toMs &&
    (filter.stage === undefined || f.failedStage === filter.stage) &&
    (filter.cause === undefined || f.rootCause === filter.cause) &&
    (filter.host === undefined || f.gateway === filter.host || f.radius === filter.host || f.ca === filter.host)
  );
}
