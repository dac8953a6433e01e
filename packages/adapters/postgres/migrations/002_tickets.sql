-- Root-cause tickets keyed by their stable ticket key (<hash of code + scope>-<incarnation>). An upsert replaces a
-- row only with a newer or equal revision whose body differs, so a replay leaves the row untouched.
CREATE TABLE tickets (
  ticket_key     text PRIMARY KEY,
  base_key       text NOT NULL,
  incarnation    integer NOT NULL,
  revision       integer NOT NULL,
  code           text NOT NULL,
  kind           text NOT NULL,
  scope_label    text NOT NULL,
  status         text NOT NULL CHECK (status IN ('open', 'resolved')),
  first_seen     timestamptz NOT NULL,
  last_seen      timestamptz NOT NULL,
  resolved_at    timestamptz,
  attempt_count  integer NOT NULL,
  affected_users integer NOT NULL,
  body           jsonb NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (base_key, incarnation)
);

CREATE INDEX tickets_open ON tickets (status, last_seen);

-- The ticket engine's state (seen attempt IDs, burst windows), saved with the tickets in one transaction so a
-- restarted writer resumes where it stopped.
CREATE TABLE ticket_engine_state (
  name       text PRIMARY KEY,
  state      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
