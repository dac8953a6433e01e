import type { Assignment, ConsumedBatch, ConsumedRecord, GroupConsumer, SkippedRange } from '@otptrace/kafka';
import type { Logger } from '@otptrace/runtime';

/** What a consumer group does with each partition it owns. */
export interface PartitionHandler<S> {
  /** This member starts (or restarts) reading `partition`: its state, and the committed offset it resumes from. */
  open(partition: number): Promise<{ state: S; offset: number | null }>;
  /** One batch, in offset order. Throws when its outputs could not be written: the partition is then rebuilt. */
  step(partition: number, state: S, records: readonly ConsumedRecord[]): Promise<void>;
}

/** How far a partition's state has read. */
export interface PartitionProgress {
  /** The next offset to read: every record before it is in the state (markers and aborted records count as read). */
  readonly position: number;
  /** Wall-clock ms of the last batch that brought records (or of the state's opening). */
  readonly advancedAt: number;
}

/** The serial loop over a group's partitions. */
export interface PartitionLoop<S> {
  start(): Promise<void>;
  /** Lets the batch in hand finish (outputs written, offsets committed), then leaves the group. */
  stop(): Promise<void>;
  /** Runs `work` on each partition's state in the loop's queue (between batches); a failure rebuilds the partition. */
  forEach(work: (partition: number, state: S, progress: PartitionProgress) => Promise<void>): Promise<void>;
}

export interface PartitionLoopOptions<S> {
  consumer: GroupConsumer;
  topic: string;
  handler: PartitionHandler<S>;
  logger: Logger;
  /** Wall clock, ms (progress times only). */
  now: () => number;
  /** Called on every group join (metrics). */
  onJoin?: (partitions: number[]) => void;
  onRewind?: (partition: number) => void;
  /** Each batch's lag: records (and transaction markers) still behind it in the partition. */
  onLag?: (partition: number, lag: number) => void;
  /** Pause before re-reading a partition whose outputs failed (the broker or a sink is probably down). */
  retryPauseMs?: number;
}

/** Seeks back to a position before a gap is accepted as records the log no longer has (retention deleted them). */
const GAP_SEEKS = 5;

interface Owned<S> {
  state: S;
  position: number;
  advancedAt: number;
  /** Consecutive batches that started past `position`. */
  gaps: number;
}

/**
 * One loop for a consumer group: batches and the idle work run one at a time (a serial queue), state is per partition
 * and dropped on every group join (kafkajs rebalances eagerly), batches of an older generation are skipped, and a
 * failed step rebuilds the partition from its commit.
 *
 * The loop tracks each state's position itself rather than trusting the consumer's: a state is only ever fed the
 * records that follow what it has read. A batch fetched from further on (fetched before a rebalance or a seek, or
 * from an offset the consumer committed-read at another moment than this state's checkpoint) is not taken: the
 * consumer is sent back to the state's position.
 */
export function createPartitionLoop<S>(options: PartitionLoopOptions<S>): PartitionLoop<S> {
  const { consumer, topic, handler, logger, now } = options;
  const owned = new Map<number, Owned<S>>();
  let generation = 0;
  let stopping = false;
  let queue: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>): Promise<void> => {
    const run = queue.then(work);
    queue = run.catch(() => {});
    return run;
  };

  const open = async (partition: number, fallback: number): Promise<Owned<S>> => {
    const { state, offset } = await handler.open(partition);
    const entry = { state, position: offset ?? fallback, advancedAt: now(), gaps: 0 };
    owned.set(partition, entry);
    return entry;
  };

  const rewind = async (partition: number, error: unknown, gen: number): Promise<void> => {
    owned.delete(partition);
    // The group moved on meanwhile: the partition's new owner rebuilds it (re-opening here would fence that owner).
    if (gen !== generation || stopping) return;
    options.onRewind?.(partition);
    logger.warn({ err: error, partition }, 'writing outputs failed; re-reading the partition from its commit');
    await new Promise((resolve) => setTimeout(resolve, options.retryPauseMs ?? 1_000));
    if (gen !== generation || stopping) return;
    try {
      // Re-read now, not with the next batch: the failed step may have been the partition's last input.
      const entry = await open(partition, 0);
      consumer.seek({ topic, partition, offset: String(entry.position) });
    } catch (again) {
      owned.delete(partition);
      // The next batch opens the partition again (and seeks back if it starts past the commit).
      logger.warn({ err: again, partition }, 'reading the commit failed; retrying with the next batch');
    }
  };

  const onBatch = (batch: ConsumedBatch) =>
    serial(async () => {
      if (batch.generation !== generation || stopping || batch.records.length === 0) return;
      const partition = batch.partition;
      try {
        const entry = owned.get(partition) ?? (await open(partition, batch.fetchedOffset));
        if (batch.fetchedOffset > entry.position) {
          if (++entry.gaps <= GAP_SEEKS) {
            consumer.seek({ topic, partition, offset: String(entry.position) });
            return;
          }
          logger.error(
            { partition, from: entry.position, to: batch.fetchedOffset },
            'records before this batch are no longer in the log (retention?): the analysis goes on without them',
          );
          entry.position = batch.fetchedOffset;
        }
        entry.gaps = 0;
        const records = batch.records.filter((r) => Number(r.offset) >= entry.position);
        options.onLag?.(partition, batch.lag);
        await handler.step(partition, entry.state, records);
        entry.position = Math.max(entry.position, batch.nextOffset);
        entry.advancedAt = now();
      } catch (error) {
        await rewind(partition, error, batch.generation);
      }
    });

  // A marker-only run: the position moves past it when it follows what was read (it holds no record to miss).
  const onSkipped = (range: SkippedRange) => {
    const gen = generation;
    void serial(async () => {
      const entry = owned.get(range.partition);
      if (gen !== generation || entry === undefined || range.firstOffset > entry.position) return;
      entry.position = Math.max(entry.position, range.nextOffset);
    });
  };

  const onAssigned = (assignment: Assignment[], gen: number) => {
    generation = gen;
    owned.clear();
    const partitions = assignment.find((a) => a.topic === topic)?.partitions ?? [];
    options.onJoin?.(partitions);
    logger.info({ generation: gen, partitions }, 'partitions assigned; state is rebuilt from the committed offsets');
  };

  return {
    start: () => consumer.start({ onAssigned, onBatch, onSkipped }),
    async stop() {
      stopping = true;
      await queue;
      await consumer.stop();
    },
    forEach: (work) =>
      serial(async () => {
        // A snapshot: a failed partition is re-opened (re-inserted) by its rewind, and must not be visited again here.
        for (const [partition, entry] of [...owned]) {
          if (stopping) return;
          try {
            await work(partition, entry.state, entry);
          } catch (error) {
            await rewind(partition, error, generation);
          }
        }
      }),
  };
}
