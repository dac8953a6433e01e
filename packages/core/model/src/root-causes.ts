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
  /**
   * Remediation of a burst ticket (many users of one scope at once), when it differs: a cause that is the user's
   * business one at a time can be infrastructure for many (docs/windows-events.md §9, reason 16).
   */
  readonly burstRemediation?: string;
}

const entry = (
  code: string,
  stage: Stage,
  fault: FaultKind,
  title: string,
  remediation: string,
  burstRemediation?: string,
): RootCauseEntry =>
  Object.freeze(
    burstRemediation === undefined
      ? { code, stage, fault, title, remediation }
      : { code, stage, fault, title, remediation, burstRemediation },
  );

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
    'Ask the user to retry with the next token code (PIN followed by the token code, no separator). If many users fail at once, see the burst remediation: it is not the users.',
    // docs/windows-events.md §9: with PAP, a wrong shared secret garbles every password (reason 16 for all), and
    // without the OTP extension in its path NPS checks the code against AD.
    'Reason 16 for many users of one DA server is infrastructure: first compare the RADIUS shared secret of the DA server (Get-RemoteAccessRadius; set it again with Set-DAOtpAuthentication -SharedSecret) with the RADIUS client entry on NPS, then check that the OTP extension is in the NPS path (the NPS extension DLL is registered and the connection request policy sends the request to it or to the OTP server) so that NPS does not check the code against Active Directory; only then the OTP server clock (TOTP drift).',
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
    'Check the account in Active Directory (exists, enabled, not expired, logon hours) and on the OTP server; an AD lockout (NPS reason 36) is cleared with Unlock-ADAccount <user> or by waiting for the lockout duration.',
  ),
  radius_remote_access_lockout: entry(
    'radius_remote_access_lockout',
    'radius',
    'user',
    "NPS's own remote-access account lockout blocks the user (reason 64), not Active Directory",
    'On the NPS server, delete the value <domain>:<user> under HKLM\\SYSTEM\\CurrentControlSet\\Services\\RemoteAccess\\Parameters\\AccountLockout (or wait for ResetTime); Unlock-ADAccount does not clear this lockout.',
  ),
  radius_unknown_domain: entry(
    'radius_unknown_domain',
    'radius',
    'infrastructure',
    'NPS does not know the domain named in the RADIUS User-Name (reason 7, no domain controller outage logged)',
    'Compare the user name format the DA server sends (DOMAIN\\user) with what NPS resolves: the NetBIOS domain name, a trust to that domain, or a connection request policy that strips or rewrites the realm.',
  ),
  radius_extension_failed: entry(
    'radius_extension_failed',
    'radius',
    'infrastructure',
    'The OTP extension on NPS discarded the request or failed (reason 9 or 10): its back end is unreachable',
    'Check the OTP provider behind the NPS extension DLL: its service and servers are up and reachable from NPS, its certificates and licences are valid; read the extension vendor log in the NPS Application log.',
  ),
  radius_remote_unavailable: entry(
    'radius_remote_unavailable',
    'radius',
    'infrastructure',
    'NPS forwarded the request to the remote OTP server, which did not process it or did not answer (reason 112 or 117)',
    'Check the remote RADIUS server group on NPS: the OTP server is up, reachable on UDP 1812 from NPS, lists NPS as its RADIUS client with the same shared secret, and answers within the group timeout.',
  ),
  radius_client_misconfigured: entry(
    'radius_client_misconfigured',
    'radius',
    'infrastructure',
    'NPS refused the DA server as a RADIUS client (System event 13, 14, 17 or 18): unknown address or mismatched shared secret',
    'On NPS, add the DA server address that really sends (the node address, not the NLB virtual IP; every node of a new cluster) as a RADIUS client, and set the same shared secret on both sides (Get-RemoteAccessRadius on the DA server, Set-DAOtpAuthentication -SharedSecret); align the Message-Authenticator requirement.',
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
    'NPS logged no decision for the request (an IIS log shows whether the DA server waited its RADIUS timeout for it): check with Get-RemoteAccessRadius which RADIUS server and timeout it uses, that the server is up and reachable from the DA server on UDP 1812, and that NPS lists the DA server as a RADIUS client with the same shared secret (NPS System events 13/14 otherwise).',
  ),
  gateway_rejected_request: entry(
    'gateway_rejected_request',
    'gateway',
    'infrastructure',
    'The DA server refused the OTP request before asking RADIUS (it answered well within its RADIUS timeout)',
    'Read the DA server OTP events for that time: a stale OTP logon template name on the client (refresh Group Policy, compare with Get-DAOtpAuthentication CertificateTemplateName), a user the DA server cannot find in Active Directory, or a malformed certificate request (MS-OTPCE §3.2.5.1 steps 1 and 2).',
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
  signing_certificate_denied: entry(
    'signing_certificate_denied',
    'gateway',
    'infrastructure',
    "RADIUS accepted the OTP, but the DA server has no valid OTP signing certificate: the CA denied the DA server's own requests for it",
    "Read the HRESULT of the CA's denial of the DA server's signing-template request (requester DOMAIN\\DA01$): give the DA server's computer account Enroll and Autoenroll on the signing template, publish it on the CA (certutil -SetCATemplates +<signing template>), then renew (certutil -pulse on the DA server).",
  ),
  no_issuing_ca: entry(
    'no_issuing_ca',
    'gateway',
    'infrastructure',
    'The DA server returned no issuing CA for OTP certificates',
    'Configure the OTP issuing CA list on the DA server (Set-DAOtpAuthentication -CAServer host\\CA-Name) and make sure the CAs are online.',
  ),
  gateway_error: entry(
    'gateway_error',
    'gateway',
    'infrastructure',
    "The DA server's OTP web service failed the request",
    'Check the OTP ISAPI extension and its IIS site and application pool on the DA server (running, SSL binding, no WebDAV), then iisreset.',
  ),
  gateway_otp_extension_blocked: entry(
    'gateway_otp_extension_blocked',
    'gateway',
    'infrastructure',
    'IIS refused to run the OTP extension on the DA server (HTTP 404.2 or 404.3)',
    'In IIS on the DA server, allow the OTP ISAPI/CGI extension under ISAPI and CGI Restrictions (404.2) and restore its handler mapping (404.3); disabling and re-enabling OTP (Set-DAOtpAuthentication) reinstalls them.',
  ),
  gateway_untrusted_client_certificate: entry(
    'gateway_untrusted_client_certificate',
    'gateway',
    'infrastructure',
    "The DA server did not trust the client's computer certificate (HTTP 403.16)",
    "Usually the IPsec root certificate of DirectAccess changed without an iisreset on the DA server: run iisreset; otherwise put the issuing CA of the client computer certificates in the DA server's trusted roots.",
  ),
  client_certificate_revoked: entry(
    'client_certificate_revoked',
    'client',
    'infrastructure',
    "The client's computer certificate is revoked (HTTP 403.13)",
    'Enrol a new computer certificate for the client (certutil -pulse or gpupdate with auto-enrolment) and check why it was revoked.',
  ),
  client_certificate_expired: entry(
    'client_certificate_expired',
    'client',
    'infrastructure',
    'The client presented an expired computer certificate (HTTP 403.17)',
    'Renew the client computer certificate; on Windows 8.1 install update rollup 2967917 (KB2973071), without which the client keeps using the expired cached certificate after renewal.',
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
    "Check the client's key storage provider and user profile; the OTP template must use a KSP the client supports. For client event 10015 (a problem with the OTP certificate itself) have the user enter the OTP again and check the issued certificate (template, validity, chain).",
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
    "The client's DirectAccess OTP settings are incomplete (no DA server address)",
    'Refresh Group Policy on the client and validate the DirectAccess OTP settings on the server.',
  ),
  client_inside_corpnet: entry(
    'client_inside_corpnet',
    'client',
    'user',
    'OTP credentials were entered while the computer was inside the corporate network',
    'None for a single event: OTP is only used from outside the corporate network. Repeated while the computer is off-site, the Network Location Server is reachable from the Internet: the client thinks it is inside; restrict the NLS URL to the internal network.',
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
    'Publish the OTP logon template on the CA named by the DA server (certutil -SetCATemplates +<OTP template>, or certsrv.msc, Certificate Templates, New, Certificate Template to Issue), or correct the template name configured for DirectAccess OTP.',
  ),
  ca_revocation_offline: entry(
    'ca_revocation_offline',
    'ca',
    'infrastructure',
    "The CA denied the request because it could not check revocation of the signing certificate's chain (0x80092013 / 0x80092012)",
    "Make the CRLs of the chain of the DA server's OTP signing certificate reachable from the CA (CDP URLs published and current: certutil -verify -urlfetch on the signing certificate), or publish a fresh CRL (certutil -CRL) on the issuing CA.",
  ),
  ca_chain_untrusted: entry(
    'ca_chain_untrusted',
    'ca',
    'infrastructure',
    "The CA denied the request: the signing certificate's chain is untrusted or expired (0x800B0109 / 0x800B0101)",
    "Put the root of the DA server's OTP signing certificate in the CA's trusted roots (and NTAuth), and renew an expired certificate in that chain.",
  ),
  ca_denied_key_length: entry(
    'ca_denied_key_length',
    'ca',
    'infrastructure',
    'The CA denied the request: the key or cryptographic provider does not match the OTP template',
    "0x80094811 (CERTSRV_E_KEY_LENGTH) means the public key in the request is shorter than the OTP template's minimum key size. The CA's 4886 for the request names the provider the client used (RequestCSPProvider, in the evidence): align the template's minimum key size and cryptographic provider with it (the seed case: \"Microsoft RSA SChannel Cryptographic Provider\").",
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
  // A finding, not a verdict: the attempt stays a success (docs/windows-events.md §9, "issued but unusable").
  certificate_not_usable_for_logon: entry(
    'certificate_not_usable_for_logon',
    'ca',
    'infrastructure',
    'The OTP certificate was issued, yet the user asked for another one from the same computer within its validity: it could not log the user on',
    'Make the OTP certificate usable for smart-card logon: the issuing CA in the NTAuth store (certutil -dspublish -f <CA cert> NTAuthCA), a CRL distribution point in the certificate that the domain controllers can reach, and "Do not include revocation information" cleared on the OTP template.',
  ),
}) satisfies Readonly<Record<string, RootCauseEntry>>;

export type RootCauseCode = keyof typeof ROOT_CAUSES;

/** Look up a root-cause code; undefined for an unknown code. */
export function rootCauseEntry(code: string): RootCauseEntry | undefined {
  return (ROOT_CAUSES as Record<string, RootCauseEntry>)[code];
}
