import type { FleetStats, OutcomeCounts, StageLatencies } from '@otptrace/schemas';

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
  /** Outcomes per DA server, NPS, CA and client subnet (the report; the dashboard has its own panels). */
  readonly servers?: Readonly<Record<'gateway' | 'radius' | 'ca' | 'subnet', Readonly<Record<string, OutcomeCounts>>>>;
  readonly latencies?: StageLatencies;
  readonly topFailingUsers?: readonly { user: string; failures: number }[];
}

/** The fleet view of fleet statistics (a `FleetView` passes through unchanged). */
export function fleetViewOf(stats: FleetStats | FleetView): FleetView {
  const tables =
    'byGateway' in stats
      ? {
          servers: { gateway: stats.byGateway, radius: stats.byRadius, ca: stats.byCa, subnet: stats.bySubnet },
          latencies: stats.latencies,
          topFailingUsers: stats.topFailingUsers,
        }
      : {
          ...(stats.servers === undefined ? {} : { servers: stats.servers }),
          ...(stats.latencies === undefined ? {} : { latencies: stats.latencies }),
          ...(stats.topFailingUsers === undefined ? {} : { topFailingUsers: stats.topFailingUsers }),
        };
  return {
    ...tables,
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
