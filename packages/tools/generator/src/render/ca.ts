import type { CaServer } from '../fleet.js';
import { AUDIT_FAILURE, AUDIT_SUCCESS, hostTime, pickStyle, type Stamp, securitySystem } from './stamp.js';
import { renderEvent } from './xml.js';

/**
 * CA: Security 4886 received / 4887 issued / 4888 denied / 4889 pending (Task 12805), field lists per event version
 * from docs/windows-events.md §2.4 (v1: samples adcs-4886-1, adcs-4887-1, adcs-4888-1; v0: gradenegger.eu pages and
 * sample adcs-4886-2-synthetic-v0), and Application-log Microsoft-Windows-CertificationAuthority 53 (denied) / 54
 * (pending) from the §2.4 table. In 4888 `Disposition` is the HRESULT as a signed decimal (sample adcs-4888-1).
 */
export const CA_APP_PROVIDER = 'Microsoft-Windows-CertificationAuthority';
export const CA_APP_GUID = '{6A71D062-9AFE-4F35-AD08-52134F85DFB9}';

/** Messages of the denial HRESULTs ([MS-ERREF], docs/windows-events.md §3.2), as event 53's Reason starts. */
export const HRESULT_MESSAGES: Readonly<Record<string, readonly [string, string]>> = Object.freeze({
  '0x80094011': [
    'CERTSRV_E_ENROLL_DENIED',
    'The permissions on this certification authority do not allow the current user to enroll for certificates.',
  ],
  '0x80094012': [
    'CERTSRV_E_TEMPLATE_DENIED',
    'The permissions on the certificate template do not allow the current user to enroll for this type of certificate.',
  ],
  '0x80094800': ['CERTSRV_E_UNSUPPORTED_CERT_TYPE', 'The requested certificate template is not supported by this CA.'],
  '0x80094809': [
    'CERTSRV_E_SIGNATURE_POLICY_REQUIRED',
    'The request is missing required signature policy information.',
  ],
  '0x8009480A': ['CERTSRV_E_SIGNATURE_COUNT', 'The request is missing one or more required signatures.'],
  '0x8009480B': [
    'CERTSRV_E_SIGNATURE_REJECTED',
    'One or more signatures did not include the required application or issuance policies.',
  ],
  '0x80094811': [
    'CERTSRV_E_KEY_LENGTH',
    'The public key does not meet the minimum size required by the specified certificate template.',
  ],
});

/** One certificate request as the CA audits it. */
export interface CaRequestSpec {
  readonly requestId: number;
  /** `DOMAIN\sam` (all samples). */
  readonly requester: string;
  readonly template: string;
  readonly subjectDn: string;
  readonly upn: string;
  /** The enrolling machine, written as `ccm:` in Attributes. */
  readonly machine: string;
}

/** `0x80094800` → `-2146875392`: how 4888 writes a denial. */
export function hresultToSignedDecimal(hresult: string): string {
  return String(Number.parseInt(hresult.slice(2), 16) - 2 ** 32);
}

function attributes(req: CaRequestSpec): string {
  return `CertificateTemplate:${req.template} ccm:${req.machine}`;
}

function ski(stamp: Stamp): string {
  return stamp.rng.hex(40).replace(/(..)(?!$)/g, '$1 ');
}

function rpcTail(): (readonly [string, string])[] {
  return [
    ['AuthenticationService', 'Kerberos'],
    ['AuthenticationLevel', 'Privacy'],
    ['DCOMorRPC', 'DCOM'],
  ];
}

/** Render 4886: the CA received `req`. */
export function renderCaReceived(stamp: Stamp, ca: CaServer, req: CaRequestSpec): string {
  const data: (readonly [string, string])[] = [
    ['RequestId', String(req.requestId)],
    ['Requester', req.requester],
    ['Attributes', attributes(req)],
  ];
  if (ca.eventVersion === 1) {
    // The OTP template builds subject and SAN from Active Directory, so the request itself carries neither.
    data.push(['Subject', ''], ['SubjectAlternativeName', ''], ['CertificateTemplate', req.template]);
    data.push(['RequestOSVersion', '10.0.19045.2'], ['RequestCSPProvider', 'Microsoft Software Key Storage Provider']);
    data.push(['RequestClientInfo', ''], ...rpcTail());
  }
  const sys = securitySystem(stamp, 4886, ca.eventVersion, 12805, AUDIT_SUCCESS);
  return renderEvent(pickStyle(stamp), sys, { kind: 'named', data });
}

/** Render the CA's decision on `req`: 4887 issued, 4888 denied with `hresult`, or 4889 pending. */
export function renderCaDecision(
  stamp: Stamp,
  ca: CaServer,
  req: CaRequestSpec,
  decision: { readonly status: 'issued' | 'pending' } | { readonly status: 'denied'; readonly hresult: string },
): string {
  const eventId = decision.status === 'issued' ? 4887 : decision.status === 'denied' ? 4888 : 4889;
  // 4889 is documented with the version-0 layout only (§2.4).
  const version = eventId === 4889 ? 0 : ca.eventVersion;
  const disposition =
    decision.status === 'denied' ? hresultToSignedDecimal(decision.hresult) : eventId === 4887 ? '3' : '5';
  const data: (readonly [string, string])[] = [
    ['RequestId', String(req.requestId)],
    ['Requester', req.requester],
    ['Attributes', attributes(req)],
    ['Disposition', disposition],
    ['SubjectKeyIdentifier', ski(stamp)],
    ['Subject', decision.status === 'denied' ? '' : req.subjectDn],
  ];
  if (version === 1 && eventId === 4887) {
    data.push(['SubjectAlternativeName', `Other Name: Principal Name=${req.upn}`]);
    data.push(['CertificateTemplate', req.template], ['SerialNumber', stamp.rng.hex(38)]);
  }
  if (version === 1) data.push(...rpcTail());
  const keywords = eventId === 4888 ? AUDIT_FAILURE : AUDIT_SUCCESS;
  return renderEvent(pickStyle(stamp), securitySystem(stamp, eventId, version, 12805, keywords), {
    kind: 'named',
    data,
  });
}

/** Render Application 53 (denied, with the HRESULT in Reason) or 54 (left pending; field names INFERRED). */
export function renderCaApplicationEvent(stamp: Stamp, req: CaRequestSpec, hresult: string | null): string {
  const denied = hresult !== null;
  const entry = denied ? HRESULT_MESSAGES[hresult] : undefined;
  const data: (readonly [string, string])[] = denied
    ? [
        ['RequestId', String(req.requestId)],
        [
          'Reason',
          `${entry?.[1] ?? 'The request was denied.'} ${hresult} (${hresultToSignedDecimal(hresult)} ${entry?.[0] ?? ''})`,
        ],
        ['SubjectName', req.subjectDn],
        ['AdditionalInformation', 'Denied by Policy Module'],
      ]
    : [
        ['RequestId', String(req.requestId)],
        ['SubjectName', req.subjectDn],
        ['AdditionalInformation', 'Taken Under Submission'],
      ];
  return renderEvent(
    pickStyle(stamp),
    {
      provider: CA_APP_PROVIDER,
      guid: CA_APP_GUID,
      eventId: denied ? 53 : 54,
      version: 0,
      level: denied ? 3 : 4,
      task: 0,
      opcode: 0,
      keywords: '0x80000000000000',
      time: hostTime(stamp),
      ticks: stamp.rng.int(10000),
      recordId: stamp.recordId,
      processId: stamp.host.lsassPid + 1200,
      threadId: stamp.rng.between(100, 20000) & ~3,
      channel: 'Application',
      computer: stamp.host.fqdn,
    },
    { kind: 'named', data },
  );
}
