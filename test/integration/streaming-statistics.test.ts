import { collectorConfigSchema, createCollector } from '@otptrace/collector';
import { createKafkaAdmin, createKafkaClient, createRecordProducer, kafkaConnectionSchema } from '@otptrace/kafka';
import { createPool, DEFAULT_DATABASE_URL } from '@otptrace/postgres';
import { createLogger, createMetrics } from '@otptrace/runtime';
import { describe, expect, it } from 'vitest';
import { offlineAttempts, scenarioFiles } from '../../services/correlator/test/ports.js';
import { KAFKA_BROKERS, startService, uniqueName } from './setup-kafka.js';

const TOKEN = 'integration-token-0123456789';

/** Polls a query until it returns `want` (the correlator writes asynchronously), then returns its last result. */
async function until<T>(query: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await query();
  while (!done(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    last = await query();
  }
  return last;
}

describe('correlator statistics sink into the real PostgreSQL', () => {
  it('attempts streamed through Kafka land in the statistics store once, with the ticket they open', async () => {
    // test/scenarios/ca-template-not-available: an infrastructure failure at the CA, which opens a ticket.
    const files = scenarioFiles('ca-template-not-available');
    const expected = offlineAttempts(files);
    const prefix = uniqueName('stats');
    const schema = `it_${prefix.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`.slice(0, 60);
    const spec = (name: string) => ({ name: `${prefix}.${name}`, partitions: 1, replicationFactor: 1, configs: {} });
    const connection = kafkaConnectionSchema.parse({ brokers: KAFKA_BROKERS, clientId: 'stats-test' });
    const client = createKafkaClient(connection);
    const admin = createKafkaAdmin(client);
    await admin.connect();
    await admin.ensureTopics(['events', 'raw', 'dead-letter', 'attempts', 'late', 'userless'].map(spec));
    const collector = createCollector(
      collectorConfigSchema.parse({
        kafka: connection,
        topics: { events: spec('events'), raw: spec('raw'), deadLetter: spec('dead-letter') },
        http: { host: '127.0.0.1', port: 0, tokens: [TOKEN] },
        // The scenarios carry fixed dates; this test is about the statistics sink, not the collector's clock.
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
      OTPTRACE_CORRELATOR_STATISTICS__ENABLED: 'true',
      OTPTRACE_CORRELATOR_STATISTICS__SCHEMA: schema,
      DATABASE_URL: DEFAULT_DATABASE_URL,
    });
    const pool = createPool({ connectionString: DEFAULT_DATABASE_URL, schema });
    try {
      for (const [, body] of files) {
        const res = await fetch(`http://127.0.0.1:${collector.httpPort()}/v1/events`, {
          method: 'POST',
          body,
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(res.status).toBe(202);
      }
      const ids = await until(
        async () => {
          try {
            return (
              await pool.query<{ attempt_id: string }>('SELECT attempt_id FROM attempt_facts ORDER BY attempt_id')
            ).rows.map((r) => r.attempt_id);
          } catch {
            return [] as string[]; // the correlator has not created the tables yet
          }
        },
        (rows) => rows.length >= expected.length,
      );
      expect(ids).toEqual(expected.map((a) => a.id).sort());
      const tickets = await pool.query<{ code: string; attempt_count: number }>(
        'SELECT code, attempt_count FROM tickets',
      );
      expect(tickets.rows.map((t) => [t.code, Number(t.attempt_count)])).toEqual([['ca_template_not_available', 1]]);
    } finally {
      correlator.child.kill('SIGTERM');
      expect(await correlator.exited).toBe('0');
      await collector.stop();
      await admin.disconnect();
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await pool.end();
    }
  });
});
