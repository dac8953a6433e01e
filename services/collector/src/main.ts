import { createKafkaAdmin, createKafkaClient, createRecordProducer } from '@otptrace/kafka';
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
import { createCollector } from './collector.js';
import { COLLECTOR_ENV_PREFIX, collectorConfigSchema } from './config.js';

const SUMMARY = `otptrace collector: takes EVTX-XML in (HTTP POST /v1/events with a bearer token, followed files and
folders, standard input), parses and validates it with the same code as \`otptrace analyze\`, and publishes to Kafka:
normalised events (keyed by user), the raw XML (for replay) and dead letters. 202 only after Kafka acknowledged.`;

/** Entry point of the collector process. */
export async function main(argv: readonly string[]): Promise<number> {
  const args = parseServiceArgs(argv);
  if (args.help) {
    process.stdout.write(helpText('otptrace-collector', SUMMARY, collectorConfigSchema, COLLECTOR_ENV_PREFIX));
    return 0;
  }
  let config: ReturnType<typeof collectorConfigSchema.parse>;
  try {
    config = loadConfig(collectorConfigSchema, {
      file: args.configFile,
      env: process.env,
      envPrefix: COLLECTOR_ENV_PREFIX,
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
  const logger = createLogger({ name: 'otptrace-collector', level: config.logLevel });
  const metrics = createMetrics();
  const client = createKafkaClient(config.kafka, logger);
  const admin = createKafkaAdmin(client);
  const collector = createCollector(config, {
    producer: createRecordProducer(client),
    admin,
    logger,
    metrics,
    stdin: process.stdin,
  });
  let adminServer: AdminServer | undefined;
  const starting = (async () => {
    adminServer = await startAdminServer(config.admin.host, config.admin.port, {
      alive: () => true,
      readiness: () => collector.readiness(),
      metrics: () => metrics.render(),
    });
    logger.info({ config: redactConfig(config), adminPort: adminServer.port }, 'configuration loaded');
    await admin.connect();
    await collector.start();
  })();
  const stop = async () => {
    await starting.catch(() => {});
    await collector.stop();
    await admin.disconnect();
    await adminServer?.close();
  };
  // Installed before anything connects, so a SIGTERM during start-up is a clean stop too.
  onShutdown(stop, { logger, timeoutMs: config.shutdownTimeoutMs });
  await starting;
  const stdinDone = collector.stdinDone();
  // With standard input as its only input, the collector's work ends with the stream.
  if (stdinDone && !config.http.enabled && config.files.paths.length === 0) {
    await stdinDone;
    await stop();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`otptrace-collector: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
