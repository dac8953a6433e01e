import {
  configuredPartitions,
  createAtomicProducer,
  createKafkaAdmin,
  createKafkaClient,
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
} from '@otptrace/kafka';
import { runService } from '@otptrace/runtime';
import { createCollector } from './collector.js';
import { COLLECTOR_ENV_PREFIX, collectorConfigSchema } from './config.js';

const SUMMARY = `otptrace collector: takes EVTX-XML in (HTTP(S) POST /v1/events with a bearer token, followed files and
folders, standard input), parses and validates it with the same code as \`otptrace analyze\`, and publishes to Kafka:
normalised events (keyed by site), the raw XML (for replay) and dead letters, each batch in one Kafka transaction.
202 only after Kafka committed it; a batch refused (503) is never written.`;

runService({
  name: 'otptrace-collector',
  summary: SUMMARY,
  schema: collectorConfigSchema,
  envPrefix: COLLECTOR_ENV_PREFIX,
  build({ config, logger, metrics }) {
    const client = createKafkaClient(config.kafka, logger);
    const admin = createKafkaAdmin(client);
    const topicLimits = new Map<string, number>();
    // One transaction per batch slot, plus the file and stdin inputs'.
    const producer = createAtomicProducer(client, {
      transactionalIdPrefix: config.transactionalIdPrefix,
      sessions: config.http.maxInFlightBatches + 2,
      maxMessageBytes: (topic) => topicLimits.get(topic) ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
      // A site's events stay in one partition if the topic is given more while this runs (`pinnedPartitioner`).
      partitions: configuredPartitions([config.topics.events, config.topics.raw, config.topics.deadLetter]),
    });
    const collector = createCollector(config, {
      producer,
      topicLimits,
      admin,
      logger,
      metrics,
      stdin: process.stdin,
    });
    return {
      readiness: () => collector.readiness(),
      async start() {
        await admin.connect();
        await collector.start();
      },
      async stop() {
        await collector.stop();
        await admin.disconnect();
      },
      // With standard input as its only input, the collector's work ends with the stream.
      listening() {
        const http = collector.httpPort();
        return http === undefined ? {} : { http };
      },
      finished: () => (!config.http.enabled && config.files.paths.length === 0 ? collector.stdinDone() : undefined),
    };
  },
});
