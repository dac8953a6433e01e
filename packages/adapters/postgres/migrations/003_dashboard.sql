-- The operations dashboard (stats-api `/`) answers each panel for a time range from aggregates, never by loading
-- the range's rows (issue 15: < 300 ms with 1,000,000 attempts).

-- Up to a day, the rate and server-health panels read the range from this covering index alone (an index-only scan,
-- never the wide rows with their JSON record); it replaces the plain start_at index.
CREATE INDEX attempt_facts_range ON attempt_facts (start_at)
  INCLUDE (outcome, failed_stage, gateway_host, radius_host, ca_host, radius_ms, ca_ms, end_to_end_ms);
DROP INDEX attempt_facts_start_at;

-- The latest failures, newest first, and their count per range and filter (stage, cause, server).
CREATE INDEX attempt_facts_recent_failures ON attempt_facts (start_at DESC)
  INCLUDE (failed_stage, root_cause, gateway_host, radius_host, ca_host) WHERE outcome = 'failure';

-- Longer ranges read whole UTC hours from two rollups (and only their partial first and last hours from
-- attempt_facts). Attempts per hour, outcome and failed stage ('' for none):
CREATE TABLE rate_hours (
  hour         timestamptz NOT NULL,
  outcome      text NOT NULL,
  failed_stage text NOT NULL,
  n            bigint NOT NULL,
  PRIMARY KEY (hour, outcome, failed_stage)
);

-- User attempts per hour through each DA server (role gateway), NPS (radius) and CA: how many, how many failed at
-- that server's own stage, and the latency sketch of its stage (end to end, RADIUS decision, CA issuance) as
-- @otptrace/stats' LatencySketch: counts per logarithmic bucket i (values in (1.02^(i-1), 1.02^i] ms), values
-- <= 0 ms apart in `zeros`, exact min and max.
CREATE TABLE health_hours (
  hour     timestamptz NOT NULL,
  role     text NOT NULL CHECK (role IN ('gateway', 'radius', 'ca')),
  host     text NOT NULL,
  attempts bigint NOT NULL,
  failures bigint NOT NULL,
  timed    bigint NOT NULL,
  zeros    bigint NOT NULL,
  min_ms   double precision,
  max_ms   double precision,
  buckets  jsonb NOT NULL,
  PRIMARY KEY (hour, role, host)
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
  INSERT INTO rate_hours (hour, outcome, failed_stage, n)
  SELECT date_trunc('hour', start_at, 'UTC'), outcome, coalesce(failed_stage, ''), count(*)
  FROM added GROUP BY 1, 2, 3
  ON CONFLICT (hour, outcome, failed_stage) DO UPDATE SET n = rate_hours.n + excluded.n;

  INSERT INTO health_hours (hour, role, host, attempts, failures, timed, zeros, min_ms, max_ms, buckets)
  SELECT hour, role, host, sum(n), sum(f), sum(timed), coalesce(sum(timed) FILTER (WHERE b IS NULL), 0), min(lo),
    max(hi), coalesce(jsonb_object_agg(b::text, timed) FILTER (WHERE b IS NOT NULL), '{}'::jsonb)
  FROM (
    SELECT date_trunc('hour', start_at, 'UTC') AS hour, h.role, h.host,
      CASE WHEN h.ms > 0 THEN ceil(ln(h.ms) / ln(1.02))::int END AS b, count(*) AS n,
      count(*) FILTER (WHERE outcome = 'failure' AND failed_stage = h.role) AS f, count(h.ms) AS timed,
      min(h.ms) AS lo, max(h.ms) AS hi
    FROM added, LATERAL (VALUES ('gateway', gateway_host, end_to_end_ms), ('radius', radius_host, radius_ms),
      ('ca', ca_host, ca_ms)) AS h(role, host, ms)
    WHERE outcome <> 'probe' AND h.host IS NOT NULL
    GROUP BY 1, 2, 3, 4
  ) AS per_bucket
  GROUP BY 1, 2, 3
  ON CONFLICT (hour, role, host) DO UPDATE SET attempts = health_hours.attempts + excluded.attempts,
    failures = health_hours.failures + excluded.failures, timed = health_hours.timed + excluded.timed,
    zeros = health_hours.zeros + excluded.zeros, min_ms = least(health_hours.min_ms, excluded.min_ms),
    max_ms = greatest(health_hours.max_ms, excluded.max_ms),
    buckets = add_counts(health_hours.buckets, excluded.buckets);
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
