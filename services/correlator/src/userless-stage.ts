import type { Assignment, ConsumedBatch, GroupConsumer } from '@otptrace/kafka';
import type { AnalyzedAttempt } from '@otptrace/pipeline';
import type { Logger, Metrics } from '@otptrace/runtime';
import { type UserlessReport, UserlessResolver } from './userless.js';

/** What the user-less stage needs from the correlator. */
export interface UserlessStageDeps {
  topic: string;
  consumer: GroupConsumer;
  eventPartitions: number;
  expiryMs: number;
  logger: Logger;
  metrics: Metrics;
  /** Writes decided stand-alone attempts to the attempts topic and the sinks. */
  publish(attempts: AnalyzedAttempt[]): Promise<void>;
}

/** The second consumer group of the correlator: reads user-less reports and emits stand-alone attempts. */
export interface UserlessStage {
  start(): Promise<void>;
  stop(): Promise<void>;
  waiting(): number;
}

function parseReport(value: Buffer | null): UserlessReport | null {
  if (value === null) return null;
  try {
    return JSON.parse(value.toString('utf8')) as UserlessReport;
  } catch {
    return null;
  }
}

/** Creates the stage; like the main stage it commits only what it has emitted, and re-reads after a failed write. */
export function createUserlessStage(deps: UserlessStageDeps): UserlessStage {
  const resolvers = new Map<number, UserlessResolver>();
  const committed = new Map<number, number>();
  const startedAt = new Map<number, number>();
  const rewoundTo = new Map<number, number>();
  const resolverOf = (partition: number): UserlessResolver => {
    let resolver = resolvers.get(partition);
    if (resolver === undefined) {
      resolver = new UserlessResolver(deps.eventPartitions, deps.expiryMs);
      resolvers.set(partition, resolver);
    }
    return resolver;
  };
  const waitingCount = () => [...resolvers.values()].reduce((n, r) => n + r.waiting, 0);
  const waiting = deps.metrics.gauge(
    'otptrace_correlator_userless_waiting',
    'User-less client results awaiting reports.',
  );
  let generation = 0;
  let stopping = false;
  let queue: Promise<void> = Promise.resolve();

  const onAssigned = (_assignment: Assignment[], gen: number) => {
    generation = gen;
    resolvers.clear();
    committed.clear();
    startedAt.clear();
    rewoundTo.clear();
  };

  const processBatch = async (batch: ConsumedBatch) => {
    const resolver = resolverOf(batch.partition);
    const decided: AnalyzedAttempt[] = [];
    for (const record of batch.records) {
      const report = parseReport(record.value);
      if (report !== null) decided.push(...resolver.take(Number(record.offset), report));
    }
    await deps.publish(decided);
    const offset = resolver.commitOffset();
    if (offset !== null && committed.get(batch.partition) !== offset) {
      await deps.consumer.commit([{ topic: deps.topic, partition: batch.partition, offset: String(offset) }]);
      committed.set(batch.partition, offset);
    }
    waiting(waitingCount());
  };

  const onBatch = (batch: ConsumedBatch) => {
    const run = queue.then(async () => {
      const first = batch.records[0];
      if (batch.generation !== generation || stopping || first === undefined) return;
      const rewind = rewoundTo.get(batch.partition);
      if (rewind !== undefined) {
        // Batches fetched before the rewind took effect are skipped until the rewind offset comes back.
        if (Number(first.offset) > rewind) return;
        rewoundTo.delete(batch.partition);
        batch = { ...batch, records: batch.records.filter((r) => Number(r.offset) >= rewind) };
      }
      if (!startedAt.has(batch.partition)) startedAt.set(batch.partition, Number(first.offset));
      try {
        await processBatch(batch);
      } catch (error) {
        const offset = committed.get(batch.partition) ?? startedAt.get(batch.partition);
        deps.logger.warn(
          { err: error, partition: batch.partition, offset },
          'user-less stage could not write; re-reading',
        );
        resolvers.delete(batch.partition);
        if (offset !== undefined) {
          rewoundTo.set(batch.partition, offset);
          deps.consumer.seek({ topic: deps.topic, partition: batch.partition, offset: String(offset) });
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    });
    queue = run.catch(() => {});
    return run;
  };

  return {
    start: () => deps.consumer.start({ onAssigned, onBatch }),
    async stop() {
      stopping = true;
      await queue;
      await deps.consumer.stop();
    },
    waiting: waitingCount,
  };
}
