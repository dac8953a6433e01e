import { createPool, DEFAULT_DATABASE_URL } from '@otptrace/postgres';
import { describe, expect, it } from 'vitest';
import { offlineAttempts, scenarioFiles } from '../../services/correlator/test/ports.js';
import { startSmallPipeline } from './pipeline.js';

/** Polls a query until it returns `want` (the correlator writes asynchronously), then returns its last result. */
async function until<T>(query: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await query();
  while (!done(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    last = await query();
  }
  return last;
}

describe('correlator statistics sink into the real PostgreSQL', () => {
  it('attempts streamed through Kafka land in the statistics store once, with the ticket they open', async () => {
    // test/scenarios/ca-template-not-available: an infrastructure failure at the CA, which opens a ticket.
    const files = scenarioFiles('ca-template-not-available');
    const expected = offlineAttempts(files);
    const schema = `it_stats_${Date.now().toString(36)}_${process.pid}`;
    const pipeline = await startSmallPipeline('stats', {
      OTPTRACE_CORRELATOR_STATISTICS__ENABLED: 'true',
      OTPTRACE_CORRELATOR_STATISTICS__SCHEMA: schema,
      DATABASE_URL: DEFAULT_DATABASE_URL,
    });
    const pool = createPool({ connectionString: DEFAULT_DATABASE_URL, schema });
    try {
      await pipeline.post(files);
      const ids = await until(
        async () => {
          try {
            return (
              await pool.query<{ attempt_id: string }>('SELECT attempt_id FROM attempt_facts ORDER BY attempt_id')
            ).rows.map((r) => r.attempt_id);
          } catch {
            return [] as string[]; // the correlator has not created the tables yet
          }
        },
        (rows) => rows.length >= expected.length,
      );
      expect(ids).toEqual(expected.map((a) => a.id).sort());
      const tickets = await pool.query<{ code: string; attempt_count: number }>(
        'SELECT code, attempt_count FROM tickets',
      );
      expect(tickets.rows.map((t) => [t.code, Number(t.attempt_count)])).toEqual([['ca_template_not_available', 1]]);
    } finally {
      await pipeline.stop();
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await pool.end();
    }
  });
});
