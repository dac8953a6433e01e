import { ATTR, type SpanRole } from '@otptrace/schemas/vocabulary';
import type { SpanData } from '@otptrace/trace';

// Resources and times as the encoders need them, without OpenTelemetry's packages: the file and OTLP/HTTP paths load
// none of them (only Zipkin's does, through readable-span.ts).

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

/** A resource: its attributes (what OTLP carries of it); one object per machine role and host. */
export interface RoleResource {
  readonly attributes: Readonly<Record<string, string>>;
}

/** The resource of a span on a machine role and host, one object per pair (encoders group spans by resource). */
export type RoleResources = (role: SpanRole, host: string | null) => RoleResource;

/**
 * Resources from the configured attributes: `service.name` becomes the role's service, the configured service name
 * (`otptrace` unless set) becomes `service.namespace`, and `host.name` names the machine. Resources are plain data,
 * so one per host costs a few hundred bytes even for a fleet of laptops.
 */
export function createRoleResources(configured: Readonly<Record<string, string>>): RoleResources {
  const { 'service.name': namespace, ...rest } = configured;
  const base = { 'service.namespace': namespace ?? 'otptrace', ...rest };
  const byRole = new Map<SpanRole, Map<string | null, RoleResource>>();
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
      resource = {
        attributes: { ...base, 'service.name': service, ...(host === null ? {} : { 'host.name': host }) },
      };
      byHost.set(host, resource);
    }
    return resource;
  };
}

/** The resource of a span: its role's on its host. */
export function spanResource(data: SpanData, resources: RoleResources): RoleResource {
  // A probe is the DA server's own RADIUS check, not a user's logon: its attempt span is the DA server's.
  const role = data.role === 'attempt' && data.attributes[ATTR.ATTEMPT_OUTCOME] === 'probe' ? 'gateway' : data.role;
  return resources(role, data.host);
}

/**
 * Epoch milliseconds (with a microsecond fraction) as an HrTime [seconds, nanoseconds]: a float loses nanoseconds,
 * and the encoders read HrTime tuples.
 */
export function toHrTime(epochMs: number): [number, number] {
  const seconds = Math.floor(epochMs / 1000);
  const nanos = Math.round((epochMs - seconds * 1000) * 1_000) * 1_000; // microsecond precision, as promised
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}
