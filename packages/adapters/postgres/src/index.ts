/** @otptrace/postgres: adapter: attempt facts, statistics and tickets in PostgreSQL, with migrations. */
export type { WriteResult } from './attempts.js';
export { writeAttempts } from './attempts.js';
export type { Pool, PostgresSettings } from './connection.js';
export { checkSchemaName, createPool, DEFAULT_DATABASE_URL, settingsFromEnv } from './connection.js';
export { queryFailureRate, queryFailures, queryServerHealth } from './dashboard.js';
export type { IngestOptions, IngestResult } from './ingest.js';
export { ingestAttempts } from './ingest.js';
export type { MigrationResult } from './migrate.js';
export { MIGRATIONS_DIR, migrate } from './migrate.js';
export { queryLatencies, queryMetrics, queryStats } from './queries.js';
export type { EngineStateOf, TicketFilter } from './tickets.js';
export {
  createPostgresTicketSink,
  inTransaction,
  listTickets,
  loadTicketState,
  saveTicketState,
  upsertTickets,
} from './tickets.js';
