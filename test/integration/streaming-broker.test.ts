import { collectorConfigSchema, createCollector } from '@otptrace/collector';
import {
  createGroupConsumer,
  createKafkaAdmin,
  createKafkaClient,
  createRecordProducer,
  kafkaConnectionSchema,
} from '@otptrace/kafka';
import { createLogger, createMetrics } from '@otptrace/runtime';
import { eventsOfRecordValue, type NormalizedEvent } from '@otptrace/schemas';
import { describe, expect, it } from 'vitest';
import { eventsOf, shiftedCorpus } from '../../services/correlator/test/ports.js';
import { KAFKA_BROKERS, kafkaScript, uniqueName } from './setup-kafka.js';

const TOKEN = 'integration-token-0123456789';
const corpus = shiftedCorpus();

/** Batch `n`: a corpus file whose EventRecordIDs are moved by n·10⁷, so that every batch holds events of its own. */
function batch(n: number): { body: Buffer; ids: string[] } {
  const [name, bytes] = corpus[n % corpus.length]!;
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe;
  const text = utf16 ? bytes.subarray(2).toString('utf16le') : bytes.toString('utf8');
  const moved = text.replace(/<EventRecordID>(\d+)</g, (_, id: string) => `<EventRecordID>${Number(id) + n * 1e7}<`);
  const body = utf16 ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(moved, 'utf16le')]) : Buffer.from(moved);
  return { body, ids: eventsOf([[name, body]]).map((e) => e.id) };
}

describe('collector while the broker stops and restarts', () => {
  it('never acknowledges a batch it could not write, and every acknowledged event comes out', async () => {
    const prefix = uniqueName('broker');
    const spec = (name: string, partitions: number) => ({
      name: `${prefix}.${name}`,
      partitions,
      replicationFactor: 1,
    });
    const topics = { events: spec('events', 4), raw: spec('raw', 2), deadLetter: spec('dead-letter', 1) };
    const connection = kafkaConnectionSchema.parse({
      brokers: KAFKA_BROKERS,
      clientId: 'broker-test',
      sendTimeoutMs: 3_000,
      connectionTimeoutMs: 1_000,
    });
    const client = createKafkaClient(connection);
    const admin = createKafkaAdmin(client);
    await admin.connect();
    const collector = createCollector(
      collectorConfigSchema.parse({
        kafka: connection,
        topics,
        http: { host: '127.0.0.1', port: 0, tokens: [TOKEN], retryAfterSeconds: 2 },
        // The scenarios carry fixed dates; this test is about the broker, not about the collector's clock.
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
    const url = `http://127.0.0.1:${collector.httpPort()}/v1/events`;
    const acknowledged = new Set<string>();
    const statuses: number[] = [];
    let n = 0;
    const post = async () => {
      const { body, ids } = batch(n++);
      const res = await fetch(url, { method: 'POST', body, headers: { authorization: `Bearer ${TOKEN}` } });
      statuses.push(res.status);
      if (res.status === 202) for (const id of ids) acknowledged.add(id);
      else expect([res.status, res.headers.get('retry-after')]).toEqual([503, '2']);
    };
    const load = async (until: () => boolean) => {
      while (!until()) await post();
    };
    try {
      // Load with the broker up, while it stops, while it is down, and after it is back.
      await load(() => n >= 20);
      let phase: 'stopping' | 'down' | 'starting' | 'up' = 'stopping';
      const broker = (async () => {
        await kafkaScript('stop');
        phase = 'down';
        await new Promise((resolve) => setTimeout(resolve, 4_000));
        phase = 'starting';
        await kafkaScript('start');
        phase = 'up';
      })();
      await load(() => phase === 'up');
      await broker;
      const refused = statuses.filter((s) => s === 503).length;
      const before = statuses.length;
      // At least ten more accepted batches, and enough events in all for the check below to mean something (how many
      // were accepted while the broker stopped and started depends on the machine's speed).
      await load(() => statuses.slice(before).filter((s) => s === 202).length >= 10 && acknowledged.size > 50);
      expect(refused).toBeGreaterThan(0);

      // Everything acknowledged is in the events topic.
      const seen = new Set<string>();
      const consumer = createGroupConsumer(client, {
        groupId: uniqueName('check'),
        topics: [topics.events.name],
        fromBeginning: true,
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, 60_000);
        consumer
          .start({
            onAssigned: () => {},
            onBatch: async (b) => {
              for (const r of b.records)
                for (const e of eventsOfRecordValue(JSON.parse(String(r.value))) as NormalizedEvent[]) seen.add(e.id);
              if ([...acknowledged].every((id) => seen.has(id))) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
      await consumer.stop();
      expect(acknowledged.size).toBeGreaterThan(50);
      expect([...acknowledged].filter((id) => !seen.has(id))).toEqual([]);
    } finally {
      await kafkaScript('start');
      await collector.stop();
      await admin.disconnect();
    }
  }, 240_000);
});
