import type {
  Assignment,
  CommitOffset,
  ConsumedRecord,
  GroupConsumer,
  GroupHandlers,
  GroupOffset,
  OffsetReader,
  OutgoingRecord,
  TransactionalWriter,
} from '@otptrace/kafka';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES, partitionForKey, splitIntoRequests } from '@otptrace/kafka';
import { createLogger, createMetrics } from '@otptrace/runtime';
import { type AttemptRecord, eventJson, eventRecordValue, type NormalizedEvent } from '@otptrace/schemas';
import type { CorrelatorPorts } from '../src/correlator.js';

export {
  eventsOf,
  generatedDay,
  offlineAttempts,
  scenarioFiles,
  shiftedCorpus,
} from '../../../packages/core/stream/test/corpus.js';

export const EVENTS = 'otptrace.events';
export const GROUP = 'otptrace-correlator';

/** An in-memory partitioned events topic, keyed as the collector keys it: by site. */
export class MemoryLog {
  readonly partitions: ConsumedRecord[][];
  constructor(count: number) {
    this.partitions = Array.from({ length: count }, () => []);
  }
  /** One event in a record of its own, as a bare object (the events topic's first format, UTF-8, still read). */
  append(event: NormalizedEvent, site = 'default'): void {
    this.appendRecord(site, JSON.stringify(event));
  }
  /** Events of one site in one record, as the collector writes a batch's events. */
  appendBatch(events: readonly NormalizedEvent[], site = 'default'): void {
    this.appendRecord(site, eventRecordValue(events.map(eventJson)));
  }
  appendRecord(key: string, value: string): void {
    const partition = partitionForKey(key, this.partitions.length);
    const list = this.partitions[partition] as ConsumedRecord[];
    list.push({
      topic: EVENTS,
      partition,
      offset: String(list.length),
      key,
      value: Buffer.from(value),
      timestamp: '0',
      headers: {},
    });
  }
}

/**
 * The broker's side of exactly-once: committed transactions (records and the group's offsets, with metadata) are
 * visible, an aborted or failed one leaves no trace.
 */
export class MemoryBroker {
  /** The events topic, for the log-end offsets. */
  log: MemoryLog | undefined;
  readonly committed: OutgoingRecord[] = [];
  readonly offsets = new Map<number, { offset: string; metadata: string }>();
  failing = false;
  transactions = 0;
  /** Every topic's max.message.bytes: a transaction with a record larger fails, as a real broker's does. */
  maxMessageBytes = KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  /** The epoch of each partition's transactional id: a writer that connected before the latest one is fenced. */
  private readonly epochs = new Map<number, number>();
  fenced = 0;
  writer(partition: number): TransactionalWriter {
    let epoch = -1;
    return {
      connect: async () => {
        epoch = (this.epochs.get(partition) ?? 0) + 1;
        this.epochs.set(partition, epoch);
      },
      disconnect: async () => {},
      commit: async (records: readonly OutgoingRecord[], offset: GroupOffset) => {
        if (this.failing) throw new Error('broker down');
        splitIntoRequests(records, () => this.maxMessageBytes);
        if (epoch !== this.epochs.get(partition)) {
          this.fenced++;
          throw new Error('producer fenced');
        }
        this.transactions++;
        this.committed.push(...records);
        this.offsets.set(offset.partition, { offset: offset.offset, metadata: offset.metadata });
      },
    };
  }
  reader(): OffsetReader {
    return {
      connect: async () => {},
      disconnect: async () => {},
      read: async (_group, _topic, partition) => this.offsets.get(partition) ?? null,
      end: async (_topic, partition) => this.log?.partitions[partition]?.length ?? 0,
    };
  }
  attempts(): AttemptRecord[] {
    return this.committed
      .filter((r) => r.topic === 'otptrace.attempts')
      .map((r) => JSON.parse(String(r.value)) as AttemptRecord);
  }
}

/** A consumer-group member over a MemoryLog, driven by the test; it starts each partition at the group's commit. */
export class MemoryConsumer implements GroupConsumer {
  handlers: GroupHandlers | undefined;
  readonly position = new Map<number, number>();
  private generation = 0;
  constructor(
    readonly log: MemoryLog,
    private readonly broker: MemoryBroker,
    private assigned: number[],
  ) {}
  async start(handlers: GroupHandlers): Promise<void> {
    this.handlers = handlers;
    await this.rejoin(this.assigned);
  }
  /**
   * A rebalance: every assigned partition restarts at its committed offset, as kafkajs does; `keep` keeps the reading
   * positions instead (as a batch fetched before the rebalance and delivered after it would).
   */
  async rejoin(partitions: number[], keep = false): Promise<void> {
    this.assigned = partitions;
    this.generation++;
    const before = new Map(this.position);
    this.position.clear();
    for (const p of partitions)
      this.position.set(p, keep && before.has(p) ? (before.get(p) as number) : this.committedOffset(p));
    const assignment: Assignment[] = [{ topic: EVENTS, partitions }];
    await this.handlers?.onAssigned(assignment, this.generation);
  }
  private committedOffset(partition: number): number {
    return Number(this.broker.offsets.get(partition)?.offset ?? 0);
  }
  /** Delivers up to `max` records of each assigned partition. Returns how many were delivered. */
  async poll(max = 5): Promise<number> {
    let delivered = 0;
    for (const [p, from] of this.position) {
      const log = this.log.partitions[p] ?? [];
      const records = log.slice(from, from + max);
      this.position.set(p, from + records.length);
      delivered += records.length;
      const batch = {
        topic: EVENTS,
        partition: p,
        records,
        highWatermark: String(log.length),
        lag: log.length - from - records.length,
        generation: this.generation,
        fetchedOffset: from,
        nextOffset: from + records.length,
      };
      await this.handlers?.onBatch(batch, async () => {});
    }
    return delivered;
  }
  async commit(_offsets: readonly CommitOffset[]): Promise<void> {
    throw new Error('the correlator commits in transactions only');
  }
  seek(offset: CommitOffset): void {
    this.position.set(offset.partition, Number(offset.offset));
  }
  async stop(): Promise<void> {}
}

/** Ports of one correlator over the broker, with a controllable clock. */
/**
 * Where the tests' wall clock starts: after every event of their corpora (2026), as when logs are replayed or
 * backfilled; a test of a live stream sets its clock near its events.
 */
export const REPLAY_WALL_CLOCK = Date.parse('2027-01-01T00:00:00Z');

export function memoryPorts(consumer: MemoryConsumer, broker: MemoryBroker, clock: { now: number }): CorrelatorPorts {
  return {
    consumer,
    offsets: broker.reader(),
    writer: (partition) => broker.writer(partition),
    sinks: [],
    maxMessageBytes: () => broker.maxMessageBytes,
    logger: createLogger({ name: 'test', level: 'silent' }),
    metrics: createMetrics(),
    now: () => clock.now,
  };
}

/** Attempts by id, sorted: what two runs must agree on, field for field. */
export function byId(attempts: readonly AttemptRecord[]): AttemptRecord[] {
  return [...attempts].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}
