import { type ICustomPartitioner, Partitioners, type PartitionMetadata } from 'kafkajs';
import type { AdapterLogger } from './client.js';

const keyed = Partitioners.DefaultPartitioner();

/**
 * The partition a keyed record lands in among `count` partitions: the producer's own (Java-compatible murmur2)
 * choice, so a consumer can tell which partition owns a key without asking the broker.
 */
export function partitionForKey(key: string, count: number): number {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    offlineReplicas: [],
  }));
  return keyed({ topic: 'otptrace', partitionMetadata, message: { key, value: null } });
}

/** Each topic's partition count as the service's configuration gives it (and start-up checked); undefined: any. */
export type PartitionCounts = (topic: string) => number | undefined;

/**
 * The partitioner producers use: kafkajs' default (murmur2 of the key over the partitions, as `partitionForKey` and
 * the Java client), over no more partitions of a topic than `counts` gives it.
 *
 * Why pinned: a topic may be given more partitions while the services run (`kafka-topics.sh --alter`). The default
 * partitioner would then move keys to new partitions as soon as a producer refreshes its metadata (every five minutes,
 * and whenever a failed send renews it), each producer at its own moment. A site's events are keyed by site so that
 * they meet in one engine; for minutes, two collectors of one site would write it to two partitions, and two
 * correlators would each see half of its attempts. Pinned, every producer keeps every key where it was until the
 * services restart with a configuration that gives the new count (start-up refuses a count that differs), so keys
 * move once, at a moment the operator chose. A grown topic is logged once per service (its logger) as a warning.
 */
export function pinnedPartitioner(counts: PartitionCounts, logger?: AdapterLogger): ICustomPartitioner {
  return () => {
    const partition = Partitioners.DefaultPartitioner();
    return ({ topic, partitionMetadata, message }) => {
      const pinned = counts(topic);
      if (pinned === undefined || partitionMetadata.length <= pinned)
        return partition({ topic, partitionMetadata, message });
      if (logger !== undefined) warnGrown(logger, topic, partitionMetadata.length, pinned);
      const kept = partitionMetadata.filter((p) => p.partitionId < pinned);
      return partition({ topic, partitionMetadata: kept, message });
    };
  };
}

/** Topics already reported as grown, by the logger they were reported to: a service's producers share one. */
const WARNED = new WeakMap<AdapterLogger, Set<string>>();

/** Warns once per service (its logger) and topic that the topic has more partitions than configured. */
function warnGrown(logger: AdapterLogger, topic: string, partitions: number, configured: number): void {
  let topics = WARNED.get(logger);
  if (topics === undefined) {
    topics = new Set();
    WARNED.set(logger, topics);
  }
  if (topics.has(topic)) return;
  topics.add(topic);
  logger.warn(
    { topic, partitions, configured },
    'topic has more partitions than configured: records keep to the configured ones until the services restart with the new count',
  );
}

/** The counts of `specs` by topic name, for `pinnedPartitioner`. */
export function configuredPartitions(specs: readonly { name: string; partitions: number }[]): PartitionCounts {
  const counts = new Map(specs.map((spec) => [spec.name, spec.partitions]));
  return (topic) => counts.get(topic);
}

/** No topic pinned: kafkajs' default over every partition. */
export const ANY_PARTITIONS: PartitionCounts = () => undefined;
