import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderOpsDashboardPage } from '@otptrace/report';
import { renderPrometheus } from '@otptrace/runtime';
import { type DashboardQuery, dashboardQuerySchema, statsQuerySchema } from '@otptrace/schemas';
import { metricFamilies } from '@otptrace/stats';
import type { StatsApiConfig } from './config.js';
import { dashboardData, dashboardFailures, dashboardRange } from './dashboard.js';
import type { StatsStore } from './store.js';

/** The API's injected dependencies. */
export interface StatsApiPorts {
  store: StatsStore;
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** A running (or ready to run) statistics API. */
export interface StatsApi {
  server: Server;
  /** Start listening; resolves with the bound port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

type Handler = (url: URL) => Promise<{ status: number; type: string; body: string }>;

const json = (status: number, value: unknown) => ({
  status,
  type: 'application/json',
  body: `${JSON.stringify(value)}\n`,
});

/** The settings the API reads; the dashboard's have defaults. */
export type StatsApiSettings = Pick<StatsApiConfig, 'host' | 'port'> &
  Partial<Pick<StatsApiConfig, 'traceUrlTemplate' | 'dashboardAttempts' | 'dashboardRefreshSeconds'>>;

/** The HTTP JSON API over the statistics store, /metrics for Prometheus, /healthz, /readyz, and the dashboard at /. */
export function createStatsApi(config: StatsApiSettings, ports: StatsApiPorts): StatsApi {
  const dashboardPage = renderOpsDashboardPage({
    apiBase: '/api/dashboard',
    refreshSeconds: config.dashboardRefreshSeconds ?? 15,
    ...(config.traceUrlTemplate === undefined ? {} : { traceUrlTemplate: config.traceUrlTemplate }),
  });
  // A dashboard panel: its query parsed and its range resolved (against the server's clock for "last hour").
  const panel =
    (answer: (query: DashboardQuery, range: { fromMs: number; toMs: number }) => Promise<unknown>): Handler =>
    async (url) => {
      const parsed = dashboardQuerySchema.safeParse(Object.fromEntries(url.searchParams));
      if (!parsed.success) return json(400, { error: 'invalid query', issues: parsed.error.issues.map(issueText) });
      const range = dashboardRange(parsed.data, Date.now());
      if (typeof range === 'string') return json(400, { error: 'invalid query', issues: [range] });
      return json(200, await answer(parsed.data, range));
    };
  const routes: Record<string, Handler> = {
    '/': async () => ({ status: 200, type: 'text/html; charset=utf-8', body: dashboardPage }),
    '/api/dashboard': async () =>
      json(200, await dashboardData(ports.store, { attempts: config.dashboardAttempts ?? 1000 })),
    '/api/dashboard/rate': panel((_, range) => ports.store.failureRate(range)),
    '/api/dashboard/servers': panel((_, range) => ports.store.serverHealth(range)),
    '/api/dashboard/failures': panel((query, range) => dashboardFailures(ports.store, range, query)),
    // Liveness: the process answers (a database outage is not cured by a restart). Readiness: the store answers.
    '/healthz': async () => json(200, { status: 'ok' }),
    '/readyz': async () => {
      try {
        await ports.store.ping();
        return json(200, { status: 'ok' });
      } catch (error) {
        return json(503, { status: 'unavailable', reason: error instanceof Error ? error.message : String(error) });
      }
    },
    '/metrics': async () => ({
      status: 200,
      type: 'text/plain; version=0.0.4; charset=utf-8',
      body: await renderPrometheus(metricFamilies(await ports.store.metrics())),
    }),
    '/api/stats': async (url) => {
      const params = Object.fromEntries(url.searchParams);
      const parsed = statsQuerySchema.safeParse({
        ...params,
        ...(params.limit === undefined ? {} : { limit: Number(params.limit) }),
      });
      if (!parsed.success) return json(400, { error: 'invalid query', issues: parsed.error.issues.map(issueText) });
      return json(200, await ports.store.queryStats(parsed.data));
    },
    '/api/tickets': async (url) => {
      const status = url.searchParams.get('status');
      if (status !== null && status !== 'open' && status !== 'resolved') {
        return json(400, { error: 'invalid query', issues: ['status: use open or resolved'] });
      }
      return json(200, { tickets: await ports.store.listTickets(status === null ? {} : { status }) });
    },
  };
  const server = createServer((req, res) => void handle(routes, ports, req, res));
  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve((server.address() as AddressInfo).port));
      }),
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function handle(
  routes: Record<string, Handler>,
  ports: StatsApiPorts,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const url = new URL(req.url ?? '/', 'http://stats-api');
  const route = routes[url.pathname];
  let reply: { status: number; type: string; body: string };
  if (route === undefined) reply = json(404, { error: 'not found' });
  else if (req.method !== 'GET' && req.method !== 'HEAD') reply = json(405, { error: 'method not allowed' });
  else {
    try {
      reply = await route(url);
    } catch (error) {
      // A store failure (database down) is the server's problem, and says so without leaking the query.
      ports.log.error({ err: error, path: url.pathname }, 'request failed');
      reply = json(500, { error: 'internal error' });
    }
  }
  res.writeHead(reply.status, {
    'content-type': reply.type,
    'content-length': Buffer.byteLength(reply.body),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : reply.body);
}

function issueText(issue: { path: PropertyKey[]; message: string }): string {
  return `${issue.path.map(String).join('.')}: ${issue.message}`;
}
