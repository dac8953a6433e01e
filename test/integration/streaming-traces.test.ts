import { collectorConfigSchema, createCollector } from '@otptrace/collector';
import { createKafkaAdmin, createKafkaClient, createRecordProducer, kafkaConnectionSchema } from '@otptrace/kafka';
import { createLogger, createMetrics } from '@otptrace/runtime';
import { describe, expect, it } from 'vitest';
import { offlineAttempts, scenarioFiles } from '../../services/correlator/test/ports.js';
import { KAFKA_BROKERS, startService, uniqueName } from './setup-kafka.js';
import { ZIPKIN_API, zipkinOtlpEndpoint } from './setup-zipkin.js';

const TOKEN = 'integration-token-0123456789';

/** Polls Zipkin for one trace until it has spans (the bridge stores them asynchronously). */
async function zipkinTrace(traceId: string, timeoutMs = 30_000): Promise<Array<{ traceId: string; name: string }>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${ZIPKIN_API}/trace/${traceId}`);
    if (res.ok) {
      const spans = (await res.json()) as Array<{ traceId: string; name: string }>;
      if (spans.length > 0) return spans;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return [];
}

describe('correlator traces into a real backend', () => {
  it('every attempt of a scenario streamed through Kafka arrives in Zipkin as a trace with the offline trace ID', async () => {
    // test/scenarios/retry-after-failure: a failed attempt, then a successful one, over all four sources.
    const files = scenarioFiles('retry-after-failure');
    const expected = offlineAttempts(files);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    const prefix = uniqueName('traces');
    const spec = (name: string) => ({ name: `${prefix}.${name}`, partitions: 1, replicationFactor: 1, configs: {} });
    const connection = kafkaConnectionSchema.parse({ brokers: KAFKA_BROKERS, clientId: 'traces-test' });
    const client = createKafkaClient(connection);
    const admin = createKafkaAdmin(client);
    await admin.connect();
    await admin.ensureTopics(['events', 'raw', 'dead-letter', 'attempts', 'late', 'userless'].map(spec));
    const collector = createCollector(
      collectorConfigSchema.parse({
        kafka: connection,
        topics: { events: spec('events'), raw: spec('raw'), deadLetter: spec('dead-letter') },
        http: { host: '127.0.0.1', port: 0, tokens: [TOKEN] },
        // The scenarios carry fixed dates; this test is about traces, not about the collector's clock.
        analysis: { maxFutureMs: 10 * 365 * 86_400_000 },
      }),
      {
        producer: createRecordProducer(client),
        admin,
        logger: createLogger({ name: 'c', level: 'error' }),
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
      OTPTRACE_CORRELATOR_TRACES__ENABLED: 'true',
      OTPTRACE_CORRELATOR_TRACES__TRACES_ENDPOINT: zipkinOtlpEndpoint(),
    });
    try {
      for (const [, body] of files) {
        const res = await fetch(`http://127.0.0.1:${collector.httpPort()}/v1/events`, {
          method: 'POST',
          body,
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(res.status).toBe(202);
      }
      for (const attempt of expected) {
        const spans = await zipkinTrace(attempt.traceId);
        expect(spans.length, `trace ${attempt.traceId} of ${attempt.user}`).toBeGreaterThan(1);
        expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([attempt.traceId]));
      }
    } finally {
      correlator.child.kill('SIGTERM');
      expect(await correlator.exited).toBe('0');
      await collector.stop();
      await admin.disconnect();
    }
  });
});
