import type { ConsumedRecord, GroupConsumer, OffsetReader, TransactionalWriter } from '@otptrace/kafka';
import { createNormalizeContext } from '@otptrace/normalize';
import { engineConfigOf } from '@otptrace/pipeline';
import type { Logger, Metrics, Readiness } from '@otptrace/runtime';
import { eventsOfRecordValue, guardedParser, type NormalizedEvent, normalizedEventSchema } from '@otptrace/schemas';
import { decodeCheckpoint, reorderWindowMs, StreamPartition, type StreamRecord } from '@otptrace/stream';
import type { CorrelatorConfig } from './config.js';
import { createOutputs } from './outputs.js';
import { createPartitionLoop } from './partition-loop.js';
import type { AttemptSink } from './sinks.js';

/** What the correlator talks to; tests pass in-memory ports. */
export interface CorrelatorPorts {
  consumer: GroupConsumer;
  offsets: OffsetReader;
  /** The transactional writer of one input partition (its id names the partition, which fences a stale owner). */
  writer: (partition: number) => TransactionalWriter;
  sinks: readonly AttemptSink[];
  /**
   * Each output topic's max.message.bytes, learned from the cluster at start-up (main.ts); an attempt larger than its
   * topic takes is published with its evidence cut to fit. Default: Kafka's own default.
   */
  maxMessageBytes?: (topic: string) => number;
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
  const topic = config.topics.events.name;
  const engine = engineConfigOf(config.analysis, createNormalizeContext(config.analysis), 'sorted');
  const reorderMs = reorderWindowMs(config.analysis, config.graceMs);
  const settings = { engine, analysis: config.analysis, reorderMs };
  const outputs = createOutputs(config, ports);
  const eventsIn = metrics.counter('otptrace_correlator_events_in_total', 'Events read from the events topic.');
  const joins = metrics.counter('otptrace_correlator_rebalances_total', 'Group joins of this instance.');
  const rewinds = metrics.counter('otptrace_correlator_rewinds_total', 'Partitions re-read after a failed write.');
  const flushes = metrics.counter('otptrace_correlator_idle_flushes_total', 'Partitions closed as end of input.');
  const lag = metrics.gauge('otptrace_correlator_lag_records', 'Records behind the end of each assigned partition.');
  const npsClockAhead = metrics.gauge(
    'otptrace_correlator_da_server_nps_clock_ahead_seconds',
    "How far each DA server's NPS clock is ahead of its own (negative: behind), as the IIS join learned it from the " +
      'logs (0: within half a second, or not learned).',
  );
  /** Per site, the DA servers the gauge shows an offset for: set back to 0 once none is learned. */
  const clocksShown = new Map<string, Set<string>>();
  const showClocks = (state: StreamPartition): void => {
    for (const { site, servers } of state.learnedServers()) {
      const shown = new Set<string>();
      for (const { server, offsetMs } of servers)
        if (offsetMs !== 0) {
          shown.add(server);
          npsClockAhead(offsetMs / 1000, { site, server });
        }
      for (const server of clocksShown.get(site) ?? []) if (!shown.has(server)) npsClockAhead(0, { site, server });
      clocksShown.set(site, shown);
    }
  };
  const analysisCpu = metrics.counter(
    'otptrace_correlator_analysis_cpu_seconds_total',
    'CPU time of decoding, validating and analysing records (the Kafka client and the outputs excluded).',
  );
  let running = false;
  let timer: NodeJS.Timeout | undefined;

  const loop = createPartitionLoop<StreamPartition>({
    consumer: ports.consumer,
    topic,
    logger,
    now: ports.now,
    retryPauseMs: config.retryPauseMs,
    onJoin: () => joins(1),
    onRewind: () => rewinds(1),
    onLag: (partition, behind) => lag(behind, { partition: String(partition) }),
    handler: {
      async open(partition) {
        // Fence the previous owner first (a member still finishing a batch), then read what it committed.
        await outputs.claim(partition);
        const committed = await ports.offsets.read(config.groupId, topic, partition);
        const resume = committed === null ? null : decodeCheckpoint(Number(committed.offset), committed.metadata);
        return { state: new StreamPartition(settings, resume), offset: resume?.from ?? null };
      },
      async step(partition, state, records) {
        const before = process.cpuUsage();
        const taken = records.map(toStreamRecord);
        const step = state.take(taken);
        const used = process.cpuUsage(before);
        analysisCpu((used.user + used.system) / 1e6);
        await outputs.publish(partition, step);
        showClocks(state);
        // Counted once taken and committed: a benchmark reads the throughput off this counter.
        eventsIn(taken.reduce((n, r) => n + r.events.length, 0));
      },
    },
  });

  // Decided per partition inside the loop's queue, between batches: a partition is idle when it has read its whole log
  // (a state still re-reading after a rebalance is not, however long a batch took) and no record came for a while:
  // idleFlushMs, or idleFlushSettleMs while its newest server event is that recent by the wall clock (a live site,
  // whose open attempts may still get their next step).
  const checkIdle = () =>
    loop.forEach(async (partition, state, progress) => {
      const now = ports.now();
      const quiet = now - progress.advancedAt;
      if (state.holding === 0 || quiet < config.idleFlushMs) return;
      if (quiet < config.idleFlushSettleMs && now - state.newestServerTime < config.idleFlushSettleMs) return;
      const end = await ports.offsets.end(topic, partition).catch(() => Number.POSITIVE_INFINITY);
      if (progress.position < end) return;
      logger.info({ partition, records: state.holding }, 'input idle and caught up: closing attempts as end of input');
      await outputs.publish(partition, state.flush());
      flushes(1);
    });

  return {
    async start() {
      await ports.offsets.connect();
      await loop.start();
      running = true;
      timer = setInterval(() => void checkIdle().catch((err) => logger.warn({ err }, 'idle flush failed')), 1_000);
      timer.unref();
      logger.info({ groupId: config.groupId, topic }, 'correlator started');
    },
    async stop() {
      running = false;
      clearInterval(timer);
      await loop.stop();
      await outputs.close();
      await ports.offsets.disconnect();
    },
    readiness: () => ({ ready: running, reasons: running ? [] : ['not consuming'] }),
    checkIdle,
  };
}

/**
 * The schema's parse of an event: an event the collector wrote passes a guard compiled from the schema and is taken
 * as JSON.parse made it (zod's safeParse would copy every object of it, the costliest part of reading a record).
 */
const parseEvent = guardedParser(normalizedEventSchema);

/** The schema's parse of one event of a record, or null when it is not a valid event. */
function validEvent(value: unknown): NormalizedEvent | null {
  try {
    return parseEvent(value);
  } catch {
    return null;
  }
}

/**
 * A record of the events topic (`eventRecordSchema`): its key is the site, its value the site's events in order. A
 * value that is not JSON counts as one invalid event; each element that is not a valid event is counted and skipped.
 */
function toStreamRecord(record: ConsumedRecord): StreamRecord {
  const offset = Number(record.offset);
  const site = record.key ?? '';
  if (record.value === null) return { offset, site, events: [null] };
  let value: unknown;
  try {
    value = JSON.parse(record.value.toString('utf8'));
  } catch {
    return { offset, site, events: [null] };
  }
  return { offset, site, events: eventsOfRecordValue(value).map(validEvent) };
}
