import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { KafkaClient } from './client.js';
import { toAdapterError, withDeadline } from './errors.js';
import { ANY_PARTITIONS, type PartitionCounts, pinnedPartitioner } from './partitioner.js';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES, splitIntoRequests } from './request-size.js';

/** One record to publish. `key` decides the partition (murmur2, as the Java client) unless `partition` is given. */
export interface OutgoingRecord {
  topic: string;
  key: string | null;
  value: string | Buffer;
  /** Explicit partition, used to broadcast a record to every partition of a topic. */
  partition?: number;
  headers?: Record<string, string>;
}

/** Publishes records; `send` resolves only when the cluster acknowledged every record from all in-sync replicas. */
export interface RecordProducer {
  connect(): Promise<void>;
  send(records: readonly OutgoingRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export function toMessage(record: OutgoingRecord): Message {
  const message: Message = { key: record.key, value: record.value };
  if (record.partition !== undefined) message.partition = record.partition;
  if (record.headers) message.headers = record.headers;
  return message;
}

/** Records grouped by topic, in order, as kafkajs' sendBatch takes them. */
export function groupByTopic(records: readonly OutgoingRecord[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    const list = byTopic.get(record.topic) ?? [];
    list.push(toMessage(record));
    byTopic.set(record.topic, list);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** What every producer of this package takes about the topics it writes. */
export interface ProducerOptions {
  /** Each topic's `max.message.bytes`; requests are cut to fit (default: Kafka's default). */
  maxMessageBytes?: (topic: string) => number;
  /** Each topic's configured partition count: keyed records keep to them when the topic grows (`pinnedPartitioner`). */
  partitions?: PartitionCounts;
}

function newProducer(client: KafkaClient, partitions: PartitionCounts): Producer {
  return client.raw.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: pinnedPartitioner(partitions, client.logger),
  });
}

/**
 * An idempotent producer with acks from all in-sync replicas (acks=-1): the broker de-duplicates the client's own
 * retries, and an acknowledged record survives the loss of any one replica. A send that has no answer within the
 * connection's `sendTimeoutMs` fails with a retriable error so that callers can refuse their input in time.
 *
 * After a failed send the idempotent session is in an unknown state (a timed-out request may still be retried, and
 * kafkajs then answers every later send with OUT_OF_ORDER_SEQUENCE_NUMBER after a broker restart), so the next send
 * starts a new producer session. Nothing is acknowledged twice: a refused batch is the caller's to send again.
 */
export function createRecordProducer(client: KafkaClient, options: ProducerOptions = {}): RecordProducer {
  const limits = options.maxMessageBytes ?? (() => KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
  const partitions = options.partitions ?? ANY_PARTITIONS;
  const timeoutMs = client.connection.sendTimeoutMs;
  let producer = newProducer(client, partitions);
  let broken = false;
  let closed = false;

  const renew = async (): Promise<void> => {
    const old = producer;
    producer = newProducer(client, partitions);
    broken = false;
    // The old session may hang on a dead connection: do not wait for it to say goodbye.
    void old.disconnect().catch(() => {});
    await withDeadline(producer.connect(), timeoutMs, 'producer connect');
  };

  return {
    async connect() {
      try {
        await withDeadline(producer.connect(), timeoutMs, 'producer connect');
      } catch (error) {
        broken = true;
        throw toAdapterError(error, 'producer connect');
      }
    },
    async send(records) {
      if (records.length === 0) return;
      if (closed) throw toAdapterError(new Error('producer closed'), 'produce');
      try {
        if (broken) await renew();
        // One produce request per slice that fits every topic's max.message.bytes (not atomic across slices: use
        // createAtomicProducer when a refused send must leave nothing behind).
        for (const request of splitIntoRequests(records, limits)) {
          const topicMessages = groupByTopic(request);
          await withDeadline(producer.sendBatch({ topicMessages, acks: -1, timeout: timeoutMs }), timeoutMs, 'produce');
        }
      } catch (error) {
        broken = true;
        const adapted = toAdapterError(error, 'produce');
        throw adapted;
      }
    },
    async disconnect() {
      closed = true;
      await withDeadline(producer.disconnect(), timeoutMs, 'producer disconnect').catch(() => {});
    },
  };
}
