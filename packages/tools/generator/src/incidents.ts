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

// Expected incidents per day, their host role and duration range in minutes.
const INCIDENT_KINDS: readonly (readonly [ScenarioName, 'nps' | 'ca' | 'da', number, number, number])[] = [
  ['radius_no_response', 'nps', 1, 10, 30],
  ['radius_directory_unavailable', 'nps', 0.5, 5, 15],
  ['ca_template_not_available', 'ca', 0.5, 30, 60],
  ['ca_unreachable', 'ca', 0.5, 10, 20],
  ['signing_failed', 'da', 0.3, 20, 60],
];

/** Draw the day's incidents, mostly in working hours. */
export function drawIncidents(rng: Prng, fleet: Fleet, dayStart: number): Incident[] {
  const incidents: Incident[] = [];
  for (const [scenario, role, perDay, minMinutes, maxMinutes] of INCIDENT_KINDS) {
    const count = Math.floor(perDay) + (rng.chance(perDay - Math.floor(perDay)) ? 1 : 0);
    for (let i = 0; i < count; i++) {
      const hosts: readonly Host[] = role === 'nps' ? fleet.npsServers : role === 'ca' ? fleet.cas : fleet.daServers;
      const from = dayStart + rng.between(7 * 3600, 18 * 3600) * 1000;
      incidents.push({
        scenario,
        host: rng.pick(hosts).fqdn,
        from,
        to: from + rng.between(minMinutes, maxMinutes) * 60_000,
      });
    }
  }
  return incidents;
}

/** The incident an attempt through these hosts at `time` runs into, if any. */
export function incidentAt(
  incidents: readonly Incident[],
  hosts: readonly string[],
  time: number,
): Incident | undefined {
  return incidents.find((i) => time >= i.from && time < i.to && hosts.includes(i.host));
}
