import type { Fleet, Host } from './fleet.js';
import type { Prng } from './prng.js';
import type { ScenarioName } from './scenarios.js';

/** An infrastructure fault on one host for a while: every attempt through that host fails the same way. */
export interface Incident {
  readonly scenario: ScenarioName;
  /** FQDN of the DA server, NPS server or CA at fault. */
  readonly host: string;
  readonly from: number;
  readonly to: number;
}

type Role = 'nps' | 'ca' | 'da';

/** The faults an incident can be, with the host role at fault and the duration range in minutes. */
const INCIDENT_KINDS = {
  radius_no_response: { role: 'nps', minMinutes: 10, maxMinutes: 30 },
  radius_directory_unavailable: { role: 'nps', minMinutes: 5, maxMinutes: 15 },
  ca_template_not_available: { role: 'ca', minMinutes: 30, maxMinutes: 60 },
  ca_unreachable: { role: 'ca', minMinutes: 10, maxMinutes: 20 },
  signing_failed: { role: 'da', minMinutes: 20, maxMinutes: 60 },
  // The rest only when asked for. NPS refuses one DA server as a RADIUS client (its shared secret rotated on one side
  // only): until an administrator notices, every logon through that server fails (docs/windows-events.md §9).
  radius_client_misconfigured: { role: 'da', minMinutes: 10, maxMinutes: 40 },
  // The OTP extension on NPS cannot reach its back end (reason 9 or 10), or the remote RADIUS server NPS forwards to
  // is down (112 or 117): every logon through that NPS is denied.
  radius_extension_failed: { role: 'nps', minMinutes: 10, maxMinutes: 30 },
  radius_remote_unavailable: { role: 'nps', minMinutes: 10, maxMinutes: 30 },
  // The IPsec root certificate changed without an iisreset: the DA server answers 403.16 to every client (§9).
  gateway_untrusted_client_certificate: { role: 'da', minMinutes: 20, maxMinutes: 60 },
} as const satisfies Partial<Record<ScenarioName, { role: Role; minMinutes: number; maxMinutes: number }>>;

export type IncidentName = keyof typeof INCIDENT_KINDS;
export const INCIDENT_NAMES = Object.keys(INCIDENT_KINDS) as IncidentName[];

/** Expected incidents of each kind per day, in every generated day (the others only when asked for). */
const USUAL_PER_DAY: readonly (readonly [IncidentName, number])[] = [
  ['radius_no_response', 1],
  ['radius_directory_unavailable', 0.5],
  ['ca_template_not_available', 0.5],
  ['ca_unreachable', 0.5],
  ['signing_failed', 0.3],
];

/** One incident of `name`, on a host of its role, starting in working hours. */
function drawIncident(rng: Prng, fleet: Fleet, dayStart: number, name: IncidentName): Incident {
  const { role, minMinutes, maxMinutes } = INCIDENT_KINDS[name];
  const hosts: readonly Host[] = role === 'nps' ? fleet.npsServers : role === 'ca' ? fleet.cas : fleet.daServers;
  const from = dayStart + rng.between(7 * 3600, 18 * 3600) * 1000;
  return { scenario: name, host: rng.pick(hosts).fqdn, from, to: from + rng.between(minMinutes, maxMinutes) * 60_000 };
}

/** Draw the day's usual incidents, mostly in working hours. */
export function drawIncidents(rng: Prng, fleet: Fleet, dayStart: number): Incident[] {
  const incidents: Incident[] = [];
  for (const [name, perDay] of USUAL_PER_DAY) {
    const count = Math.floor(perDay) + (rng.chance(perDay - Math.floor(perDay)) ? 1 : 0);
    for (let i = 0; i < count; i++) incidents.push(drawIncident(rng, fleet, dayStart, name));
  }
  return incidents;
}

/**
 * One incident of each of `names` on the day, besides the usual ones. From a random stream of their own (`rng`): the
 * usual draw, and a day asked for without named incidents, stay as they were.
 */
export function drawNamedIncidents(
  rng: Prng,
  fleet: Fleet,
  dayStart: number,
  names: readonly IncidentName[],
): Incident[] {
  return names.map((name) => drawIncident(rng, fleet, dayStart, name));
}

/** The incident an attempt through these hosts at `time` runs into, if any. */
export function incidentAt(
  incidents: readonly Incident[],
  hosts: readonly string[],
  time: number,
): Incident | undefined {
  return incidents.find((i) => time >= i.from && time < i.to && hosts.includes(i.host));
}
