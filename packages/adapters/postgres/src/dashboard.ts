import type { AttemptRecord, Stage } from '@otptrace/schemas';
import {
  bucketStepMs,
  compareHealth,
  DAY_MS,
  emptyRateCounts,
  emptySketch,
  type FailureFilter,
  type FailureRateSeries,
  HOUR_MS,
  type LatencySketch,
  mergeSketch,
  type RateCounts,
  rateSeries,
  SERVER_ROLES,
  type ServerHealth,
  type ServerHealthView,
  type ServerRole,
  SKETCH_GAMMA,
  serverHealthRow,
  sketchQuantile,
  type TimeRange,
} from '@otptrace/stats';
import type pg from 'pg';

// The operations dashboard's panels as aggregate queries over a time range (migrations/003). Up to a day, the rate
// and health aggregates read the range from the covering index on start_at (index-only); a longer range reads its
// whole UTC hours from the rollups rate_hours and health_hours, which a trigger keeps current, and only its partial
// first and last hours from attempt_facts. The failure list reads the partial index of failures, newest first.

const RANGE = 'start_at >= $1 AND start_at < $2';

function rangeParams(range: TimeRange): [string, string] {
  return [new Date(range.fromMs).toISOString(), new Date(range.toMs).toISOString()];
}

/** A range split into whole UTC hours (from the rollups) and the rest (from the rows); a day or less is all rows. */
function splitByHours(range: TimeRange): { hours: TimeRange | null; rest: TimeRange[] } {
  if (range.toMs - range.fromMs <= DAY_MS) return { hours: null, rest: [range] };
  const first = Math.ceil(range.fromMs / HOUR_MS) * HOUR_MS;
  const last = Math.floor(range.toMs / HOUR_MS) * HOUR_MS;
  const rest = [
    { fromMs: range.fromMs, toMs: first },
    { fromMs: last, toMs: range.toMs },
  ].filter((r) => r.fromMs < r.toMs);
  return { hours: { fromMs: first, toMs: last }, rest };
}

type RateRow = { i: string; outcome: string; failed_stage: string | null; n: string };

/** Failure rate over time per stage. */
export async function queryFailureRate(pool: pg.Pool, range: TimeRange): Promise<FailureRateSeries> {
  const stepMs = bucketStepMs(range);
  const { hours, rest } = splitByHours(range);
  const bucket = (column: string) => `floor(date_part('epoch', ${column}) * 1000 / $3)::bigint`;
  const results = await Promise.all([
    ...rest.map((r) =>
      pool.query<RateRow>(
        `SELECT ${bucket('start_at')} AS i, outcome, failed_stage, count(*) AS n
         FROM attempt_facts WHERE ${RANGE} AND outcome <> 'probe' GROUP BY 1, 2, 3`,
        [...rangeParams(r), stepMs],
      ),
    ),
    ...(hours === null
      ? []
      : [
          pool.query<RateRow>(
            `SELECT ${bucket('hour')} AS i, outcome, failed_stage, sum(n) AS n
             FROM rate_hours WHERE hour >= $1 AND hour < $2 AND outcome <> 'probe' GROUP BY 1, 2, 3`,
            [...rangeParams(hours), stepMs],
          ),
        ]),
  ]);
  const counts = new Map<number, RateCounts>();
  for (const r of results.flatMap((result) => result.rows)) {
    const index = Number(r.i);
    const c = counts.get(index) ?? emptyRateCounts(index);
    counts.set(index, c);
    const n = Number(r.n);
    c.attempts += n;
    if (r.outcome !== 'failure') continue;
    c.failures += n;
    const stage = (r.failed_stage === '' ? null : r.failed_stage) as Stage | null;
    if (stage !== null) c.byStage[stage] += n;
  }
  return rateSeries(range, stepMs, [...counts.values()]);
}

const ROLE_COLUMNS: Record<ServerRole, { host: string; ms: string }> = {
  gateway: { host: 'gateway_host', ms: 'end_to_end_ms' },
  radius: { host: 'radius_host', ms: 'radius_ms' },
  ca: { host: 'ca_host', ms: 'ca_ms' },
};

type HostTally = { attempts: number; failures: number; sketch: LatencySketch };
type Tallies = Record<ServerRole, Map<string, HostTally>>;

function tally(tallies: Tallies, role: ServerRole, host: string): HostTally {
  const t = tallies[role].get(host) ?? { attempts: 0, failures: 0, sketch: emptySketch() };
  tallies[role].set(host, t);
  return t;
}

/**
 * Per-server health (attempts, failures at its stage, p90 of its stage latency) over the range. Latencies are
 * counted into the logarithmic buckets of @otptrace/stats' sketch (by a hash aggregate, or read from health_hours)
 * and the p90 read from the merged sketch (within 1 %).
 */
export async function queryServerHealth(pool: pg.Pool, range: TimeRange): Promise<ServerHealthView> {
  const { hours, rest } = splitByHours(range);
  const tallies: Tallies = { gateway: new Map(), radius: new Map(), ca: new Map() };
  const fromRows = rest.flatMap((r) =>
    SERVER_ROLES.map(async (role) => {
      const { host, ms } = ROLE_COLUMNS[role];
      const result = await pool.query<{
        host: string;
        b: number | null;
        n: string;
        timed: string;
        f: string;
        lo: number | null;
        hi: number | null;
      }>(
        `SELECT ${host} AS host, CASE WHEN ${ms} > 0 THEN ceil(ln(${ms}) / ln($3::float8))::int END AS b, count(*) AS n,
           count(${ms}) AS timed, count(*) FILTER (WHERE outcome = 'failure' AND failed_stage = '${role}') AS f,
           min(${ms}) AS lo, max(${ms}) AS hi
         FROM attempt_facts WHERE ${RANGE} AND outcome <> 'probe' AND ${host} IS NOT NULL GROUP BY 1, 2`,
        [...rangeParams(r), SKETCH_GAMMA],
      );
      for (const row of result.rows) {
        const t = tally(tallies, role, row.host);
        t.attempts += Number(row.n);
        t.failures += Number(row.f);
        const timed = Number(row.timed);
        if (timed === 0) continue;
        // No bucket but timed: values <= 0 ms, which the sketch keeps apart.
        mergeSketch(t.sketch, {
          count: timed,
          zeros: row.b === null ? timed : 0,
          min: row.lo,
          max: row.hi,
          buckets: row.b === null ? {} : { [String(row.b)]: timed },
        });
      }
    }),
  );
  const fromRollup = async (hourRange: TimeRange) => {
    const result = await pool.query<{
      role: ServerRole;
      host: string;
      attempts: string;
      failures: string;
      timed: string;
      zeros: string;
      min_ms: number | null;
      max_ms: number | null;
      buckets: Record<string, number>;
    }>(
      'SELECT role, host, attempts, failures, timed, zeros, min_ms, max_ms, buckets FROM health_hours WHERE hour >= $1 AND hour < $2',
      rangeParams(hourRange),
    );
    for (const row of result.rows) {
      const t = tally(tallies, row.role, row.host);
      t.attempts += Number(row.attempts);
      t.failures += Number(row.failures);
      mergeSketch(t.sketch, {
        count: Number(row.timed),
        zeros: Number(row.zeros),
        min: row.min_ms,
        max: row.max_ms,
        buckets: row.buckets,
      });
    }
  };
  await Promise.all([...fromRows, ...(hours === null ? [] : [fromRollup(hours)])]);
  const view = (role: ServerRole): ServerHealth[] =>
    [...tallies[role].entries()]
      .map(([host, t]) => serverHealthRow(host, t.attempts, t.failures, sketchQuantile(t.sketch, 0.9)))
      .sort(compareHealth);
  return { gateway: view('gateway'), radius: view('radius'), ca: view('ca') };
}

/** The latest failures in the range (newest first, at most `limit`) and how many match in all. */
export async function queryFailures(
  pool: pg.Pool,
  range: TimeRange,
  filter: FailureFilter,
  limit: number,
): Promise<{ total: number; attempts: AttemptRecord[] }> {
  const where = `outcome = 'failure' AND ${RANGE} AND ($3::text IS NULL OR failed_stage = $3)
    AND ($4::text IS NULL OR root_cause = $4) AND ($5::text IS NULL OR $5 IN (gateway_host, radius_host, ca_host))`;
  const params = [...rangeParams(range), filter.stage ?? null, filter.cause ?? null, filter.host ?? null];
  const [rows, total] = await Promise.all([
    pool.query<{ record: AttemptRecord }>(
      `SELECT record FROM attempt_facts WHERE ${where} ORDER BY start_at DESC, attempt_id LIMIT $6`,
      [...params, limit],
    ),
    pool.query<{ n: string }>(`SELECT count(*) AS n FROM attempt_facts WHERE ${where}`, params),
  ]);
  return { total: Number(total.rows[0]?.n ?? 0), attempts: rows.rows.map((r) => r.record) };
}
