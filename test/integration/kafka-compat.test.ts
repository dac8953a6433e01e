import { randomUUID } from 'node:crypto';
import {
  type ConsumedRecord,
  configuredPartitions,
  createGroupConsumer,
  createKafkaAdmin,
  createKafkaClient,
  createRecordProducer,
  KafkaAdapterError,
  kafkaConnectionSchema,
  partitionForKey,
  prepareTopics,
} from '@otptrace/kafka';
import { afterAll, describe, expect, it } from 'vitest';
import { KAFKA_BROKERS } from './setup-kafka.js';

// Proves the inference of docs/platform-notes.md ("kafkajs and Apache Kafka 4.x"): kafkajs 2.2.4 negotiates
// API versions the 4.x broker still serves (KIP-896 baselines) and works with the classic consumer-group protocol.
const connection = kafkaConnectionSchema.parse({
  brokers: KAFKA_BROKERS,
  clientId: 'compat-test',
  sendTimeoutMs: 15_000,
});
const client = createKafkaClient(connection);
const admin = createKafkaAdmin(client);
const topic = `compat-${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  await admin.deleteTopics([topic]).catch(() => {});
  await admin.disconnect();
});

describe('kafkajs 2.2.4 against the Kafka 4.x broker', () => {
  it('creates a topic from configuration, and on a second start finds it instead of creating it', async () => {
    await admin.connect();
    const spec = { name: topic, partitions: 3, replicationFactor: 1, configs: { 'retention.ms': '3600000' } };
    expect(await admin.ensureTopics([spec])).toEqual([{ name: topic, created: true, partitions: 3 }]);
    expect(await admin.ensureTopics([spec])).toEqual([{ name: topic, created: false, partitions: 3 }]);
    expect(await admin.partitionCount(topic)).toBe(3);
  });

  it('lets services that start at once create the topics they share, each going on once every topic is served', async () => {
    // The collector and the correlator both create the events topic. The one that loses the race used to read its
    // topics' settings before the broker served the ones it had just created, and exited at start-up.
    const admins = [0, 1, 2, 3].map(() => createKafkaAdmin(client));
    await Promise.all(admins.map((a) => a.connect()));
    const created: string[] = [];
    try {
      for (let round = 0; round < 5; round++) {
        const prefix = `compat-race-${randomUUID().slice(0, 8)}`;
        const spec = (name: string) => ({
          name: `${prefix}.${name}`,
          partitions: 4,
          replicationFactor: 1,
          configs: {},
        });
        const sets = admins.map((_, i) => [spec('events'), spec(`own-${i}`), spec(`dead-letter-${i}`)]);
        created.push(...new Set(sets.flat().map((s) => s.name)));
        const limits = await Promise.all(admins.map((a, i) => prepareTopics(a, sets[i] ?? [], true)));
        expect(limits.map((byTopic) => [...byTopic.keys()].sort())).toEqual(
          sets.map((set) => set.map((s) => s.name).sort()),
        );
        for (const byTopic of limits) for (const bytes of byTopic.values()) expect(bytes).toBeGreaterThan(0);
      }
    } finally {
      await admin.deleteTopics(created).catch(() => {});
      await Promise.all(admins.map((a) => a.disconnect()));
    }
  });

  it('refuses, without retry, a topic whose partition count differs from configuration', async () => {
    const error = await admin
      .ensureTopics([{ name: topic, partitions: 6, replicationFactor: 1, configs: {} }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaAdapterError);
    expect((error as KafkaAdapterError).retriable).toBe(false);
  });

  it('produces idempotently with acks=all, consumes in a group, and commits offsets', async () => {
    const producer = createRecordProducer(client);
    await producer.connect();
    const users = ['alice', 'bob', 'carol', 'dave'];
    const records = users.flatMap((user) =>
      [1, 2, 3].map((n) => ({ topic, key: user, value: JSON.stringify({ user, n }) })),
    );
    await producer.send(records);
    await producer.disconnect();

    const groupId = `compat-group-${randomUUID().slice(0, 8)}`;
    const consumer = createGroupConsumer(client, { groupId, topics: [topic], fromBeginning: true });
    const received: ConsumedRecord[] = [];
    const assignments: number[][] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .start({
          onAssigned: (assignment) => {
            assignments.push(assignment.flatMap((a) => a.partitions));
          },
          onBatch: async (batch) => {
            received.push(...batch.records);
            const last = batch.records.at(-1);
            if (last)
              await consumer.commit([{ topic, partition: batch.partition, offset: String(Number(last.offset) + 1) }]);
            if (received.length >= records.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.stop();

    expect(assignments[0]).toEqual([0, 1, 2]);
    // Keyed: every record of one user sits in one partition, in the order it was sent.
    for (const user of users) {
      const mine = received.filter((r) => r.key === user);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      expect(mine.map((r) => JSON.parse(r.value?.toString() ?? '{}').n)).toEqual([1, 2, 3]);
    }
    const offsets = await admin.groupOffsets(groupId, topic);
    for (const partition of offsets) expect(partition.committed).toBe(partition.end);
    expect(offsets.reduce((sum, p) => sum + Number(p.end), 0)).toBe(records.length);
  });

  it('keeps keyed records on their partitions when the topic is given more while producers run', async () => {
    // An operator's `kafka-topics.sh --alter --partitions 4` on a running pipeline: a producer that refreshes its
    // metadata (every five minutes, or renewed after a failed send) must not move a site's events elsewhere.
    const grown = `compat-grown-${randomUUID().slice(0, 8)}`;
    const raw = client.raw.admin();
    await raw.connect();
    try {
      await admin.ensureTopics([{ name: grown, partitions: 2, replicationFactor: 1, configs: {} }]);
      const pinned = { partitions: configuredPartitions([{ name: grown, partitions: 2 }]) };
      // Sites that four partitions would put on a partition the topic did not have.
      const sites = Array.from({ length: 40 }, (_, i) => `site-${i}`).filter((s) => partitionForKey(s, 4) >= 2);
      expect(sites.length).toBeGreaterThan(5);
      const records = (n: number) => sites.map((site) => ({ topic: grown, key: site, value: `${site} ${n}` }));
      const before = createRecordProducer(client, pinned);
      await before.connect();
      await before.send(records(1));
      await before.disconnect();

      await raw.createPartitions({ topicPartitions: [{ topic: grown, count: 4 }] });
      await expect.poll(() => admin.partitionCount(grown), { timeout: 30_000 }).toBe(4);
      // A producer reading the topic's metadata now, pinned as the services are, and one that is not.
      const after = createRecordProducer(client, pinned);
      const unpinned = createRecordProducer(client);
      for (const producer of [after, unpinned]) await producer.connect();
      await after.send(records(2));
      await unpinned.send(records(3));
      for (const producer of [after, unpinned]) await producer.disconnect();

      const ends = new Map((await raw.fetchTopicOffsets(grown)).map((p) => [p.partition, Number(p.offset)]));
      const expected = new Map<number, number>();
      for (const site of sites) {
        const own = partitionForKey(site, 2);
        expected.set(own, (expected.get(own) ?? 0) + 2);
        const moved = partitionForKey(site, 4);
        expected.set(moved, (expected.get(moved) ?? 0) + 1);
      }
      // Partitions 2 and 3 hold only the unpinned producer's records: the pinned ones stayed on 0 and 1.
      expect(ends).toEqual(new Map([0, 1, 2, 3].map((p) => [p, expected.get(p) ?? 0])));
    } finally {
      await raw.deleteTopics({ topics: [grown] }).catch(() => {});
      await raw.disconnect();
    }
  });
});
