import type { Stage } from '@otptrace/schemas';

/** What kind of fault a root cause is: tickets are opened for `infrastructure` causes, and for `user` ones only in bursts. */
export type FaultKind = 'infrastructure' | 'user' | 'unknown';

/** One entry of the root-cause catalogue. */
export interface RootCauseEntry {
  readonly code: string;
  readonly stage: Stage;
  readonly fault: FaultKind;
  readonly title: string;
  readonly remediation: string;
}

const entry = (code: string, stage: Stage, fault: FaultKind, title: string, remediation: string): RootCauseEntry =>
  Object.freeze({ code, stage, fault, title, remediation });

/**
 * The one catalogue of root-cause codes. Sources of each mapping: docs/windows-events.md §3 (NPS
 * reason codes, CA HRESULTs, client events) and §4 (failure catalogue rows, cited as "row N").
 */
export const ROOT_CAUSES = Object.freeze({
  otp_rejected: entry(
    'otp_rejected',
    'radius',
    'user',
    'The OTP server rejected the one-time password or PIN',
    'Ask the user to retry with the next token code (PIN followed by the token code, no separator). If many users fail at once, check the OTP server clock (TOTP drift) and the NPS extension.',
  ),
  radius_policy: entry(
    'radius_policy',
    'radius',
    'infrastructure',
    'No NPS policy allowed the DirectAccess OTP request',
    'Check the NPS connection request policy and network policy that should match the DA server as RADIUS client (conditions, PAP enabled, dial-in permission).',
  ),
  radius_account: entry(
    'radius_account',
    'radius',
    'user',
    'The user account cannot authenticate (unknown, disabled, expired, locked out or outside logon hours)',
    'Check the account in Active Directory (exists, enabled, not expired or locked out, logon hours) and on the OTP server.',
  ),
  radius_directory_unavailable: entry(
    'radius_directory_unavailable',
    'radius',
    'infrastructure',
    "NPS could not reach a domain controller or global catalog for the user's domain",
    'Check NPS connectivity to the domain controllers and global catalog (DNS, firewall, trust), and that the NPS server is registered in the domain.',
  ),
  radius_request_discarded: entry(
    'radius_request_discarded',
    'radius',
    'infrastructure',
    "NPS discarded the DA server's RADIUS request",
    'Check the RADIUS client entry of the DA server on NPS: shared secret, address, and the Message-Authenticator setting.',
  ),
  radius_denied_other: entry(
    'radius_denied_other',
    'radius',
    'unknown',
    'NPS denied the request for another reason',
    'Read the NPS reason code in the evidence and check the NPS configuration it names.',
  ),
  radius_no_response: entry(
    'radius_no_response',
    'radius',
    'infrastructure',
    'The DA server asked for RADIUS authentication and no decision came',
    'Check that the RADIUS/OTP server named in Get-DAOtpAuthentication is up and reachable from the DA server on UDP 1812, and that the shared secret matches.',
  ),
  challenge_required: entry(
    'challenge_required',
    'radius',
    'infrastructure',
    'The OTP server answered with a challenge, which DirectAccess OTP does not support',
    'Disable challenge/response (new PIN, next token code) for DirectAccess users on the OTP server.',
  ),
  user_not_in_directory: entry(
    'user_not_in_directory',
    'client',
    'infrastructure',
    'The user has no UPN or distinguished name that OTP enrolment can use',
    'Define a UPN and make sure the user object has a distinguished name in Active Directory; the OTP template builds subject and SAN from them.',
  ),
  signing_failed: entry(
    'signing_failed',
    'gateway',
    'infrastructure',
    'RADIUS accepted the OTP but the DA server did not return a signed certificate request',
    "Check the DA server's OTP signing (registration authority) certificate: present, valid, from the DAOTPRA-style template with the DirectAccess OTP application policy; re-enrol it if needed.",
  ),
  no_issuing_ca: entry(
    'no_issuing_ca',
    'gateway',
    'infrastructure',
    'The DA server returned no issuing CA for OTP certificates',
    'Configure the OTP issuing CA list on the DA server (Enable-DAOtpAuthentication -CAServer) and make sure the CAs are online.',
  ),
  gateway_error: entry(
    'gateway_error',
    'gateway',
    'infrastructure',
    "The DA server's OTP web service failed the request",
    'Check the OTP ISAPI extension and its IIS site and application pool on the DA server (running, SSL binding, no WebDAV), then iisreset.',
  ),
  client_cannot_reach_server: entry(
    'client_cannot_reach_server',
    'gateway',
    'infrastructure',
    "The client could not reach the DA server's OTP endpoint",
    "Check the DA server's OTP web site (ISAPI extension running, SSL binding), name resolution of the DA server address and the client's Internet connectivity.",
  ),
  client_certificate_missing: entry(
    'client_certificate_missing',
    'client',
    'infrastructure',
    'The client computer certificate needed for OTP is missing or was refused (HTTP 403)',
    'Make sure the client has a valid computer certificate (auto-enrolment); on Windows 8.1 install update rollup 2967917 (KB2973071) so a renewed certificate is used.',
  ),
  client_certificate_store: entry(
    'client_certificate_store',
    'client',
    'infrastructure',
    'The issued OTP certificate could not be stored in the Microsoft Software KSP',
    "Check the client's key storage provider and user profile; the OTP template must use a KSP the client supports.",
  ),
  client_request_failed: entry(
    'client_request_failed',
    'client',
    'infrastructure',
    'The client could not build the OTP certificate request',
    "Check that the user can read the OTP logon template and reach a domain controller, and that the template's key and cryptographic provider settings are usable by the client.",
  ),
  client_configuration: entry(
    'client_configuration',
    'client',
    'infrastructure',
    "The client's DirectAccess OTP settings are incomplete",
    'Refresh Group Policy on the client and validate the DirectAccess OTP settings on the server.',
  ),
  client_inside_corpnet: entry(
    'client_inside_corpnet',
    'client',
    'user',
    'OTP credentials were entered while the computer was inside the corporate network',
    'None needed: OTP is only used from outside the corporate network.',
  ),
  client_error_other: entry(
    'client_error_other',
    'client',
    'unknown',
    'The client reported an OTP error',
    'Read the client event and error code in the evidence.',
  ),
  otp_authentication_failed: entry(
    'otp_authentication_failed',
    'gateway',
    'unknown',
    'The DA server refused the OTP authentication, and no NPS evidence explains why',
    'Collect the NPS Security log (6272/6273) and the DA server logs for the same time to find which step refused.',
  ),
  ca_unreachable: entry(
    'ca_unreachable',
    'ca',
    'infrastructure',
    'The client could not reach the CA to enrol the OTP certificate',
    'Check that the CA is online (CertSvc running), resolvable, reachable over the DirectAccess infrastructure tunnel and configured as a management server.',
  ),
  ca_denied_template_permission: entry(
    'ca_denied_template_permission',
    'ca',
    'infrastructure',
    'The CA denied the request: the user may not enrol for the OTP template (or on the CA)',
    'Grant the DirectAccess users Read and Enroll on the OTP logon template and Request Certificates on the CA.',
  ),
  ca_denied_signature: entry(
    'ca_denied_signature',
    'ca',
    'infrastructure',
    "The CA denied the request: it was not signed as the template requires by the DA server's OTP signing certificate",
    "The OTP template must require one authorized signature with the DirectAccess OTP application policy (1.3.6.1.4.1.311.81.1.1), and the DA server's signing certificate must carry it and chain to a CA the OTP CA trusts.",
  ),
  ca_template_not_available: entry(
    'ca_template_not_available',
    'ca',
    'infrastructure',
    'The CA denied the request: the OTP template is not published on this CA',
    'Publish the OTP logon template on the CA named by the DA server (certsrv.msc, Certificate Templates, New, Certificate Template to Issue), or correct the template name configured for DirectAccess OTP.',
  ),
  ca_denied_key_length: entry(
    'ca_denied_key_length',
    'ca',
    'infrastructure',
    'The CA denied the request: the key or cryptographic provider does not match the OTP template',
    'Align the OTP template\'s minimum key size and cryptographic provider with what the clients generate (the seed case: set the provider the clients can use, e.g. "Microsoft RSA SChannel Cryptographic Provider").',
  ),
  ca_denied_other: entry(
    'ca_denied_other',
    'ca',
    'infrastructure',
    'The CA denied the OTP certificate request',
    'Read the HRESULT in the evidence (CA 4888 Disposition / CertificationAuthority 53) and fix the template or CA setting it names.',
  ),
  ca_pending: entry(
    'ca_pending',
    'ca',
    'infrastructure',
    'The CA left the OTP certificate request pending (manager approval)',
    'Remove "CA certificate manager approval" from the OTP logon template: OTP certificates must be issued at once.',
  ),
  ca_no_response: entry(
    'ca_no_response',
    'ca',
    'infrastructure',
    'The CA received the request but logged no decision',
    'Check the CA service and its Application log for errors while processing the request.',
  ),
}) satisfies Readonly<Record<string, RootCauseEntry>>;

export type RootCauseCode = keyof typeof ROOT_CAUSES;

/** Look up a root-cause code; undefined for an unknown code. */
export function rootCauseEntry(code: string): RootCauseEntry | undefined {
  return (ROOT_CAUSES as Record<string, RootCauseEntry>)[code];
}
