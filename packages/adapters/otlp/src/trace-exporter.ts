import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Resource } from '@opentelemetry/resources';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanData } from '@otptrace/trace';
import type { ResolvedExporterConfig, TraceExporterOptions } from './config.js';
import { resolveExporterConfig } from './config.js';
import { CountingRetryingExporter } from './counting-exporter.js';
import { OtlpJsonFileExporter } from './file-exporter.js';
import { ReplayIdGenerator, replaySpans } from './replay.js';

/** What one `export()` (or the whole life, from `shutdown()`) achieved. */
export interface ExportReport {
  readonly ok: boolean;
  readonly spansSubmitted: number;
  readonly spansExported: number;
  readonly spansFailed: number;
  readonly batchesFailed: number;
  readonly retries: number;
  /** Clear messages naming the target and the cause, e.g. "... failed after 3 attempts: connect ECONNREFUSED". */
  readonly errors: readonly string[];
}

/** Sends otptrace's spans through the OpenTelemetry SDK to an OTLP backend or an OTLP-JSON file. */
export interface TraceExporter {
  /** Where spans go: the traces URL or the file path (never headers). */
  readonly target: string;
  /** Exports the spans (any number; queued and flushed in bounded chunks) and waits until they are sent or failed. */
  export(spans: readonly SpanData[]): Promise<ExportReport>;
  /** Flushes what is left, closes the exporter, and reports over its whole life. */
  shutdown(): Promise<ExportReport>;
}

/** Instrumentation scope of the replayed spans. */
const SCOPE = '@otptrace/otlp';

/**
 * Builds the exporter from options and the OTEL_* environment (see config.ts). Throws on invalid settings, never
 * on an unreachable backend: export failures come back in the ExportReport.
 */
export function createTraceExporter(
  options: TraceExporterOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): TraceExporter {
  const config = resolveExporterConfig(options, env);
  const target = config.destination.kind === 'file' ? config.destination.path : config.destination.url;
  const exporter = new CountingRetryingExporter(sdkExporter(config), { ...config, target });
  const processor = new BatchSpanProcessor(exporter, {
    maxQueueSize: config.maxQueueSize,
    maxExportBatchSize: config.maxExportBatchSize,
    scheduledDelayMillis: 1_000,
    // Our retries live inside one processor export: let them finish before the processor gives up on the batch.
    exportTimeoutMillis: config.maxAttempts * (config.timeoutMs + config.maxBackoffMs) + 1_000,
  });
  const ids = new ReplayIdGenerator();
  const tracerFor = hostTracers(config, ids, processor);
  let submitted = 0;
  let closed = false;

  const report = (before: Counts, spans: number): ExportReport => {
    const now = snapshot(exporter);
    const failed = now.spansFailed - before.spansFailed;
    return {
      ok: failed === 0 && now.errors.length === before.errors.length,
      spansSubmitted: spans,
      spansExported: now.spansExported - before.spansExported,
      spansFailed: failed,
      batchesFailed: now.batchesFailed - before.batchesFailed,
      retries: now.retries - before.retries,
      errors: now.errors.slice(before.errors.length),
    };
  };

  const flush = async (before: Counts) => {
    await processor.forceFlush().catch(() => undefined); // failures are counted by the exporter wrapper
    await exporter.forceFlush().catch((error: unknown) => fileWriteFailed(exporter, before, target, error));
  };

  return {
    target,
    async export(spans) {
      if (closed) throw new Error('createTraceExporter: export() after shutdown()');
      const before = snapshot(exporter);
      // Never queue more than the processor holds: it would drop the excess silently.
      for (let at = 0; at < spans.length; at += config.maxQueueSize) {
        const chunkBefore = snapshot(exporter);
        replaySpans(spans.slice(at, at + config.maxQueueSize), ids, tracerFor);
        await flush(chunkBefore);
      }
      submitted += spans.length;
      return report(before, spans.length);
    },
    async shutdown() {
      closed = true;
      await flush(snapshot(exporter));
      await processor.shutdown().catch(() => undefined);
      return report(EMPTY, submitted);
    },
  };
}

type Counts = ReturnType<typeof snapshot>;

const EMPTY: Counts = { spansExported: 0, spansFailed: 0, batchesFailed: 0, retries: 0, errors: [] };

function snapshot(exporter: CountingRetryingExporter) {
  const c = exporter.counters;
  return {
    spansExported: c.spansExported,
    spansFailed: c.spansFailed,
    batchesFailed: c.batchesFailed,
    retries: c.retries,
    errors: [...c.errors],
  };
}

/** A failed file write turns the spans buffered since `before` (counted as exported) into failures. */
function fileWriteFailed(exporter: CountingRetryingExporter, before: Counts, target: string, error: unknown): void {
  const c = exporter.counters;
  const lost = c.spansExported - before.spansExported;
  c.spansFailed += lost;
  c.spansExported -= lost;
  c.batchesFailed += 1;
  c.errors.push(`writing OTLP JSON to ${target} failed: ${error instanceof Error ? error.message : String(error)}`);
}

function sdkExporter(config: ResolvedExporterConfig): SpanExporter {
  const { destination } = config;
  if (destination.kind === 'file') return new OtlpJsonFileExporter(destination.path);
  const settings = { url: destination.url, headers: destination.headers, timeoutMillis: config.timeoutMs };
  return destination.protocol === 'http/json' ? new OtlpJsonExporter(settings) : new OtlpProtoExporter(settings);
}

/**
 * One tracer provider per host, sharing one processor and one ID generator. Each span's resource then names the
 * machine whose log the span comes from (`host.name`: the DA server, NPS, the CA or the client) on top of
 * otptrace's own service.name / service.version; the attempt span, which otptrace derives, has no host. A span
 * has exactly one resource in OTLP, so per-host providers are how one trace can cover four machines.
 */
function hostTracers(config: ResolvedExporterConfig, ids: ReplayIdGenerator, processor: BatchSpanProcessor) {
  const tracers = new Map<string | null, Tracer>();
  return (host: string | null): Tracer => {
    let tracer = tracers.get(host);
    if (tracer === undefined) {
      const attributes =
        host === null ? config.resourceAttributes : { ...config.resourceAttributes, 'host.name': host };
      const resource: Resource = resourceFromAttributes(attributes);
      const provider = new BasicTracerProvider({
        resource,
        idGenerator: ids,
        sampler: new AlwaysOnSampler(),
        spanProcessors: [processor],
      });
      tracer = provider.getTracer(SCOPE, config.resourceAttributes['service.version']);
      tracers.set(host, tracer);
    }
    return tracer;
  };
}
