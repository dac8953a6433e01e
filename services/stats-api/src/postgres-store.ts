import { listTickets, type Pool, queryMetrics, queryStats } from '@otptrace/postgres';
import type { StatsStore } from './store.js';

/** The store over PostgreSQL: the same queries as `otptrace stats`. */
export function createPostgresStatsStore(pool: Pool): StatsStore {
  return {
    queryStats: (query) => queryStats(pool, query),
    listTickets: (filter) => listTickets(pool, filter),
    metrics: () => queryMetrics(pool),
    ping: async () => {
      await pool.query('SELECT 1 FROM attempt_facts LIMIT 1');
    },
  };
}
