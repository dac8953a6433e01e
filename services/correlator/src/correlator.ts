import type { ConsumedRecord, GroupConsumer, OffsetReader, OutgoingRecord, TransactionalWriter } from '@otptrace/kafka';
import { createNormalizeContext } from '@otptrace/normalize';
import { engineConfigOf } from '@otptrace/pipeline';
import type { Logger, Metrics, Readiness } from '@otptrace/runtime';
import { normalizedEventSchema } from '@otptrace/schemas';
import { decodeCheckpoint, type PartitionStep, StreamPartition, type StreamRecord } from '@otptrace/stream';
import type { CorrelatorConfig } from './config.js';
import { createPartitionLoop } from './partition-loop.js';
import type { AttemptSink } from './sinks.js';

/** What the correlator talks to; tests pass in-memory ports. */
export interface CorrelatorPorts {
  consumer: GroupConsumer;
  offsets: OffsetReader;
  /** The transactional writer of one input partition (its id names the partition, which fences a stale owner). */
  writer: (partition: number) => TransactionalWriter;
  sinks: readonly AttemptSink[];
  logger: Logger;
  metrics: Metrics;
  /** Wall clock, ms: only for the idle flush, never for event time. */
  now: () => number;
}

export interface Correlator {
  start(): Promise<void>;
  stop(): Promise<void>;
  readiness(): Readiness;
  /** Runs the idle check now (a timer calls it every second; tests call it directly). */
  checkIdle(): Promise<void>;
}

/** A correlator: one member of the group. The analysis is @otptrace/stream's; this is wiring (README, "Topology"). */
export function createCorrelator(config: CorrelatorConfig, ports: CorrelatorPorts): Correlator {
  const { logger, metrics } = ports;
  const { events, attempts, late } = config.topics;
  const engine = engineConfigOf(config.analysis, createNormalizeContext(config.analysis), 'sorted');
  const settings = {
    engine,
    analysis: config.analysis,
    reorderMs: config.analysis.clockSkewToleranceMs + config.graceMs,
  };
  const count = {
    events: metrics.counter('otptrace_correlator_events_in_total', 'Records read from the events topic.'),
    invalid: metrics.counter('otptrace_correlator_records_invalid_total', 'Records that were not a valid event.'),
    attempts: metrics.counter('otptrace_correlator_attempts_out_total', 'Attempts published, by outcome.'),
    late: metrics.counter('otptrace_correlator_events_late_total', 'Events later than their place in event time.'),
    dropped: metrics.counter('otptrace_correlator_events_dropped_total', 'Events in no attempt, by reason.'),
    rebalances: metrics.counter('otptrace_correlator_rebalances_total', 'Group joins of this instance.'),
    rewinds: metrics.counter('otptrace_correlator_rewinds_total', 'Partitions re-read after a failed write.'),
  };
  const writers = new Map<number, TransactionalWriter>();
  let lastInputAt = ports.now();
  let running = false;
  let timer: NodeJS.Timeout | undefined;

  // Units and the offset they advance commit together; the sinks take the attempts first (they accept repeats).
  const publish = async (partition: number, step: PartitionStep) => {
    count.invalid(step.invalid);
    for (const d of step.drops) count.dropped(1, { reason: d.reason });
    if (step.commit === null) return;
    const out: OutgoingRecord[] = [];
    const analyzed = step.units.flatMap((u) => (u.kind === 'attempt' ? [u.attempt] : []));
    for (const a of analyzed) out.push({ topic: attempts.name, key: a.record.user, value: JSON.stringify(a.record) });
    for (const u of step.units)
      if (u.kind === 'late') out.push({ topic: late.name, key: u.site, value: JSON.stringify(u.event) });
    for (const sink of ports.sinks) await sink.write(analyzed);
    const writer = writers.get(partition);
    if (writer === undefined) throw new Error(`partition ${partition} has no writer`);
    const { offset, metadata } = step.commit;
    await writer.commit(out, {
      groupId: config.groupId,
      topic: events.name,
      partition,
      offset: String(offset),
      metadata,
    });
    for (const a of analyzed) count.attempts(1, { outcome: a.record.outcome });
    count.late(out.length - analyzed.length);
  };

  const loop = createPartitionLoop<StreamPartition>({
    consumer: ports.consumer,
    topic: events.name,
    logger,
    onJoin: () => count.rebalances(1),
    onRewind: () => count.rewinds(1),
    handler: {
      async open(partition) {
        // Fence the previous owner first (a member still finishing a batch), then read what it committed.
        const writer = ports.writer(partition);
        await writer.connect();
        void writers.get(partition)?.disconnect();
        writers.set(partition, writer);
        const committed = await ports.offsets.read(config.groupId, events.name, partition);
        const resume = committed === null ? null : decodeCheckpoint(Number(committed.offset), committed.metadata);
        return { state: new StreamPartition(settings, resume), offset: resume?.from ?? null };
      },
      async step(partition, state, records) {
        count.events(records.length);
        if (records.length > 0) lastInputAt = ports.now();
        await publish(partition, state.take(records.map(toStreamRecord)));
      },
    },
  });

  const checkIdle = async () => {
    if (!loop.caughtUp() || ports.now() - lastInputAt < config.idleFlushMs) return;
    await loop.forEach(async (partition, state) => {
      // Idle only if nothing new is in the log either (a rebalance or a slow fetch also leaves a gap in the input).
      const end = await ports.offsets.end(events.name, partition).catch(() => Number.POSITIVE_INFINITY);
      if (state.holding === 0 || end > (state.position ?? 0)) return;
      logger.info({ partition, records: state.holding }, 'input idle and caught up: closing attempts as end of input');
      await publish(partition, state.flush());
    });
  };

  return {
    async start() {
      await ports.offsets.connect();
      await loop.start();
      running = true;
      timer = setInterval(
        () => void checkIdle().catch((err: unknown) => logger.warn({ err }, 'idle flush failed')),
        1_000,
      );
      timer.unref();
      logger.info({ groupId: config.groupId, topic: events.name }, 'correlator started');
    },
    async stop() {
      running = false;
      clearInterval(timer);
      await loop.stop();
      for (const sink of ports.sinks) await sink.close?.();
      for (const writer of writers.values()) await writer.disconnect();
      await ports.offsets.disconnect();
    },
    readiness: () => ({ ready: running, reasons: running ? [] : ['not consuming'] }),
    checkIdle,
  };
}

/** A record of the events topic: its key is the site; a value that is not a valid event is counted and skipped. */
function toStreamRecord(record: ConsumedRecord): StreamRecord {
  const offset = Number(record.offset);
  const site = record.key ?? '';
  if (record.value === null) return { offset, site, event: null };
  try {
    const parsed = normalizedEventSchema.safeParse(JSON.parse(record.value.toString('utf8')));
    return { offset, site, event: parsed.success ? parsed.data : null };
  } catch {
    return { offset, site, event: null };
  }
}
