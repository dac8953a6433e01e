import { readdir, readFile } from 'node:fs/promises';
import type { Pool } from './connection.js';
import { checkSchemaName } from './connection.js';

/** The numbered SQL files of packages/adapters/postgres/migrations (the same folder from src/ and from dist/). */
export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

/** What `migrate` did. */
export interface MigrationResult {
  schema: string;
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Apply the migrations not applied yet, in file-name order, each in one transaction with its bookkeeping row.
 * Safe to run twice or from two processes at once (an advisory lock serialises them).
 */
export async function migrate(pool: Pool, schema: string): Promise<MigrationResult> {
  checkSchemaName(schema);
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('otptrace.migrate.' || $1))`, [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await client.query<{ version: string }>(`SELECT version FROM ${schema}.schema_migrations`)).rows.map(
        (r) => r.version,
      ),
    );
    const result: MigrationResult = { schema, applied: [], alreadyApplied: files.filter((f) => done.has(f)) };
    for (const file of files.filter((f) => !done.has(f))) {
      const sql = await readFile(new URL(file, MIGRATIONS_DIR), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL search_path TO ${schema}`);
        await client.query(sql);
        await client.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES ($1)`, [file]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
      result.applied.push(file);
    }
    return result;
  } finally {
    await client.query(`SELECT pg_advisory_unlock(hashtext('otptrace.migrate.' || $1))`, [schema]).catch(() => {});
    client.release();
  }
}
