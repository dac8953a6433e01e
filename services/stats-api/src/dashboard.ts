import { computerNameOf, rootCauseEntry } from '@otptrace/model';
import { buildReportData, type FleetBucket, type FleetView, type ReportData } from '@otptrace/report';
import type { DashboardQuery, StatsRow } from '@otptrace/schemas';
import type { TimeRange } from '@otptrace/stats';
import type { StatsStore } from './store.js';

/** What the dashboard shows besides the store's content. */
export interface DashboardSettings {
  /** How many of the latest attempts to list. */
  readonly attempts: number;
}

/** The row key of attempts without a stage or cause (see @otptrace/stats). */
const NONE = '(none)';

/**
 * The dashboard's data: the fleet view from the statistics store's aggregates (the same queries as /api/stats),
 * and the latest attempts with their evidence-based waterfalls.
 */
export async function dashboardData(store: StatsStore, settings: DashboardSettings): Promise<ReportData> {
  const [outcomes, stages, causes, hourly, recent] = await Promise.all([
    store.queryStats({ by: 'outcome' }),
    store.queryStats({ by: 'stage' }),
    store.queryStats({ by: 'cause', limit: 25 }),
    store.queryStats({ by: 'outcome', bucket: 'hour', limit: 10 }),
    store.recentAttempts(settings.attempts),
  ]);
  const buckets = hourlyBuckets(hourly.rows);
  const fleet: FleetView = {
    from: buckets[0]?.bucket ?? null,
    to: recent[0]?.end ?? null,
    totals: outcomes.totals,
    byStage: Object.fromEntries(stages.rows.filter((r) => r.key !== NONE).map((r) => [r.key, r.attempts])),
    byCause: causes.rows
      .filter((r) => r.key !== NONE)
      .map((r) => ({ code: r.key, title: rootCauseEntry(r.key)?.title ?? r.key, count: r.attempts }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    hourly: buckets,
  };
  return buildReportData({ attempts: recent.map((record) => ({ record })), stats: fleet });
}

/** Sum the per-outcome rows of each hour into one bucket, oldest first. */
function hourlyBuckets(rows: readonly StatsRow[]): FleetBucket[] {
  const byHour = new Map<string, { -readonly [K in keyof FleetBucket]: FleetBucket[K] }>();
  for (const row of rows) {
    const bucket = row.bucket ?? '';
    const sum = byHour.get(bucket) ?? { bucket, success: 0, failure: 0, cancelled: 0, incomplete: 0, probes: 0 };
    byHour.set(bucket, sum);
    sum.success += row.success;
    sum.failure += row.failure;
    sum.cancelled += row.cancelled;
    sum.incomplete += row.incomplete;
    sum.probes += row.probes;
  }
  return [...byHour.values()].sort((a, b) => a.bucket.localeCompare(b.bucket));
}

const HOUR_MS = 3_600_000;
const MAX_RANGE_MS = 400 * 24 * HOUR_MS;

/** The time range of a dashboard query (`now` for its default end), or the reason it is not one. */
export function dashboardRange(query: DashboardQuery, nowMs: number): TimeRange | string {
  const toMs = query.to === undefined ? nowMs : Date.parse(query.to);
  const fromMs = query.from === undefined ? toMs - HOUR_MS : Date.parse(query.from);
  if (fromMs >= toMs) return 'from: must be before to';
  if (toMs - fromMs > MAX_RANGE_MS) return 'from: the range may span at most 400 days';
  return { fromMs, toMs };
}

/** The failure list: the latest failures of the range with their waterfalls, in the report's compact form. */
export async function dashboardFailures(
  store: StatsStore,
  range: TimeRange,
  query: DashboardQuery,
): Promise<{ total: number; limit: number; data: ReportData }> {
  const filter = {
    ...(query.stage === undefined ? {} : { stage: query.stage }),
    ...(query.cause === undefined ? {} : { cause: query.cause }),
    ...(query.host === undefined ? {} : { host: computerNameOf(query.host) }),
  };
  const { total, attempts } = await store.failures(range, filter, query.limit);
  const empty: FleetView = {
    from: null,
    to: null,
    totals: { attempts: 0, success: 0, failure: 0, cancelled: 0, incomplete: 0, probes: 0, failureRate: null },
    byStage: {},
    byCause: [],
    hourly: [],
  };
  return {
    total,
    limit: query.limit,
    data: buildReportData({ attempts: attempts.map((record) => ({ record })), stats: empty }),
  };
}
