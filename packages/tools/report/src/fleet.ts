import type { FleetStats, OutcomeCounts } from '@otptrace/schemas';

/** Attempt counts of one time bucket, for the chart over time. */
export interface FleetBucket {
  readonly bucket: string;
  readonly success: number;
  readonly failure: number;
  readonly cancelled: number;
  readonly incomplete: number;
  readonly probes: number;
}

/** The fleet summary the page shows: the part of `FleetStats` the report and the dashboard both have. */
export interface FleetView {
  readonly from: string | null;
  readonly to: string | null;
  readonly totals: OutcomeCounts;
  /** Failed and incomplete attempts by the stage that failed. */
  readonly byStage: Readonly<Record<string, number>>;
  readonly byCause: readonly { code: string; title: string; count: number }[];
  /** One entry per hour (UTC), oldest first. */
  readonly hourly: readonly FleetBucket[];
}

/** The fleet view of fleet statistics (a `FleetView` passes through unchanged). */
export function fleetViewOf(stats: FleetStats | FleetView): FleetView {
  return {
    from: stats.from,
    to: stats.to,
    totals: stats.totals,
    byStage: stats.byStage,
    byCause: stats.byCause.map(({ code, title, count }) => ({ code, title, count })),
    hourly: stats.hourly.map((row) => ({
      bucket: row.bucket ?? '',
      success: row.success,
      failure: row.failure,
      cancelled: row.cancelled,
      incomplete: row.incomplete,
      probes: row.probes,
    })),
  };
}
