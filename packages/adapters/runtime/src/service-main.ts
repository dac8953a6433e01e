import type { z } from 'zod';
import { type AdminServer, type Readiness, startAdminServer } from './admin-server.js';
import { redactConfig, serviceCommandLine } from './cli.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { onShutdown } from './shutdown.js';
import { OTPTRACE_VERSION } from './version.js';

/** The options every service's configuration has, which the shared start-up reads. */
export interface ServiceBaseConfig {
  logLevel: string;
  shutdownTimeoutMs: number;
  admin: { host: string; port: number };
}

/** What the shared start-up hands a service to build itself from. */
export interface ServiceContext<C> {
  config: C;
  logger: Logger;
  metrics: Metrics;
}

/** A built service: the shared start-up serves its readiness, starts it, and stops it on a signal. */
export interface ServiceInstance {
  readiness(): Readiness;
  /**
   * Connects and starts taking work. A rejection is logged (fatal, "start-up failed") and told on stderr in one line;
   * the service is then stopped and the process exits with code 1.
   */
  start(): Promise<void>;
  /** Stops taking work, finishes what is in hand, disconnects. */
  stop(): Promise<void>;
  /** When defined after start: resolves when the service's work ends by itself (then it is stopped and exits). */
  finished?(): Promise<void> | undefined;
  /** After start: the ports the service itself listens on, by name (a configured 0 is the port the system chose). */
  listening?(): Record<string, number>;
}

/** A service's description: its name, `--help` summary, configuration schema and how to build it. */
export interface ServiceSpec<S extends z.ZodType<ServiceBaseConfig>> {
  /** Process name, e.g. otptrace-collector: the logger's name and the `--help` usage line. */
  name: string;
  summary: string;
  schema: S;
  /** Environment prefix of the configuration overrides, e.g. OTPTRACE_COLLECTOR_. */
  envPrefix: string;
  build(context: ServiceContext<z.infer<S>>): ServiceInstance;
}

/** Where a service process writes and what it reads; tests pass their own. */
export interface ServiceIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Tells the parent process, once started, the ports the service listens on. A parent that picked free ports
   * itself would race every other process for them; with port 0 and this message it never does.
   */
  announce?: (listening: ServiceListening) => void;
  /** Where the service's JSON log lines go; stdout when absent (tests pass a stream). */
  logs?: NodeJS.WritableStream;
}

/** The one message a service sends its parent over an IPC channel, when it was spawned with one. */
export interface ServiceListening {
  type: 'otptrace.listening';
  /** The admin server's port (/healthz, /readyz, /metrics). */
  admin: number;
  /** The service's own ports, by name (the collector's `http`). */
  ports: Record<string, number>;
}

/** Sends the message, then lets go of the channel so that it does not keep the process alive. */
function announceToParent(listening: ServiceListening): void {
  process.send?.(listening, undefined, {}, () => {
    if (process.connected) process.disconnect();
  });
}

const processIo = (): ServiceIo => ({
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  ...(process.send === undefined ? {} : { announce: announceToParent }),
});

/**
 * The start-up every service shares: `--help`, `--version`, configuration from file and environment (exit code 2,
 * one clear message, for a wrong option or configuration),
 * `--print-config` (secrets redacted), the pino logger and metrics, `/healthz` `/readyz` `/metrics` on the admin
 * port, the graceful-shutdown hook (installed before anything connects, so a SIGTERM during start-up is a clean stop
 * too), then `start`, then the ports it listens on to a parent that spawned it with an IPC channel. Resolves with the exit code once started (or once the service's work ended by itself).
 */
export async function serviceMain<S extends z.ZodType<ServiceBaseConfig>>(
  spec: ServiceSpec<S>,
  argv: readonly string[],
  io: ServiceIo = processIo(),
): Promise<number> {
  const config = serviceCommandLine(spec, argv, io);
  if (typeof config === 'number') return config;
  const logger = createLogger({
    name: spec.name,
    level: config.logLevel,
    ...(io.logs === undefined ? {} : { destination: io.logs }),
  });
  const metrics = createMetrics();
  const service = spec.build({ config, logger, metrics });
  let adminServer: AdminServer | undefined;
  const starting = (async () => {
    adminServer = await startAdminServer(config.admin.host, config.admin.port, {
      alive: () => true,
      readiness: () => service.readiness(),
      metrics: () => metrics.render(),
    });
    logger.info(
      { version: OTPTRACE_VERSION, config: redactConfig(config), adminPort: adminServer.port },
      'configuration loaded',
    );
    await service.start();
    io.announce?.({ type: 'otptrace.listening', admin: adminServer.port, ports: service.listening?.() ?? {} });
  })();
  const stop = async () => {
    await starting.catch(() => {});
    await service.stop();
    await adminServer?.close();
  };
  const removeShutdownHook = onShutdown(stop, { logger, timeoutMs: config.shutdownTimeoutMs });
  try {
    await starting;
  } catch (error) {
    removeShutdownHook();
    // A broker or database out of reach, a topic refused: the operator's mistake or the network's, not a bug. One
    // fatal line (with the stack) for the log collector, one plain line for whoever started the process, exit 1.
    logger.fatal({ err: error }, 'start-up failed');
    io.stderr(`${spec.name}: start-up failed: ${(error as Error).message ?? String(error)}\n`);
    await withinMs(config.shutdownTimeoutMs, service.stop());
    await adminServer?.close();
    return 1;
  }
  const finished = service.finished?.();
  if (finished) {
    await finished;
    await stop();
  }
  return 0;
}

/** Waits for `work` (its failure ignored) at most `ms`: cleaning up after a failed start must not hang the exit. */
async function withinMs(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  await Promise.race([work.then(noop, noop), timeout]);
  clearTimeout(timer);
}

function noop(): void {}

/**
 * Runs a service as the process: exits with serviceMain's code when not 0 (1 after a failed start, which it has
 * logged), or 1 with the stack when it throws (a bug).
 */
export function runService<S extends z.ZodType<ServiceBaseConfig>>(spec: ServiceSpec<S>): void {
  serviceMain(spec, process.argv.slice(2)).then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (error: unknown) => {
      process.stderr.write(`${spec.name}: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
