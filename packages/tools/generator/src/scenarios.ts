import type { RootCauseCode } from '@otptrace/model';
import type { AttemptBuilder, ExpectedAttempt } from './attempt.js';
import type { Weighted } from './prng.js';
import { OTP_BASE_PATH } from './render/iis.js';

/**
 * The failure mix: one scenario per row of the failure catalogue (docs/windows-events.md §4), each writing the
 * evidence that row lists and expecting the root-cause code of packages/core/model ROOT_CAUSES. Times follow the real
 * order (§0.2): IIS request start ≤ NPS 6272/6273 ≤ IIS 6200 (completion) < CA 4886 ≤ 4887/4888/4889 < client result.
 */
export interface Scenario {
  readonly name: string;
  readonly outcome: ExpectedAttempt['outcome'];
  readonly rootCause: RootCauseCode | null;
  /** Write the attempt's events into the builder. */
  readonly plan: (b: AttemptBuilder) => void;
}

// Client error codes: docs/windows-events.md §3.3 documents 0x80040001 (HTTP 403) only; the others are placeholders
// in the documented format (hex digits without 0x, §2.1 note), since the real values are not published.
const AUTH_ERROR = '80040002';
const OTHER_ERROR = '80040008';
const NO_UPN_ERROR = '80070525';
const KSP_ERROR = '80090016';
// WinHTTP errors for 10000–10002 (UInt32 errCode, written in decimal): cannot connect, timeout, connection reset.
const CONNECT_ERRORS: Readonly<Record<number, readonly number[]>> = {
  10000: [12029, 12007],
  10001: [12030],
  10002: [12002],
};

/** The DA server's RADIUS timeout per try (`Get-RemoteAccessRadius` default; docs/windows-events.md §9). */
const RADIUS_TIMEOUT_MS = 5000;

/** Gateway + RADIUS: returns the IIS completion time. */
function radiusRoundTrip(b: AttemptBuilder, reasonCode: number | null, sidKnown = true): number {
  const iisStart = b.start + b.rng.between(30, 250);
  const decided = iisStart + b.rng.between(150, 1200);
  const iisEnd = decided + b.rng.between(15, 150);
  if (reasonCode === 5 || reasonCode === 7) b.npsNoDomainController(decided - b.rng.between(1, 40));
  b.nps(decided, reasonCode, sidKnown);
  b.iis(iisStart, iisEnd, 200);
  return iisEnd;
}

/** Gateway answered without a RADIUS decision in the log; returns the IIS completion time. */
function gatewayOnly(b: AttemptBuilder, minMs: number, maxMs: number, status = 200, subStatus = 0): number {
  const iisStart = b.start + b.rng.between(30, 250);
  const iisEnd = iisStart + b.rng.between(minMs, maxMs);
  b.iis(iisStart, iisEnd, status, subStatus);
  return iisEnd;
}

/** Client enrols with the CA after a signed response; returns the CA decision time. */
function enrol(b: AttemptBuilder, iisEnd: number, decision: Parameters<AttemptBuilder['ca']>[2]): number {
  const received = iisEnd + b.rng.between(300, 2500);
  const decided = received + b.rng.between(8, 250);
  b.ca(received, decided, decision);
  return decided;
}

function clientAfter(b: AttemptBuilder, time: number, eventId: number, values: readonly string[]): void {
  b.clientEvent(time + b.rng.between(40, 600), eventId, values);
}

function radiusDenied(codes: readonly number[], sidKnownFor: (code: number) => boolean) {
  return (b: AttemptBuilder): void => {
    const code = b.rng.pick(codes);
    const end = radiusRoundTrip(b, code, sidKnownFor(code));
    clientAfter(b, end, 10005, [b.domainUser, b.da.fqdn, AUTH_ERROR]);
  };
}

function caDenied(hresults: readonly string[]) {
  return (b: AttemptBuilder): void => {
    const end = radiusRoundTrip(b, null);
    const decided = enrol(b, end, { status: 'denied', hresult: b.rng.pick(hresults) });
    clientAfter(b, decided, 10019, [b.domainUser, b.da.ca.caName]);
  };
}

const always = (): boolean => true;

/** Every scenario by name. */
export const SCENARIOS = {
  success: {
    name: 'success',
    outcome: 'success',
    rootCause: null,
    plan: (b) => clientAfter(b, enrol(b, radiusRoundTrip(b, null), { status: 'issued' }), 10022, [b.da.ca.caName]),
  },
  otp_rejected: {
    name: 'otp_rejected',
    outcome: 'failure',
    rootCause: 'otp_rejected',
    plan: radiusDenied([16, 16, 16, 21, 21], always),
  },
  radius_extension_failed: {
    name: 'radius_extension_failed',
    outcome: 'failure',
    rootCause: 'radius_extension_failed',
    // The OTP extension discarded (9) or failed (10): its back end is unreachable (docs/windows-events.md §9).
    plan: radiusDenied([9, 10], always),
  },
  radius_remote_unavailable: {
    name: 'radius_remote_unavailable',
    outcome: 'failure',
    rootCause: 'radius_remote_unavailable',
    plan: radiusDenied([112, 117], always),
  },
  radius_remote_access_lockout: {
    name: 'radius_remote_access_lockout',
    outcome: 'failure',
    rootCause: 'radius_remote_access_lockout',
    plan: radiusDenied([64], always),
  },
  gateway_rejected_request: {
    name: 'gateway_rejected_request',
    outcome: 'failure',
    rootCause: 'gateway_rejected_request',
    // The DA server refused before asking RADIUS (stale template name, unknown user): a short time-taken (§9).
    plan: (b) => clientAfter(b, gatewayOnly(b, 40, 900), 10005, [b.domainUser, b.da.fqdn, OTHER_ERROR]),
  },
  radius_policy: {
    name: 'radius_policy',
    outcome: 'failure',
    rootCause: 'radius_policy',
    plan: radiusDenied([48, 49, 65, 66], always),
  },
  radius_account: {
    name: 'radius_account',
    outcome: 'failure',
    rootCause: 'radius_account',
    plan: radiusDenied([8, 34, 35, 36, 37, 38], (code) => code !== 8),
  },
  radius_directory_unavailable: {
    name: 'radius_directory_unavailable',
    outcome: 'failure',
    rootCause: 'radius_directory_unavailable',
    plan: radiusDenied([4, 5, 7], () => false),
  },
  radius_no_response: {
    name: 'radius_no_response',
    outcome: 'failure',
    rootCause: 'radius_no_response',
    // The DA server retries RADIUS until it gives up: a long time-taken (§4 row 4).
    plan: (b) => clientAfter(b, gatewayOnly(b, 5000, 30000), 10005, [b.domainUser, b.da.fqdn, OTHER_ERROR]),
  },
  radius_client_misconfigured: {
    name: 'radius_client_misconfigured',
    outcome: 'failure',
    rootCause: 'radius_client_misconfigured',
    // NPS refuses the DA server's every try (System 14: the shared secrets differ) and the DA server gives up after its
    // tries of the RADIUS timeout, 5 s each (docs/windows-events.md §9). Not in the background mix: it is a server's
    // fault, written by the incident of the same name.
    plan: (b) => {
      const iisStart = b.start + b.rng.between(30, 250);
      const tries = b.rng.between(1, 3);
      for (let i = 0; i < tries; i++) b.npsRefusedClient(iisStart + i * RADIUS_TIMEOUT_MS + b.rng.between(5, 200), 14);
      const iisEnd = iisStart + tries * RADIUS_TIMEOUT_MS + b.rng.between(20, 400);
      b.iis(iisStart, iisEnd, 200);
      clientAfter(b, iisEnd, 10005, [b.domainUser, b.da.fqdn, OTHER_ERROR]);
    },
  },
  signing_failed: {
    name: 'signing_failed',
    outcome: 'failure',
    rootCause: 'signing_failed',
    plan: (b) => clientAfter(b, radiusRoundTrip(b, null), 10005, [b.domainUser, b.da.fqdn, OTHER_ERROR]),
  },
  challenge_required: {
    name: 'challenge_required',
    outcome: 'failure',
    rootCause: 'challenge_required',
    plan: (b) => clientAfter(b, gatewayOnly(b, 200, 1300), 10006, [b.domainUser, b.da.fqdn, '0']),
  },
  user_not_in_directory: {
    name: 'user_not_in_directory',
    outcome: 'failure',
    rootCause: 'user_not_in_directory',
    plan: (b) => clientAfter(b, gatewayOnly(b, 10, 120), b.rng.pick([10011, 10012]), [b.domainUser, NO_UPN_ERROR]),
  },
  ca_unreachable: {
    name: 'ca_unreachable',
    outcome: 'failure',
    rootCause: 'ca_unreachable',
    // The client gives up on the CA after its connection timeout.
    plan: (b) =>
      b.clientEvent(radiusRoundTrip(b, null) + b.rng.between(2000, 21000), 10018, [b.domainUser, b.da.ca.caName]),
  },
  ca_denied_template_permission: {
    name: 'ca_denied_template_permission',
    outcome: 'failure',
    rootCause: 'ca_denied_template_permission',
    plan: caDenied(['0x80094012', '0x80094012', '0x80094011']),
  },
  ca_denied_signature: {
    name: 'ca_denied_signature',
    outcome: 'failure',
    rootCause: 'ca_denied_signature',
    plan: caDenied(['0x80094809', '0x8009480A', '0x8009480B']),
  },
  ca_template_not_available: {
    name: 'ca_template_not_available',
    outcome: 'failure',
    rootCause: 'ca_template_not_available',
    plan: caDenied(['0x80094800']),
  },
  ca_denied_key_length: {
    name: 'ca_denied_key_length',
    outcome: 'failure',
    rootCause: 'ca_denied_key_length',
    plan: caDenied(['0x80094811']),
  },
  ca_pending: {
    name: 'ca_pending',
    outcome: 'failure',
    rootCause: 'ca_pending',
    // No client event is documented for a pending request (§4 row 18, "10021? INFERRED"): the CA log is the evidence.
    plan: (b) => {
      enrol(b, radiusRoundTrip(b, null), { status: 'pending' });
    },
  },
  client_cannot_reach_server: {
    name: 'client_cannot_reach_server',
    outcome: 'failure',
    rootCause: 'client_cannot_reach_server',
    plan: (b) => {
      const eventId = b.rng.pick([10000, 10000, 10001, 10002]);
      const code = b.rng.pick(CONNECT_ERRORS[eventId] ?? [12029]);
      b.clientEvent(b.start + b.rng.between(50, 21000), eventId, [b.da.fqdn, OTP_BASE_PATH, '443', String(code)]);
    },
  },
  client_certificate_missing: {
    name: 'client_certificate_missing',
    outcome: 'failure',
    rootCause: 'client_certificate_missing',
    plan: (b) => {
      if (b.rng.chance(0.7)) {
        b.clientEvent(b.start + b.rng.between(20, 300), 10016, []);
        return;
      }
      // The DA server requires a client certificate and got none: 403.7 (docs/windows-events.md §9).
      clientAfter(b, gatewayOnly(b, 2, 30, 403, 7), 10005, [b.domainUser, b.da.fqdn, '80040001']);
    },
  },
  client_certificate_expired: {
    name: 'client_certificate_expired',
    outcome: 'failure',
    rootCause: 'client_certificate_expired',
    // KB2973071: the client keeps presenting its expired cached computer certificate: 403.17 (§3.3, §9).
    plan: (b) => clientAfter(b, gatewayOnly(b, 2, 30, 403, 17), 10005, [b.domainUser, b.da.fqdn, '80040001']),
  },
  gateway_untrusted_client_certificate: {
    name: 'gateway_untrusted_client_certificate',
    outcome: 'failure',
    rootCause: 'gateway_untrusted_client_certificate',
    // The IPsec root certificate changed without an iisreset: 403.16 (§9).
    plan: (b) => clientAfter(b, gatewayOnly(b, 2, 30, 403, 16), 10005, [b.domainUser, b.da.fqdn, '80040001']),
  },
  client_certificate_store: {
    name: 'client_certificate_store',
    outcome: 'failure',
    rootCause: 'client_certificate_store',
    plan: (b) => clientAfter(b, enrol(b, radiusRoundTrip(b, null), { status: 'issued' }), 10007, [KSP_ERROR]),
  },
  cancelled: {
    name: 'cancelled',
    outcome: 'cancelled',
    rootCause: null,
    plan: (b) => b.clientEvent(b.start + b.rng.between(0, 500), 10010, []),
  },
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;

/** The background mix outside incidents: mostly success, then the common user errors, then rare faults. */
export const DEFAULT_MIX: readonly Weighted<ScenarioName>[] = [
  { weight: 800, value: 'success' },
  { weight: 70, value: 'otp_rejected' },
  { weight: 20, value: 'cancelled' },
  { weight: 15, value: 'radius_account' },
  { weight: 5, value: 'radius_policy' },
  { weight: 5, value: 'radius_directory_unavailable' },
  { weight: 5, value: 'radius_no_response' },
  { weight: 3, value: 'radius_extension_failed' },
  { weight: 2, value: 'radius_remote_unavailable' },
  { weight: 2, value: 'radius_remote_access_lockout' },
  { weight: 3, value: 'gateway_rejected_request' },
  { weight: 3, value: 'signing_failed' },
  { weight: 5, value: 'ca_unreachable' },
  { weight: 8, value: 'ca_denied_template_permission' },
  { weight: 4, value: 'ca_denied_signature' },
  { weight: 4, value: 'ca_template_not_available' },
  { weight: 4, value: 'ca_denied_key_length' },
  { weight: 3, value: 'ca_pending' },
  { weight: 10, value: 'client_cannot_reach_server' },
  { weight: 5, value: 'client_certificate_missing' },
  { weight: 2, value: 'client_certificate_expired' },
  { weight: 1, value: 'gateway_untrusted_client_certificate' },
  { weight: 3, value: 'challenge_required' },
  { weight: 3, value: 'user_not_in_directory' },
  { weight: 3, value: 'client_certificate_store' },
];
