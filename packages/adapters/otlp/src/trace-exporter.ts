import type { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import type { SpanData } from '@otptrace/trace';
import type { ResolvedExporterConfig, TraceExporterOptions } from './config.js';
import { resolveExporterConfig } from './config.js';
import {
  type Batch,
  type BatchExporter,
  CountingRetryingExporter,
  type ExportCounters,
  FAILED,
  type RetryPolicy,
} from './counting-exporter.js';
import { OtlpHttpExporter, OtlpJsonFileExporter } from './direct-exporters.js';
import { createRoleResources, type RoleResources } from './resources.js';

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

/** Sends otptrace's spans to an OTLP backend, to Zipkin, or to an OTLP-JSON file. */
export interface TraceExporter {
  /** Where spans go: the traces URL or the file path (never headers). */
  readonly target: string;
  /**
   * Exports the spans (any number; sent in batches of `maxExportBatchSize`) and waits until they are sent or failed.
   * Any iterable will do: a generator that builds the spans as they are taken keeps only a few batches of them in
   * memory (the spans of a fleet, built all at once, survive long enough to grow the heap).
   */
  export(spans: Iterable<SpanData>): Promise<ExportReport>;
  /** Flushes what is left, closes the exporter, and reports over its whole life. */
  shutdown(): Promise<ExportReport>;
}

/**
 * Requests in flight at once: enough to overlap the backend's work with ours, few enough to bound memory. The file is
 * written as each batch is encoded, so it takes one batch at a time (batches kept waiting for their turn outlived the
 * young generation and grew the heap).
 */
const IN_FLIGHT = 4;

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
  const resources = createRoleResources(config.resourceAttributes);
  const exporter = sender(config, resources, { ...config, target });
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

  return {
    target,
    async export(spans) {
      if (closed) throw new Error('createTraceExporter: export() after shutdown()');
      const before = snapshot(exporter);
      // Spans go straight to the encoder in batches, a few in flight: no tracer, no processor queue, one resource
      // per machine role and host (see readable-span.ts and otlp-encode.ts).
      const inFlight = new Set<Promise<void>>();
      const source = new BatchReader(spans, config.maxExportBatchSize);
      for (;;) {
        const handed = sendNextBatch(exporter, source);
        if (handed === null) break;
        const sent = handed.finally(() => inFlight.delete(sent));
        inFlight.add(sent);
        if (inFlight.size >= exporter.inFlight) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      await exporter.forceFlush().catch((error: unknown) => fileWriteFailed(exporter, before, target, error));
      submitted += source.taken;
      return report(before, source.taken);
    },
    async shutdown() {
      closed = true;
      await exporter.shutdown().catch(() => undefined);
      return report(EMPTY, submitted);
    },
  };
}

/**
 * Takes the next batch from `source` and hands it on; null when the spans are exhausted. A function of its own, so
 * that no frame holds the batch once it is handed on: held in `export()`'s frame (or suspended in a generator), a
 * batch's spans stayed alive across the wait for an answer, outlived the young generation and grew the heap.
 */
function sendNextBatch(exporter: Sender, source: BatchReader): Promise<void> | null {
  const batch = source.next();
  return batch === null ? null : exporter.send(batch);
}

/** The spans in arrays of `size` (the last one shorter), taken from the iterable as each batch is needed. */
class BatchReader {
  /** Spans taken so far. */
  taken = 0;
  private readonly array: readonly SpanData[] | null;
  private readonly iterator: Iterator<SpanData> | null;

  constructor(
    spans: Iterable<SpanData>,
    private readonly size: number,
  ) {
    this.array = Array.isArray(spans) ? (spans as readonly SpanData[]) : null;
    this.iterator = this.array === null ? spans[Symbol.iterator]() : null;
  }

  next(): SpanData[] | null {
    let batch: SpanData[];
    if (this.array !== null) batch = this.array.slice(this.taken, this.taken + this.size);
    else {
      batch = [];
      const iterator = this.iterator as Iterator<SpanData>;
      while (batch.length < this.size) {
        const step = iterator.next();
        if (step.done === true) break;
        batch.push(step.value);
      }
    }
    if (batch.length === 0) return null;
    this.taken += batch.length;
    return batch;
  }
}

/** The counting, retrying exporter of a destination, fed with batches of spans. */
interface Sender {
  readonly counters: ExportCounters;
  /** Batches handed on before waiting for the oldest. */
  readonly inFlight: number;
  /** Prepares (encodes) the batch and hands it on; resolves when it is sent or failed for good, never rejects. */
  send(spans: SpanData[]): Promise<void>;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * A sender of batches through `inner`, each batch prepared by `prepare` as it is handed on and given to `release`
 * once it is sent or failed for good.
 */
function senderOf<B extends Batch>(
  inner: BatchExporter<B>,
  prepare: (spans: SpanData[]) => B,
  policy: RetryPolicy,
  inFlight: number,
  release: (batch: B) => void = () => undefined,
): Sender {
  const exporter = new CountingRetryingExporter(inner, policy);
  return {
    counters: exporter.counters,
    inFlight,
    send(spans) {
      let batch: B;
      try {
        batch = prepare(spans);
      } catch (error) {
        exporter.reject(spans, error);
        return Promise.resolve();
      }
      return new Promise((resolve) =>
        exporter.export(batch, () => {
          release(batch);
          resolve();
        }),
      );
    },
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
  };
}

type Counts = ReturnType<typeof snapshot>;

const EMPTY: Counts = { spansExported: 0, spansFailed: 0, batchesFailed: 0, retries: 0, errors: [] };

function snapshot(exporter: Sender) {
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
function fileWriteFailed(exporter: Sender, before: Counts, target: string, error: unknown): void {
  const c = exporter.counters;
  const lost = c.spansExported - before.spansExported;
  c.spansFailed += lost;
  c.spansExported -= lost;
  c.batchesFailed += 1;
  c.errors.push(`writing OTLP JSON to ${target} failed: ${error instanceof Error ? error.message : String(error)}`);
}

function sender(config: ResolvedExporterConfig, resources: RoleResources, policy: RetryPolicy): Sender {
  const { destination } = config;
  const same = (spans: SpanData[]) => spans;
  if (destination.kind === 'file')
    return senderOf(new OtlpJsonFileExporter(destination.path, resources), same, policy, 1);
  if (destination.protocol !== 'zipkin') {
    const http = new OtlpHttpExporter(
      destination.url,
      destination.protocol,
      destination.headers,
      config.timeoutMs,
      resources,
    );
    return senderOf(
      http,
      (spans) => http.encode(spans),
      policy,
      IN_FLIGHT,
      (request) => http.release(request),
    );
  }
  // Zipkin's own JSON v2 API (POST /api/v2/spans), through OpenTelemetry's official Zipkin exporter: each span's
  // service is its resource's service.name, so a trace shows the four machine roles as four services. It and the
  // ReadableSpans it reads are loaded at the first batch (the file and OTLP/HTTP paths load no OpenTelemetry package).
  let zipkin: Promise<{ exporter: ZipkinExporter; toReadableSpan: typeof import('./readable-span.js').toReadableSpan }>;
  const loaded = () =>
    (zipkin ??= Promise.all([import('@opentelemetry/exporter-zipkin'), import('./readable-span.js')]).then(
      ([z, r]) => ({
        exporter: new z.ZipkinExporter({ url: destination.url, headers: destination.headers }),
        toReadableSpan: r.toReadableSpan,
      }),
    ));
  const exporter: BatchExporter<SpanData[]> = {
    export: (spans, done) => {
      loaded().then(
        (z) =>
          z.exporter.export(
            spans.map((s) => z.toReadableSpan(s, resources)),
            done,
          ),
        (error: unknown) => done({ code: FAILED, error: error instanceof Error ? error : new Error(String(error)) }),
      );
    },
    forceFlush: async () => {
      if (zipkin !== undefined) await (await zipkin).exporter.forceFlush();
    },
    shutdown: async () => {
      if (zipkin !== undefined) await (await zipkin).exporter.shutdown();
    },
  };
  return senderOf(exporter, same, policy, IN_FLIGHT);
}
