import type { AttemptRecord, NormalizedEvent } from '@otptrace/schemas';
import { ATTR, OTP_FAILURE_EVENT, SPAN_NAMES } from '@otptrace/schemas/vocabulary';
import { collectDrafts } from './collect.js';
import type { StageDraft } from './drafts.js';
import { byTime } from './drafts.js';
import { addEventEvidence, addEvidence, compact } from './evidence.js';
import { spanIdFor } from './ids.js';
import type { PlacedDraft } from './place.js';
import { placeDrafts } from './place.js';
import { sortSmall } from './sort.js';
import type { Attributes, SpanData, SpanEventData, SpanStatusData } from './span-data.js';
import { isoToEpochMs } from './time.js';

/** The fallback `error.type` of the semantic conventions, for a failure without a root-cause code. */
const OTHER_ERROR_TYPE = '_OTHER';

/**
 * One OTP attempt as one trace: the attempt span (root) and one child span per stage occurrence, in the order the
 * stages happened, with the events' own times. The failing span carries status ERROR, `error.type` and an
 * `otp.failure` event with the error details. Pure: IDs derive from `record.traceId` and each span's first event.
 */
export function toSpans(record: AttemptRecord, events: readonly NormalizedEvent[]): SpanData[] {
  const placed = placeDrafts(collectDrafts(events, record.npsClockAheadMs ?? 0));
  const failing = record.outcome === 'failure' ? failingDraft(record, placed) : undefined;
  // Each draft's events in time order, and its span ID, by the draft's index (a handful: no maps).
  // Loops and push rather than map/findIndex: see collectDrafts (the elements kinds of their results vary).
  const sortedEvents: NormalizedEvent[][] = [];
  const ids: string[] = [];
  for (const p of placed) {
    const sorted: NormalizedEvent[] = [];
    for (const event of p.draft.events) sorted.push(event);
    sortSmall(sorted, byTime);
    sortedEvents.push(sorted);
    ids.push(spanIdFor(record.traceId, `${p.draft.stage}:${p.draft.firstEventId}`));
  }
  const idOf = (draft: StageDraft) => {
    let i = 0;
    while (placed[i]!.draft !== draft) i++;
    return ids[i]!;
  };
  const rootId = spanIdFor(record.traceId, 'root');
  const stageSpans: SpanData[] = [];
  for (let i = 0; i < placed.length; i++) {
    const p = placed[i]!;
    stageSpans.push(
      stageSpan(record, p, sortedEvents[i]!, {
        spanId: ids[i]!,
        parentSpanId: p.parent === null ? rootId : idOf(p.parent),
        failing: p.draft === failing,
      }),
    );
  }
  sortSmall(stageSpans, (a, b) => a.startTime - b.startTime || b.endTime - a.endTime);
  const spans = [rootSpan(record, rootId, stageSpans)];
  for (const span of stageSpans) spans.push(span);
  return spans;
}

/**
 * The span that shows the failure: the failed stage's span whose own log reports the failure (the last one if
 * several), else the failed stage's last span. When the failed stage logged nothing (e.g. NPS never answered),
 * the last span whose log reports a failure, which is the step that noticed it; `otp.failure.stage` on it still
 * names the stage the diagnosis blames.
 */
function failingDraft(record: AttemptRecord, placed: readonly PlacedDraft[]): StageDraft | undefined {
  const drafts: StageDraft[] = [];
  for (const p of placed) drafts.push(p.draft);
  sortSmall(drafts, (a, b) => a.endTime - b.endTime);
  // The last (by end) of each kind, in one loop: no filter arrays (see collectDrafts).
  let lastOfStageReporting: StageDraft | undefined;
  let lastOfStage: StageDraft | undefined;
  let lastReporting: StageDraft | undefined;
  for (const d of drafts) {
    if (d.stage === record.failedStage) {
      lastOfStage = d;
      if (d.reportsFailure) lastOfStageReporting = d;
    }
    if (d.reportsFailure) lastReporting = d;
  }
  return lastOfStageReporting ?? lastOfStage ?? lastReporting;
}

interface Identity {
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly failing: boolean;
}

function stageSpan(
  record: AttemptRecord,
  place: PlacedDraft,
  sortedEvents: readonly NormalizedEvent[],
  identity: Identity,
): SpanData {
  const { draft } = place;
  // Assigned in the order a spread literal would: the keys come out in the same order (one span per stage, so no
  // spread of dictionaries here).
  const attributes: Attributes = Object.assign({ [ATTR.STAGE]: draft.stage }, draft.attributes);
  attributes[ATTR.SYNTHETIC_START] = place.startFrom !== 'logged';
  attributes[ATTR.START_FROM] = place.startFrom;
  addEventEvidence(attributes, sortedEvents);
  if (identity.failing) addFailureAttributes(attributes, record);
  return {
    traceId: record.traceId,
    spanId: identity.spanId,
    parentSpanId: identity.parentSpanId,
    role: draft.stage,
    name: draft.name,
    kind: draft.kind,
    startTime: place.startTime,
    endTime: draft.endTime,
    attributes,
    status: identity.failing ? failureStatus(record) : UNSET,
    events: identity.failing ? [failureEvent(record, draft.endTime)] : [],
    host: draft.host,
  };
}

const UNSET: SpanStatusData = Object.freeze({ code: 'unset', message: null });

function failureStatus(record: AttemptRecord): SpanStatusData {
  return { code: 'error', message: record.rootCause?.title ?? 'OTP attempt failed' };
}

function addFailureAttributes(attributes: Attributes, record: AttemptRecord): void {
  attributes[ATTR.ERROR_TYPE] = record.rootCause?.code ?? OTHER_ERROR_TYPE;
  if (record.failedStage !== null && record.failedStage !== undefined)
    attributes[ATTR.FAILED_STAGE] = record.failedStage;
}

/** The error details as a span event (not an exception event: a denial is not an exception). */
function failureEvent(record: AttemptRecord, time: number): SpanEventData {
  const { detail } = record;
  return {
    name: OTP_FAILURE_EVENT,
    time,
    attributes: compact({
      [ATTR.NPS_REASON_CODE]: detail.npsReasonCode,
      [ATTR.NPS_REASON]: detail.npsReason,
      [ATTR.CA_HRESULT]: detail.caHresult,
      [ATTR.CA_HRESULT_SYMBOL]: detail.caHresultSymbol,
      [ATTR.CLIENT_EVENT_ID]: detail.clientEventId,
      [ATTR.CLIENT_ERROR_CODE]: detail.clientErrorCode,
      // An HTTP 200 is no error detail: DA answers AuthenticationError inside a 200 (docs/windows-events.md §4 row 2).
      [ATTR.HTTP_RESPONSE_STATUS_CODE]:
        detail.httpStatus !== null && detail.httpStatus >= 400 ? detail.httpStatus : null,
    }),
  };
}

/** Sets an attribute unless its value is absent (OTLP has no null attribute). */
function put(attributes: Attributes, name: string, value: string | number | boolean | null | undefined): void {
  if (value !== null && value !== undefined) attributes[name] = value;
}

/** The attempt span: it covers the attempt's own start and end and every stage span. */
function rootSpan(record: AttemptRecord, spanId: string, children: readonly SpanData[]): SpanData {
  let startTime = isoToEpochMs(record.start);
  let endTime = isoToEpochMs(record.end);
  for (const c of children) {
    if (Number.isFinite(c.startTime) && !(c.startTime >= startTime)) startTime = c.startTime;
    if (Number.isFinite(c.endTime) && !(c.endTime <= endTime)) endTime = c.endTime;
  }
  if (!Number.isFinite(startTime) || !Number.isFinite(endTime))
    throw new Error(`attempt ${record.id}: start/end are not ISO times`);
  const failed = record.outcome === 'failure';
  // Set one by one, skipping the absent: an object literal of fourteen computed keys, copied without its nulls, took
  // 5 % of toSpans (bench/README.md, session 25).
  const attributes: Attributes = {};
  put(attributes, ATTR.ENDUSER_ID, record.user);
  put(attributes, ATTR.ATTEMPT_ID, record.id);
  put(attributes, ATTR.ATTEMPT_OUTCOME, record.outcome);
  put(attributes, ATTR.ATTEMPT_CLOSED_BY, record.closedBy);
  put(attributes, ATTR.ATTEMPT_GATEWAY_AMBIGUOUS, record.gatewayAmbiguous);
  put(attributes, ATTR.CLIENT_ADDRESS, record.clientAddress);
  put(attributes, ATTR.ROOT_CAUSE_CODE, record.rootCause?.code);
  put(attributes, ATTR.ROOT_CAUSE_TITLE, record.rootCause?.title);
  put(attributes, ATTR.ROOT_CAUSE_REMEDIATION, record.rootCause?.remediation);
  const alsoPossible = record.rootCause?.alsoPossible;
  if (alsoPossible !== undefined && alsoPossible.length > 0)
    attributes[ATTR.ROOT_CAUSE_ALSO_POSSIBLE] = [...alsoPossible];
  put(attributes, ATTR.HOST_CLIENT, record.hosts.client);
  put(attributes, ATTR.HOST_GATEWAY, record.hosts.gateway);
  put(attributes, ATTR.HOST_RADIUS, record.hosts.radius);
  put(attributes, ATTR.HOST_CA, record.hosts.ca);
  attributes[ATTR.SYNTHETIC_START] = false;
  if (failed) addFailureAttributes(attributes, record);
  addEvidence(attributes, record.evidence);
  return {
    traceId: record.traceId,
    spanId,
    parentSpanId: null,
    role: 'attempt',
    name: SPAN_NAMES.attempt,
    // The attempt is the client's request through the DA server, NPS and the CA: a client span, so that trace UIs
    // draw the client → DA server → NPS and client → CA calls (Zipkin's dependency graph links server spans to their
    // nearest client or server ancestor).
    kind: 'client',
    startTime,
    endTime,
    attributes,
    status: failed ? failureStatus(record) : UNSET,
    events: [],
    host: record.hosts.client,
  };
}
