import { createKafkaAdmin, createKafkaClient, createRecordProducer } from '@otptrace/kafka';
import { runService } from '@otptrace/runtime';
import { createCollector } from './collector.js';
import { COLLECTOR_ENV_PREFIX, collectorConfigSchema } from './config.js';

const SUMMARY = `otptrace collector: takes EVTX-XML in (HTTP(S) POST /v1/events with a bearer token, followed files and
folders, standard input), parses and validates it with the same code as \`otptrace analyze\`, and publishes to Kafka:
normalised events (keyed by user), the raw XML (for replay) and dead letters. 202 only after Kafka acknowledged.`;

runService({
  name: 'otptrace-collector',
  summary: SUMMARY,
  schema: collectorConfigSchema,
  envPrefix: COLLECTOR_ENV_PREFIX,
  build({ config, logger, metrics }) {
    const client = createKafkaClient(config.kafka, logger);
    const admin = createKafkaAdmin(client);
    const collector = createCollector(config, {
      producer: createRecordProducer(client),
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
      finished: () => (!config.http.enabled && config.files.paths.length === 0 ? collector.stdinDone() : undefined),
    };
  },
});
