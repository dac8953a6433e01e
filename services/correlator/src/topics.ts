import { createKafkaAdmin, type KafkaClient } from '@otptrace/kafka';
import type { CorrelatorConfig } from './config.js';

/** Creates the correlator's missing topics (or, with `createTopics: false`, checks that they exist as configured). */
export async function ensureCorrelatorTopics(client: KafkaClient, config: CorrelatorConfig): Promise<void> {
  const admin = createKafkaAdmin(client);
  await admin.connect();
  try {
    const { events, attempts, late } = config.topics;
    if (config.createTopics) await admin.ensureTopics([events, attempts, late]);
    else {
      for (const spec of [events, attempts, late]) {
        const count = await admin.partitionCount(spec.name);
        if (count !== spec.partitions)
          throw new Error(`topic ${spec.name}: ${count} partitions, configured ${spec.partitions}`);
      }
    }
  } finally {
    await admin.disconnect();
  }
}
