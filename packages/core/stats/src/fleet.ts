import { rootCauseEntry } from '@otptrace/model';
import type { AttemptRecord, FleetStats, OutcomeCounts, StatsRow } from '@otptrace/schemas';
import { bucketStart, countOutcome, emptyCounts } from './counts.js';
import type { AttemptFact } from './facts.js';
import { distinctFacts } from './report.js';
import { emptySketch, recordLatency, summarizeSketch } from './sketch.js';

/** How many users and causes the summary lists. */
export interface FleetStatsOptions {
  topUsers?: number;
}

/** Every fleet statistic at once over a set of attempts: what `otptrace analyze` prints in its summary. */
export function summarizeAttempts(attempts: readonly AttemptRecord[], options: FleetStatsOptions = {}): FleetStats {
  const facts = distinctFacts(attempts);
  const totals = emptyCounts();
  const byStage: Record<string, number> = {};
  const causes = new Map<string, { code: string; title: string; count: number }>();
  const hosts = { gateway: {}, radius: {}, ca: {}, subnet: {} } as Record<HostRole, Record<string, OutcomeCounts>>;
  // By hour number: the bucket's ISO text is made once per hour, not once per attempt.
  const hourly = new Map<number, StatsRow>();
  const failuresByUser = new Map<string, number>();
  const sketches = { radius: emptySketch(), ca: emptySketch(), endToEnd: emptySketch() };
  // In the loop, not Math.min(...list): a spread passes every element on the stack, which overflows at ~120,000.
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const fact of facts) {
    if (fact.startMs < from) from = fact.startMs;
    if (fact.endMs > to) to = fact.endMs;
    countOutcome(totals, fact.outcome);
    countHosts(hosts, fact);
    const hour = Math.floor(fact.startMs / HOUR_MS);
    let row = hourly.get(hour);
    if (row === undefined) {
      row = { bucket: bucketStart(fact.startMs, 'hour'), key: 'all', ...emptyCounts() };
      hourly.set(hour, row);
    }
    countOutcome(row, fact.outcome);
    if (fact.outcome === 'probe') continue;
    if (fact.failedStage !== null) byStage[fact.failedStage] = (byStage[fact.failedStage] ?? 0) + 1;
    if (fact.rootCause !== null) {
      const title = rootCauseEntry(fact.rootCause)?.title ?? fact.rootCause;
      const cause = causes.get(fact.rootCause) ?? { code: fact.rootCause, title, count: 0 };
      causes.set(fact.rootCause, cause);
      cause.count += 1;
    }
    if (fact.outcome === 'failure') failuresByUser.set(fact.user, (failuresByUser.get(fact.user) ?? 0) + 1);
    if (fact.radiusMs !== null) recordLatency(sketches.radius, fact.radiusMs);
    if (fact.caMs !== null) recordLatency(sketches.ca, fact.caMs);
    if (fact.endToEndMs !== null) recordLatency(sketches.endToEnd, fact.endToEndMs);
  }
  return {
    from: facts.length === 0 ? null : new Date(from).toISOString(),
    to: facts.length === 0 ? null : new Date(to).toISOString(),
    totals,
    byStage,
    byCause: [...causes.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    byFinding: countFindings(attempts),
    byGateway: hosts.gateway,
    byRadius: hosts.radius,
    byCa: hosts.ca,
    bySubnet: hosts.subnet,
    hourly: [...hourly.values()].sort((a, b) => (a.bucket ?? '').localeCompare(b.bucket ?? '')),
    latencies: {
      radius: summarizeSketch(sketches.radius),
      ca: summarizeSketch(sketches.ca),
      endToEnd: summarizeSketch(sketches.endToEnd),
    },
    topFailingUsers: [...failuresByUser.entries()]
      .map(([user, failures]) => ({ user, failures }))
      .sort((a, b) => b.failures - a.failures || a.user.localeCompare(b.user))
      .slice(0, options.topUsers ?? 10),
  };
}

const HOUR_MS = 3_600_000;

/** Findings of distinct attempts (an attempt given twice counts once), by code, most frequent first. */
function countFindings(attempts: readonly AttemptRecord[]): FleetStats['byFinding'] {
  const seen = new Set<string>();
  const counts = new Map<string, { code: string; title: string; count: number }>();
  for (const a of attempts) {
    if (seen.has(a.id)) continue;
    seen.add(a.id);
    for (const code of a.findings ?? []) {
      const row = counts.get(code) ?? { code, title: rootCauseEntry(code)?.title ?? code, count: 0 };
      counts.set(code, row);
      row.count += 1;
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

type HostRole = 'gateway' | 'radius' | 'ca' | 'subnet';

function countHosts(hosts: Record<HostRole, Record<string, OutcomeCounts>>, fact: AttemptFact): void {
  for (const role of ['gateway', 'radius', 'ca', 'subnet'] as const) {
    const name = fact[role];
    if (name === null) continue;
    const counts = hosts[role][name] ?? emptyCounts();
    hosts[role][name] = counts;
    countOutcome(counts, fact.outcome);
  }
}
