import { hresultSymbol } from '@otptrace/model';
import type {
  CaRequest,
  CaResult,
  ClientEvent,
  GatewayEvent,
  NormalizedEvent,
  RadiusDecision,
  RadiusDirectoryUnavailable,
  Stage,
} from '@otptrace/schemas';
import { ATTR, SPAN_NAMES } from '@otptrace/schemas/vocabulary';
import { compact } from './evidence.js';
import { firstSmallest, sortSmall } from './sort.js';
import type { Attributes, SpanKindName } from './span-data.js';

/**
 * A stage span before the trace is assembled: its own times and attributes, but no IDs, no parent and, for a
 * stage that logged a single instant, no start yet (`startTime: null`; the assembler borrows the previous step's).
 */
export interface StageDraft {
  readonly stage: Stage;
  readonly name: string;
  readonly kind: SpanKindName;
  readonly events: readonly NormalizedEvent[];
  /**
   * The computer of the stage's first own event, and the ID of its earliest event (by `byTime`), which names the span.
   * Read here, where each stage knows its events' kinds, rather than by the assembler from events of every kind.
   */
  readonly host: string;
  readonly firstEventId: string;
  readonly startTime: number | null;
  readonly endTime: number;
  readonly attributes: Attributes;
  /** The stage's own log says it went wrong (HTTP error, RADIUS denial, CA denial or no decision, client error). */
  readonly reportsFailure: boolean;
}

/** The successful client result: OtpCredentialProvider 10022 (docs/windows-events.md §0.1 step 7, §4 row 1). */
const CLIENT_SUCCESS_EVENT_ID = 10022;

/** Gateway: one span per IIS 6200 request; time-taken gives it a logged start (docs/windows-events.md §0.2 "Time"). */
export function gatewayDraft(event: GatewayEvent): StageDraft {
  return {
    stage: 'gateway',
    name: `${event.method} ${event.uriStem}`,
    kind: 'server',
    events: [event],
    host: event.ref.computer,
    firstEventId: event.id,
    startTime: event.timeTakenMs === null ? null : event.startTime,
    endTime: event.time,
    attributes: compact({
      [ATTR.HTTP_REQUEST_METHOD]: event.method,
      [ATTR.URL_PATH]: event.uriStem,
      [ATTR.HTTP_RESPONSE_STATUS_CODE]: event.status,
      [ATTR.CLIENT_ADDRESS]: event.clientIp,
      [ATTR.SERVER_ADDRESS]: event.host ?? event.ref.computer,
      [ATTR.SERVER_PORT]: event.serverPort,
      [ATTR.NETWORK_LOCAL_ADDRESS]: event.serverIp,
      [ATTR.IIS_SUB_STATUS]: event.subStatus,
      [ATTR.IIS_WIN32_STATUS]: event.win32Status,
      [ATTR.IIS_TIME_TAKEN_MS]: event.timeTakenMs,
      [ATTR.IIS_SITE_NAME]: event.siteName,
      [ATTR.HTTP_SYS_REASON]: event.httpSysReason ?? null,
    }),
    reportsFailure: event.status >= 400,
  };
}

/** RADIUS: one span per NPS decision (6272/6273/6274), with the System 4402 events that explain it. */
export function radiusDraft(decision: RadiusDecision, directory: readonly RadiusDirectoryUnavailable[]): StageDraft {
  const unavailable = directory[0];
  const events = sortSmall([decision, ...directory], byTime);
  return {
    stage: 'radius',
    name: SPAN_NAMES.radius,
    kind: 'server',
    events,
    host: events[0]!.ref.computer,
    firstEventId: events[0]!.id,
    startTime: null,
    endTime: decision.time,
    attributes: compact({
      [ATTR.RADIUS_DECISION]: decision.decision,
      [ATTR.NPS_REASON_CODE]: decision.reasonCode,
      [ATTR.NPS_REASON]: decision.reason,
      [ATTR.NPS_CLIENT_NAME]: decision.clientName,
      [ATTR.CLIENT_ADDRESS]: decision.clientIp,
      [ATTR.SERVER_ADDRESS]: decision.ref.computer,
      [ATTR.NPS_NAS_IDENTIFIER]: decision.nasIdentifier,
      [ATTR.NPS_AUTHENTICATION_TYPE]: decision.authenticationType,
      [ATTR.NPS_NETWORK_POLICY]: decision.networkPolicy,
      [ATTR.NPS_UNAVAILABLE_DOMAIN]: unavailable?.domain,
    }),
    reportsFailure: decision.decision !== 'granted',
  };
}

/** RADIUS without a decision: NPS logged only that no domain controller answered (System 4402). */
export function directoryOnlyDraft(directory: readonly RadiusDirectoryUnavailable[]): StageDraft {
  const sorted = sortSmall([...directory], byTime);
  const last = sorted[sorted.length - 1]!;
  return {
    stage: 'radius',
    name: SPAN_NAMES.radius,
    kind: 'server',
    events: sorted,
    host: sorted[0]!.ref.computer,
    firstEventId: sorted[0]!.id,
    startTime: null,
    endTime: last.time,
    attributes: { [ATTR.SERVER_ADDRESS]: last.ref.computer, [ATTR.NPS_UNAVAILABLE_DOMAIN]: last.domain },
    reportsFailure: true,
  };
}

/**
 * CA: one span per request (RequestId on one CA), from 4886 received to the last decision (4887/4888/4889 and
 * CertificationAuthority 53/21/22/54). Without a 4886 the span borrows its start; without a decision it is the
 * 4886 instant and reports a failure (the CA never decided).
 */
export function caDraft(requests: readonly CaRequest[], results: readonly CaResult[]): StageDraft {
  const events = sortSmall([...requests, ...results], byTime);
  const request = requests[0];
  const decision = results.find((result) => result.status !== 'issued') ?? results[0];
  const endTime = events[events.length - 1]!.time;
  const hresult = decision?.hresult ?? null;
  return {
    stage: 'ca',
    name: SPAN_NAMES.ca,
    kind: 'server',
    events,
    host: events[0]!.ref.computer,
    firstEventId: events[0]!.id,
    // A lone 4886 is a single instant: its span, too, starts at the previous step.
    startTime: request !== undefined && results.length > 0 ? request.time : null,
    endTime,
    attributes: compact({
      [ATTR.CA_REQUEST_ID]: (request ?? decision)?.requestId,
      [ATTR.CA_STATUS]: decision?.status,
      [ATTR.CA_HRESULT]: hresult,
      [ATTR.CA_HRESULT_SYMBOL]: hresult === null ? null : hresultSymbol(hresult),
      [ATTR.CA_TEMPLATE]: request?.template ?? decision?.template,
      [ATTR.CA_REQUESTING_MACHINE]: request?.requestingMachine,
      [ATTR.CA_DETAIL]: results.find((result) => result.detail !== null)?.detail,
      [ATTR.SERVER_ADDRESS]: events[0]!.ref.computer,
    }),
    reportsFailure: decision === undefined || decision.status !== 'issued',
  };
}

/** Client: one span per OtpCredentialProvider result event (a single instant). */
export function clientDraft(event: ClientEvent): StageDraft {
  return {
    stage: 'client',
    name: SPAN_NAMES.client,
    kind: 'internal',
    events: [event],
    host: event.ref.computer,
    firstEventId: event.id,
    startTime: null,
    endTime: event.time,
    attributes: compact({
      [ATTR.CLIENT_EVENT_ID]: event.ref.eventId,
      [ATTR.CLIENT_ERROR_CODE]: event.errorCode,
      [ATTR.SERVER_ADDRESS]: event.serverAddress,
      [ATTR.CLIENT_CA_NAME]: event.caName,
      [ATTR.CLIENT_TEMPLATE]: event.templateName,
    }),
    reportsFailure: event.errorCode !== null || event.ref.eventId !== CLIENT_SUCCESS_EVENT_ID,
  };
}

/**
 * The draft with other events. Written out key by key, in the order of the drafts above, rather than spread: a spread
 * copy gets another hidden class, and the few drafts with context events deoptimised the export (issue 16 item 6).
 */
export function withEvents(draft: StageDraft, events: readonly NormalizedEvent[]): StageDraft {
  return {
    stage: draft.stage,
    name: draft.name,
    kind: draft.kind,
    events,
    host: draft.host,
    firstEventId: firstSmallest(events, byTime)!.id,
    startTime: draft.startTime,
    endTime: draft.endTime,
    attributes: draft.attributes,
    reportsFailure: draft.reportsFailure,
  };
}

/** Orders events by time, then by log identity so that equal times sort the same on every run. */
export function byTime(a: NormalizedEvent, b: NormalizedEvent): number {
  return a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * An NPS draft on the DA server's clock: its time less `npsClockAheadMs` (learned from the logs), so that the decision
 * lies inside the IIS request that asked for it, and the span says how far it was moved.
 */
export function onServerClock(draft: StageDraft, npsClockAheadMs: number): StageDraft {
  return {
    stage: draft.stage,
    name: draft.name,
    kind: draft.kind,
    events: draft.events,
    host: draft.host,
    firstEventId: draft.firstEventId,
    startTime: draft.startTime === null ? null : draft.startTime - npsClockAheadMs,
    endTime: draft.endTime - npsClockAheadMs,
    attributes: { ...draft.attributes, [ATTR.CLOCK_SHIFT_MS]: -npsClockAheadMs },
    reportsFailure: draft.reportsFailure,
  };
}
