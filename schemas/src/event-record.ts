import { z } from 'zod';
import { type NormalizedEvent, normalizedEventSchema } from './event.js';

/**
 * A record of the Kafka events topic (key: the site). The collector writes the events of a batch as a few records,
 * each a JSON array of events in the order they were taken: Kafka clients pay per record, and one record per event
 * made kafkajs' encoding most of the collector's CPU (bench/README.md, "Session 12"). A record holding one event as
 * a bare object, as written before, is read too.
 */
export const eventRecordSchema = z
  .union([z.array(normalizedEventSchema).min(1), normalizedEventSchema])
  .describe('A record of the events topic: normalised events of one site in order (or one event alone).');
export type EventRecord = z.infer<typeof eventRecordSchema>;

/**
 * An event's JSON text as the events topic holds it: characters beyond ASCII written as `\uXXXX` escapes, so that a
 * record is pure ASCII. One accented name among a record's thousand events sent the reader's whole record through
 * V8's slow UTF-8 decoder into a two-byte string: ~2.5 µs per event of the correlator's CPU on the generated fleets
 * (bench/README.md, "Session 13"). JSON readers see the same values. Its length is its size in bytes.
 */
export function eventJson(event: NormalizedEvent): string {
  const json = JSON.stringify(event);
  return BEYOND_ASCII.test(json) ? json.replace(EVERY_BEYOND_ASCII, escapedChar) : json;
}

const BEYOND_ASCII = /[\u0080-\uffff]/;
const EVERY_BEYOND_ASCII = /[\u0080-\uffff]/g;
const escapedChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** The value of an events-topic record holding these events, given as their JSON texts, in order. */
export function eventRecordValue(eventJsons: readonly string[]): string {
  return `[${eventJsons.join(',')}]`;
}

/**
 * The events a parsed record value holds, unvalidated: the elements of an array, else the value itself (a record of
 * one bare event). Each is to be validated apart, so that one bad event costs only itself.
 */
export function eventsOfRecordValue(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [value];
}
