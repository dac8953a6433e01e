/**
 * Names of the codes Windows writes into the OTP events. Sources: docs/windows-events.md §3.1 (NPS
 * Reason-Code texts, TechNet "NPS Reason Codes") and §3.2 (ADCS HRESULTs, [MS-ERREF]).
 */
const HRESULT_SYMBOLS: Readonly<Record<string, string>> = Object.freeze({
  '0x80094011': 'CERTSRV_E_ENROLL_DENIED',
  '0x80094012': 'CERTSRV_E_TEMPLATE_DENIED',
  '0x80094800': 'CERTSRV_E_UNSUPPORTED_CERT_TYPE',
  '0x80094801': 'CERTSRV_E_NO_CERT_TYPE',
  '0x80094806': 'CERTSRV_E_BAD_RENEWAL_SUBJECT',
  '0x80094809': 'CERTSRV_E_SIGNATURE_POLICY_REQUIRED',
  '0x8009480A': 'CERTSRV_E_SIGNATURE_COUNT',
  '0x8009480B': 'CERTSRV_E_SIGNATURE_REJECTED',
  '0x8009480C': 'CERTSRV_E_ISSUANCE_POLICY_REQUIRED',
  '0x8009480D': 'CERTSRV_E_SUBJECT_UPN_REQUIRED',
  '0x8009480F': 'CERTSRV_E_SUBJECT_DNS_REQUIRED',
  '0x80094811': 'CERTSRV_E_KEY_LENGTH',
  '0x80094812': 'CERTSRV_E_SUBJECT_EMAIL_REQUIRED',
  '0x80094813': 'CERTSRV_E_UNKNOWN_CERT_TYPE',
  '0x80092013': 'CRYPT_E_REVOCATION_OFFLINE',
  '0x80092012': 'CRYPT_E_NO_REVOCATION_CHECK',
  '0x800B0109': 'CERT_E_UNTRUSTEDROOT',
  '0x800B0101': 'CERT_E_EXPIRED',
  '0x80070490': 'ERROR_NOT_FOUND',
  '0x80090006': 'NTE_BAD_SIGNATURE',
  '0x80090020': 'NTE_FAIL',
  // 0x80040001 is a component-specific code (FACILITY_ITF), not a Windows symbol: named by what it means for DA OTP.
  '0x80040001': 'DA OTP client: HTTP 403 (KB2973071)',
});

const NPS_REASONS: Readonly<Record<number, string>> = Object.freeze({
  0: 'IAS_SUCCESS',
  1: 'IAS_INTERNAL_ERROR',
  2: 'IAS_ACCESS_DENIED',
  3: 'IAS_MALFORMED_REQUEST',
  4: 'IAS_GLOBAL_CATALOG_UNAVAILABLE',
  5: 'IAS_DOMAIN_UNAVAILABLE',
  6: 'IAS_SERVER_UNAVAILABLE',
  7: 'IAS_NO_SUCH_DOMAIN',
  8: 'IAS_NO_SUCH_USER',
  9: 'IAS extension DLL discarded the request',
  10: 'IAS extension DLL failed',
  16: 'IAS_AUTH_FAILURE',
  17: 'IAS_CHANGE_PASSWORD_FAILURE',
  18: 'IAS_UNSUPPORTED_AUTH_TYPE',
  21: 'IAS extension DLL rejected the request',
  32: 'IAS_LOCAL_USERS_ONLY',
  33: 'IAS_PASSWORD_MUST_CHANGE',
  34: 'IAS_ACCOUNT_DISABLED',
  35: 'IAS_ACCOUNT_EXPIRED',
  36: 'IAS_ACCOUNT_LOCKED_OUT',
  37: 'IAS_INVALID_LOGON_HOURS',
  38: 'IAS_ACCOUNT_RESTRICTION',
  48: 'IAS_NO_POLICY_MATCH',
  49: 'no matching connection request policy',
  64: 'IAS_DIALIN_LOCKED_OUT',
  65: 'IAS_DIALIN_DISABLED',
  66: 'IAS_INVALID_AUTH_TYPE',
  67: 'IAS_INVALID_CALLING_STATION',
  68: 'IAS_INVALID_DIALIN_HOURS',
  69: 'IAS_INVALID_CALLED_STATION',
  70: 'IAS_INVALID_PORT_TYPE',
  112: 'the remote RADIUS server did not process the authentication request',
  117: 'remote RADIUS server did not respond',
});

/** Symbol (or, for a component-specific code, a label) of an HRESULT written `0x` + 8 upper-case hex digits, or null when unknown. */
export function hresultSymbol(hresult: string): string | null {
  return HRESULT_SYMBOLS[hresult] ?? null;
}

/** Name of an NPS Reason-Code, or null when unknown. */
export function npsReasonText(code: number): string | null {
  return NPS_REASONS[code] ?? null;
}
