import type { AttemptRecord, FailureRateSeries, ServerHealth, ServerHealthView, Stage } from '@otptrace/schemas';
import {
  bucketStepMs,
  compareHealth,
  DAY_MS,
  emptyRateCounts,
  emptySketch,
  type FailureFilter,
  HOUR_MS,
  type LatencySketch,
  mergeSketch,
  type RateCounts,
  rateSeries,
  SERVER_ROLES,
  type ServerRole,
  SKETCH_GAMMA,
  serverHealthRow,
  sketchQuantile,
  type TimeRange,
} from '@otptrace/stats';
import type pg from 'pg';

// The operations dashboard's panels as aggregate queries over a time range (migrations/003). Whole UTC days, hours and
// 5-minute slots come from the rollups rate_rollup and health_rollup, which a trigger keeps current; the rest (partial
// slots, and a chart of 1-minute buckets) from the covering index on start_at (index-only). The failure list reads the partial index of failures, newest first.

const RANGE = 'start_at >= $1 AND start_at < $2';

function rangeParams(range: TimeRange): [string, string] {
  return [new Date(range.fromMs).toISOString(), new Date(range.toMs).toISOString()];
}

/** The rollups' units: whole UTC days, hours, 5-minute slots (aligned to the epoch, like the chart's buckets). */
type Unit = 'day' | 'hour' | '5min';
/** A piece of a range read from a rollup. */
type Rolled = { unit: Unit; range: TimeRange };

const UNIT_MS: Record<Unit, number> = { day: DAY_MS, hour: HOUR_MS, '5min': 300_000 };

/**
 * A range cut into whole units, largest first (read from the rollups), and what is left (read from the rows): a week
 * from Tuesday 10:20 is Wednesday to Monday in days, the hours around them, and two partial hours.
 */
function splitByUnits(range: TimeRange, units: readonly Unit[]): { rolled: Rolled[]; rest: TimeRange[] } {
  const [unit, ...smaller] = units;
  if (unit === undefined) return { rolled: [], rest: [range] };
  const size = UNIT_MS[unit];
  const first = Math.ceil(range.fromMs / size) * size;
  const last = Math.floor(range.toMs / size) * size;
  if (first >= last) return splitByUnits(range, smaller);
  const edges = [
    { fromMs: range.fromMs, toMs: first },
    { fromMs: last, toMs: range.toMs },
  ]
    .filter((r) => r.fromMs < r.toMs)
    .map((r) => splitByUnits(r, smaller));
  return {
    rolled: [{ unit, range: { fromMs: first, toMs: last } }, ...edges.flatMap((e) => e.rolled)],
    rest: edges.flatMap((e) => e.rest),
  };
}

type RateRow = { i: string; outcome: string; failed_stage: string | null; n: string };

/** Failure rate over time per stage. */
export async function queryFailureRate(pool: pg.Pool, range: TimeRange): Promise<FailureRateSeries> {
  const stepMs = bucketStepMs(range);
  // A rollup unit serves the chart when it divides the bucket step (1-minute buckets come from the rows).
  const units = (['hour', '5min'] as const).filter((u) => stepMs % UNIT_MS[u] === 0);
  const { rolled, rest } = splitByUnits(range, units);
  const bucket = (column: string) => `floor(date_part('epoch', ${column}) * 1000 / $3)::bigint`;
  const results = await Promise.all([
    ...rest.map((r) =>
      pool.query<RateRow>(
        `SELECT ${bucket('start_at')} AS i, outcome, failed_stage, count(*) AS n
         FROM attempt_facts WHERE ${RANGE} AND outcome <> 'probe' GROUP BY 1, 2, 3`,
        [...rangeParams(r), stepMs],
      ),
    ),
    ...rolled.map((r) =>
      pool.query<RateRow>(
        `SELECT ${bucket('start')} AS i, outcome, failed_stage, sum(n) AS n
         FROM rate_rollup WHERE unit = $4 AND start >= $1 AND start < $2 AND outcome <> 'probe' GROUP BY 1, 2, 3`,
        [...rangeParams(r.range), stepMs, r.unit],
      ),
    ),
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
 * counted into the logarithmic buckets of @otptrace/stats' sketch (by a hash aggregate, or read from health_rollup)
 * and the p90 read from the merged sketch (within 1 %).
 */
export async function queryServerHealth(pool: pg.Pool, range: TimeRange): Promise<ServerHealthView> {
  const { rolled, rest } = splitByUnits(range, ['day', 'hour']);
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
  const fromRollup = async ({ unit, range: whole }: Rolled) => {
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
      `SELECT role, host, attempts, failures, timed, zeros, min_ms, max_ms, buckets FROM health_rollup
       WHERE unit = $3 AND start >= $1 AND start < $2`,
      [...rangeParams(whole), unit],
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
  await Promise.all([...fromRows, ...rolled.map(fromRollup)]);
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
