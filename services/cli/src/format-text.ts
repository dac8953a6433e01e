import { rootCauseEntry } from '@otptrace/model';
import type { AnalysisResult } from '@otptrace/pipeline';
import { attemptClockNote, describeDaServer, describeNpsClock } from '@otptrace/report/summary-lines';
import type { AttemptRecord } from '@otptrace/schemas';
import { formatFleetStats, summarizeAttempts } from '@otptrace/stats';

/** What the text report shows of the attempts found. */
export interface TextOptions {
  /** The attempts selected (default: all). */
  readonly shown?: AnalysisResult['attempts'];
  /** Show the DA server's RADIUS probes in the timeline (hidden by default; the summary counts them either way). */
  readonly probes?: boolean;
  readonly maxRejected?: number;
}

/**
 * Attempts whose timelines make one piece of `textReport`: a piece stays well under the 128 KB above which V8 puts a
 * string in the large-object space, which only a full garbage collection frees (the `→` of every header makes the
 * text two bytes a character).
 */
export const TEXT_BATCH = 32;

/** The readable report: one timeline per attempt shown, then the summary (of the whole input) and what was rejected. */
export function formatText(result: AnalysisResult, options: TextOptions = {}): string {
  return [...textReport(result, options)].join('');
}

/**
 * `formatText`'s text in pieces of at most TEXT_BATCH timelines, then the summary: a fleet's report (tens of MB) is
 * written as it is made, never held whole (the default format of `analyze` took 85 MB more than JSON on a fleet day).
 */
export function* textReport(result: AnalysisResult, options: TextOptions = {}): Generator<string> {
  const { shown = result.attempts, probes = false, maxRejected = 20 } = options;
  const timeline = probes ? shown : shown.filter((a) => a.record.outcome !== 'probe');
  for (let at = 0; at < timeline.length; at += TEXT_BATCH) {
    const lines: string[] = [];
    const end = Math.min(at + TEXT_BATCH, timeline.length);
    // Each timeline is followed by an empty line.
    for (let i = at; i < end; i++) lines.push(...attemptLines(timeline[i]!.record, i + 1), '');
    yield `${lines.join('\n')}\n`;
  }
  const lines: string[] = [];
  const s = result.summary;
  lines.push('Summary');
  lines.push(
    `  events read ${s.eventsRead}: correlated ${s.eventsCorrelated}, ignored ${s.eventsIgnored}, rejected ${s.eventsRejected}`,
  );
  lines.push(
    `  attempts: ${Object.entries(s.attempts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  // NPS log files write local time with no offset: say which offset was used for each NPS server (issue 13).
  for (const [server, clock] of Object.entries(s.npsLogClocks ?? {}))
    lines.push(`  NPS log times of ${describeNpsClock(server, clock)}`);
  // What the IIS join learned of the DA servers: a clock to set right, the addresses NPS knows them at.
  for (const [server, learned] of Object.entries(s.daServers ?? {}))
    lines.push(`  DA server ${describeDaServer(server, learned)}`);
  const causes = new Map<string, number>();
  for (const a of result.attempts) {
    const r = a.record;
    if (r.rootCause !== null)
      causes.set(
        `${r.failedStage ?? '-'} / ${r.rootCause.code}`,
        (causes.get(`${r.failedStage ?? '-'} / ${r.rootCause.code}`) ?? 0) + 1,
      );
  }
  if (causes.size > 0) {
    lines.push('  failures by stage / root cause:');
    for (const [k, v] of [...causes].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)))
      lines.push(`    ${String(v).padStart(6)}  ${k}`);
  }
  lines.push(`  sources in the input: ${result.coverage.join(', ') || 'none'}`);
  if (shown.length !== result.attempts.length)
    lines.push(`  attempts shown: ${shown.length} of ${result.attempts.length} (--user, --outcome, ... select them)`);
  const hidden = shown.length - timeline.length;
  if (hidden > 0) lines.push(`  probes not in the timeline: ${hidden} (--probes shows them)`);
  if (result.attempts.length > 0)
    lines.push('', formatFleetStats(summarizeAttempts(result.attempts.map((a) => a.record))).trimEnd());
  if (result.rejected.length > 0) {
    lines.push(
      '',
      `Rejected input (${result.rejected.length}${result.rejected.length > maxRejected ? `, first ${maxRejected}` : ''}):`,
    );
    for (const r of result.rejected.slice(0, maxRejected))
      lines.push(`  ${r.file}@${r.position}  [${r.code}] ${r.reason}`);
  }
  yield `${lines.join('\n')}\n`;
}

/**
 * A cause the logs read cannot rule out, as `analyze` (per attempt) and `stats --tickets` (per ticket) print it: its
 * code, why it stands (`basis`) and its title, so that both read alike.
 */
export function alsoPossible(code: string, basis: string): string {
  return `${code} (${basis}): ${rootCauseEntry(code)?.title ?? ''}`;
}

function attemptLines(r: AttemptRecord, n: number): string[] {
  const verdict = r.outcome === 'failure' ? `FAILURE at ${r.failedStage ?? '?'}` : r.outcome.toUpperCase();
  const out = [`#${n}  ${r.user}  ${verdict}  ${r.start} → ${r.end}  trace ${r.traceId}`];
  if (r.rootCause !== null) {
    out.push(`    cause: ${r.rootCause.code}: ${r.rootCause.title}`);
    out.push(`    fix:   ${r.rootCause.remediation}`);
    // What the logs read cannot rule out (a log that would decide is missing).
    for (const code of r.rootCause.alsoPossible ?? [])
      out.push(`    or:    ${alsoPossible(code, 'the logs read do not rule it out')}`);
  }
  if (r.gatewayAmbiguous)
    out.push("    note:  an IIS request on the DA server overlapped another user's attempt and was not attributed");
  const clocks = attemptClockNote(r.npsClockAheadMs);
  if (clocks !== null) out.push(`    clock: ${clocks}`);
  // Findings beside the verdict (issue 13), e.g. a success whose certificate did not log the user on.
  for (const code of r.findings ?? []) out.push(`    finding: ${code}: ${rootCauseEntry(code)?.title ?? ''}`);
  for (const e of r.evidence) {
    out.push(
      `    ${e.time.slice(11, 23)}  ${e.source.padEnd(7)} ${e.summary}  [${e.computer} ${e.channel} #${e.recordId}]`,
    );
  }
  return out;
}
