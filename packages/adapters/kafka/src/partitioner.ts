import { Partitioners, type PartitionMetadata } from 'kafkajs';

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

/** The partitioner producers use, so that `partitionForKey` and the producer always agree. */
export const producerPartitioner = Partitioners.DefaultPartitioner;
