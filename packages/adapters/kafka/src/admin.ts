import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';
import type { KafkaClient } from './client.js';
import type { TopicSpec } from './config.js';
import { KafkaAdapterError, toAdapterError } from './errors.js';

/** What start-up found or did for one configured topic. */
export interface TopicCheck {
  name: string;
  created: boolean;
  partitions: number;
}

/** Committed and end offsets of one partition, for lag figures and tests. */
export interface PartitionOffsets {
  partition: number;
  committed: string | null;
  end: string;
}

/** Cluster administration the services need: topics at start-up, partition counts, group lag. */
export interface KafkaAdmin {
  connect(): Promise<void>;
  ensureTopics(specs: readonly TopicSpec[]): Promise<TopicCheck[]>;
  partitionCount(topic: string): Promise<number>;
  /** Each topic's effective `max.message.bytes` (its own setting, or the broker's default). */
  maxMessageBytes(topics: readonly string[]): Promise<Map<string, number>>;
  groupOffsets(groupId: string, topic: string): Promise<PartitionOffsets[]>;
  deleteTopics(names: readonly string[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** How long start-up waits for the broker to serve topics that were just created, here or by another client. */
export const TOPIC_SERVED_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the broker answers about a topic it lists but does not serve yet (`toAdapterError` codes). */
const NOT_SERVED_YET = new Set(['topic_missing', 'leader_not_available']);

/**
 * Waits until the broker serves each named topic with a leader for every partition, and returns their partition
 * counts. A topic is listed by the controller before a broker serves it: right after it is created (kafkajs waits for
 * leaders only when it created every topic itself; when another service starting at the same moment created one of
 * them first, it returns at once), "This server does not host this topic-partition" means "not yet".
 */
async function servedPartitions(
  admin: Admin,
  names: readonly string[],
  timeoutMs: number,
): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  let pauseMs = 50;
  for (;;) {
    let waitingFor: unknown;
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...names] });
      const leaderless = metadata.topics.find((t) => t.partitions.some((p) => p.leader < 0 || p.partitionErrorCode));
      if (leaderless === undefined) return new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
      waitingFor = `topic ${leaderless.name} has a partition without a leader`;
    } catch (error) {
      if (!NOT_SERVED_YET.has(toAdapterError(error, 'topic metadata').code)) throw error;
      waitingFor = error;
    }
    if (Date.now() + pauseMs > deadline) {
      throw new KafkaAdapterError(
        `topics ${names.join(', ')} were created but not served within ${timeoutMs} ms: ${String(waitingFor)}`,
        { retriable: true, code: 'timeout', cause: waitingFor },
      );
    }
    await sleep(pauseMs);
    pauseMs = Math.min(pauseMs * 2, 1_000);
  }
}

// A topic with fewer partitions than configured would silently cap the correlator's parallelism, and adding
// partitions later moves keys: both are operator decisions, so start-up reports them instead of "fixing" them.
function checkExisting(spec: TopicSpec, partitions: number): TopicCheck {
  if (partitions !== spec.partitions) {
    throw new KafkaAdapterError(
      `topic ${spec.name} has ${partitions} partitions, configuration says ${spec.partitions}; ` +
        'change the configuration or repartition deliberately (keys move to other partitions)',
      { retriable: false, code: 'invalid_topic_config' },
    );
  }
  return { name: spec.name, created: false, partitions };
}

function toTopicConfig(spec: TopicSpec): ITopicConfig {
  return {
    topic: spec.name,
    numPartitions: spec.partitions,
    replicationFactor: spec.replicationFactor,
    configEntries: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
  };
}

/**
 * A service's start-up step for its topics: creates the missing ones (or, with `create: false`, checks that they exist
 * with the configured partition counts), then returns each one's `max.message.bytes` as the cluster has it (an
 * existing topic keeps its own, whatever is configured), for the producers to cut their requests and records to fit.
 */
export async function prepareTopics(
  admin: Pick<KafkaAdmin, 'ensureTopics' | 'partitionCount' | 'maxMessageBytes'>,
  specs: readonly TopicSpec[],
  create: boolean,
): Promise<Map<string, number>> {
  if (create) await admin.ensureTopics(specs);
  else {
    for (const spec of specs) {
      const count = await admin.partitionCount(spec.name);
      if (count !== spec.partitions)
        throw new Error(`topic ${spec.name}: ${count} partitions, configured ${spec.partitions}`);
    }
  }
  return admin.maxMessageBytes(specs.map((spec) => spec.name));
}

/** Admin client over the connection; every failure is a KafkaAdapterError saying whether to retry. */
export function createKafkaAdmin(client: KafkaClient, topicServedTimeoutMs = TOPIC_SERVED_TIMEOUT_MS): KafkaAdmin {
  const admin = client.raw.admin();
  const guard = async <T>(context: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toAdapterError(error, context);
    }
  };
  return {
    connect: () => guard('admin connect', () => admin.connect()),
    ensureTopics: (specs) =>
      guard('ensure topics', async () => {
        const names = specs.map((spec) => spec.name);
        const listed = new Set(await admin.listTopics());
        const missing = specs.filter((spec) => !listed.has(spec.name));
        // Another service may create the same topics at the same moment: kafkajs then answers false for "already
        // exists", and every topic, whoever created it, is waited for until served.
        if (missing.length > 0) await admin.createTopics({ topics: missing.map(toTopicConfig), waitForLeaders: true });
        const counts = await servedPartitions(admin, names, topicServedTimeoutMs);
        return specs.map((spec) => {
          const found = counts.get(spec.name) ?? 0;
          return missing.includes(spec) ? { ...checkExisting(spec, found), created: true } : checkExisting(spec, found);
        });
      }),
    partitionCount: (topic) =>
      guard('partition count', async () => {
        const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
        return metadata.topics[0]?.partitions.length ?? 0;
      }),
    maxMessageBytes: (topics) =>
      guard('describe topic configs', async () => {
        const described = await admin.describeConfigs({
          resources: topics.map((name) => ({
            type: kafkajs.ConfigResourceTypes.TOPIC,
            name,
            configNames: ['max.message.bytes'],
          })),
          includeSynonyms: false,
        });
        const limits = new Map<string, number>();
        for (const resource of described.resources) {
          const entry = resource.configEntries.find((e) => e.configName === 'max.message.bytes');
          if (entry) limits.set(resource.resourceName, Number(entry.configValue));
        }
        return limits;
      }),
    groupOffsets: (groupId, topic) =>
      guard('group offsets', async () => {
        const [committed, ends] = await Promise.all([
          admin.fetchOffsets({ groupId, topics: [topic] }),
          admin.fetchTopicOffsets(topic),
        ]);
        const committedByPartition = new Map(
          (committed[0]?.partitions ?? []).map((p) => [p.partition, p.offset === '-1' ? null : p.offset]),
        );
        return ends.map((end) => ({
          partition: end.partition,
          committed: committedByPartition.get(end.partition) ?? null,
          end: end.high,
        }));
      }),
    deleteTopics: (names) => guard('delete topics', () => admin.deleteTopics({ topics: [...names] })),
    disconnect: () => admin.disconnect(),
  };
}
