import { createGroupConsumer, createKafkaAdmin, createKafkaClient, createRecordProducer } from '@otptrace/kafka';
import { createTraceExporter } from '@otptrace/otlp';
import {
  type AdminServer,
  ConfigError,
  createLogger,
  createMetrics,
  helpText,
  loadConfig,
  onShutdown,
  parseServiceArgs,
  redactConfig,
  startAdminServer,
} from '@otptrace/runtime';
import { CORRELATOR_ENV_PREFIX, type CorrelatorConfig, correlatorConfigSchema } from './config.js';
import { createCorrelator } from './correlator.js';
import { type AttemptSink, createTraceSink } from './sinks.js';

const SUMMARY = `otptrace correlator: one member of a Kafka consumer group that turns the collector's event stream into
attempts with verdicts, by event time (per-partition watermark plus a grace period), with the same code and settings
as \`otptrace analyze\`. Attempts go to the attempts topic (keyed by user); late events to the late topic. Offsets are
committed only up to what is safely emitted, so a crash or a rebalance loses nothing. Run more instances to scale.`;

/** Entry point of the correlator process. */
export async function main(argv: readonly string[]): Promise<number> {
  const args = parseServiceArgs(argv);
  if (args.help) {
    process.stdout.write(helpText('otptrace-correlator', SUMMARY, correlatorConfigSchema, CORRELATOR_ENV_PREFIX));
    return 0;
  }
  let config: CorrelatorConfig;
  try {
    config = loadConfig(correlatorConfigSchema, {
      file: args.configFile,
      env: process.env,
      envPrefix: CORRELATOR_ENV_PREFIX,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (args.printConfig) {
    process.stdout.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
    return 0;
  }
  const logger = createLogger({ name: 'otptrace-correlator', level: config.logLevel });
  const metrics = createMetrics();
  const client = createKafkaClient(config.kafka, logger);
  const admin = createKafkaAdmin(client);
  const sinks: AttemptSink[] = [];
  if (config.traces.enabled) {
    const exporter = createTraceExporter({
      ...(config.traces.endpoint === null ? {} : { endpoint: config.traces.endpoint }),
      ...(config.traces.tracesEndpoint === null ? {} : { tracesEndpoint: config.traces.tracesEndpoint }),
      protocol: config.traces.protocol,
      serviceName: 'otptrace-correlator',
    });
    sinks.push(createTraceSink(exporter));
    logger.info({ target: exporter.target }, 'attempts are also sent as traces');
  }
  const correlator = createCorrelator(config, {
    consumer: createGroupConsumer(client, {
      groupId: config.groupId,
      topics: [config.topics.events.name],
      fromBeginning: config.fromBeginning,
      sessionTimeoutMs: config.sessionTimeoutMs,
      heartbeatIntervalMs: Math.floor(config.sessionTimeoutMs / 10),
    }),
    userlessConsumer: createGroupConsumer(client, {
      groupId: `${config.groupId}.userless`,
      topics: [config.topics.userless.name],
      fromBeginning: config.fromBeginning,
      sessionTimeoutMs: config.sessionTimeoutMs,
      heartbeatIntervalMs: Math.floor(config.sessionTimeoutMs / 10),
    }),
    producer: createRecordProducer(client),
    admin,
    sinks,
    logger,
    metrics,
    now: () => Date.now(),
  });
  let adminServer: AdminServer | undefined;
  const starting = (async () => {
    adminServer = await startAdminServer(config.admin.host, config.admin.port, {
      alive: () => true,
      readiness: () => correlator.readiness(),
      metrics: () => metrics.render(),
    });
    logger.info({ config: redactConfig(config), adminPort: adminServer.port }, 'configuration loaded');
    await admin.connect();
    await correlator.start();
  })();
  // Installed before anything connects, so a SIGTERM during start-up is a clean stop too.
  onShutdown(
    async () => {
      await starting.catch(() => {});
      await correlator.stop();
      await admin.disconnect();
      await adminServer?.close();
    },
    { logger, timeoutMs: config.shutdownTimeoutMs },
  );
  await starting;
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`otptrace-correlator: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
