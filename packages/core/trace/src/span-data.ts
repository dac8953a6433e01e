import type { SpanRole } from '@otptrace/schemas';

/** A span attribute value: what OTLP can carry without nesting. */
export type AttributeValue = string | number | boolean | string[] | number[];

/** Span attributes by name (names documented in schemas/src/trace-attributes.ts). */
export type Attributes = Record<string, AttributeValue>;

/** OpenTelemetry span kinds otptrace uses: the attempt is the client's call, the servers' steps are `server`, the client result is internal. */
export type SpanKindName = 'internal' | 'server' | 'client';

/** Span status; `error` only on the failing span and on the root of a failed attempt. */
export interface SpanStatusData {
  readonly code: 'unset' | 'ok' | 'error';
  readonly message: string | null;
}

/** A timed event inside a span (epoch milliseconds, microsecond fraction kept). */
export interface SpanEventData {
  readonly name: string;
  readonly time: number;
  readonly attributes: Attributes;
}

/** One span of an attempt's trace, independent of any SDK: the adapter in packages/adapters/otlp turns it into OTLP. */
export interface SpanData {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly role: SpanRole;
  readonly name: string;
  readonly kind: SpanKindName;
  /** Epoch milliseconds with the microsecond fraction of the Windows event time. */
  readonly startTime: number;
  readonly endTime: number;
  readonly attributes: Attributes;
  readonly status: SpanStatusData;
  readonly events: readonly SpanEventData[];
  /**
   * Resource hint: the machine whose log the span comes from (`host.name`); for the attempt span, the client computer
   * (null when no log named it). The adapter gives each span the service of its role on that host.
   */
  readonly host: string | null;
}
