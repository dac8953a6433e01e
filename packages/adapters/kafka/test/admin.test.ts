import { type Admin, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKafkaAdmin } from '../src/admin.js';
import type { KafkaClient } from '../src/client.js';
import { KafkaAdapterError } from '../src/errors.js';

// The race with a real broker is in test/integration/kafka-compat.test.ts; here, what start-up does with each answer
// a broker gives while a topic it listed is not served yet, and when it never is.

/** A broker's error as kafkajs raises it (its src/protocol/error.js builds the cause from the error code). */
const protocolError = (type: string, code: number, message: string) =>
  new KafkaJSProtocolError(Object.assign(new Error(message), { type, code, retriable: true }));

const notHosted = () =>
  protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, 'This server does not host this topic-partition');

type MetadataAnswer = Awaited<ReturnType<Admin['fetchTopicMetadata']>> | Error;

/** An admin over a fake kafkajs admin that lists `listed` and answers metadata requests from `answers` in turn. */
function adminWith(listed: string[], answers: MetadataAnswer[], timeoutMs = 5_000) {
  const calls = { create: 0, metadata: 0 };
  const fake: Partial<Admin> = {
    listTopics: async () => listed,
    createTopics: async () => {
      calls.create++;
      return false; // "already exists": another service created them first
    },
    fetchTopicMetadata: async () => {
      const answer = answers[Math.min(calls.metadata++, answers.length - 1)];
      if (answer === undefined || answer instanceof Error) throw answer;
      return answer;
    },
  };
  const client = { raw: { admin: () => fake } } as unknown as KafkaClient;
  return { admin: createKafkaAdmin(client, timeoutMs), calls };
}

const served = (name: string, leaders: number[]) => ({
  topics: [
    {
      name,
      partitions: leaders.map((leader, partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader,
        replicas: [1],
        isr: [1],
        offlineReplicas: [],
      })),
    },
  ],
});

const spec = { name: 'site.events', partitions: 2, replicationFactor: 1, configs: {} };

describe('ensureTopics while the broker is not serving a topic yet', () => {
  it('waits through "not hosted" and a partition without a leader, then reports the topic', async () => {
    const { admin, calls } = adminWith([], [notHosted(), served(spec.name, [1, -1]), served(spec.name, [1, 1])]);
    expect(await admin.ensureTopics([spec])).toEqual([{ name: spec.name, created: true, partitions: 2 }]);
    expect(calls).toEqual({ create: 1, metadata: 3 });
  });

  it('gives up with a retriable timeout when the topic is never served', async () => {
    const { admin } = adminWith([spec.name], [notHosted()], 200);
    const error = await admin.ensureTopics([spec]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaAdapterError);
    expect([(error as KafkaAdapterError).retriable, (error as KafkaAdapterError).code]).toEqual([true, 'timeout']);
    expect((error as Error).message).toContain('not served within 200 ms');
  });

  it('does not wait on an error no wait fixes', async () => {
    const denied = protocolError('TOPIC_AUTHORIZATION_FAILED', 29, 'Not authorized to access topics');
    const { admin, calls } = adminWith([spec.name], [denied]);
    const error = await admin.ensureTopics([spec]).catch((e: unknown) => e);
    expect([(error as KafkaAdapterError).retriable, (error as KafkaAdapterError).code]).toEqual([
      false,
      'not_authorized',
    ]);
    expect(calls.metadata).toBe(1);
  });

  it('still refuses a topic another service created with another partition count', async () => {
    const { admin } = adminWith([], [served(spec.name, [1, 1, 1])]);
    const error = await admin.ensureTopics([spec]).catch((e: unknown) => e);
    expect((error as KafkaAdapterError).code).toBe('invalid_topic_config');
  });
});
