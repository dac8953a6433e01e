import {
  type ClosedAttempt,
  CorrelationEngine,
  type Drop,
  type EngineConfig,
  isSharedEvent,
  type LearnedServer,
  reorderDelayOf,
} from '@otptrace/correlate';
import { diagnose, withReuseFindings } from '@otptrace/diagnose';
import type { DropReason } from '@otptrace/model';
import { dropBucket } from '@otptrace/model';
import { createNormalizeContext, type NormalizeContext, settleTextLogs, userWindowMs } from '@otptrace/normalize';
import type { AnalysisConfig, AttemptRecord, NormalizedEvent, Rejection, Source, Summary } from '@otptrace/schemas';
import { OUTCOMES, SOURCES } from '@otptrace/schemas/vocabulary';
import { emptyIngested, type IngestedFile, type IngestItem, tallyItems } from './ingest.js';
import { toAttemptRecord, withFindings } from './record.js';

/** An attempt with its verdict, and the events behind it (for traces). */
export interface AnalyzedAttempt {
  readonly record: AttemptRecord;
  readonly events: readonly NormalizedEvent[];
}

/** The result of an offline analysis: the JSON contract's three parts, plus the events of each attempt. */
export interface AnalysisResult {
  readonly attempts: readonly AnalyzedAttempt[];
  readonly summary: Summary;
  readonly rejected: readonly Rejection[];
  readonly coverage: readonly Source[];
}

/** Engine settings from the analysis configuration; `stream` decides whether events are reordered first. */
export function engineConfigOf(config: AnalysisConfig, ctx: NormalizeContext, mode: 'sorted' | 'stream'): EngineConfig {
  return {
    clockSkewToleranceMs: config.clockSkewToleranceMs,
    attemptGapMs: config.attemptGapMs,
    stageTimeoutMs: config.stageTimeoutMs,
    gatewayJoinSlackMs: config.gatewayJoinSlackMs,
    radiusTimeoutMs: config.radiusTimeoutMs,
    otpTemplate: ctx.otpTemplate,
    isProbe: (key) => ctx.identity.isProbe(key),
    reorderDelayMs: reorderDelayOf(mode, config.clockSkewToleranceMs),
    nonOtpAuthenticationTypes: new Set(config.nonOtpRadiusAuthenticationTypes.map((t) => t.toLowerCase())),
    signingRequestWindowMs: config.signingRequestWindowMs,
    daServerAddresses: config.daServerAddresses,
  };
}

/**
 * Events in the attempts, each counted once: an event the engine lets several attempts share (an NPS 4402 is evidence
 * for every denial it explains) is counted by object, not by id (a cleared log restarts EventRecordID).
 */
function countCorrelated(attempts: readonly AnalyzedAttempt[]): number {
  const shared = new Set<NormalizedEvent>();
  let own = 0;
  for (const a of attempts) {
    for (const e of a.events) {
      if (isSharedEvent(e)) shared.add(e);
      else own++;
    }
  }
  return own + shared.size;
}

/** ④⑤ Diagnose a closed attempt and shape it as the contract says (shared by analyze and the correlator). */
export function finishAttempt(
  a: ClosedAttempt,
  coverage: ReadonlySet<Source>,
  config?: Pick<AnalysisConfig, 'radiusTimeoutMs'>,
): AnalyzedAttempt {
  const options = config === undefined ? {} : { radiusTimeoutMs: config.radiusTimeoutMs };
  return { record: toAttemptRecord(a, diagnose(a, coverage, undefined, options)), events: a.events };
}

/** The sources an analysis may count on: configured, or (auto) those that appear in the input. */
export function coverageOf(config: AnalysisConfig, seen: Iterable<Source>): Set<Source> {
  return new Set(config.sources === 'auto' ? seen : config.sources);
}

/**
 * Offline analysis: take every ingest item of every file (any order), then correlate the relevant events in
 * event-time order. Memory holds the relevant events only (a few percent of a Security log), never the raw input.
 */
export class OfflineAnalysis {
  readonly context: NormalizeContext;
  private readonly events: NormalizedEvent[] = [];
  private readonly rejected: Rejection[] = [];
  private readonly ignoredBy = new Map<DropReason, number>();
  private read = 0;
  private ignored = 0;
  private rejectedCount = 0;

  /** `referenceTime`: the clock of the run, for the future bound on event times (none when omitted). */
  constructor(
    private readonly config: AnalysisConfig,
    referenceTime?: number,
  ) {
    this.context = createNormalizeContext(config, referenceTime);
  }

  /** Account for, and keep the events of, one file's ingest items. */
  add(file: string, items: Iterable<IngestItem>): void {
    this.addIngested(file, tallyItems(emptyIngested(), items));
  }

  /**
   * Account for one file ingested elsewhere (a worker thread): its kept events and rejections, and its ignored events
   * as counts by reason (so the unrelated bulk never crosses threads).
   */
  addIngested(file: string, part: Readonly<Pick<IngestedFile, 'events' | 'rejected' | 'ignoredBy'>>): void {
    for (const e of part.events) this.events.push(e);
    for (const r of part.rejected) this.reject({ file, ...r });
    for (const [reason, n] of Object.entries(part.ignoredBy)) {
      this.ignored += n;
      this.ignoredBy.set(reason as DropReason, (this.ignoredBy.get(reason as DropReason) ?? 0) + n);
    }
    this.read += part.events.length + part.rejected.length + Object.values(part.ignoredBy).reduce((a, b) => a + b, 0);
  }

  /** Correlate, diagnose and summarise. */
  finish(): AnalysisResult {
    // Text logs: NPS log-file times get the configured or learned offset; records repeating an event-log record go.
    const clocks = settleTextLogs(this.events, userWindowMs(this.config.clockSkewToleranceMs));
    if (clocks.duplicates > 0) {
      this.events.length = 0;
      for (const e of clocks.events) this.events.push(e);
      for (let i = 0; i < clocks.duplicates; i++) this.countIgnored('duplicate_event');
    } else if (Object.keys(clocks.clocks).length > 0) {
      for (let i = 0; i < clocks.events.length; i++) this.events[i] = clocks.events[i]!;
    }
    // A loop rather than map: no array of every event's source (one per relevant event) just to fill a set.
    const seen = new Set<Source>();
    for (let i = 0; i < this.events.length; i++) seen.add(this.events[i]!.source);
    const coverage = coverageOf(this.config, seen);
    this.events.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const engine = new CorrelationEngine(engineConfigOf(this.config, this.context, 'sorted'));
    const closed: ClosedAttempt[] = [];
    const onOutput = (out: { attempts: ClosedAttempt[]; drops: Drop[] }): void => {
      for (const a of out.attempts) closed.push(a); // a spread overflows the stack on a flush of ~120,000 attempts
      for (const d of out.drops) this.drop(d);
    };
    for (const e of this.events) {
      engine.add(e);
      onOutput(engine.advance(e.time));
    }
    onOutput(engine.flush());
    // In report order first: the reuse rule then walks them as they stand (its own sort by start finds them sorted),
    // and an attempt whose record it keeps is not copied.
    const finished = closed.map((a) => finishAttempt(a, coverage, this.config)).sort(byStartThenUser);
    // A success the same user had to repeat from the same computer: its certificate did not log them on.
    const records = withReuseFindings(
      finished.map((a) => a.record),
      this.config.certificateValidityMs,
      withFindings,
    );
    const attempts = finished.map((a, i) => (records[i] === a.record ? a : { ...a, record: records[i]! }));
    const correlated = countCorrelated(attempts);
    const byOutcome: Record<string, number> = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
    for (const a of attempts) byOutcome[a.record.outcome] = (byOutcome[a.record.outcome] ?? 0) + 1;
    const summary: Summary = {
      eventsRead: this.read,
      eventsCorrelated: correlated,
      eventsIgnored: this.ignored,
      eventsRejected: this.rejectedCount,
      attempts: byOutcome,
      ignoredBy: Object.fromEntries([...this.ignoredBy].sort()),
      ...(Object.keys(clocks.clocks).length > 0 ? { npsLogClocks: clocks.clocks } : {}),
      ...daServersOf(engine.learnedServers()),
    };
    if (summary.eventsRead !== summary.eventsCorrelated + summary.eventsIgnored + summary.eventsRejected) {
      // A broken invariant is a bug in otptrace, not bad input.
      throw new Error(`event accounting does not add up: ${JSON.stringify(summary)}`);
    }
    return { attempts, summary, rejected: this.rejected, coverage: SOURCES.filter((s) => coverage.has(s)) };
  }

  private drop(d: Drop): void {
    if (dropBucket(d.reason) === 'ignored') this.countIgnored(d.reason);
    else
      this.reject({
        file: `${d.event.ref.computer}/${d.event.ref.channel}`,
        position: d.event.ref.recordId,
        reason: `${d.event.ref.provider} ${d.event.ref.eventId} record ${d.event.ref.recordId}: ${d.reason}`,
        code: d.reason,
      });
  }

  private countIgnored(reason: DropReason): void {
    this.ignored++;
    this.ignoredBy.set(reason, (this.ignoredBy.get(reason) ?? 0) + 1);
  }

  private reject(r: Rejection): void {
    this.rejectedCount++;
    this.rejected.push(r);
  }
}

/** The report's order: by start, then by user (ISO times of one format compare as text). */
function byStartThenUser(x: AnalyzedAttempt, y: AnalyzedAttempt): number {
  const a = x.record;
  const b = y.record;
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  return a.user < b.user ? -1 : a.user > b.user ? 1 : 0;
}

/** The summary's `daServers`: what the IIS join learned of each DA server, when anything. */
function daServersOf(learned: readonly LearnedServer[]): Pick<Summary, 'daServers'> {
  const daServers: NonNullable<Summary['daServers']> = {};
  for (const { server, offsetMs, radiusClients } of learned)
    if (offsetMs !== 0 || radiusClients.length > 0)
      daServers[server] = {
        ...(offsetMs !== 0 ? { npsClockAheadMs: offsetMs } : {}),
        ...(radiusClients.length > 0 ? { radiusClients: [...radiusClients] } : {}),
      };
  return Object.keys(daServers).length === 0 ? {} : { daServers };
}
