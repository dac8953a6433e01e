-- Servers are counted under their computer name (@otptrace/model computerNameOf): the DA server a W3C log names `da1`
-- and its clients `da1.corp.example` is one row of the dashboard, not two. Attempts stored before this migration
-- hold whole names; they are renamed here and both rollups are built again from them, through the trigger (as in
-- migration 003), so every count stays the same and only the names change. Stored host names are already lower case.
CREATE FUNCTION pg_temp.server_name(host text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN host IS NULL OR host ~ '^[0-9]{1,3}(\.[0-9]{1,3}){3}$' OR strpos(host, ':') > 0 THEN host
    ELSE split_part(host, '.', 1)
  END
$$;

CREATE TEMPORARY TABLE stored_before ON COMMIT DROP AS SELECT * FROM attempt_facts;
UPDATE stored_before SET gateway_host = pg_temp.server_name(gateway_host), radius_host = pg_temp.server_name(radius_host),
  ca_host = pg_temp.server_name(ca_host);
DELETE FROM attempt_facts;
DELETE FROM rate_rollup;
DELETE FROM health_rollup;
INSERT INTO attempt_facts SELECT * FROM stored_before;
