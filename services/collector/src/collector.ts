import {
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  type KafkaAdmin,
  prepareTopics,
  type RecordProducer,
  type TopicSpec,
} from '@otptrace/kafka';
import type { Logger, Metrics, Readiness } from '@otptrace/runtime';
import type { CollectorConfig } from './config.js';
import { type FileInput, startFileInput } from './file-input.js';
import { type HttpInput, startHttpInput } from './http-input.js';
import { loadTlsMaterial, resolveSenders, type SecretSources } from './http-security.js';
import { createPublisher, type Publisher } from './publisher.js';
import { followStream } from './stdin-input.js';
import { createTextLogStore } from './text-log-store.js';

/** What the collector talks to: Kafka (real or in-memory), logs, metrics, and optionally a stdin stream. */
export interface CollectorPorts {
  producer: RecordProducer;
  admin: Pick<KafkaAdmin, 'ensureTopics' | 'partitionCount' | 'maxMessageBytes'>;
  /**
   * Each topic's max.message.bytes, filled at start-up from the cluster; pass the same map to the producer so that it
   * cuts its requests to fit (services/collector/src/main.ts).
   */
  topicLimits?: Map<string, number>;
  logger: Logger;
  metrics: Metrics;
  stdin?: AsyncIterable<Buffer | string>;
  /** Wall clock, ms (tests pass a fixed one). */
  now?: () => number;
  /** Where tokens and certificates are read from (default: process.env and the file system). */
  secrets?: SecretSources;
}

/** A collector; `start` brings up every configured input, `stop` drains and closes them. */
export interface Collector {
  start(): Promise<void>;
  stop(): Promise<void>;
  readiness(): Readiness;
  /** Port the ingestion server listens on, once started (0 was "any"). */
  httpPort(): number | undefined;
  /** Resolves when standard input has ended and all of it was acknowledged (undefined without stdin). */
  stdinDone(): Promise<void> | undefined;
  /** One pass over followed files, for tests and the bench. */
  pollFiles(): Promise<void>;
}

async function prepareCollectorTopics(
  config: CollectorConfig,
  ports: CollectorPorts,
  limits: Map<string, number>,
): Promise<number> {
  const specs: TopicSpec[] = [config.topics.events, config.topics.raw, config.topics.deadLetter];
  for (const [name, bytes] of await prepareTopics(ports.admin, specs, config.createTopics)) limits.set(name, bytes);
  return ports.admin.partitionCount(config.topics.events.name);
}

/** Builds a collector from its configuration and ports (tests pass in-memory ports). */
export function createCollector(config: CollectorConfig, ports: CollectorPorts): Collector {
  const { logger } = ports;
  let publisher: Publisher | undefined;
  let http: HttpInput | undefined;
  let files: FileInput | undefined;
  let stdin: Promise<void> | undefined;
  let stopping = false;

  return {
    async start() {
      const limits = ports.topicLimits ?? new Map<string, number>();
      const eventPartitions = await prepareCollectorTopics(config, ports, limits);
      await ports.producer.connect();
      publisher = createPublisher({
        producer: ports.producer,
        analysis: config.analysis,
        now: ports.now ?? (() => Date.now()),
        topics: config.topics,
        site: config.site,
        maxEventBytes: config.analysis.maxEventBytes,
        topicLimits: (topic) => limits.get(topic) ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
        logger,
        metrics: ports.metrics,
      });
      if (config.http.enabled) {
        const tls = loadTlsMaterial(config.http, ports.secrets);
        const senders = resolveSenders(config.http, ports.secrets);
        const textLogStore =
          config.http.textLogStateDir === null ? null : createTextLogStore(config.http.textLogStateDir, logger);
        http = await startHttpInput(
          { ...config.http, senders, tls, npsAnswerWaitMs: config.npsAnswerWaitMs, textLogStore },
          publisher,
          logger,
          ports.metrics,
        );
        const scheme = tls === null ? 'HTTP' : tls.clientCa === null ? 'HTTPS' : 'HTTPS with client certificates';
        logger.info(
          { port: http.port, senders: senders.map((s) => s.name) },
          `accepting EVTX-XML batches over ${scheme}`,
        );
      }
      if (config.files.paths.length > 0) {
        files = await startFileInput({ ...config.files, npsAnswerWaitMs: config.npsAnswerWaitMs }, publisher, logger);
        logger.info({ paths: config.files.paths }, 'following files');
      }
      if (config.stdin && ports.stdin) {
        stdin = followStream(ports.stdin, publisher, logger, { retryDelayMs: 1_000, isClosing: () => stopping });
      }
      logger.info({ eventPartitions, site: config.site }, 'collector started');
    },
    async stop() {
      stopping = true;
      await Promise.all([http?.close(), files?.close(), stdin?.catch(() => {})]);
      await ports.producer.disconnect();
    },
    readiness() {
      const reasons: string[] = [];
      if (publisher === undefined) reasons.push('starting');
      if (stopping) reasons.push('shutting down');
      if (publisher && !publisher.kafkaAvailable()) reasons.push('kafka: last write failed');
      return { ready: reasons.length === 0, reasons };
    },
    httpPort: () => http?.port,
    stdinDone: () => stdin,
    pollFiles: async () => files?.poll(),
  };
}
