-- One row per OTP attempt, keyed by its deterministic attempt ID: writes use ON CONFLICT DO NOTHING, so replaying
-- the same attempts (a re-run of analyze, a rewound Kafka topic) never counts one twice. Every statistic is a
-- query over this table. Columns are the facts of @otptrace/stats `attemptFact`.
CREATE TABLE attempt_facts (
  attempt_id     text PRIMARY KEY,
  trace_id       text NOT NULL,
  user_name      text NOT NULL,
  start_at       timestamptz NOT NULL,
  end_at         timestamptz NOT NULL,
  outcome        text NOT NULL CHECK (outcome IN ('success', 'failure', 'cancelled', 'probe', 'incomplete')),
  failed_stage   text CHECK (failed_stage IN ('client', 'gateway', 'radius', 'ca')),
  root_cause     text,
  gateway_host   text,
  radius_host    text,
  ca_host        text,
  client_address text,
  client_subnet  text,
  radius_ms      double precision,
  ca_ms          double precision,
  end_to_end_ms  double precision,
  record         jsonb NOT NULL,
  stored_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX attempt_facts_start_at ON attempt_facts (start_at);
CREATE INDEX attempt_facts_failures ON attempt_facts (root_cause, start_at) WHERE outcome = 'failure';
