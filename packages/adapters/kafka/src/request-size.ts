import { KafkaAdapterError } from './errors.js';
import type { OutgoingRecord } from './producer.js';

/**
 * Kafka's own default `max.message.bytes` (1 MiB + 12): the largest record batch a topic takes unless configured.
 * Each record batch of a produce request (one per partition) must fit the topic's limit, or the broker refuses the
 * whole request with MESSAGE_TOO_LARGE.
 */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

// A record batch's header is 61 bytes; a record adds its length, attributes, delta varints and header counts (under
// 32 bytes). Generous margins: an estimate that errs high only makes one more request.
const BATCH_OVERHEAD_BYTES = 128;
const RECORD_OVERHEAD_BYTES = 40;
/** Most bytes in one produce request, all partitions together (the broker's socket.request.max.bytes is 100 MiB). */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

const byteLength = (value: string | Buffer | null): number =>
  value === null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length;

/** The size a record takes in a record batch, an upper estimate. */
export function recordBytes(record: OutgoingRecord): number {
  let size = RECORD_OVERHEAD_BYTES + byteLength(record.key) + byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {})) size += 8 + byteLength(name) + byteLength(value);
  return size;
}

/** True when a record fits, alone, in one record batch of a topic limited to `maxMessageBytes`. */
export function recordFits(record: OutgoingRecord, maxMessageBytes: number): boolean {
  return recordBytes(record) + BATCH_OVERHEAD_BYTES <= maxMessageBytes;
}

/**
 * The most bytes a record's value may have to fit, alone with its key and no headers, in one record batch of a topic
 * limited to `maxMessageBytes` (what `recordFits` accepts). Negative when not even the key fits.
 */
export function maxValueBytes(maxMessageBytes: number, key: string | null): number {
  return valueRoom({ topic: '', key, value: '' }, maxMessageBytes);
}

/**
 * The most bytes `record`'s value may have (its own value aside: key, headers) to fit, alone, in one record batch of a
 * topic limited to `maxMessageBytes`, as `recordFits` counts. Negative when not even the rest fits.
 */
export function valueRoom(record: OutgoingRecord, maxMessageBytes: number): number {
  return maxMessageBytes - BATCH_OVERHEAD_BYTES - recordBytes({ ...record, value: '' });
}

/**
 * Texts cut, in order, into as few groups as keep each group within `maxBytes` once joined: its texts' UTF-8 bytes,
 * one separator byte between two texts and `framingBytes` around them (e.g. a JSON array's brackets). A text too large
 * for that goes alone. For several small payloads in one record: Kafka clients pay per record.
 */
export function groupWithin(
  texts: readonly string[],
  maxBytes: number,
  framingBytes: number,
  /** Each text's UTF-8 bytes, when the caller has them already. */
  sizes?: readonly number[],
): string[][] {
  const groups: string[][] = [];
  let group: string[] = [];
  let bytes = framingBytes - 1; // each text adds its bytes and one separator, one too many
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i] as string;
    const more = (sizes?.[i] ?? Buffer.byteLength(text)) + 1;
    if (group.length > 0 && bytes + more > maxBytes) {
      groups.push(group);
      group = [];
      bytes = framingBytes - 1;
    }
    group.push(text);
    bytes += more;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * Cuts records into produce requests in which every topic's records together fit that topic's `max.message.bytes`
 * (so does each partition's record batch, a part of them). Order is kept. A record that fits no request alone is a
 * caller's error (it should have been dead-lettered): non-retriable `record_too_large`.
 */
export function splitIntoRequests(
  records: readonly OutgoingRecord[],
  maxMessageBytes: (topic: string) => number,
): OutgoingRecord[][] {
  const requests: OutgoingRecord[][] = [];
  let current: OutgoingRecord[] = [];
  let perTopic = new Map<string, number>();
  let total = 0;
  for (const record of records) {
    const size = recordBytes(record);
    const limit = maxMessageBytes(record.topic);
    if (size + BATCH_OVERHEAD_BYTES > limit) {
      throw new KafkaAdapterError(`produce: a record of about ${size} bytes exceeds ${record.topic}'s ${limit}`, {
        retriable: false,
        code: 'record_too_large',
      });
    }
    const topicBytes = perTopic.get(record.topic) ?? BATCH_OVERHEAD_BYTES;
    if (current.length > 0 && (topicBytes + size > limit || total + size > MAX_REQUEST_BYTES)) {
      requests.push(current);
      current = [];
      perTopic = new Map();
      total = 0;
    }
    current.push(record);
    perTopic.set(record.topic, (perTopic.get(record.topic) ?? BATCH_OVERHEAD_BYTES) + size);
    total += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
