/**
 * Exporter settings: the caller's options first, then the standard OTEL_* environment variables
 * (https://opentelemetry.io/docs/specs/otel/protocol/exporter/ and .../configuration/sdk-environment-variables/),
 * then defaults. Resolved and validated once; every problem is listed in one error.
 */

// The version alone: the package's index loads the services' kit (pino, metrics, the admin server), 60 ms more for
// `otptrace analyze --otlp-file`.
import { OTPTRACE_VERSION } from '@otptrace/runtime/version';

/** How otptrace sends traces: OTLP/HTTP in either encoding, or Zipkin's own JSON v2 API (`POST /api/v2/spans`). */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'zipkin';

/** What `createTraceExporter` accepts; every field is optional when the environment provides it. */
export interface TraceExporterOptions {
  /** Write the standard OTLP JSON encoding to this file instead of sending (offline use). */
  readonly file?: string;
  /**
   * Base endpoint: `/v1/traces` is appended for OTLP (like OTEL_EXPORTER_OTLP_ENDPOINT), `/api/v2/spans` for Zipkin
   * (unless the URL already has a path).
   */
  readonly endpoint?: string;
  /** Full traces URL, used as is, like OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. */
  readonly tracesEndpoint?: string;
  readonly protocol?: OtlpProtocol;
  readonly headers?: Readonly<Record<string, string>>;
  /** Time allowed for one HTTP attempt (ms). */
  readonly timeoutMs?: number;
  /** Attempts per batch when the backend cannot be reached or answers 429/502/503/504 (1 = no retry). */
  readonly maxAttempts?: number;
  /** First backoff between attempts (ms); doubles up to `maxBackoffMs`. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Spans per OTLP request. */
  readonly maxExportBatchSize?: number;
  /** Spans queued before a flush is forced (the batch processor would drop beyond it; we never exceed it). */
  readonly maxQueueSize?: number;
  readonly serviceName?: string;
  /** otptrace's version, for `service.version`. */
  readonly serviceVersion?: string;
  /** Extra resource attributes, merged over OTEL_RESOURCE_ATTRIBUTES. */
  readonly resourceAttributes?: Readonly<Record<string, string>>;
}

/** Where the spans go. */
export type Destination =
  | { readonly kind: 'file'; readonly path: string }
  | {
      readonly kind: 'http';
      readonly url: string;
      readonly protocol: OtlpProtocol;
      readonly headers: Record<string, string>;
    };

/** The validated, frozen settings. */
export interface ResolvedExporterConfig {
  readonly destination: Destination;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxExportBatchSize: number;
  readonly maxQueueSize: number;
  readonly resourceAttributes: Readonly<Record<string, string>>;
}

/** otptrace's version when the caller does not give one (one source: the root package.json). */
export { OTPTRACE_VERSION };

type Env = Readonly<Record<string, string | undefined>>;

/** Resolves options + environment into settings, or throws one Error listing every problem. */
export function resolveExporterConfig(options: TraceExporterOptions, env: Env): ResolvedExporterConfig {
  const problems: string[] = [];
  const destination = resolveDestination(options, env, problems);
  const number = (value: number | undefined, envName: string, fallback: number, min: number) => {
    const raw = value ?? (env[envName] === undefined || env[envName] === '' ? undefined : Number(env[envName]));
    if (raw === undefined) return fallback;
    if (!Number.isInteger(raw) || raw < min) problems.push(`${envName}: expected an integer >= ${min}, got ${raw}`);
    return raw;
  };
  const config: ResolvedExporterConfig = {
    destination,
    timeoutMs: number(
      options.timeoutMs,
      'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
      numberOr(env.OTEL_EXPORTER_OTLP_TIMEOUT, 10_000),
      1,
    ),
    maxAttempts: number(options.maxAttempts, 'OTPTRACE_OTLP_MAX_ATTEMPTS', 3, 1),
    initialBackoffMs: options.initialBackoffMs ?? 200,
    maxBackoffMs: options.maxBackoffMs ?? 2_000,
    maxExportBatchSize: number(options.maxExportBatchSize, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, 1),
    maxQueueSize: number(options.maxQueueSize, 'OTEL_BSP_MAX_QUEUE_SIZE', 4096, 1),
    resourceAttributes: resolveResource(options, env, problems),
  };
  if (config.maxExportBatchSize > config.maxQueueSize) problems.push('maxExportBatchSize must not exceed maxQueueSize');
  if (problems.length > 0) throw new Error(`invalid OTLP exporter settings:\n- ${problems.join('\n- ')}`);
  return Object.freeze(config);
}

function resolveDestination(options: TraceExporterOptions, env: Env, problems: string[]): Destination {
  if (options.file !== undefined) return { kind: 'file', path: options.file };
  // OTEL_TRACES_EXPORTER=zipkin is the SDK's standard switch to the Zipkin exporter.
  if (
    options.protocol === 'zipkin' ||
    (options.protocol === undefined && nonEmpty(env.OTEL_TRACES_EXPORTER) === 'zipkin')
  ) {
    return zipkinDestination(options, env, problems);
  }
  const url =
    options.tracesEndpoint ??
    (options.endpoint === undefined ? undefined : joinTracesPath(options.endpoint)) ??
    nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ??
    mapDefined(nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT), joinTracesPath) ??
    'http://localhost:4318/v1/traces';
  if (!/^https?:\/\/[^/]/.test(url)) problems.push(`OTLP endpoint must be an http(s) URL, got "${url}"`);
  const protocol =
    options.protocol ??
    nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ??
    nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL) ??
    'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    problems.push(`OTLP protocol "${protocol}" is not supported (use http/protobuf, http/json or zipkin)`);
  }
  const headers = {
    ...parseKeyValues(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS', problems),
    ...parseKeyValues(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', problems),
    ...options.headers,
  };
  return { kind: 'http', url, protocol: protocol as OtlpProtocol, headers };
}

/** Zipkin's span intake: the option, OTEL_EXPORTER_ZIPKIN_ENDPOINT (the SDK's variable), or a local Zipkin. */
function zipkinDestination(options: TraceExporterOptions, env: Env, problems: string[]): Destination {
  const url =
    options.tracesEndpoint ??
    mapDefined(options.endpoint, joinZipkinPath) ??
    nonEmpty(env.OTEL_EXPORTER_ZIPKIN_ENDPOINT) ??
    'http://localhost:9411/api/v2/spans';
  if (!/^https?:\/\/[^/]/.test(url)) problems.push(`Zipkin endpoint must be an http(s) URL, got "${url}"`);
  return { kind: 'http', url, protocol: 'zipkin', headers: { ...options.headers } };
}

/** `/api/v2/spans` appended to a bare `http://host:port`; a URL with a path is used as is. */
function joinZipkinPath(base: string): string {
  return /^https?:\/\/[^/]+\/?$/.test(base) ? `${base.replace(/\/+$/, '')}/api/v2/spans` : base;
}

function resolveResource(options: TraceExporterOptions, env: Env, problems: string[]): Record<string, string> {
  const fromEnv = parseKeyValues(env.OTEL_RESOURCE_ATTRIBUTES, 'OTEL_RESOURCE_ATTRIBUTES', problems);
  return {
    'service.name': 'otptrace',
    'service.version': options.serviceVersion ?? OTPTRACE_VERSION,
    ...fromEnv,
    // The spec gives OTEL_SERVICE_NAME precedence over service.name in OTEL_RESOURCE_ATTRIBUTES.
    ...(nonEmpty(env.OTEL_SERVICE_NAME) === undefined ? {} : { 'service.name': env.OTEL_SERVICE_NAME as string }),
    ...options.resourceAttributes,
    ...(options.serviceName === undefined ? {} : { 'service.name': options.serviceName }),
  };
}

/** `/v1/traces` appended to a base endpoint, as the OTLP exporter spec says for OTEL_EXPORTER_OTLP_ENDPOINT. */
function joinTracesPath(base: string): string {
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

/** W3C Baggage-style `key=value,key2=value2`, percent-decoded (the format of OTEL_*_HEADERS and OTEL_RESOURCE_ATTRIBUTES). */
export function parseKeyValues(text: string | undefined, name: string, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === undefined || text.trim() === '') return out;
  // Problems name the entry by position only: header values may be secrets (API keys) and are never echoed.
  text.split(',').forEach((pair, index) => {
    const at = pair.indexOf('=');
    if (at <= 0) {
      problems.push(`${name}: entry ${index + 1} is not key=value`);
      return;
    }
    try {
      out[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      problems.push(`${name}: entry ${index + 1} is not valid percent-encoding`);
    }
  });
  return out;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function mapDefined<T, U>(value: T | undefined, map: (value: T) => U): U | undefined {
  return value === undefined ? undefined : map(value);
}

function numberOr(text: string | undefined, fallback: number): number {
  const parsed = Number(text);
  return text === undefined || text === '' || !Number.isFinite(parsed) ? fallback : parsed;
}
