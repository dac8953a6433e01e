import type { RootCauseCode } from '@otptrace/model';
import type { Outcome } from '@otptrace/schemas';
import type { FactName, Facts } from './facts.js';

/** A value a condition compares a fact with. */
export type RuleScalar = string | number | boolean | null;

/** A condition on one fact: equal to a value, one of several values, or (for booleans) true/false. */
export type RuleCondition = RuleScalar | { readonly in: readonly RuleScalar[] } | { readonly not: RuleScalar };

/**
 * One rule: when every listed fact matches, the attempt gets this outcome and root cause. The table below is checked by
 * the compiler (`RuleSpec`) and at start (`checkRules`); a table given as data is parsed first (rule-schema.ts).
 */
export interface Rule {
  /** What the rule recognises, for people reading the table. */
  readonly when: string;
  readonly match: { readonly [fact: string]: RuleCondition };
  readonly outcome: Outcome;
  /** Root-cause code from the catalogue (packages/core/model ROOT_CAUSES); null for non-failures. */
  readonly code: string | null;
  /**
   * Other root causes the logs read cannot rule out (a log that would tell them apart is missing), most likely first;
   * absent when the evidence decides.
   */
  readonly alsoPossible?: readonly string[] | undefined;
}

/** The value type of one fact. */
type FactValueOf<K extends FactName> = K extends `covered.${string}` ? boolean : Facts[K & keyof Facts];
type ConditionOf<V> = V | { readonly in: readonly V[] } | { readonly not: V };

/**
 * A rule as written in the table below: fact names, their values and root-cause codes are checked by the compiler
 * (a misspelt fact, value or code fails to build); `checkRules` checks the same at start, and `compileRules`
 * (rule-schema.ts) for tables given as data.
 */
export interface RuleSpec {
  readonly when: string;
  readonly match: { readonly [K in FactName]?: ConditionOf<FactValueOf<K>> };
  readonly outcome: Outcome;
  readonly code: RootCauseCode | null;
  readonly alsoPossible?: readonly RootCauseCode[];
}

const CLIENT_CANNOT_REACH = [10000, 10001, 10002] as const;

/**
 * The rule table, first match wins. Evidence per failure mode: docs/windows-events.md §4 (rows cited), NPS reason codes
 * §3.1, CA HRESULTs §3.2. Facts: see facts.ts; `covered.X` asks whether the input holds source X's log at all.
 */
export const RULES = [
  { when: "the DA server's RADIUS probe account (row 24)", match: { probe: true }, outcome: 'probe', code: null },
  { when: 'the user cancelled (10010, row 22)', match: { clientEvent: 10010 }, outcome: 'cancelled', code: null },
  {
    // 16 for many users of one DA server at once is the shared secret or a missing extension: the burst ticket says so
    // (catalogue burstRemediation; docs/windows-events.md §9).
    when: 'NPS: wrong OTP or PIN, or the OTP extension rejected it (16, 21; row 2)',
    match: { radius: 'denied', radiusReason: { in: [16, 21] } },
    outcome: 'failure',
    code: 'otp_rejected',
  },
  {
    when: 'NPS: the OTP extension DLL discarded the request or failed (9, 10; §9): its back end is unreachable',
    match: { radius: { in: ['denied', 'discarded'] }, radiusReason: { in: [9, 10] } },
    outcome: 'failure',
    code: 'radius_extension_failed',
  },
  {
    when: 'NPS proxy: the remote OTP server did not process or answer the request (112, 117; 113, 115, 116; §9)',
    match: { radius: { in: ['denied', 'discarded'] }, radiusReason: { in: [112, 113, 115, 116, 117] } },
    outcome: 'failure',
    code: 'radius_remote_unavailable',
  },
  {
    when: "NPS: no DC / GC for the user's domain (4, 5, 6; row 25)",
    match: { radius: 'denied', radiusReason: { in: [4, 5, 6] } },
    outcome: 'failure',
    code: 'radius_directory_unavailable',
  },
  {
    when: 'NPS: domain unknown (7) with a 4402 (no DC) from the same NPS server around it (§9)',
    match: { radius: 'denied', radiusReason: 7, directoryUnavailable: true },
    outcome: 'failure',
    code: 'radius_directory_unavailable',
  },
  {
    when: 'NPS: domain unknown (7) while NPS denied others for 4 or 5 (no GC / DC) around it (§9)',
    match: { radius: 'denied', radiusReason: 7, directoryOutageNearby: true },
    outcome: 'failure',
    code: 'radius_directory_unavailable',
  },
  {
    when: 'NPS: the domain in User-Name does not exist (7) and no DC outage was logged: name format or trust (§9)',
    match: { radius: 'denied', radiusReason: 7 },
    outcome: 'failure',
    code: 'radius_unknown_domain',
  },
  {
    when: 'NPS: no matching policy, dial-in denied, PAP not allowed (48, 49, 65, 66, 67–70)',
    match: { radius: 'denied', radiusReason: { in: [48, 49, 65, 66, 67, 68, 69, 70] } },
    outcome: 'failure',
    code: 'radius_policy',
  },
  {
    when: "NPS's remote-access account lockout (64; §9), not the AD lockout (36)",
    match: { radius: 'denied', radiusReason: 64 },
    outcome: 'failure',
    code: 'radius_remote_access_lockout',
  },
  {
    when: 'NPS: account unknown, disabled, expired, locked out in AD, logon hours (8, 33–38; row 26)',
    match: { radius: 'denied', radiusReason: { in: [8, 33, 34, 35, 36, 37, 38] } },
    outcome: 'failure',
    code: 'radius_account',
  },
  {
    // After the specific reason codes: a 4402 logged near a denial explains it only when the code itself does not.
    when: 'NPS denial with a 4402 (no DC) from the same NPS server around it',
    match: { radius: 'denied', directoryUnavailable: true },
    outcome: 'failure',
    code: 'radius_directory_unavailable',
  },
  {
    when: 'NPS denied for another reason',
    match: { radius: 'denied' },
    outcome: 'failure',
    code: 'radius_denied_other',
  },
  {
    when: 'NPS discarded the request (6274: shared secret, malformed; row 4)',
    match: { radius: 'discarded' },
    outcome: 'failure',
    code: 'radius_request_discarded',
  },
  {
    when: 'the OTP server asked for a challenge (10006, row 5)',
    match: { clientEvent: 10006 },
    outcome: 'failure',
    code: 'challenge_required',
  },
  {
    when: "CA denied: it could not check revocation of the signing certificate's chain (0x80092013, 0x80092012; §9)",
    match: { caHresult: { in: ['0x80092013', '0x80092012'] } },
    outcome: 'failure',
    code: 'ca_revocation_offline',
  },
  {
    when: "CA denied: the signing certificate's chain is untrusted or expired (0x800B0109, 0x800B0101; §9)",
    match: { caHresult: { in: ['0x800B0109', '0x800B0101'] } },
    outcome: 'failure',
    code: 'ca_chain_untrusted',
  },
  {
    when: 'CA denied: no Enroll permission on the template or the CA (0x80094012, 0x80094011; row 14)',
    match: { caHresult: { in: ['0x80094012', '0x80094011'] } },
    outcome: 'failure',
    code: 'ca_denied_template_permission',
  },
  {
    when: 'CA denied: the request lacks the RA signature the template requires (0x80094809/A/B; row 15)',
    match: { caHresult: { in: ['0x80094809', '0x8009480A', '0x8009480B', '0x8009480C', '0x80094806'] } },
    outcome: 'failure',
    code: 'ca_denied_signature',
  },
  {
    when: 'CA denied: the OTP template is not published on this CA (0x80094800; row 16)',
    match: { caHresult: { in: ['0x80094800', '0x80094813', '0x80070490'] } },
    outcome: 'failure',
    code: 'ca_template_not_available',
  },
  {
    when: 'CA denied: key length / provider does not meet the template (0x80094811; row 17, the seed story)',
    match: { caHresult: '0x80094811' },
    outcome: 'failure',
    code: 'ca_denied_key_length',
  },
  { when: 'CA denied for another reason', match: { caStatus: 'denied' }, outcome: 'failure', code: 'ca_denied_other' },
  {
    when: 'CA could not process the request',
    match: { caStatus: 'error' },
    outcome: 'failure',
    code: 'ca_denied_other',
  },
  {
    when: 'CA left the request pending (4889, row 18)',
    match: { caStatus: 'pending' },
    outcome: 'failure',
    code: 'ca_pending',
  },
  {
    when: 'certificate issued but not stored or retrieved on the client (10007, 10021; row 21), or unusable (10015, §9)',
    match: { clientEvent: { in: [10007, 10021, 10015] } },
    outcome: 'failure',
    code: 'client_certificate_store',
  },
  { when: 'the client reported success (10022, row 1)', match: { clientEvent: 10022 }, outcome: 'success', code: null },
  {
    when: 'the CA issued and the client reported no failure',
    match: { caStatus: 'issued', clientEvent: null },
    outcome: 'success',
    code: null,
  },
  {
    when: 'the client could not reach the CA and the CA saw nothing (10018; rows 13, 19)',
    match: { clientEvent: 10018, caRequest: false },
    outcome: 'failure',
    code: 'ca_unreachable',
  },
  {
    when: 'enrolment failed at the CA with no CA log to say why (10019)',
    match: { clientEvent: 10019, caRequest: false },
    outcome: 'failure',
    code: 'ca_denied_other',
  },
  {
    when: 'the client could not reach the DA server (10000–10002, row 6)',
    match: { clientEvent: { in: CLIENT_CANNOT_REACH } },
    outcome: 'failure',
    code: 'client_cannot_reach_server',
  },
  {
    when: 'IIS 403.13: the client computer certificate is revoked (§9)',
    match: { httpStatus: 403, httpSubStatus: 13 },
    outcome: 'failure',
    code: 'client_certificate_revoked',
  },
  {
    when: 'IIS 403.16: the DA server does not trust the client certificate (IPsec root changed without iisreset; §9)',
    match: { httpStatus: 403, httpSubStatus: 16 },
    outcome: 'failure',
    code: 'gateway_untrusted_client_certificate',
  },
  {
    when: 'IIS 403.17: the client certificate has expired (KB2973071; §9)',
    match: { httpStatus: 403, httpSubStatus: 17 },
    outcome: 'failure',
    code: 'client_certificate_expired',
  },
  {
    when: 'IIS 404.2 / 404.3 on the OTP path: the OTP ISAPI extension is not allowed or not mapped (§9)',
    match: { httpStatus: 404, httpSubStatus: { in: [2, 3] } },
    outcome: 'failure',
    code: 'gateway_otp_extension_blocked',
  },
  {
    // Before the RADIUS rules: a request the web service failed (or HTTP.sys answered for a stopped or crashed
    // application pool: its HTTPERR log, §9) never asked RADIUS, so no NPS decision is no RADIUS fault.
    when: "the DA server's OTP web service failed (HTTP 5xx; HTTP.sys' 503 of a stopped application pool)",
    match: { httpStatus: { in: [500, 501, 502, 503, 504] } },
    outcome: 'failure',
    code: 'gateway_error',
  },
  {
    when: 'no computer certificate for OTP (10016, row 7)',
    match: { clientEvent: 10016 },
    outcome: 'failure',
    code: 'client_certificate_missing',
  },
  {
    // The IIS sub-status (403.13, 403.16, 403.17) would tell these apart (§9).
    when: 'the client reported 0x80040001 and no IIS request of it was read (row 8, KB2973071)',
    match: { clientErrorCode: '0x80040001', gateway: false },
    outcome: 'failure',
    code: 'client_certificate_missing',
    alsoPossible: ['client_certificate_expired', 'gateway_untrusted_client_certificate', 'client_certificate_revoked'],
  },
  {
    when: 'the client reported 0x80040001: a renewed computer certificate, the cached one refused (row 8, KB2973071)',
    match: { clientErrorCode: '0x80040001' },
    outcome: 'failure',
    code: 'client_certificate_missing',
  },
  {
    when: 'the DA server answered 403 to the signing request (row 8, KB2973071)',
    match: { httpStatus: 403 },
    outcome: 'failure',
    code: 'client_certificate_missing',
  },
  {
    when: 'the user has no UPN or DN (10011, 10012; row 3)',
    match: { clientEvent: { in: [10011, 10012] } },
    outcome: 'failure',
    code: 'user_not_in_directory',
  },
  {
    when: 'the DA server returned no issuing CA (10017, row 12)',
    match: { clientEvent: 10017 },
    outcome: 'failure',
    code: 'no_issuing_ca',
  },
  {
    when: "RADIUS granted, nothing reached the CA, and the CA denied the DA server's own signing-certificate request (row 9, §9)",
    match: { radius: 'granted', caRequest: false, signingDenied: true },
    outcome: 'failure',
    code: 'signing_certificate_denied',
  },
  {
    when: 'RADIUS granted, the client failed, and no request reached the CA (row 9)',
    match: { radius: 'granted', caRequest: false, clientEvent: { not: null } },
    outcome: 'failure',
    code: 'signing_failed',
  },
  {
    when: 'RADIUS granted and nothing reached the CA, with client and CA logs read (row 9, timed out)',
    match: { radius: 'granted', caRequest: false, 'covered.client': true, 'covered.ca': true },
    outcome: 'failure',
    code: 'signing_failed',
  },
  {
    when: 'no RADIUS decision, and NPS refused the DA server as a RADIUS client (System 13/14/17/18; §9)',
    match: { radius: 'none', radiusClientRefused: true },
    outcome: 'failure',
    code: 'radius_client_misconfigured',
  },
  {
    when: 'no RADIUS decision and the IIS request took well under the RADIUS timeout: the DA server refused first (§9)',
    match: { gateway: true, httpStatus: 200, radius: 'none', 'covered.radius': true, radiusWait: 'short' },
    outcome: 'failure',
    code: 'gateway_rejected_request',
  },
  {
    when: 'the DA server refused and NPS logged no decision, the request lasting the RADIUS timeout (row 4)',
    match: { clientEvent: 10005, radius: 'none', 'covered.radius': true, radiusWait: 'long' },
    outcome: 'failure',
    code: 'radius_no_response',
  },
  {
    // Without the request's IIS time-taken, a DA server that refused before asking RADIUS looks the same (§9).
    when: 'the DA server refused and NPS logged no decision, how long the request lasted unknown (row 4)',
    match: { clientEvent: 10005, radius: 'none', 'covered.radius': true, radiusWait: 'unknown' },
    outcome: 'failure',
    code: 'radius_no_response',
    alsoPossible: ['gateway_rejected_request'],
  },
  {
    when: 'the DA server waited its RADIUS timeout (IIS time-taken) and NPS logged no decision',
    match: { gateway: true, radius: 'none', 'covered.radius': true, clientEvent: null, radiusWait: 'long' },
    outcome: 'failure',
    code: 'radius_no_response',
  },
  {
    when: 'the DA server refused, and no NPS log was read',
    match: { clientEvent: 10005 },
    outcome: 'failure',
    code: 'otp_authentication_failed',
  },
  {
    when: 'the client could not build the request (10003, 10004, 10013, 10020)',
    match: { clientEvent: { in: [10003, 10004, 10013, 10020] } },
    outcome: 'failure',
    code: 'client_request_failed',
  },
  {
    when: "the client's OTP settings are incomplete (10014)",
    match: { clientEvent: 10014 },
    outcome: 'failure',
    code: 'client_configuration',
  },
  {
    when: 'OTP entered inside the corporate network (10008, row 23)',
    match: { clientEvent: 10008 },
    outcome: 'failure',
    code: 'client_inside_corpnet',
  },
  {
    when: 'the CA received the request and logged no decision',
    match: { caRequest: true, caStatus: 'none', 'covered.ca': true },
    outcome: 'failure',
    code: 'ca_no_response',
  },
  {
    when: 'another client error',
    match: { clientEvent: { not: null } },
    outcome: 'failure',
    code: 'client_error_other',
  },
  { when: 'anything else: not enough evidence to conclude', match: {}, outcome: 'incomplete', code: null },
] as const satisfies readonly RuleSpec[];
