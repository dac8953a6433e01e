import { createHash } from 'node:crypto';

// Trace and span IDs derive from the attempt's identity, so that analysing the same logs twice, or replaying a
// Kafka topic, gives the same IDs. SHA-256 is used for spread, not secrecy.

/** 32 lower-hex trace ID of an attempt, from its deterministic attempt ID. */
export function traceIdFor(attemptId: string): string {
  return createHash('sha256').update(`otptrace/trace/${attemptId}`).digest('hex').slice(0, 32);
}

/** 16 lower-hex span ID of one span of a trace, from the trace ID and the span's role (e.g. "root", "radius"). */
export function spanIdFor(traceId: string, role: string): string {
  return createHash('sha256').update(`otptrace/span/${traceId}/${role}`).digest('hex').slice(0, 16);
}
