-- The attempt IDs a ticket engine remembers (a day of a fleet's attempts, by default), one row each, beside its
-- state row: a step inserts the IDs it took and deletes those behind its horizon, instead of rewriting megabytes of
-- JSON in ticket_engine_state at every step. States saved before this table keep their IDs in the row until their
-- next load moves them here.
CREATE TABLE ticket_seen (
  name       text NOT NULL,
  attempt_id text NOT NULL,
  end_ms     bigint NOT NULL,
  PRIMARY KEY (name, attempt_id)
);

CREATE INDEX ticket_seen_by_end ON ticket_seen (name, end_ms);
