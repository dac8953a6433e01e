import * as crypto from 'node:crypto';

// Trace and span IDs derive from the attempt's identity, so that analysing the same logs twice, or replaying a
// Kafka topic, gives the same IDs. SHA-256 is used for spread, not secrecy.

/** Node's one-shot `crypto.hash` (20.12+), several times cheaper than a Hash object per ID; absent on older 20.x. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** SHA-256 of a text, in lower hex: every ID of an attempt and its spans is a prefix of one. */
export function sha256Hex(text: string): string {
  return oneShot === undefined
    ? crypto.createHash('sha256').update(text).digest('hex')
    : oneShot('sha256', text, 'hex');
}

/** 32 lower-hex trace ID of an attempt, from its deterministic attempt ID. */
export function traceIdFor(attemptId: string): string {
  return sha256Hex(`otptrace/trace/${attemptId}`).slice(0, 32);
}

/** 16 lower-hex span ID of one span of a trace, from the trace ID and the span's role (e.g. "root", "radius"). */
export function spanIdFor(traceId: string, role: string): string {
  return sha256Hex(`otptrace/span/${traceId}/${role}`).slice(0, 16);
}
