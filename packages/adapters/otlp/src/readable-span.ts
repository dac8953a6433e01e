import type { HrTime, SpanContext, SpanStatus } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SpanRole } from '@otptrace/schemas';
import type { SpanData } from '@otptrace/trace';

/**
 * The service of each span: the machine role it happened on. A trace UI then shows an attempt across four services
 * and draws the calls between them (client → DA server → NPS, client → CA). The attempt span is the client's.
 */
export const ROLE_SERVICES: Readonly<Record<SpanRole, string>> = Object.freeze({
  attempt: 'da-client',
  client: 'da-client',
  gateway: 'da-server',
  radius: 'nps',
  ca: 'ca',
});

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

/** The resource of a span on a machine role and host, one object per pair (encoders group spans by resource). */
export type RoleResources = (role: SpanRole, host: string | null) => Resource;

/**
 * Resources from the configured attributes: `service.name` becomes the role's service, the configured service name
 * (`otptrace` unless set) becomes `service.namespace`, and `host.name` names the machine. Resources are plain data,
 * so one per host costs a few hundred bytes even for a fleet of laptops.
 */
export function createRoleResources(configured: Readonly<Record<string, string>>): RoleResources {
  const { 'service.name': namespace, ...rest } = configured;
  const base = { 'service.namespace': namespace ?? 'otptrace', ...rest };
  const cache = new Map<string, Resource>();
  return (role, host) => {
    const service = ROLE_SERVICES[role];
    const key = `${service}\u0000${host ?? ''}`;
    let resource = cache.get(key);
    if (resource === undefined) {
      resource = resourceFromAttributes({
        ...base,
        'service.name': service,
        ...(host === null ? {} : { 'host.name': host }),
      });
      cache.set(key, resource);
    }
    return resource;
  };
}

/**
 * One span as the SDK's exporters read it, built straight from the span data: its own IDs, parent and historical
 * times, no tracer, ID generator or processor in between (what a tracer would add is limits and sanitising, and
 * `@otptrace/trace` already gives bounded, valid attributes).
 */
export function toReadableSpan(data: SpanData, resources: RoleResources): ReadableSpan {
  const context: SpanContext = { traceId: data.traceId, spanId: data.spanId, traceFlags: TraceFlags.SAMPLED };
  const startTime = toHrTime(data.startTime);
  const endTime = toHrTime(data.endTime);
  const status: SpanStatus =
    data.status.message === null
      ? { code: STATUS[data.status.code] }
      : { code: STATUS[data.status.code], message: data.status.message };
  return {
    name: data.name,
    kind: KINDS[data.kind],
    spanContext: () => context,
    ...(data.parentSpanId === null
      ? {}
      : { parentSpanContext: { traceId: data.traceId, spanId: data.parentSpanId, traceFlags: TraceFlags.SAMPLED } }),
    startTime,
    endTime,
    duration: hrDuration(startTime, endTime),
    status,
    attributes: data.attributes,
    links: [],
    events: data.events.map((e) => ({ name: e.name, attributes: e.attributes, time: toHrTime(e.time) })),
    ended: true,
    resource: resources(data.role, data.host),
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/**
 * Epoch milliseconds (with a microsecond fraction) as an HrTime [seconds, nanoseconds]: a float loses nanoseconds,
 * and the encoders read HrTime tuples.
 */
export function toHrTime(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000);
  const nanos = Math.round((epochMs - seconds * 1000) * 1_000) * 1_000; // microsecond precision, as promised
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
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
