import { z } from 'zod';

/** Where and how to reach the Kafka cluster. Shared by every service's configuration file. */
export const kafkaConnectionSchema = z
  .object({
    /** Bootstrap brokers, host:port. */
    brokers: z.array(z.string().min(1)).min(1).default(['localhost:9092']),
    /** Client id shown in broker logs and quotas. */
    clientId: z.string().min(1).default('otptrace'),
    /** Use TLS to the brokers. */
    ssl: z.boolean().default(false),
    /** SASL credentials; the password is a secret and is never logged. */
    sasl: z
      .object({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
        username: z.string().min(1),
        password: z.string().min(1),
      })
      .strict()
      .nullable()
      .default(null),
    /** TCP connect timeout, ms. */
    connectionTimeoutMs: z.number().int().positive().default(3_000),
    /** Per-request timeout, ms. */
    requestTimeoutMs: z.number().int().positive().default(30_000),
    /** Longest a produce call may wait before the caller is told "unavailable, retry later", ms. */
    sendTimeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();
export type KafkaConnection = z.infer<typeof kafkaConnectionSchema>;

/** One topic as configuration declares it; created at start-up if missing, checked if present. */
export const topicSpecSchema = z
  .object({
    name: z.string().min(1),
    partitions: z.number().int().positive(),
    replicationFactor: z.number().int().positive(),
    /** Topic-level configs, e.g. { "retention.ms": "604800000", "min.insync.replicas": "2" }. */
    configs: z.record(z.string(), z.string()).default({}),
  })
  .strict();
export type TopicSpec = z.infer<typeof topicSpecSchema>;
export type TopicSpecInput = z.input<typeof topicSpecSchema>;
