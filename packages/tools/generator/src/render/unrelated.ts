import type { FleetUser, Host } from '../fleet.js';
import type { Prng } from '../prng.js';
import { AUDIT_SUCCESS, hostTime, pickStyle, type Stamp, securitySystem } from './stamp.js';
import { type EventBody, renderEvent, type SystemFields } from './xml.js';

/**
 * The events that really fill an NPS's or a CA's logs and have nothing to do with OTP: Security 4624/4634/4672/5156/
 * 4688/4776, System Service Control Manager 7036, Application VSS/Security-SPP, and the rare log-cleared 1102 with a
 * `<UserData>` body. Shapes: samples other/security-4624-renderinginfo (4624 v3 field list, RenderingInfo),
 * other/vss-8194-anonymous-data (unnamed Data + Binary, Qualifiers), other/eventlog-1102-userdata. The field lists of
 * 4634 v0, 4672 v0, 5156 v1, 4688 v2 and 4776 v0 are Windows' published audit schemas (INFERRED: no sample here).
 */

/** Who an unrelated event may name. */
export interface UnrelatedSubjects {
  readonly netbios: string;
  readonly sidPrefix: string;
  readonly users: readonly FleetUser[];
}

const LOCAL_SYSTEM: readonly [string, string, string] = ['S-1-5-18', 'SYSTEM', 'NT AUTHORITY'];

function logonId(rng: Prng): string {
  return `0x${rng.hex(rng.between(5, 7)).replace(/^0+/, '') || '3e7'}`;
}

function account(rng: Prng, who: UnrelatedSubjects, host: Host): readonly [string, string, string] {
  const roll = rng.next();
  if (roll < 0.3) return LOCAL_SYSTEM;
  if (roll < 0.55)
    return [`${who.sidPrefix}-${rng.between(3000, 3999)}`, `${host.fqdn.split('.')[0]?.toUpperCase()}$`, who.netbios];
  const user = rng.pick(who.users);
  return [user.sid, user.sam, who.netbios];
}

function logonMessage(d: ReadonlyMap<string, string>): string {
  const v = (k: string): string => d.get(k) ?? '-';
  return [
    'An account was successfully logged on.',
    '',
    'Subject:',
    `\tSecurity ID:\t\t${v('SubjectUserSid')}`,
    `\tAccount Name:\t\t${v('SubjectUserName')}`,
    `\tAccount Domain:\t\t${v('SubjectDomainName')}`,
    `\tLogon ID:\t\t${v('SubjectLogonId').toUpperCase().replace('0X', '0x')}`,
    '',
    'Logon Information:',
    `\tLogon Type:\t\t${v('LogonType')}`,
    '',
    'New Logon:',
    `\tSecurity ID:\t\t${v('TargetUserSid')}`,
    `\tAccount Name:\t\t${v('TargetUserName')}`,
    `\tAccount Domain:\t\t${v('TargetDomainName')}`,
    `\tLogon ID:\t\t${v('TargetLogonId').toUpperCase().replace('0X', '0x')}`,
    '',
    'Network Information:',
    `\tSource Network Address:\t${v('IpAddress')}`,
    '',
    'This event is generated when a logon session is created. It is generated on the computer that was accessed.',
  ].join('&#xD;\n');
}

function renderingInfo(message: string): string {
  return `<RenderingInfo Culture="en-US"><Message>${message}</Message><Level>Information</Level><Task>Logon</Task><Opcode>Info</Opcode><Channel>Security</Channel><Provider>Microsoft Windows security auditing.</Provider><Keywords><Keyword>Audit Success</Keyword></Keywords></RenderingInfo>`;
}

/** 4624 v3 (field list of sample security-4624-renderinginfo); one in ten carries a RenderingInfo block. */
export function logon(stamp: Stamp, who: UnrelatedSubjects): string {
  const { rng } = stamp;
  const [sid, name, domain] = account(rng, who, stamp.host);
  const network = name !== 'SYSTEM';
  const data: (readonly [string, string])[] = [
    ['SubjectUserSid', network ? 'S-1-0-0' : 'S-1-5-18'],
    ['SubjectUserName', network ? '-' : `${stamp.host.fqdn.split('.')[0]?.toUpperCase()}$`],
    ['SubjectDomainName', network ? '-' : who.netbios],
    ['SubjectLogonId', network ? '0x0' : '0x3e7'],
    ['TargetUserSid', sid],
    ['TargetUserName', name],
    ['TargetDomainName', domain],
    ['TargetLogonId', logonId(rng)],
    ['LogonType', network ? '3' : '5'],
    ['LogonProcessName', network ? 'Kerberos' : 'Advapi  '],
    ['AuthenticationPackageName', network ? 'Kerberos' : 'Negotiate'],
    ['WorkstationName', '-'],
    [
      'LogonGuid',
      network
        ? `{${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}}`
        : '{00000000-0000-0000-0000-000000000000}',
    ],
    ['TransmittedServices', '-'],
    ['LmPackageName', '-'],
    ['KeyLength', '0'],
    ['ProcessId', network ? '0x0' : '0x314'],
    ['ProcessName', network ? '-' : 'C:\\Windows\\System32\\services.exe'],
    ['IpAddress', network ? `10.0.${rng.between(4, 9)}.${rng.between(1, 254)}` : '-'],
    ['IpPort', network ? String(rng.between(49152, 65535)) : '-'],
    ['ImpersonationLevel', '%%1833'],
    ['RestrictedAdminMode', '-'],
    ['RemoteCredentialGuard', '-'],
    ['TargetOutboundUserName', '-'],
    ['TargetOutboundDomainName', '-'],
    ['VirtualAccount', '%%1843'],
    ['TargetLinkedLogonId', '0x0'],
    ['ElevatedToken', network ? '%%1843' : '%%1842'],
  ];
  const rendering = rng.chance(0.1) ? renderingInfo(logonMessage(new Map(data))) : undefined;
  const body: EventBody = rendering === undefined ? { kind: 'named', data } : { kind: 'named', data, rendering };
  return renderEvent(pickStyle(stamp), securitySystem(stamp, 4624, 3, 12544, AUDIT_SUCCESS), body);
}

/** 4634 v0: an account was logged off. */
export function logoff(stamp: Stamp, who: UnrelatedSubjects): string {
  const [sid, name, domain] = account(stamp.rng, who, stamp.host);
  const data: (readonly [string, string])[] = [
    ['TargetUserSid', sid],
    ['TargetUserName', name],
    ['TargetDomainName', domain],
    ['TargetLogonId', logonId(stamp.rng)],
    ['LogonType', name === 'SYSTEM' ? '5' : '3'],
  ];
  return renderEvent(pickStyle(stamp), securitySystem(stamp, 4634, 0, 12545, AUDIT_SUCCESS), { kind: 'named', data });
}

const PRIVILEGES = [
  'SeAssignPrimaryTokenPrivilege',
  'SeTcbPrivilege',
  'SeSecurityPrivilege',
  'SeTakeOwnershipPrivilege',
];
const PRIVILEGES2 = ['SeLoadDriverPrivilege', 'SeBackupPrivilege', 'SeRestorePrivilege', 'SeDebugPrivilege'];

/** 4672 v0: special privileges assigned to a new logon (PrivilegeList spans lines, as Windows writes it). */
export function privileges(stamp: Stamp, who: UnrelatedSubjects): string {
  const [sid, name, domain] = account(stamp.rng, who, stamp.host);
  const list = [...PRIVILEGES, ...PRIVILEGES2].slice(0, stamp.rng.between(2, 8)).join('\n\t\t\t');
  const data: (readonly [string, string])[] = [
    ['SubjectUserSid', sid],
    ['SubjectUserName', name],
    ['SubjectDomainName', domain],
    ['SubjectLogonId', logonId(stamp.rng)],
    ['PrivilegeList', list],
  ];
  return renderEvent(pickStyle(stamp), securitySystem(stamp, 4672, 0, 12548, AUDIT_SUCCESS), { kind: 'named', data });
}

const APPS = [
  ['\\device\\harddiskvolume2\\windows\\system32\\svchost.exe', '1012'],
  ['\\device\\harddiskvolume2\\windows\\system32\\lsass.exe', '744'],
  ['System', '4'],
  ['\\device\\harddiskvolume2\\windows\\system32\\dns.exe', '2260'],
] as const;

/** 5156 v1: the Windows Filtering Platform permitted a connection (the most frequent event on busy servers). */
export function connection(stamp: Stamp, peer: string, localPort: number): string {
  const { rng } = stamp;
  const [app, pid] = rng.pick(APPS);
  const inbound = rng.chance(0.5);
  const data: (readonly [string, string])[] = [
    ['ProcessID', pid],
    ['Application', app],
    ['Direction', inbound ? '%%14592' : '%%14593'],
    ['SourceAddress', inbound ? peer : stamp.host.ip],
    ['SourcePort', inbound ? String(rng.between(49152, 65535)) : String(rng.between(49152, 65535))],
    ['DestAddress', inbound ? stamp.host.ip : peer],
    ['DestPort', String(localPort)],
    ['Protocol', localPort === 1812 || localPort === 53 ? '17' : '6'],
    ['FilterRTID', String(rng.between(60000, 90000))],
    ['LayerName', inbound ? '%%14610' : '%%14611'],
    ['LayerRTID', inbound ? '44' : '48'],
    ['RemoteUserID', 'S-1-0-0'],
    ['RemoteMachineID', 'S-1-0-0'],
  ];
  return renderEvent(pickStyle(stamp), securitySystem(stamp, 5156, 1, 12810, AUDIT_SUCCESS), { kind: 'named', data });
}

const PROCESSES = [
  ['C:\\Windows\\System32\\svchost.exe', 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule'],
  ['C:\\Windows\\System32\\conhost.exe', '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1'],
  ['C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', 'C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding'],
] as const;

/** 4688 v2: a new process was created. */
export function processCreated(stamp: Stamp, who: UnrelatedSubjects): string {
  const { rng } = stamp;
  const [image, commandLine] = rng.pick(PROCESSES);
  const data: (readonly [string, string])[] = [
    ['SubjectUserSid', 'S-1-5-18'],
    ['SubjectUserName', `${stamp.host.fqdn.split('.')[0]?.toUpperCase()}$`],
    ['SubjectDomainName', who.netbios],
    ['SubjectLogonId', '0x3e7'],
    ['NewProcessId', `0x${rng.hex(4).replace(/^0+/, '')}`],
    ['NewProcessName', image],
    ['TokenElevationType', '%%1936'],
    ['ProcessId', `0x${rng.hex(3).replace(/^0+/, '')}`],
    ['CommandLine', commandLine],
    ['TargetUserSid', 'S-1-0-0'],
    ['TargetUserName', '-'],
    ['TargetDomainName', '-'],
    ['TargetLogonId', '0x0'],
    ['ParentProcessName', 'C:\\Windows\\System32\\services.exe'],
    ['MandatoryLabel', 'S-1-16-16384'],
  ];
  return renderEvent(pickStyle(stamp), securitySystem(stamp, 4688, 2, 13312, AUDIT_SUCCESS), { kind: 'named', data });
}

/** 4776 v0: NTLM credential validation. */
export function credentialValidation(stamp: Stamp, who: UnrelatedSubjects): string {
  const user = stamp.rng.pick(who.users);
  const data: (readonly [string, string])[] = [
    ['PackageName', 'MICROSOFT_AUTHENTICATION_PACKAGE_V1_0'],
    ['TargetUserName', user.sam],
    ['Workstation', user.client.fqdn.split('.')[0] ?? '-'],
    ['Status', '0x0'],
  ];
  return renderEvent(pickStyle(stamp), securitySystem(stamp, 4776, 0, 14336, AUDIT_SUCCESS), { kind: 'named', data });
}

function classicSystem(stamp: Stamp, provider: Partial<SystemFields>, eventId: number, channel: string): SystemFields {
  return {
    provider: 'unknown',
    eventId,
    version: 0,
    level: 4,
    task: 0,
    opcode: 0,
    keywords: '0x80000000000000',
    time: hostTime(stamp),
    ticks: stamp.rng.int(10000),
    recordId: stamp.recordId,
    processId: stamp.host.lsassPid - 120,
    threadId: stamp.rng.between(100, 20000) & ~3,
    channel,
    computer: stamp.host.fqdn,
    ...provider,
  };
}

function utf16Hex(text: string): string {
  let out = '';
  for (const ch of text) out += `${ch.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}00`;
  return out;
}

const SERVICES = [
  ['Windows Update', 'wuauserv'],
  ['Background Intelligent Transfer Service', 'BITS'],
  ['WinHTTP Web Proxy Auto-Discovery Service', 'WinHttpAutoProxySvc'],
] as const;

/** System 7036: a service entered a state (named Data plus a `<Binary>` key). */
export function serviceState(stamp: Stamp): string {
  const [name, key] = stamp.rng.pick(SERVICES);
  const running = stamp.rng.chance(0.5);
  const sys = classicSystem(
    stamp,
    {
      provider: 'Service Control Manager',
      guid: '{555908d1-a6d7-4695-8e1e-26931d2012f4}',
      eventSourceName: 'Service Control Manager',
      qualifiers: 16384,
      keywords: '0x8080000000000000',
    },
    7036,
    'System',
  );
  const data: (readonly [string, string])[] = [
    ['param1', name],
    ['param2', running ? 'running' : 'stopped'],
  ];
  // A named body has no Binary; the key is written the way SCM does, after the named values.
  const xml = renderEvent(pickStyle(stamp), sys, { kind: 'named', data });
  const binary = `<Binary>${utf16Hex(`${key}/${running ? 4 : 1}`)}</Binary>`;
  return xml.replace(/(\s*<\/EventData>)/, `${binary}$1`);
}

/** Application: VSS (unnamed Data + Binary, sample vss-8194-anonymous-data) or Security-SPP 16384. */
export function applicationNoise(stamp: Stamp): string {
  if (stamp.rng.chance(0.5)) {
    const sys = classicSystem(stamp, { provider: 'VSS', qualifiers: 0, level: 2 }, 8194, 'Application');
    return renderEvent(pickStyle(stamp), sys, {
      kind: 'unnamed',
      data: ['0x80070005, Access is denied.', ''],
      binary: '2D20436F64653A2043545853525643', // "- Code: CTXSRVC"
    });
  }
  const sys = classicSystem(
    stamp,
    {
      provider: 'Microsoft-Windows-Security-SPP',
      guid: '{E23B33B0-C8C9-472C-A5F9-F2BDFEA0F156}',
      eventSourceName: 'Software Protection Platform Service',
      qualifiers: 16384,
    },
    16384,
    'Application',
  );
  const until = new Date(Math.floor(hostTime(stamp)) + 100 * 86_400_000).toISOString().slice(0, 19);
  return renderEvent(pickStyle(stamp), sys, { kind: 'unnamed', data: [`${until}Z`, 'RulesEngine'] });
}

/** Security 1102: the audit log was cleared (a `<UserData>` body, sample other/eventlog-1102-userdata). */
export function logCleared(stamp: Stamp, who: UnrelatedSubjects): string {
  const user = stamp.rng.pick(who.users);
  const xml = `<LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog"><SubjectUserSid>${user.sid}</SubjectUserSid><SubjectUserName>${user.sam}</SubjectUserName><SubjectDomainName>${who.netbios}</SubjectDomainName><SubjectLogonId>${logonId(stamp.rng)}</SubjectLogonId><ClientProcessId>4536</ClientProcessId><ClientProcessStartKey>17732923532772643</ClientProcessStartKey></LogFileCleared>`;
  const sys: SystemFields = {
    ...classicSystem(
      stamp,
      { provider: 'Microsoft-Windows-Eventlog', guid: '{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}' },
      1102,
      'Security',
    ),
    version: 1,
    task: 104,
    keywords: '0x4020000000000000',
    userId: user.sid,
  };
  return renderEvent(pickStyle(stamp), sys, { kind: 'userdata', xml });
}
