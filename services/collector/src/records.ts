import { type OutgoingRecord, recordBytes, recordFits } from '@otptrace/kafka';
import type { IngestItem } from '@otptrace/pipeline';
import type { NormalizedEvent } from '@otptrace/schemas';
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

/**
 * Records for one accepted event. Every event is keyed by the site, so all of a site's events — those naming a user
 * and those naming none (IIS requests, NPS 4402, CA application events, most client events) — share a partition and
 * meet in one correlation engine, as in `otptrace analyze` (services/correlator/README.md, "Topology").
 */
export function eventRecords(
  event: NormalizedEvent,
  raw: string | null,
  origin: string,
  topics: CollectorTopics,
  site: string,
): OutgoingRecord[] {
  const value = JSON.stringify(event);
  const headers = { origin };
  const out: OutgoingRecord[] = [{ topic: topics.events.name, key: site, value, headers }];
  if (raw !== null) out.push({ topic: topics.raw.name, key: event.id, value: raw, headers });
  return out;
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
 * Maps the ingest items of one batch to Kafka records: events and raw XML, dead letters; ignored ones are counted.
 * An event one of whose records would not fit its topic's `max.message.bytes` is dead-lettered as
 * event_too_large_for_topic, and the rest of the batch goes on.
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
  for (const item of items) {
    if (item.type === 'event') {
      const records = eventRecords(item.event, item.raw, origin, topics, site);
      const tooLarge = records.find((r) => !recordFits(r, limits(r.topic)));
      if (tooLarge === undefined) {
        result.accepted++;
        result.records.push(...records);
      } else {
        const reason = `its record for ${tooLarge.topic} (about ${recordBytes(tooLarge)} bytes) is over the topic's max.message.bytes (${limits(tooLarge.topic)})`;
        reject('event_too_large_for_topic', reason, item.position, item.raw);
      }
    } else if (item.type === 'ignored') {
      bump(result.ignored, item.reason);
    } else {
      reject(item.code, item.reason, item.position, item.raw);
    }
  }
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
