import { z } from 'zod';

/** TLS to the brokers with files: a private CA to trust, and optionally a client certificate and key. */
export const kafkaTlsSchema = z
  .object({
    caFile: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('PEM CA bundle the brokers chain to (null: system CAs).'),
    certFile: z.string().min(1).nullable().default(null).describe('PEM client certificate, when brokers require one.'),
    keyFile: z.string().min(1).nullable().default(null).describe('PEM private key of the client certificate.'),
    rejectUnauthorized: z.boolean().default(true).describe('Refuse brokers whose certificate does not verify.'),
  })
  .strict()
  .refine((t) => (t.certFile === null) === (t.keyFile === null), { message: 'set certFile and keyFile together' });
export type KafkaTls = z.infer<typeof kafkaTlsSchema>;

/**
 * SASL credentials. SCRAM is the recommended mechanism; PLAIN sends the password as is, so it needs TLS (checked on
 * the connection). The password comes from OTPTRACE_<SERVICE>_KAFKA__SASL__PASSWORD or from `passwordFile`.
 */
export const kafkaSaslSchema = z
  .object({
    mechanism: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']).describe('SASL mechanism (SCRAM recommended).'),
    username: z.string().min(1).describe('SASL user name.'),
    password: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('SASL password: a secret, never logged; set it from the environment variable, not the file.'),
    passwordFile: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('File holding the SASL password (surrounding white space ignored), e.g. a mounted Secret.'),
  })
  .strict()
  .refine((s) => (s.password === null) !== (s.passwordFile === null), {
    message: 'set exactly one of password (from the environment) and passwordFile',
  });
export type KafkaSasl = z.infer<typeof kafkaSaslSchema>;

/** Where and how to reach the Kafka cluster. Shared by every service's configuration file. */
export const kafkaConnectionSchema = z
  .object({
    brokers: z.array(z.string().min(1)).min(1).default(['localhost:9092']).describe('Bootstrap brokers, host:port.'),
    clientId: z.string().min(1).default('otptrace').describe('Client id shown in broker logs and quotas.'),
    ssl: z
      .union([z.boolean(), kafkaTlsSchema])
      .default(false)
      .describe(
        'TLS to the brokers: false, true (system CAs), or { caFile, certFile, keyFile } (PEM files: a private CA, ' +
          'and a client certificate when the brokers require one).',
      ),
    sasl: kafkaSaslSchema
      .nullable()
      .default(null)
      .describe('SASL credentials, or null for none. The password comes from the environment or a file.'),
    connectionTimeoutMs: z.number().int().positive().default(3_000).describe('TCP connect timeout, ms.'),
    requestTimeoutMs: z.number().int().positive().default(30_000).describe('Per-request timeout, ms.'),
    sendTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Longest a produce call may wait before the caller is told "unavailable, retry later", ms.'),
  })
  .strict()
  .refine((c) => c.sasl?.mechanism !== 'plain' || c.ssl !== false, {
    message: 'SASL PLAIN sends the password in clear: use it only with ssl',
    path: ['sasl', 'mechanism'],
  });
export type KafkaConnection = z.infer<typeof kafkaConnectionSchema>;

/** One topic as configuration declares it; created at start-up if missing, checked if present. */
export const topicSpecSchema = z
  .object({
    name: z.string().min(1).describe('Topic name.'),
    partitions: z
      .number()
      .int()
      .positive()
      .describe(
        'Partition count (caps how many consumers share the work). Keyed records are spread over this many, even on ' +
          'a topic given more while the services run: keys move only at a restart with the new count.',
      ),
    replicationFactor: z.number().int().positive().describe('Replicas of each partition (3 in production).'),
    configs: z
      .record(z.string(), z.string())
      .default({})
      .describe('Topic-level configs, e.g. { "retention.ms": "604800000", "min.insync.replicas": "2" }.'),
  })
  .strict();
export type TopicSpec = z.infer<typeof topicSpecSchema>;
export type TopicSpecInput = z.input<typeof topicSpecSchema>;
