/** @otptrace/otlp: adapter: span data -> OTLP/HTTP (protobuf, JSON), Zipkin, or an OTLP-JSON file, through OpenTelemetry's exporters. */
export type { Destination, OtlpProtocol, ResolvedExporterConfig, TraceExporterOptions } from './config.js';
export { OTPTRACE_VERSION, resolveExporterConfig } from './config.js';
export type { ExportCounters } from './counting-exporter.js';
export { isRetriable } from './counting-exporter.js';
export type { RoleResource, RoleResources } from './resources.js';
export { createRoleResources, ROLE_SERVICES, toHrTime } from './resources.js';
export type { ExportReport, TraceExporter } from './trace-exporter.js';
export { createTraceExporter } from './trace-exporter.js';
