import pg from 'pg';

/** Where the database is and which schema to use. */
export interface PostgresSettings {
  connectionString: string;
  /** Schema holding otptrace's tables; tests use one per run so they never collide. */
  schema: string;
}

/** The default connection: the machine's PostgreSQL with trust auth. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Settings from the environment: `DATABASE_URL`, or the `PG*` variables libpq reads (PGHOST, PGPORT, PGUSER,
 * PGDATABASE, PGPASSWORD) when `DATABASE_URL` is unset, else the default; schema from `OTPTRACE_PG_SCHEMA` (default `otptrace`).
 */
export function settingsFromEnv(env: Record<string, string | undefined>): PostgresSettings {
  const usesPgVars = ['PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE'].some((name) => env[name] !== undefined);
  const fromPgVars = `postgres://${encodeURIComponent(env.PGUSER ?? 'postgres')}@${env.PGHOST ?? '127.0.0.1'}:${env.PGPORT ?? '5432'}/${env.PGDATABASE ?? 'test'}`;
  return {
    connectionString: env.DATABASE_URL ?? (usesPgVars ? fromPgVars : DEFAULT_DATABASE_URL),
    schema: env.OTPTRACE_PG_SCHEMA ?? 'otptrace',
  };
}

/** Throws for a schema name that is not a plain lower-case SQL identifier (it is spliced into SQL). */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${JSON.stringify(schema)}`);
  return schema;
}

/** A connection pool whose sessions resolve unqualified table names in the settings' schema. */
export function createPool(settings: PostgresSettings, max = 4): pg.Pool {
  return new pg.Pool({
    connectionString: settings.connectionString,
    max,
    // search_path per session: the migrations and queries name tables without a schema.
    options: `-c search_path=${checkSchemaName(settings.schema)}`,
  });
}

/** The pool type every function here takes. */
export type Pool = pg.Pool;
