/** @otptrace/trace: ⑤ attempt + verdict -> span data (no SDK), with deterministic IDs. */
export { sha256Hex, spanIdFor, traceIdFor } from './ids.js';
export type {
  Attributes,
  AttributeValue,
  SpanData,
  SpanEventData,
  SpanKindName,
  SpanStatusData,
} from './span-data.js';
export { isoToEpochMs } from './time.js';
export { toSpans } from './to-spans.js';
