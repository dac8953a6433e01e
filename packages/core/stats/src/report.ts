import type { AttemptRecord, StatsGrouping, StatsQuery, StatsReport, StatsRow } from '@otptrace/schemas';
import { bucketStart, compareRows, countOutcome, emptyCounts } from './counts.js';
import { type AttemptFact, attemptFact } from './facts.js';
import { emptySketch, recordLatency, summarizeSketch } from './sketch.js';

/** Value of an attempt for a grouping; `(none)` when the attempt does not have one (e.g. the CA of a RADIUS failure). */
export function groupKey(fact: AttemptFact, by: StatsGrouping): string {
  const value: string | null = {
    outcome: fact.outcome,
    stage: fact.failedStage,
    cause: fact.rootCause,
    gateway: fact.gateway,
    radius: fact.radius,
    ca: fact.ca,
    subnet: fact.subnet,
    user: fact.user,
  }[by];
  return value ?? '(none)';
}

/** Facts of distinct attempts (the first of each attempt ID wins, so a replayed attempt counts once). */
export function distinctFacts(attempts: readonly AttemptRecord[]): AttemptFact[] {
  const byId = new Map<string, AttemptFact>();
  for (const attempt of attempts) if (!byId.has(attempt.id)) byId.set(attempt.id, attemptFact(attempt));
  return [...byId.values()];
}

/**
 * Answer a statistics query in memory over attempts (the same answer PostgreSQL gives over the stored facts). The
 * query is checked where it comes in (`statsQuerySchema`, in the command and the API), not here.
 */
export function statsReport(attempts: readonly AttemptRecord[], query: StatsQuery): StatsReport {
  return statsReportFromFacts(distinctFacts(attempts), query);
}

/** `statsReport` over already-flattened, distinct facts. */
export function statsReportFromFacts(facts: readonly AttemptFact[], query: StatsQuery): StatsReport {
  const fromMs = query.from === null ? Number.NEGATIVE_INFINITY : Date.parse(query.from);
  const toMs = query.to === null ? Number.POSITIVE_INFINITY : Date.parse(query.to);
  const inRange = facts.filter((f) => f.startMs >= fromMs && f.startMs < toMs);
  const rows = new Map<string, StatsRow>();
  const totals = emptyCounts();
  const sketches = { radius: emptySketch(), ca: emptySketch(), endToEnd: emptySketch() };
  for (const fact of inRange) {
    const bucket = query.bucket === null ? null : bucketStart(fact.startMs, query.bucket);
    const key = groupKey(fact, query.by);
    const id = `${bucket ?? ''}\u0000${key}`;
    const row = rows.get(id) ?? { bucket, key, ...emptyCounts() };
    rows.set(id, row);
    countOutcome(row, fact.outcome);
    countOutcome(totals, fact.outcome);
    // Probes are the DA server's health checks, not users: their timings stay out of the users' latencies.
    if (fact.outcome === 'probe') continue;
    if (fact.radiusMs !== null) recordLatency(sketches.radius, fact.radiusMs);
    if (fact.caMs !== null) recordLatency(sketches.ca, fact.caMs);
    if (fact.endToEndMs !== null) recordLatency(sketches.endToEnd, fact.endToEndMs);
  }
  return {
    query,
    rows: limitPerBucket([...rows.values()].sort(compareRows), query.limit),
    totals,
    latencies: {
      radius: summarizeSketch(sketches.radius),
      ca: summarizeSketch(sketches.ca),
      endToEnd: summarizeSketch(sketches.endToEnd),
    },
  };
}

/** Keep the first `limit` rows of each bucket (rows arrive sorted by bucket, the most failing first). */
export function limitPerBucket<T extends { bucket: string | null }>(rows: readonly T[], limit: number): T[] {
  const kept: T[] = [];
  const perBucket = new Map<string | null, number>();
  for (const row of rows) {
    const n = perBucket.get(row.bucket) ?? 0;
    if (n < limit) kept.push(row);
    perBucket.set(row.bucket, n + 1);
  }
  return kept;
}
