import { collectorConfigSchema, createCollector } from '@otptrace/collector';
import { createKafkaAdmin, createKafkaClient, createRecordProducer, kafkaConnectionSchema } from '@otptrace/kafka';
import { createLogger, createMetrics } from '@otptrace/runtime';
import { expect } from 'vitest';
import { KAFKA_BROKERS, startService, uniqueName } from './setup-kafka.js';

const TOKEN = 'integration-token-0123456789';

/** A collector in this process and one correlator process on fresh topics, for tests of the correlator's sinks. */
export interface SmallPipeline {
  readonly prefix: string;
  /** POST each file's bytes to the collector; every batch must be accepted. */
  post(files: ReadonlyArray<readonly [string, Buffer]>): Promise<void>;
  /** SIGTERM the correlator (it must exit 0), stop the collector, disconnect. */
  stop(): Promise<void>;
}

/** Start the pipeline on topics named after `name`, with extra environment for the correlator (its sinks). */
export async function startSmallPipeline(name: string, correlatorEnv: Record<string, string>): Promise<SmallPipeline> {
  const prefix = uniqueName(name);
  const spec = (topic: string) => ({ name: `${prefix}.${topic}`, partitions: 1, replicationFactor: 1, configs: {} });
  const connection = kafkaConnectionSchema.parse({ brokers: KAFKA_BROKERS, clientId: `${name}-test` });
  const client = createKafkaClient(connection);
  const admin = createKafkaAdmin(client);
  await admin.connect();
  await admin.ensureTopics(['events', 'raw', 'dead-letter', 'attempts', 'late', 'userless'].map(spec));
  const collector = createCollector(
    collectorConfigSchema.parse({
      kafka: connection,
      topics: { events: spec('events'), raw: spec('raw'), deadLetter: spec('dead-letter') },
      http: { host: '127.0.0.1', port: 0, tokens: [TOKEN] },
      // The scenarios carry fixed dates; these tests are about the correlator's sinks, not the collector's clock.
      analysis: { maxFutureMs: 10 * 365 * 86_400_000 },
    }),
    {
      producer: createRecordProducer(client),
      admin,
      logger: createLogger({ name: 'collector', level: 'error' }),
      metrics: createMetrics(),
    },
  );
  await collector.start();
  const correlator = startService('correlator', {
    OTPTRACE_CORRELATOR_KAFKA__BROKERS: KAFKA_BROKERS.join(','),
    OTPTRACE_CORRELATOR_GROUP_ID: prefix,
    OTPTRACE_CORRELATOR_TOPICS: JSON.stringify({
      events: spec('events'),
      attempts: spec('attempts'),
      late: spec('late'),
      userless: spec('userless'),
    }),
    OTPTRACE_CORRELATOR_IDLE_FLUSH_MS: '1500',
    OTPTRACE_CORRELATOR_ADMIN__PORT: '0',
    ...correlatorEnv,
  });
  return {
    prefix,
    async post(files) {
      for (const [, body] of files) {
        const res = await fetch(`http://127.0.0.1:${collector.httpPort()}/v1/events`, {
          method: 'POST',
          body,
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(res.status).toBe(202);
      }
    },
    async stop() {
      correlator.child.kill('SIGTERM');
      expect(await correlator.exited).toBe('0');
      await collector.stop();
      await admin.disconnect();
    },
  };
}
