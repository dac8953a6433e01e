import { closeSync, openSync, writeSync } from 'node:fs';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { SpanData } from '@otptrace/trace';
import type { BatchExporter } from './counting-exporter.js';
import { encodeOtlpJson, encodeOtlpProtobuf, JsonBytes, writeOtlpJsonResourceSpans } from './otlp-encode.js';
import type { RoleResources } from './readable-span.js';

/** An OTLP/HTTP request encoded from a batch of spans: `length` spans. */
export interface EncodedRequest {
  readonly body: Uint8Array;
  readonly length: number;
}

/**
 * OTLP/HTTP without the SDK exporter: the request encoded straight from the span data (otlp-encode.ts) and POSTed.
 * Each batch is encoded once, before it is sent (`encode`): only its bytes wait for the answer and for retries, so
 * the spans of the batches in flight are not kept alive (they outlived the young generation and grew the heap).
 * A non-2xx answer fails with the status as the error's `code`, a network error with the system code (ECONNREFUSED,
 * ECONNRESET...), a request without an answer within `timeoutMs` with ETIMEDOUT: the retrying wrapper decides.
 */
export class OtlpHttpExporter implements BatchExporter<EncodedRequest> {
  constructor(
    private readonly url: string,
    private readonly protocol: 'http/json' | 'http/protobuf',
    private readonly headers: Readonly<Record<string, string>>,
    private readonly timeoutMs: number,
    private readonly resources: RoleResources,
  ) {}

  encode(spans: readonly SpanData[]): EncodedRequest {
    const body =
      this.protocol === 'http/json' ? encodeOtlpJson(spans, this.resources) : encodeOtlpProtobuf(spans, this.resources);
    return { body, length: spans.length };
  }

  export(request: EncodedRequest, done: (result: ExportResult) => void): void {
    const contentType = this.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
    fetch(this.url, {
      method: 'POST',
      body: request.body,
      headers: { ...this.headers, 'content-type': contentType },
      signal: AbortSignal.timeout(this.timeoutMs),
    }).then(
      async (res) => {
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) done({ code: ExportResultCode.SUCCESS });
        else
          done({ code: ExportResultCode.FAILED, error: withCode(`HTTP ${res.status} ${res.statusText}`, res.status) });
      },
      (error: unknown) => done({ code: ExportResultCode.FAILED, error: networkError(error) }),
    );
  }

  async shutdown(): Promise<void> {}
}

/**
 * The OTLP-JSON file: one line per flush, an ExportTraceServiceRequest in OTLP's JSON encoding. The file is JSON
 * Lines, one request per flush, as the OpenTelemetry Collector's file exporter writes and its otlpjsonfile receiver
 * reads; one flush (one `export()` of the trace exporter) gives a single JSON document. Each batch is encoded into
 * one reused byte buffer and written as it comes (its resourceSpans entries), so memory holds one batch's bytes, not
 * a whole document. The file is opened (truncated) at the first write: a run's file holds that run's traces only.
 */
export class OtlpJsonFileExporter implements BatchExporter<SpanData[]> {
  private fd: number | null = null;
  private documentOpen = false;
  private readonly bytes = new JsonBytes();
  /** A write that failed during this document: reported by the flush, which counts the document's spans as failed. */
  private failure: unknown = null;

  constructor(
    private readonly path: string,
    private readonly resources: RoleResources,
  ) {}

  export(spans: SpanData[], done: (result: ExportResult) => void): void {
    if (spans.length > 0 && this.failure === null) {
      try {
        this.bytes.raw(this.documentOpen ? ',' : '{"resourceSpans":[');
        writeOtlpJsonResourceSpans(this.bytes, spans, this.resources);
        this.documentOpen = true;
        this.write();
      } catch (error) {
        this.bytes.take();
        this.failure = error;
      }
    }
    done({ code: ExportResultCode.SUCCESS });
  }

  async forceFlush(): Promise<void> {
    const failure = this.failure;
    this.failure = null;
    if (failure !== null) {
      this.documentOpen = false;
      throw failure;
    }
    if (this.documentOpen) this.bytes.raw(']}\n');
    else if (this.fd === null) this.bytes.raw('{"resourceSpans":[]}\n');
    this.documentOpen = false;
    if (this.bytes.length > 0) this.write();
  }

  async shutdown(): Promise<void> {
    try {
      if (this.documentOpen || this.fd === null) await this.forceFlush();
    } finally {
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
    }
  }

  /** Writes out the bytes encoded so far. */
  private write(): void {
    const bytes = this.bytes.take();
    this.fd ??= openSync(this.path, 'w');
    for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at, bytes.length - at);
  }
}

function withCode(message: string, code: number | string): Error {
  return Object.assign(new Error(message), { code });
}

/** fetch's "fetch failed" with the system error as its cause, or the abort of the timeout. */
function networkError(error: unknown): Error {
  if (error instanceof Error && error.name === 'TimeoutError') return withCode('no answer in time', 'ETIMEDOUT');
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: string } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : 'ENETWORK';
  return withCode(cause?.message ?? (error instanceof Error ? error.message : String(error)), code);
}
