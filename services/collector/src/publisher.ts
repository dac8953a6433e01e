import { KafkaAdapterError, type RecordProducer } from '@otptrace/kafka';
import { createNormalizeContext } from '@otptrace/normalize';
import { DetectingIngestor, type IngestItem, type StreamCarry } from '@otptrace/pipeline';
import type { Logger, Metrics } from '@otptrace/runtime';
import type { AnalysisConfig } from '@otptrace/schemas';
import type { CollectorTopics } from './config.js';
import { applySenderPolicy, batchRecords, type SenderPolicy, type TopicLimits } from './records.js';

/** What one batch came to. */
export interface BatchSummary {
  accepted: number;
  ignored: number;
  rejected: number;
}

/**
 * Why a batch was not written: Kafka unavailable (a retry later can succeed), or failed (Kafka refused it for a reason
 * of its own, such as authorization: an operator must act). Nothing of a refused batch is visible on the topics.
 */
export class BatchRefused extends Error {
  constructor(
    readonly kind: 'unavailable' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'BatchRefused';
  }
}

/** One batch being taken in: bytes are parsed as they come, then the batch is published whole. */
export interface BatchBuilder {
  push(chunk: Uint8Array): void;
  /** Resolves once Kafka acknowledged every record of the batch; rejects with BatchRefused otherwise. */
  publish(): Promise<BatchSummary>;
}

/** Where a batch comes from: the sender's policy, and a text log's carry (and whether its stream went quiet). */
export interface BatchOptions {
  readonly sender?: SenderPolicy;
  readonly carry?: StreamCarry;
  readonly quiet?: boolean;
}

/** Turns bytes of EVTX-XML into Kafka records and publishes them; shared by the HTTP, file and stdin inputs. */
export interface Publisher {
  /**
   * Starts a batch whose bytes come in pieces (an HTTP body as it streams). `carry`: the state a followed file or a
   * stream hands from one batch to the next (text logs: line count, W3C #Fields, NPS requests awaiting an answer); it
   * moves on only when Kafka took the batch, so a refused batch sent again is read as it was the first time.
   * `quiet`: the stream went quiet for longer than an NPS answer takes, so its requests still waiting are unanswered.
   */
  begin(origin: string, options?: BatchOptions): BatchBuilder;
  /**
   * Resolves once Kafka acknowledged every record of the batch; rejects with BatchRefused otherwise. With a sender,
   * its events of computers or sources it may not speak for are dead-lettered as computer_not_allowed.
   */
  publish(bytes: Uint8Array, origin: string, options?: BatchOptions): Promise<BatchSummary>;
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
  /** Each topic's max.message.bytes. */
  topicLimits: TopicLimits;
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

  const publishItems = async (items: IngestItem[], origin: string): Promise<BatchSummary> => {
    inFlight++;
    try {
      const batch = batchRecords(items, origin, deps.topics, deps.site, deps.topicLimits);
      try {
        await deps.producer.send(batch.records);
        available = true;
      } catch (error) {
        const retriable = error instanceof KafkaAdapterError && error.retriable;
        if (retriable) available = false;
        refused(1, { kind: retriable ? 'unavailable' : 'failed' });
        const fields = { err: error, origin, records: batch.records.length };
        if (retriable) deps.logger.warn(fields, 'batch not written to Kafka');
        else deps.logger.error(fields, 'Kafka refused a batch: check the topics and permissions');
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
  };
  const begin: Publisher['begin'] = (origin, options = {}) => {
    // A context per batch: its future bound follows the clock (cheap: a domain map and one RegExp).
    const context = createNormalizeContext(deps.analysis, deps.now());
    // Event XML, IIS W3C or NPS log files, by content. The batch reads on from a copy of the carry, which replaces the
    // carry once Kafka took it (an HTTP body has none: it stands alone).
    const carry = options.carry;
    const working = carry === undefined ? undefined : structuredClone(carry);
    const ingestor = new DetectingIngestor(
      context,
      { maxEventBytes: deps.maxEventBytes, keepRaw: true },
      working === undefined ? { label: origin } : { label: origin, carry: working, quiet: options.quiet === true },
    );
    const items: IngestItem[] = [];
    return {
      push: (chunk) => {
        for (const item of ingestor.push(chunk)) items.push(item);
      },
      publish: async () => {
        for (const item of ingestor.end()) items.push(item);
        const summary = await publishItems(applySenderPolicy(items, options.sender), origin);
        if (carry !== undefined && working !== undefined) {
          for (const key of Object.keys(carry) as (keyof StreamCarry)[]) delete carry[key];
          Object.assign(carry, working);
        }
        return summary;
      },
    };
  };

  return {
    kafkaAvailable: () => available,
    inFlight: () => inFlight,
    begin,
    publish(bytes, origin, options) {
      const batch = begin(origin, options);
      batch.push(bytes);
      return batch.publish();
    },
  };
}
