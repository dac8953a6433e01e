import type { LatencySummary, Outcome, StatsGrouping, StatsQueryInput, StatsReport, StatsRow } from '@otptrace/schemas';
import { statsQuerySchema } from '@otptrace/schemas';
import {
  compareRows,
  countOutcome,
  emptyCounts,
  failureRate,
  LATENCY_BOUNDS_MS,
  type LatencyHistogram,
  limitPerBucket,
  type MetricSample,
  type MetricsSnapshot,
} from '@otptrace/stats';
import type pg from 'pg';

// The statistics as SQL over attempt_facts. Rows come back in the same shape, order and limits as the in-memory
// `statsReport`, so `otptrace stats` prints the same table from a file or from the database.

/** Column of each grouping (a fixed map: never user text spliced into SQL). */
const GROUP_COLUMN: Record<StatsGrouping, string> = {
  outcome: 'outcome',
  stage: 'failed_stage',
  cause: 'root_cause',
  gateway: 'gateway_host',
  radius: 'radius_host',
  ca: 'ca_host',
  subnet: 'client_subnet',
  user: 'user_name',
};

const RANGE = `($1::timestamptz IS NULL OR start_at >= $1) AND ($2::timestamptz IS NULL OR start_at < $2)`;

/** Answer a statistics query from the stored facts. */
export async function queryStats(pool: pg.Pool, input: StatsQueryInput = {}): Promise<StatsReport> {
  const query = statsQuerySchema.parse(input);
  const bucket = query.bucket === null ? 'NULL::timestamptz' : `date_trunc('${query.bucket}', start_at, 'UTC')`;
  const result = await pool.query<{ bucket: Date | null; key: string; outcome: string; n: string }>(
    `SELECT ${bucket} AS bucket, coalesce(${GROUP_COLUMN[query.by]}, '(none)') AS key, outcome, count(*) AS n
     FROM attempt_facts WHERE ${RANGE} GROUP BY 1, 2, 3`,
    [query.from, query.to],
  );
  const rows = new Map<string, StatsRow>();
  const totals = emptyCounts();
  for (const r of result.rows) {
    const bucketIso = r.bucket === null ? null : r.bucket.toISOString();
    const id = `${bucketIso ?? ''}\u0000${r.key}`;
    const row = rows.get(id) ?? { bucket: bucketIso, key: r.key, ...emptyCounts() };
    rows.set(id, row);
    const outcome = r.outcome as Outcome;
    countOutcome(row, outcome, Number(r.n));
    countOutcome(totals, outcome, Number(r.n));
  }
  return {
    query,
    rows: limitPerBucket([...rows.values()].sort(compareRows), query.limit),
    totals: { ...totals, failureRate: failureRate(totals.failure, totals.attempts) },
    latencies: await queryLatencies(pool, query.from, query.to),
  };
}

/** Exact nearest-rank percentiles of the stage latencies of user attempts (probes excluded). */
export async function queryLatencies(
  pool: pg.Pool,
  from: string | null,
  to: string | null,
): Promise<StatsReport['latencies']> {
  const summary = (column: string) =>
    `count(${column}) AS ${column}_n, max(${column}) AS ${column}_max,
     percentile_disc(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY ${column}) AS ${column}_p`;
  const result = await pool.query<Record<string, unknown>>(
    `SELECT ${summary('radius_ms')}, ${summary('ca_ms')}, ${summary('end_to_end_ms')}
     FROM attempt_facts WHERE outcome <> 'probe' AND ${RANGE}`,
    [from, to],
  );
  const row = result.rows[0] ?? {};
  const pick = (column: string): LatencySummary => {
    const p = (row[`${column}_p`] as (number | null)[] | null) ?? [null, null, null];
    const max = row[`${column}_max`] as number | null;
    return {
      count: Number(row[`${column}_n`] ?? 0),
      p50: p[0] ?? null,
      p90: p[1] ?? null,
      p99: p[2] ?? null,
      max: max ?? null,
    };
  };
  return { radius: pick('radius_ms'), ca: pick('ca_ms'), endToEnd: pick('end_to_end_ms') };
}

/** The live counters for Prometheus: totals over every stored attempt, and the open tickets. */
export async function queryMetrics(pool: pg.Pool): Promise<MetricsSnapshot> {
  const samples = async (sql: string, labels: string[]): Promise<MetricSample[]> =>
    (await pool.query<Record<string, string>>(sql)).rows.map((r) => ({
      labels: Object.fromEntries(labels.map((l) => [l, String(r[l] ?? '')])),
      value: Number(r.n),
    }));
  const attempts = await samples(
    `SELECT outcome, coalesce(failed_stage, '') AS failed_stage, coalesce(root_cause, '') AS root_cause, count(*) AS n
     FROM attempt_facts WHERE outcome <> 'probe' GROUP BY 1, 2, 3`,
    ['outcome', 'failed_stage', 'root_cause'],
  );
  const attemptsByHost = await samples(
    `SELECT role, host, outcome, count(*) AS n FROM attempt_facts,
       LATERAL (VALUES ('gateway', gateway_host), ('radius', radius_host), ('ca', ca_host)) AS h(role, host)
     WHERE outcome <> 'probe' AND host IS NOT NULL GROUP BY 1, 2, 3`,
    ['role', 'host', 'outcome'],
  );
  const probes = await samples(
    `SELECT coalesce(radius_host, '') AS radius, (root_cause IS NOT NULL)::text AS refused, count(*) AS n
     FROM attempt_facts WHERE outcome = 'probe' GROUP BY 1, 2`,
    ['radius', 'refused'],
  );
  const openTickets = await samples(
    `SELECT code, scope_label AS scope, count(*) AS n FROM tickets WHERE status = 'open' GROUP BY 1, 2`,
    ['code', 'scope'],
  );
  return { attempts, attemptsByHost, probes, openTickets, latencies: await queryHistograms(pool) };
}

async function queryHistograms(pool: pg.Pool): Promise<LatencyHistogram[]> {
  const stages = [
    ['radius', 'radius_ms'],
    ['ca', 'ca_ms'],
    ['end_to_end', 'end_to_end_ms'],
  ] as const;
  const columns = stages.flatMap(([stage, column]) => [
    ...LATENCY_BOUNDS_MS.map((b, i) => `count(*) FILTER (WHERE ${column} <= ${b}) AS ${stage}_${i}`),
    `count(${column}) AS ${stage}_n`,
    `coalesce(sum(${column}), 0) AS ${stage}_sum`,
  ]);
  const row = (
    await pool.query<Record<string, string>>(`SELECT ${columns.join(', ')} FROM attempt_facts WHERE outcome <> 'probe'`)
  ).rows[0];
  return stages.map(([stage]) => ({
    stage,
    cumulative: LATENCY_BOUNDS_MS.map((_, i) => Number(row?.[`${stage}_${i}`] ?? 0)),
    count: Number(row?.[`${stage}_n`] ?? 0),
    sumMs: Number(row?.[`${stage}_sum`] ?? 0),
  }));
}
