import {
  createGroupConsumer,
  createKafkaAdmin,
  createKafkaClient,
  createRecordProducer,
  type KafkaClient,
} from '@otptrace/kafka';
import { createTraceExporter } from '@otptrace/otlp';
import { createPool, settingsFromEnv } from '@otptrace/postgres';
import { type Logger, runService } from '@otptrace/runtime';
import { CORRELATOR_ENV_PREFIX, type CorrelatorConfig, correlatorConfigSchema } from './config.js';
import { createCorrelator } from './correlator.js';
import { type AttemptSink, createStatisticsSink, createTraceSink } from './sinks.js';
import { createTicketSinks } from './ticket-sinks.js';

const SUMMARY = `otptrace correlator: one member of a Kafka consumer group that turns the collector's event stream into
attempts with verdicts, by event time (per-partition watermark plus a grace period), with the same code and settings
as \`otptrace analyze\`. Attempts go to the attempts topic (keyed by user); late events to the late topic. Offsets are
committed only up to what is safely emitted, so a crash or a rebalance loses nothing. Run more instances to scale.`;

/** The sinks the configuration enables, besides the attempts topic. */
function configuredSinks(config: CorrelatorConfig, logger: Logger, kafka: KafkaClient): AttemptSink[] {
  const sinks: AttemptSink[] = [];
  const tickets = createTicketSinks(config.tickets, { logger, env: process.env, kafka });
  if (config.statistics.enabled) {
    // The connection comes from the environment (DATABASE_URL, PG*), never from the config file or the command line.
    const settings = { ...settingsFromEnv(process.env), schema: config.statistics.schema };
    // With PostgreSQL among the ticket sinks, the ticket sink runs the ticket engine; statistics store attempts only.
    const withTickets = !config.tickets.postgres.enabled;
    sinks.push(createStatisticsSink(createPool(settings), settings.schema, 'correlator', withTickets));
    logger.info({ schema: settings.schema, tickets: withTickets }, 'attempts are also written to PostgreSQL');
  }
  if (tickets !== null) sinks.push(tickets);
  if (!config.traces.enabled) return sinks;
  const exporter = createTraceExporter({
    ...(config.traces.endpoint === null ? {} : { endpoint: config.traces.endpoint }),
    ...(config.traces.tracesEndpoint === null ? {} : { tracesEndpoint: config.traces.tracesEndpoint }),
    protocol: config.traces.protocol,
    serviceName: 'otptrace-correlator',
  });
  logger.info({ target: exporter.target }, 'attempts are also sent as traces');
  return [...sinks, createTraceSink(exporter)];
}

runService({
  name: 'otptrace-correlator',
  summary: SUMMARY,
  schema: correlatorConfigSchema,
  envPrefix: CORRELATOR_ENV_PREFIX,
  build({ config, logger, metrics }) {
    const client = createKafkaClient(config.kafka, logger);
    const admin = createKafkaAdmin(client);
    const group = (groupId: string, topic: string) =>
      createGroupConsumer(client, {
        groupId,
        topics: [topic],
        fromBeginning: config.fromBeginning,
        sessionTimeoutMs: config.sessionTimeoutMs,
        heartbeatIntervalMs: Math.floor(config.sessionTimeoutMs / 10),
      });
    const correlator = createCorrelator(config, {
      consumer: group(config.groupId, config.topics.events.name),
      userlessConsumer: group(`${config.groupId}.userless`, config.topics.userless.name),
      producer: createRecordProducer(client),
      admin,
      sinks: configuredSinks(config, logger, client),
      logger,
      metrics,
      now: () => Date.now(),
    });
    return {
      readiness: () => correlator.readiness(),
      async start() {
        await admin.connect();
        await correlator.start();
      },
      async stop() {
        await correlator.stop();
        await admin.disconnect();
      },
    };
  },
});
