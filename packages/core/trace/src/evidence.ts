import type { EventRef, NormalizedEvent } from '@otptrace/schemas';
import { ATTR } from '@otptrace/schemas/vocabulary';
import type { Attributes } from './span-data.js';

/**
 * Adds the evidence attributes of a span: parallel arrays (provider, event ID, computer, channel, record ID), one entry
 * per log record, so an analyst can open each record again. Arrays rather than one composite string keep every
 * field queryable in a trace backend.
 */
export function addEvidence(attributes: Attributes, refs: readonly EventRef[]): void {
  // One pass filling the five arrays (a span's attributes are built for every attempt of a fleet).
  const provider: string[] = [];
  const eventId: number[] = [];
  const computer: string[] = [];
  const channel: string[] = [];
  const recordId: number[] = [];
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i]!;
    provider.push(ref.provider);
    eventId.push(ref.eventId);
    computer.push(ref.computer);
    channel.push(ref.channel);
    recordId.push(ref.recordId);
  }
  attributes[ATTR.EVIDENCE_PROVIDER] = provider;
  attributes[ATTR.EVIDENCE_EVENT_ID] = eventId;
  attributes[ATTR.EVIDENCE_COMPUTER] = computer;
  attributes[ATTR.EVIDENCE_CHANNEL] = channel;
  attributes[ATTR.EVIDENCE_RECORD_ID] = recordId;
}

/** The evidence attributes of events (their log references), in the order given; see `addEvidence`. */
export function addEventEvidence(attributes: Attributes, events: readonly NormalizedEvent[]): void {
  const refs: EventRef[] = [];
  for (let i = 0; i < events.length; i++) refs.push(events[i]!.ref);
  addEvidence(attributes, refs);
}

/** Attributes without the null or undefined entries (OTLP has no null attribute). */
export function compact(attributes: Record<string, string | number | boolean | null | undefined>): Attributes {
  return compactInto({}, attributes);
}

/** Copies the entries of `attributes` that are not null or undefined into `out`, in order; returns `out`. */
export function compactInto(
  out: Attributes,
  attributes: Record<string, string | number | boolean | null | undefined>,
): Attributes {
  // for...in over an object literal visits what Object.entries would, in the same order, without a pair per entry.
  for (const name in attributes) {
    const value = attributes[name];
    if (value !== null && value !== undefined) out[name] = value;
  }
  return out;
}
