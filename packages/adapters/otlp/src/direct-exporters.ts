import { closeSync, openSync, write } from 'node:fs';
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
 * reads; one flush (one `export()` of the trace exporter) gives a single JSON document. Each batch is encoded into a
 * reused byte buffer and written as it comes (its resourceSpans entries), so memory holds two batches' bytes, not a
 * whole document: the batch being written (by the thread pool, on another core) and the next one being encoded. The
 * file is opened (truncated) at the first write: a run's file holds that run's traces only.
 */
export class OtlpJsonFileExporter implements BatchExporter<SpanData[]> {
  private fd: number | null = null;
  private documentOpen = false;
  /** The buffer the next batch is encoded into. */
  private bytes = new JsonBytes();
  /** The other buffer: its bytes may be in the write under way. */
  private spare = new JsonBytes();
  /** The write under way, if any: writes go one at a time, in order. */
  private writing: Promise<void> | null = null;
  /** A write that failed during this document: reported by the flush, which counts the document's spans as failed. */
  private failure: unknown = null;

  constructor(
    private readonly path: string,
    private readonly resources: RoleResources,
  ) {}

  export(spans: SpanData[], done: (result: ExportResult) => void): void {
    if (spans.length === 0 || this.failure !== null) {
      done({ code: SUCCESS });
      return;
    }
    try {
      this.bytes.raw(this.documentOpen ? ',' : '{"resourceSpans":[');
      writeOtlpJsonResourceSpans(this.bytes, spans, this.resources);
      this.documentOpen = true;
    } catch (error) {
      this.bytes.take();
      this.failure = error;
      done({ code: SUCCESS });
      return;
    }
    // The next batch is encoded while this one is written: `done` once the write before this one has ended and this
    // one has started.
    this.write().then(() => done({ code: SUCCESS }));
  }

  async forceFlush(): Promise<void> {
    await this.writing;
    const failure = this.failure;
    this.failure = null;
    if (failure !== null) {
      this.documentOpen = false;
      throw failure;
    }
    if (this.documentOpen) this.bytes.raw(']}\n');
    else if (this.fd === null) this.bytes.raw('{"resourceSpans":[]}\n');
    this.documentOpen = false;
    if (this.bytes.length > 0) await this.write();
    await this.writing;
    if (this.failure !== null) {
      const late = this.failure;
      this.failure = null;
      throw late;
    }
  }

  async shutdown(): Promise<void> {
    try {
      if (this.documentOpen || this.fd === null) await this.forceFlush();
    } finally {
      await this.writing;
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
    }
  }

  /**
   * Waits for the write under way, then starts writing the bytes encoded so far and swaps the buffers. A failure
   * (opening the file, a full disk) is kept for the flush; the bytes of later batches are then not written.
   */
  private async write(): Promise<void> {
    await this.writing;
    const bytes = this.bytes.take();
    [this.bytes, this.spare] = [this.spare, this.bytes];
    if (this.failure !== null) return;
    try {
      this.fd ??= openSync(this.path, 'w');
    } catch (error) {
      this.failure = error;
      return;
    }
    this.writing = writeAll(this.fd, bytes).catch((error: unknown) => {
      this.failure ??= error;
    });
  }
}

/** Writes all of `bytes` at the file's position (several writes when the system takes part of them). */
function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const from = (at: number): void => {
      if (at >= bytes.length) resolve();
      else
        write(fd, bytes, at, bytes.length - at, null, (error, written) => (error ? reject(error) : from(at + written)));
    };
    from(0);
  });
}

function withCode(message: string, code: number | string): Error {
  return Object.assign(new Error(message), { code });
}

/** A request's error with its system code (ECONNREFUSED, ECONNRESET, ETIMEDOUT...), or ENETWORK without one. */
function networkError(error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  return withCode(error instanceof Error ? error.message : String(error), typeof code === 'string' ? code : 'ENETWORK');
}
