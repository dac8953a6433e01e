import {
  listTickets,
  type Pool,
  queryFailureRate,
  queryFailures,
  queryMetrics,
  queryServerHealth,
  queryStats,
} from '@otptrace/postgres';
import type { AttemptRecord } from '@otptrace/schemas';
import type { StatsStore } from './store.js';

/** The store over PostgreSQL: the same queries as `otptrace stats`. */
export function createPostgresStatsStore(pool: Pool): StatsStore {
  return {
    queryStats: (query) => queryStats(pool, query),
    listTickets: (filter) => listTickets(pool, filter),
    metrics: () => queryMetrics(pool),
    recentAttempts: async (limit) => {
      // The stored record is the attempt's JSON contract as the correlator wrote it.
      const result = await pool.query<{ record: AttemptRecord }>(
        'SELECT record FROM attempt_facts ORDER BY start_at DESC, attempt_id LIMIT $1',
        [limit],
      );
      return result.rows.map((row) => row.record);
    },
    ping: async () => {
      await pool.query('SELECT 1 FROM attempt_facts LIMIT 1');
    },
    failureRate: (range) => queryFailureRate(pool, range),
    serverHealth: (range) => queryServerHealth(pool, range),
    failures: (range, filter, limit) => queryFailures(pool, range, filter, limit),
  };
}
