import { closeSync, openSync, writeSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { ExportResult } from '@opentelemetry/core';
import type { SpanData } from '@otptrace/trace';
import { type BatchExporter, FAILED, SUCCESS } from './counting-exporter.js';
import {
  encodeOtlpJsonInto,
  encodeOtlpProtobufInto,
  JsonBytes,
  ProtoWriter,
  writeOtlpJsonResourceSpans,
} from './otlp-encode.js';
import type { RoleResources } from './resources.js';

/** An OTLP/HTTP request encoded from a batch of spans: `length` spans; `body` is a view of `encoder`'s buffer. */
export interface EncodedRequest {
  readonly body: Uint8Array;
  readonly length: number;
  readonly encoder: ProtoWriter | JsonBytes;
}

/**
 * OTLP/HTTP without the SDK exporter: the request encoded straight from the span data (otlp-encode.ts) and POSTed
 * with node:http / node:https over kept-alive connections (fetch's per-request objects and timers cost more than the
 * encoding of a batch, and kept each request alive for its whole timeout). Each batch is encoded once, before it is
 * sent (`encode`): only its bytes wait for the answer and for retries, so the spans of the batches in flight are not
 * kept alive. The body stays in its encoder's buffer until the batch is sent or failed for good (`release`), then
 * the encoder takes the next batch: a copy per request (~0.4 MB, external memory) outlived the young generation
 * while it waited for its answer and stayed until the next full garbage collection. A non-2xx answer fails with the
 * status as the error's `code`, a network error with the system code (ECONNREFUSED, ECONNRESET...), a request
 * without an answer within `timeoutMs` with ETIMEDOUT: the retrying wrapper decides.
 */
export class OtlpHttpExporter implements BatchExporter<EncodedRequest> {
  private readonly target: URL;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  /** Encoders no request is using (as many as requests were once in flight at the same time). */
  private readonly idle: (ProtoWriter | JsonBytes)[] = [];

  constructor(
    url: string,
    private readonly protocol: 'http/json' | 'http/protobuf',
    private readonly headers: Readonly<Record<string, string>>,
    private readonly timeoutMs: number,
    private readonly resources: RoleResources,
  ) {
    this.target = new URL(url);
    const secure = this.target.protocol === 'https:';
    this.agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    this.request = secure ? https.request : http.request;
  }

  encode(spans: readonly SpanData[]): EncodedRequest {
    if (this.protocol === 'http/json') {
      const encoder = (this.idle.pop() as JsonBytes | undefined) ?? new JsonBytes();
      return { body: encodeOtlpJsonInto(encoder, spans, this.resources), length: spans.length, encoder };
    }
    const encoder = (this.idle.pop() as ProtoWriter | undefined) ?? new ProtoWriter();
    return { body: encodeOtlpProtobufInto(encoder, spans, this.resources), length: spans.length, encoder };
  }

  /** The request is sent or failed for good: its encoder (and buffer) takes another batch. */
  release(request: EncodedRequest): void {
    this.idle.push(request.encoder);
  }

  export(request: EncodedRequest, done: (result: ExportResult) => void): void {
    let finished = false;
    const finish = (result: ExportResult) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      done(result);
    };
    const req = this.request(
      this.target,
      {
        method: 'POST',
        agent: this.agent,
        headers: {
          ...this.headers,
          'content-type': this.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
          'content-length': request.body.length,
        },
      },
      (res) => {
        res.resume();
        res.on('error', (error) => finish({ code: FAILED, error: networkError(error) }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) finish({ code: SUCCESS });
          else
            finish({
              code: FAILED,
              error: withCode(`HTTP ${status} ${res.statusMessage ?? ''}`, status),
            });
        });
      },
    );
    const timer = setTimeout(() => req.destroy(withCode('no answer in time', 'ETIMEDOUT')), this.timeoutMs);
    req.on('error', (error) => finish({ code: FAILED, error: networkError(error) }));
    req.end(request.body);
  }

  async shutdown(): Promise<void> {
    this.agent.destroy();
  }
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
    done({ code: SUCCESS });
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

/** A request's error with its system code (ECONNREFUSED, ECONNRESET, ETIMEDOUT...), or ENETWORK without one. */
function networkError(error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  return withCode(error instanceof Error ? error.message : String(error), typeof code === 'string' ? code : 'ENETWORK');
}
