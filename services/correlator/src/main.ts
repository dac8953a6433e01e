import {
  configuredPartitions,
  createGroupConsumer,
  createKafkaClient,
  createOffsetReader,
  createTransactionalWriter,
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
} from '@otptrace/kafka';
import { runService } from '@otptrace/runtime';
import { CORRELATOR_ENV_PREFIX, correlatorConfigSchema } from './config.js';
import { createCorrelator } from './correlator.js';
import { configuredSinks } from './sinks.js';
import { ensureCorrelatorTopics } from './topics.js';

const SUMMARY = `otptrace correlator: one member of a Kafka consumer group that turns the collector's event stream into
attempts with verdicts, exactly as \`otptrace analyze\` does on the same events (one engine per site, fed in event-time
order). Attempts go to the attempts topic (keyed by user) in Kafka transactions together with the offsets they
consumed, so a crash, a rebalance or a broker restart neither loses nor repeats one. Run more instances to share the
partitions.`;

runService({
  name: 'otptrace-correlator',
  summary: SUMMARY,
  schema: correlatorConfigSchema,
  envPrefix: CORRELATOR_ENV_PREFIX,
  build({ config, logger, metrics }) {
    const client = createKafkaClient(config.kafka, logger);
    // Filled at start-up from the cluster, before the first partition is claimed.
    const topicLimits = new Map<string, number>();
    const maxMessageBytes = (topic: string) => topicLimits.get(topic) ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
    // Keyed records stay on their partitions if a topic is given more while this runs (`pinnedPartitioner`).
    const partitions = configuredPartitions([config.topics.attempts, config.topics.late]);
    const correlator = createCorrelator(config, {
      consumer: createGroupConsumer(client, {
        groupId: config.groupId,
        topics: [config.topics.events.name],
        fromBeginning: config.fromBeginning,
        sessionTimeoutMs: config.sessionTimeoutMs,
        // A member hears of a rebalance at its next heartbeat: every second (the default session), so that a
        // correlator joining or leaving moves the partitions within about a second.
        heartbeatIntervalMs: Math.floor(config.sessionTimeoutMs / 10),
        maxBytesPerPartition: config.fetchBytesPerPartition,
      }),
      offsets: createOffsetReader(client),
      writer: (partition) =>
        createTransactionalWriter(client, `${config.groupId}.${config.topics.events.name}.${partition}`, {
          maxMessageBytes,
          partitions,
        }),
      maxMessageBytes,
      sinks: configuredSinks(config, logger, client),
      logger,
      metrics,
      now: () => Date.now(),
    });
    return {
      readiness: () => correlator.readiness(),
      async start() {
        for (const [topic, bytes] of await ensureCorrelatorTopics(client, config)) topicLimits.set(topic, bytes);
        await correlator.start();
      },
      stop: () => correlator.stop(),
    };
  },
});
