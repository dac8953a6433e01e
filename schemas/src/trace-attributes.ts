/**
 * The attribute set of otptrace's traces: one trace per OTP attempt (see packages/core/trace/README.md).
 * Names follow the current OpenTelemetry semantic conventions where one exists (`semconv: true`), and the `otp.*`
 * namespace otherwise. This table is the documentation: every attribute a span can carry is listed here, and the
 * trace package's tests check that the spans use no other name.
 */

/** Which spans of an attempt's trace an attribute appears on. */
export const SPAN_ROLES = ['attempt', 'gateway', 'radius', 'ca', 'client'] as const;
export type SpanRole = (typeof SPAN_ROLES)[number];

/** One documented attribute: its name, value type, the spans that carry it, and whether semconv defines it. */
export interface TraceAttributeDoc {
  readonly name: string;
  readonly type: 'string' | 'int' | 'boolean' | 'string[]' | 'int[]';
  readonly spans: readonly (SpanRole | 'failure-event')[];
  readonly semconv: boolean;
  readonly description: string;
}

const doc = (
  name: string,
  type: TraceAttributeDoc['type'],
  spans: TraceAttributeDoc['spans'],
  semconv: boolean,
  description: string,
): TraceAttributeDoc => Object.freeze({ name, type, spans, semconv, description });

const ALL: TraceAttributeDoc['spans'] = ['attempt', 'gateway', 'radius', 'ca', 'client'];
const STAGES: TraceAttributeDoc['spans'] = ['gateway', 'radius', 'ca', 'client'];

/** Every attribute otptrace puts on a span or on the `otp.failure` span event, keyed by a constant name. */
export const TRACE_ATTRIBUTES = Object.freeze({
  // Semantic conventions (stable unless noted).
  ENDUSER_ID: doc(
    'enduser.id',
    'string',
    ['attempt'],
    true,
    'The user of the attempt, `domain\\user` as normalised (semconv: development, carries a privacy warning).',
  ),
  CLIENT_ADDRESS: doc(
    'client.address',
    'string',
    ['attempt', 'gateway', 'radius'],
    true,
    "Attempt and gateway: the DA client's address as IIS saw it (c-ip). RADIUS: the RADIUS client (the DA server) as NPS saw it.",
  ),
  SERVER_ADDRESS: doc(
    'server.address',
    'string',
    ['gateway', 'radius', 'ca', 'client'],
    true,
    'The server that handled the step: IIS Host header or DA server name, NPS, CA computer; on the client span the DA server address the client called.',
  ),
  SERVER_PORT: doc('server.port', 'int', ['gateway'], true, 'IIS s-port.'),
  NETWORK_LOCAL_ADDRESS: doc('network.local.address', 'string', ['gateway'], true, 'IIS s-ip.'),
  HTTP_REQUEST_METHOD: doc('http.request.method', 'string', ['gateway'], true, 'IIS cs-method.'),
  HTTP_RESPONSE_STATUS_CODE: doc(
    'http.response.status_code',
    'int',
    ['gateway', 'failure-event'],
    true,
    'IIS sc-status; on the failure event, the HTTP status of the attempt when it is an error (>= 400).',
  ),
  URL_PATH: doc('url.path', 'string', ['gateway'], true, 'IIS cs-uri-stem.'),
  ERROR_TYPE: doc(
    'error.type',
    'string',
    ['attempt', 'gateway', 'radius', 'ca', 'client'],
    true,
    'On the failing span and the root span only: the root-cause code (low cardinality, from the catalogue).',
  ),
  // The attempt (root span).
  ATTEMPT_ID: doc(
    'otp.attempt.id',
    'string',
    ['attempt'],
    false,
    'Deterministic attempt ID (user + first evidence event).',
  ),
  ATTEMPT_OUTCOME: doc(
    'otp.attempt.outcome',
    'string',
    ['attempt'],
    false,
    'success | failure | cancelled | probe | incomplete.',
  ),
  ATTEMPT_CLOSED_BY: doc('otp.attempt.closed_by', 'string', ['attempt'], false, 'result | timeout | end_of_input.'),
  ATTEMPT_GATEWAY_AMBIGUOUS: doc(
    'otp.attempt.gateway_ambiguous',
    'boolean',
    ['attempt'],
    false,
    'An IIS request overlapped two users and was not attributed.',
  ),
  FAILED_STAGE: doc(
    'otp.failure.stage',
    'string',
    ['attempt', 'gateway', 'radius', 'ca', 'client'],
    false,
    'Stage the diagnosis blames (client | gateway | radius | ca); on a child span only when that span is the failing one.',
  ),
  ROOT_CAUSE_CODE: doc(
    'otp.root_cause.code',
    'string',
    ['attempt'],
    false,
    'Root-cause code from the catalogue (packages/core/model ROOT_CAUSES).',
  ),
  ROOT_CAUSE_TITLE: doc('otp.root_cause.title', 'string', ['attempt'], false, 'Root-cause title.'),
  ROOT_CAUSE_REMEDIATION: doc('otp.root_cause.remediation', 'string', ['attempt'], false, 'What to do about it.'),
  ROOT_CAUSE_ALSO_POSSIBLE: doc(
    'otp.root_cause.also_possible',
    'string[]',
    ['attempt'],
    false,
    'Other root-cause codes the logs read do not rule out (a log that would decide is missing); absent when none.',
  ),
  HOST_CLIENT: doc('otp.host.client', 'string', ['attempt'], false, "The client computer's name."),
  HOST_GATEWAY: doc('otp.host.gateway', 'string', ['attempt'], false, "The DA server's name."),
  HOST_RADIUS: doc('otp.host.radius', 'string', ['attempt'], false, "The NPS server's name."),
  HOST_CA: doc('otp.host.ca', 'string', ['attempt'], false, "The CA's computer name."),
  // Every span.
  STAGE: doc('otp.stage', 'string', STAGES, false, 'client | gateway | radius | ca.'),
  SYNTHETIC_START: doc(
    'otp.span.synthetic_start',
    'boolean',
    ALL,
    false,
    'True when the stage logged a single instant and the span starts at the previous step instead.',
  ),
  START_FROM: doc(
    'otp.span.start_from',
    'string',
    STAGES,
    false,
    'Where the start time comes from: `logged` (the stage logged it), `{stage}.start` / `{stage}.end` of the previous step (e.g. `gateway.start`, `ca.end`), or `none` (no earlier step: a zero-length span at the logged instant).',
  ),
  CLOCK_SHIFT_MS: doc(
    'otp.span.clock_shift_ms',
    'int',
    ['radius'],
    false,
    "Milliseconds added to the times NPS logged, to put the span on the DA server's clock: the negated offset of NPS's clock learned from the logs (the record's `npsClockAheadMs`). Absent when the clocks agree; the evidence keeps the logged times.",
  ),
  EVIDENCE_PROVIDER: doc(
    'otp.evidence.provider',
    'string[]',
    ALL,
    false,
    'Evidence events of the span (parallel arrays, one entry per event): Windows provider name.',
  ),
  EVIDENCE_EVENT_ID: doc('otp.evidence.event_id', 'int[]', ALL, false, 'Evidence: EventID.'),
  EVIDENCE_COMPUTER: doc('otp.evidence.computer', 'string[]', ALL, false, 'Evidence: Computer.'),
  EVIDENCE_CHANNEL: doc('otp.evidence.channel', 'string[]', ALL, false, 'Evidence: Channel.'),
  EVIDENCE_RECORD_ID: doc('otp.evidence.record_id', 'int[]', ALL, false, 'Evidence: EventRecordID.'),
  // Gateway (IIS 6200).
  IIS_SUB_STATUS: doc('otp.iis.sub_status', 'int', ['gateway'], false, 'IIS sc-substatus.'),
  IIS_WIN32_STATUS: doc('otp.iis.win32_status', 'int', ['gateway'], false, 'IIS sc-win32-status.'),
  IIS_TIME_TAKEN_MS: doc(
    'otp.iis.time_taken_ms',
    'int',
    ['gateway'],
    false,
    'IIS time-taken (ms); the span starts this long before the logged completion.',
  ),
  IIS_SITE_NAME: doc('otp.iis.site_name', 'string', ['gateway'], false, 'IIS s-sitename.'),
  HTTP_SYS_REASON: doc(
    'otp.http_sys.reason',
    'string',
    ['gateway'],
    false,
    "A request HTTP.sys answered itself (its HTTPERR log: IIS never saw it): s-reason and the request queue, e.g. 'AppOffline (queue DefaultAppPool)'.",
  ),
  // RADIUS (NPS 6272/6273/6274, System 4402).
  RADIUS_DECISION: doc('otp.radius.decision', 'string', ['radius'], false, 'granted | denied | discarded.'),
  NPS_REASON_CODE: doc('otp.nps.reason_code', 'int', ['radius', 'failure-event'], false, 'NPS Reason-Code.'),
  NPS_REASON: doc('otp.nps.reason', 'string', ['radius', 'failure-event'], false, 'NPS Reason text.'),
  NPS_CLIENT_NAME: doc(
    'otp.nps.client_name',
    'string',
    ['radius'],
    false,
    'NPS ClientName (the RADIUS client entry, i.e. the DA server).',
  ),
  NPS_NAS_IDENTIFIER: doc('otp.nps.nas_identifier', 'string', ['radius'], false, 'NPS NASIdentifier.'),
  NPS_AUTHENTICATION_TYPE: doc(
    'otp.nps.authentication_type',
    'string',
    ['radius'],
    false,
    'NPS AuthenticationType (PAP for DA OTP).',
  ),
  NPS_NETWORK_POLICY: doc('otp.nps.network_policy', 'string', ['radius'], false, 'NPS NetworkPolicyName.'),
  NPS_UNAVAILABLE_DOMAIN: doc(
    'otp.nps.unavailable_domain',
    'string',
    ['radius'],
    false,
    'System NPS 4402: the domain no domain controller answered for.',
  ),
  // CA (Security 4886-4889, CertificationAuthority 53/21/22/54).
  CA_REQUEST_ID: doc('otp.ca.request_id', 'int', ['ca'], false, 'CA RequestId.'),
  CA_STATUS: doc(
    'otp.ca.status',
    'string',
    ['ca'],
    false,
    'issued | denied | pending | error; absent when only 4886 was logged.',
  ),
  CA_HRESULT: doc(
    'otp.ca.hresult',
    'string',
    ['ca', 'failure-event'],
    false,
    'HRESULT of a denial or error, 0x + 8 upper-case hex.',
  ),
  CA_HRESULT_SYMBOL: doc(
    'otp.ca.hresult_symbol',
    'string',
    ['ca', 'failure-event'],
    false,
    'Symbol of the HRESULT, e.g. CERTSRV_E_TEMPLATE_DENIED.',
  ),
  CA_TEMPLATE: doc('otp.ca.template', 'string', ['ca'], false, 'Certificate template requested.'),
  CA_REQUESTING_MACHINE: doc(
    'otp.ca.requesting_machine',
    'string',
    ['ca'],
    false,
    'Requesting machine named in the 4886 Attributes (rmd:/ccm:).',
  ),
  CA_DETAIL: doc('otp.ca.detail', 'string', ['ca'], false, 'Free text of a CertificationAuthority application event.'),
  // Client (OtpCredentialProvider 10000-10022).
  CLIENT_EVENT_ID: doc(
    'otp.client.event_id',
    'int',
    ['client', 'failure-event'],
    false,
    'OtpCredentialProvider event ID of the result.',
  ),
  CLIENT_ERROR_CODE: doc(
    'otp.client.error_code',
    'string',
    ['client', 'failure-event'],
    false,
    'Client errorCode, 0x + upper-case hex.',
  ),
  CLIENT_CA_NAME: doc('otp.client.ca_name', 'string', ['client'], false, 'CAName the client reported (host\\CA-Name).'),
  CLIENT_TEMPLATE: doc('otp.client.template', 'string', ['client'], false, 'templateName the client reported.'),
} satisfies Record<string, TraceAttributeDoc>);

/** Name of the span event on the failing span that carries the error details (a denial is not an exception). */
export const OTP_FAILURE_EVENT = 'otp.failure';

/** Span names, low cardinality (the gateway span is named `{method} {url.path}`: the OTP path is fixed per DA server). */
export const SPAN_NAMES = Object.freeze({
  attempt: 'OTP attempt',
  radius: 'RADIUS Access-Request',
  ca: 'CA enrolment',
  client: 'OTP client result',
} as const);

/** Every attribute name otptrace may emit. */
export const TRACE_ATTRIBUTE_NAMES: readonly string[] = Object.freeze(
  Object.values(TRACE_ATTRIBUTES).map((entry) => entry.name),
);

type AttributeKey = keyof typeof TRACE_ATTRIBUTES;

/** The attribute names by constant, e.g. `ATTR.ENDUSER_ID === 'enduser.id'`. */
export const ATTR = Object.freeze(
  Object.fromEntries(Object.entries(TRACE_ATTRIBUTES).map(([key, entry]) => [key, entry.name])),
) as { readonly [K in AttributeKey]: (typeof TRACE_ATTRIBUTES)[K]['name'] };
