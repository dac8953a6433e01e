import type { RadiusClientNames } from './options.js';
import type { Prng } from './prng.js';
import type { RenderStyle } from './render/xml.js';

/** The Active Directory domain of the fleet. */
export interface Domain {
  readonly netbios: string;
  readonly dns: string;
  /** `S-1-5-21-a-b-c`: user SIDs append a RID. */
  readonly sidPrefix: string;
}

/** A machine that writes events; its clock may be off by `clockOffsetMs`. */
export interface Host {
  readonly fqdn: string;
  readonly ip: string;
  readonly clockOffsetMs: number;
  /** This host's usual rendering; a few events deviate (see pickStyle). */
  readonly style: RenderStyle;
  /** Process ID of lsass, which writes the Security log. */
  readonly lsassPid: number;
}

/** An NPS server; `nameStyle` picks which of the two real 6272/6273 user renderings it writes (nps-6272-1 vs nps-6273-1). */
export interface NpsServer extends Host {
  readonly nameStyle: 'domain-in-name' | 'split';
}

/** An issuing CA; `eventVersion` 0 = 2012 R2-era field lists, 1 = current (docs/windows-events.md §2.4). */
export interface CaServer extends Host {
  readonly caName: string;
  readonly eventVersion: 0 | 1;
}

/** A DirectAccess server: IIS with the OTP extension, one RADIUS server and one issuing CA configured. */
export interface DaServer extends Host {
  readonly radius: NpsServer;
  readonly ca: CaServer;
  /** The DA server's RADIUS-client friendly name on NPS. */
  readonly radiusClientName: string;
  readonly siteName: string;
  /** Whether the site logs every W3C field or only IIS's default set (the rest are written `-`). */
  readonly iisAllFields: boolean;
}

/** A DirectAccess user and the laptop they use. */
export interface FleetUser {
  readonly sam: string;
  readonly displayName: string;
  readonly upn: string;
  readonly dn: string;
  readonly sid: string;
  readonly client: Host;
  readonly clientAddress: string;
  readonly da: DaServer;
}

/** Everything the generator writes about. */
export interface Fleet {
  readonly domain: Domain;
  readonly users: readonly FleetUser[];
  readonly daServers: readonly DaServer[];
  readonly npsServers: readonly NpsServer[];
  readonly cas: readonly CaServer[];
  /** The DA servers' RADIUS probe account (docs/windows-events.md §1.4). */
  readonly probeUser: string;
}

/** Sizes and clock offsets of the fleet. */
export interface FleetOptions {
  readonly users: number;
  readonly daServers: number;
  readonly npsServers: number;
  readonly cas: number;
  /** Each host's clock is off by a uniform offset in [-maxClockSkewMs, +maxClockSkewMs]. */
  readonly maxClockSkewMs: number;
  /** The laptops' clocks are off by up to this instead, when given. */
  readonly maxLaptopClockSkewMs?: number | null;
  /** How NPS names the DA servers (`FleetLogOptions.radiusClientNames`); default `server`. */
  readonly radiusClientNames?: RadiusClientNames;
}

const FIRST = ['Anna', 'Boris', 'Chloe', 'David', 'Elena', 'Farid', 'Grace', 'Hugo', 'Irene', 'Jonas', 'Karin', 'Liam'];
const FIRST2 = ['Maya', 'Nils', 'Olga', 'Pavel', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera', 'Wim', 'Yara', 'Zoe'];
const LAST = [
  'Adler',
  'Berg',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Hansen',
  'Ito',
  'Jensen',
  'Kowalski',
];
const LAST2 = ['Larsen', 'Moreau', 'Nagy', 'Olsen', 'Petrov', 'Quist', 'Rossi', 'Schmidt', 'Tanaka', 'Urban', 'Varga'];
const FIRST_NAMES = [...FIRST, ...FIRST2];
const LAST_NAMES = [...LAST, ...LAST2, 'Weber', 'Xu', 'Young', 'Zimmer'];

/** A rendering style drawn at random (hosts draw one each; a few events draw their own). */
export function randomStyle(rng: Prng): RenderStyle {
  return {
    quote: rng.chance(0.5) ? "'" : '"',
    layout: rng.pick(['compact', 'compact', 'indented', 'viewer'] as const),
    upperGuid: rng.chance(0.5),
    fractionDigits: rng.chance(0.85) ? 7 : 9,
  };
}

function host(rng: Prng, fqdn: string, ip: string, maxSkew: number): Host {
  return {
    fqdn,
    ip,
    clockOffsetMs: maxSkew === 0 ? 0 : rng.between(-maxSkew, maxSkew),
    style: randomStyle(rng),
    lsassPid: rng.between(560, 900),
  };
}

function clientAddress(rng: Prng): string {
  // Documentation ranges only (RFC 5737 / RFC 3849): IP-HTTPS clients show IPv6, a few IPv4.
  if (rng.chance(0.8)) return `2001:db8:${rng.hex(4)}:1000:${rng.hex(4)}:${rng.hex(4)}:${rng.hex(4)}:${rng.hex(4)}`;
  return `${rng.pick(['198.51.100', '203.0.113', '192.0.2'])}.${rng.between(1, 254)}`;
}

function buildUsers(rng: Prng, domain: Domain, count: number, daServers: readonly DaServer[], skew: number) {
  const taken = new Set<string>();
  const users: FleetUser[] = [];
  for (let i = 0; i < count; i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const base = `${first[0]}${last}`.toLowerCase();
    let sam = base;
    for (let n = 2; taken.has(sam); n++) sam = `${base}${n}`;
    taken.add(sam);
    const displayName = `${first} ${last}`;
    const laptop = `LT${String(10000 + i).padStart(5, '0')}.${domain.dns}`;
    users.push({
      sam,
      displayName,
      upn: `${sam}@${domain.dns}`,
      dn: `CN=${displayName},OU=Staff,OU=Users,${domain.dns
        .split('.')
        .map((part) => `DC=${part}`)
        .join(',')}`,
      sid: `${domain.sidPrefix}-${1100 + i}`,
      client: host(rng, laptop, '-', skew),
      clientAddress: clientAddress(rng),
      da: daServers[i % daServers.length] as DaServer,
    });
  }
  return users;
}

function radiusClientName(names: RadiusClientNames, i: number): string {
  if (names === 'friendly') return `DirectAccess gateway ${i}`;
  return names === 'shared' ? 'DirectAccess' : `DA${i}`;
}

/** Build a fleet: users with laptops, DA servers, NPS servers and CAs, all named under corp.example.com. */
export function buildFleet(rng: Prng, options: FleetOptions): Fleet {
  const domain: Domain = {
    netbios: 'CORP',
    dns: 'corp.example.com',
    sidPrefix: `S-1-5-21-${rng.between(1e9, 4e9)}-${rng.between(1e9, 4e9)}-${rng.between(1e8, 4e9)}`,
  };
  const skew = options.maxClockSkewMs;
  const npsServers: NpsServer[] = [];
  for (let i = 1; i <= options.npsServers; i++) {
    const base = host(rng, `nps${i}.${domain.dns}`, `10.0.2.${10 + i}`, skew);
    npsServers.push({ ...base, nameStyle: i % 2 === 1 ? 'domain-in-name' : 'split' });
  }
  const cas: CaServer[] = [];
  for (let i = 1; i <= options.cas; i++) {
    const base = host(rng, `ca${i}.${domain.dns}`, `10.0.3.${10 + i}`, skew);
    // The second CA of a fleet is an older one writing version-0 audit events.
    cas.push({ ...base, caName: `ca${i}.${domain.dns}\\CORP-CA${i}-CA`, eventVersion: i % 2 === 1 ? 1 : 0 });
  }
  const daServers: DaServer[] = [];
  for (let i = 1; i <= options.daServers; i++) {
    const base = host(rng, `da${i}.${domain.dns}`, `10.0.1.${10 + i}`, skew);
    daServers.push({
      ...base,
      radius: npsServers[(i - 1) % npsServers.length] as NpsServer,
      ca: cas[(i - 1) % cas.length] as CaServer,
      radiusClientName: radiusClientName(options.radiusClientNames ?? 'server', i),
      siteName: 'W3SVC1',
      iisAllFields: i % 2 === 1,
    });
  }
  const users = buildUsers(rng, domain, options.users, daServers, options.maxLaptopClockSkewMs ?? skew);
  return { domain, users, daServers, npsServers, cas, probeUser: 'DAProbeUser' };
}
