import { readdirSync, readFileSync } from 'node:fs';
import type {
  Assignment,
  CommitOffset,
  ConsumedRecord,
  GroupConsumer,
  GroupHandlers,
  OutgoingRecord,
  RecordProducer,
} from '@otptrace/kafka';
import { partitionForKey } from '@otptrace/kafka';
import { createNormalizeContext } from '@otptrace/normalize';
import { OfflineAnalysis, XmlIngestor } from '@otptrace/pipeline';
import { createLogger, createMetrics } from '@otptrace/runtime';
import {
  type AnalysisConfig,
  type AttemptRecord,
  DEFAULT_ANALYSIS_CONFIG,
  type NormalizedEvent,
} from '@otptrace/schemas';
import type { CorrelatorPorts } from '../src/correlator.js';

export const EVENTS = 'otptrace.events';
export const USERLESS = 'otptrace.userless';
const scenarios = new URL('../../../test/scenarios/', import.meta.url);

/** Names of the scenarios of test/scenarios (each a folder of real-format client, IIS, NPS and CA renderings). */
export function scenarioNames(): string[] {
  return (
    readdirSync(scenarios, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      // Scenarios that hold IIS W3C or NPS log files (issue 13) are read here through their XML files only: left out.
      .filter(
        (d) =>
          !readdirSync(new URL(`${d.name}/`, scenarios), { recursive: true }).some((f) => String(f).endsWith('.log')),
      )
      .map((d) => d.name)
      .sort()
  );
}

/** The log files of one scenario, as [name, bytes]. */
export function scenarioFiles(name: string): Array<[string, Buffer]> {
  return readdirSync(new URL(`${name}/`, scenarios))
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f): [string, Buffer] => [`${name}/${f}`, readFileSync(new URL(`${name}/${f}`, scenarios))]);
}

/** The offline analysis (`otptrace analyze`) of the files: the reference the stream must match. */
export function offlineAttempts(files: Array<[string, Buffer]>, config: AnalysisConfig = DEFAULT_ANALYSIS_CONFIG) {
  const analysis = new OfflineAnalysis(config);
  for (const [name, bytes] of files) {
    const ingestor = new XmlIngestor(analysis.context, { maxEventBytes: config.maxEventBytes });
    analysis.add(name, [...ingestor.push(bytes), ...ingestor.end()]);
  }
  return analysis.finish().attempts.map((a) => a.record);
}

/** The normalised events of the files, as the collector would publish them. */
export function eventsOf(files: Array<[string, Buffer]>): NormalizedEvent[] {
  const ctx = createNormalizeContext(DEFAULT_ANALYSIS_CONFIG);
  return files.flatMap(([, bytes]) => {
    const ingestor = new XmlIngestor(ctx, { maxEventBytes: DEFAULT_ANALYSIS_CONFIG.maxEventBytes });
    return [...ingestor.push(bytes), ...ingestor.end()].flatMap((i) => (i.type === 'event' ? [i.event] : []));
  });
}

/** An in-memory partitioned log: the collector's keying (user key, or a copy to every partition). */
export class MemoryLog {
  readonly partitions: ConsumedRecord[][];
  constructor(
    count: number,
    private readonly topic = EVENTS,
  ) {
    this.partitions = Array.from({ length: count }, () => []);
  }
  /** Appends as the collector does: keyed by user, or a copy to every partition for a user-less event. */
  append(event: NormalizedEvent): void {
    const targets = event.user ? [partitionForKey(event.user.key, this.partitions.length)] : this.partitions.keys();
    for (const p of targets) this.appendRecord(event.user?.key ?? event.id, JSON.stringify(event), p);
  }
  /** Appends one record, to `partition` or to the key's partition. */
  appendRecord(key: string, value: string, partition = partitionForKey(key, this.partitions.length)): void {
    const list = this.partitions[partition] as ConsumedRecord[];
    list.push({
      topic: this.topic,
      partition,
      offset: String(list.length),
      key,
      value: Buffer.from(value),
      timestamp: '0',
      headers: {},
    });
  }
}

/** A consumer-group member over a MemoryLog, driven by the test. */
export class MemoryConsumer implements GroupConsumer {
  handlers: GroupHandlers | undefined;
  readonly commits = new Map<number, string>();
  readonly position = new Map<number, number>();
  private generation = 0;
  constructor(
    private readonly log: MemoryLog,
    private readonly assigned: number[],
    private readonly topic = EVENTS,
  ) {}
  async start(handlers: GroupHandlers): Promise<void> {
    this.handlers = handlers;
    await this.rejoin(this.assigned);
  }
  /** A rebalance: every assigned partition restarts at its committed offset, as kafkajs does. */
  async rejoin(partitions: number[]): Promise<void> {
    this.generation++;
    this.position.clear();
    const assignment: Assignment[] = [{ topic: this.topic, partitions }];
    for (const p of partitions) this.position.set(p, Number(this.commits.get(p) ?? 0));
    await this.handlers?.onAssigned(assignment, this.generation);
  }
  /** Delivers up to `max` records of each assigned partition. Returns how many were delivered. */
  async poll(max = 5): Promise<number> {
    let delivered = 0;
    for (const [p, from] of this.position) {
      const log = this.log.partitions[p] ?? [];
      const records = log.slice(from, from + max);
      if (records.length === 0) {
        await this.handlers?.onBatch(
          {
            topic: this.topic,
            partition: p,
            records,
            highWatermark: String(log.length),
            lag: 0,
            generation: this.generation,
          },
          async () => {},
        );
        continue;
      }
      this.position.set(p, from + records.length);
      delivered += records.length;
      const lag = log.length - from - records.length;
      await this.handlers?.onBatch(
        {
          topic: this.topic,
          partition: p,
          records,
          highWatermark: String(log.length),
          lag,
          generation: this.generation,
        },
        async () => {},
      );
    }
    return delivered;
  }
  async commit(offsets: readonly CommitOffset[]): Promise<void> {
    for (const o of offsets) this.commits.set(o.partition, o.offset);
  }
  seek(offset: CommitOffset): void {
    this.position.set(offset.partition, Number(offset.offset));
  }
  async stop(): Promise<void> {}
}

/** Collects what the correlator publishes; records of the user-less topic are appended to `userlessLog`. */
export class MemoryProducer implements RecordProducer {
  readonly records: OutgoingRecord[] = [];
  failing = false;
  constructor(private readonly userlessLog: MemoryLog) {}
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async send(records: readonly OutgoingRecord[]): Promise<void> {
    if (this.failing) throw new Error('broker down');
    this.records.push(...records);
    for (const r of records) if (r.topic === USERLESS) this.userlessLog.appendRecord(r.key ?? '', String(r.value));
  }
  attempts(topic = 'otptrace.attempts'): AttemptRecord[] {
    return this.records.filter((r) => r.topic === topic).map((r) => JSON.parse(String(r.value)) as AttemptRecord);
  }
}

/** Ports over MemoryLogs (events, and the user-less topic with 3 partitions) with a controllable clock. */
export function memoryPorts(consumer: MemoryConsumer, partitions: number, clock: { now: number }) {
  const userlessLog = new MemoryLog(3, USERLESS);
  const userlessConsumer = new MemoryConsumer(userlessLog, [0, 1, 2], USERLESS);
  const producer = new MemoryProducer(userlessLog);
  const ports: CorrelatorPorts = {
    consumer,
    userlessConsumer,
    producer,
    admin: {
      ensureTopics: async (specs) => specs.map((s) => ({ name: s.name, created: true, partitions: s.partitions })),
      partitionCount: async () => partitions,
    },
    sinks: [],
    logger: createLogger({ name: 'test', level: 'silent' }),
    metrics: createMetrics(),
    now: () => clock.now,
  };
  return { ports, producer, userlessConsumer };
}

/** The fields that make a verdict, for comparing stream and offline. */
export function verdicts(attempts: readonly AttemptRecord[]) {
  return [...new Map(attempts.map((a) => [a.id, a])).values()]
    .map((a) => ({
      id: a.id,
      traceId: a.traceId,
      user: a.user,
      outcome: a.outcome,
      failedStage: a.failedStage,
      rootCause: a.rootCause?.code ?? null,
      evidence: a.evidence.length,
      gatewayAmbiguous: a.gatewayAmbiguous,
    }))
    .sort((x, y) => (x.id < y.id ? -1 : 1));
}

/**
 * Every scenario on one stream, as a long run of logons: scenario i moves to day i after 2026-08-01, before the
 * scenarios' own date (so that no collector clock finds them in the future), and its
 * EventRecordIDs get i·10⁹ added, so scenarios neither overlap in time nor share record identities. The text keeps
 * its encoding (UTF-16LE files stay UTF-16LE with their byte-order mark).
 */
export function shiftedCorpus(names: readonly string[] = scenarioNames()): Array<[string, Buffer]> {
  return names.flatMap((name, i) =>
    scenarioFiles(name).map(([file, bytes]): [string, Buffer] => {
      const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe;
      const text = utf16 ? bytes.subarray(2).toString('utf16le') : bytes.toString('utf8');
      const day = new Date(Date.UTC(2026, 7, 1) + i * 86_400_000).toISOString().slice(0, 10);
      const shifted = text
        .replace(/2026-11-02/g, day)
        .replace(/<EventRecordID>(\d+)</g, (_, n: string) => `<EventRecordID>${Number(n) + i * 1e9}<`);
      return [
        file,
        utf16 ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(shifted, 'utf16le')]) : Buffer.from(shifted),
      ];
    }),
  );
}
