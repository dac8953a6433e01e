/** @otptrace/otlp: adapter: span data -> OpenTelemetry SDK -> OTLP/HTTP (protobuf, JSON) or an OTLP-JSON file. */
export type { Destination, OtlpProtocol, ResolvedExporterConfig, TraceExporterOptions } from './config.js';
export { OTPTRACE_VERSION, resolveExporterConfig } from './config.js';
export type { ExportCounters } from './counting-exporter.js';
export { isRetriable } from './counting-exporter.js';
export { toHrTime } from './replay.js';
export type { ExportReport, TraceExporter } from './trace-exporter.js';
export { createTraceExporter } from './trace-exporter.js';
