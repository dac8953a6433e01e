import type { FleetFile } from './attempt.js';
import type { CaServer, Fleet, Host } from './fleet.js';
import { type Prng, pickWeighted, type Weighted } from './prng.js';
import { renderCaDecision, renderCaReceived } from './render/ca.js';
import { IIS_CHANNEL, renderIisEvent } from './render/iis.js';
import type { Stamp } from './render/stamp.js';
import * as other from './render/unrelated.js';

/** Allocates the per-log counters that real logs keep. */
export interface Counters {
  recordId(host: Host, channel: string): number;
  caRequestId(ca: CaServer): number;
}

/** One rendered unrelated event. */
export interface NoiseEvent {
  readonly file: FleetFile;
  readonly text: string;
}

type NoiseKind = 'connection' | 'logon' | 'logoff' | 'privileges' | 'process' | 'ntlm' | 'service' | 'app' | 'cleared';

// Relative frequencies on a busy server with WFP and process auditing on: 5156 dominates, then the logon family.
const SECURITY_MIX: readonly Weighted<NoiseKind>[] = [
  { weight: 350, value: 'connection' },
  { weight: 200, value: 'logon' },
  { weight: 180, value: 'logoff' },
  { weight: 120, value: 'privileges' },
  { weight: 70, value: 'process' },
  { weight: 40, value: 'ntlm' },
  { weight: 25, value: 'service' },
  { weight: 1, value: 'cleared' },
];
const CA_MIX: readonly Weighted<NoiseKind | 'autoenrol'>[] = [
  ...SECURITY_MIX.filter((w) => w.value !== 'ntlm'),
  { weight: 30, value: 'autoenrol' },
  { weight: 30, value: 'app' },
];
const FILE_MIX: readonly Weighted<FleetFile>[] = [
  { weight: 45, value: 'nps.xml' },
  { weight: 40, value: 'ca.xml' },
  { weight: 15, value: 'iis.xml' },
];

function stamp(rng: Prng, counters: Counters, host: Host, channel: string, time: number): Stamp {
  return { host, time, recordId: counters.recordId(host, channel), rng };
}

function securityEvent(rng: Prng, fleet: Fleet, counters: Counters, host: Host, kind: NoiseKind, time: number): string {
  const who = { netbios: fleet.domain.netbios, sidPrefix: fleet.domain.sidPrefix, users: fleet.users };
  if (kind === 'service') return other.serviceState(stamp(rng, counters, host, 'System', time));
  if (kind === 'app') return other.applicationNoise(stamp(rng, counters, host, 'Application', time));
  const s = stamp(rng, counters, host, 'Security', time);
  switch (kind) {
    case 'connection': {
      // NPS sees RADIUS from the DA servers and LDAP/Kerberos to DCs; a CA sees DCOM from clients.
      const da = rng.pick(fleet.daServers);
      if (host.fqdn.startsWith('nps'))
        return other.connection(s, rng.chance(0.4) ? da.ip : '10.0.0.4', rng.pick([1812, 389, 88]));
      return other.connection(s, `10.0.${rng.between(4, 9)}.${rng.between(1, 254)}`, rng.pick([135, 49667]));
    }
    case 'logon':
      return other.logon(s, who);
    case 'logoff':
      return other.logoff(s, who);
    case 'privileges':
      return other.privileges(s, who);
    case 'process':
      return other.processCreated(s, who);
    case 'ntlm':
      return other.credentialValidation(s, who);
    default:
      return other.logCleared(s, who);
  }
}

/** Machine and user autoenrolment on the CA: 4886 + 4887 for templates that are not OTP templates. */
function autoenrolment(rng: Prng, fleet: Fleet, counters: Counters, ca: CaServer, time: number): string[] {
  const user = rng.pick(fleet.users);
  const machine = rng.chance(0.8);
  const req = {
    requestId: counters.caRequestId(ca),
    requester: machine
      ? `${fleet.domain.netbios}\\${user.client.fqdn.split('.')[0]}$`
      : `${fleet.domain.netbios}\\${user.sam}`,
    template: machine ? 'Machine' : 'User',
    subjectDn: machine ? `CN=${user.client.fqdn}` : user.dn,
    upn: user.upn,
    machine: user.client.fqdn,
  };
  return [
    renderCaReceived(stamp(rng, counters, ca, 'Security', time), ca, req),
    renderCaDecision(stamp(rng, counters, ca, 'Security', time + rng.between(5, 60)), ca, req, { status: 'issued' }),
  ];
}

function iisNoise(rng: Prng, fleet: Fleet, counters: Counters, time: number): string {
  const da = rng.pick(fleet.daServers);
  const probe = rng.chance(0.7);
  return renderIisEvent(stamp(rng, counters, da, IIS_CHANNEL, time), da, {
    clientIp: probe ? '10.0.0.5' : `203.0.113.${rng.between(1, 254)}`,
    method: 'GET',
    uriStem: probe ? '/' : rng.pick(['/.env', '/wp-login.php', '/owa/auth/logon.aspx', '/favicon.ico']),
    status: probe ? 200 : 404,
    subStatus: 0,
    win32Status: probe ? 0 : 2,
    timeTakenMs: rng.between(0, 15),
    bytesSent: probe ? 932 : 1245,
    bytesReceived: rng.between(150, 420),
    userAgent: probe ? '-' : 'Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)',
  });
}

/** Render one unrelated event (two for an autoenrolment) at `time` in one of the server files. */
export function renderNoise(rng: Prng, fleet: Fleet, counters: Counters, time: number): NoiseEvent[] {
  const file = pickWeighted(rng, FILE_MIX);
  if (file === 'iis.xml') return [{ file, text: iisNoise(rng, fleet, counters, time) }];
  if (file === 'nps.xml') {
    const host = rng.pick(fleet.npsServers);
    return [{ file, text: securityEvent(rng, fleet, counters, host, pickWeighted(rng, SECURITY_MIX), time) }];
  }
  const ca = rng.pick(fleet.cas);
  const kind = pickWeighted(rng, CA_MIX);
  if (kind === 'autoenrol') return autoenrolment(rng, fleet, counters, ca, time).map((text) => ({ file, text }));
  return [{ file, text: securityEvent(rng, fleet, counters, ca, kind, time) }];
}
