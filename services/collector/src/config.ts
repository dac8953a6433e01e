import { kafkaConnectionSchema, topicSpecSchema } from '@otptrace/kafka';
import { analysisConfigSchema } from '@otptrace/schemas';
import { z } from 'zod';

/** Environment prefix of the collector's overrides: OTPTRACE_COLLECTOR_HTTP__PORT=8080 sets http.port. */
export const COLLECTOR_ENV_PREFIX = 'OTPTRACE_COLLECTOR_';

const DAY_MS = 86_400_000;

/** The three topics the collector writes (the events topic is also read by the correlator: same settings). */
export const collectorTopicsSchema = z
  .object({
    events: topicSpecSchema
      .prefault({ name: 'otptrace.events', partitions: 1, replicationFactor: 1 })
      .describe(
        'Normalised events, keyed by user key; user-less events go to every partition. One partition gives exactly the ' +
          'verdicts of `otptrace analyze`; more spread correlation over instances (services/correlator/README.md).',
      ),
    raw: topicSpecSchema
      .prefault({
        name: 'otptrace.raw',
        partitions: 12,
        replicationFactor: 1,
        configs: { 'retention.ms': String(7 * DAY_MS) },
      })
      .describe('Raw EVTX-XML of every accepted event, keyed by event id, kept for replay (retention in configs).'),
    deadLetter: topicSpecSchema
      .prefault({
        name: 'otptrace.dead-letter',
        partitions: 3,
        replicationFactor: 1,
        configs: { 'retention.ms': String(30 * DAY_MS) },
      })
      .describe('Events that failed parsing or validation: reason, code and raw text.'),
  })
  .strict();
export type CollectorTopics = z.infer<typeof collectorTopicsSchema>;

/** The collector's configuration file (JSON); every field can be overridden from the environment. */
export const collectorConfigSchema = z
  .object({
    kafka: kafkaConnectionSchema.prefault({ clientId: 'otptrace-collector' }).describe('Kafka connection.'),
    topics: collectorTopicsSchema.prefault({}),
    createTopics: z
      .boolean()
      .default(true)
      .describe('At start-up create missing topics; when false only check that they exist as configured.'),
    http: z
      .object({
        enabled: z.boolean().default(true).describe('Accept POST /v1/events batches of EVTX-XML.'),
        host: z.string().default('0.0.0.0').describe('Address the ingestion server listens on.'),
        port: z.number().int().min(0).max(65_535).default(8080).describe('Port of the ingestion server (0 = any).'),
        tokens: z
          .array(z.string().min(16))
          .default([])
          .describe(
            'Accepted bearer tokens (at least 16 characters each): secrets, never logged. Required when enabled.',
          ),
        bodyLimitBytes: z
          .number()
          .int()
          .positive()
          .default(16 * 1024 * 1024)
          .describe('Largest batch accepted; a larger body gets 413.'),
        maxInFlightBatches: z
          .number()
          .int()
          .positive()
          .default(8)
          .describe('Batches being written to Kafka at once; beyond this the collector answers 429.'),
        retryAfterSeconds: z.number().int().positive().default(5).describe('Retry-After sent with 429 and 503.'),
      })
      .strict()
      .prefault({}),
    files: z
      .object({
        paths: z
          .array(z.string())
          .default([])
          .describe('Files or folders (their *.xml files) followed as they grow, like wevtutil qe /f:xml output.'),
        stateFile: z
          .string()
          .default('collector-positions.json')
          .describe('Where the byte position of each followed file is kept, written after Kafka acknowledged.'),
        pollIntervalMs: z
          .number()
          .int()
          .positive()
          .default(1_000)
          .describe('How often followed files are checked, ms.'),
        maxReadBytes: z
          .number()
          .int()
          .positive()
          .default(4 * 1024 * 1024)
          .describe('Most bytes read from one file per poll (one Kafka batch).'),
      })
      .strict()
      .prefault({}),
    stdin: z
      .boolean()
      .default(false)
      .describe('Read EVTX-XML from standard input (e.g. wevtutil qe Security /f:xml | otptrace-collector).'),
    admin: z
      .object({
        host: z.string().default('0.0.0.0').describe('Address of /healthz, /readyz and /metrics.'),
        port: z.number().int().min(0).max(65_535).default(9464).describe('Port of /healthz, /readyz and /metrics.'),
      })
      .strict()
      .prefault({}),
    analysis: analysisConfigSchema.prefault({}).describe('Identity settings shared with `otptrace analyze`.'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info').describe('Log level.'),
    shutdownTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe('Longest a graceful shutdown may take before the process exits anyway, ms.'),
  })
  .strict()
  .refine((c) => !c.http.enabled || c.http.tokens.length > 0, {
    message: 'http.enabled needs at least one bearer token in http.tokens',
    path: ['http', 'tokens'],
  });
export type CollectorConfig = z.infer<typeof collectorConfigSchema>;
export type CollectorConfigInput = z.input<typeof collectorConfigSchema>;
