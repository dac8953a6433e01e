import type { Admin, Producer } from 'kafkajs';
import type { KafkaClient } from './client.js';
import { toAdapterError, withDeadline } from './errors.js';
import { ANY_PARTITIONS, type PartitionCounts, pinnedPartitioner } from './partitioner.js';
import { groupByTopic, type OutgoingRecord, type ProducerOptions } from './producer.js';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES, splitIntoRequests } from './request-size.js';

/** A consumer group's offset of one partition, with the metadata committed alongside it. */
export interface GroupOffset {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** The next record the group reads. */
  readonly offset: string;
  readonly metadata: string;
}

/**
 * Writes records and commits a consumer group's offset in one Kafka transaction: a `read_committed` reader sees the
 * records exactly when the group's offset moved past the input they came from, never one without the other.
 */
export interface TransactionalWriter {
  /** Connects and takes over the transactional id (fencing any other producer that holds it). */
  connect(): Promise<void>;
  commit(records: readonly OutgoingRecord[], offset: GroupOffset): Promise<void>;
  disconnect(): Promise<void>;
}

function newProducer(client: KafkaClient, transactionalId: string, partitions: PartitionCounts): Producer {
  return client.raw.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: pinnedPartitioner(partitions, client.logger),
    // Unbounded retries inside the session (kafkajs' condition for exactly-once); each commit has its own deadline.
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: Number.MAX_SAFE_INTEGER },
  });
}

const BUSY_TRIES = 5;

/**
 * A transactional producer. `transactionalId` should name the input partition (group, topic, partition): the next
 * owner of the partition opens a producer with the same id, which aborts whatever the previous owner left open (a
 * `kill -9` mid-transaction) and fences it, so a stale owner can never commit again.
 *
 * A writer never takes its id back by itself: after a failure other than a busy coordinator it refuses every further
 * commit, and its owner must claim the partition again with a new writer and re-read the checkpoint. Re-initialising
 * the id inside `commit` would fence a new owner that took the partition meanwhile, and then commit over its
 * checkpoint from a state older than that checkpoint: the units published in between would be published twice.
 */
export function createTransactionalWriter(
  client: KafkaClient,
  transactionalId: string,
  options: ProducerOptions = {},
): TransactionalWriter {
  const timeoutMs = client.connection.requestTimeoutMs;
  const limits = options.maxMessageBytes ?? (() => KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
  const producer = newProducer(client, transactionalId, options.partitions ?? ANY_PARTITIONS);
  let broken: unknown = new Error('not connected');

  return {
    async connect() {
      try {
        await withDeadline(producer.connect(), timeoutMs, 'transactional producer connect');
        // kafkajs registers the transactional id on the first transaction: do it now, with an empty one, so that the
        // previous owner is fenced (its open transaction aborted) before the caller reads the committed offsets.
        await withDeadline(
          producer.transaction().then((t) => t.abort()),
          timeoutMs,
          'transactional producer fence',
        );
        broken = undefined;
      } catch (error) {
        broken = error;
        throw toAdapterError(error, 'transactional producer connect');
      }
    },
    async commit(records, offset) {
      // Several produce requests in one transaction when the records together exceed a topic's limit (each partition's
      // record batch must fit it); a record too large alone is refused here, before the transaction begins.
      const requests = splitIntoRequests(records, limits);
      const once = async () => {
        const transaction = await producer.transaction();
        try {
          for (const request of requests)
            await transaction.sendBatch({ topicMessages: groupByTopic(request), acks: -1 });
          // kafkajs passes the metadata through to TxnOffsetCommit (its types omit it).
          const partition = { partition: offset.partition, offset: offset.offset, metadata: offset.metadata };
          await transaction.sendOffsets({
            consumerGroupId: offset.groupId,
            topics: [{ topic: offset.topic, partitions: [partition as never] }],
          });
          await transaction.commit();
        } catch (error) {
          await transaction.abort().catch(() => {});
          throw error;
        }
      };
      for (let attempt = 1; ; attempt++) {
        if (broken !== undefined) throw toAdapterError(broken, 'transaction (the writer must be claimed again)');
        try {
          return await withDeadline(once(), timeoutMs, 'transaction');
        } catch (error) {
          // The previous transaction is still being completed by the coordinator: not a fault, try again shortly
          // with the same session (if it was fenced meanwhile, the next try says so).
          const busy = /concurrent (operation|transactions)/i.test(String((error as Error).message));
          if (!busy || attempt >= BUSY_TRIES) {
            broken = error;
            throw toAdapterError(error, 'transaction');
          }
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        }
      }
    },
    async disconnect() {
      await withDeadline(producer.disconnect(), timeoutMs, 'transactional producer disconnect').catch(() => {});
    },
  };
}

/** Reads a group's committed offsets with their metadata (what a partition's new owner resumes from). */
export interface OffsetReader {
  connect(): Promise<void>;
  /** Committed offset and metadata of `partition`, or null when the group committed none. */
  read(groupId: string, topic: string, partition: number): Promise<{ offset: string; metadata: string | null } | null>;
  /** The offset the next record of `partition` will get (the end of its log; committed records only). */
  end(topic: string, partition: number): Promise<number>;
  disconnect(): Promise<void>;
}

export function createOffsetReader(client: KafkaClient): OffsetReader {
  const admin: Admin = client.raw.admin();
  return {
    connect: async () => {
      try {
        await admin.connect();
      } catch (error) {
        throw toAdapterError(error, 'admin connect');
      }
    },
    async read(groupId, topic, partition) {
      try {
        const topics = await admin.fetchOffsets({ groupId, topics: [topic] });
        const found = topics[0]?.partitions.find((p) => p.partition === partition);
        if (found === undefined || found.offset === '-1') return null;
        return { offset: found.offset, metadata: found.metadata ?? null };
      } catch (error) {
        throw toAdapterError(error, 'fetch committed offsets');
      }
    },
    async end(topic, partition) {
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        return Number(offsets.find((o) => o.partition === partition)?.high ?? 0);
      } catch (error) {
        throw toAdapterError(error, 'fetch topic offsets');
      }
    },
    disconnect: () => admin.disconnect(),
  };
}
