import type { ClosedAttempt, Drop } from '@otptrace/correlate';
import type {
  Assignment,
  ConsumedBatch,
  GroupConsumer,
  KafkaAdmin,
  OutgoingRecord,
  RecordProducer,
} from '@otptrace/kafka';
import { createNormalizeContext } from '@otptrace/normalize';
import { type AnalyzedAttempt, coverageOf, engineConfigOf, finishAttempt } from '@otptrace/pipeline';
import type { Logger, Metrics, Readiness } from '@otptrace/runtime';
import { type NormalizedEvent, normalizedEventSchema, type Source } from '@otptrace/schemas';
import type { CorrelatorConfig } from './config.js';
import { PartitionState } from './partition-state.js';
import type { AttemptSink } from './sinks.js';
import { userlessReports } from './userless.js';
import { createUserlessStage, type UserlessStage } from './userless-stage.js';

/** What the correlator talks to; tests pass in-memory ports. */
export interface CorrelatorPorts {
  consumer: GroupConsumer;
  /** Member of the second group, which reads the user-less topic (see userless.ts). */
  userlessConsumer: GroupConsumer;
  producer: RecordProducer;
  admin: Pick<KafkaAdmin, 'ensureTopics' | 'partitionCount'>;
  sinks: readonly AttemptSink[];
  logger: Logger;
  metrics: Metrics;
  /** Wall clock, ms: only for the idle flush, never for event time. */
  now: () => number;
}

/** A correlator: one member of the consumer group. */
export interface Correlator {
  start(): Promise<void>;
  stop(): Promise<void>;
  readiness(): Readiness;
  /** Runs the idle check now (the timer calls it every second; tests call it directly). */
  checkIdle(): Promise<void>;
}

/**
 * Builds a correlator. Each assigned partition has its own correlation engine (state moves with the partition on a
 * rebalance); attempts go to the attempts topic and the sinks before the partition's offset is committed.
 */
export function createCorrelator(config: CorrelatorConfig, ports: CorrelatorPorts): Correlator {
  const { logger, metrics } = ports;
  const context = createNormalizeContext(config.analysis);
  const engineConfig = engineConfigOf(config.analysis, context, 'stream');
  const states = new Map<number, PartitionState>();
  const lags = new Map<number, number>();
  const committed = new Map<number, number>();
  /** Offset each partition started from in this generation: where a failed step rewinds to before any commit. */
  const startedAt = new Map<number, number>();
  /** Partitions being re-read: batches fetched before the rewind are skipped until the rewind offset comes back. */
  const rewoundTo = new Map<number, number>();
  const sources = new Set<Source>();
  const m = {
    eventsIn: metrics.counter('otptrace_correlator_events_in_total', 'Events read from the events topic.'),
    invalid: metrics.counter('otptrace_correlator_records_invalid_total', 'Records that were not a valid event.'),
    attemptsOut: metrics.counter('otptrace_correlator_attempts_out_total', 'Attempts emitted, by outcome.'),
    late: metrics.counter(
      'otptrace_correlator_events_late_total',
      'Events later than the watermark (to the late topic).',
    ),
    dropped: metrics.counter('otptrace_correlator_events_dropped_total', 'Events not part of an attempt, by reason.'),
    lag: metrics.gauge('otptrace_correlator_lag_records', 'Records behind the end of each assigned partition.'),
    open: metrics.gauge('otptrace_correlator_open_attempts', 'Attempts still open on this instance.'),
    rebalances: metrics.counter('otptrace_correlator_rebalances_total', 'Group joins of this instance.'),
    rewinds: metrics.counter('otptrace_correlator_rewinds_total', 'Partitions re-read after a failed write.'),
  };
  let eventPartitions = 0;
  let generation = 0;
  let running = false;
  let stopping = false;
  let lastInputAt = ports.now();
  let timer: NodeJS.Timeout | undefined;
  // kafkajs hands batches one at a time; the idle flush joins the same queue so state is never touched twice at once.
  let queue: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>): Promise<void> => {
    const run = queue.then(work);
    queue = run.catch(() => {});
    return run;
  };

  const stateOf = (partition: number): PartitionState => {
    let state = states.get(partition);
    if (state === undefined) {
      state = new PartitionState(engineConfig);
      states.set(partition, state);
    }
    return state;
  };

  let userless: UserlessStage | undefined;

  const lateRecord = (event: NormalizedEvent): OutgoingRecord => ({
    topic: config.topics.late.name,
    key: event.user?.key ?? event.id,
    value: JSON.stringify(event),
  });

  const attemptRecord = (a: AnalyzedAttempt): OutgoingRecord => ({
    topic: config.topics.attempts.name,
    key: a.record.user,
    value: JSON.stringify(a.record),
  });

  /** Writes attempts (and any other records of the same step) to Kafka, then to the sinks. */
  const publish = async (analyzed: AnalyzedAttempt[], others: OutgoingRecord[] = []) => {
    await ports.producer.send([...analyzed.map(attemptRecord), ...others]);
    for (const sink of ports.sinks) await sink.write(analyzed);
    for (const a of analyzed) m.attemptsOut(1, { outcome: a.record.outcome });
  };

  // Attempts of a user are emitted by the partition that owns the user. A client result that names no user is seen
  // by every partition; each reports what it made of it, and the user-less stage decides (userless.ts).
  const emit = async (
    partition: number,
    out: { attempts: ClosedAttempt[]; late: NormalizedEvent[]; drops: Drop[] },
  ) => {
    const state = stateOf(partition);
    for (const s of state.sources) sources.add(s);
    const coverage = coverageOf(config.analysis, sources);
    const finish = (a: ClosedAttempt) => finishAttempt(a, coverage);
    const analyzed = out.attempts.filter((a) => a.userKey !== null).map(finish);
    const reports = userlessReports(partition, out.attempts, out.drops, finish).map(
      (r): OutgoingRecord => ({ topic: config.topics.userless.name, key: r.eventId, value: JSON.stringify(r) }),
    );
    await publish(analyzed, [...reports, ...out.late.map(lateRecord)]);
    if (out.late.length > 0) m.late(out.late.length);
    for (const d of out.drops) m.dropped(1, { reason: d.reason });
  };

  const commit = async (partition: number): Promise<void> => {
    const offset = states.get(partition)?.commitOffset();
    if (offset === null || offset === undefined || committed.get(partition) === offset) return;
    await ports.consumer.commit([{ topic: config.topics.events.name, partition, offset: String(offset) }]);
    committed.set(partition, offset);
  };

  // Outputs could not be written or committed: forget the partition's state and re-read it from its last commit,
  // after a pause (the broker or a sink is probably down). Nothing emitted-but-unwritten is lost that way.
  const rewind = async (partition: number, error: unknown) => {
    const offset = committed.get(partition) ?? startedAt.get(partition);
    states.delete(partition);
    if (offset !== undefined) rewoundTo.set(partition, offset);
    logger.warn({ err: error, partition, offset }, 'writing outputs failed; re-reading the partition from its commit');
    m.rewinds(1);
    if (offset !== undefined)
      ports.consumer.seek({ topic: config.topics.events.name, partition, offset: String(offset) });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  };

  const onBatch = (batch: ConsumedBatch) =>
    serial(async () => {
      if (batch.generation !== generation || stopping) return;
      const first = batch.records[0];
      if (first === undefined) return;
      const rewindOffset = rewoundTo.get(batch.partition);
      if (rewindOffset !== undefined) {
        if (Number(first.offset) > rewindOffset) return;
        rewoundTo.delete(batch.partition);
        batch = { ...batch, records: batch.records.filter((r) => Number(r.offset) >= rewindOffset) };
      }
      if (!startedAt.has(batch.partition)) startedAt.set(batch.partition, Number(first.offset));
      try {
        await processBatch(batch);
      } catch (error) {
        await rewind(batch.partition, error);
      }
    });

  const processBatch = async (batch: ConsumedBatch) => {
    const state = stateOf(batch.partition);
    for (const record of batch.records) {
      const parsed = parseEvent(record.value);
      if (parsed === null) {
        m.invalid(1);
        state.skip(Number(record.offset));
      } else state.take(Number(record.offset), parsed);
    }
    m.eventsIn(batch.records.length);
    if (batch.records.length > 0) lastInputAt = ports.now();
    lags.set(batch.partition, batch.lag);
    m.lag(batch.lag, { partition: String(batch.partition) });
    await emit(batch.partition, state.advance(config.graceMs));
    await commit(batch.partition);
    m.open([...states.values()].reduce((n, s) => n + s.openAttempts, 0));
  };

  const onAssigned = (assignment: Assignment[], gen: number) => {
    // kafkajs re-reads every assigned partition from its committed offset after a join: rebuild all state from there.
    generation = gen;
    states.clear();
    lags.clear();
    committed.clear();
    startedAt.clear();
    rewoundTo.clear();
    m.rebalances(1);
    const partitions = assignment.find((a) => a.topic === config.topics.events.name)?.partitions ?? [];
    logger.info({ generation: gen, partitions }, 'partitions assigned; state rebuilt from committed offsets');
  };

  const checkIdle = () =>
    serial(async () => {
      if (stopping || states.size === 0) return;
      const caughtUp = [...states.keys()].every((p) => (lags.get(p) ?? 1) === 0);
      if (!caughtUp || ports.now() - lastInputAt < config.idleFlushMs) return;
      let holding = 0;
      for (const s of states.values()) holding += s.holding;
      if (holding === 0) return;
      logger.info({ holding }, 'input idle and caught up: closing open attempts as end of input');
      for (const [partition, state] of states) {
        try {
          await emit(partition, state.flush());
          await commit(partition);
        } catch (error) {
          await rewind(partition, error);
        }
      }
      m.open(0);
    });

  return {
    async start() {
      const { events, attempts, late } = config.topics;
      if (config.createTopics) await ports.admin.ensureTopics([events, attempts, late, config.topics.userless]);
      eventPartitions = await ports.admin.partitionCount(events.name);
      if (eventPartitions !== events.partitions) {
        throw new Error(`topic ${events.name}: ${eventPartitions} partitions, configured ${events.partitions}`);
      }
      await ports.producer.connect();
      userless = createUserlessStage({
        topic: config.topics.userless.name,
        consumer: ports.userlessConsumer,
        eventPartitions,
        expiryMs: config.userlessExpiryMs,
        logger,
        metrics,
        publish: (decided) => publish(decided),
      });
      await userless.start();
      await ports.consumer.start({ onAssigned, onBatch });
      running = true;
      timer = setInterval(() => {
        checkIdle().catch((error: unknown) => logger.error({ err: error }, 'idle flush failed'));
      }, 1_000);
      timer.unref();
      logger.info({ groupId: config.groupId, eventPartitions }, 'correlator started');
    },
    async stop() {
      stopping = true;
      clearInterval(timer);
      // Let the batch in hand finish (its outputs written, its offset committed), then leave the group.
      await queue;
      await ports.consumer.stop();
      await userless?.stop();
      for (const sink of ports.sinks) await sink.close?.();
      await ports.producer.disconnect();
      running = false;
    },
    readiness() {
      const reasons: string[] = [];
      if (!running) reasons.push('not consuming');
      if (stopping) reasons.push('shutting down');
      return { ready: reasons.length === 0, reasons };
    },
    checkIdle,
  };
}

function parseEvent(value: Buffer | null): NormalizedEvent | null {
  if (value === null) return null;
  try {
    const parsed = normalizedEventSchema.safeParse(JSON.parse(value.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
