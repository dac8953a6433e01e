/** @otptrace/stats-api: statistics HTTP JSON API, Prometheus /metrics and /healthz, over PostgreSQL or memory. */
export type { StatsApi, StatsApiPorts, StatsApiSettings } from './api.js';
export { createStatsApi } from './api.js';
export type { StatsApiConfig } from './config.js';
export { statsApiConfigSchema } from './config.js';
export type { DashboardSettings } from './dashboard.js';
export { dashboardData } from './dashboard.js';
export { main } from './main.js';
export { createPostgresStatsStore } from './postgres-store.js';
export type { MemoryStatsStore, StatsStore } from './store.js';
export { createMemoryStatsStore } from './store.js';
