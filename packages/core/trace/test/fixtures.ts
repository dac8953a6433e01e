import { ROOT_CAUSES } from '@otptrace/model';
import type {
  AttemptRecord,
  CaRequest,
  CaResult,
  ClientEvent,
  EventRef,
  FailureDetail,
  GatewayEvent,
  NormalizedEvent,
  RadiusDecision,
  UserRef,
} from '@otptrace/schemas';
import { traceIdFor } from '../src/index.js';

// Hand-built normalised events of one DirectAccess OTP attempt, following schemas/src/event.ts. Provider, channel and
// event IDs: docs/windows-events.md §2.1 (client: Microsoft-Windows-OtpCredentialProviderEvt,
// channel Microsoft-Windows-OtpCredentialProvider/Operational, 10005/10007/10019/10022), §2.2 (NPS:
// Microsoft-Windows-Security-Auditing, Security, 6272/6273; AuthenticationType PAP), §2.3 (IIS:
// Microsoft-Windows-IIS-Logging, Microsoft-IIS-Logging/Logs, 6200, fields c-ip/s-ip/s-port/cs-method/cs-uri-stem/
// sc-status/time-taken), §2.4 (CA: Security 4886/4887/4888; Microsoft-Windows-CertificationAuthority, Application, 53).

/** 2026-03-02T09:15:00Z, the attempt's reference instant. */
export const T0 = Date.UTC(2026, 2, 2, 9, 15, 0);

export const HOSTS = {
  client: 'CLIENT01.corp.example.com',
  gateway: 'DA01.corp.example.com',
  radius: 'NPS01.corp.example.com',
  ca: 'CA01.corp.example.com',
} as const;

const alice: UserRef = { key: 'alice', domain: 'corp', domainExplicit: true, raw: 'CORP\\alice' };

function ref(provider: string, channel: string, eventId: number, computer: string, recordId: number): EventRef {
  return { provider, eventId, computer, channel, recordId };
}

function common(r: EventRef, time: number, user: UserRef | null) {
  return { id: `${r.computer}/${r.channel}/${r.recordId}`, ref: r, time, user };
}

const SECURITY = 'Microsoft-Windows-Security-Auditing';

/** IIS 6200: the OTP signing request, logged at completion; `startTime` = time − time-taken. */
export function iis(time: number, timeTakenMs: number, status: number, recordId = 501): GatewayEvent {
  const r = ref('Microsoft-Windows-IIS-Logging', 'Microsoft-IIS-Logging/Logs', 6200, HOSTS.gateway, recordId);
  return {
    ...common(r, time, null),
    kind: 'gateway.request',
    source: 'gateway',
    startTime: time - timeTakenMs,
    method: 'POST',
    uriStem: '/OTP/otpsign.dll',
    status,
    subStatus: 0,
    win32Status: 0,
    timeTakenMs,
    clientIp: '203.0.113.7',
    serverIp: '192.0.2.10',
    serverPort: 443,
    siteName: 'W3SVC1',
    host: 'da.example.com',
  };
}

/** NPS 6272 (granted) or 6273 (denied, with Reason-Code). */
export function nps(time: number, reasonCode: number | null, recordId = 7001): RadiusDecision {
  const denied = reasonCode !== null;
  const r = ref(SECURITY, 'Security', denied ? 6273 : 6272, HOSTS.radius, recordId);
  return {
    ...common(r, time, alice),
    kind: 'radius.decision',
    source: 'radius',
    decision: denied ? 'denied' : 'granted',
    reasonCode: denied ? reasonCode : 0,
    reason: denied ? 'Authentication failed due to a user credentials mismatch.' : null,
    clientName: 'DA01',
    clientIp: '192.0.2.10',
    nasIdentifier: null,
    authenticationType: 'PAP',
    networkPolicy: 'DirectAccess OTP',
  };
}

/** CA 4886: request received. */
export function ca4886(time: number, requestId: number, recordId = 9001): CaRequest {
  const r = ref(SECURITY, 'Security', 4886, HOSTS.ca, recordId);
  return {
    ...common(r, time, alice),
    kind: 'ca.request',
    source: 'ca',
    requestId,
    template: 'DAOTPLogon',
    subject: 'CN=Alice,OU=Users,DC=corp,DC=example,DC=com',
    requestingMachine: HOSTS.client,
  };
}

/** CA 4887 issued / 4888 denied (Disposition HRESULT), or CertificationAuthority 53 denied. */
export function caResult(time: number, requestId: number, eventId: 4887 | 4888 | 53, recordId: number): CaResult {
  const app = eventId === 53;
  const provider = app ? 'Microsoft-Windows-CertificationAuthority' : SECURITY;
  const r = ref(provider, app ? 'Application' : 'Security', eventId, HOSTS.ca, recordId);
  return {
    ...common(r, time, alice),
    kind: 'ca.result',
    source: 'ca',
    requestId,
    status: eventId === 4887 ? 'issued' : 'denied',
    hresult: eventId === 4887 ? null : '0x80094012',
    template: 'DAOTPLogon',
    subject: 'CN=Alice,OU=Users,DC=corp,DC=example,DC=com',
    detail: app ? 'Denied by Policy Module' : null,
  };
}

/** OtpCredentialProvider result: 10022 success (CAName) or an error event with its errorCode. */
export function client(time: number, eventId: number, errorCode: string | null, recordId = 301): ClientEvent {
  const r = ref(
    'Microsoft-Windows-OtpCredentialProviderEvt',
    'Microsoft-Windows-OtpCredentialProvider/Operational',
    eventId,
    HOSTS.client,
    recordId,
  );
  return {
    ...common(r, time, eventId === 10022 ? null : alice),
    kind: 'client.result',
    source: 'client',
    errorCode,
    serverAddress: eventId === 10005 ? 'da.example.com' : null,
    caName: eventId === 10022 || eventId === 10019 ? 'CA01.corp.example.com\\Corp-Issuing-CA' : null,
    templateName: null,
  };
}

const NO_DETAIL: FailureDetail = {
  npsReasonCode: null,
  npsReason: null,
  caHresult: null,
  caHresultSymbol: null,
  clientEventId: null,
  clientErrorCode: null,
  httpStatus: null,
};

/** The attempt record the core would publish for these events (schemas/src/attempt.ts). */
export function record(
  events: readonly NormalizedEvent[],
  verdict: { cause?: keyof typeof ROOT_CAUSES; detail?: Partial<FailureDetail> } = {},
): AttemptRecord {
  const sorted = [...events].sort((a, b) => a.time - b.time);
  const first = sorted[0]!;
  const id = `alice@${first.id}`;
  const cause = verdict.cause === undefined ? null : ROOT_CAUSES[verdict.cause];
  return {
    id,
    traceId: traceIdFor(id),
    user: 'corp\\alice',
    start: new Date(first.time).toISOString(),
    end: new Date(sorted[sorted.length - 1]!.time).toISOString(),
    outcome: cause === null ? 'success' : 'failure',
    failedStage: cause === null ? null : cause.stage,
    rootCause: cause === null ? null : { code: cause.code, title: cause.title, remediation: cause.remediation },
    detail: { ...NO_DETAIL, ...verdict.detail },
    evidence: sorted.map((e) => ({
      source: e.source,
      ...e.ref,
      time: new Date(e.time).toISOString(),
      summary: `${e.ref.eventId}`,
    })),
    hosts: { client: HOSTS.client, gateway: HOSTS.gateway, radius: HOSTS.radius, ca: HOSTS.ca },
    clientAddress: '203.0.113.7',
    gatewayAmbiguous: false,
    closedBy: 'result',
    findings: [],
  };
}

/** The evidence attributes a span must carry for these events, in time order. */
export function evidenceOf(...events: NormalizedEvent[]) {
  return {
    'otp.evidence.provider': events.map((e) => e.ref.provider),
    'otp.evidence.event_id': events.map((e) => e.ref.eventId),
    'otp.evidence.computer': events.map((e) => e.ref.computer),
    'otp.evidence.channel': events.map((e) => e.ref.channel),
    'otp.evidence.record_id': events.map((e) => e.ref.recordId),
  };
}
