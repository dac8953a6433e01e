import type { EventRef, NormalizedEvent } from '@otptrace/schemas';
import { ATTR } from '@otptrace/schemas';
import type { Attributes } from './span-data.js';

/**
 * The evidence attributes of a span: parallel arrays (provider, event ID, computer, channel, record ID), one entry
 * per log record, so an analyst can open each record again. Arrays rather than one composite string keep every
 * field queryable in a trace backend.
 */
export function evidenceAttributes(refs: readonly EventRef[]): Attributes {
  return {
    [ATTR.EVIDENCE_PROVIDER]: refs.map((ref) => ref.provider),
    [ATTR.EVIDENCE_EVENT_ID]: refs.map((ref) => ref.eventId),
    [ATTR.EVIDENCE_COMPUTER]: refs.map((ref) => ref.computer),
    [ATTR.EVIDENCE_CHANNEL]: refs.map((ref) => ref.channel),
    [ATTR.EVIDENCE_RECORD_ID]: refs.map((ref) => ref.recordId),
  };
}

/** The log references of events, in the order given. */
export function refsOf(events: readonly NormalizedEvent[]): EventRef[] {
  return events.map((event) => event.ref);
}

/** Attributes without the null or undefined entries (OTLP has no null attribute). */
export function compact(attributes: Record<string, string | number | boolean | null | undefined>): Attributes {
  // for...in over an object literal visits what Object.entries would, in the same order, without a pair per entry.
  const out: Attributes = {};
  for (const name in attributes) {
    const value = attributes[name];
    if (value !== null && value !== undefined) out[name] = value;
  }
  return out;
}
