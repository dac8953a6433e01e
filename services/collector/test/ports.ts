import { KafkaAdapterError, type OutgoingRecord, type RecordProducer, type TopicSpec } from '@otptrace/kafka';
import { createLogger, createMetrics } from '@otptrace/runtime';
import { eventsOfRecordValue, type NormalizedEvent } from '@otptrace/schemas';
import type { CollectorPorts } from '../src/collector.js';

/** An in-memory producer: keeps what was "acknowledged"; `failNext` makes sends fail as a lost broker would. */
export class MemoryProducer implements RecordProducer {
  readonly acknowledged: OutgoingRecord[] = [];
  unavailable = false;
  /** When set, sends wait for this promise (to hold batches in flight). */
  gate: Promise<void> | null = null;
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async send(records: readonly OutgoingRecord[]): Promise<void> {
    if (this.gate) await this.gate;
    if (this.unavailable) {
      throw new KafkaAdapterError('produce: connect ECONNREFUSED', { retriable: true, code: 'connection' });
    }
    this.acknowledged.push(...records);
  }
}

/** The events of the records written to `topic` (the events topic), in order: each record holds a batch's events. */
export function publishedEvents(producer: MemoryProducer, topic = 'otptrace.events'): NormalizedEvent[] {
  return producer.acknowledged
    .filter((r) => r.topic === topic)
    .flatMap((r) => eventsOfRecordValue(JSON.parse(String(r.value))) as NormalizedEvent[]);
}

/** The XML texts of the events whose raw records were written to `topic`, in order (each record holds a batch's). */
export function publishedRaw(producer: MemoryProducer, topic = 'otptrace.raw'): string[] {
  return producer.acknowledged
    .filter((r) => r.topic === topic)
    .flatMap((r) => String(r.value).split(/\n(?=<Event[\s>])/));
}

/** Ports of a collector over an in-memory producer and an admin that knows topics' partition counts. */
export function memoryPorts(eventPartitions = 4): CollectorPorts & { producer: MemoryProducer; created: TopicSpec[] } {
  const created: TopicSpec[] = [];
  return {
    producer: new MemoryProducer(),
    created,
    admin: {
      ensureTopics: async (specs) => {
        created.push(...specs);
        return specs.map((s) => ({ name: s.name, created: true, partitions: s.partitions }));
      },
      partitionCount: async () => eventPartitions,
      maxMessageBytes: async (names) =>
        new Map(
          created
            .filter((spec) => names.includes(spec.name) && spec.configs['max.message.bytes'] !== undefined)
            .map((spec) => [spec.name, Number(spec.configs['max.message.bytes'])]),
        ),
    },
    logger: createLogger({ name: 'test', level: 'silent' }),
    metrics: createMetrics(),
  };
}
