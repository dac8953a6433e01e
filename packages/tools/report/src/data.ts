import { computerNameOf } from '@otptrace/model';
import type { AttemptRecord, Evidence, FleetStats, NormalizedEvent, Source, Summary } from '@otptrace/schemas';
import { isoToEpochMs } from '@otptrace/trace';
import { type FleetView, fleetViewOf } from './fleet.js';
import { attemptClockNote, describeDaServer, describeNpsClock } from './summary-lines.js';
import { type StageBar, stageBars } from './waterfall.js';

/** One attempt to show: its record, and its events when known (they give the exact spans of the waterfall). */
export interface ReportAttempt {
  readonly record: AttemptRecord;
  readonly events?: readonly NormalizedEvent[];
}

/** What a report shows: an analysis result (`analyze` in memory) or its JSON contract with `{record}` wrappers. */
export interface ReportInput {
  readonly attempts: readonly ReportAttempt[];
  readonly stats: FleetStats | FleetView;
  readonly summary?: Summary;
  readonly rejectedCount?: number;
  readonly coverage?: readonly Source[];
}

/** Presentation settings of a report or dashboard. */
export interface ReportOptions {
  /** Page title; default "otptrace report". */
  readonly title?: string;
  /** Trace viewer link per attempt, `{traceId}` replaced, e.g. `http://localhost:9411/zipkin/traces/{traceId}`. */
  readonly traceUrlTemplate?: string;
  /** When the report was made (ISO), shown in the header; the caller's clock, never read here. */
  readonly generatedAt?: string;
}

/**
 * An attempt as the browser receives it: a tuple with strings interned in `ReportData.strings` (a 50,000-attempt
 * report repeats host names, providers and titles hundreds of thousands of times). Indexes are -1 for null.
 * [id, traceId, user, startMs, endMs, outcome, failedStage, cause, errorCode, details, bars, evidence, hosts,
 *  clientAddress, closedBy, gatewayAmbiguous(0|1), servers]. `hosts` are the names the logs gave (client, DA server,
 *  NPS, CA), shown; `servers` are the DA server, NPS and CA as the fleet tables name them (`computerNameOf`), which the
 *  list's server filters and the tables' names match.
 */
export type CompactAttempt = [
  string,
  string,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number[],
  CompactBar[],
  CompactEvidence[],
  number[],
  number,
  number,
  number,
  number[],
];

/** A waterfall bar: [stage, name, startMs, endMs, failing(0|1), host, evidence indexes into the attempt's list]. */
export type CompactBar = [number, number, number, number, number, number, number[]];

/** Evidence: [source, eventId, computer, recordId, time (string index), provider, channel, summary]. */
export type CompactEvidence = [number, number, number, number, number, number, number, number];

/** Everything the page's script renders, embedded as JSON (the report) or fetched (the dashboard). */
export interface ReportData {
  readonly version: 1;
  readonly generatedAt: string | null;
  readonly fleet: FleetView;
  readonly coverage: readonly string[];
  readonly eventsRead: number | null;
  readonly rejectedCount: number;
  /**
   * How the times of each NPS server's log files were read (they hold local time with no offset), e.g.
   * `nps01: Europe/Berlin (configured)`, `nps02: UTC+00:00 (assumed UTC)`: a reader must know when times are a guess.
   */
  readonly npsLogClocks: readonly string[];
  /** What the IIS join learned of each DA server (`describeDaServer`): a clock to set right, where NPS knows it. */
  readonly daServers: readonly string[];
  /** Root causes by code index: [code, title, remediation] string indexes. */
  readonly causes: readonly [number, number, number][];
  readonly strings: readonly string[];
  readonly attempts: readonly CompactAttempt[];
}

/** Interns strings: each distinct string is stored once and referenced by index. */
class StringTable {
  readonly strings: string[] = [];
  private readonly index = new Map<string, number>();
  of(value: string | null | undefined): number {
    if (value === null || value === undefined) return -1;
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(value);
      this.index.set(value, i);
    }
    return i;
  }
}

/** The data of a report: attempts compacted, their waterfalls computed, the fleet view taken from the stats. */
export function buildReportData(input: ReportInput, options: ReportOptions = {}): ReportData {
  const table = new StringTable();
  const causes = new Map<string, [number, number, number]>();
  const attempts = input.attempts.map((a) => compactAttempt(a, table, causes));
  return {
    version: 1,
    generatedAt: options.generatedAt ?? null,
    fleet: fleetViewOf(input.stats),
    coverage: [...(input.coverage ?? [])],
    eventsRead: input.summary?.eventsRead ?? null,
    rejectedCount: input.rejectedCount ?? 0,
    npsLogClocks: Object.entries(input.summary?.npsLogClocks ?? {}).map(([server, clock]) =>
      describeNpsClock(server, clock),
    ),
    daServers: Object.entries(input.summary?.daServers ?? {}).map(([server, learned]) =>
      describeDaServer(server, learned),
    ),
    causes: [...causes.values()],
    strings: table.strings,
    attempts,
  };
}

function compactAttempt(
  attempt: ReportAttempt,
  table: StringTable,
  causes: Map<string, [number, number, number]>,
): CompactAttempt {
  const { record } = attempt;
  const cause = record.rootCause;
  if (cause !== null && !causes.has(cause.code)) {
    causes.set(cause.code, [table.of(cause.code), table.of(cause.title), table.of(cause.remediation)]);
  }
  const bars = stageBars(record, attempt.events);
  const startMs = isoToEpochMs(record.start);
  const endMs = isoToEpochMs(record.end);
  return [
    record.id,
    record.traceId,
    table.of(record.user),
    Math.min(startMs, ...bars.map((b) => b.startMs)),
    Math.max(endMs, ...bars.map((b) => b.endMs)),
    table.of(record.outcome),
    table.of(record.failedStage),
    table.of(cause?.code),
    table.of(errorCodeOf(record)),
    detailLines(record).flatMap(([label, text]) => [table.of(label), table.of(text)]),
    bars.map((b) => compactBar(b, record.evidence, table)),
    record.evidence.map((e) => compactEvidence(e, table)),
    [record.hosts.client, record.hosts.gateway, record.hosts.radius, record.hosts.ca].map((h) => table.of(h)),
    table.of(record.clientAddress),
    table.of(record.closedBy),
    record.gatewayAmbiguous ? 1 : 0,
    [record.hosts.gateway, record.hosts.radius, record.hosts.ca].map((h) => table.of(h ? computerNameOf(h) : null)),
  ];
}

function compactBar(bar: StageBar, evidence: readonly Evidence[], table: StringTable): CompactBar {
  const indexes = bar.evidence
    .map((ref) => evidence.findIndex((e) => e.computer === ref.computer && e.recordId === ref.recordId))
    .filter((i) => i >= 0);
  return [
    table.of(bar.stage),
    table.of(bar.name),
    bar.startMs,
    bar.endMs,
    bar.failing ? 1 : 0,
    table.of(bar.host),
    indexes,
  ];
}

function compactEvidence(e: Evidence, table: StringTable): CompactEvidence {
  return [
    table.of(e.source),
    e.eventId,
    table.of(e.computer),
    e.recordId,
    table.of(e.time),
    table.of(e.provider),
    table.of(e.channel),
    table.of(e.summary),
  ];
}

/** The short error code the failing bar carries: the CA's HRESULT symbol, the NPS reason, the client's error. */
export function errorCodeOf(record: AttemptRecord): string | null {
  if (record.outcome !== 'failure' && record.outcome !== 'incomplete') return null;
  const d = record.detail;
  if (record.failedStage === 'ca' && (d.caHresultSymbol ?? d.caHresult) !== null) {
    return [d.caHresult, d.caHresultSymbol].filter((x) => x !== null).join(' ');
  }
  if (record.failedStage === 'radius' && d.npsReasonCode !== null) return `NPS reason ${d.npsReasonCode}`;
  if (record.failedStage === 'gateway' && d.httpStatus !== null && d.httpStatus >= 400) return `HTTP ${d.httpStatus}`;
  if (d.clientErrorCode !== null) return `client ${d.clientEventId ?? ''} ${d.clientErrorCode}`.replace('  ', ' ');
  return record.rootCause?.code ?? null;
}

/** The failure details as labelled lines, only those the logs gave. */
export function detailLines(record: AttemptRecord): [string, string][] {
  const d = record.detail;
  const lines: [string, string | null][] = [
    ['NPS reason', d.npsReasonCode === null ? null : `${d.npsReasonCode} ${d.npsReason ?? ''}`.trim()],
    ['CA result', d.caHresult === null ? null : `${d.caHresult} ${d.caHresultSymbol ?? ''}`.trim()],
    ['Client event', d.clientEventId === null ? null : `${d.clientEventId} ${d.clientErrorCode ?? ''}`.trim()],
    ['HTTP status', d.httpStatus === null ? null : String(d.httpStatus)],
    // What the logs read cannot rule out (a log that would decide is missing).
    ['Also possible', record.rootCause?.alsoPossible?.join(', ') || null],
    ['Clocks', attemptClockNote(record.npsClockAheadMs)],
  ];
  return lines.filter((line): line is [string, string] => line[1] !== null);
}
