import type { Logger } from 'pino';

/** Options of the graceful-shutdown hook. */
export interface ShutdownOptions {
  logger: Logger;
  /** Longest the stop routine may take before the process exits anyway (exit code 1). */
  timeoutMs: number;
  signals?: readonly NodeJS.Signals[];
  /** Process exit, injectable for tests. */
  exit?: (code: number) => void;
}

/**
 * Runs `stop` once on SIGTERM or SIGINT (stop taking input, flush, commit), then exits 0; a second signal or the
 * timeout exits at once with 1. Returns a function that removes the hook.
 */
export function onShutdown(stop: (signal: string) => Promise<void>, options: ShutdownOptions): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.logger.warn({ signal }, 'second signal: exiting without finishing the shutdown');
      exit(1);
      return;
    }
    stopping = true;
    options.logger.info({ signal }, 'shutting down: no new input, flushing and committing');
    const timer = setTimeout(() => {
      options.logger.error({ timeoutMs: options.timeoutMs }, 'shutdown timed out');
      exit(1);
    }, options.timeoutMs);
    timer.unref();
    stop(signal).then(
      () => {
        clearTimeout(timer);
        options.logger.info('shutdown complete');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(timer);
        options.logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
