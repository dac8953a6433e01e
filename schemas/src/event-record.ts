import { z } from 'zod';
import { normalizedEventSchema } from './event.js';

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
