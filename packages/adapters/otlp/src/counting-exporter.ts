import type { ExportResult, ExportResultCode } from '@opentelemetry/core';

/** ExportResultCode's two values (an enum of @opentelemetry/core), without loading the package for them. */
export const SUCCESS = 0 as ExportResultCode.SUCCESS;
export const FAILED = 1 as ExportResultCode.FAILED;

/** A batch as an exporter takes it: the spans themselves, or a request encoded from them; `length` counts spans. */
export interface Batch {
  readonly length: number;
}

/** What the wrapper drives: an exporter of batches (span data for the file and Zipkin, encoded requests for OTLP/HTTP). */
export interface BatchExporter<B extends Batch> {
  export(batch: B, resultCallback: (result: ExportResult) => void): void;
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Export counters, cumulative over the exporter's life. */
export interface ExportCounters {
  spansExported: number;
  spansFailed: number;
  batchesExported: number;
  batchesFailed: number;
  /** Attempts beyond the first, over all batches. */
  retries: number;
  /** Distinct error messages, oldest first (at most 20). */
  errors: string[];
}

/** Retry settings of one batch. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Where the batches go, for error messages (a URL or a file path; never headers). */
  readonly target: string;
}

// HTTP statuses the OTLP spec calls retryable; the SDK exporter already retries them within its timeout, and so do
// we across attempts. Network errors (backend down) are retried too, which the SDK exporter does not do.
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** Whether another attempt can help: the backend was unreachable, timed out or asked us to come back. */
export function isRetriable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number') return RETRYABLE_STATUS.has(code);
  if (typeof code === 'string') return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT, EAI_AGAIN...
  return /timeout|retryable/i.test(error.message);
}

/**
 * Wraps a span exporter with bounded retries (exponential backoff) and counters. The batch span processor only
 * hands failures to a global error handler, so this is where export failures are counted and kept for the report.
 */
export class CountingRetryingExporter<B extends Batch> implements BatchExporter<B> {
  readonly counters: ExportCounters = {
    spansExported: 0,
    spansFailed: 0,
    batchesExported: 0,
    batchesFailed: 0,
    retries: 0,
    errors: [],
  };
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly inner: BatchExporter<B>,
    private readonly policy: RetryPolicy,
  ) {}

  export(spans: B, resultCallback: (result: ExportResult) => void): void {
    const done = this.exportWithRetries(spans).then(resultCallback);
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** Resolves when every batch handed to this exporter has succeeded or failed for good. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async forceFlush(): Promise<void> {
    await this.idle();
    await this.inner.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    await this.idle();
    await this.inner.shutdown();
  }

  /** Counts a batch that could not even be prepared (encoded) as failed after one attempt. */
  reject(spans: Batch, error: unknown): void {
    this.failed(spans, { code: FAILED, error: error instanceof Error ? error : new Error(String(error)) }, 1);
  }

  private async exportWithRetries(spans: B): Promise<ExportResult> {
    let backoff = this.policy.initialBackoffMs;
    for (let attempt = 1; ; attempt++) {
      const result = await this.exportOnce(spans);
      if (result.code === SUCCESS) {
        this.counters.spansExported += spans.length;
        this.counters.batchesExported += 1;
        return result;
      }
      if (attempt >= this.policy.maxAttempts || !isRetriable(result.error)) return this.failed(spans, result, attempt);
      this.counters.retries += 1;
      await sleep(backoff);
      backoff = Math.min(backoff * 2, this.policy.maxBackoffMs);
    }
  }

  private exportOnce(spans: B): Promise<ExportResult> {
    return new Promise((resolve) => {
      try {
        this.inner.export(spans, resolve);
      } catch (error) {
        resolve({ code: FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    });
  }

  private failed(spans: Batch, result: ExportResult, attempts: number): ExportResult {
    const cause = result.error?.message || (result.error as { code?: string } | undefined)?.code || 'unknown error';
    const message = `OTLP export to ${this.policy.target} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${cause}`;
    this.counters.spansFailed += spans.length;
    this.counters.batchesFailed += 1;
    if (!this.counters.errors.includes(message) && this.counters.errors.length < 20) this.counters.errors.push(message);
    return { code: FAILED, error: new Error(message, { cause: result.error }) };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
