import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { KafkaClient } from './client.js';
import { toAdapterError } from './errors.js';

/** One record as read from a partition. Offsets are decimal strings (64-bit). */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  /** Broker or producer timestamp, epoch ms as a string: arrival time, not event time. */
  timestamp: string;
  headers: Record<string, string>;
}

/** A run of records of one partition, in offset order. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  /** Offset of the next record the partition will get: the end of the log when the batch was fetched. */
  highWatermark: string;
  /** Records still behind this batch in the partition (highWatermark - last offset - 1). */
  lag: number;
  /** Group generation seen by this member when the batch was delivered (increments on every join). */
  generation: number;
  /**
   * The offset this batch was fetched from. Its records are every record of the log from there on (less transaction
   * markers and aborted records), so a reader at position `p` has missed nothing only if `fetchedOffset <= p`.
   */
  fetchedOffset: number;
  /** The offset after the batch's last entry, transaction markers included: where the next fetch starts. */
  nextOffset: number;
}

/**
 * A fetched run of a partition that held transaction markers or aborted records only: kafkajs moves past it without
 * a batch, so a reader that tracks its position learns of it here.
 */
export interface SkippedRange {
  topic: string;
  partition: number;
  firstOffset: number;
  nextOffset: number;
}

/** Partitions of each topic assigned to this member. */
export interface Assignment {
  topic: string;
  partitions: number[];
}

/** The offset to commit for one partition: the next record the group should read after a restart. */
export interface CommitOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** What the caller does with a consumer group's input. */
export interface GroupHandlers {
  /**
   * Called after every join of the group, before any batch of the new generation. kafkajs rebalances eagerly and
   * restarts every assigned partition at its committed offset, so in-memory state of all partitions must be dropped.
   */
  onAssigned(assignment: Assignment[], generation: number): void | Promise<void>;
  /** Called with each batch; `heartbeat` keeps the membership alive during long work. */
  onBatch(batch: ConsumedBatch, heartbeat: () => Promise<void>): Promise<void>;
  /** Called when kafkajs passed over a range with no record to deliver (markers, aborted transactions). */
  onSkipped?(range: SkippedRange): void;
}

/** Options of one consumer-group member. */
export interface GroupConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a group with no committed offset starts: the earliest record (true) or only new ones (false). */
  fromBeginning: boolean;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxBytesPerPartition?: number;
  /**
   * The longest a fetch waits at the broker for records (Kafka's fetch.max.wait.ms). A member hears of a rebalance,
   * and a stop takes effect, only once its fetch returns: kafkajs' default of 5 s made every rebalance and shutdown of
   * an idle member last ~5 s. Default 500 ms, the Java client's; a fetch with records to return does not wait.
   */
  maxWaitMs?: number;
}

/** A member of a consumer group whose offsets are committed only by the caller. */
export interface GroupConsumer {
  start(handlers: GroupHandlers): Promise<void>;
  commit(offsets: readonly CommitOffset[]): Promise<void>;
  /** Makes the next fetch of a partition start at `offset` (to re-read after a failed step). */
  seek(offset: CommitOffset): void;
  /** Leaves the group cleanly (its partitions move to other members at once). */
  stop(): Promise<void>;
}

function toRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    value: message.value,
    timestamp: message.timestamp,
    headers,
  };
}

/** Creates a consumer-group member with auto-commit off: the caller commits what it has safely emitted. */
export function createGroupConsumer(client: KafkaClient, options: GroupConsumerOptions): GroupConsumer {
  const consumer: Consumer = client.raw.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
    maxWaitTimeInMs: options.maxWaitMs ?? 500,
    allowAutoTopicCreation: false,
    // Only records of committed transactions (the correlator's outputs are written in transactions).
    readUncommitted: false,
  });
  let generation = 0;
  let assignedHandler: GroupHandlers['onAssigned'] | undefined;
  // GROUP_JOIN is emitted after sync and before the new generation's first fetch.
  consumer.on(consumer.events.GROUP_JOIN, async (event) => {
    generation += 1;
    const assignment = Object.entries(event.payload.memberAssignment).map(([topic, partitions]) => ({
      topic,
      partitions: [...partitions].sort((a, b) => a - b),
    }));
    await assignedHandler?.(assignment, generation);
  });
  let skippedHandler: GroupHandlers['onSkipped'];
  // kafkajs reports every processed batch, delivered or not; the undelivered ones with entries are marker-only runs.
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    const { topic, partition, batchSize, firstOffset, lastOffset } = event.payload;
    if (batchSize > 0 || firstOffset === null || firstOffset === undefined) return;
    skippedHandler?.({ topic, partition, firstOffset: Number(firstOffset), nextOffset: Number(lastOffset) + 1 });
  });

  const eachBatch = (handlers: GroupHandlers) => async (payload: EachBatchPayload) => {
    const { batch, isStale, isRunning, heartbeat } = payload;
    // A batch fetched before a rebalance belongs to partitions that were re-read from their commit: skip it.
    if (!isRunning() || isStale()) return;
    const records = batch.messages.map((message) => toRecord(batch.topic, batch.partition, message));
    await handlers.onBatch(
      {
        topic: batch.topic,
        partition: batch.partition,
        records,
        highWatermark: batch.highWatermark,
        lag: Number(batch.offsetLag()),
        generation,
        fetchedOffset: Number((batch as unknown as { fetchedOffset: string }).fetchedOffset),
        nextOffset: Number(batch.lastOffset()) + 1,
      },
      heartbeat,
    );
  };

  return {
    async start(handlers) {
      assignedHandler = handlers.onAssigned;
      skippedHandler = handlers.onSkipped?.bind(handlers);
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning });
        await consumer.run({ autoCommit: false, eachBatchAutoResolve: true, eachBatch: eachBatch(handlers) });
      } catch (error) {
        throw toAdapterError(error, 'consumer start');
      }
    },
    async commit(offsets) {
      if (offsets.length === 0) return;
      try {
        await consumer.commitOffsets(
          offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })),
        );
      } catch (error) {
        // A commit refused during a rebalance is harmless: the partition is re-read from the previous commit.
        throw toAdapterError(error, 'commit offsets');
      }
    },
    seek(offset) {
      consumer.seek({ topic: offset.topic, partition: offset.partition, offset: offset.offset });
    },
    async stop() {
      await consumer.disconnect();
    },
  };
}
