import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Readiness: ready, or the reasons it is not (e.g. "kafka: producer not connected"). */
export interface Readiness {
  ready: boolean;
  reasons: string[];
}

/** What the admin endpoints report. */
export interface AdminProbes {
  /** Liveness: false only when the process should be restarted. */
  alive(): boolean;
  readiness(): Readiness;
  /** Prometheus text for /metrics. */
  metrics(): string | Promise<string>;
}

/** A running admin server. */
export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves /healthz (liveness), /readyz (readiness: 503 with reasons while not ready, e.g. during start-up, broker loss
 * or shutdown) and /metrics (Prometheus). Kept apart from the ingestion port so probes never wait behind uploads.
 */
export async function startAdminServer(host: string, port: number, probes: AdminProbes): Promise<AdminServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      const alive = probes.alive();
      res.writeHead(alive ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ alive }));
    } else if (path === '/readyz') {
      const readiness = probes.readiness();
      res.writeHead(readiness.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(readiness));
    } else if (path === '/metrics') {
      Promise.resolve()
        .then(() => probes.metrics())
        .then(
          (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
          () => res.writeHead(500).end(),
        );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
