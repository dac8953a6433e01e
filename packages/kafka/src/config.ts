import { z } from 'zod';

/** Where and how to reach the Kafka cluster. Shared by every service's configuration file. */
export const kafkaConnectionSchema = z
  .object({
    brokers: z.array(z.string().min(1)).min(1).default(['localhost:9092']).describe('Bootstrap brokers, host:port.'),
    clientId: z.string().min(1).default('otptrace').describe('Client id shown in broker logs and quotas.'),
    ssl: z.boolean().default(false).describe('Use TLS to the brokers.'),
    sasl: z
      .object({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).describe('SASL mechanism.'),
        username: z.string().min(1).describe('SASL user name.'),
        password: z.string().min(1).describe('SASL password: a secret, never logged; prefer the environment variable.'),
      })
      .strict()
      .nullable()
      .default(null)
      .describe('SASL credentials, or null for none.'),
    connectionTimeoutMs: z.number().int().positive().default(3_000).describe('TCP connect timeout, ms.'),
    requestTimeoutMs: z.number().int().positive().default(30_000).describe('Per-request timeout, ms.'),
    sendTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Longest a produce call may wait before the caller is told "unavailable, retry later", ms.'),
  })
  .strict();
export type KafkaConnection = z.infer<typeof kafkaConnectionSchema>;

/** One topic as configuration declares it; created at start-up if missing, checked if present. */
export const topicSpecSchema = z
  .object({
    name: z.string().min(1).describe('Topic name.'),
    partitions: z.number().int().positive().describe('Partition count (caps how many consumers share the work).'),
    replicationFactor: z.number().int().positive().describe('Replicas of each partition (3 in production).'),
    configs: z
      .record(z.string(), z.string())
      .default({})
      .describe('Topic-level configs, e.g. { "retention.ms": "604800000", "min.insync.replicas": "2" }.'),
  })
  .strict();
export type TopicSpec = z.infer<typeof topicSpecSchema>;
export type TopicSpecInput = z.input<typeof topicSpecSchema>;
