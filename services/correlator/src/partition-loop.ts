import type { Assignment, ConsumedBatch, ConsumedRecord, GroupConsumer } from '@otptrace/kafka';
import type { Logger } from '@otptrace/runtime';

/** What a consumer group does with each partition it owns. */
export interface PartitionHandler<S> {
  /** This member starts (or restarts) reading `partition`: its state, and the committed offset it resumes from. */
  open(partition: number): Promise<{ state: S; offset: number | null }>;
  /** One batch, in offset order. Throws when its outputs could not be written: the partition is then rebuilt. */
  step(partition: number, state: S, records: readonly ConsumedRecord[]): Promise<void>;
}

/** The serial loop over a group's partitions. */
export interface PartitionLoop<S> {
  start(): Promise<void>;
  /** Lets the batch in hand finish (outputs written, offsets committed), then leaves the group. */
  stop(): Promise<void>;
  /** Runs `work` on each partition's state in the loop's queue (between batches); a failure rebuilds the partition. */
  forEach(work: (partition: number, state: S) => Promise<void>): Promise<void>;
  /** Every partition with state has been read to the end of its log. */
  caughtUp(): boolean;
  /** Partitions with state and their lag (records behind). */
  lags(): ReadonlyMap<number, number>;
}

export interface PartitionLoopOptions<S> {
  consumer: GroupConsumer;
  topic: string;
  handler: PartitionHandler<S>;
  logger: Logger;
  /** Called on every group join (metrics). */
  onJoin?: (partitions: number[]) => void;
  onRewind?: (partition: number) => void;
  /** Pause before re-reading a partition whose outputs failed (the broker or a sink is probably down). */
  retryPauseMs?: number;
}

/**
 * One loop for a consumer group: batches and the idle work run one at a time (a serial queue), state is per partition
 * and dropped on every group join (kafkajs rebalances eagerly and restarts each partition at its committed offset),
 * batches of an older generation are skipped, and a failed step rebuilds the partition from its commit.
 */
export function createPartitionLoop<S>(options: PartitionLoopOptions<S>): PartitionLoop<S> {
  const { consumer, topic, handler, logger } = options;
  const states = new Map<number, S>();
  const lag = new Map<number, number>();
  /** A partition being re-read: batches fetched before the seek are skipped until the offset comes back. */
  const rewoundTo = new Map<number, number>();
  let generation = 0;
  let stopping = false;
  let queue: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>): Promise<void> => {
    const run = queue.then(work);
    queue = run.catch(() => {});
    return run;
  };

  const rewind = async (partition: number, error: unknown, gen: number): Promise<void> => {
    states.delete(partition);
    // The group moved on meanwhile: the partition's new owner rebuilds it (re-opening here would fence that owner).
    if (gen !== generation || stopping) return;
    options.onRewind?.(partition);
    logger.warn({ err: error, partition }, 'writing outputs failed; re-reading the partition from its commit');
    await new Promise((resolve) => setTimeout(resolve, options.retryPauseMs ?? 1_000));
    if (gen !== generation || stopping) return;
    try {
      const { offset } = await handler.open(partition);
      const from = offset ?? 0;
      rewoundTo.set(partition, from);
      consumer.seek({ topic, partition, offset: String(from) });
    } catch (again) {
      // The next batch opens the partition again; kafkajs' own position is kept until then.
      logger.warn({ err: again, partition }, 'reading the commit failed; retrying with the next batch');
    }
  };

  const onBatch = (batch: ConsumedBatch) =>
    serial(async () => {
      if (batch.generation !== generation || stopping) return;
      const partition = batch.partition;
      let records = batch.records;
      const first = records[0];
      if (first === undefined) return;
      const rewindOffset = rewoundTo.get(partition);
      if (rewindOffset !== undefined) {
        if (Number(first.offset) > rewindOffset) return;
        rewoundTo.delete(partition);
      }
      try {
        let state = states.get(partition);
        let from = rewindOffset ?? null;
        if (state === undefined) {
          const opened = await handler.open(partition);
          state = opened.state;
          from = opened.offset;
          states.set(partition, state);
        }
        if (from !== null) records = records.filter((r) => Number(r.offset) >= from);
        lag.set(partition, batch.lag);
        await handler.step(partition, state, records);
      } catch (error) {
        await rewind(partition, error, batch.generation);
      }
    });

  const onAssigned = (assignment: Assignment[], gen: number) => {
    generation = gen;
    states.clear();
    lag.clear();
    rewoundTo.clear();
    const partitions = assignment.find((a) => a.topic === topic)?.partitions ?? [];
    options.onJoin?.(partitions);
    logger.info({ generation: gen, partitions }, 'partitions assigned; state is rebuilt from the committed offsets');
  };

  return {
    start: () => consumer.start({ onAssigned, onBatch }),
    async stop() {
      stopping = true;
      await queue;
      await consumer.stop();
    },
    forEach: (work) =>
      serial(async () => {
        for (const [partition, state] of states) {
          if (stopping) return;
          try {
            await work(partition, state);
          } catch (error) {
            await rewind(partition, error, generation);
          }
        }
      }),
    caughtUp: () => [...states.keys()].every((p) => lag.get(p) === 0),
    lags: () => lag,
  };
}
