import { isTimeZoneName } from '@otptrace/schemas';
import { INCIDENT_NAMES, type IncidentName } from './incidents.js';
/** Settings of one generated fleet. */
export interface FleetLogOptions {
  /** Seed of every random choice: same options, same bytes. */
  readonly seed: number;
  readonly users: number;
  readonly daServers: number;
  readonly npsServers: number;
  readonly cas: number;
  /** ISO start of the first day (UTC midnight recommended). */
  readonly startTime: string;
  /** Days to generate when `sizeBytes` is null. */
  readonly days: number;
  /** Stop starting new attempts once this many bytes of XML were written (whole days follow one another). */
  readonly sizeBytes: number | null;
  /** Share of all events that are unrelated to OTP (logons, filtering platform, services...). */
  readonly unrelatedRatio: number;
  /** Mean OTP logons per user per day. */
  readonly attemptsPerUserPerDay: number;
  /** Interval of each DA server's DAProbeUser RADIUS probe (§1.4: not documented; 5 minutes is the folklore). */
  readonly probeIntervalMs: number;
  /** Each host's clock is off by up to this much, either way. */
  readonly maxClockSkewMs: number;
  /**
   * The laptops' clocks alone are off by up to this much (null: `maxClockSkewMs`). Servers take their time from the
   * domain's hierarchy and keep it within a second or two; a laptop off the network for days drifts further.
   */
  readonly maxLaptopClockSkewMs: number | null;
  /** Chance that a user tries again after a failed or cancelled attempt. */
  readonly retryProbability: number;
  /** IIS as Event XML (6200) or as W3C text logs, as most DA servers keep them (docs/windows-events.md §9). */
  readonly iisFormat: 'xml' | 'w3c';
  /** NPS decisions as Event XML (6272/6273) or as NPS log files, database-compatible, DTS-compliant or IAS. */
  readonly npsFormat: 'xml' | 'dts' | 'odbc' | 'ias';
  /** NPS servers' local time in minutes east of UTC, for NPS log files (written to analysis.json). */
  readonly npsUtcOffsetMinutes: number;
  /**
   * Or the NPS servers' time zone (`Europe/Berlin`), whose daylight-saving changes their log files follow; written to
   * analysis.json instead of the offset. Null: the fixed offset.
   */
  readonly npsTimeZone: string | null;
  /**
   * How NPS names the DA servers as RADIUS clients (6272/6273 ClientName, the log files' Client-Friendly-Name): the
   * friendly name is the administrator's choice. `server`: each server's short name (`DA1`); `friendly`: a name of
   * its own that is no host name (`DirectAccess gateway 1`); `shared`: one name for every server (`DirectAccess`, a
   * cluster). NPS's ClientIPAddress is each server's own address in every case.
   */
  readonly radiusClientNames: RadiusClientNames;
  /**
   * Incidents added to every day besides the usual draw, one of each named, on a random host of its role in working
   * hours: e.g. `radius_client_misconfigured` (NPS refuses a DA server's shared secret), which no day has otherwise.
   * Their host and hours come from a random stream of their own, so a day asked for without any is the same as before.
   */
  readonly incidents: readonly IncidentName[];
}

/** See `FleetLogOptions.radiusClientNames`. */
export type RadiusClientNames = 'server' | 'friendly' | 'shared';
export const RADIUS_CLIENT_NAMES: readonly RadiusClientNames[] = ['server', 'friendly', 'shared'];

/** Defaults: a two-DA-server fleet over one day, 90% unrelated events. */
export const DEFAULT_FLEET_OPTIONS: FleetLogOptions = Object.freeze({
  seed: 1,
  users: 1000,
  daServers: 2,
  npsServers: 2,
  cas: 2,
  startTime: '2026-03-02T00:00:00.000Z',
  days: 1,
  sizeBytes: null,
  unrelatedRatio: 0.9,
  attemptsPerUserPerDay: 1.2,
  probeIntervalMs: 300_000,
  maxClockSkewMs: 0,
  maxLaptopClockSkewMs: null,
  retryProbability: 0.6,
  iisFormat: 'xml',
  npsFormat: 'xml',
  npsUtcOffsetMinutes: 60,
  npsTimeZone: null,
  radiusClientNames: 'server',
  incidents: [],
});

/** Problems with the options, empty when they are usable. */
export function fleetOptionProblems(o: FleetLogOptions): string[] {
  const problems: string[] = [];
  const positiveInt = (name: string, v: number): void => {
    if (!Number.isInteger(v) || v < 1) problems.push(`${name} must be a positive integer (got ${v})`);
  };
  positiveInt('users', o.users);
  positiveInt('daServers', o.daServers);
  positiveInt('npsServers', o.npsServers);
  positiveInt('cas', o.cas);
  positiveInt('days', o.days);
  if (!Number.isInteger(o.seed)) problems.push(`seed must be an integer (got ${o.seed})`);
  if (Number.isNaN(Date.parse(o.startTime))) problems.push(`startTime is not an ISO time (got ${o.startTime})`);
  if (!(o.unrelatedRatio >= 0 && o.unrelatedRatio < 1)) problems.push('unrelatedRatio must be in [0, 1)');
  if (!(o.attemptsPerUserPerDay > 0)) problems.push('attemptsPerUserPerDay must be > 0');
  if (!(o.probeIntervalMs >= 1000)) problems.push('probeIntervalMs must be ≥ 1000');
  if (!(o.maxClockSkewMs >= 0)) problems.push('maxClockSkewMs must be ≥ 0');
  if (o.maxLaptopClockSkewMs !== null && !(o.maxLaptopClockSkewMs >= 0))
    problems.push('maxLaptopClockSkewMs must be ≥ 0');
  if (!(o.retryProbability >= 0 && o.retryProbability <= 1)) problems.push('retryProbability must be in [0, 1]');
  if (o.sizeBytes !== null && !(o.sizeBytes > 0)) problems.push('sizeBytes must be > 0');
  if (o.iisFormat !== 'xml' && o.iisFormat !== 'w3c')
    problems.push(`iisFormat must be xml or w3c (got ${o.iisFormat})`);
  if (!['xml', 'dts', 'odbc', 'ias'].includes(o.npsFormat))
    problems.push(`npsFormat must be xml, dts, odbc or ias (got ${o.npsFormat})`);
  if (!(Number.isInteger(o.npsUtcOffsetMinutes) && Math.abs(o.npsUtcOffsetMinutes) <= 14 * 60))
    problems.push('npsUtcOffsetMinutes must be an integer within ±840');
  if (!RADIUS_CLIENT_NAMES.includes(o.radiusClientNames))
    problems.push(`radiusClientNames must be ${RADIUS_CLIENT_NAMES.join(', ')} (got ${o.radiusClientNames})`);
  for (const name of o.incidents)
    if (!INCIDENT_NAMES.includes(name)) problems.push(`incidents: ${name} is none (use ${INCIDENT_NAMES.join(', ')})`);
  if (o.npsTimeZone !== null && !isTimeZoneName(o.npsTimeZone))
    problems.push(`npsTimeZone is not a time zone name (got ${o.npsTimeZone})`);
  return problems;
}
