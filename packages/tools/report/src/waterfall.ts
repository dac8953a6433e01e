import type { AttemptRecord, Evidence, NormalizedEvent, Stage } from '@otptrace/schemas';
import { ATTR, SPAN_NAMES } from '@otptrace/schemas/vocabulary';
import { isoToEpochMs, type SpanData, toSpans } from '@otptrace/trace';

/** One bar of an attempt's waterfall: a stage occurrence on the time axis, with the log records behind it. */
export interface StageBar {
  readonly stage: Stage;
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  /** The bar that shows the failure (red, with the error code). */
  readonly failing: boolean;
  readonly host: string | null;
  readonly evidence: readonly { computer: string; recordId: number }[];
}

/**
 * The waterfall of an attempt. With its events, the bars are the trace's stage spans (exact starts, e.g. an IIS
 * request's start from its time-taken); from the JSON contract alone, one bar per stage spanning its evidence.
 */
export function stageBars(record: AttemptRecord, events?: readonly NormalizedEvent[]): StageBar[] {
  if (events !== undefined && events.length > 0) return toSpans(record, events).slice(1).map(barOfSpan);
  return barsFromEvidence(record);
}

function barOfSpan(span: SpanData): StageBar {
  const computers = span.attributes[ATTR.EVIDENCE_COMPUTER];
  const recordIds = span.attributes[ATTR.EVIDENCE_RECORD_ID];
  const evidence = Array.isArray(computers)
    ? computers.map((computer, i) => ({ computer: String(computer), recordId: Number(recordIds?.[i as never]) }))
    : [];
  return {
    stage: span.role as Stage,
    name: span.name,
    startMs: span.startTime,
    endMs: span.endTime,
    failing: span.status.code === 'error',
    host: span.host,
    evidence,
  };
}

/** One bar per stage, from its first to its last evidence record, in the order the stages first appear. */
function barsFromEvidence(record: AttemptRecord): StageBar[] {
  const byStage = new Map<Stage, Evidence[]>();
  const sorted = [...record.evidence].sort((a, b) => isoToEpochMs(a.time) - isoToEpochMs(b.time));
  for (const e of sorted) {
    const list = byStage.get(e.source);
    if (list === undefined) byStage.set(e.source, [e]);
    else list.push(e);
  }
  return [...byStage.entries()].map(([stage, evidence]) => {
    return {
      stage,
      name: stage === 'gateway' ? 'IIS OTP request' : SPAN_NAMES[stage],
      // Sorted by time above: the first and the last are the bar's ends.
      startMs: isoToEpochMs(evidence[0]!.time),
      endMs: isoToEpochMs(evidence[evidence.length - 1]!.time),
      failing: record.outcome === 'failure' && record.failedStage === stage,
      host: record.hosts[stage],
      evidence: evidence.map((e) => ({ computer: e.computer, recordId: e.recordId })),
    };
  });
}
