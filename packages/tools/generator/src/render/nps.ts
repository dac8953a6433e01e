import type { DaServer, Domain, NpsServer } from '../fleet.js';
import { AUDIT_FAILURE, AUDIT_SUCCESS, hostTime, pickStyle, type Stamp, securitySystem } from './stamp.js';
import { renderEvent } from './xml.js';

/**
 * NPS: Security 6272 (granted) / 6273 (denied), Task 12552, fields and their order from the real samples nps-6272-1 and
 * nps-6273-1 (docs/windows-events.md §2.2); System-log `NPS` 4402 from sample nps-4402-1. Values for a DA OTP request
 * (PAP, the DA server as RADIUS client) follow §2.2 "Values to expect".
 */

/** Reason texts of the 6273 `Reason` field (TechNet NPS Reason Codes, docs/windows-events.md §3.1). */
export const NPS_REASON_TEXT: Readonly<Record<number, string>> = Object.freeze({
  4: 'The global catalog server cannot be reached.',
  5: 'A domain controller for the domain of the user account is not available.',
  7: 'The specified domain does not exist.',
  8: 'The specified user account does not exist.',
  9: 'The connection request was discarded by an extension DLL installed on the NPS server.',
  10: 'The connection request was discarded because an extension DLL installed on the NPS server failed.',
  16: 'Authentication failed due to a user credentials mismatch. Either the user name provided does not map to an existing user account or the password was incorrect.',
  21: 'An NPS extension dynamic link library (DLL) that is installed on the NPS server rejected the connection request.',
  34: 'The user account that is specified in the RADIUS Access-Request message is disabled.',
  35: 'The user account that is specified in the RADIUS Access-Request message is expired.',
  36: 'The user account that is specified in the RADIUS Access-Request message is locked out.',
  37: 'The user account that is specified in the RADIUS Access-Request message does not have permission to log on at this time.',
  38: 'Authentication failed due to a user account restriction.',
  48: 'The connection request did not match any configured network policy.',
  49: 'The connection request did not match any configured connection request policy.',
  65: 'The Network Access Permission setting in the dial-in properties of the user account in Active Directory is set to Deny access to the user.',
  64: 'Remote Access Account Lockout is enabled, and the user account is locked out.',
  66: 'The user attempted to use an authentication method that is not enabled on the matching network policy.',
  112: 'The remote RADIUS server did not process the authentication request.',
  117: 'The remote RADIUS server did not respond.',
});

/** Who the RADIUS request names. `sid` is null when NPS could not resolve the account. */
export interface RadiusSubject {
  readonly sam: string;
  readonly sid: string | null;
}

const CONNECTION_POLICY = 'Use Windows authentication for all users';
const NETWORK_POLICY = 'DirectAccess OTP';
const LOGGED = 'Accounting information was written to the local log file.';

function policyNames(reasonCode: number | null): [string, string] {
  if (reasonCode === null || reasonCode === 65 || reasonCode === 66) return [CONNECTION_POLICY, NETWORK_POLICY];
  if (reasonCode === 49) return ['-', '-'];
  return [CONNECTION_POLICY, '-'];
}

/** Render 6272 (reasonCode null) or 6273 for a RADIUS request from `da` about `subject`. */
export function renderNpsDecision(
  stamp: Stamp,
  nps: NpsServer,
  da: DaServer,
  domain: Domain,
  subject: RadiusSubject,
  reasonCode: number | null,
): string {
  const split = nps.nameStyle === 'split';
  const [connectionPolicy, networkPolicy] = policyNames(reasonCode);
  const data: (readonly [string, string])[] = [
    ['SubjectUserSid', subject.sid ?? 'S-1-0-0'],
    ['SubjectUserName', split ? subject.sam : `${domain.netbios}\\${subject.sam}`],
    ['SubjectDomainName', domain.netbios],
    ['FullyQualifiedSubjectUserName', split ? `${domain.netbios}\\${subject.sam}` : `${domain.dns}/${subject.sam}`],
    ['SubjectMachineSID', 'S-1-0-0'],
    ['SubjectMachineName', '-'],
    ['FullyQualifiedSubjectMachineName', '-'],
    ['MachineInventory', '-'],
    ['CalledStationID', '-'],
    ['CallingStationID', '-'],
    ['NASIPv4Address', da.ip],
    ['NASIPv6Address', '-'],
    ['NASIdentifier', '-'],
    ['NASPortType', 'Virtual'],
    ['NASPort', '0'],
    ['ClientName', da.radiusClientName],
    ['ClientIPAddress', da.ip],
    ['ProxyPolicyName', connectionPolicy],
    ['NetworkPolicyName', networkPolicy],
    ['AuthenticationProvider', 'Windows'],
    ['AuthenticationServer', nps.fqdn],
    ['AuthenticationType', 'PAP'],
    ['EAPType', '-'],
    ['AccountSessionIdentifier', '-'],
  ];
  if (reasonCode === null) {
    data.push(['QuarantineState', 'Full Access'], ['QuarantineSessionIdentifier', '-'], ['LoggingResult', LOGGED]);
  } else {
    data.push(['ReasonCode', String(reasonCode)], ['Reason', NPS_REASON_TEXT[reasonCode] ?? 'Unknown reason.']);
    data.push(['LoggingResult', LOGGED]);
  }
  const sys = securitySystem(
    stamp,
    reasonCode === null ? 6272 : 6273,
    1,
    12552,
    reasonCode === null ? AUDIT_SUCCESS : AUDIT_FAILURE,
  );
  return renderEvent(pickStyle(stamp), sys, { kind: 'named', data });
}

/** Render System `NPS` 4402: no domain controller available for `netbios` (sample nps-4402-1). */
export function renderNpsNoDomainController(stamp: Stamp, netbios: string): string {
  return renderNpsSystemEvent(stamp, 4402, netbios);
}

/**
 * Render System `NPS` 13 (a request from an address that is no configured RADIUS client) or 14 (a bad authenticator:
 * the shared secrets differ), naming the RADIUS client by `address` (docs/windows-events.md §9; the same System-log
 * shape as 4402: one unnamed Data).
 */
export function renderNpsClientRefused(stamp: Stamp, eventId: 13 | 14, address: string): string {
  return renderNpsSystemEvent(stamp, eventId, address);
}

/** A System-log event of the classic `NPS` provider with one unnamed Data (sample nps-4402-1). */
function renderNpsSystemEvent(stamp: Stamp, eventId: number, value: string): string {
  return renderEvent(
    pickStyle(stamp),
    {
      provider: 'NPS',
      eventId,
      qualifiers: 49152,
      level: 2,
      task: 0,
      keywords: '0x80000000000000',
      time: hostTime(stamp),
      ticks: stamp.rng.int(10000),
      recordId: stamp.recordId,
      channel: 'System',
      computer: stamp.host.fqdn,
      classic: true,
    },
    { kind: 'unnamed', data: [value] },
  );
}
