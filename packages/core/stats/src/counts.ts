import type { Outcome, OutcomeCounts, StatsBucket } from '@otptrace/schemas';

/** Zeroed counts. */
export function emptyCounts(): OutcomeCounts {
  return { attempts: 0, success: 0, failure: 0, cancelled: 0, incomplete: 0, probes: 0, failureRate: null };
}

/** Count one attempt of an outcome (mutates). Probes go to `probes` only, never into `attempts`. */
export function countOutcome(counts: OutcomeCounts, outcome: Outcome, n = 1): void {
  if (outcome === 'probe') {
    counts.probes += n;
  } else {
    counts.attempts += n;
    counts[outcome] += n;
  }
  counts.failureRate = failureRate(counts.failure, counts.attempts);
}

/** failure / attempts rounded to 4 decimals; null without attempts. */
export function failureRate(failures: number, attempts: number): number | null {
  return attempts === 0 ? null : Math.round((failures / attempts) * 10_000) / 10_000;
}

/** ISO start of the UTC minute, hour or day that holds `ms`. */
export function bucketStart(ms: number, bucket: StatsBucket): string {
  const size = bucket === 'minute' ? 60_000 : bucket === 'hour' ? 3_600_000 : 86_400_000;
  return new Date(Math.floor(ms / size) * size).toISOString();
}

/** Sort rows by bucket, then the most failing first, then by key: the order every reader prints. */
export function compareRows(
  a: { bucket: string | null; key: string; failure: number; attempts: number; probes: number },
  b: { bucket: string | null; key: string; failure: number; attempts: number; probes: number },
): number {
  return (
    (a.bucket ?? '').localeCompare(b.bucket ?? '') ||
    b.failure - a.failure ||
    b.attempts - a.attempts ||
    b.probes - a.probes ||
    a.key.localeCompare(b.key)
  );
}
