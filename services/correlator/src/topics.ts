import { createKafkaAdmin, type KafkaClient, prepareTopics } from '@otptrace/kafka';
import type { CorrelatorConfig } from './config.js';

/**
 * Creates the correlator's missing topics (or, with `createTopics: false`, checks that they exist as configured) and
 * returns each one's `max.message.bytes` as the cluster has it.
 */
export async function ensureCorrelatorTopics(
  client: KafkaClient,
  config: CorrelatorConfig,
): Promise<Map<string, number>> {
  const admin = createKafkaAdmin(client);
  await admin.connect();
  try {
    const { events, attempts, late } = config.topics;
    return await prepareTopics(admin, [events, attempts, late], config.createTopics);
  } finally {
    await admin.disconnect();
  }
}
