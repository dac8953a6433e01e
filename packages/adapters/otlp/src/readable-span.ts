import type { HrTime, SpanContext, SpanStatus } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SpanData } from '@otptrace/trace';
import { type RoleResource, type RoleResources, spanResource, toHrTime } from './resources.js';

// Only the Zipkin path (and tests against OpenTelemetry's serializers) loads this module and OpenTelemetry with it.
export type { RoleResource, RoleResources } from './resources.js';
export { createRoleResources, ROLE_SERVICES, spanResource, toHrTime } from './resources.js';

/** Instrumentation scope of otptrace's spans. */
const SCOPE = { name: '@otptrace/otlp' } as const;

const KINDS: Readonly<Record<SpanData['kind'], SpanKind>> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
};

const STATUS: Readonly<Record<SpanData['status']['code'], SpanStatusCode>> = {
  unset: SpanStatusCode.UNSET,
  ok: SpanStatusCode.OK,
  error: SpanStatusCode.ERROR,
};

/**
 * One span as the SDK's exporters read it (`ReadableSpan`), built straight from the span data: its own IDs, parent
 * and historical times, no tracer, ID generator or processor in between (what a tracer would add is limits and
 * sanitising, and `@otptrace/trace` already gives bounded, valid attributes). A class, so every span has one shape.
 */
class ReplayedSpan implements ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly status: SpanStatus;
  readonly attributes: SpanData['attributes'];
  readonly links = [];
  readonly events: ReadableSpan['events'];
  readonly ended = true;
  readonly resource: Resource;
  readonly instrumentationScope = SCOPE;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  private readonly context: SpanContext;

  constructor(data: SpanData, resource: Resource) {
    this.name = data.name;
    this.kind = KINDS[data.kind];
    this.context = { traceId: data.traceId, spanId: data.spanId, traceFlags: TraceFlags.SAMPLED };
    if (data.parentSpanId !== null) {
      this.parentSpanContext = { traceId: data.traceId, spanId: data.parentSpanId, traceFlags: TraceFlags.SAMPLED };
    }
    this.startTime = toHrTime(data.startTime);
    this.endTime = toHrTime(data.endTime);
    this.duration = hrDuration(this.startTime, this.endTime);
    const code = STATUS[data.status.code];
    this.status = data.status.message === null ? { code } : { code, message: data.status.message };
    this.attributes = data.attributes;
    this.events = data.events.map((e) => ({ name: e.name, attributes: e.attributes, time: toHrTime(e.time) }));
    this.resource = resource;
  }

  spanContext(): SpanContext {
    return this.context;
  }
}

/** The span data as a ReadableSpan of its role's resource on its host. */
export function toReadableSpan(data: SpanData, resources: RoleResources): ReadableSpan {
  return new ReplayedSpan(data, otelResource(spanResource(data, resources)));
}

/** The OpenTelemetry Resource of each role resource, made once. */
const otelResources = new WeakMap<RoleResource, Resource>();

function otelResource(resource: RoleResource): Resource {
  let otel = otelResources.get(resource);
  if (otel === undefined) {
    otel = resourceFromAttributes(resource.attributes);
    otelResources.set(resource, otel);
  }
  return otel;
}

function hrDuration(start: HrTime, end: HrTime): HrTime {
  let seconds = end[0] - start[0];
  let nanos = end[1] - start[1];
  if (nanos < 0) {
    seconds -= 1;
    nanos += 1e9;
  }
  return [seconds, nanos];
}
