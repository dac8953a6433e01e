import { createTraceExporter, type TraceExporter } from '@otptrace/otlp';
import type { AnalyzedAttempt } from '@otptrace/pipeline';
import { createPool, ingestAttempts, migrate, type Pool, settingsFromEnv } from '@otptrace/postgres';
import type { Logger } from '@otptrace/runtime';
import { toSpans } from '@otptrace/trace';
import type { CorrelatorConfig } from './config.js';

/**
 * Where finished attempts go besides the attempts topic: traces (OpenTelemetry exporter), tickets, statistics.
 * `write` resolves once the sink has taken the attempts; a rejection holds back the partition's commit, so the
 * attempts are re-read and written again (sinks must accept duplicates: IDs and ticket keys are deterministic).
 */
export interface AttemptSink {
  readonly name: string;
  write(attempts: readonly AnalyzedAttempt[]): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Sends each attempt as one trace (the pure `toSpans` of @otptrace/trace, through the OTLP exporter of
 * @otptrace/otlp). Trace and span IDs derive from the attempt, so a re-sent attempt is the same trace again.
 * A failed export rejects, so the correlator re-reads and retries instead of committing past lost spans.
 */
export function createTraceSink(exporter: TraceExporter): AttemptSink {
  return {
    name: 'traces',
    async write(attempts) {
      if (attempts.length === 0) return;
      const spans = attempts.flatMap((a) => toSpans(a.record, a.events));
      const report = await exporter.export(spans);
      if (!report.ok) throw new Error(`trace export to ${exporter.target} failed: ${report.errors.join('; ')}`);
    },
    async close() {
      await exporter.shutdown();
    },
  };
}

/**
 * Writes finished attempts to the statistics store (PostgreSQL, @otptrace/postgres): the attempt facts the statistics
 * API and `otptrace stats` read, and the root-cause tickets they open or resolve, in one transaction. Writes are
 * idempotent by attempt ID, so a re-read batch after a crash changes nothing.
 */
export function createStatisticsSink(pool: Pool, schema: string, writer = 'correlator'): AttemptSink {
  // The tables are created (or brought up to date) before the first write; migrations are idempotent.
  let migrated: Promise<unknown> | null = null;
  return {
    name: 'statistics',
    async write(attempts) {
      if (attempts.length === 0) return;
      migrated ??= migrate(pool, schema);
      await migrated;
      await ingestAttempts(
        pool,
        attempts.map((a) => a.record),
        { writer },
      );
    },
    async close() {
      await pool.end();
    },
  };
}

/** The sinks the configuration enables, besides the attempts topic (the one place sinks are wired). */
export function configuredSinks(config: CorrelatorConfig, logger: Logger, env = process.env): AttemptSink[] {
  const sinks: AttemptSink[] = [];
  if (config.statistics.enabled) {
    // The connection comes from the environment (DATABASE_URL, PG*), never from the config file or the command line.
    const settings = { ...settingsFromEnv(env), schema: config.statistics.schema };
    sinks.push(createStatisticsSink(createPool(settings), settings.schema));
    logger.info({ schema: settings.schema }, 'attempts and tickets are also written to PostgreSQL');
  }
  if (!config.traces.enabled) return sinks;
  const exporter = createTraceExporter({
    ...(config.traces.endpoint === null ? {} : { endpoint: config.traces.endpoint }),
    ...(config.traces.tracesEndpoint === null ? {} : { tracesEndpoint: config.traces.tracesEndpoint }),
    protocol: config.traces.protocol,
    serviceName: 'otptrace-correlator',
  });
  logger.info({ target: exporter.target }, 'attempts are also sent as traces');
  return [...sinks, createTraceSink(exporter)];
}
