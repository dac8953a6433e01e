/** @otptrace/otlp: adapter: span data -> OpenTelemetry SDK and OTLP exporters. */
export const PACKAGE_NAME = '@otptrace/otlp';
