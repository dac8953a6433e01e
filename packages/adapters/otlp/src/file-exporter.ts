import { appendFileSync, writeFileSync } from 'node:fs';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * Writes spans in the standard OTLP JSON encoding (an ExportTraceServiceRequest: resourceSpans / scopeSpans /
 * spans, hex trace and span IDs, nanosecond times as decimal strings), serialised by @opentelemetry/otlp-transformer,
 * the same code the OTLP/HTTP JSON exporter sends. Spans are held until `forceFlush`, which appends them as one line:
 * the file is JSON Lines, one request per flush, as the OpenTelemetry Collector's file exporter writes and its
 * otlpjsonfile receiver reads. One flush (one `export()` of the trace exporter) gives a single JSON document.
 */
export class OtlpJsonFileExporter implements SpanExporter {
  private buffered: ReadableSpan[] = [];
  private started = false;

  constructor(private readonly path: string) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.buffered.push(...spans);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  async forceFlush(): Promise<void> {
    const spans = this.buffered;
    this.buffered = [];
    if (spans.length === 0 && this.started) return;
    // The serializer's UTF-8 bytes go to the file as they are (no decode and re-encode), then the line break.
    const json = JsonTraceSerializer.serializeRequest(spans) ?? new Uint8Array();
    // The first flush truncates: a run's file holds that run's traces only.
    if (this.started) appendFileSync(this.path, json);
    else writeFileSync(this.path, json);
    appendFileSync(this.path, '\n');
    this.started = true;
  }

  async shutdown(): Promise<void> {
    if (this.buffered.length > 0 || !this.started) await this.forceFlush();
  }
}
