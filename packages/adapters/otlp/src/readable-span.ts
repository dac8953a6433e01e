import type { HrTime, SpanContext, SpanStatus } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ATTR, type SpanRole } from '@otptrace/schemas';
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
  const byRole = new Map<SpanRole, Map<string | null, Resource>>();
  return (role, host) => {
    let byHost = byRole.get(role);
    if (byHost === undefined) {
      // The attempt and the client result share the client's service, hence its resources.
      const shared = role === 'attempt' ? 'client' : role === 'client' ? 'attempt' : null;
      byHost = (shared === null ? undefined : byRole.get(shared)) ?? new Map();
      byRole.set(role, byHost);
    }
    let resource = byHost.get(host);
    if (resource === undefined) {
      const service = ROLE_SERVICES[role];
      resource = resourceFromAttributes({
        ...base,
        'service.name': service,
        ...(host === null ? {} : { 'host.name': host }),
      });
      byHost.set(host, resource);
    }
    return resource;
  };
}

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

/** The resource of a span: its role's on its host. */
export function spanResource(data: SpanData, resources: RoleResources): Resource {
  // A probe is the DA server's own RADIUS check, not a user's logon: its attempt span is the DA server's.
  const role = data.role === 'attempt' && data.attributes[ATTR.ATTEMPT_OUTCOME] === 'probe' ? 'gateway' : data.role;
  return resources(role, data.host);
}

/** The span data as a ReadableSpan of its role's resource on its host. */
export function toReadableSpan(data: SpanData, resources: RoleResources): ReadableSpan {
  return new ReplayedSpan(data, spanResource(data, resources));
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
