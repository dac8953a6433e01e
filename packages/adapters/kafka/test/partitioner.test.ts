import type { PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { AdapterLogger } from '../src/client.js';
import { configuredPartitions, partitionForKey, pinnedPartitioner } from '../src/partitioner.js';

// With a real broker (a topic given more partitions under a running producer): test/integration/kafka-compat.test.ts.

/** A topic's metadata as kafkajs hands it to a partitioner: `count` partitions, every one led by a broker. */
const metadata = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
  }));

function recordingLogger() {
  const warnings: { obj: object; msg: string | undefined }[] = [];
  const ignore = () => {};
  const logger: AdapterLogger = {
    debug: ignore,
    info: ignore,
    warn: (obj, msg) => void warnings.push({ obj, msg }),
    error: ignore,
  };
  return { logger, warnings };
}

const sites = Array.from({ length: 200 }, (_, i) => `site-${i}`);

describe('pinnedPartitioner: keyed records stay on the configured partitions when a topic grows', () => {
  it('puts every key where the default partitioner put it among the configured count, after the topic grew', () => {
    const { logger } = recordingLogger();
    const partition = pinnedPartitioner(configuredPartitions([{ name: 'otp.events', partitions: 4 }]), logger)();
    const moved = sites.filter((site) => partitionForKey(site, 12) !== partitionForKey(site, 4));
    // Most keys would move to another partition under the default partitioner: the pin is what keeps them.
    expect(moved.length).toBeGreaterThan(100);
    for (const site of sites) {
      const message = { key: site, value: '{}' };
      expect(partition({ topic: 'otp.events', partitionMetadata: metadata(12), message })).toBe(
        partitionForKey(site, 4),
      );
    }
  });

  it('is the default partitioner where the topic has the configured count, or the topic is not configured', () => {
    const partition = pinnedPartitioner(configuredPartitions([{ name: 'otp.events', partitions: 4 }]))();
    for (const site of sites) {
      const message = { key: site, value: '{}' };
      expect(partition({ topic: 'otp.events', partitionMetadata: metadata(4), message })).toBe(
        partitionForKey(site, 4),
      );
      expect(partition({ topic: 'otp.tickets', partitionMetadata: metadata(6), message })).toBe(
        partitionForKey(site, 6),
      );
    }
  });

  it('leaves a record with its own partition where it asked to go (a broadcast to every partition)', () => {
    const partition = pinnedPartitioner(configuredPartitions([{ name: 'otp.events', partitions: 2 }]))();
    const message = { key: 'north', value: '{}', partition: 5 };
    expect(partition({ topic: 'otp.events', partitionMetadata: metadata(8), message })).toBe(5);
  });

  it('spreads records without a key over the configured partitions only', () => {
    const partition = pinnedPartitioner(configuredPartitions([{ name: 'otp.raw', partitions: 3 }]))();
    const used = new Set<number>();
    for (let i = 0; i < 60; i++)
      used.add(partition({ topic: 'otp.raw', partitionMetadata: metadata(9), message: { key: null, value: 'x' } }));
    expect([...used].sort()).toEqual([0, 1, 2]);
  });

  it('warns once per service and topic that grew, naming both counts, whatever its producers', () => {
    const { logger, warnings } = recordingLogger();
    const counts = configuredPartitions([
      { name: 'otp.events', partitions: 4 },
      { name: 'otp.late', partitions: 2 },
    ]);
    // A service's producers (a collector's transaction sessions, each renewed after a failure) share its logger.
    const producers = [pinnedPartitioner(counts, logger)(), pinnedPartitioner(counts, logger)()];
    for (const [i, site] of sites.slice(0, 20).entries()) {
      const partition = producers[i % 2]!;
      partition({ topic: 'otp.events', partitionMetadata: metadata(4), message: { key: site, value: '' } });
      partition({ topic: 'otp.events', partitionMetadata: metadata(8), message: { key: site, value: '' } });
      partition({ topic: 'otp.late', partitionMetadata: metadata(3), message: { key: site, value: '' } });
    }
    expect(warnings.map((w) => w.obj)).toEqual([
      { topic: 'otp.events', partitions: 8, configured: 4 },
      { topic: 'otp.late', partitions: 3, configured: 2 },
    ]);
    expect(warnings[0]?.msg).toMatch(/more partitions than configured/);
  });
});
