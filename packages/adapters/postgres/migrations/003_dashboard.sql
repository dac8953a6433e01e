-- The operations dashboard (stats-api `/`) answers each panel for a time range from aggregates, never by loading
-- the range's rows (issue 15: < 300 ms with 1,000,000 attempts).

-- What the rollups below do not cover (a rate chart of a day or less, partial hours) is read from this covering index
-- alone (an index-only scan, never the wide rows with their JSON record); it replaces the plain start_at index.
CREATE INDEX attempt_facts_range ON attempt_facts (start_at)
  INCLUDE (outcome, failed_stage, gateway_host, radius_host, ca_host, radius_ms, ca_ms, end_to_end_ms);
DROP INDEX attempt_facts_start_at;

-- The latest failures, newest first, and their count per range and filter (stage, cause, server).
CREATE INDEX attempt_facts_recent_failures ON attempt_facts (start_at DESC)
  INCLUDE (failed_stage, root_cause, gateway_host, radius_host, ca_host) WHERE outcome = 'failure';

-- Whole UTC 5-minute slots, hours and days are read from two rollups, kept by the trigger below (only partial slots
-- come from attempt_facts). Attempts per 5 minutes and per hour (unit), outcome and failed stage ('' for none):
CREATE TABLE rate_rollup (
  unit         text NOT NULL CHECK (unit IN ('5min', 'hour')),
  start        timestamptz NOT NULL,
  outcome      text NOT NULL,
  failed_stage text NOT NULL,
  n            bigint NOT NULL,
  PRIMARY KEY (unit, start, outcome, failed_stage)
);

-- User attempts per hour and per day (unit) through each DA server (role gateway), NPS (radius) and CA: how many,
-- how many failed at that server's own stage, and the latency sketch of its stage (end to end, RADIUS decision, CA
-- issuance) as @otptrace/stats' LatencySketch: counts per logarithmic bucket i (values in (1.02^(i-1), 1.02^i] ms),
-- values <= 0 ms apart in `zeros`, exact min and max. Days keep a week's health to a few dozen rows.
CREATE TABLE health_rollup (
  unit     text NOT NULL CHECK (unit IN ('hour', 'day')),
  start    timestamptz NOT NULL,
  role     text NOT NULL CHECK (role IN ('gateway', 'radius', 'ca')),
  host     text NOT NULL,
  attempts bigint NOT NULL,
  failures bigint NOT NULL,
  timed    bigint NOT NULL,
  zeros    bigint NOT NULL,
  min_ms   double precision,
  max_ms   double precision,
  buckets  jsonb NOT NULL,
  PRIMARY KEY (unit, start, role, host)
);

-- Adds two JSON objects of counts key by key.
CREATE FUNCTION add_counts(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE SET search_path FROM CURRENT AS $$
  SELECT coalesce(jsonb_object_agg(k, coalesce((a ->> k)::bigint, 0) + coalesce((b ->> k)::bigint, 0)), '{}'::jsonb)
  FROM (SELECT jsonb_object_keys(a) UNION SELECT jsonb_object_keys(b)) AS keys(k)
$$;

-- Counts the attempts of `added` (rows just inserted into attempt_facts) into both rollups. Only rows really
-- inserted reach it (ON CONFLICT DO NOTHING skips a replayed attempt before the trigger sees it), so a replay counts
-- nothing twice. The latency bucket is ceil(ln(ms) / ln(1.02)), the same formula as the in-memory sketch. It runs
-- in this schema whatever the writer's search_path (a COPY from psql, say).
CREATE FUNCTION roll_up_attempts() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  WITH per_slot AS (
    SELECT date_bin('5 minutes', start_at, timestamptz '1970-01-01 00:00:00+00') AS slot, outcome,
      coalesce(failed_stage, '') AS failed_stage, count(*) AS n
    FROM added GROUP BY 1, 2, 3
  )
  INSERT INTO rate_rollup (unit, start, outcome, failed_stage, n)
  SELECT * FROM (
    SELECT '5min' AS unit, slot AS start, outcome, failed_stage, n FROM per_slot
    UNION ALL
    SELECT 'hour', date_trunc('hour', slot, 'UTC'), outcome, failed_stage, sum(n) FROM per_slot GROUP BY 2, 3, 4
  ) AS rows
  -- Rows in key order: concurrent writers lock the rows they share in the same order, so they never deadlock.
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (unit, start, outcome, failed_stage) DO UPDATE SET n = rate_rollup.n + excluded.n;

  WITH per_bucket AS (
    SELECT date_trunc('hour', start_at, 'UTC') AS hour, h.role, h.host,
      CASE WHEN h.ms > 0 THEN ceil(ln(h.ms) / ln(1.02))::int END AS b, count(*) AS n,
      count(*) FILTER (WHERE outcome = 'failure' AND failed_stage = h.role) AS f, count(h.ms) AS timed,
      min(h.ms) AS lo, max(h.ms) AS hi
    FROM added, LATERAL (VALUES ('gateway', gateway_host, end_to_end_ms), ('radius', radius_host, radius_ms),
      ('ca', ca_host, ca_ms)) AS h(role, host, ms)
    WHERE outcome <> 'probe' AND h.host IS NOT NULL
    GROUP BY 1, 2, 3, 4
  ), per_unit AS (
    SELECT 'hour' AS unit, hour AS start, role, host, b, n, f, timed, lo, hi FROM per_bucket
    UNION ALL
    SELECT 'day', date_trunc('day', hour, 'UTC'), role, host, b, sum(n), sum(f), sum(timed), min(lo), max(hi)
    FROM per_bucket GROUP BY 2, 3, 4, 5
  )
  INSERT INTO health_rollup (unit, start, role, host, attempts, failures, timed, zeros, min_ms, max_ms, buckets)
  SELECT unit, start, role, host, sum(n), sum(f), sum(timed), coalesce(sum(timed) FILTER (WHERE b IS NULL), 0),
    min(lo), max(hi), coalesce(jsonb_object_agg(b::text, timed) FILTER (WHERE b IS NOT NULL), '{}'::jsonb)
  FROM per_unit
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (unit, start, role, host) DO UPDATE SET attempts = health_rollup.attempts + excluded.attempts,
    failures = health_rollup.failures + excluded.failures, timed = health_rollup.timed + excluded.timed,
    zeros = health_rollup.zeros + excluded.zeros, min_ms = least(health_rollup.min_ms, excluded.min_ms),
    max_ms = greatest(health_rollup.max_ms, excluded.max_ms),
    buckets = add_counts(health_rollup.buckets, excluded.buckets);
  RETURN NULL;
END
$$;

-- Once per INSERT or COPY statement, over the rows it inserted.
CREATE TRIGGER attempt_facts_roll_up AFTER INSERT ON attempt_facts REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION roll_up_attempts();

-- Attempts stored before this migration: stored again, in this migration's transaction, through the trigger.
CREATE TEMPORARY TABLE stored_before ON COMMIT DROP AS SELECT * FROM attempt_facts;
DELETE FROM attempt_facts;
INSERT INTO attempt_facts SELECT * FROM stored_before;
