import type { AttemptRecord } from '@otptrace/schemas';
import { attemptFact } from '@otptrace/stats';
import type pg from 'pg';

/** What a write did: new attempts, and those already stored (a replay). */
export interface WriteResult {
  inserted: number;
  duplicates: number;
}

const CHUNK = 1000;

/**
 * Store attempts as facts, idempotently: an attempt ID already stored is skipped (ON CONFLICT DO NOTHING), so a
 * replay changes no count. Takes a pool or a client inside a caller's transaction.
 */
export async function writeAttempts(
  db: pg.Pool | pg.PoolClient,
  attempts: readonly AttemptRecord[],
): Promise<WriteResult> {
  let inserted = 0;
  for (let i = 0; i < attempts.length; i += CHUNK) {
    const rows = attempts.slice(i, i + CHUNK).map(factRow);
    // One statement per chunk: the rows travel as one JSON parameter and are unpacked by PostgreSQL.
    const result = await db.query(
      `INSERT INTO attempt_facts (attempt_id, trace_id, user_name, start_at, end_at, outcome, failed_stage, root_cause,
         gateway_host, radius_host, ca_host, client_address, client_subnet, radius_ms, ca_ms, end_to_end_ms, record)
       SELECT r.attempt_id, r.trace_id, r.user_name, r.start_at, r.end_at, r.outcome, r.failed_stage, r.root_cause,
         r.gateway_host, r.radius_host, r.ca_host, r.client_address, r.client_subnet, r.radius_ms, r.ca_ms,
         r.end_to_end_ms, r.record
       FROM jsonb_to_recordset($1::jsonb) AS r(attempt_id text, trace_id text, user_name text, start_at timestamptz,
         end_at timestamptz, outcome text, failed_stage text, root_cause text, gateway_host text, radius_host text,
         ca_host text, client_address text, client_subnet text, radius_ms double precision, ca_ms double precision,
         end_to_end_ms double precision, record jsonb)
       ON CONFLICT (attempt_id) DO NOTHING`,
      [JSON.stringify(rows)],
    );
    inserted += result.rowCount ?? 0;
  }
  return { inserted, duplicates: attempts.length - inserted };
}

function factRow(attempt: AttemptRecord): Record<string, unknown> {
  const f = attemptFact(attempt);
  return {
    attempt_id: f.attemptId,
    trace_id: f.traceId,
    user_name: f.user,
    start_at: new Date(f.startMs).toISOString(),
    end_at: new Date(f.endMs).toISOString(),
    outcome: f.outcome,
    failed_stage: f.failedStage,
    root_cause: f.rootCause,
    gateway_host: f.gateway,
    radius_host: f.radius,
    ca_host: f.ca,
    client_address: f.clientAddress,
    client_subnet: f.subnet,
    radius_ms: f.radiusMs,
    ca_ms: f.caMs,
    end_to_end_ms: f.endToEndMs,
    record: attempt,
  };
}
