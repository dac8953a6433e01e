import { groupWithin, type OutgoingRecord, recordBytes, recordFits, valueRoom } from '@otptrace/kafka';
import type { IngestItem } from '@otptrace/pipeline';
import { eventJson, eventRecordValue, type NormalizedEvent } from '@otptrace/schemas';
import type { CollectorTopics } from './config.js';

/** Where the items of one batch go, and how many of each kind there were. */
export interface BatchRecords {
  records: OutgoingRecord[];
  accepted: number;
  ignored: Map<string, number>;
  rejected: Map<string, number>;
}

/** The dead-letter record's value: why, where from, and the text as received (when the splitter could keep it). */
export interface DeadLetter {
  code: string;
  reason: string;
  origin: string;
  position: number;
  raw: string | null;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Each topic's `max.message.bytes` (admin.maxMessageBytes at start-up; tests pass their own). */
export type TopicLimits = (topic: string) => number;

// A dead letter keeps the event's text when the dead-letter topic can hold it; otherwise it says so and keeps the rest.
function deadLetterRecord(letter: DeadLetter, topics: CollectorTopics, limits: TopicLimits): OutgoingRecord {
  const record = { topic: topics.deadLetter.name, key: letter.origin, value: JSON.stringify(letter) };
  const withHeaders = { ...record, headers: { origin: letter.origin } };
  if (letter.raw === null || recordFits(withHeaders, limits(topics.deadLetter.name))) return withHeaders;
  const reason = `${letter.reason}; its text (${letter.raw.length} characters) does not fit the dead-letter topic`;
  return { ...withHeaders, value: JSON.stringify({ ...letter, reason, raw: null }) };
}

/**
 * Most bytes in one record of the events or raw topic (less when the topic's max.message.bytes leaves less room). A
 * batch's events and their raw XML go in as few records as fit: kafkajs' cost is mostly per record (bench/README.md,
 * "Session 12").
 */
export const EVENT_RECORD_MAX_BYTES = 256 * 1024;

/**
 * Maps the ingest items of one batch to Kafka records; ignored ones are counted.
 * - Its accepted events, in order, packed into records of the events topic (`eventRecordSchema`) keyed by the site.
 *   All of a site's events (those naming a user and those naming none: IIS requests, NPS 4402, CA application events,
 *   most client events) share a partition and meet in one correlation engine, as in `otptrace analyze`
 *   (services/correlator/README.md, "Topology").
 * - Their text as received (Event XML, or a W3C or NPS log line), in the same order, packed into records of the raw
 *   topic keyed by the site, separated by line breaks (Event XML: a batch the collector takes again as is).
 * - Dead letters. An event whose events or raw record would not fit its topic's `max.message.bytes`, alone, is
 *   dead-lettered as event_too_large_for_topic, and the rest of the batch goes on.
 */
export function batchRecords(
  items: readonly IngestItem[],
  origin: string,
  topics: CollectorTopics,
  site: string,
  limits: TopicLimits,
): BatchRecords {
  const result: BatchRecords = { records: [], accepted: 0, ignored: new Map(), rejected: new Map() };
  const reject = (code: string, reason: string, position: number, raw: string | null) => {
    bump(result.rejected, code);
    result.records.push(deadLetterRecord({ code, reason, origin, position, raw }, topics, limits));
  };
  const headers = { origin };
  const record = (topic: string, value: string): OutgoingRecord => ({ topic, key: site, value, headers });
  const eventsTopic = topics.events.name;
  const rawTopic = topics.raw.name;
  const eventsRoom = valueRoom(record(eventsTopic, ''), limits(eventsTopic));
  const rawRoom = valueRoom(record(rawTopic, ''), limits(rawTopic));
  const events: string[] = [];
  const eventSizes: number[] = [];
  const raws: string[] = [];
  const rawSizes: number[] = [];
  for (const item of items) {
    if (item.type === 'event') {
      const json = eventJson(item.event);
      const jsonBytes = json.length; // ASCII
      const rawBytes = item.raw === null ? 0 : Buffer.byteLength(item.raw);
      // The record that would not fit its topic even with this event alone in it, if any.
      const tooLarge =
        jsonBytes + 2 > eventsRoom
          ? record(eventsTopic, eventRecordValue([json]))
          : item.raw !== null && rawBytes > rawRoom
            ? record(rawTopic, item.raw)
            : null;
      if (tooLarge !== null) {
        const reason = `its record for ${tooLarge.topic} (about ${recordBytes(tooLarge)} bytes) is over the topic's max.message.bytes (${limits(tooLarge.topic)})`;
        reject('event_too_large_for_topic', reason, item.position, item.raw);
      } else {
        result.accepted++;
        events.push(json);
        eventSizes.push(jsonBytes);
        if (item.raw !== null) {
          raws.push(item.raw);
          rawSizes.push(rawBytes);
        }
      }
    } else if (item.type === 'ignored') {
      bump(result.ignored, item.reason);
    } else {
      reject(item.code, item.reason, item.position, item.raw);
    }
  }
  for (const group of groupWithin(events, Math.min(EVENT_RECORD_MAX_BYTES, eventsRoom), 2, eventSizes))
    result.records.push(record(eventsTopic, eventRecordValue(group)));
  for (const group of groupWithin(raws, Math.min(EVENT_RECORD_MAX_BYTES, rawRoom), 0, rawSizes))
    result.records.push(record(rawTopic, group.join('\n')));
  return result;
}

/** What a sender may speak for (services/collector/src/http-security.ts); the file and stdin inputs have none. */
export interface SenderPolicy {
  readonly name: string;
  allows(event: NormalizedEvent): boolean;
}

/**
 * Turns each event the sender may not speak for (another computer, or a source it is not bound to) into a rejection
 * `computer_not_allowed`, dead-lettered and counted like any other. The reason names the sender, never a value of
 * the event (SECURITY.md, "Rules for hostile input").
 */
export function applySenderPolicy(items: readonly IngestItem[], sender: SenderPolicy | undefined): IngestItem[] {
  if (sender === undefined) return [...items];
  return items.map((item) =>
    item.type === 'event' && !sender.allows(item.event)
      ? {
          type: 'rejected',
          code: 'computer_not_allowed',
          reason: `the event's Computer or source is not one sender "${sender.name}" may speak for`,
          position: item.position,
          raw: item.raw,
        }
      : item,
  );
}
