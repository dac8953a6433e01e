/** @otptrace/stats: ⑤ attempts -> fleet statistics (counts, latencies, top failures), computed in memory. */
export { bucketStart, compareRows, countOutcome, emptyCounts, failureRate } from './counts.js';
export type { FailureFilter, RateCounts, ServerRole, TimeRange } from './dashboard.js';
export {
  BUCKET_STEPS_MS,
  bucketStepMs,
  compareHealth,
  DAY_MS,
  emptyRateCounts,
  failureRateFromFacts,
  HOUR_MS,
  matchesFailure,
  rateSeries,
  SERVER_ROLES,
  STAGES,
  serverHealthFromFacts,
  serverHealthRow,
} from './dashboard.js';
export type { AttemptFact } from './facts.js';
export { attemptFact, stageLatencies } from './facts.js';
export type { FleetStatsOptions } from './fleet.js';
export { summarizeAttempts } from './fleet.js';
export { formatFleetStats, formatLatencies, formatStatsReport, percent, textTable } from './format.js';
export type { LatencyHistogram, MetricSample, MetricsSnapshot } from './metrics.js';
export { LATENCY_BOUNDS_MS, metricsFromFacts } from './metrics.js';
export type { MetricFamily } from './prometheus.js';
export { metricFamilies } from './prometheus.js';
export { distinctFacts, groupKey, limitPerBucket, statsReport, statsReportFromFacts } from './report.js';
export type { LatencySketch } from './sketch.js';
export { emptySketch, mergeSketch, recordLatency, SKETCH_GAMMA, sketchQuantile, summarizeSketch } from './sketch.js';
export { clientSubnet } from './subnet.js';
