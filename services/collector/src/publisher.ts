import { KafkaAdapterError, type RecordProducer } from '@otptrace/kafka';
import { createNormalizeContext } from '@otptrace/normalize';
import { XmlIngestor } from '@otptrace/pipeline';
import type { Logger, Metrics } from '@otptrace/runtime';
import type { AnalysisConfig } from '@otptrace/schemas';
import type { CollectorTopics } from './config.js';
import { applySenderPolicy, batchRecords, type SenderPolicy } from './records.js';

/** What one batch came to. */
export interface BatchSummary {
  accepted: number;
  ignored: number;
  rejected: number;
}

/** Why a batch was not taken: the caller maps it to 429 (overloaded) or 503 (Kafka unavailable) or 500. */
export class BatchRefused extends Error {
  constructor(
    readonly kind: 'overloaded' | 'unavailable' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'BatchRefused';
  }
}

/** Turns bytes of EVTX-XML into Kafka records and publishes them; shared by the HTTP, file and stdin inputs. */
export interface Publisher {
  /**
   * Resolves once Kafka acknowledged every record of the batch; rejects with BatchRefused otherwise. With a sender,
   * its events of computers or sources it may not speak for are dead-lettered as computer_not_allowed.
   */
  publish(bytes: Uint8Array, origin: string, sender?: SenderPolicy): Promise<BatchSummary>;
  /** True while the last write to Kafka succeeded (or none failed yet). */
  kafkaAvailable(): boolean;
  inFlight(): number;
}

/** Everything the publisher needs. */
export interface PublisherDeps {
  producer: RecordProducer;
  /** Identity and plausibility settings, shared with `otptrace analyze`. */
  analysis: AnalysisConfig;
  /** Wall clock, ms: the reference for "too far in the future" (analysis.maxFutureMs). */
  now: () => number;
  topics: CollectorTopics;
  /** The site whose events this collector forwards: the events topic's key (services/correlator/README.md). */
  site: string;
  maxEventBytes: number;
  maxInFlight: number;
  logger: Logger;
  metrics: Metrics;
}

/** Creates the publisher; counters: events in/accepted/ignored/rejected, records out, refused batches. */
export function createPublisher(deps: PublisherDeps): Publisher {
  const { metrics } = deps;
  const eventsIn = metrics.counter('otptrace_collector_events_in_total', 'Events read, by input.');
  const accepted = metrics.counter('otptrace_collector_events_accepted_total', 'Events published to the events topic.');
  const ignored = metrics.counter('otptrace_collector_events_ignored_total', 'Events dropped early, by reason.');
  const rejected = metrics.counter('otptrace_collector_events_rejected_total', 'Events sent to dead letter, by code.');
  const recordsOut = metrics.counter('otptrace_collector_records_out_total', 'Kafka records acknowledged.');
  const refused = metrics.counter('otptrace_collector_batches_refused_total', 'Batches not taken, by kind.');
  let inFlight = 0;
  let available = true;

  return {
    kafkaAvailable: () => available,
    inFlight: () => inFlight,
    async publish(bytes, origin, sender) {
      if (inFlight >= deps.maxInFlight) {
        refused(1, { kind: 'overloaded' });
        throw new BatchRefused('overloaded', `${inFlight} batches are being written already`);
      }
      inFlight++;
      try {
        // A context per batch: its future bound follows the clock (cheap: a domain map and one RegExp).
        const context = createNormalizeContext(deps.analysis, deps.now());
        const ingestor = new XmlIngestor(context, { maxEventBytes: deps.maxEventBytes, keepRaw: true });
        const items = applySenderPolicy([...ingestor.push(bytes), ...ingestor.end()], sender);
        const batch = batchRecords(items, origin, deps.topics, deps.site);
        try {
          await deps.producer.send(batch.records);
          available = true;
        } catch (error) {
          const retriable = error instanceof KafkaAdapterError && error.retriable;
          if (retriable) available = false;
          refused(1, { kind: retriable ? 'unavailable' : 'failed' });
          deps.logger.warn({ err: error, origin, records: batch.records.length }, 'batch not written to Kafka');
          throw new BatchRefused(retriable ? 'unavailable' : 'failed', (error as Error).message);
        }
        const source = origin.split(':')[0] ?? origin;
        eventsIn(items.length, { input: source });
        accepted(batch.accepted);
        for (const [reason, n] of batch.ignored) ignored(n, { reason });
        for (const [code, n] of batch.rejected) rejected(n, { code });
        recordsOut(batch.records.length);
        const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
        return { accepted: batch.accepted, ignored: sum(batch.ignored), rejected: sum(batch.rejected) };
      } finally {
        inFlight--;
      }
    },
  };
}
